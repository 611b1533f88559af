"""Calendar rows made directly (no notices, no docket entries): for tests of the read
surfaces. Tests of scheduling rules go through `docket.services`."""

from __future__ import annotations

import datetime as dt

from docket.models import Courtroom, Hearing, HearingType


def courtroom(court, name="Courtroom 1", location="Main courthouse") -> Courtroom:
    room, _ = Courtroom.objects.get_or_create(
        court=court, name=name, defaults={"location": location}
    )
    return room


def court_time(court, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour:minute` court-local time on `day`."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=court.tzinfo)


def hearing(
    case,
    *,
    scheduled_by,
    day: dt.date,
    hour: int = 9,
    minute: int = 0,
    minutes: int = 30,
    hearing_type: str = HearingType.STATUS,
    room: Courtroom | None = None,
    **kwargs,
) -> Hearing:
    starts_at = court_time(case.court, day, hour, minute)
    return Hearing.objects.create(
        case=case,
        court=case.court,
        hearing_type=hearing_type,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        date=day,
        courtroom=room or courtroom(case.court),
        scheduled_by=scheduled_by,
        **kwargs,
    )
