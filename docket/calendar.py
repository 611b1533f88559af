"""Reads for calendars: the day's hearings of a court, by courtroom or by judge.

One rule decides what a row shows: a hearing of a case the reader may see
(`Case.objects.visible_to`) shows its number, caption, parties and attorneys; any
other hearing keeps its time, room, judge, type and status, but its caption is the
court's `sealed_caption_placeholder` and nothing else of the case is shown. Sealed,
juvenile and confidential cases thus stay hidden on the page, the printout and the
PDF docket sheet from everyone not entitled to them, while the court's day still adds
up (a courtroom clerk sees that the 9:00 slot is taken).

The day costs a fixed number of queries whatever its size: the hearings with their
case, room, judge and next setting (one query, the visibility test inside it as an
EXISTS), the active parties and the attorneys of record of the visible cases (one
query each), the reader's courts and sealed-case grants (what `visible_to` and the
access levels need), the judges assigned to the rooms that day, and the court's
closures around the day (for the previous and next court day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_info

from casemgmt.core.audit import audit_record
from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_days_off
from cases.models import CAPTION_FIRST, CAPTION_SECOND, Appearance, Case, CaseParty, PartyRole
from cases.policies import CONFIDENTIAL, PUBLIC, SEALED
from cases.querysets import sealed_grant_case_ids, user_court_ids

from .models import Courtroom, Hearing, HearingStatus, HearingType, JudgeAssignment

GROUP_BY_COURTROOM = "courtroom"
GROUP_BY_JUDGE = "judge"
GROUPINGS = (GROUP_BY_COURTROOM, GROUP_BY_JUDGE)
# A row lists this many parties; the rest are counted ("and 12 more").
ROW_PARTIES = 6
# How far prev/next court day look for a day the court sits (long holiday weekends,
# a week closed by a hurricane).
COURT_DAY_WINDOW = 21
# Parties in the order a caption names them: first side, second side, then the rest.
_ROLE_RANK = {role: i for i, role in enumerate((*CAPTION_FIRST, *CAPTION_SECOND))}


_TYPE_LABELS = dict(HearingType.choices)
_STATUS_LABELS = dict(HearingStatus.choices)
_ROLE_LABELS = dict(PartyRole.choices)


def _time_label(when: dt.datetime) -> str:
    return f"{when.hour % 12 or 12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def _attorney_line(appearance: Appearance) -> tuple[str, str, str]:
    attorney = appearance.attorney
    profile = getattr(attorney, "attorney_profile", None)
    party = appearance.party
    return (
        attorney.get_full_name() or attorney.get_username(),
        profile.bar_number if profile is not None else "",
        party.person.display_name if party is not None else "",
    )


def hearing_url(hearing_id: int) -> str:
    """The hearing's own page (docket.urls, mounted at /hearings/)."""
    return reverse("hearings:detail", args=[hearing_id])


def language_name(code: str) -> str:
    """ "es" -> "Spanish"; a code Django does not know is shown as it is."""
    if not code:
        return ""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def language_names(codes: str) -> str:
    """ "es,vi" (as `Hearing.interpreter_language` keeps them) -> "Spanish, Vietnamese"."""
    return ", ".join(language_name(c.strip()) for c in codes.split(",") if c.strip())


@dataclass
class CalendarRow:
    """One hearing as the reader may see it. Templates read only these fields (never
    `hearing.case`), so a hidden case cannot leak through a template. Labels and times
    are plain strings, made once here: a day of hundreds of rows renders fast."""

    hearing: Hearing
    starts_at: dt.datetime  # court-local
    ends_at: dt.datetime  # court-local
    time_label: str  # "9:30 AM"
    courtroom_name: str
    hearing_type: str  # its label
    status: str
    status_label: str  # "Continued to 2026-03-11" for a continued hearing
    visible: bool
    level: str  # public / confidential / sealed; public for a hidden case
    number: str  # "" when hidden
    caption: str  # the court's placeholder when hidden
    case_url: str  # "" when hidden
    hearing_url: str  # "" when hidden
    is_sealed: bool  # a visible sealed case (shown to the entitled with a tag)
    is_juvenile: bool
    parties: list[CaseParty] = field(default_factory=list)
    more_parties: int = 0
    # (name, role label, role) of the listed parties; (name, bar number, for whom) of
    # the attorneys.
    party_lines: list[tuple[str, str, str]] = field(default_factory=list)
    attorney_lines: list[tuple[str, str, str]] = field(default_factory=list)
    appearances: list[Appearance] = field(default_factory=list)
    interpreter: str = ""  # language names, "" when none or not to be shown
    continued_to: dt.date | None = None

    @property
    def courtroom(self) -> Courtroom:
        return self.hearing.courtroom

    @property
    def judge(self) -> User | None:
        return self.hearing.judge

    @property
    def is_off_calendar(self) -> bool:
        """Continued, vacated or cancelled: listed (struck through), but not heard."""
        return self.status not in (HearingStatus.SCHEDULED, HearingStatus.HELD)


@dataclass
class CalendarGroup:
    key: str
    title: str  # "Courtroom 2A" or "Judge Eleanor Whitfield"
    detail: str  # the room's location, or ""
    judges: list[str]  # judges presiding (by courtroom), or rooms (by judge)
    rows: list[CalendarRow]


@dataclass
class DayCalendar:
    court: Court
    date: dt.date
    courtroom: Courtroom | None
    judge: User | None
    group_by: str
    groups: list[CalendarGroup]
    day_off: str  # the holiday or closure of the day, else ""
    previous_court_day: dt.date
    next_court_day: dt.date

    @property
    def rows(self) -> list[CalendarRow]:
        return [row for group in self.groups for row in group.rows]

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def audited_cases(self) -> list[CalendarRow]:
        """Rows whose sealed or juvenile case was shown in full: the read is audited."""
        return [r for r in self.rows if r.visible and (r.is_sealed or r.is_juvenile)]


# --- access levels in bulk ------------------------------------------------------------------


@dataclass(frozen=True)
class _Reader:
    """What `cases.policies.case_access_level` consults, loaded once for many cases."""

    user: object
    court_ids: frozenset[int]
    grant_ids: frozenset[int]

    @classmethod
    def of(cls, user) -> _Reader:
        if user is None or not user.is_authenticated or user.is_superuser:
            return cls(user, frozenset(), frozenset())
        return cls(user, frozenset(user_court_ids(user)), frozenset(sealed_grant_case_ids(user)))

    def level(self, case: Case, *, of_record: bool) -> str:
        """`cases.policies.case_access_level(user, case)` without a query per case
        (tests/docket/test_calendar.py holds the two to the same answers)."""
        user = self.user
        if user is None or not user.is_authenticated:
            return PUBLIC
        if user.is_superuser:
            return SEALED
        granted = case.pk in self.grant_ids
        if user.role == Role.ATTORNEY:
            if granted:
                return SEALED
            return CONFIDENTIAL if of_record else PUBLIC
        if not (user.is_court_staff and case.court_id in self.court_ids):
            return PUBLIC
        if (
            user.role == Role.SUPERVISOR
            or granted
            or (user.role == Role.JUDGE and case.judge_id == user.pk)
        ):
            return SEALED
        return CONFIDENTIAL


# --- the day ----------------------------------------------------------------------------------


def court_day_neighbours(court: Court, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """(previous court day, next court day, what closes `day` or "").

    A court day is a weekday that is neither a legal holiday nor a declared closure.
    """
    window = dt.timedelta(days=COURT_DAY_WINDOW)
    off = {
        d.date: d.name for d in court_days_off(court=court, start=day - window, end=day + window)
    }

    def sits(d: dt.date) -> bool:
        return d.isoweekday() <= 5 and d not in off

    def step(direction: int) -> dt.date:
        d = day + dt.timedelta(days=direction)
        for _ in range(COURT_DAY_WINDOW):
            if sits(d):
                return d
            d += dt.timedelta(days=direction)
        return day + dt.timedelta(days=direction)

    return step(-1), step(1), off.get(day, "")


_HEARING_FIELDS = (
    "case_id",
    "court_id",
    "hearing_type",
    "starts_at",
    "ends_at",
    "date",
    "courtroom_id",
    "judge_id",
    "status",
    "interpreter_language",
    "case__court_id",
    "case__number",
    "case__caption",
    "case__confidentiality",
    "case__is_juvenile",
    "case__judge_id",
    "courtroom__court_id",
    "courtroom__name",
    "courtroom__location",
    "judge__username",
    "judge__first_name",
    "judge__last_name",
    "continued_to__date",
    "continued_to__continued_from_id",
)
_PERSON_FIELDS = (
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "organization_name",
    "preferred_language",
    "interpreter_needed",
)


def hearing_day_queryset(
    user, *, court: Court, day: dt.date, courtroom=None, judge=None, group_by=GROUP_BY_COURTROOM
):
    """The day's hearings in calendar order, each annotated `case_visible`."""
    hearings = (
        Hearing.objects.filter(court=court, date=day)
        .select_related("case", "courtroom", "judge", "continued_to")
        # What a row shows, nothing more: a day of hundreds of rows builds its model
        # instances from a third of the columns.
        .only(*_HEARING_FIELDS)
        .annotate(case_visible=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))))
    )
    if courtroom is not None:
        hearings = hearings.filter(courtroom=courtroom)
    if judge is not None:
        hearings = hearings.filter(judge=judge)
    if group_by == GROUP_BY_JUDGE:
        order = ["judge__last_name", "judge__first_name", "judge_id", "starts_at"]
    else:
        order = ["courtroom__name", "courtroom_id", "starts_at"]
    return hearings.order_by(*order, "case__number", "id")


def calendar_day(
    user,
    *,
    court: Court,
    day: dt.date,
    courtroom: Courtroom | None = None,
    judge: User | None = None,
    group_by: str = GROUP_BY_COURTROOM,
) -> DayCalendar:
    """The day's calendar of `court` as `user` may read it (see the module docstring).

    Args:
        court: the court; `day` is its local date.
        courtroom, judge: narrow the day to one room and/or one judge.
        group_by: "courtroom" (rooms by name, then time) or "judge" (judges by name,
            then time; hearings with no judge last).
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    tz = court.tzinfo
    hearings = list(
        hearing_day_queryset(
            user, court=court, day=day, courtroom=courtroom, judge=judge, group_by=group_by
        )
    )
    if group_by == GROUP_BY_JUDGE:
        # NULLs sort last in PostgreSQL's ascending order already; keep it explicit.
        hearings.sort(key=lambda h: h.judge_id is None)
    visible_ids = sorted({h.case_id for h in hearings if h.case_visible})
    parties, appearances = _case_people(visible_ids)
    reader = _Reader.of(user) if visible_ids else _Reader(user, frozenset(), frozenset())
    placeholder = court.sealed_caption_placeholder
    user_pk = getattr(user, "pk", None)
    # The case page's address for any number: reverse() once, not once per row.
    case_url_prefix = reverse("cases:detail", args=[court.code, "0"])[:-2]
    hearing_url_prefix = hearing_url(0)[:-2]
    rows = []
    for h in hearings:
        continued_to = getattr(h, "continued_to", None)
        starts_at = timezone.localtime(h.starts_at, tz)
        status_label = _STATUS_LABELS.get(h.status, h.status)
        if continued_to is not None:
            status_label = f"{status_label} to {continued_to.date:%Y-%m-%d}"
        common = {
            "hearing": h,
            "starts_at": starts_at,
            "ends_at": timezone.localtime(h.ends_at, tz),
            "time_label": _time_label(starts_at),
            "courtroom_name": h.courtroom.name,
            "hearing_type": _TYPE_LABELS.get(h.hearing_type, h.hearing_type),
            "status": h.status,
            "status_label": status_label,
            "continued_to": continued_to.date if continued_to else None,
        }
        if not h.case_visible:
            rows.append(
                CalendarRow(
                    **common,
                    visible=False,
                    level=PUBLIC,
                    number="",
                    caption=placeholder,
                    case_url="",
                    hearing_url="",
                    is_sealed=False,
                    is_juvenile=False,
                )
            )
            continue
        case = h.case
        case_parties = parties.get(case.pk, [])
        case_appearances = appearances.get(case.pk, [])
        of_record = any(a.attorney_id == user_pk for a in case_appearances)
        level = reader.level(case, of_record=of_record)
        listed = case_parties[:ROW_PARTIES]
        rows.append(
            CalendarRow(
                **common,
                visible=True,
                level=level,
                number=case.number,
                caption=case.caption,
                case_url=case_url_prefix + quote(case.number, safe="!$&'()*+,;=~:@") + "/",
                hearing_url=f"{hearing_url_prefix}{h.pk}/",
                is_sealed=case.is_sealed,
                is_juvenile=case.is_juvenile,
                parties=listed,
                more_parties=max(0, len(case_parties) - ROW_PARTIES),
                party_lines=[
                    (p.person.display_name, _ROLE_LABELS.get(p.role, p.role), p.role)
                    for p in listed
                ],
                attorney_lines=[_attorney_line(a) for a in case_appearances],
                appearances=case_appearances,
                # Who needs an interpreter is a personal detail, like an address: not for
                # the public (cases.policies.can_see_contact_details).
                interpreter="" if level == PUBLIC else _interpreter(h, case_parties),
            )
        )
    assigned = _assigned_judges(court, day) if group_by == GROUP_BY_COURTROOM else {}
    previous_day, next_day, day_off = court_day_neighbours(court, day)
    return DayCalendar(
        court=court,
        date=day,
        courtroom=courtroom,
        judge=judge,
        group_by=group_by,
        groups=_group(rows, group_by, assigned),
        day_off=day_off,
        previous_court_day=previous_day,
        next_court_day=next_day,
    )


def _case_people(case_ids: list[int]) -> tuple[dict, dict]:
    """Active parties (caption order) and active appearances of the cases, by case id."""
    parties: dict[int, list[CaseParty]] = {}
    appearances: dict[int, list[Appearance]] = {}
    if not case_ids:
        return parties, appearances
    for party in (
        CaseParty.objects.filter(case_id__in=case_ids, removed_on__isnull=True)
        .select_related("person")
        .only("case_id", "person_id", "role", "position", *(f"person__{f}" for f in _PERSON_FIELDS))
        .order_by("case_id", "position", "id")
    ):
        parties.setdefault(party.case_id, []).append(party)
    for listed in parties.values():
        listed.sort(key=lambda p: (_ROLE_RANK.get(p.role, len(_ROLE_RANK)), p.position, p.pk))
    for appearance in (
        Appearance.objects.filter(case_id__in=case_ids, withdrawn_on__isnull=True)
        .select_related("attorney__attorney_profile", "party__person")
        .only(
            "case_id",
            "attorney_id",
            "party_id",
            "entered_on",
            "withdrawn_on",
            "attorney__username",
            "attorney__first_name",
            "attorney__last_name",
            "attorney__attorney_profile__bar_number",
            "party__person_id",
            *(f"party__person__{f}" for f in _PERSON_FIELDS),
        )
        .order_by("case_id", "entered_on", "id")
    ):
        appearances.setdefault(appearance.case_id, []).append(appearance)
    return parties, appearances


def _interpreter(hearing: Hearing, parties: Iterable[CaseParty]) -> str:
    """The hearing's interpreter languages (set when it was scheduled), else the languages
    of the parties who need one now."""
    if hearing.interpreter_language:
        return language_names(hearing.interpreter_language)
    return ", ".join(
        language_name(code)
        for code in sorted(
            {p.person.preferred_language for p in parties if p.person.interpreter_needed}
        )
        if code
    )


def _assigned_judges(court: Court, day: dt.date) -> dict[int, list[str]]:
    """Judges assigned to each courtroom of the court on `day` (courtroom id -> names)."""
    names: dict[int, list[str]] = {}
    for a in (
        JudgeAssignment.objects.filter(courtroom__court=court, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("judge")
        .order_by("courtroom_id", "-starts_on", "id")
    ):
        names.setdefault(a.courtroom_id, []).append(judge_name(a.judge))
    return names


def judge_name(judge: User | None) -> str:
    if judge is None:
        return ""
    return f"Judge {judge.get_full_name() or judge.get_username()}"


def _group(rows: list[CalendarRow], group_by: str, assigned: dict) -> list[CalendarGroup]:
    groups: list[CalendarGroup] = []
    current = None
    for row in rows:
        h = row.hearing
        key = str(h.courtroom_id if group_by == GROUP_BY_COURTROOM else (h.judge_id or ""))
        if current is None or current.key != key:
            if group_by == GROUP_BY_COURTROOM:
                room = h.courtroom
                current = CalendarGroup(key, room.name, room.location, [], [])
            else:
                title = judge_name(h.judge) or "No judge assigned"
                current = CalendarGroup(key, title, "", [], [])
            groups.append(current)
        current.rows.append(row)
        # By courtroom the heading names the judges presiding (those of the hearings,
        # else the room's assignment); by judge it names the rooms they sit in.
        extra = judge_name(h.judge) if group_by == GROUP_BY_COURTROOM else h.courtroom.name
        if extra and extra not in current.judges:
            current.judges.append(extra)
    if group_by == GROUP_BY_COURTROOM:
        for group in groups:
            if not group.judges:
                group.judges = assigned.get(int(group.key), [])
    return groups


def calendar_read_audit(*, calendar: DayCalendar, user, surface: str) -> None:
    """Record that `user` read sealed or juvenile cases on a calendar (one event for the
    day, naming them), as `cases.services.case_read_audit` does for a case page. Nothing
    is recorded when no such case was shown in full."""
    shown = calendar.audited_cases
    if not shown:
        return
    audit_record(
        action="calendar.read",
        actor=user if getattr(user, "is_authenticated", False) else None,
        court=calendar.court,
        details={
            "surface": surface,
            "date": calendar.date.isoformat(),
            "courtroom": calendar.courtroom.pk if calendar.courtroom else None,
            "judge": calendar.judge.pk if calendar.judge else None,
            "cases": sorted({r.number for r in shown}),
        },
    )


def calendar_courtrooms(court: Court) -> list[Courtroom]:
    return list(Courtroom.objects.filter(court=court, is_active=True).order_by("name"))


def calendar_judges(court: Court) -> list[User]:
    return list(
        User.objects.filter(role=Role.JUDGE, is_active=True, memberships__court=court)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )
