from collections.abc import Callable

from casemgmt.core.models import Court

from .models import Courtroom

DEMO_COURTROOMS = {
    "sarasota": [
        ("Courtroom 2A", "Judge Lynn Silvertooth Judicial Center, 2nd floor"),
        ("Courtroom 5B", "Judge Lynn Silvertooth Judicial Center, 5th floor"),
        ("Courtroom 7C", "Historic Courthouse, 3rd floor"),
    ],
    "denver": [
        ("Courtroom 104", "Lindsey-Flanigan Courthouse, 1st floor"),
        ("Courtroom 3H", "City and County Building, 3rd floor"),
    ],
}


def seed_courtrooms(*, log: Callable[[str], None]) -> None:
    for court in Court.objects.filter(code__in=DEMO_COURTROOMS):
        for name, location in DEMO_COURTROOMS[court.code]:
            _room, created = Courtroom.objects.get_or_create(
                court=court, name=name, defaults={"location": location}
            )
            if created:
                log(f"courtroom {court.code} {name}")
