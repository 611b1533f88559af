"""Demo data: each app registers a seeder; `manage.py seed_demo` runs them in order.

Seeders are idempotent: they look rows up by natural keys and create what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from .models import AttorneyProfile, Court, CourtMembership, User
from .roles import Role

DEMO_PASSWORD = "casemgmt-demo-2026"

DEMO_COURTS = [
    {
        "code": "sarasota",
        "name": "Twelfth Judicial Circuit — Sarasota County",
        "time_zone": "America/New_York",
        "address": "2000 Main Street\nSarasota, FL 34237",
        "phone": "(941) 555-0100",
        "county_code": "58",
        "case_number_format": "{county}-{year}-{type}-{seq:06d}",
        "holiday_country": "US",
        "holiday_subdivision": "FL",
    },
    {
        "code": "denver",
        "name": "Denver County Court",
        "time_zone": "America/Denver",
        "address": "1437 Bannock Street\nDenver, CO 80202",
        "phone": "(720) 555-0100",
        "case_number_format": "{year}-{type}-{seq:06d}",
        "holiday_country": "US",
        "holiday_subdivision": "CO",
    },
]

# (username, first, last, role, court codes)
DEMO_USERS = [
    ("clerk", "Carmen", "Alvarez", Role.CLERK, ["sarasota"]),
    ("courtclerk", "Dwayne", "Porter", Role.COURTROOM_CLERK, ["sarasota"]),
    ("judge", "Eleanor", "Whitfield", Role.JUDGE, ["sarasota"]),
    ("supervisor", "Grace", "Okafor", Role.SUPERVISOR, ["sarasota"]),
    ("coordinator", "Miguel", "Santos", Role.PROGRAM_COORDINATOR, ["sarasota"]),
    ("attorney", "Priya", "Raman", Role.ATTORNEY, ["sarasota", "denver"]),
    ("attorney2", "Thomas", "Becker", Role.ATTORNEY, ["sarasota"]),
    ("clerk.denver", "Aiden", "Walsh", Role.CLERK, ["denver"]),
    ("judge.denver", "Rosa", "Delgado", Role.JUDGE, ["denver"]),
    ("supervisor.denver", "Harold", "Kim", Role.SUPERVISOR, ["denver"]),
]

DEMO_ATTORNEYS = {
    "attorney": {"bar_number": "0123456", "bar_state": "FL", "firm": "Raman & Cole, P.A."},
    "attorney2": {
        "bar_number": "0654321",
        "bar_state": "FL",
        "firm": "Office of the Public Defender",
    },
}


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[..., None]
    order: int


_seeders: dict[str, Seeder] = {}


def register_seeder(name: str, run: Callable[..., None], *, order: int = 100) -> None:
    _seeders[name] = Seeder(name, run, order)


def seed_all(log: Callable[[str], None]) -> None:
    for seeder in sorted(_seeders.values(), key=lambda s: (s.order, s.name)):
        with transaction.atomic():
            seeder.run(log=log)


def seed_courts_and_users(*, log: Callable[[str], None]) -> None:
    for data in DEMO_COURTS:
        court, created = Court.objects.get_or_create(code=data["code"], defaults=data)
        if created:
            court.full_clean()
            log(f"court {court.code}: {court.name}")
    courts = {c.code: c for c in Court.objects.filter(code__in=[d["code"] for d in DEMO_COURTS])}
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@court.example", DEMO_PASSWORD, first_name="System", last_name="Admin"
        )
        log("user admin (superuser)")
    for username, first, last, role, codes in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username,
                f"{username}@court.example",
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=role,
            )
            log(f"user {username} ({role})")
        for i, code in enumerate(codes):
            CourtMembership.objects.get_or_create(
                user=user, court=courts[code], defaults={"is_default": i == 0}
            )
        if username in DEMO_ATTORNEYS:
            AttorneyProfile.objects.get_or_create(user=user, defaults=DEMO_ATTORNEYS[username])


def demo_logins() -> list[tuple[str, str, str]]:
    rows = [("admin", "superuser", "all courts")]
    rows += [(u, Role(r).label, ", ".join(c)) for u, _f, _l, r, c in DEMO_USERS]
    return rows
