"""Refresh the dashboard's rollups now (the worker does it nightly), or rebuild them."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from casemgmt.dashboard.rollups import rollups_refresh


class Command(BaseCommand):
    help = (
        "Bring the dashboard's rollups (case flow, dispositions, pending-age snapshots) up to "
        "date with the lifecycle history: incremental by default, --full to rebuild them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild from scratch.")
        parser.add_argument(
            "--snapshot",
            action="append",
            default=[],
            metavar="YYYY-MM-DD",
            help="Also take the pending-age snapshot of this date (repeatable).",
        )

    def handle(self, *args, full: bool, snapshot: list[str], **options):
        try:
            dates = [dt.date.fromisoformat(value) for value in snapshot]
        except ValueError as exc:
            raise CommandError(f"--snapshot: {exc}") from exc
        refresh = rollups_refresh(full=full, snapshot_dates=dates)
        seconds = (refresh.finished_at - refresh.started_at).total_seconds()
        kind = "rebuilt" if refresh.full else "refreshed"
        self.stdout.write(
            self.style.SUCCESS(
                f"dashboard rollups {kind} in {seconds:.1f} s: {refresh.changes:,} status "
                f"changes folded in, {refresh.days:,} days, {refresh.cases:,} cases, "
                f"{refresh.snapshots:,} snapshots; up to change {refresh.watermark}"
            )
        )
