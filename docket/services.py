"""Every write to the calendar: sessions from templates, and hearings set, moved,
continued, vacated, cancelled and held.

Each service is atomic, writes an audit record, and refuses with a coded DomainError.

Conflicts, and who enforces them:

* Exclusive hearings (trial, evidentiary) never overlap in a courtroom or for a judge:
  the database's exclusion constraints decide, even between concurrent requests. The
  insert (or update) runs in a savepoint; a violation becomes a 409 naming the hearing
  in the way (HEARING_ROOM_CONFLICT / HEARING_JUDGE_CONFLICT).
* An exclusive hearing never overlaps an open session in its courtroom (nor one its
  judge presides over): checked under a lock on the courtroom row, which session
  generation takes too, so a session and a trial cannot be set into the same time at
  once.
* Stacked hearings go into a session and respect its capacity (cases and/or minutes),
  counted under a lock on the session row: SESSION_FULL (409).
* Attorneys of record and parties expected in two courtrooms at once are a warning:
  HEARING_CLASH (409) unless the clerk gives an override reason, which is kept on the
  hearing, in its history and in the audit trail.

Every change records a HearingChange, an entry in the register of actions, and
notices the parties again (filings.notices.notice_issue), on the case's side of the
layering: docket imports cases and filings, never the reverse.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_days_off
from cases.models import Case, CaseStatus, EventCode, court_local_date
from cases.policies import can_keep_record, require_record_keeper
from cases.querysets import user_court_ids
from cases.services import case_row_lock, docket_entry_record
from filings.models.notices import Notice, NoticeKind
from filings.notices import notice_issue

from .models import (
    EXCLUSIVE_TYPES,
    ContinuanceReason,
    Courtroom,
    Hearing,
    HearingChange,
    HearingChangeKind,
    HearingStatus,
    HearingType,
    Session,
    SessionStatus,
    SessionTemplate,
)
from .selectors import (
    Clash,
    SessionLoad,
    attendance_clashes,
    exclusive_clashes,
    interpreter_languages,
    judge_assigned,
    session_accepts,
    session_clash_from,
    session_find,
    session_load,
    sessions_overlapping,
)

logger = logging.getLogger(__name__)

# The register of actions: every setting of a hearing (first setting, a move, the new
# date of a continuance) is "Hearing set". Vacating, cancelling and holding a hearing
# use their own codes where the court has them, and HRGS (with words that say what
# happened) where it does not yet.
HEARING_SET_CODE = "HRGS"
CHANGE_EVENT_CODES = {
    HearingChangeKind.VACATED: "HRGV",
    HearingChangeKind.CANCELLED: "HRGV",
    HearingChangeKind.HELD: "HRGH",
}

MAX_HEARING_DURATION = dt.timedelta(days=31)
REASON_MAX_LENGTH = 2000

# Why a hearing is continued, per court (data: edited in admin). Court-neutral wording.
DEFAULT_CONTINUANCE_REASONS: list[tuple[str, str, bool]] = [
    ("defense-not-ready", "Defense not ready", False),
    ("prosecution-not-ready", "Prosecution not ready", False),
    ("plaintiff-not-ready", "Plaintiff or petitioner not ready", False),
    ("attorney-conflict", "Attorney scheduling conflict", False),
    ("new-counsel", "New counsel appointed or retained", False),
    ("discovery", "Discovery not complete", False),
    ("witness-unavailable", "Witness unavailable", False),
    ("party-not-served", "Party not served", False),
    ("defendant-not-transported", "Defendant in custody not transported", False),
    ("interpreter-unavailable", "Interpreter unavailable", False),
    ("negotiations", "Plea or settlement negotiations", False),
    ("competency", "Competency evaluation pending", False),
    ("illness", "Illness or emergency of a party or attorney", False),
    ("judge-unavailable", "Judge unavailable", False),
    ("court-calendar", "Court calendar congestion", False),
    ("court-closure", "Court closure", False),
    ("other", "Other (explained in the note)", True),
]


# --- configuration ----------------------------------------------------------------------


def continuance_reasons_install_defaults(*, court: Court) -> int:
    """Give `court` every default continuance reason it lacks. Returns how many were added.

    Configuration, like the default event codes: no audit record.
    """
    have = set(ContinuanceReason.objects.filter(court=court).values_list("code", flat=True))
    missing = [
        ContinuanceReason(court=court, code=code, label=label, requires_note=note)
        for code, label, note in DEFAULT_CONTINUANCE_REASONS
        if code not in have
    ]
    ContinuanceReason.objects.bulk_create(missing)
    return len(missing)


def _court_default_continuance_reasons(
    sender, instance: Court, created: bool, raw: bool = False, **kwargs
):
    if created and not raw:
        continuance_reasons_install_defaults(court=instance)


def connect_continuance_reason_signals() -> None:
    """Call from DocketConfig.ready(): every new court gets the default continuance reasons."""
    from django.db.models.signals import post_save

    post_save.connect(
        _court_default_continuance_reasons,
        sender=Court,
        dispatch_uid="docket.court_default_continuance_reasons",
    )


# --- sessions ---------------------------------------------------------------------------


def _local(court: Court, day: dt.date, time: dt.time) -> dt.datetime:
    # zoneinfo gives each date its own offset: 09:00 is 09:00 on both sides of a DST
    # change. (Court hours never fall in the hour a spring change skips.)
    return dt.datetime.combine(day, time, tzinfo=court.tzinfo)


def _lock_courtroom(courtroom: Courtroom) -> None:
    # FOR NO KEY UPDATE: serialises session generation and exclusive settings in the
    # room, without blocking the inserts of stacked hearings (their foreign key takes
    # FOR KEY SHARE, which this lock does not conflict with).
    Courtroom.objects.select_for_update(no_key=True).filter(pk=courtroom.pk).first()


@transaction.atomic
def session_generate(
    *, template: SessionTemplate, start: dt.date, end: dt.date, by: User | None
) -> list[Session]:
    """Create the template's sessions on its weekdays from `start` to `end` (inclusive).

    Times are court-local (the court's time zone, each date with its own UTC offset);
    the judge is the template's, else the one assigned to the courtroom that day. No
    session on a legal holiday or a declared closure, nor where an open session or an
    exclusive hearing (trial, evidentiary) already holds the courtroom. Idempotent: a
    date that has its session already is left alone (unique template + date).

    Args:
        template: the session template.
        start, end: the court-local dates to cover (clipped to the template's own range).
        by: the user asking, or None for the nightly job.

    Returns:
        The sessions created by this call (none on a second run).

    Raises:
        DomainError: NOT_A_RECORD_KEEPER (403) when `by` does not keep the court's record,
            SESSION_RANGE_INVALID when `end` is before `start`.
    """
    court = template.court
    if by is not None and not can_keep_record(by, court=court):
        raise DomainError(
            "NOT_A_RECORD_KEEPER",
            "Only the clerk's office of the court sets calendars.",
            status=403,
        )
    if end < start:
        raise DomainError("SESSION_RANGE_INVALID", "The end is before the start.", field="end")
    first = max(start, template.starts_on)
    last = min(end, template.ends_on) if template.ends_on else end
    if not template.is_active or last < first:
        return []
    _lock_courtroom(template.courtroom)
    days_off = {d.date: d for d in court_days_off(court=court, start=first, end=last)}
    existing = set(
        Session.objects.filter(template=template, date__range=(first, last)).values_list(
            "date", flat=True
        )
    )
    created: list[Session] = []
    skipped: list[dict[str, str]] = []
    day = first
    while day <= last:
        if day.isoweekday() not in template.weekdays or day in existing:
            day += dt.timedelta(days=1)
            continue
        if day in days_off:
            skipped.append({"date": day.isoformat(), "why": days_off[day].name})
            day += dt.timedelta(days=1)
            continue
        starts_at = _local(court, day, template.start_time)
        ends_at = _local(court, day, template.end_time)
        held = exclusive_clashes(
            starts_at=starts_at,
            ends_at=ends_at,
            courtroom=template.courtroom,
            judge=None,
            user=None,
        )
        if held:
            skipped.append(
                {"date": day.isoformat(), "why": "courtroom held by an exclusive hearing"}
            )
            day += dt.timedelta(days=1)
            continue
        session = Session(
            court=court,
            template=template,
            name=template.name,
            hearing_type=template.hearing_type,
            courtroom=template.courtroom,
            judge=template.judge or judge_assigned(template.courtroom, day),
            date=day,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity_cases=template.capacity_cases,
            capacity_minutes=template.capacity_minutes,
        )
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError as exc:
            name = _constraint_name(exc)
            if name == "docket_session_once_per_day":
                pass  # made meanwhile by another run: idempotent
            elif name == "docket_session_no_room_overlap":
                skipped.append({"date": day.isoformat(), "why": "another session holds the room"})
            else:
                raise
        else:
            created.append(session)
        day += dt.timedelta(days=1)
    # The nightly job audits what it made; a day it skips again every night (a holiday
    # in the window) is only worth a record when someone asked.
    if created or (skipped and by is not None):
        audit_record(
            action="session.generate",
            actor=by,
            actor_username="" if by else "system",
            obj=template,
            court=court,
            details={
                "from": first.isoformat(),
                "to": last.isoformat(),
                "created": len(created),
                "skipped": skipped[:100],
            },
        )
    return created


def sessions_generate_ahead(*, template: SessionTemplate, weeks: int) -> list[Session]:
    """The nightly job's step for one template: sessions from today to `weeks` ahead."""
    today = court_local_date(template.court)
    return session_generate(
        template=template, start=today, end=today + dt.timedelta(weeks=weeks), by=None
    )


# --- hearings: the rules shared by every setting ------------------------------------------


def _constraint_name(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def _require_record_keeper(user: User, case: Case) -> None:
    require_record_keeper(user, case, what="sets and changes hearings")


def can_set_review_hearings(user: User, case: Case) -> bool:
    """Review hearings (a diversion participant's progress before the judge) are also set
    by the court's program coordinators, who run those dockets with the judge; every other
    hearing is the clerk's office's."""
    if can_keep_record(user, case):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.PROGRAM_COORDINATOR
        and case.court_id in user_court_ids(user)
    )


def _require_scheduler(user: User, case: Case, hearing_type: str) -> None:
    if hearing_type == HearingType.REVIEW and can_set_review_hearings(user, case):
        if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
            raise Http404("No such case.")
        return
    _require_record_keeper(user, case)


def _clean_reason(text: str, *, field: str, code: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(code, f"Say why {what}.", field=field)
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            "REASON_TOO_LONG", f"Keep it under {REASON_MAX_LENGTH} characters.", field=field
        )
    return text


def _times(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, minutes: int | None
) -> tuple[dt.datetime, dt.datetime]:
    if starts_at is None:
        raise DomainError("HEARING_START_REQUIRED", "Give the date and time.", field="starts_at")
    if timezone.is_naive(starts_at) or (ends_at is not None and timezone.is_naive(ends_at)):
        raise DomainError(
            "HEARING_TIME_NAIVE", "Give times with their UTC offset.", field="starts_at"
        )
    if ends_at is None:
        if not minutes or minutes <= 0:
            raise DomainError(
                "HEARING_END_REQUIRED", "Give the end time or the minutes.", field="ends_at"
            )
        ends_at = starts_at + dt.timedelta(minutes=minutes)
    if ends_at <= starts_at:
        raise DomainError(
            "HEARING_ENDS_BEFORE_START", "It must end after it starts.", field="ends_at"
        )
    if ends_at - starts_at > MAX_HEARING_DURATION:
        raise DomainError(
            "HEARING_TOO_LONG", "A setting lasts at most 31 days; set it again.", field="ends_at"
        )
    return starts_at, ends_at


def _check_judge(judge: User | None, court: Court) -> None:
    if judge is None:
        return
    if judge.role != Role.JUDGE or not judge.is_active or court.pk not in user_court_ids(judge):
        raise DomainError("JUDGE_NOT_OF_COURT", "Choose a judge of this court.", field="judge")


def _when(court: Court, starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    start = timezone.localtime(starts_at, court.tzinfo)
    end = timezone.localtime(ends_at, court.tzinfo)
    return f"{start:%A, %Y-%m-%d} from {start:%H:%M} to {end:%H:%M}"


@dataclass(frozen=True)
class _Placement:
    """Where and with whom a setting happens, once the rules have allowed it."""

    session: Session | None
    judge: User | None
    clashes: list[Clash]


def _place(
    *,
    case: Case,
    hearing_type: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    courtroom: Courtroom,
    judge: User | None,
    session: Session | None,
    user: User,
    exclude_ids: tuple[int, ...] = (),
    lock: bool,
) -> _Placement:
    """Apply the setting rules; with `lock`, hold the courtroom or session row for the insert.

    Raises:
        DomainError: the refusals of hearing_schedule (all but the database's own).
    """
    court = case.court
    if hearing_type not in HearingType.values:
        raise DomainError(
            "HEARING_TYPE_UNKNOWN",
            f"{hearing_type} is not a kind of hearing.",
            field="hearing_type",
        )
    if courtroom.court_id != court.pk or not courtroom.is_active:
        raise DomainError(
            "COURTROOM_NOT_OF_COURT", "Choose a courtroom of the case's court.", field="courtroom"
        )
    first_day = timezone.localtime(starts_at, court.tzinfo).date()
    last_day = timezone.localtime(ends_at - dt.timedelta(microseconds=1), court.tzinfo).date()
    if first_day < court_local_date(court):
        raise DomainError(
            "HEARING_DATE_PAST", "A hearing is set for today or later.", field="starts_at"
        )
    days_off = court_days_off(court=court, start=first_day, end=last_day)
    if days_off:
        off = days_off[0]
        what = "a legal holiday" if off.kind == "holiday" else "a day the court is closed"
        raise DomainError(
            "COURT_CLOSED",
            f"{off.date:%Y-%m-%d} is {what} ({off.name}).",
            field="starts_at",
        )
    _check_judge(judge, court)
    tz = court.tzinfo
    if hearing_type in EXCLUSIVE_TYPES:
        if session is not None:
            raise DomainError(
                "EXCLUSIVE_NOT_STACKED",
                "A trial or evidentiary hearing takes the courtroom for itself; it is not "
                "set into a calendar session.",
                field="session",
            )
        judge = judge or case.judge or judge_assigned(courtroom, first_day)
        if lock:
            _lock_courtroom(courtroom)
        in_room = sessions_overlapping(starts_at=starts_at, ends_at=ends_at, courtroom=courtroom)
        for other in in_room[:1]:
            clash = session_clash_from(other, kind="room", tz=tz)
            raise DomainError(
                "HEARING_ROOM_CONFLICT",
                f"{courtroom.name} holds the session “{other.name}” at {clash.when()}.",
                field="courtroom",
                status=409,
                details={"clashes": [clash.as_dict()]},
            )
        if judge is not None:
            for other in sessions_overlapping(starts_at=starts_at, ends_at=ends_at, judge=judge)[
                :1
            ]:
                clash = session_clash_from(other, kind="judge", tz=tz)
                raise DomainError(
                    "HEARING_JUDGE_CONFLICT",
                    f"Judge {judge.get_full_name() or judge.username} presides over the "
                    f"session “{other.name}” in {other.courtroom.name} at {clash.when()}.",
                    field="judge",
                    status=409,
                    details={"clashes": [clash.as_dict()]},
                )
    else:
        if session is None:
            session = session_find(
                courtroom=courtroom, starts_at=starts_at, ends_at=ends_at, hearing_type=hearing_type
            )
            if session is None:
                raise DomainError(
                    "SESSION_REQUIRED",
                    f"No open calendar session in {courtroom.name} at "
                    f"{_when(court, starts_at, ends_at)} takes a "
                    f"{HearingType(hearing_type).label.lower()}. Choose a session's time, or "
                    "have one added to the calendar.",
                    field="session",
                )
        if lock:
            session = (
                Session.objects.select_for_update(of=("self",))
                .select_related("courtroom", "judge")
                .get(pk=session.pk)
            )
        if (
            session.status != SessionStatus.OPEN
            or session.court_id != court.pk
            or session.courtroom_id != courtroom.pk
            or not session_accepts(session, hearing_type)
        ):
            raise DomainError(
                "SESSION_MISMATCH",
                "That session is not an open session of this courtroom for this kind of hearing.",
                field="session",
            )
        if starts_at < session.starts_at or ends_at > session.ends_at:
            raise DomainError(
                "SESSION_MISMATCH",
                f"The session “{session.name}” runs "
                f"{_when(court, session.starts_at, session.ends_at)}; set the hearing within it.",
                field="session",
            )
        if judge is not None and session.judge_id is not None and judge.pk != session.judge_id:
            raise DomainError(
                "SESSION_JUDGE_MISMATCH",
                f"The session is presided over by {session.judge.get_full_name()}.",
                field="judge",
            )
        judge = judge or session.judge or judge_assigned(courtroom, first_day)
        load = session_load(session, exclude_ids=exclude_ids)
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        if session.capacity_cases is not None and load.cases + 1 > session.capacity_cases:
            raise DomainError(
                "SESSION_FULL",
                f"The session “{session.name}” on {session.date:%Y-%m-%d} is full: "
                f"{load.cases} of {session.capacity_cases} cases.",
                field="session",
                status=409,
                details={
                    "session": session.pk,
                    "cases": load.cases,
                    "capacity": session.capacity_cases,
                },
            )
        if (
            session.capacity_minutes is not None
            and load.minutes + minutes > session.capacity_minutes
        ):
            raise DomainError(
                "SESSION_FULL",
                f"The session “{session.name}” on {session.date:%Y-%m-%d} has "
                f"{session.capacity_minutes - load.minutes} of {session.capacity_minutes} "
                f"minutes left; this hearing needs {minutes}.",
                field="session",
                status=409,
                details={
                    "session": session.pk,
                    "minutes": load.minutes,
                    "capacity_minutes": session.capacity_minutes,
                },
            )
    clashes = attendance_clashes(
        case=case,
        starts_at=starts_at,
        ends_at=ends_at,
        courtroom=courtroom,
        session=session,
        user=user,
        exclude_ids=exclude_ids,
    )
    return _Placement(session=session, judge=judge, clashes=clashes)


@dataclass
class SettingCheck:
    """What setting a hearing at a time and place would meet (the clerk's live check)."""

    refusal: DomainError | None = None  # a rule that refuses it outright
    clashes: list[Clash] = field(default_factory=list)  # overridable with a reason
    session: Session | None = None
    load: SessionLoad | None = None
    judge: User | None = None


def hearing_setting_check(
    *,
    case: Case,
    hearing_type: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    minutes: int | None = None,
    courtroom: Courtroom,
    judge: User | None = None,
    session: Session | None = None,
    user: User,
    exclude_ids: tuple[int, ...] = (),
) -> SettingCheck:
    """The rules of hearing_schedule applied without writing or locking anything.

    Returns what the setting would meet: the refusal it would get (an exclusive
    hearing in the way included, which the database refuses on the real insert), the
    attorney and party clashes, and the session it would go into with its load.
    """
    try:
        starts_at, ends_at = _times(starts_at, ends_at, minutes)
        placement = _place(
            case=case,
            hearing_type=hearing_type,
            starts_at=starts_at,
            ends_at=ends_at,
            courtroom=courtroom,
            judge=judge,
            session=session,
            user=user,
            exclude_ids=exclude_ids,
            lock=False,
        )
    except DomainError as exc:
        return SettingCheck(refusal=exc)
    check = SettingCheck(
        clashes=placement.clashes, session=placement.session, judge=placement.judge
    )
    if placement.session is not None:
        check.load = session_load(placement.session, exclude_ids=exclude_ids)
    if hearing_type in EXCLUSIVE_TYPES:
        blocking = exclusive_clashes(
            starts_at=starts_at,
            ends_at=ends_at,
            courtroom=courtroom,
            judge=placement.judge,
            user=user,
            exclude_ids=exclude_ids,
        )
        if blocking:
            first = blocking[0]
            check.refusal = DomainError(
                "HEARING_ROOM_CONFLICT" if first.kind == "room" else "HEARING_JUDGE_CONFLICT",
                first.sentence(),
                field="courtroom" if first.kind == "room" else "judge",
                status=409,
                details={"clashes": [c.as_dict() for c in blocking]},
            )
    return check


def _refuse_clashes(clashes: list[Clash], override_reason: str) -> str:
    """The override reason to keep, or HEARING_CLASH (409) listing each clash."""
    override_reason = (override_reason or "").strip()
    if clashes and not override_reason:
        listed = " ".join(c.sentence() for c in clashes)
        raise DomainError(
            "HEARING_CLASH",
            f"Someone is expected in two places: {listed} Give a reason to set it anyway.",
            field="override_reason",
            status=409,
            details={"clashes": [c.as_dict() for c in clashes]},
        )
    if len(override_reason) > REASON_MAX_LENGTH:
        raise DomainError(
            "REASON_TOO_LONG",
            f"Keep it under {REASON_MAX_LENGTH} characters.",
            field="override_reason",
        )
    return override_reason if clashes else ""


def _save_exclusive_checked(hearing: Hearing, *, user: User, update_fields=None) -> None:
    """Save in a savepoint; an exclusion violation becomes a 409 naming the hearing in the way."""
    try:
        with transaction.atomic():
            hearing.save(update_fields=update_fields)
    except IntegrityError as exc:
        name = _constraint_name(exc)
        if name not in ("docket_hearing_no_room_overlap", "docket_hearing_no_judge_overlap"):
            raise
        by_room = name == "docket_hearing_no_room_overlap"
        clashes = [
            c
            for c in exclusive_clashes(
                starts_at=hearing.starts_at,
                ends_at=hearing.ends_at,
                courtroom=hearing.courtroom,
                judge=hearing.judge,
                user=user,
                exclude_ids=(hearing.pk,) if hearing.pk else (),
            )
            if c.kind == ("room" if by_room else "judge")
        ]
        what = clashes[0].sentence() if clashes else "Another hearing holds that time."
        raise DomainError(
            "HEARING_ROOM_CONFLICT" if by_room else "HEARING_JUDGE_CONFLICT",
            what,
            field="courtroom" if by_room else "judge",
            status=409,
            details={"clashes": [c.as_dict() for c in clashes]},
        ) from exc


def _event_code(court: Court, kind: str) -> str:
    preferred = CHANGE_EVENT_CODES.get(kind)
    if preferred and EventCode.objects.filter(court=court, code=preferred, is_active=True).exists():
        return preferred
    return HEARING_SET_CODE


def _setting_words(hearing: Hearing) -> str:
    court = hearing.court
    judge = f", Judge {hearing.judge.get_full_name()}" if hearing.judge else ""
    return f"{_when(court, hearing.starts_at, hearing.ends_at)} in {hearing.courtroom.name}{judge}"


def _notice_setting(hearing: Hearing, *, by: User) -> None:
    """A notice of hearing to every active party of the case (worker renders it)."""
    local = timezone.localtime(hearing.starts_at, hearing.court.tzinfo)
    notice_issue(
        case=hearing.case,
        kind=NoticeKind.HEARING_NOTICE,
        context={
            "hearing_type": hearing.get_hearing_type_display(),
            "hearing_date": local.date(),
            "hearing_time": local.time(),
            "courtroom": hearing.courtroom.name,
            "location": hearing.courtroom.location,
            "judge_name": hearing.judge.get_full_name() if hearing.judge else "",
        },
        issued_by=by,
    )


def _place_again(
    hearing: Hearing,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    minutes: int | None,
    courtroom: Courtroom | None,
    judge: User | None,
    session: Session | None,
    by: User,
    override_reason: str,
) -> tuple[dt.datetime, dt.datetime, Courtroom, _Placement, str]:
    """Apply the setting rules to `hearing` moved (rescheduled or continued) to a new time:
    its length and courtroom unless given, itself not counted as a clash. Returns the
    new times, the courtroom, the placement and the override reason the clashes need."""
    if ends_at is None and minutes is None:
        minutes = int((hearing.ends_at - hearing.starts_at).total_seconds() // 60)
    starts_at, ends_at = _times(starts_at, ends_at, minutes)
    courtroom = courtroom or hearing.courtroom
    placement = _place(
        case=hearing.case,
        hearing_type=hearing.hearing_type,
        starts_at=starts_at,
        ends_at=ends_at,
        courtroom=courtroom,
        judge=judge,
        session=session,
        user=by,
        exclude_ids=(hearing.pk,),
        lock=True,
    )
    override = _refuse_clashes(placement.clashes, override_reason)
    return starts_at, ends_at, courtroom, placement, override


def _notice_cancellation(hearing: Hearing, *, reason: str, by: User) -> Notice:
    """Tell the parties the hearing is off (notice of cancelled hearing)."""
    local = timezone.localtime(hearing.starts_at, hearing.court.tzinfo)
    return notice_issue(
        case=hearing.case,
        kind=NoticeKind.HEARING_CANCELLED,
        context={
            "hearing_type": hearing.get_hearing_type_display(),
            "hearing_date": local.date(),
            "hearing_time": local.time(),
            "courtroom": hearing.courtroom.name,
            "reason": reason,
        },
        issued_by=by,
    )


def _change(
    hearing: Hearing,
    *,
    kind: str,
    by: User,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> HearingChange:
    return HearingChange.objects.create(
        hearing=hearing, kind=kind, reason=reason, details=details or {}, changed_by=by
    )


def _facts(hearing: Hearing) -> dict[str, Any]:
    tz = hearing.court.tzinfo
    return {
        "hearing_type": hearing.hearing_type,
        "starts_at": timezone.localtime(hearing.starts_at, tz).isoformat(),
        "ends_at": timezone.localtime(hearing.ends_at, tz).isoformat(),
        "courtroom": hearing.courtroom.name,
        "judge": hearing.judge_id,
        "session": hearing.session_id,
        "sequence": hearing.sequence,
        "setting_number": hearing.setting_number,
    }


def _record_override(hearing: Hearing, *, clashes: list[Clash], reason: str, by: User) -> None:
    listed = [c.as_dict() for c in clashes]
    _change(
        hearing,
        kind=HearingChangeKind.OVERRIDDEN,
        by=by,
        reason=reason,
        details={"clashes": listed},
    )
    audit_record(
        action="hearing.conflict_override",
        actor=by,
        obj=hearing,
        case=hearing.case,
        details={"reason": reason, "clashes": listed},
    )


def _lock_case(case_id: int) -> None:
    # Locks in one order everywhere: the case, the hearing, the courtroom, the session.
    case_row_lock(case_id=case_id)


def _lock_hearing(hearing: Hearing, by: User) -> Hearing:
    _require_record_keeper(by, hearing.case)
    _lock_case(hearing.case_id)
    locked = (
        Hearing.objects.select_for_update(of=("self",))
        .select_related("case__court", "court", "courtroom", "judge", "session")
        .get(pk=hearing.pk)
    )
    return locked


def _require_scheduled(hearing: Hearing, what: str) -> None:
    if hearing.status != HearingStatus.SCHEDULED:
        raise DomainError(
            "HEARING_NOT_SCHEDULED",
            f"This hearing is {hearing.get_status_display().lower()}; it cannot be {what}.",
            status=409,
        )


def _require_case_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            "CASE_CLOSED", "The case is closed; reopen it before setting a hearing.", status=409
        )


# --- hearings: the services ---------------------------------------------------------------


@transaction.atomic
def hearing_schedule(
    *,
    case: Case,
    hearing_type: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    minutes: int | None = None,
    courtroom: Courtroom,
    judge: User | None = None,
    session: Session | None = None,
    scheduled_by: User,
    override_reason: str = "",
) -> Hearing:
    """Set a hearing on a case.

    Records the HRGS entry in the register of actions and a notice of hearing to every
    active party (rendered and sent by the worker after commit).

    Args:
        case: the case (visible to `scheduled_by`).
        hearing_type: a HearingType.
        starts_at: aware start; `ends_at` or `minutes` gives the end.
        courtroom: a courtroom of the case's court.
        judge: who presides; default the session's judge (stacked), the case's judge,
            else the judge assigned to the courtroom that day.
        session: the calendar session of a stacked hearing; default the open session of
            the courtroom that holds the time and takes the type. Never for exclusive
            hearings (trial, evidentiary).
        scheduled_by: a record keeper of the court.
        override_reason: why to set it although an attorney of record or a party is
            expected elsewhere at the time (required when they are).

    Returns:
        The scheduled hearing.

    Raises:
        Http404: the case is not visible to `scheduled_by`.
        DomainError: NOT_A_RECORD_KEEPER (403); CASE_CLOSED, HEARING_ROOM_CONFLICT,
            HEARING_JUDGE_CONFLICT, SESSION_FULL, HEARING_CLASH (409, `details.clashes`
            naming each hearing in the way); HEARING_TYPE_UNKNOWN, HEARING_START_REQUIRED,
            HEARING_END_REQUIRED, HEARING_ENDS_BEFORE_START, HEARING_TOO_LONG,
            HEARING_DATE_PAST, COURT_CLOSED, COURTROOM_NOT_OF_COURT, JUDGE_NOT_OF_COURT,
            EXCLUSIVE_NOT_STACKED, SESSION_REQUIRED, SESSION_MISMATCH,
            SESSION_JUDGE_MISMATCH (422); and those of notice_issue and the register.
    """
    _require_scheduler(scheduled_by, case, hearing_type)
    _lock_case(case.pk)
    _require_case_open(case)
    starts_at, ends_at = _times(starts_at, ends_at, minutes)
    placement = _place(
        case=case,
        hearing_type=hearing_type,
        starts_at=starts_at,
        ends_at=ends_at,
        courtroom=courtroom,
        judge=judge,
        session=session,
        user=scheduled_by,
        lock=True,
    )
    override = _refuse_clashes(placement.clashes, override_reason)
    now = timezone.now()
    hearing = Hearing(
        case=case,
        court=case.court,
        hearing_type=hearing_type,
        starts_at=starts_at,
        ends_at=ends_at,
        date=timezone.localtime(starts_at, case.court.tzinfo).date(),
        courtroom=courtroom,
        judge=placement.judge,
        session=placement.session,
        interpreter_language=interpreter_languages(case),
        conflict_override_reason=override,
        scheduled_by=scheduled_by,
        created_at=now,
        updated_at=now,
    )
    _save_exclusive_checked(hearing, user=scheduled_by)
    _after_setting(hearing, by=scheduled_by, clashes=placement.clashes, override=override)
    docket_entry_record(
        case=case,
        event_code=HEARING_SET_CODE,
        text=f"{hearing.get_hearing_type_display()} set for {_setting_words(hearing)}.",
        recorded_by=scheduled_by,
        obj=hearing,
    )
    _notice_setting(hearing, by=scheduled_by)
    audit_record(
        action="hearing.schedule",
        actor=scheduled_by,
        obj=hearing,
        case=case,
        details=_facts(hearing),
    )
    return hearing


def _after_setting(
    hearing: Hearing,
    *,
    by: User,
    clashes: list[Clash],
    override: str,
    continued_from: Hearing | None = None,
) -> None:
    details = _facts(hearing)
    if continued_from is not None:
        details["continued_from"] = continued_from.pk
    _change(hearing, kind=HearingChangeKind.SCHEDULED, by=by, details=details)
    if clashes:
        _record_override(hearing, clashes=clashes, reason=override, by=by)


@transaction.atomic
def hearing_reschedule(
    *,
    hearing: Hearing,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    minutes: int | None = None,
    courtroom: Courtroom | None = None,
    judge: User | None = None,
    session: Session | None = None,
    by: User,
    reason: str = "",
    override_reason: str = "",
) -> Hearing:
    """Move a scheduled hearing to a new time or courtroom (the same hearing, the same feed
    event with a higher SEQUENCE); the parties are noticed again.

    A move to another date is another setting of the hearing: `setting_number` goes up
    (CourTools measure 5 counts the dates set). Courtroom and length default to the
    current ones; the judge is chosen again unless given.

    Raises:
        Http404, DomainError: as hearing_schedule; HEARING_NOT_SCHEDULED (409) when the
            hearing is no longer scheduled.
    """
    hearing = _lock_hearing(hearing, by)
    _require_scheduled(hearing, "moved")
    _require_case_open(hearing.case)
    starts_at, ends_at, courtroom, placement, override = _place_again(
        hearing,
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes,
        courtroom=courtroom,
        judge=judge,
        session=session,
        by=by,
        override_reason=override_reason,
    )
    before = _facts(hearing)
    old_date = hearing.date
    old_words = (
        f"{_when(hearing.court, hearing.starts_at, hearing.ends_at)} in {hearing.courtroom.name}"
    )
    hearing.starts_at, hearing.ends_at = starts_at, ends_at
    hearing.date = timezone.localtime(starts_at, hearing.court.tzinfo).date()
    hearing.courtroom = courtroom
    hearing.judge = placement.judge
    hearing.session = placement.session
    hearing.interpreter_language = interpreter_languages(hearing.case)
    if hearing.date != old_date:
        hearing.setting_number += 1
    hearing.sequence += 1
    if override:
        hearing.conflict_override_reason = override
    hearing.updated_at = timezone.now()
    _save_exclusive_checked(hearing, user=by)
    _change(
        hearing,
        kind=HearingChangeKind.RESCHEDULED,
        by=by,
        reason=(reason or "").strip(),
        details={"from": before, "to": _facts(hearing)},
    )
    if placement.clashes:
        _record_override(hearing, clashes=placement.clashes, reason=override, by=by)
    docket_entry_record(
        case=hearing.case,
        event_code=HEARING_SET_CODE,
        text=f"{hearing.get_hearing_type_display()} reset from {old_words} "
        f"to {_setting_words(hearing)}.",
        recorded_by=by,
        obj=hearing,
    )
    _notice_setting(hearing, by=by)
    audit_record(
        action="hearing.reschedule",
        actor=by,
        obj=hearing,
        case=hearing.case,
        details={"from": before, "to": _facts(hearing), "reason": (reason or "").strip()},
    )
    return hearing


@transaction.atomic
def hearing_continue(
    *,
    hearing: Hearing,
    reason: ContinuanceReason,
    note: str = "",
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    minutes: int | None = None,
    courtroom: Courtroom | None = None,
    judge: User | None = None,
    session: Session | None = None,
    by: User,
    override_reason: str = "",
) -> Hearing:
    """Continue a scheduled hearing to a new date: the hearing is closed as continued (with
    its reason) and a new one is set, linked to it (`continued_from`), with the same feed
    UID and the next SEQUENCE, as the next setting (`setting_number` + 1: CourTools
    measure 5, trial date certainty). The parties are noticed of the new setting.

    Args:
        hearing: the scheduled hearing to continue.
        reason: one of the court's active continuance reasons.
        note: the clerk's words (required when the reason asks for them).
        starts_at, ends_at / minutes, courtroom, judge, session: the new setting
            (courtroom and length default to the continued hearing's).
        by: a record keeper of the court.
        override_reason: as for hearing_schedule.

    Returns:
        The new hearing.

    Raises:
        Http404, DomainError: as hearing_schedule; HEARING_NOT_SCHEDULED (409);
            CONTINUANCE_REASON_INVALID, CONTINUANCE_NOTE_REQUIRED (422).
    """
    old = _lock_hearing(hearing, by)
    _require_scheduled(old, "continued")
    _require_case_open(old.case)
    if reason is None or reason.court_id != old.court_id or not reason.is_active:
        raise DomainError(
            "CONTINUANCE_REASON_INVALID",
            "Choose one of the court's reasons for a continuance.",
            field="reason",
        )
    note = (note or "").strip()
    if reason.requires_note and not note:
        raise DomainError(
            "CONTINUANCE_NOTE_REQUIRED", f"“{reason.label}” needs a note.", field="note"
        )
    if len(note) > REASON_MAX_LENGTH:
        raise DomainError(
            "REASON_TOO_LONG", f"Keep it under {REASON_MAX_LENGTH} characters.", field="note"
        )
    starts_at, ends_at, courtroom, placement, override = _place_again(
        old,
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=minutes,
        courtroom=courtroom,
        judge=judge,
        session=session,
        by=by,
        override_reason=override_reason,
    )
    now = timezone.now()
    # The old setting stops occupying its time and stops being the feed's live event
    # before the new one takes both.
    old.status = HearingStatus.CONTINUED
    old.continuance_reason = reason
    old.status_reason = note
    old.updated_at = now
    old.save(update_fields=["status", "continuance_reason", "status_reason", "updated_at"])
    new = Hearing(
        case=old.case,
        court=old.court,
        hearing_type=old.hearing_type,
        starts_at=starts_at,
        ends_at=ends_at,
        date=timezone.localtime(starts_at, old.court.tzinfo).date(),
        courtroom=courtroom,
        judge=placement.judge,
        session=placement.session,
        interpreter_language=interpreter_languages(old.case),
        continued_from=old,
        setting_number=old.setting_number + 1,
        conflict_override_reason=override,
        feed_uid=old.feed_uid,
        sequence=old.sequence + 1,
        scheduled_by=by,
        created_at=now,
        updated_at=now,
    )
    _save_exclusive_checked(new, user=by)
    _change(
        old,
        kind=HearingChangeKind.CONTINUED,
        by=by,
        reason=note,
        details={"reason": reason.code, "label": reason.label, "to": new.pk, "new": _facts(new)},
    )
    _after_setting(new, by=by, clashes=placement.clashes, override=override, continued_from=old)
    because = f"{reason.label}: {note}" if note else reason.label
    docket_entry_record(
        case=old.case,
        event_code=HEARING_SET_CODE,
        text=f"{old.get_hearing_type_display()} of {_when(old.court, old.starts_at, old.ends_at)} "
        f"continued ({because}); reset for {_setting_words(new)}.",
        recorded_by=by,
        obj=new,
    )
    _notice_setting(new, by=by)
    audit_record(
        action="hearing.continue",
        actor=by,
        obj=old,
        case=old.case,
        details={
            "reason": reason.code,
            "note": note,
            "new_hearing": new.pk,
            "from": _facts(old),
            "to": _facts(new),
        },
    )
    return new


def _take_off_calendar(
    *, hearing: Hearing, reason: str, by: User, status: str, kind: str, verb: str
) -> Hearing:
    hearing = _lock_hearing(hearing, by)
    _require_scheduled(hearing, verb)
    reason = _clean_reason(
        reason, field="reason", code="REASON_REQUIRED", what=f"the hearing is {verb}"
    )
    hearing.status = status
    hearing.status_reason = reason
    hearing.sequence += 1
    hearing.updated_at = timezone.now()
    hearing.save(update_fields=["status", "status_reason", "sequence", "updated_at"])
    _change(hearing, kind=kind, by=by, reason=reason, details=_facts(hearing))
    docket_entry_record(
        case=hearing.case,
        event_code=_event_code(hearing.court, kind),
        text=f"{hearing.get_hearing_type_display()} set for {_setting_words(hearing)} "
        f"{verb}: {reason}",
        recorded_by=by,
        obj=hearing,
    )
    notice = _notice_cancellation(hearing, reason=reason, by=by)
    audit_record(
        action=f"hearing.{'vacate' if kind == HearingChangeKind.VACATED else 'cancel'}",
        actor=by,
        obj=hearing,
        case=hearing.case,
        details={**_facts(hearing), "reason": reason, "notice": notice.pk},
    )
    return hearing


@transaction.atomic
def hearing_vacate(*, hearing: Hearing, reason: str, by: User) -> Hearing:
    """Take a scheduled hearing off the calendar by order of the court (status vacated).

    The feed event is cancelled (SEQUENCE + 1) and the parties get a notice of cancelled
    hearing.

    Raises:
        Http404; DomainError: NOT_A_RECORD_KEEPER (403), HEARING_NOT_SCHEDULED (409),
            REASON_REQUIRED, REASON_TOO_LONG (422).
    """
    return _take_off_calendar(
        hearing=hearing,
        reason=reason,
        by=by,
        status=HearingStatus.VACATED,
        kind=HearingChangeKind.VACATED,
        verb="vacated",
    )


@transaction.atomic
def hearing_cancel(*, hearing: Hearing, reason: str, by: User) -> Hearing:
    """Cancel a scheduled hearing that will not take place for a reason other than an
    order (set in error, the case resolved). As hearing_vacate otherwise."""
    return _take_off_calendar(
        hearing=hearing,
        reason=reason,
        by=by,
        status=HearingStatus.CANCELLED,
        kind=HearingChangeKind.CANCELLED,
        verb="cancelled",
    )


@transaction.atomic
def hearing_record_outcome(*, hearing: Hearing, outcome: str, by: User) -> Hearing:
    """Record that a scheduled hearing was held, and what happened (status held).

    Raises:
        Http404; DomainError: NOT_A_RECORD_KEEPER (403), HEARING_NOT_SCHEDULED (409),
            HEARING_NOT_YET (422: its day has not come), OUTCOME_REQUIRED (422).
    """
    hearing = _lock_hearing(hearing, by)
    _require_scheduled(hearing, "held")
    outcome = _clean_reason(
        outcome, field="outcome", code="OUTCOME_REQUIRED", what="what happened at the hearing"
    )
    if hearing.date > court_local_date(hearing.court):
        raise DomainError(
            "HEARING_NOT_YET",
            f"The hearing is on {hearing.date:%Y-%m-%d}; record its outcome on the day.",
            field="outcome",
        )
    hearing.status = HearingStatus.HELD
    hearing.outcome = outcome
    hearing.updated_at = timezone.now()
    hearing.save(update_fields=["status", "outcome", "updated_at"])
    _change(hearing, kind=HearingChangeKind.HELD, by=by, reason=outcome, details=_facts(hearing))
    docket_entry_record(
        case=hearing.case,
        event_code=_event_code(hearing.court, HearingChangeKind.HELD),
        text=f"{hearing.get_hearing_type_display()} held in {hearing.courtroom.name}"
        f"{f', Judge {hearing.judge.get_full_name()}' if hearing.judge else ''}: {outcome}",
        recorded_by=by,
        obj=hearing,
        entry_date=hearing.date,
    )
    audit_record(
        action="hearing.outcome",
        actor=by,
        obj=hearing,
        case=hearing.case,
        details={**_facts(hearing), "outcome": outcome[:500]},
    )
    return hearing
