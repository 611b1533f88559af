"""Nightly rollups of the caseload measures, and the monthly statistics report.

The rollups are derived data: `casemgmt.dashboard.rollups` rebuilds every row of them from
the lifecycle history (`cases.CaseStatusChange`, append-only), so they carry no foreign-key
constraints (a bulk rebuild would otherwise check millions of keys row by row) and are
never edited by hand. What one refresh folded in is recorded by `RollupRefresh`: the
rollups hold exactly the status changes with `id <= watermark` that are not in `gaps`;
everything else is read live when a measure is asked for.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casemgmt.core.models import Court

_DERIVED = {"on_delete": models.DO_NOTHING, "db_constraint": False, "related_name": "+"}


class RollupRefresh(models.Model):
    """One refresh of the rollups, written in the transaction that made it (so a reader sees
    the rows and the refresh that made them together, or neither)."""

    full = models.BooleanField(help_text="A rebuild from scratch rather than incremental.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(default=timezone.now)
    watermark = models.BigIntegerField(
        help_text="The highest status change id the rollups include."
    )
    gaps = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        help_text="Ids at or under the watermark not yet committed when the refresh ran "
        "(a transaction in flight, or rolled back): read live until a refresh finds them.",
    )
    ledger_watermark = models.BigIntegerField(
        default=0, help_text="The highest ledger entry id the collections rollup includes."
    )
    ledger_gaps = ArrayField(
        models.BigIntegerField(),
        default=list,
        blank=True,
        help_text="Ledger entry ids at or under that watermark not committed yet then.",
    )
    changes = models.PositiveIntegerField(default=0, help_text="Status changes folded in.")
    days = models.PositiveIntegerField(default=0, help_text="Case-flow days derived again.")
    cases = models.PositiveIntegerField(default=0, help_text="Cases whose dispositions were.")
    snapshots = models.PositiveIntegerField(default=0, help_text="Pending-age snapshots taken.")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        kind = "full" if self.full else "incremental"
        return f"{kind} rollup refresh at {self.finished_at:%Y-%m-%d %H:%M} (<= {self.watermark})"


class CaseFlowDay(models.Model):
    """Measure 2's counts of one court, case type and day (court-local effective date)."""

    court = models.ForeignKey(Court, db_index=False, **_DERIVED)
    case_type = models.ForeignKey("cases.CaseType", db_index=False, **_DERIVED)
    day = models.DateField()
    filed = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    reactivated = models.PositiveIntegerField(default=0)
    disposed = models.PositiveIntegerField(default=0, help_text="Not counting from inactive.")
    inactivated = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["court", "day", "case_type"], name="dashboard_caseflowday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"case flow of court {self.court_id} type {self.case_type_id} on {self.day}"


class DispositionTime(models.Model):
    """Measure 3's row for one disposition: the case's `episode`-th filing or reopening,
    disposed on `disposed_on` after `days` days less the days it was inactive."""

    case = models.ForeignKey("cases.Case", db_index=False, **_DERIVED)
    episode = models.PositiveIntegerField()
    court = models.ForeignKey(Court, db_index=False, **_DERIVED)
    case_type = models.ForeignKey("cases.CaseType", db_index=False, **_DERIVED)
    started_on = models.DateField()
    disposed_on = models.DateField()
    days = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "episode"], name="dashboard_dispositiontime_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["court", "disposed_on"],
                include=["case_type", "case", "episode", "days"],
                name="dashboard_disposition_period",
            )
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} disposed on {self.disposed_on} after {self.days} days"


class CollectionDay(models.Model):
    """Measure 7's sums of the receivable entries of the obligations of one court, case type
    and kind ordered on one day: assessed and adjusted (`ordered`), waived and paid (net of
    voids), as signed ledger amounts; `entries` counts them (a kind with entries is listed
    even when they sum to nothing)."""

    court = models.ForeignKey(Court, db_index=False, **_DERIVED)
    case_type = models.ForeignKey("cases.CaseType", db_index=False, **_DERIVED)
    ordered_on = models.DateField()
    kind = models.CharField(max_length=20)
    ordered = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    waived = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["court", "ordered_on", "case_type", "kind"],
                name="dashboard_collectionday_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ordered on {self.ordered_on} in court {self.court_id}"


class PendingSnapshot(models.Model):
    """Measure 4 of one court as of one court-local date, taken by a refresh and kept
    current by the later ones (backdated changes are folded in)."""

    court = models.ForeignKey(Court, db_index=False, **_DERIVED)
    as_of = models.DateField()
    taken_at = models.DateTimeField(default=timezone.now)
    bands = ArrayField(
        models.PositiveIntegerField(), help_text="The upper limits of the age bands, in days."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "as_of"], name="dashboard_pending_unique")
        ]

    def __str__(self) -> str:
        return f"pending caseload of court {self.court_id} on {self.as_of}"


class PendingAgeCount(models.Model):
    """How many active pending cases of a type were in one age band on the snapshot's date."""

    snapshot = models.ForeignKey(PendingSnapshot, on_delete=models.CASCADE, related_name="counts")
    case_type = models.ForeignKey("cases.CaseType", db_index=False, **_DERIVED)
    band_low = models.PositiveIntegerField()
    cases = models.IntegerField(default=0)

    class Meta:
        # No check that `cases` >= 0: a refresh adds signed changes to it with INSERT ...
        # ON CONFLICT DO UPDATE, whose proposed row is checked before the conflict is seen.
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "case_type", "band_low"], name="dashboard_pendingcount_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cases} cases from {self.band_low} days"


# --- the monthly statistics report ----------------------------------------------------------


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    BUILDING = "building", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class MonthlyReport(models.Model):
    """A court's printable statistics of one month, built into a PDF in the worker.

    The PDF is kept in the row (tens of kilobytes): written in the same transaction that
    marks the report done, so no file can outlive a rolled-back build or go missing."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    total = models.PositiveSmallIntegerField(help_text="Sections to compute.")
    done = models.PositiveSmallIntegerField(default=0, help_text="Sections computed so far.")
    error = models.TextField(blank=True, help_text="Why the build failed, when it did.")
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="dashboard_report_month"
            ),
            models.CheckConstraint(
                condition=Q(total__gt=0) & Q(total__gte=F("done")),
                name="dashboard_report_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(pdf__isnull=False),
                name="dashboard_report_done_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["court", "-created_at"], name="dashboard_report_court")]

    def __str__(self) -> str:
        return f"Statistics of {self.year}-{self.month:02d} for court {self.court_id}"

    @property
    def period_label(self) -> str:
        import datetime as dt

        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def is_over(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


# --- drill-down lists exported in the worker ------------------------------------------------


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Writing the file"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "No longer kept"


class ExportJob(models.Model):
    """A drill-down list too long to stream within a request, written to CSV by the worker.

    The filters are kept as the URL has them (court, case type, dates, the continuance
    threshold and the list's own parameters), and the worker builds the list again for the
    requester with them. The file is kept in the row, gzip-compressed, written in the same
    transaction that marks the job done; after DASHBOARD_EXPORT_KEEP_DAYS the nightly
    expiry clears it (the row, and its audit trail, stay)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    export = models.CharField(max_length=40, help_text="The drill-down list (its slug).")
    case_type = models.ForeignKey(
        "cases.CaseType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField()
    end = models.DateField()
    continued = models.PositiveSmallIntegerField(
        default=2, help_text="Hearings set more than this many times (the dashboard's filter)."
    )
    params = models.JSONField(default=dict, blank=True, help_text="The list's own parameters.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(
        default=0, help_text="Rows counted when asked for (the rows written, once done)."
    )
    done = models.PositiveIntegerField(default=0, help_text="Rows written so far.")
    error = models.TextField(blank=True, help_text="Why the export failed, when it did.")
    content = models.BinaryField(null=True, blank=True, editable=False, help_text="CSV, gzip.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="CSV bytes.")
    row_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="dashboard_export_status"
            ),
            models.CheckConstraint(
                condition=Q(total__gte=F("done")), name="dashboard_export_progress_within_total"
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(content__isnull=False, size__isnull=False, row_count__isnull=False),
                name="dashboard_export_done_has_content",
            ),
            # Only a finished file is kept: an expired job's content has been cleared.
            models.CheckConstraint(
                condition=Q(status="done") | Q(content__isnull=True),
                name="dashboard_export_content_only_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="dashboard_export_user"),
            models.Index(fields=["status", "finished_at"], name="dashboard_export_finished"),
        ]

    def __str__(self) -> str:
        return f"Export of {self.export} for court {self.court_id} ({self.start} to {self.end})"

    @property
    def is_over(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def expires_at(self):
        """When a finished file stops being downloadable (DASHBOARD_EXPORT_KEEP_DAYS)."""
        if self.finished_at is None or self.status not in (ExportStatus.DONE, ExportStatus.EXPIRED):
            return None
        return self.finished_at + dt.timedelta(days=settings.DASHBOARD_EXPORT_KEEP_DAYS)

    def is_expired(self, now=None) -> bool:
        if self.status == ExportStatus.EXPIRED:
            return True
        expires_at = self.expires_at
        return expires_at is not None and expires_at <= (now or timezone.now())

    @property
    def filename(self) -> str:
        return f"{self.export}-{self.court.code}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.csv"
