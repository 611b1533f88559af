"""Shapes of the case file API, in and out. Rules live in the services, not here.

Input serializers check types and sizes and resolve codes and names to rows
(court code, case type code, usernames, bar numbers); the services decide what
the court allows (a defendant is required, dates are not in the future, ...).
Output serializers never show a party's contact details unless the serializer
context says `show_contact` (see `cases.policies.can_see_contact_details`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from casemgmt.core.api.views import CourtRefSerializer
from casemgmt.core.models import AttorneyProfile, Court, User

from ..models import (
    Appearance,
    Case,
    CaseStatus,
    CaseType,
    Charge,
    ChargeClass,
    ChargeDisposition,
    Confidentiality,
    DocketEntry,
    InactiveReason,
    PartyRole,
    Person,
    Plea,
)
from ..policies import CONTACT_FIELDS
from ..services import AppearanceInput, ChargeInput, IntakeInput, PartyInput
from .extras import case_detail_field

# No request does unbounded work: at most this many parties, attorneys or counts per intake.
MAX_INTAKE_ITEMS = 100


def _error(message: str, code: str) -> list[ErrorDetail]:
    return [ErrorDetail(message, code=code)]


class CourtLocalDateTimeField(serializers.DateTimeField):
    """A datetime in the court's own time zone (context `tz`), ISO 8601 with its offset."""

    def to_representation(self, value):
        tz = self.context.get("tz")
        if value is not None and tz is not None:
            value = timezone.localtime(value, tz)
            return value.isoformat()
        return super().to_representation(value)


# --- out ----------------------------------------------------------------------------------


class CaseTypeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseType
        fields = ["code", "name", "category"]
        read_only_fields = fields


class JudgeRefSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class CaseListItemSerializer(serializers.ModelSerializer):
    court = CourtRefSerializer(read_only=True)
    case_type = CaseTypeRefSerializer(read_only=True)
    judge = JudgeRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "number",
            "court",
            "case_type",
            "caption",
            "status",
            "status_date",
            "confidentiality",
            "is_juvenile",
            "filed_on",
            "disposed_on",
            "judge",
        ]
        read_only_fields = fields


class PartySerializer(serializers.Serializer):
    """A party with its role. Contact fields only when the context allows them."""

    id = serializers.IntegerField(read_only=True, help_text="The party's id on this case.")
    person_id = serializers.IntegerField(read_only=True)
    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    position = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(source="person.kind", read_only=True)
    name = serializers.CharField(source="person.display_name", read_only=True)
    first_name = serializers.CharField(source="person.first_name", read_only=True)
    middle_name = serializers.CharField(source="person.middle_name", read_only=True)
    last_name = serializers.CharField(source="person.last_name", read_only=True)
    suffix = serializers.CharField(source="person.suffix", read_only=True)
    organization_name = serializers.CharField(source="person.organization_name", read_only=True)
    is_government_agency = serializers.BooleanField(
        source="person.is_government_agency", read_only=True
    )
    preferred_language = serializers.CharField(source="person.preferred_language", read_only=True)
    interpreter_needed = serializers.BooleanField(
        source="person.interpreter_needed", read_only=True
    )
    added_on = serializers.DateField(read_only=True)
    removed_on = serializers.DateField(read_only=True, allow_null=True)
    # Not read-only, so that the schema marks them optional: they are absent when redacted.
    date_of_birth = serializers.DateField(
        source="person.date_of_birth", required=False, allow_null=True
    )
    address_line1 = serializers.CharField(source="person.address_line1", required=False)
    address_line2 = serializers.CharField(source="person.address_line2", required=False)
    city = serializers.CharField(source="person.city", required=False)
    state = serializers.CharField(source="person.state", required=False)
    postal_code = serializers.CharField(source="person.postal_code", required=False)
    phone = serializers.CharField(source="person.phone", required=False)
    email = serializers.CharField(source="person.email", required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("show_contact", False):
            for name in CONTACT_FIELDS:
                data.pop(name, None)
        return data


class AttorneyRefSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    bar_number = serializers.CharField(
        source="attorney_profile.bar_number", read_only=True, allow_null=True
    )
    bar_state = serializers.CharField(
        source="attorney_profile.bar_state", read_only=True, allow_null=True
    )
    firm = serializers.CharField(source="attorney_profile.firm", read_only=True, allow_null=True)


class PartyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    name = serializers.CharField(source="person.display_name", read_only=True)


class AppearanceSerializer(serializers.ModelSerializer):
    """An attorney of record (active until withdrawn)."""

    attorney = AttorneyRefSerializer(read_only=True)
    party = PartyRefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Appearance
        fields = ["id", "attorney", "party", "entered_on", "withdrawn_on", "is_active"]
        read_only_fields = fields


class ChargeSerializer(serializers.ModelSerializer):
    count = serializers.IntegerField(source="count_number", read_only=True)
    is_felony = serializers.BooleanField(read_only=True)

    class Meta:
        model = Charge
        fields = [
            "count",
            "statute_code",
            "statute_text",
            "charge_class",
            "is_felony",
            "offense_date",
            "plea",
            "plea_date",
            "disposition",
            "disposition_date",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseListItemSerializer):
    """One case: parties, attorneys of record, counts, and what comes next."""

    parties = PartySerializer(many=True, read_only=True)
    attorneys = AppearanceSerializer(
        many=True,
        read_only=True,
        source="active_appearances",
        help_text="Active appearances (attorneys of record).",
    )
    charges = ChargeSerializer(many=True, read_only=True)
    open_deadlines = serializers.SerializerMethodField(
        help_text="Open deadlines, soonest first (filled in by the docket app)."
    )
    next_hearing = serializers.SerializerMethodField(
        help_text="The next scheduled hearing, or null (filled in by the docket app)."
    )

    class Meta(CaseListItemSerializer.Meta):
        fields = [
            *CaseListItemSerializer.Meta.fields,
            "inactive_reason",
            "parties",
            "attorneys",
            "charges",
            "open_deadlines",
            "next_hearing",
        ]
        read_only_fields = fields

    def get_open_deadlines(self, case: Case) -> list[dict[str, Any]]:
        level = self.context.get("level", "public")
        return case_detail_field("open_deadlines", case=case, level=level, default=[])

    def get_next_hearing(self, case: Case) -> dict[str, Any] | None:
        level = self.context.get("level", "public")
        return case_detail_field("next_hearing", case=case, level=level, default=None)


class DocketEntrySerializer(serializers.ModelSerializer):
    """One entry of the register of actions."""

    entered_at = CourtLocalDateTimeField(read_only=True)
    corrects = serializers.IntegerField(
        source="corrects_seq",
        read_only=True,
        allow_null=True,
        help_text="Number (seq) of the entry this one corrects.",
    )

    class Meta:
        model = DocketEntry
        fields = [
            "seq",
            "entry_date",
            "entered_at",
            "event_code",
            "text",
            "confidentiality",
            "corrects",
        ]
        read_only_fields = fields


class ConfidentialityResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["number", "confidentiality"]
        read_only_fields = fields


# --- in -----------------------------------------------------------------------------------


class CaseListQuerySerializer(serializers.Serializer):
    """Filters of `GET cases/` (the same search the counter's page uses)."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Case number or party name."
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    type = serializers.CharField(required=False, max_length=8, help_text="Case type code (CR).")
    court = serializers.CharField(required=False, max_length=20, help_text="Court code.")
    party = serializers.CharField(
        required=False, max_length=200, help_text="Party name (typo-tolerant)."
    )
    attorney = serializers.CharField(
        required=False, max_length=30, help_text="Bar number of an attorney of record."
    )
    filed_from = serializers.DateField(required=False, help_text="Filed on or after.")
    filed_to = serializers.DateField(required=False, help_text="Filed on or before.")

    def validate(self, attrs):
        start, end = attrs.get("filed_from"), attrs.get("filed_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"filed_to": _error("The range ends before it starts.", "DATE_RANGE_INVERTED")}
            )
        return attrs


class PersonInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = PartyInput.PERSON_FIELDS


class PartyInputSerializer(PersonInputSerializer):
    """A party: a new person described by the fields, or an existing one by `person_id`."""

    role = serializers.ChoiceField(choices=PartyRole.choices)
    person_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Link an existing person instead of describing a new one.",
    )

    class Meta(PersonInputSerializer.Meta):
        fields = ["role", "person_id", *PartyInput.PERSON_FIELDS]

    def to_party_input(self, attrs: dict, person: Person | None) -> PartyInput:
        values = {k: v for k, v in attrs.items() if k in PartyInput.PERSON_FIELDS}
        return PartyInput(role=attrs["role"], person=person, **values)

    def validate(self, attrs):
        person_id = attrs.get("person_id")
        if person_id is not None:
            person = Person.objects.filter(pk=person_id).first()
            if person is None:
                raise serializers.ValidationError(
                    {"person_id": _error("No person has that id.", "UNKNOWN_PERSON")}
                )
            attrs["person"] = person
        return attrs


class AttorneyChoiceSerializer(serializers.Serializer):
    """An attorney named by bar number (and state, when two states share it) or username."""

    bar_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    bar_state = serializers.CharField(required=False, allow_blank=True, max_length=2)
    attorney = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="The attorney's username."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["attorney_user"] = attorney_resolve(
            bar_number=attrs.get("bar_number", ""),
            bar_state=attrs.get("bar_state", ""),
            username=attrs.get("attorney", ""),
        )
        return attrs


def attorney_resolve(*, bar_number: str, bar_state: str, username: str) -> User:
    """The user named by bar number or username. Raises a field-keyed ValidationError."""
    bar_number, bar_state, username = (
        bar_number.strip(),
        bar_state.strip().upper(),
        username.strip(),
    )
    if not bar_number and not username:
        raise serializers.ValidationError(
            {"bar_number": _error("Give the attorney's bar number or username.", "required")}
        )
    user = None
    if bar_number:
        profiles = AttorneyProfile.objects.filter(bar_number=bar_number).select_related("user")
        if bar_state:
            profiles = profiles.filter(bar_state=bar_state)
        found = list(profiles[:2])
        if not found:
            raise serializers.ValidationError(
                {"bar_number": _error("No attorney has that bar number.", "UNKNOWN_ATTORNEY")}
            )
        if len(found) > 1:
            raise serializers.ValidationError(
                {
                    "bar_state": _error(
                        "Two bars use that number; give the bar state.", "AMBIGUOUS_BAR_NUMBER"
                    )
                }
            )
        user = found[0].user
        if username and user.username != username:
            raise serializers.ValidationError(
                {
                    "attorney": _error(
                        "The username and the bar number name different attorneys.",
                        "ATTORNEY_MISMATCH",
                    )
                }
            )
        return user
    user = User.objects.filter(username=username).first()
    if user is None:
        raise serializers.ValidationError(
            {"attorney": _error("No attorney has that username.", "UNKNOWN_ATTORNEY")}
        )
    return user


class IntakeAppearanceSerializer(AttorneyChoiceSerializer):
    party = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Index (from 0) into `parties` of the party the attorney represents.",
    )


class ChargeInputSerializer(serializers.Serializer):
    statute_code = serializers.CharField(max_length=40)
    statute_text = serializers.CharField(max_length=300)
    charge_class = serializers.ChoiceField(choices=ChargeClass.choices)
    offense_date = serializers.DateField()

    def to_charge_input(self, attrs: dict) -> ChargeInput:
        return ChargeInput(
            statute_code=attrs["statute_code"],
            statute_text=attrs["statute_text"],
            charge_class=attrs["charge_class"],
            offense_date=attrs["offense_date"],
        )


class IntakeSerializer(serializers.Serializer):
    """Open a case (intake). The services check the court's rules."""

    court = serializers.CharField(max_length=20, help_text="Court code.")
    case_type = serializers.CharField(max_length=8, help_text="Case type code of that court.")
    filed_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today (court-local)."
    )
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices,
        required=False,
        allow_null=True,
        help_text="Defaults to the case type's.",
    )
    judge = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=150,
        help_text="Username of the assigned judge.",
    )
    parties = PartyInputSerializer(many=True, max_length=MAX_INTAKE_ITEMS)
    appearances = IntakeAppearanceSerializer(many=True, required=False, max_length=MAX_INTAKE_ITEMS)
    charges = ChargeInputSerializer(many=True, required=False, max_length=MAX_INTAKE_ITEMS)

    def validate(self, attrs):
        errors: dict[str, list[ErrorDetail]] = {}
        court = Court.objects.filter(code=attrs["court"].strip(), is_active=True).first()
        if court is None:
            errors["court"] = _error("No court has that code.", "UNKNOWN_COURT")
        code = attrs["case_type"].strip()
        case_type = None
        if court is not None:
            case_type = CaseType.objects.filter(court=court, code__iexact=code).first()
        if case_type is None:
            # Another court's type goes on to the service, which names the problem
            # (CASE_TYPE_OTHER_COURT) as it does for the counter's page.
            case_type = (
                CaseType.objects.filter(code__iexact=code)
                .select_related("court")
                .order_by("pk")
                .first()
            )
        if case_type is None:
            errors["case_type"] = _error("No case type has that code.", "UNKNOWN_CASE_TYPE")
        judge = None
        if attrs.get("judge"):
            judge = User.objects.filter(username=attrs["judge"].strip()).first()
            if judge is None:
                errors["judge"] = _error("No judge has that username.", "UNKNOWN_JUDGE")
        if errors:
            raise serializers.ValidationError(errors)
        attrs.update(court=court, case_type=case_type, judge=judge)
        return attrs

    def to_intake_input(self, *, intake_key: uuid.UUID | None) -> IntakeInput:
        data = self.validated_data
        party_serializer = PartyInputSerializer()
        charge_serializer = ChargeInputSerializer()
        return IntakeInput(
            court=data["court"],
            case_type=data["case_type"],
            parties=[party_serializer.to_party_input(p, p.get("person")) for p in data["parties"]],
            appearances=[
                AppearanceInput(attorney=a["attorney_user"], party_index=a.get("party"))
                for a in data.get("appearances", [])
            ],
            charges=[charge_serializer.to_charge_input(c) for c in data.get("charges", [])],
            filed_on=data.get("filed_on"),
            confidentiality=data.get("confidentiality"),
            judge=data["judge"],
            intake_key=intake_key,
        )


class CaseUpdateSerializer(serializers.Serializer):
    """`PATCH cases/{number}/`: the caption and the assigned judge, for now."""

    caption = serializers.CharField(required=False, max_length=300)
    judge = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=150,
        help_text="Username of the judge to assign; null unassigns.",
    )

    def validate_judge(self, value):
        if value is None:
            return None
        judge = User.objects.filter(username=value.strip()).first()
        if judge is None:
            raise serializers.ValidationError("No judge has that username.", code="UNKNOWN_JUDGE")
        return judge


class ConfidentialitySerializer(serializers.Serializer):
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices)
    reason = serializers.CharField(
        allow_blank=True, default="", max_length=300, help_text="The order or reason (required)."
    )


class TransitionSerializer(serializers.Serializer):
    # No case ever moves back to "filed": that is only where it starts.
    to = serializers.ChoiceField(choices=[c for c in CaseStatus.choices if c[0] != "filed"])
    reason = serializers.CharField(allow_blank=True, default="", max_length=300)
    date = serializers.DateField(
        required=False, allow_null=True, help_text="Effective date; defaults to today."
    )
    inactive_reason = serializers.ChoiceField(
        choices=InactiveReason.choices,
        allow_blank=True,
        default="",
        help_text="Required when `to` is inactive.",
    )


class AppearanceEnterSerializer(AttorneyChoiceSerializer):
    party = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id of the party (on this case) the attorney represents.",
    )
    entered_on = serializers.DateField(required=False, allow_null=True)


class AppearanceWithdrawSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, allow_null=True, help_text="Withdrawal date; defaults to today."
    )


class PleaSerializer(serializers.Serializer):
    plea = serializers.ChoiceField(choices=[c for c in Plea.choices if c[0]])
    plea_date = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today."
    )


class DispositionSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=[c for c in ChargeDisposition.choices if c[0]])
    disposition_date = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today."
    )
