"""Forms of the speedy-trial clock (the case page's panel and the clock's page): the
dates the clock runs from, an excludable period, and the end of an ongoing one. The
services decide; their refusals come back onto the fields (`apply_refusal`)."""

from __future__ import annotations

from django import forms

from casemgmt.core.errors import DomainError

from .models import ExcludableKind

DATE = {"type": "date"}


def apply_refusal(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class ClockDatesForm(forms.Form):
    """All the clock's dates at once: what the clerk leaves blank is cleared."""

    arrest_or_summons_on = forms.DateField(
        label="Arrest or summons", required=False, widget=forms.DateInput(DATE)
    )
    indictment_on = forms.DateField(
        label="Indictment or information filed", required=False, widget=forms.DateInput(DATE)
    )
    first_appearance_on = forms.DateField(
        label="First appearance before a judicial officer of this court",
        required=False,
        widget=forms.DateInput(DATE),
    )
    counsel_appearance_on = forms.DateField(
        label="First appearance through counsel (or election to proceed pro se)",
        required=False,
        widget=forms.DateInput(DATE),
    )
    trial_started_on = forms.DateField(
        label="Trial began", required=False, widget=forms.DateInput(DATE)
    )
    earlier_trial_consented = forms.BooleanField(
        label="The defendant consented in writing to an earlier trial (3161(c)(2))",
        required=False,
    )

    @classmethod
    def for_clock(cls, clock, **kwargs) -> ClockDatesForm:
        initial = {}
        if clock is not None:
            initial = {name: getattr(clock, name) for name in cls.base_fields}
        return cls(initial=initial, **kwargs)


class ExcludablePeriodForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of delay", choices=ExcludableKind.choices)
    starts_on = forms.DateField(label="First day excluded", widget=forms.DateInput(DATE))
    ends_on = forms.DateField(
        label="Last day excluded",
        required=False,
        help_text="Leave blank while it lasts (a motion not yet decided).",
        widget=forms.DateInput(DATE),
    )
    reason = forms.CharField(
        label="The court's reasons",
        required=False,
        max_length=4000,
        help_text="Required for an ends-of-justice continuance (3161(h)(7)(A)).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    docket_entry = forms.IntegerField(
        label="Docket entry number",
        required=False,
        min_value=1,
        help_text="The entry that records it (the motion, the order), if any.",
    )


class PeriodEndForm(forms.Form):
    ends_on = forms.DateField(label="Last day excluded", widget=forms.DateInput(DATE))
