"""Reads for the attorney portal: the attorney's cases with their docket status, and their
calendar across every court.

An attorney's cases are those where they hold an active appearance *and* which they may
see now (`Case.objects.visible_to`): a sealed case without a grant stays out even when
the attorney is of record, and a withdrawn appearance takes the case away at once.
Every function here loads a bounded number of rows in a fixed number of queries,
whatever the size of the caseload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, QuerySet, Window
from django.db.models.functions import RowNumber

from casemgmt.core.audit import audit_record
from casemgmt.core.pagination import Page, paginate_without_count
from casemgmt.core.roles import Role
from cases.models import Appearance, Case, DocketEntry
from cases.policies import CONFIDENTIAL, SEALED
from cases.querysets import sealed_grant_case_ids, user_court_ids

from .models import Deadline, Hearing, HearingStatus

PORTAL_CASES_PER_PAGE = 25
PORTAL_LATEST_ENTRIES = 3  # register entries shown per case on "My cases"
PORTAL_CALENDAR_PER_PAGE = 50
PORTAL_PANEL_HEARINGS = 5  # the home page's "next hearings" panel

# What an attorney's calendar lists: the hearings still on (or struck from) a date.
# A continued hearing is history: its chain goes on as the next link.
CALENDAR_STATUSES = (
    HearingStatus.SCHEDULED,
    HearingStatus.HELD,
    HearingStatus.VACATED,
    HearingStatus.CANCELLED,
)


def attorney_case_ids(user) -> QuerySet:
    """Ids (a subquery) of the cases `user` appears in now and may see."""
    own = Appearance.objects.filter(attorney=user, withdrawn_on__isnull=True).values("case_id")
    return Case.objects.visible_to(user).filter(pk__in=own).values("pk")


def attorney_case_list(user) -> QuerySet[Case]:
    """The cases `user` appears in now and may see, newest filed first."""
    own = Appearance.objects.filter(attorney=user, withdrawn_on__isnull=True).values("case_id")
    return (
        Case.objects.visible_to(user)
        .filter(pk__in=own)
        .select_related("court", "case_type")
        .order_by("-filed_on", "-id")
    )


@dataclass
class PortalCase:
    """One row of "My cases"."""

    case: Case
    level: str  # how deep the attorney reads the case (cases.policies)
    latest_entries: list[DocketEntry] = field(default_factory=list)  # newest first
    next_hearing: Hearing | None = None
    next_deadline: Deadline | None = None  # the next open (or missed) one


def _levels(user, cases: list[Case]) -> dict[int, str]:
    """`cases.policies.case_access_level` for a page of the attorney's own cases, at once.

    Every case here has the attorney's active appearance, so the level is confidential,
    or sealed with an explicit grant (or for a superuser)."""
    if user.is_superuser:
        return {c.pk: SEALED for c in cases}
    granted = set(sealed_grant_case_ids(user))
    return {c.pk: SEALED if c.pk in granted else CONFIDENTIAL for c in cases}


def latest_entries_by_case(
    levels: dict[int, str], *, per_case: int = PORTAL_LATEST_ENTRIES
) -> dict[int, list[DocketEntry]]:
    """The latest `per_case` register entries of each case, at the level given per case.

    One query per distinct level (at most two here): a row number per case, newest first.
    """
    out: dict[int, list[DocketEntry]] = {pk: [] for pk in levels}
    by_level: dict[str, list[int]] = {}
    for pk, level in levels.items():
        by_level.setdefault(level, []).append(pk)
    for level, ids in by_level.items():
        entries = (
            DocketEntry.objects.filter(case_id__in=ids)
            .visible_at(level)
            .annotate(
                rank=Window(RowNumber(), partition_by=[F("case_id")], order_by=F("seq").desc())
            )
            .filter(rank__lte=per_case)
            .order_by("case_id", "-seq")
        )
        for entry in entries:
            out[entry.case_id].append(entry)
    return out


def next_hearing_by_case(case_ids: list[int], *, now: dt.datetime) -> dict[int, Hearing]:
    """Each case's next scheduled hearing (one query: DISTINCT ON case)."""
    if not case_ids:
        return {}
    hearings = (
        Hearing.objects.filter(
            case_id__in=case_ids, status=HearingStatus.SCHEDULED, ends_at__gt=now
        )
        .select_related("courtroom")
        .order_by("case_id", "starts_at", "id")
        .distinct("case_id")
    )
    return {h.case_id: h for h in hearings}


def portal_case_page(user, *, page: str | int | None, now: dt.datetime) -> Page:
    """A page of "My cases": each case with its status, latest entries and next hearing.

    Paged without COUNT (an attorney may appear in thousands of cases); six queries
    whatever the page holds (the next open deadline of each case is one of them).
    """
    from .deadline_selectors import next_deadline_by_case

    cases_page = paginate_without_count(attorney_case_list(user), page, PORTAL_CASES_PER_PAGE)
    cases = list(cases_page.object_list)
    levels = _levels(user, cases)
    entries = latest_entries_by_case(levels)
    hearings = next_hearing_by_case([c.pk for c in cases], now=now)
    deadlines = next_deadline_by_case(
        [c.pk for c in cases], sealed_ids={pk for pk, level in levels.items() if level == SEALED}
    )
    cases_page.object_list = [
        PortalCase(
            case=c,
            level=levels[c.pk],
            latest_entries=entries[c.pk],
            next_hearing=hearings.get(c.pk),
            next_deadline=deadlines.get(c.pk),
        )
        for c in cases
    ]
    return cases_page


def attorney_hearing_list(user, *, start: dt.date, end: dt.date | None = None) -> QuerySet[Hearing]:
    """The attorney's hearings on court-local dates from `start` (to `end`, inclusive),
    across every court, in time order; continued links left out (their chain goes on)."""
    hearings = Hearing.objects.filter(
        case_id__in=attorney_case_ids(user), status__in=CALENDAR_STATUSES, date__gte=start
    )
    if end is not None:
        hearings = hearings.filter(date__lte=end)
    return hearings.select_related("case", "court", "courtroom", "judge").order_by(
        "starts_at", "id"
    )


def portal_calendar_page(user, *, start: dt.date, page: str | int | None) -> Page:
    """A page of "My calendar": the attorney's hearings from `start`, by date and time."""
    return paginate_without_count(
        attorney_hearing_list(user, start=start), page, PORTAL_CALENDAR_PER_PAGE
    )


def attorney_next_hearings(user, *, now: dt.datetime, limit: int = PORTAL_PANEL_HEARINGS):
    """The attorney's next few scheduled hearings (the home page panel)."""
    return list(
        Hearing.objects.filter(
            case_id__in=attorney_case_ids(user),
            status=HearingStatus.SCHEDULED,
            ends_at__gt=now,
        )
        .select_related("case", "court", "courtroom")
        .order_by("starts_at", "id")[:limit]
    )


# --- the calendar API (`GET /api/v1/calendar/`) ---------------------------------------------


@dataclass(frozen=True)
class CalendarQuery:
    """Filters of the calendar API; `start`..`end` are court-local dates, both inclusive."""

    start: dt.date
    end: dt.date
    court: str = ""  # court code
    courtroom: int | None = None
    judge: str = ""  # "me", a user id or a username
    attorney: str = ""  # "me" or a bar number; "" = any attorney
    status: str = ""


def hearing_calendar_list(user, query: CalendarQuery) -> QuerySet[Hearing]:
    """Hearings on the dates asked, as `user` may read them, in time order.

    The rule of the day calendars (docket.calendar): every hearing matching the
    hearing's own attributes (date, court, courtroom, judge, status) is listed, each
    annotated `case_visible`; a hearing of a case the user may not see is shown by the
    API as a placeholder row (the court's sealed-caption placeholder, no case number).
    A filter on the case itself (`attorney`) keeps visible cases only, so that it never
    reveals who appears in a hidden case.
    """
    visible = Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))
    hearings = Hearing.objects.filter(date__gte=query.start, date__lte=query.end).annotate(
        case_visible=Exists(visible)
    )
    if query.court:
        hearings = hearings.filter(court__code=query.court)
    if query.courtroom is not None:
        hearings = hearings.filter(courtroom_id=query.courtroom)
    if query.judge:
        if query.judge == "me":
            hearings = hearings.filter(judge=user)
        elif query.judge.isdigit():
            hearings = hearings.filter(judge_id=int(query.judge))
        else:
            hearings = hearings.filter(judge__username=query.judge)
    if query.status:
        hearings = hearings.filter(status=query.status)
    if query.attorney:
        appearances = Appearance.objects.filter(withdrawn_on__isnull=True)
        if query.attorney == "me":
            appearances = appearances.filter(attorney=user)
        else:
            appearances = appearances.filter(attorney__attorney_profile__bar_number=query.attorney)
        hearings = hearings.filter(case_visible=True, case_id__in=appearances.values("case_id"))
    if getattr(user, "role", None) == Role.ATTORNEY:
        # Interpreter needs are shown to an attorney only on their own cases.
        hearings = hearings.annotate(
            caller_of_record=Exists(
                Appearance.objects.filter(
                    case_id=OuterRef("case_id"), attorney=user, withdrawn_on__isnull=True
                )
            )
        )
    return hearings.select_related("case", "court", "courtroom", "judge").order_by(
        "starts_at", "courtroom__name", "id"
    )


@dataclass(frozen=True)
class CalendarReader:
    """What decides, for many hearings at once, whether the reader reads a visible case
    beyond its public level (`cases.policies.case_access_level` != public)."""

    user: object
    court_ids: frozenset[int]
    grant_ids: frozenset[int]

    @classmethod
    def of(cls, user) -> CalendarReader:
        if not getattr(user, "is_authenticated", False) or user.is_superuser:
            return cls(user, frozenset(), frozenset())
        return cls(user, frozenset(user_court_ids(user)), frozenset(sealed_grant_case_ids(user)))

    def beyond_public(self, hearing: Hearing) -> bool:
        user = self.user
        if not getattr(user, "is_authenticated", False):
            return False
        if user.is_superuser:
            return True
        if user.role == Role.ATTORNEY:
            return bool(getattr(hearing, "caller_of_record", False)) or (
                hearing.case_id in self.grant_ids
            )
        return user.is_court_staff and hearing.court_id in self.court_ids


def portal_read_audit(*, user, cases: Iterable[Case], surface: str, action: str) -> None:
    """Record that `user` was shown sealed or juvenile cases in full on a list surface
    (one event per page, naming them), as the day calendars and the case page do.
    Nothing is recorded when no such case was shown.

    Args:
        action: "calendar.read" (hearing lists, like the day calendars) or "case.read"
            (case lists with their docket entries, like the case page).
    """
    shown = sorted({c.number for c in cases if c.reads_are_audited})
    if not shown:
        return
    audit_record(
        action=action,
        actor=user if getattr(user, "is_authenticated", False) else None,
        details={"surface": surface, "cases": shown},
    )
