"""Celery tasks of the calendar: thin, they take ids and call one service (docket.services)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from casemgmt.core.jobs import TRANSIENT_DB_ERRORS

from . import services
from .models import SessionTemplate

logger = logging.getLogger(__name__)

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


# --- the nightly deadline monitor (docket.monitor) and its digests (docket.digests) ---------


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=60, max_retries=5)
def deadline_monitor(run_date: str | None = None) -> dict[str, object] | None:
    """Beat, hourly at minute 5: run the deadline monitor for the night every court has
    reached (docket.monitor.monitor_night), or only queue again its pending digests when
    the night has run. Safe to run twice, and at any hour.

    Args:
        run_date: ISO date of the night to process (default: the night ready now).

    Returns:
        A summary: the night, whether it ran now, what it marked and created, and how
        many digests were queued.
    """
    import datetime as dt

    from .monitor import deadline_monitor_run

    result = deadline_monitor_run(run_date=dt.date.fromisoformat(run_date) if run_date else None)
    if result is None:
        return None
    return {
        "run_date": result.run.run_date.isoformat(),
        "ran": result.created,
        "marked_missed": result.run.marked_missed,
        "due_soon": result.run.due_soon,
        "speedy_trial_alerts": result.run.speedy_trial_alerts,
        "digests": result.run.digests,
        "queued": len(result.queued),
    }


@shared_task(acks_late=True)
def deadline_digests_send(digest_ids: list[int]) -> dict[str, int]:
    """E-mail a batch of deadline digests (the monitor queues one task per
    DOCKET_DIGEST_BATCH_SIZE digests), one after another.

    Each digest goes through `digests.digest_send` in its own transaction: the row is
    locked and the e-mail sent only while it is pending, so a batch run twice (a
    duplicated task, a redelivery after a killed worker, the hourly re-queue) sends
    each digest once. A digest the mail server refuses for now, or hit by a database
    hiccup, is handed to `deadline_digest_send`, which retries it alone with backoff
    (this attempt counted as its first), so the rest of the batch goes on; one that
    fails otherwise stays pending for the next hourly tick, and the batch goes on.

    Returns:
        How many digests of the batch are in each state after it: sent, failed (the
        digest's status, whether this run or an earlier one ended it), locked (another
        worker holds it), gone, retrying, error.
    """
    from . import digests

    counts: dict[str, int] = {}
    errors: list[int] = []
    with digests.at_risk_shared():  # each court's clocks at risk read once per batch
        for digest_id in digest_ids:
            outcome = _send_in_batch(digest_id, errors)
            counts[outcome] = counts.get(outcome, 0) + 1
    if errors:
        logger.error("deadline digests left pending after errors: %s", errors)
    return counts


def _send_in_batch(digest_id: int, errors: list[int]) -> str:
    """Send one digest of a batch; its outcome (see `deadline_digests_send`)."""
    from django.db import connection

    from filings.tasks import delivery_backoff

    from . import digests
    from .models import DeadlineDigest

    try:
        digest = digests.digest_send(digest_id=digest_id)
    except DeadlineDigest.DoesNotExist:
        logger.warning("deadline digest %s does not exist; nothing to send", digest_id)
        return "gone"
    except (digests.DigestTransientError, *TRANSIENT_DB_ERRORS) as exc:
        logger.info("deadline digest %s: %s; retried alone", digest_id, exc)
        if isinstance(exc, TRANSIENT_DB_ERRORS) and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # the next digest reconnects
        deadline_digest_send.apply_async((digest_id,), countdown=delivery_backoff(0), retries=1)
        return "retrying"
    except Exception:
        # Left pending (its transaction rolled back): the next hourly tick queues it.
        logger.exception("deadline digest %s not sent; left pending", digest_id)
        errors.append(digest_id)
        return "error"
    return "locked" if digest is None else str(digest.status)


@shared_task(bind=True, acks_late=True, max_retries=6)
def deadline_digest_send(self, digest_id: int) -> None:
    """E-mail one deadline digest. Retries transient SMTP (and database) errors with
    backoff (1, 2, 4 ... 32 minutes), then marks it failed. The monitor queues digests in
    batches (`deadline_digests_send`); a batch hands this task the digests to retry.

    Safe to run twice: the service locks the digest and returns unless it is pending.
    """
    from filings.tasks import delivery_backoff

    from . import digests
    from .models import DeadlineDigest

    try:
        digests.digest_send(digest_id=digest_id)
    except DeadlineDigest.DoesNotExist:
        logger.warning("deadline digest %s does not exist; nothing to send", digest_id)
    except (digests.DigestTransientError, *TRANSIENT_DB_ERRORS) as exc:
        if self.request.retries >= self.max_retries:
            digests.digest_send_give_up(digest_id=digest_id, error=str(exc))
            return
        raise self.retry(exc=exc, countdown=delivery_backoff(self.request.retries)) from exc
