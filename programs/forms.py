"""Forms of the program pages: the caseload's filters, a referral from the case page, the
screening page's steps and the participant page's quick logging and decisions.

The forms check the shape of the input (required fields, numbers, dates); the rules are the
services' (programs.services), whose refusals come back onto the field they name
(`apply_refusal`) together with their stable code.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from casemgmt.core.errors import DomainError

from .caseload import COMPLIANCE_CHOICES, SORTS, STATUS_CHOICES
from .models import (
    Attendance,
    ConsentKind,
    DrugTestResult,
    ReferralSource,
    RequirementKind,
    ScreeningDecision,
    TerminationReason,
)

DATE = {"type": "date"}
TIME = {"type": "time", "step": 300}
REASON = {"rows": 2}

# Where a service's field names land on these forms.
SERVICE_FIELDS = {
    "decision_reason": "decision_reason",
    "drug_test_result": "result",
    "starts_at": "date",
    "demote_to_phase": "demote_to_phase",
    "participant": "participant",
}


def apply_refusal(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or above the form), with its code.

    A field-keyed ValidationError of a service (`exc.field` None, `error_dict`) lands
    field by field."""
    field = SERVICE_FIELDS.get(exc.field or "", exc.field)
    message = f"{exc.message} ({exc.code})"
    form.add_error(field if field in form.fields else None, message)
    form.refusal_code = exc.code


def apply_validation_error(form: forms.Form, exc) -> None:
    """A service's field-keyed django ValidationError onto the form's fields."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = SERVICE_FIELDS.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error.messages[0])
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- the caseload's filters -----------------------------------------------------------------

SORT_CHOICES = []
for _key, (_label, _order) in SORTS.items():
    SORT_CHOICES.append((_key, _label))
    SORT_CHOICES.append((f"-{_key}", f"{_label}, reversed"))


class CaseloadFilterForm(forms.Form):
    """Rendered only: the caseload reads its filters with CaseloadFilters.from_query."""

    program = forms.ChoiceField(label="Program", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    phase = forms.ChoiceField(label="Phase", required=False)
    compliance = forms.ChoiceField(label="Compliance", choices=COMPLIANCE_CHOICES, required=False)
    q = forms.CharField(label="Name or case number", required=False, max_length=100)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, programs, scope_choices, max_phase: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [
            *scope_choices,
            *[(str(p.pk), f"{p.name} ({p.court.code})") for p in programs],
        ]
        self.fields["phase"].choices = [
            ("", "Any phase"),
            *[(str(n), f"Phase {n}") for n in range(1, max_phase + 1)],
        ]


# --- referral (the case page's Programs panel) ----------------------------------------------


class ReferralForm(forms.Form):
    program = forms.ChoiceField(label="Program")
    participant = forms.ChoiceField(label="Participant")
    source = forms.ChoiceField(
        label="Referred by", choices=[("", "Choose who refers"), *ReferralSource.choices]
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(REASON),
    )

    def __init__(self, *args, programs, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = {str(p.pk): p for p in programs}
        self.participants = {str(p.pk): p for p in participants}
        self.fields["program"].choices = [
            ("", "Choose a program"),
            *[(k, p.name) for k, p in self.programs.items()],
        ]
        self.fields["participant"].choices = [
            (k, f"{p.person.display_name} ({p.get_role_display()})")
            for k, p in self.participants.items()
        ]
        if len(self.participants) == 1:
            self.fields["participant"].initial = next(iter(self.participants))

    def clean_program(self):
        return self.programs[self.cleaned_data["program"]]

    def clean_participant(self):
        return self.participants[self.cleaned_data["participant"]]


# --- screening page -------------------------------------------------------------------------


class ScreenForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        required=False,
        choices=[("", "The engine's outcome"), *ScreeningDecision.choices],
        help_text="Needed when the engine says 'needs review'; a decision against the "
        "engine's outcome needs a reason.",
    )
    decision_reason = forms.CharField(
        label="Reason for the decision",
        required=False,
        max_length=2000,
        widget=forms.Textarea(REASON),
    )
    notes = forms.CharField(
        label="Coordinator's notes", required=False, max_length=4000, widget=forms.Textarea(REASON)
    )


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label="Consent of", choices=ConsentKind.choices)
    given_on = forms.DateField(
        label="Given on", required=False, widget=forms.DateInput(DATE), help_text="Blank: today."
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(REASON))


class EnrollForm(forms.Form):
    enrolled_on = forms.DateField(
        label="Enrolled on", required=False, widget=forms.DateInput(DATE), help_text="Blank: today."
    )


# --- participant page: quick logging --------------------------------------------------------


class EventFields(forms.Form):
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(DATE))
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=2000)

    kind: str = ""

    def __init__(self, *args, today: dt.date, requirements=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("occurred_on", today)
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > self.today:
            raise forms.ValidationError("Not in the future.", code="future")
        return day

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"kind": self.kind, "occurred_on": data["occurred_on"], "notes": data["notes"]}


class DrugTestEventForm(EventFields):
    kind = RequirementKind.DRUG_TEST
    result = forms.ChoiceField(
        label="Result", choices=[("", "Choose the result"), *DrugTestResult.choices]
    )
    substances = forms.CharField(
        label="Substances",
        required=False,
        max_length=200,
        help_text="For a positive test: what was found, comma-separated.",
    )
    field_order = ["occurred_on", "result", "substances", "notes"]

    def clean(self):
        data = super().clean()
        if data.get("result") == DrugTestResult.POSITIVE and not data.get("substances"):
            self.add_error("substances", "Name what the test found.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "drug_test_result": data["result"],
            "substances": data["substances"],
        }


SESSION_KINDS = [
    (RequirementKind.COUNSELING, "Counseling session"),
    (RequirementKind.CLASS, "Class"),
    (RequirementKind.REVIEW_HEARING, "Court review hearing"),
]


class SessionEventForm(EventFields):
    kind = ""
    session = forms.ChoiceField(label="Session", choices=SESSION_KINDS)
    attendance = forms.ChoiceField(
        label="Attendance", choices=[("", "Choose"), *Attendance.choices]
    )
    completed = forms.BooleanField(label="Completed the class", required=False)
    field_order = ["occurred_on", "session", "attendance", "completed", "notes"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "kind": data["session"],
            "attendance": data["attendance"],
            "completed": bool(data.get("completed")),
        }


class ServiceHoursEventForm(EventFields):
    kind = RequirementKind.COMMUNITY_SERVICE
    hours = forms.DecimalField(
        label="Hours", min_value=0.25, max_value=24, max_digits=6, decimal_places=2
    )
    site = forms.ModelChoiceField(queryset=None, label="Site", empty_label="Choose the site")
    supervisor_name = forms.CharField(label="Site supervisor", required=False, max_length=200)
    field_order = ["occurred_on", "hours", "site", "supervisor_name", "notes"]

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda s: s.name

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "hours": data["hours"],
            "site": data["site"],
            "supervisor_name": data["supervisor_name"],
        }


EVENT_FORMS = {
    "drug_test": DrugTestEventForm,
    "session": SessionEventForm,
    "community_service": ServiceHoursEventForm,
}


# --- participant page: flags and decisions --------------------------------------------------


class FlagResolveForm(forms.Form):
    note = forms.CharField(
        label="How it was resolved", max_length=2000, widget=forms.Textarea(REASON)
    )


class ResponseForm(forms.Form):
    """A sanction or an incentive (the kind is the page's: programs:enrollment_response)."""

    action = forms.CharField(
        label="What was ordered", max_length=200, help_text="e.g. Two days of jail, Praise."
    )
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(REASON))
    ordered_on = forms.DateField(
        label="Ordered on", required=False, widget=forms.DateInput(DATE), help_text="Blank: today."
    )
    demote_to_phase = forms.IntegerField(
        label="Back to phase (optional)", required=False, min_value=1, max_value=99
    )
    flag = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReviewHearingForm(forms.Form):
    date = forms.DateField(label="Date", widget=forms.DateInput(DATE))
    time = forms.TimeField(label="Time", widget=forms.TimeInput(TIME, format="%H:%M"))
    courtroom = forms.ModelChoiceField(
        queryset=None, label="Courtroom", empty_label="Choose a courtroom"
    )

    def __init__(self, *args, court, **kwargs):
        from docket.selectors import courtroom_list_for

        super().__init__(*args, **kwargs)
        self.court = court
        self.fields["courtroom"].queryset = courtroom_list_for(court)
        self.fields["courtroom"].label_from_instance = lambda r: r.name

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["date"], data["time"], tzinfo=self.court.tzinfo)


class AdvanceForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional; needed to advance despite what is missing)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(REASON),
    )
    override = forms.BooleanField(label="Advance although requirements are not met", required=False)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(
        label="Completed on",
        required=False,
        widget=forms.DateInput(DATE),
        help_text="Blank: today.",
    )
    note = forms.CharField(
        label="Note (needed to complete despite what is missing)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(REASON),
    )
    override = forms.BooleanField(
        label="Complete although requirements are not met", required=False
    )


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason", choices=[("", "Choose the reason"), *TerminationReason.choices]
    )
    note = forms.CharField(
        label="What happened",
        required=False,
        max_length=2000,
        widget=forms.Textarea(REASON),
        help_text="Needed when the reason is 'Other'.",
    )
    terminated_on = forms.DateField(
        label="Terminated on",
        required=False,
        widget=forms.DateInput(DATE),
        help_text="Blank: today.",
    )
