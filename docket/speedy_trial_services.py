"""Writes to the speedy-trial clock: the dates it runs from, and the excludable periods.

The clerk's office keeps the record (cases.policies.can_keep_record); criminal cases
only. Each service locks the case row first (the lock order of docket.services), writes
an audit record, and refuses with a coded DomainError:

* NOT_A_RECORD_KEEPER (403), SPEEDY_TRIAL_NOT_CRIMINAL (422);
* DATE_IN_FUTURE, TRIAL_BEFORE_CLOCK (422) for the clock's dates;
* EXCLUDABLE_KIND_UNKNOWN, EXCLUDABLE_ENDS_BEFORE_START, EXCLUDABLE_REASONS_REQUIRED,
  REASON_TOO_LONG, DOCKET_ENTRY_OTHER_CASE (422) and EXCLUDABLE_ALREADY_ENDED (409) for
  the periods.

The reads are in docket.speedy_trial_selectors; the nightly monitor's
`speedy_trial_at_risk` is importable from here too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import User
from cases.models import Case, DocketEntry, court_local_date
from cases.policies import require_record_keeper
from cases.services import case_row_lock

from .models import ExcludableKind, ExcludablePeriod, SpeedyTrialClock
from .speedy_trial_selectors import (  # noqa: F401  (the monitor imports them from here)
    SpeedyTrialRisk,
    speedy_trial_applies,
    speedy_trial_at_risk,
    speedy_trial_get,
)

REASON_MAX_LENGTH = 4000

CLOCK_DATE_FIELDS = (
    "arrest_or_summons_on",
    "indictment_on",
    "first_appearance_on",
    "counsel_appearance_on",
    "trial_started_on",
)
CLOCK_FIELD_WORDS = {
    "arrest_or_summons_on": "The arrest or summons",
    "indictment_on": "The indictment",
    "first_appearance_on": "The first appearance",
    "counsel_appearance_on": "The first appearance through counsel",
    "trial_started_on": "The start of trial",
}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _require_keeper(user: User, case: Case) -> None:
    require_record_keeper(user, case, what="records the speedy-trial clock")


def _require_criminal(case: Case) -> None:
    if not speedy_trial_applies(case):
        raise DomainError(
            "SPEEDY_TRIAL_NOT_CRIMINAL",
            "The speedy-trial clock applies to criminal cases only.",
        )


def _lock_case(case: Case) -> None:
    # The lock order of docket.services: the case first, then its rows.
    case_row_lock(case_id=case.pk)


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def speedy_trial_clock_set(
    *,
    case: Case,
    by: User,
    arrest_or_summons_on: dt.date | None = UNSET,
    indictment_on: dt.date | None = UNSET,
    first_appearance_on: dt.date | None = UNSET,
    counsel_appearance_on: dt.date | None = UNSET,
    trial_started_on: dt.date | None = UNSET,
    earlier_trial_consented: bool = UNSET,
) -> SpeedyTrialClock:
    """Record the dates a criminal case's speedy-trial clock runs from.

    Only the fields given change (None clears a date recorded in error); the clock row
    is made on first use. Audited with each change as [before, after].

    Args:
        case: the criminal case.
        by: the clerk recording it.
        arrest_or_summons_on: 3161(b) starts the day after it.
        indictment_on, first_appearance_on: 3161(c)(1) starts the day after the later.
        counsel_appearance_on: the first appearance through counsel (3161(c)(2)).
        trial_started_on: the clock stops on it.
        earlier_trial_consented: the defendant consented in writing to a trial sooner
            than 30 days after counsel appeared (3161(c)(2)).

    Returns:
        The clock.

    Raises:
        Http404: the case is not visible to `by`.
        DomainError: NOT_A_RECORD_KEEPER (403), SPEEDY_TRIAL_NOT_CRIMINAL,
            DATE_IN_FUTURE (a date after today at the court), TRIAL_BEFORE_CLOCK (the
            trial began before the indictment or the first appearance) (422).
    """
    _require_keeper(by, case)
    _require_criminal(case)
    _lock_case(case)
    clock, _ = SpeedyTrialClock.objects.select_for_update().get_or_create(case=case)
    given = {
        "arrest_or_summons_on": arrest_or_summons_on,
        "indictment_on": indictment_on,
        "first_appearance_on": first_appearance_on,
        "counsel_appearance_on": counsel_appearance_on,
        "trial_started_on": trial_started_on,
        "earlier_trial_consented": earlier_trial_consented,
    }
    given = {name: value for name, value in given.items() if value is not UNSET}
    today = court_local_date(case.court)
    for name, value in given.items():
        if name in CLOCK_DATE_FIELDS and value is not None and value > today:
            raise DomainError(
                "DATE_IN_FUTURE",
                f"{CLOCK_FIELD_WORDS[name]} cannot be after today ({today.isoformat()}): "
                "record it on the day.",
                field=name,
            )
    changes = {}
    for name, value in given.items():
        if name == "earlier_trial_consented":
            value = bool(value)
        before = getattr(clock, name)
        if before != value:
            changes[name] = [_iso(before), _iso(value)]
            setattr(clock, name, value)
    began = clock.trial_started_on
    later = max(
        (d for d in (clock.indictment_on, clock.first_appearance_on) if d is not None),
        default=None,
    )
    if began is not None and later is not None and began < later:
        raise DomainError(
            "TRIAL_BEFORE_CLOCK",
            f"The trial cannot begin ({began.isoformat()}) before the indictment and the "
            f"first appearance ({later.isoformat()}).",
            field="trial_started_on",
        )
    if not changes:
        return clock
    clock.updated_at = timezone.now()
    clock.save()
    audit_record(
        action="speedy_trial.clock_set",
        actor=by,
        obj=clock,
        case=case,
        details={"changes": changes},
    )
    return clock


def _clean_reason(reason: str, kind: str) -> str:
    reason = (reason or "").strip()
    if kind == ExcludableKind.ENDS_OF_JUSTICE and not reason:
        raise DomainError(
            "EXCLUDABLE_REASONS_REQUIRED",
            "An ends-of-justice continuance excludes time only if the court sets forth its "
            "reasons in the record (18 U.S.C. 3161(h)(7)(A)). Give the court's reasons.",
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            "REASON_TOO_LONG", f"Keep it under {REASON_MAX_LENGTH} characters.", field="reason"
        )
    return reason


def _refuse_end_before_start(starts_on: dt.date, ends_on: dt.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(
            "EXCLUDABLE_ENDS_BEFORE_START",
            f"The period cannot end ({ends_on.isoformat()}) before it starts "
            f"({starts_on.isoformat()}).",
            field="ends_on",
        )


def _period_facts(period: ExcludablePeriod) -> dict:
    return {
        "kind": period.kind,
        "starts_on": _iso(period.starts_on),
        "ends_on": _iso(period.ends_on),
        "reason": period.reason,
        "docket_entry": period.docket_entry.seq if period.docket_entry_id else None,
    }


@transaction.atomic
def excludable_period_add(
    *,
    case: Case,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    reason: str = "",
    docket_entry: DocketEntry | None = None,
    by: User,
) -> ExcludablePeriod:
    """Record time excluded from the speedy-trial clock (18 U.S.C. 3161(h)).

    Dates are inclusive; `ends_on` None while the period lasts (a motion not yet
    decided). A period may overlap others: the clock counts each day once.

    Args:
        case: the criminal case.
        kind: an ExcludableKind value.
        starts_on, ends_on: the first and last days excluded.
        reason: the court's reasons; required for an ends-of-justice continuance.
        docket_entry: the entry of the case that records it (the motion, the order).
        by: the clerk recording it.

    Returns:
        The period.

    Raises:
        Http404: the case is not visible to `by`.
        DomainError: NOT_A_RECORD_KEEPER (403), SPEEDY_TRIAL_NOT_CRIMINAL,
            EXCLUDABLE_KIND_UNKNOWN, EXCLUDABLE_ENDS_BEFORE_START,
            EXCLUDABLE_REASONS_REQUIRED, REASON_TOO_LONG, DOCKET_ENTRY_OTHER_CASE (422).
    """
    _require_keeper(by, case)
    _require_criminal(case)
    if kind not in ExcludableKind.values:
        raise DomainError(
            "EXCLUDABLE_KIND_UNKNOWN", "Choose a kind of excludable delay.", field="kind"
        )
    _refuse_end_before_start(starts_on, ends_on)
    reason = _clean_reason(reason, kind)
    if docket_entry is not None and docket_entry.case_id != case.pk:
        raise DomainError(
            "DOCKET_ENTRY_OTHER_CASE",
            "That docket entry is not in this case.",
            field="docket_entry",
        )
    _lock_case(case)
    period = ExcludablePeriod.objects.create(
        case=case,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        docket_entry=docket_entry,
        recorded_by=by,
    )
    audit_record(
        action="speedy_trial.period_add",
        actor=by,
        obj=period,
        case=case,
        details=_period_facts(period),
    )
    return period


@transaction.atomic
def excludable_period_end(
    *, period: ExcludablePeriod, ends_on: dt.date, by: User
) -> ExcludablePeriod:
    """Close an ongoing excludable period on its last day (the motion decided, the
    defendant found competent, ...): the clock runs again the day after.

    Args:
        period: an ongoing period.
        ends_on: its last excluded day (inclusive), on or before today at the court.
        by: the clerk recording it.

    Returns:
        The period.

    Raises:
        Http404: the case is not visible to `by`.
        DomainError: NOT_A_RECORD_KEEPER (403), EXCLUDABLE_ALREADY_ENDED (409),
            EXCLUDABLE_ENDS_BEFORE_START, DATE_IN_FUTURE, EXCLUDABLE_REASONS_REQUIRED (422).
    """
    case = period.case
    _require_keeper(by, case)
    _lock_case(case)
    period = (
        ExcludablePeriod.objects.select_for_update(of=("self",))
        .select_related("docket_entry")
        .get(pk=period.pk)
    )
    if period.ends_on is not None:
        raise DomainError(
            "EXCLUDABLE_ALREADY_ENDED",
            f"This period already ended on {period.ends_on.isoformat()}.",
            status=409,
        )
    _refuse_end_before_start(period.starts_on, ends_on)
    today = court_local_date(case.court)
    if ends_on > today:
        raise DomainError(
            "DATE_IN_FUTURE",
            f"The period cannot end after today ({today.isoformat()}): record the end on the day.",
            field="ends_on",
        )
    _clean_reason(period.reason, period.kind)
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    audit_record(
        action="speedy_trial.period_end",
        actor=by,
        obj=period,
        case=case,
        details=_period_facts(period),
    )
    return period
