"""Case packets (trial binders): chosen documents of a case bound into one PDF by the worker.

A `CasePacket` records who asked for which documents, in which order (`PacketItem`),
and how far the worker has got (`done` of `total` documents). The result is a
`Document` of the case (kind "issued"), with a cover page, an index and bookmarks;
`filings.packets` builds it, exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case

from .documents import Document

__all__ = ["CasePacket", "PacketItem", "PacketStatus"]


class PacketStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    BUILDING = "building", "Building"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class CasePacket(models.Model):
    """A packet of documents of one case, built into one PDF in the worker."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="packets")
    title = models.CharField(max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=PacketStatus.choices, default=PacketStatus.PENDING
    )
    total = models.PositiveIntegerField(help_text="Documents to bind.")
    done = models.PositiveIntegerField(default=0, help_text="Documents bound so far.")
    error = models.TextField(blank=True, help_text="Why the build failed, when it did.")
    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packet",
        help_text="The bound PDF, once built.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gt=0) & Q(total__gte=F("done")),
                name="filings_casepacket_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(document__isnull=False),
                name="filings_casepacket_done_has_document",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="filings_packet_case"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def is_over(self) -> bool:
        return self.status in (PacketStatus.DONE, PacketStatus.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.done) // self.total


class PacketItem(models.Model):
    """One document of a packet, at its place in the packet (1, 2, ...)."""

    packet = models.ForeignKey(CasePacket, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["packet", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "position"], name="filings_packetitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["packet", "document"], name="filings_packetitem_unique_document"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="filings_packetitem_position_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.document}"
