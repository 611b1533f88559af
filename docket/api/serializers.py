"""Hearings in and out of the REST API (`cases/{number}/hearings/`, `hearings/{id}/`).

A hearing reads like a row of `calendar/` (the same keys), with its session, outcome,
reasons and links along a continuance chain. Times carry the court's offset; a time
sent without an offset is refused (API.md: ISO 8601 with offset).
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from casemgmt.core.models import User
from casemgmt.core.roles import Role

from ..feeds import feed_event_uid
from ..models import ContinuanceReason, Courtroom, Hearing, HearingStatus, HearingType, Session

ACTIONS = ("reschedule", "continue", "vacate", "cancel", "record_outcome")


def _error(message: str, code: str) -> list[ErrorDetail]:
    return [ErrorDetail(message, code=code)]


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 datetime that must carry its UTC offset (a court's time is ambiguous)."""

    default_error_messages = {"offset": "Give the time with its UTC offset, e.g. -05:00."}

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("offset")
        return super().enforce_timezone(value)


# --- out ------------------------------------------------------------------------------------


class HearingSerializer(serializers.Serializer):
    """One hearing. Context: `show_interpreter` (the caller reads the case beyond its public
    level), `show_override` (court staff of the court: the conflict override reason)."""

    id = serializers.IntegerField()
    uid = serializers.CharField(help_text="The iCal UID, stable along a continuance chain.")
    sequence = serializers.IntegerField(help_text="iCal SEQUENCE: up on every change.")
    case = serializers.DictField(help_text="number, caption")
    court = serializers.DictField(help_text="code, name, time_zone")
    hearing_type = serializers.ChoiceField(choices=HearingType.choices)
    hearing_type_label = serializers.CharField()
    date = serializers.DateField(help_text="Court-local.")
    starts_at = serializers.DateTimeField(help_text="With the court's offset.")
    ends_at = serializers.DateTimeField(help_text="With the court's offset.")
    courtroom = serializers.DictField(help_text="id, name, location")
    judge = serializers.DictField(allow_null=True, help_text="username, name")
    session = serializers.DictField(allow_null=True, help_text="id, name")
    status = serializers.ChoiceField(choices=HearingStatus.choices)
    status_reason = serializers.CharField(help_text="Why it was continued, vacated, cancelled.")
    continuance_reason = serializers.DictField(allow_null=True, help_text="code, label")
    outcome = serializers.CharField()
    setting_number = serializers.IntegerField(
        help_text="How many times this hearing's date has been set (1 = first)."
    )
    continued_from = serializers.IntegerField(allow_null=True)
    continued_to = serializers.IntegerField(allow_null=True)
    interpreter_language = serializers.CharField(
        help_text="Languages needing an interpreter; only to callers who read the case "
        "beyond its public level."
    )
    conflict_override_reason = serializers.CharField(
        required=False, help_text="Only for court staff of the court."
    )

    def to_representation(self, hearing: Hearing) -> dict:
        court, room, judge = hearing.court, hearing.courtroom, hearing.judge
        tz = court.tzinfo
        reason = hearing.continuance_reason
        data = {
            "id": hearing.pk,
            "uid": feed_event_uid(hearing),
            "sequence": hearing.sequence,
            "case": {"number": hearing.case.number, "caption": hearing.case.caption},
            "court": {"code": court.code, "name": court.name, "time_zone": court.time_zone},
            "hearing_type": hearing.hearing_type,
            "hearing_type_label": hearing.get_hearing_type_display(),
            "date": hearing.date.isoformat(),
            "starts_at": timezone.localtime(hearing.starts_at, tz).isoformat(),
            "ends_at": timezone.localtime(hearing.ends_at, tz).isoformat(),
            "courtroom": {"id": room.pk, "name": room.name, "location": room.location},
            "judge": (
                {"username": judge.get_username(), "name": judge.get_full_name()}
                if judge is not None
                else None
            ),
            "session": (
                {"id": hearing.session_id, "name": hearing.session.name}
                if hearing.session_id
                else None
            ),
            "status": hearing.status,
            "status_reason": hearing.status_reason,
            "continuance_reason": (
                {"code": reason.code, "label": reason.label} if reason is not None else None
            ),
            "outcome": hearing.outcome,
            "setting_number": hearing.setting_number,
            "continued_from": hearing.continued_from_id,
            "continued_to": getattr(hearing, "continued_to_pk", None),
            "interpreter_language": (
                hearing.interpreter_language if self.context.get("show_interpreter") else ""
            ),
        }
        if self.context.get("show_override"):
            data["conflict_override_reason"] = hearing.conflict_override_reason
        return data


class HearingListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HearingStatus.choices, required=False)
    from_ = serializers.DateField(required=False, help_text="First court-local date.")
    to = serializers.DateField(required=False, help_text="Last court-local date.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields


# --- in -------------------------------------------------------------------------------------


class SettingSerializer(serializers.Serializer):
    """When and where a hearing is set. Context: `court` (whose courtrooms, judges and
    sessions may be named)."""

    starts_at = OffsetDateTimeField()
    ends_at = OffsetDateTimeField(required=False, help_text="Or give `minutes`.")
    minutes = serializers.IntegerField(required=False, min_value=1, max_value=31 * 24 * 60)
    courtroom = serializers.CharField(
        max_length=100, help_text="The courtroom's id or its name (e.g. `Courtroom 2A`)."
    )
    judge = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="The presiding judge's username or id; default: the session's, the case's "
        "or the courtroom's judge that day.",
    )
    session = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="A calendar session's id (stacked hearings); default: the courtroom's "
        "open session at that time.",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why to set it although an attorney of record or a party is expected "
        "elsewhere (409 HEARING_CLASH without it).",
    )

    def validate_courtroom(self, value: str) -> Courtroom:
        rooms = Courtroom.objects.filter(court=self.context["court"])
        value = value.strip()
        room = rooms.filter(pk=int(value)).first() if value.isdigit() else None
        room = room or rooms.filter(name__iexact=value).first()
        if room is None:
            raise serializers.ValidationError(
                "No courtroom of the case's court has that id or name.", code="UNKNOWN_COURTROOM"
            )
        return room

    def validate_judge(self, value: str) -> User | None:
        value = (value or "").strip()
        if not value:
            return None
        judges = User.objects.filter(role=Role.JUDGE)
        judge = judges.filter(pk=int(value)).first() if value.isdigit() else None
        judge = judge or judges.filter(username=value).first()
        if judge is None:
            raise serializers.ValidationError(
                "No judge has that username or id.", code="UNKNOWN_JUDGE"
            )
        return judge

    def validate_session(self, value: int | None) -> Session | None:
        if value is None:
            return None
        session = Session.objects.filter(pk=value, court=self.context["court"]).first()
        if session is None:
            raise serializers.ValidationError(
                "No session of the case's court has that id.", code="UNKNOWN_SESSION"
            )
        return session

    def setting(self) -> dict:
        """The services' keyword arguments for when and where."""
        data = self.validated_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data.get("ends_at"),
            "minutes": data.get("minutes"),
            "courtroom": data.get("courtroom"),
            "judge": data.get("judge"),
            "session": data.get("session"),
            "override_reason": data.get("override_reason", ""),
        }


class HearingCreateSerializer(SettingSerializer):
    hearing_type = serializers.ChoiceField(choices=HearingType.choices)


class HearingActionSerializer(serializers.Serializer):
    """`PATCH hearings/{id}/`: what to do, then that action's fields."""

    action = serializers.ChoiceField(
        choices=[(a, a) for a in ACTIONS],
        help_text="`reschedule` (same hearing, new time or room), `continue` (a new "
        "hearing, linked, with a reason), `vacate` / `cancel` (with a reason), "
        "`record_outcome` (held).",
    )


class RescheduleSerializer(SettingSerializer):
    courtroom = serializers.CharField(
        required=False, max_length=100, help_text="Default: the hearing's courtroom."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ContinueSerializer(RescheduleSerializer):
    reason = serializers.SlugField(
        max_length=40,
        help_text="A continuance reason's code of the court (e.g. `defense-not-ready`).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_reason(self, value: str) -> ContinuanceReason:
        reason = ContinuanceReason.objects.filter(
            court=self.context["court"], code=value, is_active=True
        ).first()
        if reason is None:
            raise serializers.ValidationError(
                "Not one of the court's continuance reasons.", code="UNKNOWN_CONTINUANCE_REASON"
            )
        return reason


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class HearingChangeRequestSerializer(HearingActionSerializer):
    """The body of `PATCH hearings/{id}/` as the schema shows it: `action`, then the
    fields that action takes (each action checks its own)."""

    starts_at = OffsetDateTimeField(required=False, help_text="reschedule, continue")
    ends_at = OffsetDateTimeField(required=False, help_text="reschedule, continue")
    minutes = serializers.IntegerField(required=False, help_text="reschedule, continue")
    courtroom = serializers.CharField(required=False, help_text="reschedule, continue")
    judge = serializers.CharField(required=False, help_text="reschedule, continue")
    session = serializers.IntegerField(required=False, help_text="reschedule, continue")
    override_reason = serializers.CharField(required=False, help_text="reschedule, continue")
    reason = serializers.CharField(
        required=False,
        help_text="continue: a continuance reason's code; vacate, cancel: why (required); "
        "reschedule: why (optional).",
    )
    note = serializers.CharField(required=False, help_text="continue")
    outcome = serializers.CharField(required=False, help_text="record_outcome")


ACTION_SERIALIZERS = {
    "reschedule": RescheduleSerializer,
    "continue": ContinueSerializer,
    "vacate": ReasonSerializer,
    "cancel": ReasonSerializer,
    "record_outcome": OutcomeSerializer,
}
