"""Shapes of the filings API, in and out. Rules live in the services, not here."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Confidentiality

from ..models import Document, Filing, FilingStatus, FilingType, RejectionReason


def _court_local(value, court) -> str | None:
    """A datetime in the court's own time zone, ISO 8601 with its offset."""
    return timezone.localtime(value, court.tzinfo).isoformat() if value is not None else None


class FilingTypeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = FilingType
        fields = ["code", "name", "event_code"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    """A stored document: what was verified about it, and where to fetch it."""

    created_at = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "title",
            "original_filename",
            "mime_type",
            "size_bytes",
            "sha256",
            "page_count",
            "confidentiality",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_created_at(self, document: Document) -> str | None:
        return _court_local(document.created_at, document.case.court)

    def get_download_url(self, document: Document) -> str:
        return reverse("api:document_download", kwargs={"pk": document.pk})


class RejectionSerializer(serializers.Serializer):
    code = serializers.CharField(source="rejection_reason.code")
    text = serializers.CharField(source="rejection_reason.text")
    note = serializers.CharField(source="rejection_note")


class PersonRefSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


@extend_schema_field(
    # Not a plain enum: drf-spectacular would name it "StatusEnum" and collide with the
    # case's status (a warning the schema check fails on). With ENUM_NAME_OVERRIDES in
    # the settings this can become `{"type": "string", "enum": [...]}`.
    {"type": "string", "anyOf": [{"enum": FilingStatus.values}], "description": "Review status."}
)
class FilingStatusField(serializers.CharField):
    pass


class FilingSerializer(serializers.ModelSerializer):
    """A filing: what was filed, by whom, and where review stands."""

    status = FilingStatusField(read_only=True)
    case = serializers.CharField(source="case.number", read_only=True)
    court = serializers.CharField(source="case.court.code", read_only=True)
    filing_type = FilingTypeRefSerializer(read_only=True)
    title = serializers.CharField(source="document.title", read_only=True)
    filed_by = PersonRefSerializer(read_only=True)
    reviewed_by = PersonRefSerializer(read_only=True, allow_null=True)
    submitted_at = serializers.SerializerMethodField()
    reviewed_at = serializers.SerializerMethodField()
    document = DocumentSerializer(read_only=True)
    stamped_document = DocumentSerializer(read_only=True, allow_null=True)
    docket_seq = serializers.IntegerField(
        source="docket_entry.seq",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Number (seq) of the register-of-actions entry, once accepted.",
    )
    rejection = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "case",
            "court",
            "filing_type",
            "title",
            "channel",
            "status",
            "doc_number",
            "filed_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "document",
            "stamped_document",
            "docket_seq",
            "rejection",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_submitted_at(self, filing: Filing) -> str | None:
        return _court_local(filing.submitted_at, filing.case.court)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_reviewed_at(self, filing: Filing) -> str | None:
        return _court_local(filing.reviewed_at, filing.case.court)

    @extend_schema_field(RejectionSerializer(allow_null=True))
    def get_rejection(self, filing: Filing) -> dict | None:
        if filing.rejection_reason_id is None:
            return None
        return RejectionSerializer(filing).data


# --- in -------------------------------------------------------------------------------------


class FilingCreateSerializer(serializers.Serializer):
    """A document to file (multipart/form-data)."""

    file = serializers.FileField(help_text="The PDF.", allow_empty_file=True)
    filing_type = serializers.CharField(max_length=12, help_text="Filing type code, e.g. MOTN.")
    title = serializers.CharField(max_length=300)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices,
        required=False,
        help_text="Default: the case's. Never below the case's; sealed by a judge or "
        "supervisor only.",
    )


class FilingRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20, help_text="Rejection reason code of the court.")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectionReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = RejectionReason
        fields = ["code", "text", "requires_note"]
        read_only_fields = fields
