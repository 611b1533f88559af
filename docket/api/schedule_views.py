"""`cases/{number}/hearings/` and `hearings/{id}/` (API.md): thin views over docket.services.

A case, or a hearing of a case, the caller may not see answers 404 like a missing one.
Setting and changing hearings is the clerk's office's (403 NOT_A_RECORD_KEEPER for
anyone else who can see the case). Conflicts answer 409 with `details.clashes`, one
entry per hearing in the way: HEARING_ROOM_CONFLICT and HEARING_JUDGE_CONFLICT (the
database refused it), SESSION_FULL, and HEARING_CLASH (an attorney of record or a party
expected elsewhere), which a second request with `override_reason` gets past.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from cases.api.views import CASE_PARAMS, CaseScopedView
from cases.policies import PUBLIC, case_access_level
from cases.querysets import user_court_ids
from cases.services import case_read_audit

from ..models import Hearing
from ..selectors import case_hearing_list, hearing_list_visible
from ..services import (
    hearing_cancel,
    hearing_continue,
    hearing_record_outcome,
    hearing_reschedule,
    hearing_schedule,
    hearing_vacate,
)
from .serializers import (
    ACTION_SERIALIZERS,
    HearingActionSerializer,
    HearingChangeRequestSerializer,
    HearingCreateSerializer,
    HearingListQuerySerializer,
    HearingSerializer,
)

CLASH_EXAMPLE = OpenApiExample(
    "An attorney expected elsewhere",
    status_codes=["409"],
    response_only=True,
    value={
        "code": "HEARING_CLASH",
        "message": "Someone is expected in two places: Attorney Ann Lee is expected at the "
        "Trial in 2026-CR-000101, 2026-12-15 09:00 to 11:00, Courtroom 2A. Give a reason "
        "to set it anyway.",
        "fields": {"override_reason": [{"code": "HEARING_CLASH", "message": "..."}]},
        "details": {
            "clashes": [
                {
                    "kind": "attorney",
                    "who": "Ann Lee",
                    "case_number": "2026-CR-000101",
                    "hearing_id": 812,
                    "hearing_type": "Trial",
                    "starts_at": "2026-12-15T09:00:00-05:00",
                    "ends_at": "2026-12-15T11:00:00-05:00",
                    "courtroom": "Courtroom 2A",
                    "message": "Attorney Ann Lee is expected at the Trial in ...",
                }
            ]
        },
    },
)


def _with_links(hearings: QuerySet[Hearing]) -> QuerySet[Hearing]:
    return hearings.select_related(
        "case", "court", "courtroom", "judge", "session", "continuance_reason"
    ).annotate(
        continued_to_pk=Subquery(
            Hearing.objects.filter(continued_from=OuterRef("pk")).values("pk")[:1]
        )
    )


def _context(user, case) -> dict[str, Any]:
    staff = user.is_authenticated and (
        user.is_superuser or (user.is_court_staff and case.court_id in user_court_ids(user))
    )
    return {
        "show_interpreter": case_access_level(user, case) != PUBLIC,
        "show_override": staff,
    }


class CaseHearingListView(CaseScopedView):
    """The hearings of a case; POST sets one."""

    model = Hearing
    serializer_class = HearingCreateSerializer

    def get_visible_queryset(self) -> QuerySet[Hearing]:
        query = HearingListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        hearings = _with_links(case_hearing_list(self.request.user, self.case))
        if f.get("status"):
            hearings = hearings.filter(status=f["status"])
        if f.get("from"):
            hearings = hearings.filter(date__gte=f["from"])
        if f.get("to"):
            hearings = hearings.filter(date__lte=f["to"])
        return hearings.order_by("starts_at", "id")

    @extend_schema(
        summary="Hearings of the case",
        description="Past and upcoming, every status, oldest first.",
        parameters=[*CASE_PARAMS, HearingListQuerySerializer],
        responses={200: HearingSerializer(many=True), **error_responses(400, 401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.hearings")
        page = self.paginate_queryset(self.get_queryset())
        data = HearingSerializer(page, many=True, context=_context(request.user, self.case)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Set a hearing",
        description="Records the HRGS docket entry and a notice of hearing to every party. "
        "Trials and evidentiary hearings take the courtroom for themselves; other kinds go "
        "into the courtroom's open calendar session at that time (or `session`). Conflicts "
        "answer 409 naming each hearing in the way in `details.clashes`.",
        parameters=CASE_PARAMS,
        request=HearingCreateSerializer,
        responses={201: HearingSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
        examples=[CLASH_EXAMPLE],
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = HearingCreateSerializer(data=request.data, context={"court": self.case.court})
        serializer.is_valid(raise_exception=True)
        hearing = hearing_schedule(
            case=self.case,
            hearing_type=serializer.validated_data["hearing_type"],
            scheduled_by=request.user,
            **serializer.setting(),
        )
        return _respond(request, hearing, status_code=status.HTTP_201_CREATED)


def _respond(request: Request, hearing: Hearing, *, status_code: int = 200) -> Response:
    hearing = _with_links(Hearing.objects.filter(pk=hearing.pk)).get()
    data = HearingSerializer(hearing, context=_context(request.user, hearing.case)).data
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api:hearing_detail", kwargs={"pk": hearing.pk})
    return Response(data, status=status_code, headers=headers)


class HearingDetailView(ScopedAPIView):
    """One hearing; PATCH changes it: `{"action": ..., ...}`."""

    model = Hearing
    serializer_class = HearingActionSerializer

    def get_visible_queryset(self) -> QuerySet[Hearing]:
        return _with_links(hearing_list_visible(self.request.user))

    @extend_schema(
        summary="One hearing",
        responses={200: HearingSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        hearing = self.get_object()
        case_read_audit(case=hearing.case, user=request.user, surface="api.hearing")
        return Response(
            HearingSerializer(hearing, context=_context(request.user, hearing.case)).data
        )

    @extend_schema(
        summary="Change a hearing: reschedule, continue, vacate, cancel, record its outcome",
        description=(
            "The body names the `action`, then its fields:\n\n"
            "* `reschedule`: `starts_at`, `ends_at` or `minutes` (default: the same length), "
            "`courtroom` (default: the same), `judge`, `session`, `reason`, `override_reason` "
            "— the same hearing, SEQUENCE + 1.\n"
            "* `continue`: `reason` (a continuance reason's code of the court), `note`, and "
            "the new setting as for `reschedule` — answers **201** with the new hearing "
            "(linked by `continued_from`, same `uid`, next `setting_number`).\n"
            "* `vacate` / `cancel`: `reason`.\n"
            "* `record_outcome`: `outcome` (status held; on or after the hearing's day).\n\n"
            "A hearing no longer scheduled answers 409 HEARING_NOT_SCHEDULED."
        ),
        request=HearingChangeRequestSerializer,
        responses={
            200: HearingSerializer,
            201: HearingSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
        examples=[
            OpenApiExample(
                "Continue",
                request_only=True,
                value={
                    "action": "continue",
                    "reason": "defense-not-ready",
                    "note": "Expert report outstanding.",
                    "starts_at": "2027-01-12T09:00:00-05:00",
                },
            ),
            OpenApiExample(
                "Vacate", request_only=True, value={"action": "vacate", "reason": "Plea entered."}
            ),
        ],
    )
    def patch(self, request: Request, pk: int) -> Response:
        hearing = self.get_object()
        action = HearingActionSerializer(data=request.data)
        action.is_valid(raise_exception=True)
        name = action.validated_data["action"]
        body = ACTION_SERIALIZERS[name](data=request.data, context={"court": hearing.court})
        body.is_valid(raise_exception=True)
        data, user = body.validated_data, request.user
        if name == "continue":
            setting = body.setting()
            new = hearing_continue(
                hearing=hearing,
                reason=data["reason"],
                note=data.get("note", ""),
                by=user,
                **setting,
            )
            return _respond(request, new, status_code=status.HTTP_201_CREATED)
        if name == "reschedule":
            changed = hearing_reschedule(
                hearing=hearing, reason=data.get("reason", ""), by=user, **body.setting()
            )
        elif name == "vacate":
            changed = hearing_vacate(hearing=hearing, reason=data["reason"], by=user)
        elif name == "cancel":
            changed = hearing_cancel(hearing=hearing, reason=data["reason"], by=user)
        else:
            changed = hearing_record_outcome(hearing=hearing, outcome=data["outcome"], by=user)
        return _respond(request, changed)
