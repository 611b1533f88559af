"""Forms of the hearing pages: set a hearing, move it, continue, vacate, record the outcome.

The forms read dates and times in the court's own time zone and hand the services aware
datetimes; refusals of the services come back onto the fields (`apply_refusal`).
"""

from __future__ import annotations

import datetime as dt

from django import forms

from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court

from .models import EXCLUSIVE_TYPES, ContinuanceReason, Courtroom, HearingType
from .selectors import continuance_reason_list, courtroom_list_for, judge_list_for

DATE = {"type": "date"}
TIME = {"type": "time", "step": 300}

# Typical lengths, so the clerk rarely types one (the form's default per kind).
DEFAULT_MINUTES = {
    HearingType.ARRAIGNMENT: 5,
    HearingType.PRETRIAL: 15,
    HearingType.MOTION: 30,
    HearingType.EVIDENTIARY: 120,
    HearingType.TRIAL: 480,
    HearingType.SENTENCING: 30,
    HearingType.REVIEW: 15,
    HearingType.STATUS: 10,
}

# Where a service's field names land on these forms.
SERVICE_FIELDS = {
    "starts_at": "date",
    "ends_at": "minutes",
    "session": "time",
    "courtroom": "courtroom",
    "judge": "judge",
    "hearing_type": "hearing_type",
    "override_reason": "override_reason",
    "reason": "reason",
    "note": "note",
    "outcome": "outcome",
}


def apply_refusal(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    field = SERVICE_FIELDS.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


class SettingFields(forms.Form):
    """When and where: the part of every form that sets a hearing's time."""

    date = forms.DateField(label="Date", widget=forms.DateInput(DATE))
    time = forms.TimeField(label="Time", widget=forms.TimeInput(TIME, format="%H:%M"))
    minutes = forms.IntegerField(
        label="Length (minutes)", min_value=1, max_value=31 * 24 * 60, widget=forms.NumberInput
    )
    courtroom = forms.ModelChoiceField(
        queryset=Courtroom.objects.none(), label="Courtroom", empty_label="Choose a courtroom"
    )
    judge = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Judge",
        empty_label="The calendar's, the case's or the courtroom's judge",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason to set it despite the conflicts",
        help_text="Only needed when an attorney or a party is expected elsewhere at the time.",
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args, court: Court, **kwargs):
        super().__init__(*args, **kwargs)
        self.court = court
        self.fields["courtroom"].queryset = courtroom_list_for(court)
        self.fields["courtroom"].label_from_instance = lambda r: r.name
        self.fields["judge"].queryset = judge_list_for(court)
        self.fields["judge"].label_from_instance = lambda u: u.get_full_name() or u.username

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["date"], data["time"], tzinfo=self.court.tzinfo)

    def setting(self) -> dict:
        """The services' keyword arguments for when and where."""
        data = self.cleaned_data
        return {
            "starts_at": self.starts_at(),
            "minutes": data["minutes"],
            "courtroom": data["courtroom"],
            "judge": data.get("judge"),
            "override_reason": data.get("override_reason", ""),
        }


class HearingScheduleForm(SettingFields):
    hearing_type = forms.ChoiceField(
        label="Kind of hearing", choices=[("", "Choose the kind"), *HearingType.choices]
    )
    field_order = [
        "hearing_type",
        "date",
        "time",
        "minutes",
        "courtroom",
        "judge",
        "override_reason",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].required = False
        self.fields[
            "minutes"
        ].help_text = "Blank: the usual length for the kind (trial 480, motion 30, status 10...)."

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("hearing_type")
        if kind and not cleaned.get("minutes"):
            cleaned["minutes"] = DEFAULT_MINUTES[kind]
        return cleaned

    def is_exclusive(self) -> bool:
        return self.cleaned_data.get("hearing_type") in EXCLUSIVE_TYPES


class HearingRescheduleForm(SettingFields):
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Why it moves (optional)",
        widget=forms.Textarea({"rows": 2}),
    )
    field_order = ["date", "time", "minutes", "courtroom", "judge", "reason", "override_reason"]


class HearingContinueForm(SettingFields):
    reason = forms.ModelChoiceField(
        queryset=ContinuanceReason.objects.none(),
        label="Reason for the continuance",
        empty_label="Choose a reason",
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note",
        help_text="Required for some reasons (e.g. 'Other').",
        widget=forms.Textarea({"rows": 2}),
    )
    field_order = [
        "reason",
        "note",
        "date",
        "time",
        "minutes",
        "courtroom",
        "judge",
        "override_reason",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = continuance_reason_list(self.court)
        self.fields["date"].label = "New date"
        self.fields["time"].label = "New time"


class HearingVacateForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, label="Why it is vacated", widget=forms.Textarea({"rows": 2})
    )


class HearingOutcomeForm(forms.Form):
    outcome = forms.CharField(
        max_length=2000,
        label="What happened",
        help_text="e.g. Plea of not guilty entered; pretrial set.",
        widget=forms.Textarea({"rows": 3}),
    )
