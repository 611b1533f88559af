"""Reads of deadlines: a case's (panel, page, API), "My deadlines" for attorneys and the
clerk's office, and each case's next open deadline for the attorney portal.

Visibility, on every surface: a deadline is read through its case, so only deadlines of
cases in `Case.objects.visible_to(user)` are ever listed (a sealed case the reader may
not see leaks nothing: not its number, not its deadline names). Within a visible case,
a deadline opened by a docket entry the reader may not read at their level (a sealed
motion in a case they read as confidential) is left out too, since its name and date
would tell what the register hides.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as When_
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value, When

from casemgmt.core.pagination import Page, paginate_without_count
from casemgmt.core.roles import Role
from cases.models import Case, DocketEntry
from cases.policies import CONFIDENTIAL, RECORD_KEEPERS, SEALED
from cases.querysets import sealed_grant_case_ids, user_court_ids

from .deadline_services import ACTIVE_STATUSES
from .models import Deadline

MY_DEADLINES_PER_PAGE = 50


def _entries_readable(level: str) -> Q:
    """Deadlines whose trigger entry (if any) is within `level` (cases.policies)."""
    if level == SEALED:
        return Q()
    readable = DocketEntry.objects.filter(pk=OuterRef("trigger_entry_id")).visible_at(level)
    return Q(trigger_entry__isnull=True) | Q(Exists(readable))


def deadline_list_visible(user) -> QuerySet[Deadline]:
    """Deadlines of the cases `user` may see (Case.objects.visible_to): the one rule."""
    return Deadline.objects.filter(case__in=Case.objects.visible_to(user))


def case_deadline_list(case: Case, *, level: str) -> QuerySet[Deadline]:
    """The deadlines of a case the caller found among the visible ones, as read at `level`
    (their rule, owner and entries loaded), by due date."""
    return (
        Deadline.objects.filter(case=case)
        .filter(_entries_readable(level))
        .select_related("rule", "owner", "trigger_entry", "met_by")
        .order_by("due_on", "id")
    )


def case_deadlines_active_first(case: Case, *, level: str) -> QuerySet[Deadline]:
    """The case's deadlines still calling for the act (open, missed) soonest first, then
    the closed ones (met, waived, vacated) latest first."""
    closed = When_(When(status__in=ACTIVE_STATUSES, then=Value(0)), default=Value(1))
    active_due = When_(When(status__in=ACTIVE_STATUSES, then=F("due_on")), default=None)
    return (
        case_deadline_list(case, level=level)
        .annotate(closed=closed)
        .order_by("closed", active_due.asc(nulls_last=True), F("due_on").desc(), "id")
    )


def deadline_get_for_case(case: Case, pk: int, *, level: str) -> Deadline | None:
    return case_deadline_list(case, level=level).filter(pk=pk).first()


# --- "My deadlines" ---------------------------------------------------------------------------


def my_deadlines_role(user) -> str:
    """Which "My deadlines" a user has: "attorney", "clerk" (the clerk's office: clerks,
    courtroom clerks, supervisors), or "" (none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.role == Role.ATTORNEY:
        return "attorney"
    if user.role in RECORD_KEEPERS or user.is_superuser:
        return "clerk"
    return ""


def _sealed_readable(user) -> Q:
    """Cases of the list `user` reads at the sealed level (their entries all readable)."""
    if user.is_superuser:
        return Q(pk__isnull=False)
    if user.role == Role.SUPERVISOR:
        return Q(case__court_id__in=user_court_ids(user)) | Q(
            case_id__in=sealed_grant_case_ids(user)
        )
    return Q(case_id__in=sealed_grant_case_ids(user))


def my_deadline_list(user, *, due_by: dt.date | None = None) -> QuerySet[Deadline]:
    """The deadlines `user` looks after, open or missed, by due date.

    * An attorney: every open deadline of the cases where they hold an active appearance
      and which they may see (`docket.portal.attorney_case_ids`).
    * The clerk's office (clerk, courtroom clerk, supervisor): the open deadlines of
      their courts' visible cases that they own or that nobody owns.
    * Anyone else: none.

    Args:
        due_by: only those due on or before this court-local date.
    """
    from .portal import attorney_case_ids

    kind = my_deadlines_role(user)
    deadlines = Deadline.objects.filter(status__in=ACTIVE_STATUSES)
    if kind == "attorney":
        deadlines = deadlines.filter(case_id__in=attorney_case_ids(user))
    elif kind == "clerk":
        deadlines = deadlines.filter(
            Q(owner=user) | Q(owner__isnull=True),
            case__in=Case.objects.visible_to(user),
        )
        if not user.is_superuser:
            deadlines = deadlines.filter(court_id__in=user_court_ids(user))
    else:
        return Deadline.objects.none()
    deadlines = deadlines.filter(_sealed_readable(user) | _entries_readable(CONFIDENTIAL))
    if due_by is not None:
        deadlines = deadlines.filter(due_on__lte=due_by)
    return deadlines.select_related("case__court", "rule", "owner").order_by("due_on", "id")


def my_deadlines_page(user, *, page: str | int | None, due_by: dt.date | None = None) -> Page:
    """A page of "My deadlines" (paged without COUNT: a caseload may be large)."""
    return paginate_without_count(
        my_deadline_list(user, due_by=due_by), page, MY_DEADLINES_PER_PAGE
    )


# --- the attorney portal --------------------------------------------------------------------


def next_deadline_by_case(case_ids: list[int], *, sealed_ids: set[int]) -> dict[int, Deadline]:
    """Each case's next open (or missed) deadline, as the attorney of record reads it
    (confidential; sealed where `sealed_ids`): one query, DISTINCT ON case."""
    if not case_ids:
        return {}
    deadlines = (
        Deadline.objects.filter(case_id__in=case_ids, status__in=ACTIVE_STATUSES)
        .filter(Q(case_id__in=sealed_ids) | _entries_readable(CONFIDENTIAL))
        .only("id", "case_id", "name", "due_on", "due_at", "status")
        .order_by("case_id", "due_on", "id")
        .distinct("case_id")
    )
    return {d.case_id: d for d in deadlines}


def days_left(deadline: Deadline, today: dt.date) -> int:
    """Days from the court's today to the due date (negative when past)."""
    return (deadline.due_on - today).days
