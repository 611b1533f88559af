from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casemgmt.core.demo import DEMO_PASSWORD, demo_logins, seed_all


class Command(BaseCommand):
    help = "Create demo courts, users and (as apps add them) cases. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (never on a real court's database).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to seed demo data with DEBUG off; see --allow-production.")
        seed_all(log=lambda line: self.stdout.write(f"  + {line}"))
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Demo logins:"))
        for username, role, courts in demo_logins():
            self.stdout.write(f"  {username:<20} {role:<20} {courts}")
        self.stdout.write(f"  password for every demo login: {DEMO_PASSWORD}")
