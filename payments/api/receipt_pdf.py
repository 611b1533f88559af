"""`GET /api/v1/receipts/{number}.pdf`: the printable receipt (API.md, "receipts").

Every fetch is a print, recorded and audited (payments.receipts.receipt_print); the first
is the original, every later one says REPRINT on the paper. Visibility is the receipt's
case: out of sight answers 404 like a missing receipt; in sight but with its money hidden
(the public level) answers 403, as the receipt's JSON does.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from casemgmt.core.api.base import ScopedAPIView, error_responses

from ..models import Receipt
from ..receipts import receipt_for_reader, receipt_list_visible, receipt_print_pdf

COURT_QUERY = OpenApiParameter(
    "court",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Court code, when two courts you can see use the same receipt number.",
)


class ReceiptPdfView(ScopedAPIView):
    model = Receipt
    serializer_class = None
    # Errors are JSON whatever the client asked for (a PDF reader sends Accept:
    # application/pdf): the PDF itself is returned as is, not rendered by DRF.
    renderer_classes = [JSONRenderer]

    def get_visible_queryset(self) -> QuerySet[Receipt]:
        return receipt_list_visible(self.request.user)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="receipts_pdf_retrieve",
        summary="Print a receipt (PDF)",
        description="Records the print; every print after the first is marked REPRINT. "
        "Printed by the clerk's office of the court (else 403 RECEIPT_PRINT_NOT_ALLOWED).",
        parameters=[COURT_QUERY],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The receipt, one page."
            ),
            **error_responses(401, 403, 404),
            409: OpenApiResponse(description="RECEIPT_NUMBER_AMBIGUOUS"),
        },
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        found = receipt_for_reader(
            request.user,
            number,
            court_code=request.query_params.get("court") or None,
            surface="api.receipt_pdf",
        )
        content, printed = receipt_print_pdf(receipt=found, by=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        suffix = "-reprint" if printed.is_reprint else ""
        response["Content-Disposition"] = f'inline; filename="receipt-{found.number}{suffix}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
