"""Who may do what at the level of pages and roles. Object visibility lives with each model."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .audit import audit_record
from .models import AuditOutcome


def audit_denied(request, *, reason: str, **details) -> None:
    """Record that the signed-in user was refused something."""
    audit_record(
        action="access.denied",
        outcome=AuditOutcome.DENIED,
        request=request,
        details={"path": request.path[:200], "method": request.method, "reason": reason, **details},
    )


def user_has_role(user, *roles: str) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in roles)
    )


def role_required(*roles: str) -> Callable:
    """View decorator: signed-in users with one of `roles` (or superusers) only.

    The public is sent to the login page; a signed-in user without the role gets
    403 and the refusal is audited.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, *roles):
                audit_denied(request, reason="role", required=list(roles))
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
