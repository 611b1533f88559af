"""Attorneys' iCal feeds: the secret feed URL (create, rotate, revoke; audited) and the
calendar itself (RFC 5545, built with `icalendar`).

The secret appears once, in the answer that makes it; the database keeps its SHA-256
only (like core's API tokens), so a leaked database does not leak feed URLs. A user has
at most one active token (a partial unique constraint); rotating revokes the old one and
makes a new one in the same transaction.

One VEVENT per hearing chain: a continuance creates the next hearing with the same
`feed_uid` and a higher `sequence`, so a calendar client moves the event it already has
instead of showing two. The continued links (history) are never events of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import User
from casemgmt.core.roles import Role

from .models import CalendarFeedToken, Hearing, HearingStatus
from .portal import attorney_case_ids

FEED_TOKEN_PREFIX = "cf_"  # recognisable in logs and to secret scanners
# The feed is bounded: what a calendar client needs (recent past, the year ahead).
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 366
FEED_MAX_EVENTS = 5000  # a backstop far above any caseload's hearings in the window
# Touch last_used_at at most this often: clients poll every few minutes.
FEED_TOUCH_EVERY = dt.timedelta(minutes=15)
FEED_UID_DOMAIN = "casemgmt"
PRODID = "-//casemgmt//Court hearings//EN"

CANCELLED_STATUSES = (HearingStatus.VACATED, HearingStatus.CANCELLED)


def feed_token_digest(secret: str) -> str:
    # 256 random bits: a fast hash is enough (there is nothing to brute-force).
    return hashlib.sha256(secret.encode()).hexdigest()


# --- the secret URL ----------------------------------------------------------------------


def _check_may_manage(*, user: User, actor: User) -> None:
    if actor.pk != user.pk and not actor.is_superuser:
        raise DomainError(
            "FEED_TOKEN_NOT_YOURS", "Only the owner manages a calendar feed.", status=403
        )


def _issue(user: User) -> tuple[CalendarFeedToken, str]:
    secret = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = CalendarFeedToken.objects.create(user=user, token_hash=feed_token_digest(secret))
    return token, secret


def _lock_user(user: User) -> None:
    # One feed operation per user at a time: create/rotate/revoke read "the active token"
    # and must not interleave (the partial unique constraint would refuse the loser).
    User.objects.select_for_update().filter(pk=user.pk).first()


def calendar_feed_token_active(user: User) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_feed_token_create(*, user: User, actor: User) -> tuple[CalendarFeedToken, str]:
    """Make `user`'s secret calendar feed URL.

    Args:
        user: the attorney whose hearings the feed lists.
        actor: who asks (the attorney, or a superuser).

    Returns:
        The token row and the secret. Show the secret once; only its SHA-256 is kept.

    Raises:
        DomainError: FEED_NOT_FOR_ROLE (403) for users other than attorneys,
            FEED_TOKEN_NOT_YOURS (403), FEED_TOKEN_EXISTS (409) when one is active
            (rotate it instead).
    """
    _check_may_manage(user=user, actor=actor)
    if user.role != Role.ATTORNEY or not user.is_active:
        raise DomainError(
            "FEED_NOT_FOR_ROLE", "Calendar feeds are for attorneys of record.", status=403
        )
    _lock_user(user)
    if calendar_feed_token_active(user) is not None:
        raise DomainError(
            "FEED_TOKEN_EXISTS",
            "You already have a calendar feed URL; rotate it to get a new one.",
            status=409,
        )
    token, secret = _issue(user)
    audit_record(
        action="calendar_feed_token.create",
        actor=actor,
        obj=token,
        details={"user": user.username},
    )
    return token, secret


@transaction.atomic
def calendar_feed_token_rotate(*, user: User, actor: User) -> tuple[CalendarFeedToken, str]:
    """Replace `user`'s feed URL: the old one stops working (404) at once.

    Returns:
        The new token row and its secret (shown once).

    Raises:
        DomainError: FEED_TOKEN_NOT_YOURS (403), FEED_TOKEN_NONE (409) when there is no
            active URL to rotate.
    """
    _check_may_manage(user=user, actor=actor)
    _lock_user(user)
    old = calendar_feed_token_active(user)
    if old is None:
        raise DomainError("FEED_TOKEN_NONE", "You have no calendar feed URL to rotate.", status=409)
    old.revoked_at = timezone.now()
    old.save(update_fields=["revoked_at"])
    token, secret = _issue(user)
    audit_record(
        action="calendar_feed_token.rotate",
        actor=actor,
        obj=token,
        details={"user": user.username, "revoked_token": old.pk},
    )
    return token, secret


@transaction.atomic
def calendar_feed_token_revoke(*, user: User, actor: User) -> CalendarFeedToken | None:
    """Revoke `user`'s feed URL; it answers 404 from now on.

    Returns:
        The revoked token, or None when there was no active one (nothing is recorded:
        revoking twice is harmless).

    Raises:
        DomainError: FEED_TOKEN_NOT_YOURS (403).
    """
    _check_may_manage(user=user, actor=actor)
    _lock_user(user)
    token = calendar_feed_token_active(user)
    if token is None:
        return None
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        action="calendar_feed_token.revoke",
        actor=actor,
        obj=token,
        details={"user": user.username},
    )
    return token


def calendar_feed_token_resolve(secret: str) -> CalendarFeedToken | None:
    """The active token whose secret is `secret`, with its user; None for an unknown,
    revoked or malformed secret, or when its user is no longer an active attorney."""
    if not secret.startswith(FEED_TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=feed_token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.user.role != Role.ATTORNEY:
        return None
    return token


def calendar_feed_token_touch(token: CalendarFeedToken, *, now: dt.datetime) -> None:
    """Record that the feed was read; at most once per FEED_TOUCH_EVERY (bookkeeping,
    not an act: no audit record). A conditional UPDATE, so concurrent polls write once."""
    if token.last_used_at is not None and now - token.last_used_at < FEED_TOUCH_EVERY:
        return
    CalendarFeedToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - FEED_TOUCH_EVERY)
    ).update(last_used_at=now)


# --- the calendar ------------------------------------------------------------------------


def feed_hearing_list(user: User, *, now: dt.datetime) -> QuerySet[Hearing]:
    """The hearings `user`'s feed lists: the latest link of each chain on the cases where
    they hold an active appearance and which they may see now, within the window."""
    return (
        Hearing.objects.filter(
            case_id__in=attorney_case_ids(user),
            starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK),
            starts_at__lt=now + dt.timedelta(days=FEED_DAYS_AHEAD),
        )
        .exclude(status=HearingStatus.CONTINUED)
        .select_related("case", "court", "courtroom", "judge")
        .order_by("starts_at", "id")[:FEED_MAX_EVENTS]
    )


def feed_caption(hearing: Hearing) -> str:
    """The caption an event shows. A feed leaves the court's systems for the attorney's
    calendar provider, so sealed and juvenile cases (names of children, sealed parties)
    show the court's placeholder; the case number is enough for the attorney."""
    case = hearing.case
    if case.reads_are_audited:
        return hearing.court.sealed_caption_placeholder
    return case.caption


def feed_event_uid(hearing: Hearing) -> str:
    return f"{hearing.feed_uid}@{FEED_UID_DOMAIN}"


def feed_event(hearing: Hearing, *, url: str | None = None) -> Event:
    """One VEVENT for a hearing (times in UTC: no VTIMEZONE needed, every client agrees)."""
    event = Event()
    event.add("uid", feed_event_uid(hearing))
    event.add("sequence", hearing.sequence)
    event.add("dtstamp", hearing.updated_at.astimezone(dt.UTC))
    event.add("last-modified", hearing.updated_at.astimezone(dt.UTC))
    event.add("dtstart", hearing.starts_at.astimezone(dt.UTC))
    event.add("dtend", hearing.ends_at.astimezone(dt.UTC))
    event.add(
        "summary",
        f"{hearing.get_hearing_type_display()}: {hearing.case.number} {feed_caption(hearing)}",
    )
    room = hearing.courtroom
    event.add(
        "location",
        ", ".join(part for part in (room.name, room.location, hearing.court.name) if part),
    )
    event.add("status", "CANCELLED" if hearing.status in CANCELLED_STATUSES else "CONFIRMED")
    lines = [f"{hearing.court.name}, {room.name}"]
    if hearing.judge_id:
        lines.append(f"Judge: {hearing.judge.get_full_name() or hearing.judge.get_username()}")
    lines.append(f"Status: {hearing.get_status_display()}")
    if hearing.status in CANCELLED_STATUSES and hearing.status_reason:
        lines.append(f"Reason: {hearing.status_reason}")
    if hearing.setting_number > 1:
        lines.append(f"Setting: {hearing.setting_number}")
    if url:
        lines.append(url)
        event.add("url", url)
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT" if hearing.status in CANCELLED_STATUSES else "OPAQUE")
    return event


def feed_calendar_build(
    *,
    user: User,
    hearings: Iterable[Hearing],
    case_url: Callable[[Hearing], str] | None = None,
) -> bytes:
    """The iCalendar document of `hearings` for `user` (METHOD:PUBLISH)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = user.get_full_name() or user.get_username()
    calendar.add("x-wr-calname", f"Court hearings — {name}")
    # Clients that honour these poll hourly (RFC 7986 REFRESH-INTERVAL; Outlook's TTL).
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for hearing in hearings:
        calendar.add_component(feed_event(hearing, url=case_url(hearing) if case_url else None))
    return calendar.to_ical()
