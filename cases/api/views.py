"""REST API v1 over the case file (API.md): thin views over cases.services and selectors.

Every view derives from `ScopedAPIView`: records come from `get_visible_queryset()`,
and a case is found only among the cases the caller may see (`case_get_visible`),
so a case out of sight answers 404 exactly like a missing one. Writes need
`can_keep_record` (sealing needs `can_seal`): the case is visible, so a refusal
is 403. Reads of sealed and juvenile cases are audited on every surface.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django.db import IntegrityError
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from casemgmt.core.errors import DomainError

from ..models import Appearance, Case, CaseParty, Charge, DocketEntry, court_local_date
from ..policies import (
    RECORD_KEEPERS,
    can_keep_record,
    can_seal,
    can_see_contact_details,
    case_access_level,
)
from ..selectors import CaseSearch, case_get_visible, case_list_visible, case_search
from ..services import (
    appearance_enter,
    appearance_withdraw,
    case_confidentiality_set,
    case_details_update,
    case_open,
    case_party_add,
    case_read_audit,
    case_transition,
    charge_add,
    charge_dispose,
    charge_plea_enter,
)
from .serializers import (
    AppearanceEnterSerializer,
    AppearanceSerializer,
    AppearanceWithdrawSerializer,
    CaseDetailSerializer,
    CaseListItemSerializer,
    CaseListQuerySerializer,
    CaseUpdateSerializer,
    ChargeInputSerializer,
    ChargeSerializer,
    ConfidentialityResultSerializer,
    ConfidentialitySerializer,
    DispositionSerializer,
    DocketEntrySerializer,
    IntakeSerializer,
    PartyInputSerializer,
    PartySerializer,
    PleaSerializer,
    TransitionSerializer,
)

# Idempotency-Key -> Case.intake_key: uuid5(namespace, "<user id>:<key>"), so two users'
# keys never collide. Fixed for good: changing it would forget every stored key.
INTAKE_KEY_NAMESPACE = uuid.UUID("0b6d3c1e-5a4f-5c2e-9f57-2f1c6b1d8a43")
IDEMPOTENCY_KEY_MAX_LENGTH = 255

NUMBER_PARAM = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The case number, e.g. `2026-CR-000123`.",
)
COURT_PARAM = OpenApiParameter(
    "court",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Court code, when two courts you can see use the same case number "
    "(otherwise 409 CASE_NUMBER_AMBIGUOUS).",
)
IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes the intake safe to retry: a retry with the same key answers 200 with "
    "the case the first request opened, and opens nothing.",
)
CASE_PARAMS = [NUMBER_PARAM, COURT_PARAM]


def _field_error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [ErrorDetail(message, code=code)]})


def case_detail_load(case: Case) -> Case:
    """Load what the case representation shows, in a fixed number of queries."""
    prefetch_related_objects(
        [case],
        Prefetch(
            "parties",
            queryset=CaseParty.objects.select_related("person").order_by("role", "position", "id"),
        ),
        Prefetch(
            "appearances",
            queryset=Appearance.objects.filter(withdrawn_on__isnull=True)
            .select_related("attorney__attorney_profile", "party__person")
            .order_by("entered_on", "id"),
            to_attr="active_appearances",
        ),
        Prefetch("charges", queryset=Charge.objects.order_by("count_number")),
    )
    return case


def case_detail_data(request: Request, case: Case, *, level: str | None = None) -> dict:
    """The case as `GET cases/{number}/` shows it to the caller."""
    if level is None:
        level = case_access_level(request.user, case)
    context = {
        "request": request,
        "level": level,
        "show_contact": can_see_contact_details(level),
        "tz": case.court.tzinfo,
    }
    return CaseDetailSerializer(case_detail_load(case), context=context).data


class CaseListView(ScopedAPIView):
    """Visible cases (search) and intake."""

    model = Case
    serializer_class = IntakeSerializer

    def get_visible_queryset(self) -> QuerySet[Case]:
        query = CaseListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        criteria = CaseSearch(
            q=f.get("q", ""),
            party=f.get("party", ""),
            bar_number=f.get("attorney", ""),
            status=f.get("status", ""),
            case_type=f.get("type", ""),
            court=f.get("court", ""),
            filed_from=f.get("filed_from"),
            filed_to=f.get("filed_to"),
        )
        # The counter's search page and the API share one search.
        return case_search(self.request.user, criteria).select_related("judge")

    @extend_schema(
        summary="Find cases",
        parameters=[CaseListQuerySerializer],
        responses={200: CaseListItemSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = CaseListItemSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Open a case (intake)",
        parameters=[IDEMPOTENCY_PARAM],
        request=IntakeSerializer,
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(
                CaseDetailSerializer,
                description="A retry with the same Idempotency-Key: the case first opened.",
            ),
            **error_responses(400, 401, 403, 404, 422),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not (user.is_superuser or user.role in RECORD_KEEPERS):
            raise PermissionDenied("Only the clerk's office opens cases.")
        intake_key = self._intake_key(request)
        if intake_key is not None:
            first = Case.objects.filter(intake_key=intake_key).first()
            if first is not None:
                return self._replay(request, first)
        serializer = IntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not can_keep_record(user, court=serializer.validated_data["court"]):
            raise PermissionDenied("You do not keep the records of that court.")
        try:
            case = case_open(data=serializer.to_intake_input(intake_key=intake_key), opened_by=user)
        except IntegrityError:
            # Two requests with one key raced; the loser answers like a retry.
            first = Case.objects.filter(intake_key=intake_key).first() if intake_key else None
            if first is None:
                raise
            return self._replay(request, first)
        location = reverse("api:case_detail", kwargs={"number": case.number})
        return Response(
            case_detail_data(request, case),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{location}?court={case.court.code}"},
        )

    @staticmethod
    def _intake_key(request: Request) -> uuid.UUID | None:
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            return None
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise _field_error(
                "Idempotency-Key",
                f"Use at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters.",
                "max_length",
            )
        return uuid.uuid5(INTAKE_KEY_NAMESPACE, f"{request.user.pk}:{key}")

    def _replay(self, request: Request, case: Case) -> Response:
        """Answer a retry with the case its key opened (200), if it is the same intake."""
        raw = request.data if isinstance(request.data, Mapping) else {}
        case = case_list_visible(request.user).filter(pk=case.pk).first()
        if case is None:
            raise Http404
        same = (
            str(raw.get("court", "")).strip() == case.court.code
            and str(raw.get("case_type", "")).strip().upper() == case.case_type.code.upper()
        )
        if not same:
            raise DomainError(
                "IDEMPOTENCY_KEY_REUSED",
                "That Idempotency-Key already opened a different case; use a new key.",
            )
        return Response(case_detail_data(request, case), status=status.HTTP_200_OK)


# --- cases/{number}/... --------------------------------------------------------------------


class CaseScopedView(ScopedAPIView):
    """A view under `cases/{number}/`: the case is found among the visible ones, else 404."""

    case: Case

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        self.case = case_get_visible(
            request.user, kwargs["number"], court_code=request.query_params.get("court") or None
        )

    def get_object(self) -> Case:
        return self.case

    @cached_property
    def access_level(self) -> str:
        return case_access_level(self.request.user, self.case)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if hasattr(self, "case"):
            context["show_contact"] = can_see_contact_details(self.access_level)
            context["tz"] = self.case.court.tzinfo
        return context

    def require_record_keeper(self) -> None:
        if not can_keep_record(self.request.user, self.case):
            raise PermissionDenied("Only the clerk's office of the court changes the case file.")

    def audit_read(self, surface: str) -> None:
        case_read_audit(case=self.case, user=self.request.user, surface=surface)

    def paginated(self, queryset: QuerySet, serializer_class) -> Response:
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def detail_response(self, case: Case, *, status_code: int = status.HTTP_200_OK) -> Response:
        level = self.access_level if case.pk == self.case.pk else None
        return Response(case_detail_data(self.request, case, level=level), status=status_code)


class CaseDetailView(CaseScopedView):
    model = Case
    serializer_class = CaseUpdateSerializer

    def get_visible_queryset(self) -> QuerySet[Case]:
        return case_list_visible(self.request.user)

    @extend_schema(
        summary="One case",
        parameters=CASE_PARAMS,
        responses={200: CaseDetailSerializer, **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.detail")
        return self.detail_response(self.case)

    @extend_schema(
        summary="Change the caption or the assigned judge",
        parameters=CASE_PARAMS,
        request=CaseUpdateSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def patch(self, request: Request, number: str) -> Response:
        self.require_record_keeper()
        serializer = CaseUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        case = case_details_update(case=self.case, actor=request.user, **serializer.validated_data)
        return self.detail_response(case)


class CaseConfidentialityView(CaseScopedView):
    serializer_class = ConfidentialitySerializer

    @extend_schema(
        summary="Seal, unseal or mark confidential (by order)",
        parameters=CASE_PARAMS,
        request=ConfidentialitySerializer,
        responses={
            200: ConfidentialityResultSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        if not can_seal(request.user, self.case):
            raise PermissionDenied("Only a judge or supervisor of the court seals or unseals.")
        serializer = ConfidentialitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_confidentiality_set(
            case=self.case,
            confidentiality=serializer.validated_data["confidentiality"],
            reason=serializer.validated_data["reason"],
            actor=request.user,
        )
        return Response(ConfidentialityResultSerializer(case).data)


class CaseTransitionView(CaseScopedView):
    serializer_class = TransitionSerializer

    @extend_schema(
        summary="Move the case through its lifecycle",
        parameters=CASE_PARAMS,
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        self.require_record_keeper()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_transition(
            case=self.case,
            to=data["to"],
            actor=request.user,
            effective_on=data.get("date"),
            reason=data["reason"],
            inactive_reason=data["inactive_reason"],
        )
        return self.detail_response(case)


class CasePartyListView(CaseScopedView):
    model = CaseParty
    serializer_class = PartyInputSerializer

    def get_visible_queryset(self) -> QuerySet[CaseParty]:
        return (
            CaseParty.objects.filter(case=self.case)
            .select_related("person")
            .order_by("role", "position", "id")
        )

    @extend_schema(
        summary="Parties of the case",
        parameters=CASE_PARAMS,
        responses={200: PartySerializer(many=True), **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.parties")
        return self.paginated(self.get_queryset(), PartySerializer)

    @extend_schema(
        summary="Add a party",
        parameters=CASE_PARAMS,
        request=PartyInputSerializer,
        responses={201: PartySerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        self.require_record_keeper()
        serializer = PartyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = case_party_add(
            case=self.case,
            party=serializer.to_party_input(data, data.get("person")),
            actor=request.user,
        )
        return Response(
            PartySerializer(party, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class AppearanceListView(CaseScopedView):
    model = Appearance
    serializer_class = AppearanceEnterSerializer

    def get_visible_queryset(self) -> QuerySet[Appearance]:
        return (
            Appearance.objects.filter(case=self.case)
            .select_related("attorney__attorney_profile", "party__person")
            .order_by("entered_on", "id")
        )

    @extend_schema(
        summary="Attorneys of record, past and present",
        parameters=CASE_PARAMS,
        responses={200: AppearanceSerializer(many=True), **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.appearances")
        return self.paginated(self.get_queryset(), AppearanceSerializer)

    @extend_schema(
        summary="Enter an attorney's appearance",
        parameters=CASE_PARAMS,
        request=AppearanceEnterSerializer,
        responses={201: AppearanceSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        self.require_record_keeper()
        serializer = AppearanceEnterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = None
        if data.get("party") is not None:
            party = (
                CaseParty.objects.filter(case=self.case, pk=data["party"])
                .select_related("person")
                .first()
            )
            if party is None:
                raise _field_error("party", "No party on this case has that id.", "UNKNOWN_PARTY")
        appearance = appearance_enter(
            case=self.case,
            attorney=data["attorney_user"],
            party=party,
            actor=request.user,
            entered_on=data.get("entered_on"),
        )
        return Response(AppearanceSerializer(appearance).data, status=status.HTTP_201_CREATED)


class AppearanceWithdrawView(CaseScopedView):
    model = Appearance
    serializer_class = AppearanceWithdrawSerializer

    def get_visible_queryset(self) -> QuerySet[Appearance]:
        return Appearance.objects.filter(case=self.case)

    @extend_schema(
        summary="Record an attorney's withdrawal",
        parameters=CASE_PARAMS,
        request=AppearanceWithdrawSerializer,
        responses={200: AppearanceSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str, appearance_id: int) -> Response:
        self.require_record_keeper()
        appearance = get_object_or_404(self.get_queryset(), pk=appearance_id)
        serializer = AppearanceWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appearance = appearance_withdraw(
            appearance=appearance,
            actor=request.user,
            withdrawn_on=serializer.validated_data.get("date"),
        )
        return Response(AppearanceSerializer(appearance).data)


class ChargeListView(CaseScopedView):
    model = Charge
    serializer_class = ChargeInputSerializer

    def get_visible_queryset(self) -> QuerySet[Charge]:
        return Charge.objects.filter(case=self.case).order_by("count_number")

    @extend_schema(
        summary="Counts of the case",
        parameters=CASE_PARAMS,
        responses={200: ChargeSerializer(many=True), **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.charges")
        return self.paginated(self.get_queryset(), ChargeSerializer)

    @extend_schema(
        summary="Add a count",
        parameters=CASE_PARAMS,
        request=ChargeInputSerializer,
        responses={201: ChargeSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        self.require_record_keeper()
        serializer = ChargeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        charge = charge_add(
            case=self.case,
            charge=serializer.to_charge_input(serializer.validated_data),
            actor=request.user,
        )
        return Response(ChargeSerializer(charge).data, status=status.HTTP_201_CREATED)


class ChargeActionView(CaseScopedView):
    """A count of the case, addressed by its number (`charges/{count}/...`)."""

    model = Charge

    def get_visible_queryset(self) -> QuerySet[Charge]:
        return Charge.objects.filter(case=self.case)

    def get_charge(self, count: int) -> Charge:
        return get_object_or_404(self.get_queryset(), count_number=count)


class ChargePleaView(ChargeActionView):
    serializer_class = PleaSerializer

    @extend_schema(
        summary="Enter a plea to a count",
        parameters=CASE_PARAMS,
        request=PleaSerializer,
        responses={200: ChargeSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str, count: int) -> Response:
        self.require_record_keeper()
        charge = self.get_charge(count)
        serializer = PleaSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        charge = charge_plea_enter(
            charge=charge,
            plea=data["plea"],
            plea_date=data.get("plea_date") or court_local_date(self.case.court),
            actor=request.user,
        )
        return Response(ChargeSerializer(charge).data)


class ChargeDispositionView(ChargeActionView):
    serializer_class = DispositionSerializer

    @extend_schema(
        summary="Dispose of a count",
        parameters=CASE_PARAMS,
        request=DispositionSerializer,
        responses={200: ChargeSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str, count: int) -> Response:
        self.require_record_keeper()
        charge = self.get_charge(count)
        serializer = DispositionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        charge = charge_dispose(
            charge=charge,
            disposition=data["disposition"],
            disposition_date=data.get("disposition_date") or court_local_date(self.case.court),
            actor=request.user,
        )
        return Response(ChargeSerializer(charge).data)


class DocketView(CaseScopedView):
    """The register of actions, oldest first, as deep as the caller may read."""

    model = DocketEntry
    serializer_class = DocketEntrySerializer

    def get_visible_queryset(self) -> QuerySet[DocketEntry]:
        return (
            DocketEntry.objects.filter(case=self.case)
            .visible_at(self.access_level)
            .annotate(corrects_seq=F("corrects__seq"))
            .order_by("seq")
        )

    @extend_schema(
        summary="Register of actions",
        parameters=CASE_PARAMS,
        responses={200: DocketEntrySerializer(many=True), **error_responses(401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.docket")
        return self.paginated(self.get_queryset(), DocketEntrySerializer)
