"""`GET /api/v1/calendar/` (API.md): hearings by date, court, courtroom, judge, attorney.

The same rule as the day calendars (docket.calendar): a hearing of a case the caller
may not see is listed as a placeholder row (time, court, room, judge, type, status;
the court's sealed-caption placeholder; no id, no case number), so a day still adds
up; a filter on the case (`attorney`) keeps the caller's visible cases only. An
attorney gets their own hearings unless they ask for `attorney=all`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from casemgmt.core.models import Court
from casemgmt.core.roles import Role

from ..feeds import feed_event_uid
from ..models import Hearing, HearingStatus, HearingType
from ..portal import CalendarQuery, CalendarReader, hearing_calendar_list, portal_read_audit

DEFAULT_DAYS = 30  # no dates given: from today, this many days ahead
MAX_RANGE_DAYS = 93  # a quarter: every answer is bounded


def _error(message: str, code: str) -> list[ErrorDetail]:
    return [ErrorDetail(message, code=code)]


class CalendarQuerySerializer(serializers.Serializer):
    """Filters of `GET calendar/`. Dates are court-local; without any, today and the
    next 30 days."""

    date = serializers.DateField(required=False, help_text="One day (YYYY-MM-DD).")
    from_ = serializers.DateField(required=False, help_text="First day of a range.")
    to = serializers.DateField(
        required=False, help_text=f"Last day of a range (at most {MAX_RANGE_DAYS} days)."
    )
    court = serializers.SlugField(required=False, max_length=20, help_text="Court code.")
    courtroom = serializers.IntegerField(required=False, min_value=1, help_text="Courtroom id.")
    judge = serializers.CharField(
        required=False, max_length=150, help_text="`me`, a judge's user id or username."
    )
    attorney = serializers.CharField(
        required=False,
        max_length=30,
        help_text="`me`, a bar number, or `all`. Attorneys default to `me`, others to `all`.",
    )
    status = serializers.ChoiceField(choices=HearingStatus.choices, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields

    def validate(self, attrs):
        day, start, end = attrs.get("date"), attrs.get("from"), attrs.get("to")
        if day and (start or end):
            raise serializers.ValidationError(
                {"date": _error("Give either a date or a from/to range.", "DATE_AND_RANGE")}
            )
        if start and end and start > end:
            raise serializers.ValidationError(
                {"to": _error("The range ends before it starts.", "DATE_RANGE_INVERTED")}
            )
        if start and end and (end - start).days >= MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"to": _error(f"Ask for at most {MAX_RANGE_DAYS} days.", "DATE_RANGE_TOO_LONG")}
            )
        return attrs


class CalendarCaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    caption = serializers.CharField()
    confidentiality = serializers.CharField()
    is_juvenile = serializers.BooleanField()


class CalendarCourtroomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    location = serializers.CharField()


class CalendarCourtSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    time_zone = serializers.CharField()


class CalendarJudgeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class CalendarHearingSerializer(serializers.Serializer):
    """One row of the calendar. For a case the caller may not see: `visible` false,
    `id`, `uid`, `sequence` and `case` null, `caption` the court's placeholder."""

    id = serializers.IntegerField(allow_null=True, help_text="`hearings/{id}/`.")
    uid = serializers.CharField(
        allow_null=True, help_text="The iCal UID, stable along a continuance chain."
    )
    sequence = serializers.IntegerField(allow_null=True, help_text="iCal SEQUENCE.")
    visible = serializers.BooleanField(help_text="Whether the caller may see the case.")
    case = CalendarCaseSerializer(allow_null=True)
    caption = serializers.CharField()
    court = CalendarCourtSerializer()
    hearing_type = serializers.ChoiceField(choices=HearingType.choices)
    date = serializers.DateField(help_text="Court-local.")
    starts_at = serializers.DateTimeField(help_text="With the court's offset.")
    ends_at = serializers.DateTimeField(help_text="With the court's offset.")
    courtroom = CalendarCourtroomSerializer()
    judge = CalendarJudgeSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=HearingStatus.choices)
    setting_number = serializers.IntegerField(
        allow_null=True, help_text="How many times this date has been set (1 = first)."
    )
    interpreter_language = serializers.CharField(
        help_text="Languages (codes) needing an interpreter; only on cases you read beyond "
        "their public level."
    )

    def to_representation(self, hearing: Hearing) -> dict:
        reader: CalendarReader = self.context["reader"]
        tz = hearing.court.tzinfo
        room, judge, court = hearing.courtroom, hearing.judge, hearing.court
        row = {
            "id": None,
            "uid": None,
            "sequence": None,
            "visible": bool(hearing.case_visible),
            "case": None,
            "caption": court.sealed_caption_placeholder,
            "court": {"code": court.code, "name": court.name, "time_zone": court.time_zone},
            "hearing_type": hearing.hearing_type,
            "date": hearing.date.isoformat(),
            "starts_at": timezone.localtime(hearing.starts_at, tz).isoformat(),
            "ends_at": timezone.localtime(hearing.ends_at, tz).isoformat(),
            "courtroom": {"id": room.pk, "name": room.name, "location": room.location},
            "judge": (
                {"username": judge.get_username(), "name": judge.get_full_name()}
                if judge is not None
                else None
            ),
            "status": hearing.status,
            "setting_number": None,
            "interpreter_language": "",
        }
        if hearing.case_visible:
            case = hearing.case
            row.update(
                id=hearing.pk,
                uid=feed_event_uid(hearing),
                sequence=hearing.sequence,
                case={
                    "number": case.number,
                    "caption": case.caption,
                    "confidentiality": case.confidentiality,
                    "is_juvenile": case.is_juvenile,
                },
                caption=case.caption,
                setting_number=hearing.setting_number,
                interpreter_language=(
                    hearing.interpreter_language if reader.beyond_public(hearing) else ""
                ),
            )
        return row


class CalendarView(ScopedAPIView):
    """Hearings by date (or a bounded range), court, courtroom, judge and attorney."""

    model = Hearing
    serializer_class = CalendarHearingSerializer

    def calendar_query(self) -> CalendarQuery:
        params = CalendarQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        user = self.request.user
        court_code = f.get("court", "")
        if f.get("date"):
            start = end = f["date"]
        else:
            # "Today" is the named court's; across courts, the installation's.
            court = Court.objects.filter(code=court_code).first() if court_code else None
            today = court.local_today() if court else timezone.localdate()
            start = f.get("from") or (
                f["to"] - dt.timedelta(days=DEFAULT_DAYS) if f.get("to") else today
            )
            end = f.get("to") or start + dt.timedelta(days=DEFAULT_DAYS)
        attorney = f.get("attorney", "")
        if not attorney:
            attorney = "me" if user.role == Role.ATTORNEY and not user.is_superuser else "all"
        return CalendarQuery(
            start=start,
            end=end,
            court=court_code,
            courtroom=f.get("courtroom"),
            judge=f.get("judge", ""),
            attorney="" if attorney == "all" else attorney,
            status=f.get("status", ""),
        )

    def get_visible_queryset(self):
        return hearing_calendar_list(self.request.user, self.calendar_query())

    @extend_schema(
        summary="Hearings on the calendar",
        parameters=[CalendarQuerySerializer],
        responses={200: CalendarHearingSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        reader = CalendarReader.of(request.user)
        data = CalendarHearingSerializer(page, many=True, context={"reader": reader}).data
        portal_read_audit(
            user=request.user,
            cases=[h.case for h in page if h.case_visible],
            surface="api.calendar",
            action="calendar.read",
        )
        return self.get_paginated_response(data)
