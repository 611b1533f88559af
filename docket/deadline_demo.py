"""Demo deadlines (casemgmt.core.demo.register_seeder): on the demo courts' cases.

Two kinds, both idempotent:

* the rules' own: the calendar seeder inserts its "Hearing set" entries set-wise, without
  the register's subscribers, so the deadlines the rules attach to them (pretrial
  motions due 14 days before each upcoming trial) are opened here through
  `deadline_open_from_entry`, once per entry and rule as always;
* deadlines set by orders, made set-wise with dates around today so that every list
  has something to show: missed, overdue, due today, tomorrow, in 7 days and later,
  most of them owned by the attorney of record (their "My deadlines" and digests),
  some unassigned (the clerk's office's). A case that has one of these names already
  is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Appearance, Case, CaseStatus, DocketEntry

from .deadline_services import HEARING_OBJECT_TYPE, deadline_open_from_entry
from .models import Deadline, DeadlineStatus, Hearing, HearingStatus, HearingType

DEMO_COURT_CODES = ("sarasota", "denver")

# (days from today, name, who must act, status, order words)
DEMO_DEADLINES = [
    (-6, "Expert witness disclosures due", "defendant", DeadlineStatus.MISSED, "Scheduling order"),
    (-2, "Discovery responses due", "defendant", DeadlineStatus.OPEN, "Order on motion to compel"),
    (0, "Mediation report due", "parties", DeadlineStatus.OPEN, "Order of referral to mediation"),
    (1, "Exhibit list due", "defendant", DeadlineStatus.OPEN, "Pretrial order"),
    (1, "Witness list due", "parties", DeadlineStatus.OPEN, "Pretrial order"),
    (7, "Proposed jury instructions due", "defendant", DeadlineStatus.OPEN, "Pretrial order"),
    (7, "Status report due", "parties", DeadlineStatus.OPEN, "Order setting status review"),
    (14, "Dispositive motions due", "defendant", DeadlineStatus.OPEN, "Scheduling order"),
    (30, "Discovery closes", "parties", DeadlineStatus.OPEN, "Scheduling order"),
    (-20, "Initial disclosures due", "defendant", DeadlineStatus.MET, "Scheduling order"),
]  # fmt: skip
DEMO_NAMES = {name for _days, name, _who, _status, _order in DEMO_DEADLINES}
DEMO_CASES_PER_COURT = 8


def seed_deadlines(*, log: Callable[[str], None]) -> None:
    for court in Court.objects.filter(code__in=DEMO_COURT_CODES).order_by("code"):
        opened = _open_trial_deadlines(court)
        made = _ordered_deadlines(court)
        if opened or made:
            log(f"{opened + made} deadlines in {court.code}")


def _open_trial_deadlines(court: Court) -> int:
    """Open what the rules attach to the calendar seeder's settings of upcoming trials."""
    today = court.local_today()
    trials = Hearing.objects.filter(
        court=court,
        hearing_type=HearingType.TRIAL,
        status=HearingStatus.SCHEDULED,
        date__gt=today,
    ).values_list("pk", flat=True)
    entries = list(
        DocketEntry.objects.filter(
            case__court=court,
            event_code="HRGS",
            object_type=HEARING_OBJECT_TYPE,
            object_id__in=[str(pk) for pk in trials],
        )
        .select_related("case__court", "case__case_type", "recorded_by")
        .order_by("pk")
    )
    opened = 0
    for entry in entries:
        opened += len(deadline_open_from_entry(entry=entry))
    return opened


def _ordered_deadlines(court: Court) -> int:
    """Deadlines set by orders, dated around today, made set-wise."""
    clerk = (
        User.objects.filter(role=Role.CLERK, memberships__court=court).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if clerk is None:
        return 0
    today = court.local_today()
    pending = (CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.REOPENED)
    done = set(
        Deadline.objects.filter(court=court, name__in=DEMO_NAMES, rule__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    # Public cases with an attorney of record first (the attorneys' lists), then two
    # without one (the clerk's office's unassigned deadlines).
    represented = list(
        Appearance.objects.filter(
            case__court=court,
            case__status__in=pending,
            case__confidentiality="public",
            case__is_juvenile=False,
            withdrawn_on__isnull=True,
        )
        .order_by("case__filed_on", "case_id", "id")
        .values_list("case_id", "attorney_id")
    )
    owners: dict[int, int] = {}
    for case_id, attorney_id in represented:
        owners.setdefault(case_id, attorney_id)
    chosen = list(owners)[: DEMO_CASES_PER_COURT - 2]
    chosen += list(
        Case.objects.filter(
            court=court, status__in=pending, confidentiality="public", is_juvenile=False
        )
        .exclude(pk__in=owners)
        .order_by("filed_on", "pk")
        .values_list("pk", flat=True)[:2]
    )
    who = clerk.get_full_name() or clerk.get_username()
    rows = []
    for n, case_id in enumerate(chosen):
        if case_id in done:
            continue
        # Each case gets a few of the dates, so that every date appears somewhere.
        for i, (days, name, role, status, order) in enumerate(DEMO_DEADLINES):
            if (i + n) % 3:
                continue
            due = today + dt.timedelta(days=days)
            set_on = min(today, due) - dt.timedelta(days=30)
            rows.append(
                Deadline(
                    case_id=case_id,
                    court=court,
                    name=name,
                    trigger_on=set_on,
                    due_on=due,
                    steps=[
                        f"Set by hand by {who}: {order} entered {set_on:%Y-%m-%d}.",
                        f"Due {due:%a %Y-%m-%d}, as ordered.",
                    ],
                    responsible_role=role,
                    owner_id=owners.get(case_id) if role != "parties" else None,
                    status=status,
                    status_date=(
                        due + dt.timedelta(days=1)
                        if status == DeadlineStatus.MISSED
                        else due - dt.timedelta(days=2)
                        if status == DeadlineStatus.MET
                        else None
                    ),
                    status_reason="Filed on time (demo)." if status == DeadlineStatus.MET else "",
                    created_by=clerk,
                )
            )
    Deadline.objects.bulk_create(rows)
    return len(rows)
