"""Reads for courts, users and the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from .holidays import court_legal_holidays
from .models import AuditEvent, Court, CourtClosure, CourtMembership
from .roles import Role

ACTIVE_COURT_SESSION_KEY = "casemgmt.court_id"


def court_list_for_user(user) -> QuerySet[Court]:
    """Courts a user works in. Superusers work in every court; the public in none."""
    if not user.is_authenticated:
        return Court.objects.none()
    courts = Court.objects.filter(is_active=True)
    if user.is_superuser:
        return courts
    return courts.filter(memberships__user=user)


def court_active_for(request: HttpRequest) -> Court | None:
    """The court this session works in: the chosen one, else the user's default, else the first.

    Cached on the request; one query.
    """
    if hasattr(request, "_casemgmt_court"):
        return request._casemgmt_court
    court = None
    user = request.user
    if user.is_authenticated:
        courts = list(
            court_list_for_user(user).annotate(
                is_default=Exists(
                    CourtMembership.objects.filter(user=user, court=OuterRef("pk"), is_default=True)
                )
            )
        )
        chosen = request.session.get(ACTIVE_COURT_SESSION_KEY)
        court = next((c for c in courts if c.pk == chosen), None)
        court = court or next((c for c in courts if c.is_default), None)
        court = court or (courts[0] if courts else None)
        request._casemgmt_courts = courts
    request._casemgmt_court = court
    return court


def court_list_for_request(request: HttpRequest) -> list[Court]:
    """The signed-in user's courts, loaded once per request with the active court."""
    court_active_for(request)
    return getattr(request, "_casemgmt_courts", [])


def court_public_list() -> QuerySet[Court]:
    return Court.objects.filter(is_active=True).order_by("name")


@dataclass(frozen=True)
class CourtDayOff:
    date: dt.date
    name: str
    kind: str  # "holiday" or "closure"


def court_days_off(*, court: Court, start: dt.date, end: dt.date) -> list[CourtDayOff]:
    """Legal holidays and declared closures of `court` between start and end, inclusive."""
    days = [
        CourtDayOff(date=day, name=name, kind="holiday")
        for day, name in court_legal_holidays(court, start.year, end.year).items()
        if start <= day <= end
    ]
    days += [
        CourtDayOff(date=c.date, name=c.reason, kind="closure")
        for c in CourtClosure.objects.filter(court=court, date__range=(start, end))
    ]
    return sorted(days, key=lambda d: (d.date, d.kind))


def audit_event_list_for(user) -> QuerySet[AuditEvent]:
    """Audit events a user may read, newest first.

    Superusers read everything. A supervisor reads the events of their courts and
    the court-less events (sign-ins, account changes) done by or to users who work
    there. Everyone else reads nothing.

    The courts and colleagues are fetched first (two small queries) so that the
    big table is filtered by plain column conditions the planner can use while
    walking the occurred_at index (see bench/audit_log.py).
    """
    events = AuditEvent.objects.select_related("court")
    if not user.is_authenticated or not user.is_active:
        return events.none()
    if user.is_superuser:
        return events
    if user.role != Role.SUPERVISOR:
        return events.none()
    court_ids = list(CourtMembership.objects.filter(user=user).values_list("court_id", flat=True))
    colleague_ids = list(
        CourtMembership.objects.filter(court_id__in=court_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return events.filter(
        Q(court_id__in=court_ids)
        | Q(court__isnull=True, actor_id__in=colleague_ids)
        | Q(
            court__isnull=True,
            object_type="core.user",
            object_id__in=[str(pk) for pk in colleague_ids],
        )
    )
