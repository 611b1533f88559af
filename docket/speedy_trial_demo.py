"""Demo speedy-trial clocks (casemgmt.core.demo.register_seeder): on the demo courts'
oldest pending public criminal cases, one clock in each state the panel, the API and the
nightly digest show — plenty of time, under the alert threshold, paused by a pending
motion, overlapping excludable periods, expired, trial begun, waiting for the
indictment, and an indictment overdue. Dates are around today; made set-wise; a court
that has clocks already is left alone (a second run adds nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Case, CaseCategory, CaseStatus

from .models import ExcludableKind, ExcludablePeriod, SpeedyTrialClock, SpeedyTrialSettings

DEMO_COURT_CODES = ("sarasota", "denver")

# (name, clock dates as days from today, excludable periods as (kind, from, through|None,
# reason) in days from today)
DEMO_CLOCKS: list[tuple[str, dict, list]] = [
    ("plenty of time", {"arrest": -20, "indicted": -12, "appeared": -10, "counsel": -10}, []),
    (
        "under the alert threshold",
        {"arrest": -72, "indicted": -64, "appeared": -64, "counsel": -64},
        [(ExcludableKind.PRETRIAL_MOTION, -40, -37, "")],
    ),
    (
        "paused by a pending motion",
        {"arrest": -50, "indicted": -45, "appeared": -44, "counsel": -44},
        [(ExcludableKind.PRETRIAL_MOTION, -5, None, "")],
    ),
    (
        "overlapping periods",
        {"arrest": -58, "indicted": -50, "appeared": -50, "counsel": -50},
        [
            (ExcludableKind.PRETRIAL_MOTION, -30, -21, ""),
            (
                ExcludableKind.ENDS_OF_JUSTICE,
                -25,
                -10,
                "Complex case: voluminous discovery; the ends of justice served by the "
                "continuance outweigh the public's and the defendant's interest in a speedy "
                "trial (18 U.S.C. 3161(h)(7)(A), (B)(ii)).",
            ),
        ],
    ),
    ("expired", {"arrest": -90, "indicted": -82, "appeared": -80, "counsel": -80}, []),
    (
        "trial begun",
        {"arrest": -95, "indicted": -90, "appeared": -88, "counsel": -88, "trial": -15},
        [(ExcludableKind.COMPETENCY, -70, -55, "")],
    ),
    ("waiting for the indictment", {"arrest": -10}, []),
    ("indictment overdue", {"arrest": -35}, []),
]

FIELDS = {
    "arrest": "arrest_or_summons_on",
    "indicted": "indictment_on",
    "appeared": "first_appearance_on",
    "counsel": "counsel_appearance_on",
    "trial": "trial_started_on",
}


def seed_speedy_trial(*, log: Callable[[str], None]) -> None:
    for court in Court.objects.filter(code__in=DEMO_COURT_CODES).order_by("code"):
        SpeedyTrialSettings.objects.get_or_create(court=court)
        made = _clocks(court)
        if made:
            log(f"{made} speedy-trial clocks in {court.code}")


def _clocks(court: Court) -> int:
    if SpeedyTrialClock.objects.filter(case__court=court).exists():
        return 0
    clerk = (
        User.objects.filter(role=Role.CLERK, memberships__court=court).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if clerk is None:
        return 0
    today = court.local_today()
    case_ids = list(
        Case.objects.filter(
            court=court,
            case_type__category=CaseCategory.CRIMINAL,
            status__in=(CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.REOPENED),
            confidentiality="public",
            is_juvenile=False,
        )
        .order_by("filed_on", "pk")
        .values_list("pk", flat=True)[: len(DEMO_CLOCKS)]
    )

    def day(offset: int | None) -> dt.date | None:
        return None if offset is None else today + dt.timedelta(days=offset)

    clocks, periods = [], []
    for case_id, (_name, dates, excluded) in zip(case_ids, DEMO_CLOCKS, strict=False):
        clocks.append(
            SpeedyTrialClock(
                case_id=case_id, **{FIELDS[key]: day(offset) for key, offset in dates.items()}
            )
        )
        periods += [
            ExcludablePeriod(
                case_id=case_id,
                kind=kind,
                starts_on=day(start),
                ends_on=day(end),
                reason=reason,
                recorded_by=clerk,
            )
            for kind, start, end, reason in excluded
        ]
    SpeedyTrialClock.objects.bulk_create(clocks)
    ExcludablePeriod.objects.bulk_create(periods)
    return len(clocks)
