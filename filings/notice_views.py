"""Pages for notices: issue one kind of notice on many cases (a batch), watch its progress.

The batch runs in the worker (`filings.tasks.notice_batch_issue_task`); its page
polls a small status partial every 2 seconds (htmx) until the batch is over, and
announces progress politely to screen readers (role="status").
"""

from __future__ import annotations

import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import role_required
from casemgmt.core.roles import STAFF_ROLES
from casemgmt.core.selectors import court_active_for, court_list_for_user
from cases.models import Case
from cases.policies import RECORD_KEEPERS, can_keep_record

from .models.notices import KIND_FIELDS, NOTICE_FALLBACK_LANGUAGE, NoticeKind
from .notices import (
    MAX_BATCH_CASES,
    notice_batch_create,
    notice_batch_errors_visible,
    notice_batch_get_visible,
)

POLL_EVERY = "2s"


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


class NoticeBatchForm(forms.Form):
    """Court, kind, case numbers, then the fields of the chosen kind (KIND_FIELDS)."""

    court = forms.ModelChoiceField(queryset=None, empty_label=None)
    kind = forms.ChoiceField(choices=NoticeKind.choices, label="Kind of notice")
    cases = forms.CharField(
        label="Case numbers",
        help_text=f"One per line (or separated by commas or spaces); at most {MAX_BATCH_CASES:,}.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, courts, kind: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["court"].queryset = courts
        self.kind = kind if kind in NoticeKind.values else NoticeKind.HEARING_NOTICE
        self.kind_field_names: list[str] = []
        for spec in KIND_FIELDS[self.kind]:
            self.fields[spec.name] = self._field_for(spec)
            self.kind_field_names.append(spec.name)
            if spec.type == "text":
                name = f"{spec.name}_es"
                self.fields[name] = forms.CharField(
                    label=f"{_label(spec.name)} in Spanish",
                    required=False,
                    help_text="For Spanish copies; if left empty they use the English text.",
                    widget=self.fields[spec.name].widget.__class__(),
                )
                self.kind_field_names.append(name)

    @staticmethod
    def _field_for(spec) -> forms.Field:
        common = {"label": _label(spec.name), "required": spec.required, "help_text": spec.help}
        if spec.type == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if spec.type == "time":
            return forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
        if spec.type == "money":
            return forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, **common)
        if spec.type == "int":
            return forms.IntegerField(min_value=0, **common)
        long_text = spec.name in ("order_text", "requirement")
        widget = forms.Textarea(attrs={"rows": 6}) if long_text else forms.TextInput()
        return forms.CharField(widget=widget, max_length=10_000, **common)

    def kind_fields(self):
        return [self[name] for name in self.kind_field_names]

    def clean(self):
        data = super().clean()
        court, raw = data.get("court"), data.get("cases") or ""
        if court is None or not raw:
            return data
        numbers = list(dict.fromkeys(n for n in re.split(r"[\s,;]+", raw) if n))
        if len(numbers) > MAX_BATCH_CASES:
            self.add_error("cases", f"At most {MAX_BATCH_CASES:,} cases in one batch.")
            return data
        found = dict(
            Case.objects.visible_to(self.user)
            .filter(court=court, number__in=numbers)
            .values_list("number", "pk")
        )
        unknown = [n for n in numbers if n not in found]
        if unknown:
            shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
            self.add_error("cases", f"No such case in {court.name}: {shown}")
        data["case_ids"] = [found[n] for n in numbers if n in found]
        return data

    def notice_context(self) -> dict:
        context = {}
        for spec in KIND_FIELDS[self.kind]:
            value = self.cleaned_data.get(spec.name)
            if value in (None, ""):
                continue
            spanish = self.cleaned_data.get(f"{spec.name}_es")
            if spec.type == "text" and spanish:
                value = {NOTICE_FALLBACK_LANGUAGE: value, "es": spanish}
            context[spec.name] = value
        return context


def _batch_courts(user):
    ids = [c.pk for c in court_list_for_user(user) if can_keep_record(user, court=c)]
    return court_list_for_user(user).filter(pk__in=ids)


@role_required(*RECORD_KEEPERS)
def batch_new(request: HttpRequest) -> HttpResponse:
    """Issue one kind of notice on a list of cases; the worker does the work."""
    courts = _batch_courts(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or NoticeKind.HEARING_NOTICE
    if request.method == "POST":
        form = NoticeBatchForm(request.POST, courts=courts, kind=kind, user=request.user)
        if form.is_valid():
            try:
                batch = notice_batch_create(
                    court=form.cleaned_data["court"],
                    kind=form.kind,
                    case_ids=form.cleaned_data["case_ids"],
                    context=form.notice_context(),
                    created_by=request.user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect(reverse("notices:batch_detail", args=[batch.pk]))
    else:
        # A change of kind (htmx swaps the kind's fields; without JavaScript the
        # "Show the fields" button reloads the page) keeps what was typed.
        active = court_active_for(request)
        initial = {"court": active.pk if active else None, "kind": kind}
        initial.update({k: request.GET[k] for k in ("court", "cases") if request.GET.get(k)})
        form = NoticeBatchForm(courts=courts, kind=kind, user=request.user, initial=initial)
    template = "filings/notices/batch_new.html"
    if request.htmx and request.htmx.target == "kind-fields":
        template = "filings/notices/_batch_kind_fields.html"
    return render(request, template, {"form": form, "no_courts": not courts.exists()})


def _visible_batch(request: HttpRequest, pk: int):
    batch = notice_batch_get_visible(user=request.user, pk=pk)
    if batch is None:
        raise Http404("No such batch.")  # forbidden and missing answer alike
    return batch


@require_GET
@role_required(*STAFF_ROLES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _visible_batch(request, pk)
    context = {"batch": batch, "poll_every": POLL_EVERY}
    if batch.is_over:
        context["errors"] = notice_batch_errors_visible(user=request.user, batch=batch)
    return render(request, "filings/notices/batch_detail.html", context)


@require_GET
@role_required(*STAFF_ROLES)
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (htmx); also a plain page without htmx."""
    batch = _visible_batch(request, pk)
    context = {"batch": batch, "poll_every": POLL_EVERY}
    if batch.is_over:
        context["errors"] = notice_batch_errors_visible(user=request.user, batch=batch)
    return render(request, "filings/notices/_batch_progress.html", context)
