"""The case file's Deadlines panel (registered in DocketConfig.ready()).

One query: the case's deadlines as the reader may read them (docket.deadline_selectors),
still-open ones first by due date, then the closed ones, with their rule, owner and
entries. Days left count from the court's today. Who may set or close deadlines is
decided from the reader's access level (`filings.policies.keeps_record_at_level`),
without a query.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from cases.policies import PUBLIC
from filings.policies import keeps_record_at_level

from .deadline_selectors import case_deadlines_active_first
from .deadline_services import ACTIVE_STATUSES
from .models import Deadline

# A case with more deadlines than this shows the first ones; the case's deadline page
# and the API list them all.
PANEL_DEADLINES = 50

ROLE_WORDS = {
    "parties": "The parties",
    "opposing_party": "The party opposing",
    "court": "The court",
    "clerk": "The clerk's office",
}


def responsible_words(role: str) -> str:
    """Who must act, in words: "Defendant", "The parties", ..."""
    if not role:
        return ""
    return ROLE_WORDS.get(role, role.replace("_", " ").capitalize())


def owner_name(deadline: Deadline) -> str:
    owner = deadline.owner
    if owner is None:
        return ""
    return owner.get_full_name() or owner.get_username()


def deadline_item(deadline: Deadline, *, today, show_reasons: bool) -> dict:
    """What the panel, the case's deadline page and "My deadlines" show of a deadline."""
    active = deadline.status in ACTIVE_STATUSES
    left = (deadline.due_on - today).days
    rule = deadline.rule
    return {
        "deadline": deadline,
        "active": active,
        "days_left": left if active else None,
        "overdue": active and left < 0,
        "overdue_days": -left if active and left < 0 else 0,
        "soon": active and 0 <= left <= 7,
        "who": responsible_words(deadline.responsible_role),
        "owner": owner_name(deadline),
        "citation": rule.citation if rule is not None else "",
        "by_hand": rule is None,
        "steps": [str(s) for s in (deadline.steps or [])],
        "reason": deadline.status_reason if show_reasons else "",
    }


def case_deadlines_url(court_code: str, number: str) -> str:
    return reverse("case_deadlines:case", args=[court_code, number])


def deadlines_panel_context(request: HttpRequest, case_file) -> dict:
    """The case's deadlines: open and missed first (soonest first), then closed ones."""
    case = case_file.case
    rows = list(case_deadlines_active_first(case, level=case_file.level)[: PANEL_DEADLINES + 1])
    today = case.court.local_today()
    show_reasons = case_file.level != PUBLIC
    items = [deadline_item(d, today=today, show_reasons=show_reasons) for d in rows]
    shown = items[:PANEL_DEADLINES]
    keeper = keeps_record_at_level(request.user, case_file.level)
    return {
        "active": [i for i in shown if i["active"]],
        "closed": [i for i in shown if not i["active"]],
        "truncated": len(items) > PANEL_DEADLINES,
        "shown": len(shown),
        "page_url": case_deadlines_url(case.court.code, case.number),
        "can_set": keeper,
        "today": today,
    }
