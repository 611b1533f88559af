"""Writes for courts, users and API tokens. Each writes its audit record."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .errors import DomainError
from .models import ApiToken, Court, CourtClosure, User

TOKEN_PREFIX = "cm_"


def token_digest(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough (no brute force to slow down).
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue an API token for `user`.

    Returns:
        The token row and the key. The key is shown once and never stored.

    Raises:
        DomainError: API_TOKEN_NAME_REQUIRED, API_TOKEN_EXPIRY_PAST.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError("API_TOKEN_NAME_REQUIRED", "Give the token a name.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(
            "API_TOKEN_EXPIRY_PAST", "The expiry must be in the future.", field="expires_at"
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:10], digest=token_digest(key), expires_at=expires_at
    )
    audit_record(action="api_token.create", obj=token, details={"user": user.username})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke a token (the owner or a superuser). Revoking twice is a no-op."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="api_token.revoke", actor=actor, obj=token)
    return token


@transaction.atomic
def court_closure_declare(
    *, court: Court, date: dt.date, reason: str, declared_by: User | None
) -> CourtClosure:
    """Declare the court closed on `date` (FRCP 6(a)(3): clerk's office inaccessible).

    Raises:
        DomainError: CLOSURE_REASON_REQUIRED, COURT_ALREADY_CLOSED (409).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("CLOSURE_REASON_REQUIRED", "Say why the court closes.", field="reason")
    if CourtClosure.objects.filter(court=court, date=date).exists():
        raise DomainError(
            "COURT_ALREADY_CLOSED",
            f"{court} is already closed on {date}.",
            field="date",
            status=409,
        )
    closure = CourtClosure.objects.create(
        court=court, date=date, reason=reason[:200], declared_by=declared_by
    )
    audit_record(
        action="court.closure_declare",
        actor=declared_by,
        obj=closure,
        court=court,
        details={"date": date.isoformat(), "reason": closure.reason},
    )
    return closure
