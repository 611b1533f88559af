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


# --- calendar surfaces (D2): case types, cases with people, many hearings at once ---------


def case_types(court) -> dict:
    """The court's criminal (CR), juvenile (JV) and mental-health (MH) case types."""
    from cases.models import CaseCategory, Confidentiality
    from tests.cases.factories import CaseTypeFactory

    return {
        "CR": CaseTypeFactory(court=court, code="CR", category=CaseCategory.CRIMINAL),
        "JV": CaseTypeFactory(
            court=court,
            code="JV",
            name="Juvenile dependency",
            category=CaseCategory.JUVENILE,
            default_confidentiality=Confidentiality.CONFIDENTIAL,
            initial_event_code="PETN",
        ),
        "MH": CaseTypeFactory(
            court=court,
            code="MH",
            name="Mental health",
            category=CaseCategory.MENTAL_HEALTH,
            default_confidentiality=Confidentiality.CONFIDENTIAL,
            initial_event_code="PETN",
        ),
    }


def case_with_people(
    case_type,
    *,
    opened_by,
    last_name: str = "Doe",
    attorneys=(),
    interpreter: str = "",
    confidentiality: str | None = None,
    judge=None,
    filed_on: dt.date | None = None,
):
    """A case opened through intake: one defendant (or child) named `last_name`, with
    `attorneys` of record for them; `interpreter` a language code the party needs."""
    from cases.models import CaseCategory
    from cases.services import AppearanceInput, PartyInput
    from tests.cases.factories import open_case

    role = "child" if case_type.category == CaseCategory.JUVENILE else "defendant"
    if case_type.category == CaseCategory.MENTAL_HEALTH:
        role = "respondent"
    party = PartyInput(
        role=role,
        first_name="Pat",
        last_name=last_name,
        date_of_birth=dt.date(2012 if role == "child" else 1980, 3, 4),
        preferred_language=interpreter or "en",
        interpreter_needed=bool(interpreter),
    )
    parties = [party]
    if case_type.category == CaseCategory.MENTAL_HEALTH:
        parties.insert(0, PartyInput(role="petitioner", first_name="Lee", last_name="Ward"))
    return open_case(
        case_type=case_type,
        opened_by=opened_by,
        parties=parties,
        appearances=[AppearanceInput(attorney=a, party_index=len(parties) - 1) for a in attorneys],
        confidentiality=confidentiality,
        judge=judge,
        filed_on=filed_on,
    )


def hearings_bulk(cases, *, scheduled_by, day: dt.date, room: Courtroom, per_case: int = 1):
    """`per_case` stacked status conferences for each case in `room` on `day`, 5 minutes
    apart from 08:00, made in one insert (hearings for read tests, not scheduling)."""
    rows, minute = [], 0
    for _ in range(per_case):
        for case in cases:
            starts_at = court_time(case.court, day, 8) + dt.timedelta(minutes=minute)
            rows.append(
                Hearing(
                    case=case,
                    court=case.court,
                    hearing_type=HearingType.STATUS,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=5),
                    date=day,
                    courtroom=room,
                    scheduled_by=scheduled_by,
                )
            )
            minute += 5
    return Hearing.objects.bulk_create(rows)
