"""`GET /api/v1/deadlines/compute/` (API.md): when a period ends, and why.

Public, like the calculator page: self-represented litigants count time too. It reads
no case and no person, only the courts' calendars (public already: the closures are on
the public home page), so it is a plain APIView open to everyone rather than a
ScopedAPIView over records. Every answer is bounded (at most MAX_DAYS days or
MAX_HOURS hours; the engine refuses more).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casemgmt.core.api.base import error_responses
from casemgmt.core.errors import DomainError
from casemgmt.core.selectors import court_public_list

from ..deadline_calendar import Computation, deadline_compute_public
from ..deadlines import DIRECTIONS, MAX_DAYS, MAX_HOURS, SERVICE_METHODS, DeadlineInputError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [ErrorDetail(message, code=code)]})


class DeadlineComputeQuerySerializer(serializers.Serializer):
    """The period to count: `days` from a date or `hours` from a datetime (exactly one)."""

    trigger = serializers.CharField(
        max_length=40,
        help_text="The event: a date (YYYY-MM-DD) for `days`; a datetime (ISO 8601, with "
        "an offset, or read on the court's clock without one) for `hours`.",
    )
    days = serializers.IntegerField(
        required=False, help_text=f"A period in days, 1 to {MAX_DAYS} (FRCP 6(a)(1))."
    )
    hours = serializers.IntegerField(
        required=False, help_text=f"A period in hours, 1 to {MAX_HOURS} (FRCP 6(a)(2))."
    )
    direction = serializers.ChoiceField(
        choices=DIRECTIONS,
        default="after",
        help_text="`after` the event (counted forward) or `before` it (backward, 6(a)(5)).",
    )
    service = serializers.ChoiceField(
        choices=SERVICE_METHODS,
        default="personal",
        help_text="How the paper was served: mail, clerk and consent add 3 days after the "
        "period under the default rules (FRCP 6(d)); personal and electronic add none.",
    )
    court = serializers.SlugField(
        required=False,
        max_length=20,
        help_text="A court code: its rule set, state holidays and closures. Without one: "
        "FRCP 6 and US federal legal holidays as observed.",
    )

    def validate(self, attrs):
        has_days, has_hours = "days" in attrs, "hours" in attrs
        if has_days == has_hours:
            raise _error(
                "days" if has_days else "non_field_errors",
                "Give either days or hours, not both."
                if has_days
                else "Give a period: days or hours.",
                "DAYS_OR_HOURS",
            )
        raw = attrs["trigger"].strip()
        if has_days:
            try:
                attrs["trigger"] = dt.date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
            except ValueError:
                attrs["trigger"] = None
            if attrs["trigger"] is None:
                raise _error("trigger", "Give the date as YYYY-MM-DD.", "TRIGGER_NOT_A_DATE")
        else:
            try:
                # A time is required: a bare date is not read as midnight.
                attrs["trigger"] = parse_datetime(raw) if len(raw) > 10 else None
            except ValueError:
                attrs["trigger"] = None
            if attrs["trigger"] is None:
                raise _error(
                    "trigger",
                    "Give the date and time as YYYY-MM-DDTHH:MM, with an offset or on the "
                    "court's clock.",
                    "TRIGGER_NOT_A_DATETIME",
                )
        code = attrs.get("court")
        if code:
            court = court_public_list().filter(code=code).first()
            if court is None:
                raise _error("court", "No active court has this code.", "COURT_UNKNOWN")
            attrs["court"] = court
        else:
            attrs["court"] = None
        return attrs


class DeadlineComputeSerializer(serializers.Serializer):
    due = serializers.CharField(
        help_text="The last day (YYYY-MM-DD, court-local); for `hours`, the moment (ISO "
        "8601 with the court's offset)."
    )
    steps = serializers.ListField(
        child=serializers.CharField(), help_text="The computation, in words."
    )
    citations = serializers.ListField(
        child=serializers.CharField(), help_text="The rules the steps apply."
    )
    rule_set = serializers.CharField(help_text="The rule set counted with.")
    calendar = serializers.CharField(help_text="Whose holidays and closures were used.")
    court = serializers.CharField(allow_null=True, help_text="The court's code, or null.")
    time_zone = serializers.CharField(
        allow_null=True, help_text="For `hours`: the clock the period was read on."
    )

    @staticmethod
    def of(computed: Computation) -> dict:
        result = computed.result
        return {
            "due": result.due.isoformat(),
            "steps": list(result.steps),
            "citations": list(result.citations),
            "rule_set": computed.rules.name,
            "calendar": computed.calendar_name,
            "court": computed.court.code if computed.court is not None else None,
            "time_zone": computed.time_zone,
        }


class DeadlineComputeView(APIView):
    """When a period ends under a court's rules (or FRCP 6 and the federal calendar)."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Compute a deadline, with its steps",
        parameters=[DeadlineComputeQuerySerializer],
        responses={200: DeadlineComputeSerializer, **error_responses(400, 422)},
        auth=[],
        examples=[
            OpenApiExample(
                "21 days after service by mail",
                value={
                    "due": "2025-03-27",
                    "steps": [
                        "21 days after 2025-03-01 is Sat 2025-03-22",
                        "Saturday -> Mon 2025-03-24 (FRCP 6(a)(1)(C))",
                        "mail service +3 -> Thu 2025-03-27 (FRCP 6(d))",
                    ],
                    "citations": ["FRCP 6(a)(1)(C)", "FRCP 6(d)"],
                    "rule_set": "Federal rules (FRCP 6)",
                    "calendar": "US federal legal holidays",
                    "court": None,
                    "time_zone": None,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        params = DeadlineComputeQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data
        try:
            computed = deadline_compute_public(
                court=q["court"],
                trigger=q["trigger"],
                days=q.get("days"),
                hours=q.get("hours"),
                direction=q["direction"],
                service=q["service"],
            )
        except DeadlineInputError as refused:
            if refused.field:
                raise _error(refused.field, refused.message, refused.code) from refused
            # No court day in sight: the court's calendar refuses, not the input.
            raise DomainError(refused.code, refused.message, status=422) from refused
        return Response(DeadlineComputeSerializer.of(computed))
