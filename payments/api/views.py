"""REST API v1 over court money (API.md): thin views over payments.services and selectors.

A case is found among the cases the caller may see (404 otherwise); its money is shown
to those reading past the public level (`can_see_money`: court staff of the court,
attorneys of record), and refused (403) to the rest. Payments are taken by the clerk's
office into the poster's open drawer in the case's court.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from casemgmt.core.errors import DomainError
from cases.api.views import CASE_PARAMS, IDEMPOTENCY_KEY_MAX_LENGTH, CaseScopedView
from cases.models import Case, CaseParty
from cases.services import case_read_audit

from ..models import Obligation, Payment
from ..policies import can_assess, can_see_money, can_take_payments
from ..selectors import (
    case_balance,
    drawer_open_for,
    obligation_balances,
    obligation_list,
    payment_details,
    payment_list,
    receipt_get_visible,
)
from ..services import (
    idempotency_run,
    obligation_create,
    payment_post,
    payment_void,
    request_fingerprint,
)
from .serializers import (
    BalanceSerializer,
    ObligationCreateSerializer,
    ObligationSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    PaymentVoidSerializer,
    ReceiptSerializer,
)

PAYMENT_IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes the payment safe to retry: a retry with the same key and body gets "
    "the first answer back (same status and body, header `Idempotent-Replayed: true`) and "
    "posts nothing; the same key with a different body answers 422 IDEMPOTENCY_KEY_REUSED.",
)
COURT_QUERY = OpenApiParameter(
    "court",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Court code, when two courts you can see use the same receipt number.",
)


def _plain(data: Any) -> Any:
    """Serializer output as plain JSON values (what an idempotency record stores)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _party(case: Case, party_id: int | None, field: str) -> CaseParty | None:
    if party_id is None:
        return None
    party = CaseParty.objects.filter(case=case, pk=party_id).select_related("person").first()
    if party is None:
        raise DomainError("UNKNOWN_PARTY", "No party on this case has that id.", field=field)
    return party


def payment_data(payments: list[Payment], context: dict) -> list[dict]:
    context = {**context, "details": payment_details(payments)}
    return PaymentSerializer(payments, many=True, context=context).data


class CaseMoneyView(CaseScopedView):
    """A view under `cases/{number}/` over the case's money."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not can_see_money(request.user, self.case):
            raise PermissionDenied("The money of this case is not shown to you.")


class CaseObligationListView(CaseMoneyView):
    """Obligations of a case (assessments, restitution with payee, fines, fees, costs)."""

    model = Obligation
    serializer_class = ObligationCreateSerializer

    def get_visible_queryset(self) -> QuerySet[Obligation]:
        return obligation_list(self.case)

    @extend_schema(
        summary="Obligations of the case, with their balances",
        parameters=CASE_PARAMS,
        responses={200: ObligationSerializer(many=True), **error_responses(401, 403, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.obligations")
        page = self.paginate_queryset(self.get_queryset())
        data = ObligationSerializer(obligation_balances(list(page)), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Assess an obligation (by order, or by hand)",
        description="Refusals: UNKNOWN_OBLIGATION_KIND, AMOUNT_NOT_POSITIVE, AMOUNT_TOO_PRECISE, "
        "PAYEE_REQUIRED, PAYEE_NOT_A_PARTY, PAYEE_ONLY_FOR_RESTITUTION, ORDERED_IN_FUTURE, "
        "DUE_BEFORE_ORDERED (422). Credit the case holds is applied to it at once.",
        parameters=CASE_PARAMS,
        request=ObligationCreateSerializer,
        responses={201: ObligationSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        if not can_assess(request.user, self.case):
            raise PermissionDenied("Only the clerk's office of the court enters obligations.")
        serializer = ObligationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        obligation = obligation_create(
            case=self.case,
            kind=data["kind"].strip(),
            amount=data["amount"],
            description=data.get("description", ""),
            ordered_on=data.get("ordered_on"),
            due_on=data.get("due_on"),
            payee_class=data["payee_class"].strip(),
            payee_party=_party(self.case, data.get("payee_party"), "payee_party"),
            payee_name=data["payee_name"],
            payee_priority=data["payee_priority"],
            accrues_interest=data["accrues_interest"],
            source=data["source"],
            created_by=request.user,
        )
        obligation = obligation_list(self.case).get(pk=obligation.pk)
        [balance] = obligation_balances([obligation])
        return Response(ObligationSerializer(balance).data, status=status.HTTP_201_CREATED)


class CaseBalanceView(CaseMoneyView):
    model = Obligation

    def get_visible_queryset(self) -> QuerySet[Obligation]:
        return obligation_list(self.case)

    @extend_schema(
        summary="What the case owes",
        description="Owed (assessed less waived), paid and balance per obligation and in "
        "total, and the credit held (overpayment). Derived from the ledger.",
        parameters=CASE_PARAMS,
        responses={200: BalanceSerializer, **error_responses(401, 403, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.balance")
        return Response(BalanceSerializer(case_balance(self.case)).data)


class CasePaymentListView(CaseMoneyView):
    """Payments of a case, newest first; POST takes one at the counter."""

    model = Payment
    serializer_class = PaymentCreateSerializer

    def get_visible_queryset(self) -> QuerySet[Payment]:
        return payment_list(self.case)

    @extend_schema(
        summary="Payments of the case, newest first",
        parameters=CASE_PARAMS,
        responses={200: PaymentSerializer(many=True), **error_responses(401, 403, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.payments")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(payment_data(list(page), self.get_serializer_context()))

    @extend_schema(
        summary="Take a payment",
        description="Posted into the caller's open drawer in the case's court (none: 409 "
        "DRAWER_NOT_OPEN), allocated by the court's priority (default 18 U.S.C. 3612(c)); "
        "any overpayment is held as credit. Answers the payment with its allocations and "
        "receipt number. Refusals: AMOUNT_NOT_POSITIVE, AMOUNT_TOO_PRECISE, AMOUNT_INVALID, "
        "UNKNOWN_METHOD, PAYER_REQUIRED, REFERENCE_REQUIRED (422); DRAWER_CLOSED (409).",
        parameters=[*CASE_PARAMS, PAYMENT_IDEMPOTENCY_PARAM],
        request=PaymentCreateSerializer,
        responses={
            201: PaymentSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        if not can_take_payments(request.user, self.case.court):
            raise PermissionDenied("Only the clerk's office of the court takes payments.")
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            status_code, body = self._post(request)
            return self._respond(status_code, body, replayed=False)
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise DomainError(
                "IDEMPOTENCY_KEY_TOO_LONG",
                f"Use at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters.",
                field="Idempotency-Key",
                status=400,
            )
        raw = request.data.dict() if isinstance(request.data, QueryDict) else request.data
        status_code, body, replayed = idempotency_run(
            user=request.user,
            scope="payment_post",
            key=key,
            request_hash=request_fingerprint(self.case.court.code, self.case.number, raw),
            perform=lambda: self._post(request),
        )
        return self._respond(status_code, body, replayed=replayed)

    def _post(self, request: Request) -> tuple[int, dict]:
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        drawer = drawer_open_for(clerk=request.user, court=self.case.court)
        if drawer is None:
            raise DomainError(
                "DRAWER_NOT_OPEN",
                "Open your cash drawer in this court before taking payments.",
                status=409,
            )
        payment = payment_post(
            case=self.case,
            amount=data["amount"],
            method=data["method"].strip(),
            payer_name=data["payer"],
            payer_party=_party(self.case, data.get("payer_party"), "payer_party"),
            reference=data["reference"],
            drawer=drawer,
            posted_by=request.user,
            received_at=data.get("received_at"),
        )
        payment = payment_list(self.case).get(pk=payment.pk)
        [body] = payment_data([payment], self.get_serializer_context())
        return status.HTTP_201_CREATED, _plain(body)

    @staticmethod
    def _respond(status_code: int, body: dict, *, replayed: bool) -> Response:
        headers = {"Location": reverse("api:payment_detail", kwargs={"pk": body["id"]})}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=status_code, headers=headers)


class PaymentScopedView(ScopedAPIView):
    """A payment on a case the caller may see (else 404), whose money they may see."""

    model = Payment

    def get_visible_queryset(self) -> QuerySet[Payment]:
        return Payment.objects.filter(
            case__in=Case.objects.visible_to(self.request.user)
        ).select_related("case__court", "court", "receipt", "void__voided_by", "posted_by")

    def get_payment(self, pk: int) -> Payment:
        payment = get_object_or_404(self.get_queryset(), pk=pk)
        if not can_see_money(self.request.user, payment.case):
            raise PermissionDenied("The money of this case is not shown to you.")
        return payment

    def respond(self, payment: Payment, *, status_code: int = status.HTTP_200_OK) -> Response:
        context = {"request": self.request, "tz": payment.court.tzinfo}
        [body] = payment_data([payment], context)
        return Response(body, status=status_code)


class PaymentDetailView(PaymentScopedView):
    @extend_schema(
        summary="One payment",
        responses={200: PaymentSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        payment = self.get_payment(pk)
        case_read_audit(case=payment.case, user=request.user, surface="api.payment")
        return self.respond(payment)


class PaymentVoidView(PaymentScopedView):
    serializer_class = PaymentVoidSerializer

    @extend_schema(
        summary="Void a payment (supervisor)",
        description="Reverses every transaction of the payment; the payment and its receipt "
        "stay. Refusals: VOID_NOT_ALLOWED (403), VOID_REASON_REQUIRED (422), "
        "PAYMENT_ALREADY_VOIDED, DRAWER_CLOSED, VOID_AFTER_DISBURSEMENT (409).",
        request=PaymentVoidSerializer,
        responses={200: PaymentSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        payment = self.get_payment(pk)
        serializer = PaymentVoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_void(payment=payment, reason=serializer.validated_data["reason"], by=request.user)
        return self.respond(self.get_queryset().get(pk=payment.pk))


class ReceiptDetailView(ScopedAPIView):
    """A receipt by its number (`.pdf` for the printable one)."""

    model = Payment

    def get_visible_queryset(self) -> QuerySet[Payment]:
        return Payment.objects.filter(case__in=Case.objects.visible_to(self.request.user))

    @extend_schema(
        summary="One receipt",
        parameters=[COURT_QUERY],
        responses={
            200: ReceiptSerializer,
            **error_responses(401, 403, 404),
            409: OpenApiResponse(description="RECEIPT_NUMBER_AMBIGUOUS"),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        receipt = receipt_get_visible(
            request.user, number, court_code=request.query_params.get("court") or None
        )
        payment = (
            self.get_queryset()
            .select_related("case__court", "court", "receipt", "void__voided_by", "posted_by")
            .get(pk=receipt.payment_id)
        )
        if not can_see_money(request.user, payment.case):
            raise PermissionDenied("The money of this case is not shown to you.")
        case_read_audit(case=payment.case, user=request.user, surface="api.receipt")
        receipt.payment = payment
        context = {
            "request": request,
            "tz": receipt.court.tzinfo,
            "details": payment_details([payment]),
        }
        return Response(ReceiptSerializer(receipt, context=context).data)
