"""Celery tasks of payments: thin, they take ids (or nothing) and call one service.

Beat runs `payment_plans_nightly` once a night (CELERY_BEAT_SCHEDULE in
casemgmt.settings.base); a disbursement run is enqueued when a supervisor starts it.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from casemgmt.core.jobs import TRANSIENT_DB_ERRORS

logger = logging.getLogger(__name__)

MISSING_ROW_RETRIES = 3


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=60,
    retry_backoff_max=900,
    max_retries=5,
)
def payment_plans_nightly(today: str | None = None) -> dict[str, int]:
    """Mark installments delinquent and plans delinquent / in default / completed, then send
    the payment reminders due (payments.plans.payment_plans_nightly).

    Safe to run twice the same night: the marks are idempotent and each installment is
    reminded once.

    Args:
        today: ISO date to judge by (default: each court's own date).
    """
    from .plans import payment_plans_nightly as nightly

    return nightly(today=dt.date.fromisoformat(today) if today else None)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def disbursement_run_execute_task(self, run_id: int) -> None:
    """Execute a disbursement run, with progress. Safe to run twice (a run pays once, and
    an interrupted run carries on)."""
    from .disbursements import disbursement_run_execute
    from .models import DisbursementRun

    try:
        disbursement_run_execute(run_id=run_id)
    except DisbursementRun.DoesNotExist as exc:
        if self.request.retries < MISSING_ROW_RETRIES:
            raise self.retry(exc=exc, countdown=2) from exc
        logger.warning("disbursement run %s does not exist (rolled back?)", run_id)
