"""Celery tasks of filings: thin, they take ids and call one service (filings.notices)."""

from __future__ import annotations

import logging
import random

from celery import shared_task

from casemgmt.core.jobs import TRANSIENT_DB_ERRORS

from . import notices
from .models.notices import Notice, NoticeBatch, NoticeRecipient

logger = logging.getLogger(__name__)

DELIVERY_MAX_RETRIES = 6
DELIVERY_BACKOFF_BASE_S = 60
DELIVERY_BACKOFF_MAX_S = 3600


def delivery_backoff(retries: int) -> int:
    """Seconds before retry n+1: 1, 2, 4, 8, 16, 32 minutes (capped at 1 h), +-20% jitter."""
    base = min(DELIVERY_BACKOFF_BASE_S * 2**retries, DELIVERY_BACKOFF_MAX_S)
    return int(base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


MISSING_ROW_RETRIES = 3  # a row not found yet: looked for again, 2 s apart, then dropped


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def notice_render(self, notice_id: int) -> None:
    """Render a notice to PDF, store and docket it, queue its e-mails: exactly once.

    Safe to run twice: the service locks the notice and returns if it is done. A
    notice not found is looked for again a few times (a replica or a connection may
    not see the issuing commit yet) before it is taken as rolled back.
    """
    try:
        notices.notice_render(notice_id=notice_id)
    except Notice.DoesNotExist as exc:
        if self.request.retries < MISSING_ROW_RETRIES:
            logger.info("notice %s not found yet; looking again in 2 s", notice_id)
            raise self.retry(exc=exc, countdown=2) from exc
        logger.warning("notice %s does not exist (rolled back?); nothing to render", notice_id)


@shared_task(bind=True, acks_late=True, max_retries=DELIVERY_MAX_RETRIES)
def notice_deliver(self, recipient_id: int) -> None:
    """E-mail one recipient their copy. Retries transient SMTP errors with backoff, then gives up.

    Safe to run twice: the service locks the recipient and returns if it is done.
    """
    try:
        notices.notice_recipient_deliver(recipient_id=recipient_id)
    except NoticeRecipient.DoesNotExist:
        logger.warning("notice recipient %s does not exist; nothing to send", recipient_id)
    except (notices.TransientDeliveryError, *TRANSIENT_DB_ERRORS) as exc:
        if self.request.retries >= self.max_retries:
            notices.notice_recipient_delivery_give_up(recipient_id=recipient_id, error=str(exc))
            return
        raise self.retry(exc=exc, countdown=delivery_backoff(self.request.retries)) from exc


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def notice_batch_issue_task(batch_id: int) -> None:
    """Issue the notices of a batch, with progress. Safe to run twice (it resumes)."""
    try:
        notices.notice_batch_issue(batch_id=batch_id)
    except NoticeBatch.DoesNotExist:
        logger.warning("notice batch %s does not exist; nothing to issue", batch_id)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def packet_build(packet_id: int) -> None:
    """Bind a case packet into one PDF and store it: exactly once.

    Safe to run twice: the service locks the packet and returns if it is not pending.
    """
    from . import packets
    from .models.packets import CasePacket

    try:
        packets.packet_build(packet_id=packet_id)
    except CasePacket.DoesNotExist:
        logger.warning("packet %s does not exist (rolled back?); nothing to build", packet_id)


@shared_task(
    acks_late=True,
    autoretry_for=(*TRANSIENT_DB_ERRORS, OSError),  # smtplib errors are OSErrors
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=DELIVERY_MAX_RETRIES,
)
def filing_notify(filing_id: int, event: str) -> None:
    """E-mail the filer that their filing was accepted or rejected (`event`): once.

    Safe to run twice: the service locks the filing and stops if its marker (audit
    event ``filing.notify``) exists.
    """
    from . import services

    services.filing_notify(filing_id=filing_id, event=event)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, max_retries=3, retry_backoff=60)
def document_orphans_sweep_task() -> int:
    """Nightly: delete stored files no document row names, older than a day (see
    filings.services.document_orphans_sweep). Safe to run twice."""
    from .services import document_orphans_sweep

    return len(document_orphans_sweep())


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, max_retries=3, retry_backoff=60)
def packets_stale_requeue() -> int:
    """Every few minutes: enqueue again the packet builds whose worker died (see
    filings.packets.PACKET_BUILD_STALE_AFTER). Safe to run twice: the build claims once."""
    from . import packets

    stale = packets.packets_stale_list()
    for packet_id in stale:
        packet_build.delay(packet_id)
    return len(stale)
