"""Celery tasks of the calendar: thin, they take ids and call one service (docket.services)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services
from .models import SessionTemplate

logger = logging.getLogger(__name__)

# Database hiccups (a failover, a dropped connection) are worth retrying.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
DEFAULT_WEEKS_AHEAD = 8


def weeks_ahead() -> int:
    return int(getattr(settings, "DOCKET_SESSION_WEEKS_AHEAD", DEFAULT_WEEKS_AHEAD))


@shared_task(acks_late=True)
def sessions_generate_ahead() -> int:
    """Beat, nightly: queue the session generation of every active template.

    Returns:
        How many templates were queued. Safe to run twice (generation is idempotent).
    """
    ids = list(
        SessionTemplate.objects.filter(is_active=True, court__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    weeks = weeks_ahead()
    for template_id in ids:
        session_template_generate.delay(template_id, weeks)
    return len(ids)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def session_template_generate(template_id: int, weeks: int) -> int:
    """Create the template's sessions from today (court-local) to `weeks` ahead.

    Returns:
        How many sessions were created (0 on a second run, or for a template gone).
    """
    template = SessionTemplate.objects.select_related("court", "courtroom").filter(pk=template_id)
    template = template.first()
    if template is None or not template.is_active:
        logger.info("session template %s gone or inactive; nothing to generate", template_id)
        return 0
    return len(services.sessions_generate_ahead(template=template, weeks=weeks))
