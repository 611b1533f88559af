"""Forms of the counter: intake (case, parties, attorneys, charges), search, transitions."""

from __future__ import annotations

import uuid

from django import forms
from django.forms import formset_factory
from django.urls import reverse

from casemgmt.core.models import AttorneyProfile, User
from casemgmt.core.roles import Role

from .models import (
    CaseStatus,
    CaseType,
    ChargeClass,
    ChargeDisposition,
    Confidentiality,
    InactiveReason,
    PartyRole,
    Person,
    PersonKind,
    Plea,
)

DATE = {"type": "date"}


class IntakeForm(forms.Form):
    intake_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    case_type = forms.ModelChoiceField(
        queryset=CaseType.objects.none(), label="Case type", empty_label="Choose the case type"
    )
    filed_on = forms.DateField(label="Date filed", widget=forms.DateInput(DATE))
    judge = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Judge", empty_label="Assign later"
    )
    confidentiality = forms.ChoiceField(
        required=False,
        choices=[("", "Default for the case type"), *Confidentiality.choices],
        label="Confidentiality",
    )

    def __init__(self, *args, courts, **kwargs):
        super().__init__(*args, **kwargs)
        self.courts = list(courts)
        types = CaseType.objects.filter(court__in=self.courts, is_active=True).select_related(
            "court"
        )
        self.fields["case_type"].queryset = types.order_by("court__name", "code")
        if len(self.courts) > 1:
            self.fields["case_type"].label_from_instance = lambda t: (
                f"{t.court.code} · {t.code} — {t.name}"
            )
        else:
            self.fields["case_type"].label_from_instance = lambda t: f"{t.code} — {t.name}"
        self.fields["judge"].queryset = User.objects.filter(
            role=Role.JUDGE, is_active=True, memberships__court__in=self.courts
        ).distinct()


class PartyForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Choose a role"), *PartyRole.choices])
    kind = forms.ChoiceField(
        choices=PersonKind.choices, initial=PersonKind.INDIVIDUAL, label="Kind"
    )
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(required=False, max_length=100, label="First name")
    middle_name = forms.CharField(required=False, max_length=100, label="Middle name")
    last_name = forms.CharField(required=False, max_length=100, label="Last name")
    organization_name = forms.CharField(required=False, max_length=200, label="Organization")
    is_government_agency = forms.BooleanField(required=False, label="Government agency")
    date_of_birth = forms.DateField(
        required=False, label="Date of birth", widget=forms.DateInput(DATE)
    )
    address_line1 = forms.CharField(required=False, max_length=200, label="Street address")
    city = forms.CharField(required=False, max_length=100)
    state = forms.CharField(required=False, max_length=2)
    postal_code = forms.CharField(required=False, max_length=10, label="ZIP code")
    phone = forms.CharField(required=False, max_length=40)
    email = forms.EmailField(required=False, label="E-mail")
    preferred_language = forms.ChoiceField(
        choices=[
            ("en", "English"),
            ("es", "Spanish"),
            ("vi", "Vietnamese"),
            ("ht", "Haitian Creole"),
            ("other", "Other"),
        ],
        initial="en",
        label="Language",
    )
    interpreter_needed = forms.BooleanField(required=False, label="Needs an interpreter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typing a name or date of birth asks for look-alikes already on file (htmx).
        row = (self.prefix or "parties-0").rsplit("-", 1)[-1]
        for name in ("first_name", "last_name", "organization_name", "date_of_birth"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("cases:person_suggest") + f"?row={row}",
                    "hx-trigger": "input changed delay:350ms",
                    "hx-target": f"#suggest-{row}",
                    "hx-include": f"#party-{row}",
                    "hx-sync": f"#party-{row}:replace",
                }
            )

    def clean_person_id(self):
        pk = self.cleaned_data.get("person_id")
        if pk and not Person.objects.filter(pk=pk).exists():
            raise forms.ValidationError("That person no longer exists.", code="invalid_person")
        return pk

    def clean_state(self):
        return (self.cleaned_data.get("state") or "").upper()


class AppearanceForm(forms.Form):
    bar_number = forms.CharField(max_length=30, label="Bar number")
    party_index = forms.IntegerField(
        min_value=1, label="Represents party no.", help_text="The party's number in the list above."
    )

    def clean_bar_number(self):
        bar = self.cleaned_data["bar_number"].strip()
        profile = (
            AttorneyProfile.objects.select_related("user")
            .filter(bar_number=bar, user__is_active=True, user__role=Role.ATTORNEY)
            .first()
        )
        if profile is None:
            raise forms.ValidationError(
                "No active attorney has that bar number.", code="UNKNOWN_BAR_NUMBER"
            )
        self.cleaned_data["attorney"] = profile.user
        return bar


class ChargeForm(forms.Form):
    statute_code = forms.CharField(max_length=40, label="Statute")
    statute_text = forms.CharField(max_length=300, label="Description of the offense")
    charge_class = forms.ChoiceField(
        choices=[("", "Choose a class"), *ChargeClass.choices], label="Class"
    )
    offense_date = forms.DateField(label="Offense date", widget=forms.DateInput(DATE))


class _NoEmptyRowsFormSet(forms.BaseFormSet):
    """Rows the clerk left blank are ignored rather than reported."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.empty_permitted = True
            form.use_required_attribute = False


PartyFormSet = formset_factory(
    PartyForm, formset=_NoEmptyRowsFormSet, extra=0, min_num=1, max_num=40
)
AppearanceFormSet = formset_factory(
    AppearanceForm, formset=_NoEmptyRowsFormSet, extra=0, max_num=20
)
ChargeFormSet = formset_factory(ChargeForm, formset=_NoEmptyRowsFormSet, extra=0, max_num=60)


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Case number or party name",
        help_text="A full or partial case number, or a name (spelling need not be exact).",
    )
    date_of_birth = forms.DateField(
        required=False, label="Party's date of birth", widget=forms.DateInput(DATE)
    )
    bar_number = forms.CharField(required=False, max_length=30, label="Attorney bar number")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *CaseStatus.choices])
    case_type = forms.CharField(required=False, max_length=8, label="Case type code")
    filed_from = forms.DateField(required=False, label="Filed from", widget=forms.DateInput(DATE))
    filed_to = forms.DateField(required=False, label="Filed to", widget=forms.DateInput(DATE))

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if public:  # the public never sees dates of birth, so cannot search by them
            del self.fields["date_of_birth"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("filed_from"), cleaned.get("filed_to")
        if start and end and start > end:
            self.add_error(
                "filed_to",
                forms.ValidationError("Must not be before Filed from.", code="date_range"),
            )
        return cleaned

    @property
    def has_criteria(self) -> bool:
        return self.is_bound and any(v not in (None, "") for v in self.cleaned_data.values())


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=CaseStatus.choices, label="New status")
    date = forms.DateField(label="Effective date", widget=forms.DateInput(DATE))
    inactive_reason = forms.ChoiceField(
        required=False,
        choices=[("", "Not inactive"), *InactiveReason.choices],
        label="Why inactive",
    )
    reason = forms.CharField(required=False, max_length=300, label="Reason or order")


class CaseAppearanceForm(forms.Form):
    """Enter an attorney's appearance on an open case (from the case page)."""

    bar_number = forms.CharField(max_length=30, label="Attorney's bar number")
    party = forms.TypedChoiceField(coerce=int, label="For party", empty_value=None)

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "The case as a whole")] + [
            (p.pk, f"{p.person.display_name} ({p.get_role_display()})") for p in parties
        ]
        self.fields["party"].required = False

    clean_bar_number = AppearanceForm.clean_bar_number


class ChargeEventForm(forms.Form):
    """A plea or a disposition on one count (case page)."""

    what = forms.ChoiceField(choices=[("plea", "Plea"), ("disposition", "Disposition")])
    value = forms.ChoiceField(
        label="Plea or disposition",
        choices=[
            ("Plea", [c for c in Plea.choices if c[0]]),
            ("Disposition", [c for c in ChargeDisposition.choices if c[0]]),
        ],
    )
    date = forms.DateField(label="Date", widget=forms.DateInput(DATE))

    def clean(self):
        cleaned = super().clean()
        what, value = cleaned.get("what"), cleaned.get("value")
        allowed = Plea.values if what == "plea" else ChargeDisposition.values
        if what and value and value not in allowed:
            self.add_error(
                "value", forms.ValidationError(f"That is not a {what}.", code="invalid_choice")
            )
        return cleaned
