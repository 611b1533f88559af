"""REST API v1 over filings (API.md): thin views over filings.services and selectors.

Every view derives from `ScopedAPIView`: filings and documents come from the
visibility rules (`filings.policies`), and a case from the cases the caller may see,
so anything out of sight answers 404 exactly like something missing.
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from casemgmt.core.errors import DomainError
from cases.api.views import CASE_PARAMS, CaseScopedView
from cases.services import case_read_audit

from ..models import Document, Filing, FilingType
from ..policies import can_file_at_counter
from ..selectors import case_filing_list, document_list_visible, filing_list_visible
from ..services import (
    document_download_audit,
    filing_accept,
    filing_file_at_counter,
    filing_read_audit,
    filing_reject,
    filing_submit,
)
from .serializers import FilingCreateSerializer, FilingRejectSerializer, FilingSerializer

logger = logging.getLogger(__name__)


class CaseFilingListView(CaseScopedView):
    """Filings of a case; POST files one (counter for the clerk's office, e-filing otherwise)."""

    model = Filing
    serializer_class = FilingCreateSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_visible_queryset(self) -> QuerySet[Filing]:
        return case_filing_list(self.request.user, self.case)

    @extend_schema(
        summary="Filings of the case",
        description="Accepted filings by document number, then (for their filer and the "
        "clerk's office) those under review or rejected.",
        parameters=CASE_PARAMS,
        responses={200: FilingSerializer(many=True), **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.filings")
        page = self.paginate_queryset(self.get_queryset())
        for filing in page:  # sealed documents shown to those entitled: each read audited
            filing_read_audit(filing=filing, user=request.user, surface="api.filings")
        data = FilingSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="File a document (multipart PDF)",
        description="The clerk's office of the court files at the counter: accepted at once, "
        "stamped and docketed. An attorney of record e-files: the filing waits for review "
        "(status `submitted`) unless its type needs none. Refusals of the document answer "
        "422 with DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE, DOCUMENT_NOT_PDF, DOCUMENT_ENCRYPTED "
        "or DOCUMENT_CORRUPT on the field `file`.",
        parameters=CASE_PARAMS,
        request={"multipart/form-data": FilingCreateSerializer},
        responses={201: FilingSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = FilingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filing_type = FilingType.objects.filter(
            court_id=self.case.court_id, code=data["filing_type"].strip().upper()
        ).first()
        if filing_type is None:
            raise DomainError(
                "UNKNOWN_FILING_TYPE",
                "Choose a filing type of this court.",
                field="filing_type",
            )
        args = {
            "case": self.case,
            "filing_type": filing_type,
            "upload": data["file"],
            "title": data["title"],
            "confidentiality": data.get("confidentiality"),
        }
        if can_file_at_counter(request.user, self.case):
            filing = filing_file_at_counter(clerk=request.user, **args)
        else:
            filing = filing_submit(filer=request.user, **args)
        filing = filing_list_visible(request.user).get(pk=filing.pk)
        return Response(
            FilingSerializer(filing).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:filing_detail", kwargs={"pk": filing.pk})},
        )


class FilingScopedView(ScopedAPIView):
    model = Filing

    def get_visible_queryset(self) -> QuerySet[Filing]:
        return filing_list_visible(self.request.user)

    def respond(self, filing: Filing) -> Response:
        return Response(
            FilingSerializer(filing_list_visible(self.request.user).get(pk=filing.pk)).data
        )


class FilingDetailView(FilingScopedView):
    serializer_class = FilingSerializer

    @extend_schema(
        summary="One filing",
        responses={200: FilingSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        filing = self.get_object()
        case_read_audit(case=filing.case, user=request.user, surface="api.filing")
        filing_read_audit(filing=filing, user=request.user, surface="api.filing")
        return Response(FilingSerializer(filing).data)


class FilingAcceptView(FilingScopedView):
    serializer_class = None

    @extend_schema(
        summary="Accept a submitted filing (clerk review)",
        description="Numbers (Doc n), stamps page 1, dockets it under the type's event code "
        "and tells the filer. A filing already reviewed answers 409 FILING_ALREADY_REVIEWED.",
        request=None,
        responses={200: FilingSerializer, **error_responses(401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self.respond(filing_accept(filing=self.get_object(), clerk=request.user))


class FilingRejectView(FilingScopedView):
    serializer_class = FilingRejectSerializer

    @extend_schema(
        summary="Reject a submitted filing (clerk review)",
        request=FilingRejectSerializer,
        responses={200: FilingSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        filing = self.get_object()
        serializer = FilingRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self.respond(
            filing_reject(
                filing=filing, clerk=request.user, reason=data["reason"], note=data["note"]
            )
        )


class DocumentDownloadView(ScopedAPIView):
    model = Document
    serializer_class = None

    def get_visible_queryset(self) -> QuerySet[Document]:
        return document_list_visible(self.request.user)

    @extend_schema(
        summary="Download a document (PDF)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **error_responses(401, 404),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            logger.error("document %s: stored file %s is missing", document.pk, document.file.name)
            raise Http404 from exc
        document_download_audit(document=document, user=request.user, surface="api.download")
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_filename,
            content_type=document.mime_type,
        )
        patch_cache_control(response, private=True, no_store=True)
        return response
