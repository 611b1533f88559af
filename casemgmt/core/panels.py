"""Core's navigation items and home-page panels."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import AuditOutcome
from .roles import STAFF_ROLES, Role
from .selectors import audit_event_list_for, court_active_for, court_days_off
from .shell import ALL_ROLES, HomePanel, NavItem, register_home_panel, register_nav


def _today(request) -> dict:
    court = court_active_for(request)
    if court is None:
        return {"court": None}
    today = court.local_today()
    days_off = court_days_off(court=court, start=today, end=today + dt.timedelta(days=45))
    return {
        "court": court,
        "now": court.local_now(),
        "closed_today": next((d for d in days_off if d.date == today), None),
        "days_off": [d for d in days_off if d.date > today][:6],
    }


def _recent_audit(request) -> dict:
    events = audit_event_list_for(request.user)
    since = timezone.now() - dt.timedelta(hours=24)
    return {
        "events": list(events[:8]),
        "denied_24h": events.filter(outcome=AuditOutcome.DENIED, occurred_at__gte=since).count(),
    }


def _attorney(request) -> dict:
    user = request.user
    return {
        "profile": getattr(user, "attorney_profile", None),
        "active_tokens": sum(1 for t in user.api_tokens.all() if t.is_usable),
    }


def register() -> None:
    register_nav(NavItem("Home", "core:home", ALL_ROLES, order=0))
    register_nav(NavItem("Audit log", "core:audit_list", (Role.SUPERVISOR,), order=900))
    register_nav(NavItem("Account", "core:account", ALL_ROLES, order=1000))
    register_home_panel(
        HomePanel(
            "today", "Today in court", "core/panels/today.html", tuple(STAFF_ROLES), _today, 0
        )
    )
    register_home_panel(
        HomePanel(
            "audit_recent",
            "Recent activity in your courts",
            "core/panels/audit_recent.html",
            (Role.SUPERVISOR,),
            _recent_audit,
            50,
        )
    )
    register_home_panel(
        HomePanel(
            "attorney",
            "Your bar registration and API access",
            "core/panels/attorney.html",
            (Role.ATTORNEY,),
            _attorney,
            10,
        )
    )
