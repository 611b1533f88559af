"""The audit trail helper. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEvent, AuditOutcome, Court, User

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "casemgmt_current_request", default=None
)


@contextmanager
def request_context(request: HttpRequest) -> Iterator[None]:
    """Make `request` the source of actor and IP for audit records written inside."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind PROXY_COUNT trusted proxies, from X-Forwarded-For."""
    if request is None:
        return None
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _object_fields(obj: Any) -> dict[str, str]:
    if obj is None:
        return {"object_type": "", "object_id": "", "object_repr": ""}
    meta = obj._meta
    return {
        "object_type": meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
    }


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_username: str = "",
    obj: Any = None,
    court: Court | None = None,
    case: Any = None,
    outcome: str = AuditOutcome.SUCCESS,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit event.

    Args:
        action: dotted verb, e.g. ``auth.login`` or ``case.open``.
        actor: who acted; defaults to the signed-in user of the current request.
        obj: the model instance acted on (type, id and text are kept).
        court: the court the act belongs to; defaults to ``case.court`` or ``obj.court``.
        case: the case acted on (any object with ``pk`` and ``number``).
        outcome: ``success`` or ``denied``.
        details: JSON-serialisable facts worth keeping (never passwords or secrets).
        request: the request, when not running inside ``request_context``.

    Returns:
        The saved event. Call it inside the service's transaction so that the
        event and the act commit or roll back together.
    """
    request = request or _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if court is None:
        court = getattr(case, "court", None) or getattr(obj, "court", None)
        if court is not None and not isinstance(court, Court):
            court = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=(actor.get_username() if actor else actor_username)[:150],
        court=court,
        case_id=getattr(case, "pk", None),
        case_number=getattr(case, "number", "") or "",
        outcome=outcome,
        ip_address=client_ip(request),
        details=details or {},
        **_object_fields(obj),
    )
