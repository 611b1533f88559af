"""The hearing pages (mounted at /hearings/): set a hearing from the case page, and one
hearing's page with its history and the forms that continue, move, vacate it or record
its outcome. Thin: the rules are docket.services'.

A case the user may not see is 404 on every page here; the forms are for the clerk's
office of the case's court (403, audited, for anyone else who can see the case).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import audit_denied
from cases.models import Case, court_local_date
from cases.policies import PUBLIC, can_keep_record, case_access_level
from cases.querysets import user_court_ids
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .forms import (
    DEFAULT_MINUTES,
    HearingContinueForm,
    HearingOutcomeForm,
    HearingRescheduleForm,
    HearingScheduleForm,
    HearingVacateForm,
    apply_refusal,
)
from .models import Hearing
from .selectors import hearing_change_list, hearing_continued_to, hearing_get_visible
from .services import (
    hearing_continue,
    hearing_record_outcome,
    hearing_reschedule,
    hearing_schedule,
    hearing_setting_check,
    hearing_vacate,
)


def _keeper_case(request: HttpRequest, court: str, number: str) -> Case:
    """The visible case, if the user keeps its record; else 404 (not visible) or 403."""
    case = case_get_visible(request.user, number, court_code=court)
    _require_keeper(request, case)
    return case


def _require_keeper(request: HttpRequest, case: Case) -> None:
    if not can_keep_record(request.user, case):
        audit_denied(request, reason="not_record_keeper", case=case.number)
        raise PermissionDenied("Only the clerk's office of the court sets and changes hearings.")


def _refused(request: HttpRequest, form, exc: DomainError, *, case: Case) -> None:
    if exc.status == 403:
        audit_denied(request, reason=exc.code, case=case.number)
        raise PermissionDenied(exc.message) from exc
    apply_refusal(form, exc)


def _check_context(check, *, form=None) -> dict:
    return {"check": check, "form": form}


# --- set a hearing ---------------------------------------------------------------------------


@login_required
def hearing_new(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """Set a hearing on a case: the form, its live check, and the setting."""
    case = _keeper_case(request, court, number)
    form = HearingScheduleForm(request.POST or None, court=case.court, prefix="hearing")
    check = None
    if request.method == "POST" and form.is_valid():
        try:
            hearing = hearing_schedule(
                case=case,
                hearing_type=form.cleaned_data["hearing_type"],
                scheduled_by=request.user,
                **form.setting(),
            )
        except DomainError as exc:
            check = _check(case, form, request.user)
            _refused(request, form, exc, case=case)
        else:
            local = timezone.localtime(hearing.starts_at, case.court.tzinfo)
            messages.success(
                request,
                f"{hearing.get_hearing_type_display()} set for {local:%A, %Y-%m-%d %H:%M} in "
                f"{hearing.courtroom.name}. The parties will be sent a notice of hearing.",
            )
            return redirect("hearings:detail", hearing.pk)
    return render(
        request,
        "docket/hearing_form.html",
        {"case": case, "form": form, "check": check, "default_minutes": DEFAULT_MINUTES},
    )


def _check(case: Case, form, user, *, hearing: Hearing | None = None):
    """The live check of a (valid) setting form, or None when it is not filled in yet."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else None
    if data is None:
        return None
    return hearing_setting_check(
        case=case,
        hearing_type=hearing.hearing_type if hearing else data["hearing_type"],
        user=user,
        exclude_ids=(hearing.pk,) if hearing else (),
        **{k: v for k, v in form.setting().items() if k != "override_reason"},
    )


@require_POST
@login_required
def hearing_new_check(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """htmx: what the setting in the form would meet (conflicts, clashes, the session)."""
    case = _keeper_case(request, court, number)
    form = HearingScheduleForm(request.POST, court=case.court, prefix="hearing")
    return render(
        request, "docket/hearing_check.html", _check_context(_check(case, form, request.user))
    )


# --- one hearing -----------------------------------------------------------------------------


def _forms(court, *, data=None, which: str = "") -> dict:
    """The change forms of the detail page; `which` is bound to `data`."""

    def bound(name):
        return data if which == name else None

    return {
        "continue_form": HearingContinueForm(bound("continue"), court=court, prefix="continue"),
        "reschedule_form": HearingRescheduleForm(
            bound("reschedule"), court=court, prefix="reschedule"
        ),
        "vacate_form": HearingVacateForm(bound("vacate"), prefix="vacate"),
        "outcome_form": HearingOutcomeForm(bound("outcome"), prefix="outcome"),
    }


def _detail(request: HttpRequest, hearing: Hearing, *, forms=None, check=None, status=200):
    case = hearing.case
    user = request.user
    keeper = can_keep_record(user, case)
    staff = user.is_authenticated and (
        user.is_superuser or (user.is_court_staff and case.court_id in user_court_ids(user))
    )
    editable = keeper and hearing.status == "scheduled"
    if editable and forms is None:
        forms = _forms(case.court)
        local = timezone.localtime(hearing.starts_at, case.court.tzinfo)
        minutes = int((hearing.ends_at - hearing.starts_at).total_seconds() // 60)
        for name in ("continue_form", "reschedule_form"):
            forms[name].initial = {
                "courtroom": hearing.courtroom_id,
                "minutes": minutes,
                "time": local.time(),
            }
    return render(
        request,
        "docket/hearing_detail.html",
        {
            "hearing": hearing,
            "case": case,
            "keeper": keeper,
            "editable": editable,
            "outcome_due": hearing.date <= court_local_date(case.court),
            # A party's need of an interpreter is not for the public (as on the calendars).
            "show_interpreter": case_access_level(user, case) != PUBLIC,
            "staff": staff,
            "changes": hearing_change_list(hearing) if staff else [],
            "continued_to": hearing_continued_to(hearing),
            "check": check,
            **(forms or {}),
        },
        status=status,
    )


@require_GET
def hearing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One hearing: when, where, who presides, its status and history."""
    hearing = hearing_get_visible(request.user, pk)
    case_read_audit(case=hearing.case, user=request.user, surface="hearing")
    return _detail(request, hearing)


def _keeper_hearing(request: HttpRequest, pk: int) -> Hearing:
    hearing = hearing_get_visible(request.user, pk)
    _require_keeper(request, hearing.case)
    return hearing


def _change_view(request: HttpRequest, pk: int, which: str, act) -> HttpResponse:
    """Run one change form; on a refusal, the page again with the form's errors."""
    hearing = _keeper_hearing(request, pk)
    forms = _forms(hearing.case.court, data=request.POST, which=which)
    form = forms[f"{which}_form"]
    check = None
    if form.is_valid():
        try:
            result, message = act(hearing, form)
        except DomainError as exc:
            if which in ("continue", "reschedule"):
                check = _check(hearing.case, form, request.user, hearing=hearing)
            _refused(request, form, exc, case=hearing.case)
        else:
            messages.success(request, message)
            return redirect("hearings:detail", result.pk)
    hearing = hearing_get_visible(request.user, pk)
    return _detail(request, hearing, forms=forms, check=check)


def _when(hearing: Hearing) -> str:
    local = timezone.localtime(hearing.starts_at, hearing.court.tzinfo)
    return f"{local:%A, %Y-%m-%d %H:%M} in {hearing.courtroom.name}"


@require_POST
@login_required
def hearing_continue_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(hearing, form):
        data = form.cleaned_data
        new = hearing_continue(
            hearing=hearing,
            reason=data["reason"],
            note=data["note"],
            by=request.user,
            **form.setting(),
        )
        return new, f"Continued ({data['reason'].label}) to {_when(new)}."

    return _change_view(request, pk, "continue", act)


@require_POST
@login_required
def hearing_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(hearing, form):
        moved = hearing_reschedule(
            hearing=hearing, reason=form.cleaned_data["reason"], by=request.user, **form.setting()
        )
        return moved, f"Moved to {_when(moved)}."

    return _change_view(request, pk, "reschedule", act)


@require_POST
@login_required
def hearing_vacate_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(hearing, form):
        vacated = hearing_vacate(
            hearing=hearing, reason=form.cleaned_data["reason"], by=request.user
        )
        return vacated, "Vacated."

    return _change_view(request, pk, "vacate", act)


@require_POST
@login_required
def hearing_outcome_view(request: HttpRequest, pk: int) -> HttpResponse:
    def act(hearing, form):
        held = hearing_record_outcome(
            hearing=hearing, outcome=form.cleaned_data["outcome"], by=request.user
        )
        return held, "Outcome recorded."

    return _change_view(request, pk, "outcome", act)


@require_POST
@login_required
def hearing_change_check(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """htmx: the live check of the continue or move form of a hearing."""
    if which not in ("continue", "reschedule"):
        return HttpResponse(status=404)
    hearing = _keeper_hearing(request, pk)
    form = _forms(hearing.case.court, data=request.POST, which=which)[f"{which}_form"]
    check = _check(hearing.case, form, request.user, hearing=hearing)
    return render(request, "docket/hearing_check.html", _check_context(check))
