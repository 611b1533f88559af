"""Documents, filing types and filings (counter filing and e-filing review).

A `Document` is a stored file of a case: its bytes never change once stored (a
database trigger refuses changes to the file and its digest, and deletes). A
filing stamped at acceptance gets a *new* document pointing back at the original,
so the filer's bytes and their SHA-256 are kept exactly as received.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from casemgmt.core.models import Court
from cases.models import Case, Confidentiality, DocketEntry, EventCode

__all__ = [
    "Document",
    "DocumentKind",
    "Filing",
    "FilingChannel",
    "FilingStatus",
    "FilingType",
    "RejectionReason",
]


class DocumentKind(models.TextChoices):
    FILED = "filed", "Filed (as received)"
    STAMPED = "stamped", "Stamped copy of record"
    ISSUED = "issued", "Issued by the court"
    # A compilation of the case's documents (filings.packets): a copy, not of record.
    PACKET = "packet", "Case packet (compiled copy)"


class Document(models.Model):
    """A stored file of a case (PDF), with what was verified about it when it was stored."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    title = models.CharField(max_length=300)
    # The name is chosen by filings.services (documents/<court>/<yyyy>/<mm>/<uuid>.pdf),
    # never by the uploader; the uploader's name is kept in `original_filename`.
    file = models.FileField(max_length=255, upload_to="documents/")
    original_filename = models.CharField(max_length=255)
    mime_type = models.CharField(
        max_length=100, help_text="Verified from the content (PDF header and a full parse)."
    )
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Hex SHA-256 of the stored bytes.")
    page_count = models.PositiveIntegerField()
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_documents",
        help_text="For a stamped copy: the document as it was received.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="stamped") & Q(original__isnull=False))
                | (~Q(kind="stamped") & Q(original__isnull=True)),
                name="filings_document_stamped_has_original",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="filings_document_sha256_hex"
            ),
            models.CheckConstraint(
                condition=Q(size_bytes__gt=0), name="filings_document_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(page_count__gt=0), name="filings_document_has_pages"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "kind", "created_at"], name="filings_document_case_kind"),
            models.Index(fields=["sha256"], name="filings_document_sha256"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_stamped(self) -> bool:
        return self.kind == DocumentKind.STAMPED


class FilingType(models.Model):
    """A kind of document parties file in a court (data per court, in admin)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="filing_types")
    code = models.CharField(max_length=12, help_text="CMPL, ANSW, MOTN, ...")
    name = models.CharField(max_length=100)
    event_code = models.CharField(
        max_length=8, help_text="The docket event recorded when a filing of this type is accepted."
    )
    needs_review = models.BooleanField(
        default=True,
        help_text="E-filings of this type wait in the clerk's review queue; otherwise they are "
        "accepted on submission.",
    )
    efiling_allowed = models.BooleanField(
        default=True,
        help_text="Attorneys may e-file it. Orders and judgments come from the court: only "
        "the clerk's office files them.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="filings_filingtype_unique_code")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.court_id
            and self.event_code
            and not EventCode.objects.filter(
                court_id=self.court_id, code=self.event_code, is_active=True
            ).exists()
        ):
            raise ValidationError(
                {
                    "event_code": ValidationError(
                        "%(code)s is not an active event code of this court.",
                        code="UNKNOWN_EVENT_CODE",
                        params={"code": self.event_code},
                    )
                }
            )


class RejectionReason(models.Model):
    """Why the clerk's office refuses an e-filing (a configurable list per court)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="rejection_reasons")
    code = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    requires_note = models.BooleanField(
        default=False, help_text="The clerk must explain (e.g. for 'Other')."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "code"], name="filings_rejectionreason_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.text


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted — awaiting review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class FilingChannel(models.TextChoices):
    COUNTER = "counter", "At the counter"
    EFILING = "efiling", "E-filing"


class Filing(models.Model):
    """A document filed on a case: at the counter (accepted at once) or e-filed for review."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="filings")
    filing_type = models.ForeignKey(FilingType, on_delete=models.PROTECT, related_name="filings")
    channel = models.CharField(max_length=10, choices=FilingChannel.choices)
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="filing")
    stamped_document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stamped_filing",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings"
    )
    submitted_at = models.DateTimeField(
        default=timezone.now, help_text="When the court received it: the date and time of filing."
    )
    status = models.CharField(
        max_length=10, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when a type that needs no review was accepted on submission.",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_note = models.TextField(blank=True)
    docket_entry = models.OneToOneField(
        DocketEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    doc_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="'Doc n': per case, gap-free, given at acceptance."
    )

    class Meta:
        ordering = ["case", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "doc_number"], name="filings_filing_unique_doc_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | Q(
                    doc_number__isnull=False,
                    stamped_document__isnull=False,
                    docket_entry__isnull=False,
                    reviewed_at__isnull=False,
                ),
                name="filings_filing_accepted_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected")
                | Q(
                    rejection_reason__isnull=False,
                    reviewed_by__isnull=False,
                    reviewed_at__isnull=False,
                    doc_number__isnull=True,
                    docket_entry__isnull=True,
                ),
                name="filings_filing_rejected_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted")
                | Q(
                    reviewed_at__isnull=True,
                    doc_number__isnull=True,
                    stamped_document__isnull=True,
                    docket_entry__isnull=True,
                    rejection_reason__isnull=True,
                ),
                name="filings_filing_submitted_unreviewed",
            ),
        ]
        indexes = [
            # The review queue: pending filings, oldest first.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status="submitted"),
                name="filings_filing_queue",
            ),
            models.Index(fields=["case", "status"], name="filings_filing_case_status"),
            models.Index(fields=["filed_by", "-submitted_at"], name="filings_filing_filer"),
        ]

    def __str__(self) -> str:
        number = f" (Doc {self.doc_number})" if self.doc_number else ""
        return f"{self.filing_type.name}: {self.document.title}{number}"

    @property
    def is_pending(self) -> bool:
        return self.status == FilingStatus.SUBMITTED

    @property
    def record_document(self) -> Document:
        """The copy of record: the stamped one once accepted, else what was received."""
        return self.stamped_document or self.document
