"""The deadline calculator, open to everyone at /deadlines/calculator/.

Self-represented litigants count time too: the page asks for the event, the period and
how the paper was served, and answers the due date with the steps that reach it (the
same computation as `GET /api/v1/deadlines/compute/`). A GET form, so an answer can be
bookmarked or shared; htmx swaps the form and its answer in place.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from casemgmt.core.selectors import court_public_list

from .deadline_calendar import Computation, deadline_compute_public
from .deadlines import MAX_DAYS, MAX_HOURS, DeadlineInputError

SERVICE_CHOICES = [
    ("personal", "Personal delivery (handed over, or left at the home or office)"),
    ("electronic", "Electronic (the court's e-filing system or e-mail)"),
    ("mail", "Mail"),
    ("clerk", "Left with the clerk of court"),
    ("consent", "Other means the person agreed to in writing"),
]
UNIT_CHOICES = [("days", "Days"), ("hours", "Hours")]
DIRECTION_CHOICES = [("after", "After the event"), ("before", "Before the event")]

# The engine names its fields after the API's; the form's are these.
_FORM_FIELD = {
    "trigger": "trigger_date",
    "days": "period",
    "hours": "period",
    "direction": "direction",
    "service": "service",
}


class DeadlineCalculatorForm(forms.Form):
    court = forms.ChoiceField(
        label="Court",
        required=False,
        help_text="The court's rules, state holidays and closures apply. Federal: the "
        "Federal Rules of Civil Procedure (Rule 6) and US federal holidays.",
    )
    trigger_date = forms.DateField(
        label="Date of the event",
        help_text="For example the day you were served. That day is not counted.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    trigger_time = forms.TimeField(
        label="Time of the event",
        required=False,
        help_text="Only for periods in hours, on the court's clock.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    period = forms.IntegerField(
        label="Length of the period",
        help_text=f"A whole number: up to {MAX_DAYS} days or {MAX_HOURS} hours.",
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_HOURS, "inputmode": "numeric"}),
    )
    unit = forms.ChoiceField(label="Counted in", choices=UNIT_CHOICES, initial="days")
    direction = forms.ChoiceField(label="Direction", choices=DIRECTION_CHOICES, initial="after")
    service = forms.ChoiceField(
        label="How the paper was served",
        choices=SERVICE_CHOICES,
        initial="personal",
        help_text="Mail, leaving it with the clerk, or other agreed means add 3 days.",
    )

    def __init__(self, *args, courts, **kwargs):
        super().__init__(*args, **kwargs)
        self.courts = {c.code: c for c in courts}
        self.fields["court"].choices = [("", "Federal (no court)")] + [
            (c.code, c.name) for c in courts
        ]

    def clean(self):
        data = super().clean()
        unit, period = data.get("unit"), data.get("period")
        if unit == "hours" and data.get("trigger_date") and not data.get("trigger_time"):
            self.add_error("trigger_time", "Give the time of the event for a period in hours.")
        # The engine refuses these too; said here, they show beside other refusals.
        if unit in ("days", "hours") and period is not None:
            maximum = MAX_DAYS if unit == "days" else MAX_HOURS
            if period < 1:
                self.add_error("period", f"The number of {unit} must be at least 1.")
            elif period > maximum:
                self.add_error("period", f"The number of {unit} must be at most {maximum}.")
        return data

    def compute(self) -> Computation | None:
        """The deadline, or None with the engine's refusal on its field."""
        d = self.cleaned_data
        hours = d["unit"] == "hours"
        trigger = (
            dt.datetime.combine(d["trigger_date"], d["trigger_time"])
            if hours
            else d["trigger_date"]
        )
        try:
            return deadline_compute_public(
                court=self.courts.get(d["court"]),
                trigger=trigger,
                days=None if hours else d["period"],
                hours=d["period"] if hours else None,
                direction=d["direction"],
                service=d["service"],
            )
        except DeadlineInputError as refused:
            self.add_error(_FORM_FIELD.get(refused.field or ""), refused.message)
            return None


def _due_words(computed: Computation | None) -> dict:
    """The due date in words and as ISO, on the court's clock (a template would read a
    datetime on the installation's)."""
    if computed is None:
        return {}
    due = computed.result.due
    if isinstance(due, dt.datetime):
        return {
            "due_text": f"{due:%A, %B} {due.day}, {due:%Y}, {due:%H:%M %Z}",
            "due_iso": due.isoformat(),
        }
    return {"due_text": f"{due:%A, %B} {due.day}, {due:%Y}", "due_iso": due.isoformat()}


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    """The form; with its fields filled in, the due date and the steps that reach it."""
    courts = list(court_public_list())
    asked = "trigger_date" in request.GET or "period" in request.GET
    form = DeadlineCalculatorForm(request.GET if asked else None, courts=courts)
    computed = form.compute() if asked and form.is_valid() else None
    template = (
        "docket/deadline_calculator_body.html"
        if request.htmx
        else "docket/deadline_calculator.html"
    )
    context = {"form": form, "computed": computed, "asked": asked, **_due_words(computed)}
    response = render(request, template, context)
    # The same address answers a page or, to htmx, the part it swaps.
    patch_vary_headers(response, ["HX-Request"])
    return response
