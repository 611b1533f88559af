"""Demo calendars: courtrooms, judge assignments, session templates, sessions and
hearings over the past three and the next five weeks for the demo cases.

Sessions come from `docket.services.session_generate` (a few dozen per court). The
hearings are made set-wise (bulk inserts, no notices rendered: the scheduling service
would queue a notice PDF per hearing): a few hundred hearings with their history rows
and "Hearing set" register entries in well under a second. Idempotent: templates and
assignments by natural key, sessions per (template, day), hearings only in a court
that has none yet.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_days_off

from .models import (
    ContinuanceReason,
    Courtroom,
    Hearing,
    HearingChange,
    HearingChangeKind,
    HearingStatus,
    HearingType,
    JudgeAssignment,
    Session,
    SessionStatus,
    SessionTemplate,
)

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

# (name, hearing type or "" for any stacked kind, room index, ISO weekdays, start, end,
#  capacity in cases). Blocks in one room never overlap (docket_session_no_room_overlap).
DEMO_TEMPLATES = {
    "sarasota": [
        ("Arraignments", HearingType.ARRAIGNMENT, 0, [1, 2, 3, 4, 5], "09:00", "11:00", 40),
        ("Pretrial conferences", HearingType.PRETRIAL, 1, [2, 4], "13:30", "16:30", 30),
        ("Motions and status", "", 1, [1, 3, 5], "09:00", "12:00", 24),
    ],
    "denver": [
        ("Arraignments", HearingType.ARRAIGNMENT, 0, [1, 2, 3, 4, 5], "08:30", "10:30", 40),
        ("Pretrial conferences", HearingType.PRETRIAL, 1, [2, 4], "13:30", "16:00", 30),
        ("Motions and status", "", 1, [1, 3], "09:00", "12:00", 24),
    ],
}
# Trials take a room and the judge for the afternoon: Mondays and Wednesdays in the
# last room, when no block sits there.
TRIAL_ROOM, TRIAL_WEEKDAYS, TRIAL_HOURS = -1, (1, 3), ("13:00", "17:00")

PAST_DAYS, AHEAD_DAYS = 21, 35
STACKED_MINUTES = 15

OUTCOMES = {
    HearingType.ARRAIGNMENT: "Defendant arraigned; plea of not guilty entered; pretrial set.",
    HearingType.PRETRIAL: "Pretrial conference held; discovery ongoing; case set for trial.",
    HearingType.MOTION: "Motion heard and taken under advisement.",
    HearingType.STATUS: "Status conference held; parties to file a joint report.",
    HearingType.REVIEW: "Review held; case plan continued.",
}


def seed_courtrooms(*, log: Callable[[str], None]) -> None:
    for court in Court.objects.filter(code__in=DEMO_COURTROOMS):
        for name, location in DEMO_COURTROOMS[court.code]:
            _room, created = Courtroom.objects.get_or_create(
                court=court, name=name, defaults={"location": location}
            )
            if created:
                log(f"courtroom {court.code} {name}")


def seed_calendars(*, log: Callable[[str], None]) -> None:
    """Judge assignments, continuance reasons, session templates and their sessions, and
    hearings for the demo cases (see the module docstring)."""
    for court in Court.objects.filter(code__in=DEMO_TEMPLATES).order_by("code"):
        rooms = list(
            Courtroom.objects.filter(
                court=court, name__in=[n for n, _loc in DEMO_COURTROOMS[court.code]]
            ).order_by("name")
        )
        if not rooms:
            continue
        today = court.local_today()
        judge = (
            User.objects.filter(role=Role.JUDGE, memberships__court=court, is_active=True)
            .order_by("pk")
            .first()
        )
        _assign(court, rooms, judge, today, log)
        _reasons(court, log)
        templates = _templates(court, rooms, judge, today, log)
        days = _court_days(
            court, today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=AHEAD_DAYS)
        )
        _sessions(court, templates, days, log)
        if not Hearing.objects.filter(court=court).exists():
            _hearings(court, rooms, judge, days, today, log)


def _assign(court, rooms, judge, today, log) -> None:
    if judge is None:
        return
    # The demo court's judge presides in every room (one judge per demo court).
    for room in rooms:
        _a, created = JudgeAssignment.objects.get_or_create(
            courtroom=room,
            judge=judge,
            ends_on=None,
            defaults={"starts_on": today - dt.timedelta(days=365)},
        )
        if created:
            log(f"judge {judge.username} assigned to {court.code} {room.name}")


def _reasons(court, log) -> None:
    from .services import continuance_reasons_install_defaults

    made = continuance_reasons_install_defaults(court=court)
    if made:
        log(f"{made} continuance reasons in {court.code}")


def _templates(court, rooms, judge, today, log) -> list[SessionTemplate]:
    templates = []
    for name, kind, room_i, weekdays, start, end, capacity in DEMO_TEMPLATES[court.code]:
        template, created = SessionTemplate.objects.get_or_create(
            court=court,
            name=name,
            defaults={
                "hearing_type": kind,
                "courtroom": rooms[room_i],
                "judge": judge,
                "weekdays": weekdays,
                "start_time": dt.time.fromisoformat(start),
                "end_time": dt.time.fromisoformat(end),
                "capacity_cases": capacity,
                "starts_on": today - dt.timedelta(days=PAST_DAYS),
            },
        )
        if created:
            log(f"session template {court.code} {name}")
        templates.append(template)
    return templates


def _court_days(court, start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays from start to end that are neither legal holidays nor closures."""
    off = {d.date for d in court_days_off(court=court, start=start, end=end)}
    days, day = [], start
    while day <= end:
        if day.isoweekday() <= 5 and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at(court, day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=court.tzinfo)


def _sessions(court, templates, days, log) -> None:
    """The templates' sessions over the demo weeks, through the one service that makes
    them (no holidays, no closures, a day that has its session is left alone)."""
    from .services import session_generate

    made = sum(
        len(session_generate(template=t, start=days[0], end=days[-1], by=None)) for t in templates
    )
    if made:
        log(f"{made} sessions in {court.code}")


@dataclass
class _Slot:
    session: Session
    used: int = 0


def _hearings(court, rooms, judge, days, today, log) -> None:
    from cases.models import Case, CaseCategory, CaseParty, CaseStatus, DocketEntry

    rng = random.Random(f"casemgmt-demo-calendar-{court.code}")  # noqa: S311 (demo data)
    clerk = (
        User.objects.filter(role=Role.CLERK, memberships__court=court).order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if clerk is None:
        return
    cases = list(
        Case.objects.filter(court=court).select_related("case_type").order_by("filed_on", "pk")
    )
    if not cases:
        return
    needs = {}
    for party in CaseParty.objects.filter(
        case__court=court, removed_on__isnull=True, person__interpreter_needed=True
    ).select_related("person"):
        needs.setdefault(party.case_id, set()).add(party.person.preferred_language)
    sessions = list(
        Session.objects.filter(court=court, date__in=days, status=SessionStatus.OPEN).order_by(
            "starts_at", "pk"
        )
    )
    by_kind: dict[str, list[_Slot]] = {}
    for s in sessions:
        by_kind.setdefault(s.hearing_type, []).append(_Slot(s))
    reasons = list(
        ContinuanceReason.objects.filter(court=court, is_active=True, requires_note=False).order_by(
            "code"
        )
    )
    trial_room = rooms[TRIAL_ROOM]
    trial_days = [d for d in days if d > today and d.isoweekday() in TRIAL_WEEKDAYS]
    pending = (CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.REOPENED)

    def kind_for(case) -> str:
        category = case.case_type.category
        if category in (CaseCategory.CRIMINAL, CaseCategory.TRAFFIC):
            return (
                HearingType.ARRAIGNMENT if case.status == CaseStatus.FILED else HearingType.PRETRIAL
            )
        if category == CaseCategory.JUVENILE:
            return HearingType.REVIEW
        return rng.choice([HearingType.MOTION, HearingType.STATUS])

    def slot_for(kind: str, *, future: bool, after: dt.date) -> _Slot | None:
        pool = by_kind.get(kind) or by_kind.get("", [])
        pool = [s for s in pool if (s.session.date > today) == future and s.session.date > after]
        open_slots = [s for s in pool if s.used < (s.session.capacity_cases or 0)]
        if not open_slots:
            return None
        # Spread over the weeks, the nearest days a little fuller.
        return open_slots[min(int(rng.expovariate(1 / 6)), len(open_slots) - 1)]

    def stacked(case, kind, slot: _Slot, **extra) -> Hearing:
        s = slot.session
        block = int((s.ends_at - s.starts_at).total_seconds() // 60)
        offset = (slot.used * STACKED_MINUTES) % max(block - STACKED_MINUTES, STACKED_MINUTES)
        # Calendar calls go in waves on the half hour, as stacked calendars do.
        offset -= offset % 30
        slot.used += 1
        starts = s.starts_at + dt.timedelta(minutes=offset)
        return Hearing(
            case=case,
            court=court,
            hearing_type=kind,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=STACKED_MINUTES),
            date=s.date,
            courtroom=s.courtroom,
            judge=s.judge or judge,
            session=s,
            interpreter_language=",".join(sorted(needs.get(case.pk, ()))),
            scheduled_by=clerk,
            **extra,
        )

    first_setting: list[Hearing] = []  # past hearings, then upcoming ones
    continued_pairs: list[tuple[Hearing, Hearing]] = []
    trials = 0
    shuffled = cases[:]
    rng.shuffle(shuffled)
    for case in shuffled:
        if case.status in pending:
            kind = kind_for(case)
            if kind == HearingType.PRETRIAL and trials < len(trial_days) and rng.random() < 0.15:
                day = trial_days[trials]
                trials += 1
                start = _at(court, day, dt.time.fromisoformat(TRIAL_HOURS[0]))
                first_setting.append(
                    Hearing(
                        case=case,
                        court=court,
                        hearing_type=HearingType.TRIAL,
                        starts_at=start,
                        ends_at=_at(court, day, dt.time.fromisoformat(TRIAL_HOURS[1])),
                        date=day,
                        courtroom=trial_room,
                        judge=judge,
                        interpreter_language=",".join(sorted(needs.get(case.pk, ()))),
                        scheduled_by=clerk,
                    )
                )
                continue
            roll = rng.random()
            if reasons and (roll < 0.12 or len(continued_pairs) < 2):
                # Set once in the past, continued to a day ahead (setting 2).
                before, after = (
                    slot_for(kind, future=False, after=case.filed_on),
                    slot_for(kind, future=True, after=case.filed_on),
                )
                if before and after:
                    old = stacked(
                        case,
                        kind,
                        before,
                        status=HearingStatus.CONTINUED,
                        continuance_reason=rng.choice(reasons),
                        status_reason="Continued on the parties' request.",
                    )
                    new = stacked(case, kind, after, setting_number=2, sequence=1)
                    new.feed_uid = old.feed_uid
                    continued_pairs.append((old, new))
                    continue
            if roll < 0.45:
                slot = slot_for(kind, future=False, after=case.filed_on)
                if slot:
                    first_setting.append(
                        stacked(
                            case,
                            kind,
                            slot,
                            status=HearingStatus.HELD,
                            outcome=OUTCOMES.get(kind, "Hearing held."),
                        )
                    )
                    follow = HearingType.PRETRIAL if kind == HearingType.ARRAIGNMENT else kind
                    slot = slot_for(follow, future=True, after=case.filed_on)
                    if slot:
                        first_setting.append(stacked(case, follow, slot))
                    continue
            slot = slot_for(kind, future=True, after=case.filed_on)
            if slot:
                vacated = rng.random() < 0.04
                first_setting.append(
                    stacked(
                        case,
                        kind,
                        slot,
                        **(
                            {
                                "status": HearingStatus.VACATED,
                                "status_reason": "Vacated: the parties reached an agreement.",
                            }
                            if vacated
                            else {}
                        ),
                    )
                )
        elif case.status == CaseStatus.DISPOSED and rng.random() < 0.25:
            # A sentencing or final hearing held in the last weeks.
            category = case.case_type.category
            kind = (
                HearingType.SENTENCING
                if category in (CaseCategory.CRIMINAL, CaseCategory.TRAFFIC)
                else HearingType.STATUS
            )
            slot = (
                slot_for("", future=False, after=case.filed_on)
                if kind == HearingType.SENTENCING
                else None
            )
            slot = slot or slot_for(kind, future=False, after=case.filed_on)
            if slot:
                first_setting.append(
                    stacked(
                        case,
                        kind,
                        slot,
                        status=HearingStatus.HELD,
                        outcome="Sentence imposed."
                        if kind == HearingType.SENTENCING
                        else "Final hearing held; judgment entered.",
                    )
                )

    olds = [old for old, _new in continued_pairs]
    Hearing.objects.bulk_create([*first_setting, *olds])
    for old, new in continued_pairs:
        new.continued_from = old
    news = [new for _old, new in continued_pairs]
    Hearing.objects.bulk_create(news)
    everything = [*first_setting, *olds, *news]

    changes = []
    for h in everything:
        changes.append(
            HearingChange(
                hearing=h,
                kind=HearingChangeKind.SCHEDULED,
                changed_by=clerk,
                details={"demo": True},
            )
        )
        if h.status == HearingStatus.HELD:
            changes.append(
                HearingChange(
                    hearing=h, kind=HearingChangeKind.HELD, reason=h.outcome, changed_by=clerk
                )
            )
        elif h.status == HearingStatus.VACATED:
            changes.append(
                HearingChange(
                    hearing=h,
                    kind=HearingChangeKind.VACATED,
                    reason=h.status_reason,
                    changed_by=clerk,
                )
            )
    for old, new in continued_pairs:
        changes.append(
            HearingChange(
                hearing=old,
                kind=HearingChangeKind.CONTINUED,
                reason=old.continuance_reason.label,
                details={"to": new.pk},
                changed_by=clerk,
            )
        )
    HearingChange.objects.bulk_create(changes)

    # "Hearing set" in each case's register, numbered after its last entry.
    everything.sort(key=lambda h: (h.case_id, h.pk))
    added: dict[int, int] = {}
    by_pk = {c.pk: c for c in cases}
    entries = []
    for h in everything:
        n = added.get(h.case_id, 0) + 1
        added[h.case_id] = n
        local = h.starts_at.astimezone(court.tzinfo)
        entries.append(
            DocketEntry(
                case_id=h.case_id,
                seq=by_pk[h.case_id].last_docket_seq + n,
                entry_date=max(
                    by_pk[h.case_id].filed_on, min(today, h.date - dt.timedelta(days=14))
                ),
                event_code="HRGS",
                text=(
                    f"Hearing set: {h.get_hearing_type_display()}, "
                    f"{local:%Y-%m-%d %H:%M}, {h.courtroom.name}."
                ),
                recorded_by=clerk,
                object_type="docket.hearing",
                object_id=str(h.pk),
            )
        )
    DocketEntry.objects.bulk_create(entries)
    for case_id, n in added.items():
        by_pk[case_id].last_docket_seq += n
    Case.objects.bulk_update([by_pk[pk] for pk in added], ["last_docket_seq"])
    log(
        f"{len(everything)} hearings in {court.code} ({len(continued_pairs)} continued, "
        f"{trials} trials)"
    )
