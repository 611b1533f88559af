"""Builds the worker runs exactly once: claimed under a row lock, taken over when stale,
released on a transient database error, marked failed otherwise.

A model built this way (case packets, monthly reports, dashboard exports) has `status`,
`started_at`, `done`, `error` and `finished_at`. Its build:

    claim = BUILD.claim(pk)              # pending -> running, or None: not this run's
    ...                                  # the work, outside any transaction
    with transaction.atomic():
        obj = <the row, locked>
        if not BUILD.holds(obj, claim.at):
            return obj                   # taken over meanwhile: that claim finishes it
        ...                              # keep the result, mark it done, audit
    # on TRANSIENT_DB_ERRORS: BUILD.release(pk, claim.at) and raise (the task retries)
    # on anything else:       return BUILD.fail(pk, claim.at, exc)

Every step after the claim names the claim's instant (`started_at`), so a worker whose
claim went stale and was taken over can neither finish, release nor fail the job.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import InterfaceError, OperationalError, models, transaction
from django.utils import timezone

from .audit import audit_record
from .errors import error_parts

logger = logging.getLogger(__name__)

# Database hiccups (a failover, a dropped connection): the same work may succeed, so
# tasks retry them; a task that fails for any other reason would fail the same way again.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
# Ids handed to one run of a stale-requeue task.
STALE_LIST_MAX = 1000


@dataclass(frozen=True)
class Claim:
    """A claimed build: the row as claimed, and the claim's instant (None: not claimed)."""

    obj: models.Model
    at: dt.datetime | None


@dataclass(frozen=True)
class ClaimedBuild:
    """How one model's builds are claimed and ended.

    Args:
        model: the model built.
        pending, running, failed: its status values.
        stale_after: a claim older than this lost its worker and is taken over.
        failed_action: the audit action of a failure.
        audit_on: the relation (`court` or `case`) the failure's audit record names.
        defer: columns not read when claiming or failing (the stored file).
    """

    model: type[models.Model]
    pending: str
    running: str
    failed: str
    stale_after: dt.timedelta
    failed_action: str
    audit_on: str
    defer: tuple[str, ...] = field(default=())

    def claim(self, pk: int) -> Claim:
        """Claim row `pk` (pending -> running) under its row lock, or take over a stale
        claim. A row claimed by a live worker, or over, is returned unclaimed.

        Raises:
            model.DoesNotExist: no such row.
        """
        with transaction.atomic():
            obj = self.model.objects.select_for_update().defer(*self.defer).get(pk=pk)
            stale = (
                obj.status == self.running
                and obj.started_at is not None
                and obj.started_at < timezone.now() - self.stale_after
            )
            if obj.status != self.pending and not stale:
                return Claim(obj, None)
            obj.status = self.running
            obj.started_at = timezone.now()
            obj.done = 0
            obj.save(update_fields=["status", "started_at", "done"])
            return Claim(obj, obj.started_at)

    def holds(self, obj: models.Model, claimed_at: dt.datetime) -> bool:
        """Whether the claim of `claimed_at` is still the row's (read under its lock)."""
        return obj.status == self.running and obj.started_at == claimed_at

    def release(self, pk: int, claimed_at: dt.datetime) -> None:
        """Put a claimed row back to pending (a transient error: the task retries)."""
        with transaction.atomic():
            self.model.objects.filter(pk=pk, status=self.running, started_at=claimed_at).update(
                status=self.pending, done=0
            )

    @transaction.atomic
    def fail(self, pk: int, claimed_at: dt.datetime, error: Exception) -> models.Model:
        """Mark a claimed row failed with the error's code and message, audited."""
        obj = (
            self.model.objects.select_for_update(of=("self",))
            .select_related(self.audit_on)
            .defer(*self.defer)
            .get(pk=pk)
        )
        if not self.holds(obj, claimed_at):
            return obj
        code, message = error_parts(error)
        obj.status = self.failed
        obj.error = f"{code}: {message}"[:2000]
        obj.finished_at = timezone.now()
        obj.save(update_fields=["status", "error", "finished_at"])
        audit_record(
            action=self.failed_action,
            actor_username="system",
            obj=obj,
            details={"code": code, "message": message[:500]},
            **{self.audit_on: getattr(obj, self.audit_on)},
        )
        logger.warning("%s %s not built: %s", self.model._meta.verbose_name, pk, obj.error)
        return obj

    def stale_list(self) -> list[int]:
        """Ids of rows whose claim is older than `stale_after` (to be queued again)."""
        cutoff = timezone.now() - self.stale_after
        return list(
            self.model.objects.filter(status=self.running, started_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:STALE_LIST_MAX]
        )
