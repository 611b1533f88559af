"""Delete stored document files that no document names (left by a crash mid-filing)."""

import datetime as dt

from django.core.management.base import BaseCommand

from filings.services import document_orphans_sweep


class Command(BaseCommand):
    help = (
        "Delete files under documents/ in the default storage that no Document row names "
        "and that are older than --hours (default 24)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args, hours: float, dry_run: bool, **options):
        found = document_orphans_sweep(older_than=dt.timedelta(hours=hours), dry_run=dry_run)
        for name in found:
            self.stdout.write(name)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(found)} orphaned file(s)"))
