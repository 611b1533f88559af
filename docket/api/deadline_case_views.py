"""`cases/{number}/deadlines/` (API.md): a case's deadlines with their due date, rule,
status and the steps that computed them; POST sets one by hand (as an order sets it).

A case the caller may not see answers 404 like a missing one; setting deadlines is the
clerk's office's (403 NOT_A_RECORD_KEEPER for anyone else who can see the case).
Deadlines opened by a docket entry the caller may not read at their level are left
out (docket.deadline_selectors); reasons of closed deadlines are shown beyond the
public level only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import error_responses
from casemgmt.core.models import User
from cases.api.views import CASE_PARAMS, CaseScopedView
from cases.models import DocketEntry
from cases.policies import PUBLIC

from ..deadline_selectors import case_deadline_list
from ..deadline_services import SERVICE_METHODS, HandDeadline, deadline_set_by_hand
from ..models import Deadline, DeadlineDirection, DeadlineStatus


class DeadlineSerializer(serializers.Serializer):
    """One deadline. Context: `today` (the court's date), `show_reasons` (the caller reads
    the case beyond its public level)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=DeadlineStatus.choices)
    status_label = serializers.CharField()
    due_on = serializers.DateField(help_text="Court-local date the act is due (end of day).")
    due_at = serializers.DateTimeField(allow_null=True, help_text="For periods in hours.")
    days_left = serializers.IntegerField(
        allow_null=True, help_text="From the court's today; negative when past; null once closed."
    )
    trigger_on = serializers.DateField(allow_null=True)
    trigger_entry = serializers.IntegerField(
        allow_null=True, help_text="The docket entry number that opened it (or the order)."
    )
    service_method = serializers.CharField()
    rule = serializers.DictField(
        allow_null=True,
        help_text="id, event_code, name, citation, period_days, period_hours, direction, "
        "trigger; null when set by hand.",
    )
    responsible_role = serializers.CharField(help_text="Who must act.")
    owner = serializers.DictField(allow_null=True, help_text="username, name: who is alerted.")
    is_statutory = serializers.BooleanField()
    steps = serializers.ListField(child=serializers.CharField(), help_text="The computation.")
    status_date = serializers.DateField(allow_null=True)
    met_by = serializers.IntegerField(allow_null=True, help_text="The docket entry number.")
    status_reason = serializers.CharField(help_text="Beyond the public level only.")

    def to_representation(self, d: Deadline) -> dict:
        rule, owner = d.rule, d.owner
        active = d.status in (DeadlineStatus.OPEN, DeadlineStatus.MISSED)
        today = self.context["today"]
        return {
            "id": d.pk,
            "name": d.name,
            "status": d.status,
            "status_label": d.get_status_display(),
            "due_on": d.due_on.isoformat(),
            "due_at": d.due_at.isoformat() if d.due_at else None,
            "days_left": (d.due_on - today).days if active else None,
            "trigger_on": d.trigger_on.isoformat() if d.trigger_on else None,
            "trigger_entry": d.trigger_entry.seq if d.trigger_entry_id else None,
            "service_method": d.service_method,
            "rule": None
            if rule is None
            else {
                "id": rule.pk,
                "event_code": rule.event_code,
                "name": rule.name,
                "citation": rule.citation,
                "period_days": rule.period_days,
                "period_hours": rule.period_hours,
                "direction": rule.direction,
                "trigger": rule.trigger,
            },
            "responsible_role": d.responsible_role,
            "owner": None
            if owner is None
            else {"username": owner.get_username(), "name": owner.get_full_name()},
            "is_statutory": d.is_statutory,
            "steps": [str(s) for s in d.steps or []],
            "status_date": d.status_date.isoformat() if d.status_date else None,
            "met_by": d.met_by.seq if d.met_by_id else None,
            "status_reason": d.status_reason if self.context["show_reasons"] else "",
        }


class DeadlineListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=DeadlineStatus.choices, required=False, help_text="Only deadlines in this state."
    )
    due_from = serializers.DateField(required=False)
    due_to = serializers.DateField(required=False)


class DeadlineCreateSerializer(serializers.Serializer):
    """Set a deadline by hand: `due_on`, or `days` counted `direction` `trigger_on`."""

    name = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000, help_text="Cite the order.")
    due_on = serializers.DateField(required=False)
    days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
    direction = serializers.ChoiceField(
        choices=DeadlineDirection.choices, default=DeadlineDirection.AFTER
    )
    trigger_on = serializers.DateField(
        required=False, help_text="Default: the date of `order_entry`."
    )
    service = serializers.ChoiceField(
        choices=[m for m in SERVICE_METHODS if m],
        required=False,
        help_text="Adds 3 days by mail, clerk, consent (FRCP 6(d)).",
    )
    responsible_role = serializers.CharField(required=False, allow_blank=True, max_length=20)
    owner = serializers.CharField(
        required=False, help_text="Username of an attorney of record or of the court's staff."
    )
    order_entry = serializers.IntegerField(
        required=False, min_value=1, help_text="The order's docket entry number."
    )
    is_statutory = serializers.BooleanField(default=False)

    def validate_owner(self, value: str) -> User:
        user = User.objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError("No such user.", code="OWNER_UNKNOWN")
        return user

    def validate_order_entry(self, value: int) -> DocketEntry:
        entry = DocketEntry.objects.filter(case=self.context["case"], seq=value).first()
        if entry is None:
            raise serializers.ValidationError(
                "The case has no docket entry with that number.", code="ENTRY_UNKNOWN"
            )
        return entry

    def deadline(self) -> HandDeadline:
        d = self.validated_data
        return HandDeadline(
            name=d["name"],
            reason=d["reason"],
            due_on=d.get("due_on"),
            trigger_on=d.get("trigger_on"),
            days=d.get("days"),
            direction=d["direction"],
            service=d.get("service", ""),
            responsible_role=d.get("responsible_role", ""),
            owner=d.get("owner"),
            order_entry=d.get("order_entry"),
            is_statutory=d["is_statutory"],
        )


class CaseDeadlineListView(CaseScopedView):
    """The deadlines of a case, by due date; POST sets one by hand."""

    model = Deadline
    serializer_class = DeadlineCreateSerializer

    def get_visible_queryset(self) -> QuerySet[Deadline]:
        query = DeadlineListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        deadlines = case_deadline_list(self.case, level=self.access_level)
        if f.get("status"):
            deadlines = deadlines.filter(status=f["status"])
        if f.get("due_from"):
            deadlines = deadlines.filter(due_on__gte=f["due_from"])
        if f.get("due_to"):
            deadlines = deadlines.filter(due_on__lte=f["due_to"])
        return deadlines

    def _context(self) -> dict:
        return {
            "today": self.case.court.local_today(),
            "show_reasons": self.access_level != PUBLIC,
        }

    @extend_schema(
        summary="Deadlines of the case",
        description="Every status, by due date, each with its rule (null when set by hand), "
        "who must act and who is alerted, and the steps that computed its date.",
        parameters=[*CASE_PARAMS, DeadlineListQuerySerializer],
        responses={200: DeadlineSerializer(many=True), **error_responses(400, 401, 404, 409)},
    )
    def get(self, request: Request, number: str) -> Response:
        self.audit_read("api.deadlines")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            DeadlineSerializer(page, many=True, context=self._context()).data
        )

    @extend_schema(
        summary="Set a deadline by hand",
        description="As an order sets it: `due_on`, or `days` counted `direction` "
        "(after/before) `trigger_on` (default: the date of `order_entry`) under the court's "
        "default rule set, rolled past weekends and legal holidays, with `service` adding "
        "its days. The clerk's office of the case's court only.",
        parameters=CASE_PARAMS,
        request=DeadlineCreateSerializer,
        responses={201: DeadlineSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
        examples=[
            OpenApiExample(
                "Discovery closes 60 days after the scheduling order",
                request_only=True,
                value={
                    "name": "Discovery closes",
                    "days": 60,
                    "order_entry": 12,
                    "reason": "Scheduling order, docket entry 12.",
                    "responsible_role": "parties",
                },
            )
        ],
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = DeadlineCreateSerializer(data=request.data, context={"case": self.case})
        serializer.is_valid(raise_exception=True)
        deadline = deadline_set_by_hand(
            case=self.case, data=serializer.deadline(), set_by=request.user
        )
        deadline = case_deadline_list(self.case, level=self.access_level).get(pk=deadline.pk)
        return Response(
            DeadlineSerializer(deadline, context=self._context()).data,
            status=status.HTTP_201_CREATED,
        )
