"""Deadlines on cases: opened by the rules when a docket entry is recorded, set by hand
from an order, and closed as met, waived or vacated. Every write here is audited.

How a rule opens a deadline (`deadline_open_from_entry`, subscribed to every docket
entry through `cases.registry` in DocketConfig.ready(), so it runs inside the
transaction that records the entry):

* the rules of the case's court whose `event_code` is the entry's, whose case type (or
  category) is the case's or blank, and, for an entry recording a hearing, whose
  `hearing_types` include the hearing's (or are blank), each open one deadline — once
  per entry and rule, however often the handler runs (`docket_deadline_once_per_entry`);
* the trigger is the entry's date (its time for periods in hours), or for
  `hearing_start` the start of the scheduled hearing the entry records; the period is
  counted by the engine (`docket.deadlines`) under the rule's rule set, else the
  court's default rule set; a period before an event that has run out by the time
  the event is set opens nothing (nobody could meet it; the court sets a date by hand);
* the owner is an attorney of record for the responsible party (the earliest active
  appearance for an active party in that role); when the rule names no party role
  ("parties", "opposing_party", "court", "clerk") or that party has no attorney, the
  deadline has no owner, and the clerk's office sees it among its unassigned ones. We
  do not guess: a deadline alerting the wrong attorney is worse than one the clerk's
  office holds.

An entry also closes what it settles:

* a later entry with one of a rule's `meets_event_codes` meets the earliest-due open
  deadline of that rule on the case (one answer meets one "Answer due"; with several
  defendants served, each answer meets the next one). Rules without such codes are
  marked met by the clerk (`deadline_mark_met`);
* a hearing reset, continued, vacated or cancelled vacates the open deadlines counted
  from its old start (pretrial motions due before a trial that moved); the new setting
  opens them again from the new start.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court, User
from cases.models import Appearance, Case, DocketEntry, PartyRole
from cases.policies import require_record_keeper
from cases.services import case_row_lock

from .models import (
    Deadline,
    DeadlineDirection,
    DeadlineRule,
    DeadlineRuleSet,
    DeadlineStatus,
    DeadlineTrigger,
    Hearing,
    HearingStatus,
)

if TYPE_CHECKING:
    from .deadlines import DeadlineResult

logger = logging.getLogger(__name__)

HEARING_OBJECT_TYPE = "docket.hearing"  # DocketEntry.object_type of an entry recording a hearing
SERVICE_METHODS = ("", "personal", "electronic", "mail", "clerk", "consent")
# Deadlines that still call for the act (the monitor turns an open one missed).
ACTIVE_STATUSES = (DeadlineStatus.OPEN, DeadlineStatus.MISSED)
# Responsible roles that are not a party role: nobody in particular is alerted.
NON_PARTY_ROLES = ("parties", "opposing_party", "court", "clerk")
NAME_MAX = 200
REASON_MAX = 2000

# --- the court's configuration: the default rule set and rules -------------------------------

# FRCP 6(a) / Fed. R. Crim. P. 45(a); 6(d) adds 3 days for mail, leaving with the clerk
# and consented means. A copy is frozen in migration 0007 for the courts existing then.
DEFAULT_RULE_SET = {
    "code": "frcp",
    "name": "Federal rules: FRCP 6(a), Fed. R. Crim. P. 45(a)",
    "count_court_days_only": False,
    "roll_weekends": True,
    "roll_federal_holidays": True,
    "state_holidays": "forward",
    "roll_court_closures": True,
    "mail_extra_days": 3,
    "mail_extra_methods": ["mail", "clerk", "consent"],
    "roll_citation": "FRCP 6(a)(1)(C)",
    "mail_citation": "FRCP 6(d)",
    "is_default": True,
}

# One dict per rule; (event_code, name, case_category) is its natural key.
DEFAULT_DEADLINE_RULES: list[dict] = [
    {
        "event_code": "SRVC",
        "case_category": "civil",
        "name": "Answer due",
        "period_days": 21,
        "direction": "after",
        "trigger": "entry_date",
        "responsible_role": "defendant",
        "is_statutory": False,
        "citation": "FRCP 12(a)(1)(A)(i)",
        "meets_event_codes": ["ANSW"],
    },
    {
        "event_code": "MOTN",
        "case_category": "",
        "name": "Response to motion due",
        "period_days": 14,
        "direction": "after",
        "trigger": "entry_date",
        "responsible_role": "opposing_party",
        "is_statutory": False,
        "citation": "Local rule (typical: 14 days after the motion is filed)",
        "meets_event_codes": ["RESP"],
    },
    {
        "event_code": "HRGS",
        "case_category": "",
        "hearing_types": ["trial"],
        "name": "Pretrial motions due",
        "period_days": 14,
        "direction": "before",
        "trigger": "hearing_start",
        "responsible_role": "parties",
        "is_statutory": False,
        "citation": "Local rule (typical: 14 days before trial); Fed. R. Crim. P. 12(c)",
    },
    {
        "event_code": "JDGM",
        "case_category": "civil",
        "name": "Notice of appeal due",
        "period_days": 30,
        "direction": "after",
        "trigger": "entry_date",
        "responsible_role": "parties",
        "is_statutory": True,
        "citation": "FRAP 4(a)(1)(A); 28 U.S.C. 2107(a)",
    },
    {
        "event_code": "JDGM",
        "case_category": "criminal",
        "name": "Notice of appeal due (defendant)",
        "period_days": 14,
        "direction": "after",
        "trigger": "entry_date",
        "responsible_role": "defendant",
        "is_statutory": False,
        "citation": "FRAP 4(b)(1)(A)",
    },
    {
        "event_code": "JDGM",
        "case_category": "traffic",
        "name": "Notice of appeal due (defendant)",
        "period_days": 14,
        "direction": "after",
        "trigger": "entry_date",
        "responsible_role": "defendant",
        "is_statutory": False,
        "citation": "FRAP 4(b)(1)(A)",
    },
]


def deadline_rules_install_defaults(*, court: Court) -> int:
    """Give `court` the default rule set ("frcp", its default unless it has one) and every
    default deadline rule it lacks. Returns how many rules were added.

    Configuration, like the default event codes: no audit record. Idempotent.
    """
    values = dict(DEFAULT_RULE_SET)
    if DeadlineRuleSet.objects.filter(court=court, is_default=True).exists():
        values["is_default"] = False
    DeadlineRuleSet.objects.get_or_create(court=court, code=values.pop("code"), defaults=values)
    have = set(
        DeadlineRule.objects.filter(court=court).values_list("event_code", "name", "case_category")
    )
    missing = [
        DeadlineRule(court=court, **rule)
        for rule in DEFAULT_DEADLINE_RULES
        if (rule["event_code"], rule["name"], rule["case_category"]) not in have
    ]
    DeadlineRule.objects.bulk_create(missing)
    return len(missing)


def _court_default_deadline_rules(sender, instance: Court, created: bool, raw=False, **kwargs):
    if created and not raw:
        deadline_rules_install_defaults(court=instance)


def connect_deadline_rule_signals() -> None:
    """Call from DocketConfig.ready(): every new court gets the default rule set and rules."""
    from django.db.models.signals import post_save

    post_save.connect(
        _court_default_deadline_rules,
        sender=Court,
        dispatch_uid="docket.court_default_deadline_rules",
    )


# --- computing ------------------------------------------------------------------------------


def rule_set_for(court: Court, rule_set: DeadlineRuleSet | None = None) -> DeadlineRuleSet | None:
    """The rule set to count with: the one given, else the court's default, else the
    default shared by every court (court blank); None when there is none (the engine's
    federal default applies)."""
    if rule_set is not None:
        return rule_set
    return (
        DeadlineRuleSet.objects.filter(Q(court=court) | Q(court__isnull=True), is_default=True)
        .order_by("court_id")  # the court's own before the shared one (NULLS LAST)
        .first()
    )


def deadline_compute(
    *,
    court: Court,
    rule_set: DeadlineRuleSet | None,
    trigger: dt.date | dt.datetime,
    days: int | None = None,
    hours: int | None = None,
    direction: str = DeadlineDirection.AFTER,
    service: str = "",
) -> DeadlineResult:
    """Count a period with the engine (`docket.deadlines`) under `rule_set` (else FRCP 6)
    on `court`'s calendar (its legal holidays and declared closures).

    Returns:
        The engine's DeadlineResult: `due` (a date, or an aware datetime on the court's
        clock for hours), `steps` (words) and `citations`.

    Raises:
        DomainError: what the engine refuses (its code, on its field; 422).
    """
    from .deadline_calendar import engine_for
    from .deadlines import DeadlineInputError, compute_days, compute_hours

    rules, calendar = engine_for(court=court, rule_set=rule_set)
    try:
        if hours is not None:
            return compute_hours(
                trigger=trigger,
                hours=hours,
                direction=direction,
                service=service or "personal",
                rules=rules,
                calendar=calendar,
                tz=court.tzinfo,
            )
        return compute_days(
            trigger=trigger,
            days=days,
            direction=direction,
            service=service or "personal",
            rules=rules,
            calendar=calendar,
        )
    except DeadlineInputError as exc:
        raise DomainError(exc.code, exc.message, field=exc.field) from exc


def _due_fields(court: Court, result: DeadlineResult) -> dict:
    due = result.due
    if isinstance(due, dt.datetime):
        return {"due_on": timezone.localtime(due, court.tzinfo).date(), "due_at": due}
    return {"due_on": due, "due_at": None}


def _steps(*lead: str, result: DeadlineResult | None = None) -> list[str]:
    return [*lead, *(list(result.steps) if result is not None else [])]


# --- owners ---------------------------------------------------------------------------------


def responsible_attorney_id(case: Case, responsible_role: str) -> int | None:
    """The attorney to alert for a deadline on `case` that `responsible_role` must meet:
    the earliest active appearance for an active party in that role; None when the role
    is not a party role or nobody appears for that party (see the module docstring)."""
    if responsible_role not in PartyRole.values:
        return None
    return (
        Appearance.objects.filter(
            case=case,
            withdrawn_on__isnull=True,
            party__role=responsible_role,
            party__removed_on__isnull=True,
        )
        .order_by("entered_on", "id")
        .values_list("attorney_id", flat=True)
        .first()
    )


# --- the registry subscriber ----------------------------------------------------------------


def _rules_touching(entry: DocketEntry) -> list[DeadlineRule]:
    """The court's active rules that an entry with this code opens or meets (one query)."""
    code = entry.event_code
    return list(
        DeadlineRule.objects.filter(court_id=entry.case.court_id, is_active=True)
        .filter(Q(event_code=code) | Q(meets_event_codes__contains=[code]))
        .select_related("rule_set")
        .order_by("id")
    )


def _recorded_hearing(entry: DocketEntry) -> Hearing | None:
    if entry.object_type != HEARING_OBJECT_TYPE or not entry.object_id.isdigit():
        return None
    return Hearing.objects.filter(pk=int(entry.object_id)).first()


def deadlines_on_docket_entry(entry: DocketEntry) -> None:
    """`cases.registry` handler for every entry: open, meet and vacate what it touches.

    Costs one query for an entry no rule cares about (most of them) plus two for an
    entry recording a hearing. Runs in the entry's transaction: a refusal here rolls
    back the entry too.
    """
    rules = _rules_touching(entry)
    hearing = _recorded_hearing(entry) if entry.object_type == HEARING_OBJECT_TYPE else None
    opening = [r for r in rules if r.event_code == entry.event_code]
    meeting = [r for r in rules if entry.event_code in r.meets_event_codes]
    if meeting:
        deadline_meet_from_entry(entry=entry, rules=meeting)
    opened = (
        deadline_open_from_entry(entry=entry, rules=opening, hearing=hearing) if opening else []
    )
    if hearing is not None:
        _vacate_moved_hearing_deadlines(entry=entry, hearing=hearing, opened=opened)


def _rule_applies(rule: DeadlineRule, case: Case, hearing: Hearing | None) -> bool:
    if rule.case_type_id is not None and rule.case_type_id != case.case_type_id:
        return False
    if rule.case_category and rule.case_category != case.case_type.category:
        return False
    if rule.hearing_types and (hearing is None or hearing.hearing_type not in rule.hearing_types):
        return False
    if rule.trigger == DeadlineTrigger.HEARING_START:
        # Counted from a hearing that is on: an entry that records no hearing, or one
        # vacated or cancelled (a court without HRGV records that as HRGS), opens nothing.
        return hearing is not None and hearing.status == HearingStatus.SCHEDULED
    return True


@transaction.atomic(savepoint=False)  # inside the entry's transaction: no savepoint per entry
def deadline_open_from_entry(
    *,
    entry: DocketEntry,
    rules: list[DeadlineRule] | None = None,
    hearing: Hearing | None = None,
) -> list[Deadline]:
    """Open the deadlines the court's rules attach to a docket entry, once per rule.

    Args:
        entry: the docket entry just recorded (its case loaded).
        rules: the court's active rules for the entry's event code (default: looked up).
        hearing: the hearing the entry records (default: looked up when it records one).

    Returns:
        The deadlines opened by this call (none when the rules had opened them already).

    Raises:
        Nothing of its own; a database error rolls back the entry with it.
    """
    case = entry.case
    if rules is None:
        rules = [r for r in _rules_touching(entry) if r.event_code == entry.event_code]
    if hearing is None:
        hearing = _recorded_hearing(entry)
    rules = [r for r in rules if _rule_applies(r, case, hearing)]
    if not rules:
        return []
    done = set(
        Deadline.objects.filter(trigger_entry=entry, rule__in=rules).values_list(
            "rule_id", flat=True
        )
    )
    rules = [r for r in rules if r.pk not in done]
    if not rules:
        return []
    court = case.court
    default_set: list[DeadlineRuleSet | None] = []
    owners: dict[str, int | None] = {}
    made = []
    for rule in rules:
        if rule.rule_set is None and not default_set:
            default_set.append(rule_set_for(court))
        rule_set = rule.rule_set or default_set[0]
        trigger, trigger_words = _trigger_of(rule, entry, hearing, court)
        try:
            result = deadline_compute(
                court=court,
                rule_set=rule_set,
                trigger=trigger,
                days=rule.period_days,
                hours=rule.period_hours,
                direction=rule.direction,
            )
        except DomainError as exc:
            # A rule the engine cannot count (a period of 0 days set in admin, a calendar
            # closed for a year) must not stop the clerk recording the entry: the act is
            # kept, the rule's failure is logged for the court's administrator.
            logger.error(
                "Deadline rule %s (%s) not counted for docket entry %s: %s %s",
                rule.pk,
                rule.name,
                entry.pk,
                exc.code,
                exc.message,
            )
            continue
        due = _due_fields(court, result)
        if rule.direction == DeadlineDirection.BEFORE and due["due_on"] < entry.entry_date:
            # A period before an event that has run out by the time the event is set
            # (a trial set 10 days out, motions due 14 days before it): nobody can meet
            # it, so it opens nothing; the court sets its own date by hand.
            logger.debug("rule %s: due %s before entry %s", rule.pk, due["due_on"], entry.pk)
            continue
        if rule.responsible_role not in owners:
            owners[rule.responsible_role] = responsible_attorney_id(case, rule.responsible_role)
        made.append(
            Deadline(
                case=case,
                court=court,
                rule=rule,
                name=rule.name,
                trigger_entry=entry,
                trigger_on=trigger if not isinstance(trigger, dt.datetime) else entry.entry_date,
                **due,
                steps=_steps(trigger_words, result=result),
                responsible_role=rule.responsible_role,
                owner_id=owners[rule.responsible_role],
                is_statutory=rule.is_statutory,
                created_by=entry.recorded_by,
            )
        )
    Deadline.objects.bulk_create(made)
    for deadline in made:
        audit_record(
            action="deadline.open",
            actor=entry.recorded_by,
            obj=deadline,
            case=case,
            details={
                "rule": deadline.rule_id,
                "entry": entry.seq,
                "due_on": deadline.due_on.isoformat(),
                "owner": deadline.owner_id,
            },
        )
    return made


def _trigger_of(
    rule: DeadlineRule, entry: DocketEntry, hearing: Hearing | None, court: Court
) -> tuple[dt.date | dt.datetime, str]:
    """What a rule counts from, and the step that says so."""
    by_hours = rule.period_hours is not None
    if rule.trigger == DeadlineTrigger.HEARING_START:
        starts = timezone.localtime(hearing.starts_at, court.tzinfo)
        words = (
            f"{hearing.get_hearing_type_display()} set to start {starts:%a %Y-%m-%d %H:%M} "
            f"(docket entry #{entry.seq})."
        )
        return (starts if by_hours else starts.date()), words
    if by_hours:
        at = timezone.localtime(entry.entered_at, court.tzinfo)
        return at, f"Docket entry #{entry.seq} ({entry.event_code}) at {at:%a %Y-%m-%d %H:%M}."
    return (
        entry.entry_date,
        f"Docket entry #{entry.seq} ({entry.event_code}) on {entry.entry_date:%a %Y-%m-%d}.",
    )


@transaction.atomic(savepoint=False)
def deadline_meet_from_entry(*, entry: DocketEntry, rules: list[DeadlineRule]) -> list[Deadline]:
    """Meet, for each rule naming the entry's code in `meets_event_codes`, the earliest-due
    open deadline of that rule on the case opened before the entry.

    Returns:
        The deadlines met.
    """
    # FOR UPDATE takes no DISTINCT ON: lock the (few) open ones, keep the first per rule.
    first: dict[int, Deadline] = {}
    for deadline in (
        Deadline.objects.select_for_update()
        .filter(
            case_id=entry.case_id,
            rule__in=rules,
            status=DeadlineStatus.OPEN,
            trigger_entry__seq__lt=entry.seq,
        )
        .order_by("due_on", "id")
    ):
        first.setdefault(deadline.rule_id, deadline)
    candidates = sorted(first.values(), key=lambda d: d.pk)
    for deadline in candidates:
        deadline.case = entry.case
        _close(
            deadline,
            status=DeadlineStatus.MET,
            on=entry.entry_date,
            reason="",
            met_by=entry,
            by=entry.recorded_by,
            action="deadline.met",
        )
    return candidates


def _vacate_moved_hearing_deadlines(
    *, entry: DocketEntry, hearing: Hearing, opened: list[Deadline]
) -> None:
    """Vacate the open deadlines counted from a hearing's start that no longer holds: the
    hearing was reset (the same rule just opened again from this entry), continued (this
    entry sets the next hearing of its chain) or vacated or cancelled."""
    hearing_ids = [str(hearing.pk)]
    if hearing.continued_from_id:
        hearing_ids.append(str(hearing.continued_from_id))
    stale = list(
        Deadline.objects.select_for_update(of=("self",))
        .filter(
            case_id=entry.case_id,
            status__in=ACTIVE_STATUSES,
            rule__trigger=DeadlineTrigger.HEARING_START,
            trigger_entry__object_type=HEARING_OBJECT_TYPE,
            trigger_entry__object_id__in=hearing_ids,
        )
        .exclude(trigger_entry=entry)
        .select_related("trigger_entry")
        .order_by("id")
    )
    reopened = {d.rule_id for d in opened}
    gone = hearing.status in (HearingStatus.VACATED, HearingStatus.CANCELLED)
    for deadline in stale:
        of_old_link = deadline.trigger_entry.object_id != str(hearing.pk)
        if not (gone or of_old_link or deadline.rule_id in reopened):
            continue
        deadline.case = entry.case
        if gone:
            reason = f"The hearing it was counted from was {hearing.get_status_display().lower()}"
        else:
            reason = "The hearing it was counted from was reset"
        _close(
            deadline,
            status=DeadlineStatus.VACATED,
            on=entry.entry_date,
            reason=f"{reason} (docket entry #{entry.seq}).",
            met_by=None,
            by=entry.recorded_by,
            action="deadline.vacate",
        )


# --- by hand --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandDeadline:
    """A deadline an order sets: a due date, or a period counted from a trigger date."""

    name: str
    reason: str
    due_on: dt.date | None = None
    trigger_on: dt.date | None = None
    days: int | None = None
    direction: str = DeadlineDirection.AFTER
    service: str = ""
    responsible_role: str = ""
    owner: User | None = None
    order_entry: DocketEntry | None = None
    is_statutory: bool = False


def _require_keeper(user: User, case: Case) -> None:
    require_record_keeper(user, case, what="keeps the case's deadlines")


def _lock_case(case_id: int) -> None:
    # One lock order, as the register and the hearing services: the case, then its rows.
    case_row_lock(case_id=case_id)


def _clean_reason(reason: str, *, field: str = "reason", what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", f"Say why {what}.", field=field)
    if len(reason) > REASON_MAX:
        raise DomainError(
            "REASON_TOO_LONG", f"Keep the reason under {REASON_MAX} characters.", field=field
        )
    return reason


def _check_owner(case: Case, owner: User | None) -> None:
    """An owner is alerted about the case: an attorney of record on it, or staff of its court."""
    if owner is None:
        return
    from cases.querysets import user_court_ids

    of_record = Appearance.objects.filter(
        case=case, attorney=owner, withdrawn_on__isnull=True
    ).exists()
    staff = owner.is_court_staff and case.court_id in user_court_ids(owner)
    if not owner.is_active or not (of_record or staff):
        raise DomainError(
            "OWNER_NOT_ON_CASE",
            "Choose an attorney of record on the case or a member of the court's staff.",
            field="owner",
        )


@transaction.atomic
def deadline_set_by_hand(*, case: Case, data: HandDeadline, set_by: User) -> Deadline:
    """Set a deadline on a case by hand (as an order sets it).

    Either `due_on` is given, or a period of `days` counted `direction` `trigger_on`
    (default: the date of `order_entry`) under the court's default rule set, with
    `service` adding its days (FRCP 6(d)).

    Args:
        case: the case (visible to `set_by`).
        data: the deadline: name, reason, the date or the period, who must act
            (`responsible_role`, `owner`), the order's docket entry.
        set_by: a record keeper of the case's court.

    Returns:
        The open deadline, with its steps.

    Raises:
        Http404: the case is not visible to `set_by`.
        DomainError: NOT_A_RECORD_KEEPER (403); DEADLINE_NAME_REQUIRED, REASON_REQUIRED,
            DEADLINE_DUE_OR_PERIOD, DEADLINE_TRIGGER_REQUIRED, DEADLINE_PERIOD_INVALID,
            DEADLINE_DIRECTION_UNKNOWN, SERVICE_METHOD_UNKNOWN, ENTRY_OF_OTHER_CASE,
            OWNER_NOT_ON_CASE (422).
    """
    _require_keeper(set_by, case)
    _lock_case(case.pk)
    name = (data.name or "").strip()
    if not name:
        raise DomainError("DEADLINE_NAME_REQUIRED", "Name the deadline.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError("DEADLINE_NAME_TOO_LONG", "Keep the name short.", field="name")
    reason = _clean_reason(data.reason, what="the deadline is set (cite the order)")
    if data.order_entry is not None and data.order_entry.case_id != case.pk:
        raise DomainError(
            "ENTRY_OF_OTHER_CASE", "The order must be an entry of this case.", field="order_entry"
        )
    _check_owner(case, data.owner)
    if data.service not in SERVICE_METHODS:
        raise DomainError(
            "SERVICE_METHOD_UNKNOWN",
            "Choose personal, electronic, mail, clerk or consent.",
            field="service",
        )
    court = case.court
    by_period = data.days is not None
    if by_period == (data.due_on is not None):
        raise DomainError(
            "DEADLINE_DUE_OR_PERIOD",
            "Give either the due date or a period in days from a trigger date.",
            field="due_on",
        )
    lead = f"Set by hand by {set_by.get_full_name() or set_by.get_username()}: {reason}"
    if by_period:
        if data.days < 0 or data.days > 3660:
            raise DomainError(
                "DEADLINE_PERIOD_INVALID", "Give a period of 0 to 3660 days.", field="days"
            )
        if data.direction not in DeadlineDirection.values:
            raise DomainError(
                "DEADLINE_DIRECTION_UNKNOWN", "Choose after or before.", field="direction"
            )
        trigger_on = data.trigger_on or (data.order_entry.entry_date if data.order_entry else None)
        if trigger_on is None:
            raise DomainError(
                "DEADLINE_TRIGGER_REQUIRED",
                "Give the date the period runs from.",
                field="trigger_on",
            )
        result = deadline_compute(
            court=court,
            rule_set=rule_set_for(court),
            trigger=trigger_on,
            days=data.days,
            direction=data.direction,
            service=data.service,
        )
        due = _due_fields(court, result)
        steps = _steps(lead, result=result)
    else:
        trigger_on = data.trigger_on or (data.order_entry.entry_date if data.order_entry else None)
        due = {"due_on": data.due_on, "due_at": None}
        steps = _steps(lead, f"Due {data.due_on:%a %Y-%m-%d}, as ordered.")
    deadline = Deadline.objects.create(
        case=case,
        court=court,
        rule=None,
        name=name,
        trigger_entry=data.order_entry,
        trigger_on=trigger_on,
        **due,
        service_method=data.service,
        steps=steps,
        responsible_role=(data.responsible_role or "").strip()[:20],
        owner=data.owner,
        is_statutory=data.is_statutory,
        status_reason="",
        created_by=set_by,
    )
    audit_record(
        action="deadline.set",
        actor=set_by,
        obj=deadline,
        case=case,
        details={
            "name": name,
            "due_on": deadline.due_on.isoformat(),
            "reason": reason,
            "owner": deadline.owner_id,
            "order_entry": data.order_entry.seq if data.order_entry else None,
        },
    )
    return deadline


# --- closing --------------------------------------------------------------------------------


def _close(
    deadline: Deadline,
    *,
    status: str,
    on: dt.date,
    reason: str,
    met_by: DocketEntry | None,
    by: User,
    action: str,
) -> Deadline:
    before = deadline.status
    deadline.status = status
    deadline.status_date = on
    deadline.status_reason = reason
    deadline.met_by = met_by
    deadline.save(update_fields=["status", "status_date", "status_reason", "met_by"])
    audit_record(
        action=action,
        actor=by,
        obj=deadline,
        case=deadline.case,
        details={
            "from": before,
            "to": status,
            "on": on.isoformat(),
            "reason": reason,
            "met_by": met_by.seq if met_by else None,
            "due_on": deadline.due_on.isoformat(),
            "late": on > deadline.due_on,
        },
    )
    return deadline


def _lock_deadline(deadline: Deadline, by: User) -> Deadline:
    _require_keeper(by, deadline.case)
    _lock_case(deadline.case_id)
    locked = (
        Deadline.objects.select_for_update(of=("self",))
        .select_related("case__court")
        .get(pk=deadline.pk)
    )
    if locked.status not in ACTIVE_STATUSES:
        raise DomainError(
            "DEADLINE_CLOSED",
            f"The deadline is {locked.get_status_display().lower()} already.",
            status=409,
        )
    return locked


@transaction.atomic
def deadline_mark_met(
    *,
    deadline: Deadline,
    by: User,
    met_by: DocketEntry | None = None,
    reason: str = "",
) -> Deadline:
    """Record that a deadline was met: by a docket entry of the case (the answer filed), or
    for a reason in words when no entry shows it.

    A missed deadline may be marked met too (the act came late, with leave); the audit
    record says it was late.

    Returns:
        The deadline, met (status date: the entry's date, else today).

    Raises:
        Http404: the case is not visible to `by`.
        DomainError: NOT_A_RECORD_KEEPER (403); DEADLINE_CLOSED (409);
            DEADLINE_MET_HOW (say by which entry or why), ENTRY_OF_OTHER_CASE (422).
    """
    deadline = _lock_deadline(deadline, by)
    reason = (reason or "").strip()[:REASON_MAX]
    if met_by is None and not reason:
        raise DomainError(
            "DEADLINE_MET_HOW", "Give the docket entry that meets it, or say how.", field="met_by"
        )
    if met_by is not None and met_by.case_id != deadline.case_id:
        raise DomainError(
            "ENTRY_OF_OTHER_CASE", "The entry must be of the same case.", field="met_by"
        )
    on = met_by.entry_date if met_by else deadline.case.court.local_today()
    return _close(
        deadline,
        status=DeadlineStatus.MET,
        on=on,
        reason=reason,
        met_by=met_by,
        by=by,
        action="deadline.met",
    )


@transaction.atomic
def deadline_waive(*, deadline: Deadline, by: User, reason: str) -> Deadline:
    """Waive a deadline (the court excused the act), with the reason.

    Raises:
        Http404, DomainError: NOT_A_RECORD_KEEPER (403), DEADLINE_CLOSED (409),
            REASON_REQUIRED (422).
    """
    deadline = _lock_deadline(deadline, by)
    reason = _clean_reason(reason, what="the deadline is waived")
    return _close(
        deadline,
        status=DeadlineStatus.WAIVED,
        on=deadline.case.court.local_today(),
        reason=reason,
        met_by=None,
        by=by,
        action="deadline.waive",
    )


@transaction.atomic
def deadline_vacate(*, deadline: Deadline, by: User, reason: str) -> Deadline:
    """Vacate a deadline (it no longer applies: set aside by order, opened in error), with
    the reason.

    Raises:
        Http404, DomainError: NOT_A_RECORD_KEEPER (403), DEADLINE_CLOSED (409),
            REASON_REQUIRED (422).
    """
    deadline = _lock_deadline(deadline, by)
    reason = _clean_reason(reason, what="the deadline is vacated")
    return _close(
        deadline,
        status=DeadlineStatus.VACATED,
        on=deadline.case.court.local_today(),
        reason=reason,
        met_by=None,
        by=by,
        action="deadline.vacate",
    )
