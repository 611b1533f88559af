"""Deadline pages (mounted at /deadlines/ by docket.deadline_case_urls): a case's deadlines
with the forms that set one by hand and mark one met, waived or vacated; and "My
deadlines" for attorneys and the clerk's office. Thin: the rules are
docket.deadline_services', the reads docket.deadline_selectors'.

A case the user may not see is 404; the forms are for the clerk's office of the case's
court (403, audited, for anyone else who can see the case).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.models import User
from casemgmt.core.pagination import paginate_without_count
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import STAFF_ROLES, Role
from cases.models import Appearance, Case, DocketEntry, PartyRole
from cases.policies import PUBLIC, RECORD_KEEPERS, can_keep_record, case_access_level
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .deadline_panels import ROLE_WORDS, deadline_item
from .deadline_selectors import (
    case_deadlines_active_first,
    deadline_get_for_case,
    my_deadlines_page,
)
from .deadline_services import (
    HandDeadline,
    deadline_mark_met,
    deadline_set_by_hand,
    deadline_vacate,
    deadline_waive,
)
from .forms import apply_refusal
from .models import DeadlineDirection
from .portal import portal_read_audit

CASE_DEADLINES_PER_PAGE = 100
DATE = {"type": "date"}

SERVICE_CHOICES = [
    ("", "Not served / not applicable"),
    ("personal", "Personal"),
    ("electronic", "Electronic"),
    ("mail", "Mail (+3 days, FRCP 6(d))"),
    ("clerk", "Left with the clerk (+3 days)"),
    ("consent", "Other means consented to (+3 days)"),
]
RESPONSIBLE_CHOICES = [
    ("", "Not said"),
    *PartyRole.choices,
    *[(k, v) for k, v in ROLE_WORDS.items()],
]


# --- forms ------------------------------------------------------------------------------------


def owner_choices(case: Case) -> forms.models.QuerySet:
    """Who may be alerted: the case's attorneys of record and its court's staff."""
    of_record = Appearance.objects.filter(case=case, withdrawn_on__isnull=True).values(
        "attorney_id"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk__in=of_record) | Q(role__in=list(STAFF_ROLES), memberships__court_id=case.court_id)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return f"{user.get_full_name() or user.get_username()} ({user.get_role_display()})"


class DeadlineSetForm(forms.Form):
    """Set a deadline by hand, as an order sets it: a due date, or days from a date."""

    name = forms.CharField(label="Deadline", max_length=200, help_text="e.g. Discovery closes.")
    due_on = forms.DateField(
        label="Due on", required=False, widget=forms.DateInput(DATE), help_text="Or a period:"
    )
    days = forms.IntegerField(label="Days", required=False, min_value=1, max_value=3650)
    direction = forms.ChoiceField(
        label="Counted", choices=DeadlineDirection.choices, initial=DeadlineDirection.AFTER
    )
    trigger_on = forms.DateField(
        label="From the date",
        required=False,
        widget=forms.DateInput(DATE),
        help_text="Blank: the date of the order's docket entry.",
    )
    service = forms.ChoiceField(label="Served by", choices=SERVICE_CHOICES, required=False)
    responsible_role = forms.ChoiceField(
        label="Who must act", choices=RESPONSIBLE_CHOICES, required=False
    )
    owner = OwnerChoiceField(
        queryset=User.objects.none(), required=False, label="Alert", empty_label="No one"
    )
    order_entry = forms.IntegerField(
        label="Order's docket entry number", required=False, min_value=1
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), help_text="Cite the order."
    )
    is_statutory = forms.BooleanField(label="Set by statute", required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["owner"].queryset = owner_choices(case)

    def clean_order_entry(self) -> DocketEntry | None:
        seq = self.cleaned_data.get("order_entry")
        if seq is None:
            return None
        entry = DocketEntry.objects.filter(case=self.case, seq=seq).first()
        if entry is None:
            raise forms.ValidationError("The case has no docket entry with that number.")
        return entry

    def deadline(self) -> HandDeadline:
        d = self.cleaned_data
        return HandDeadline(
            name=d["name"],
            reason=d["reason"],
            due_on=d.get("due_on"),
            trigger_on=d.get("trigger_on"),
            days=d.get("days"),
            direction=d.get("direction") or DeadlineDirection.AFTER,
            service=d.get("service") or "",
            responsible_role=d.get("responsible_role") or "",
            owner=d.get("owner"),
            order_entry=d.get("order_entry"),
            is_statutory=bool(d.get("is_statutory")),
        )


CLOSE_ACTIONS = [("met", "Met"), ("waive", "Waived"), ("vacate", "Vacated")]


class DeadlineCloseForm(forms.Form):
    action = forms.ChoiceField(label="Close as", choices=CLOSE_ACTIONS)
    met_by = forms.IntegerField(label="Met by docket entry number", required=False, min_value=1)
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- helpers ----------------------------------------------------------------------------------


def _refuse(request: HttpRequest, case: Case) -> None:
    audit_denied(request, reason="not_record_keeper", case=case.number)
    raise PermissionDenied("Only the clerk's office of the court keeps the case's deadlines.")


def _case_page(request: HttpRequest, case: Case, *, set_form=None, close_errors=None):
    level = case_access_level(request.user, case)
    keeper = can_keep_record(request.user, case)
    page = paginate_without_count(
        case_deadlines_active_first(case, level=level),
        request.GET.get("page"),
        CASE_DEADLINES_PER_PAGE,
    )
    today = case.court.local_today()
    close_errors = close_errors or {}
    items = []
    for d in page.object_list:
        item = deadline_item(d, today=today, show_reasons=level != PUBLIC)
        item["close_errors"] = close_errors.get(d.pk, [])
        items.append(item)
    page.object_list = items
    case_read_audit(case=case, user=request.user, surface="deadlines.case")
    return render(
        request,
        "docket/deadline_case.html",
        {
            "case": case,
            "page": page,
            "keeper": keeper,
            "set_form": set_form or (DeadlineSetForm(case=case) if keeper else None),
            "today": today,
        },
    )


# --- a case's deadlines -----------------------------------------------------------------------


def case_deadlines(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """A case's deadlines, open first; the clerk's office sets and closes them here."""
    case = case_get_visible(request.user, number, court_code=court)
    return _case_page(request, case)


@require_POST
def case_deadline_new(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """Set a deadline by hand (the clerk's office, entering an order)."""
    if not request.user.is_authenticated:
        raise Http404("No such case.")
    case = case_get_visible(request.user, number, court_code=court)
    if not can_keep_record(request.user, case):
        _refuse(request, case)
    form = DeadlineSetForm(request.POST, case=case)
    if form.is_valid():
        try:
            deadline = deadline_set_by_hand(case=case, data=form.deadline(), set_by=request.user)
        except DomainError as exc:
            if exc.status == 403:
                _refuse(request, case)
            apply_refusal(form, exc)
        else:
            messages.success(request, f"{deadline.name}: due {deadline.due_on:%a %Y-%m-%d}.")
            return redirect("case_deadlines:case", case.court.code, case.number)
    return _case_page(request, case, set_form=form)


CLOSERS = {"met": deadline_mark_met, "waive": deadline_waive, "vacate": deadline_vacate}


@require_POST
def case_deadline_close(request: HttpRequest, court: str, number: str, pk: int) -> HttpResponse:
    """Mark a deadline met, waive it or vacate it."""
    if not request.user.is_authenticated:
        raise Http404("No such case.")
    case = case_get_visible(request.user, number, court_code=court)
    level = case_access_level(request.user, case)
    deadline = deadline_get_for_case(case, pk, level=level)
    if deadline is None:
        raise Http404("No such deadline.")
    if not can_keep_record(request.user, case):
        _refuse(request, case)
    form = DeadlineCloseForm(request.POST)
    errors: dict[int, list[str]] = {}
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "met":
                met_by = None
                if data.get("met_by"):
                    met_by = DocketEntry.objects.filter(case=case, seq=data["met_by"]).first()
                    if met_by is None:
                        raise DomainError(
                            "ENTRY_UNKNOWN",
                            "The case has no docket entry with that number.",
                            field="met_by",
                        )
                deadline_mark_met(
                    deadline=deadline, by=request.user, met_by=met_by, reason=data["reason"]
                )
            else:
                CLOSERS[data["action"]](deadline=deadline, by=request.user, reason=data["reason"])
        except DomainError as exc:
            if exc.status == 403:
                _refuse(request, case)
            errors[deadline.pk] = [exc.message]
        else:
            messages.success(request, f"{deadline.name}: {dict(CLOSE_ACTIONS)[data['action']]}.")
            return redirect("case_deadlines:case", case.court.code, case.number)
    else:
        errors[deadline.pk] = [e for es in form.errors.values() for e in es]
    return _case_page(request, case, close_errors=errors)


# --- "My deadlines" ---------------------------------------------------------------------------

WITHIN_CHOICES = [
    ("", "Any time"),
    ("1", "By tomorrow"),
    ("7", "Within 7 days"),
    ("30", "Within 30 days"),
]


class MyDeadlinesForm(forms.Form):
    within = forms.ChoiceField(label="Due", choices=WITHIN_CHOICES, required=False)


@role_required(Role.ATTORNEY, *RECORD_KEEPERS)
def my_deadlines(request: HttpRequest) -> HttpResponse:
    """The open and missed deadlines the user looks after, soonest first (attorneys: of
    their cases; the clerk's office: their courts' that they own or nobody owns)."""
    form = MyDeadlinesForm(request.GET or None)
    within = form.cleaned_data["within"] if form.is_bound and form.is_valid() else ""
    # "Today" differs by a day at most between courts; the list shows each case's court.
    today = timezone.localdate()
    due_by = today + dt.timedelta(days=int(within)) if within else None
    page = my_deadlines_page(request.user, page=request.GET.get("page"), due_by=due_by)
    rows = []
    for d in page.object_list:
        item = deadline_item(d, today=d.case.court.local_today(), show_reasons=True)
        item["case"] = d.case
        rows.append(item)
    page.object_list = rows
    portal_read_audit(
        user=request.user,
        cases=[r["case"] for r in rows],
        surface="deadlines.mine",
        action="calendar.read",
    )
    return render(
        request,
        "docket/deadline_mine.html",
        {
            "form": form,
            "page": page,
            "query": f"within={within}" if within else "",
            "attorney": request.user.role == Role.ATTORNEY,
        },
    )
