"""Program pages (mounted at /programs/ by programs.urls): the coordinator's caseload, the
referrals and their screening page, the participant page with quick logging, and the case
file's Programs panel (programs.panels) with its referral form.

Thin: the rules are programs.services', the reads programs.caseload / selectors /
progress'. A referral or enrollment the user may not see answers 404 (the one visibility
rule, `visible_to`), like one that does not exist; a write by someone who sees it but does
not serve the program answers 403 (audited). Refusals come back onto the form with their
stable code; bad input never answers 500.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.pagination import paginate_without_count
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import STAFF_ROLES
from casemgmt.core.selectors import court_active_for
from cases.models import court_local_date
from cases.selectors import case_get_visible
from docket.services import can_set_review_hearings

from . import services
from .caseload import (
    ALL,
    MINE,
    PER_PAGE,
    CaseloadFilters,
    caseload,
    default_scope,
    programs_with_coordination,
)
from .forms import (
    EVENT_FORMS,
    AdvanceForm,
    CaseloadFilterForm,
    CompleteForm,
    ConsentForm,
    EnrollForm,
    FlagResolveForm,
    ReasonForm,
    ResponseForm,
    ReviewHearingForm,
    ScreenForm,
    TerminateForm,
    apply_refusal,
    apply_validation_error,
)
from .models import (
    OPEN_REFERRAL_STATUSES,
    ComplianceFlag,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    FlagStatus,
    Referral,
    ReferralStatus,
    ResponseKind,
    ServiceSite,
)
from .panels import case_programs_context, referral_form_for
from .policies import can_manage, can_refer
from .progress import enrollment_progress
from .selectors import enrollment_get_visible, enrollment_timeline, referral_get_visible

REFERRALS_PER_PAGE = 50
UNPROCESSABLE = 422


# --- helpers --------------------------------------------------------------------------------


def _signed_in(request: HttpRequest):
    if not request.user.is_authenticated:
        raise Http404("No such record.")


def _referral(request: HttpRequest, pk: int) -> Referral:
    _signed_in(request)
    return referral_get_visible(request.user, pk)


def _enrollment(request: HttpRequest, pk: int) -> Enrollment:
    _signed_in(request)
    return enrollment_get_visible(request.user, pk)


def _require_staff(request: HttpRequest, record) -> None:
    """403 (audited) for a write by someone who sees the record but does not serve its
    program (the services check it again, inside their transaction)."""
    if not can_manage(request.user, record.program):
        _refuse(request, record)


def _refuse(request: HttpRequest, record, exc: DomainError | None = None) -> None:
    reason = exc.code.lower() if exc is not None else "program_staff_only"
    audit_denied(request, reason=reason, case=record.case.number)
    raise PermissionDenied(
        exc.message
        if exc is not None
        else "Only the program's coordinators and the court's supervisors may do this."
    )


def _run(request: HttpRequest, record, form, call):
    """Call a service; its refusal lands on `form` (a 403 refusal becomes the 403 page).
    Returns the service's result, or None when refused."""
    try:
        return call()
    except DomainError as exc:
        if exc.status == 403:
            _refuse(request, record, exc)
        apply_refusal(form, exc)
    except ValidationError as exc:
        apply_validation_error(form, exc)
    return None


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the caseload ---------------------------------------------------------------------------


@require_GET
@role_required(*STAFF_ROLES)
def caseload_page(request: HttpRequest) -> HttpResponse:
    """Participants with their compliance state; filters and sort in the URL."""
    filters = CaseloadFilters.from_query(request.GET)
    programs = programs_with_coordination(request.user)
    scope = filters.program or default_scope(request.user, programs)
    court = court_active_for(request)
    today = court_local_date(court) if court is not None else dt.date.today()
    rows = caseload(request.user, filters, programs=programs, today=today)
    page = paginate_without_count(rows, request.GET.get("page"), PER_PAGE)
    scope_choices = [(ALL, "All programs of my courts")]
    if any(p.is_coordinated for p in programs):
        scope_choices.insert(0, (MINE, "Programs I coordinate"))
    max_phase = max([p.phase_count for p in programs], default=1) or 1
    initial = {
        **filters.as_query(),
        "program": scope,
        "status": filters.status,
        "sort": filters.sort,
    }
    form = CaseloadFilterForm(
        initial=initial, programs=programs, scope_choices=scope_choices, max_phase=max_phase
    )
    query = filters.as_query()
    sort_links = {}
    for key in ("name", "days", "flags", "phase"):
        flipped = f"-{key}" if filters.sort == key else key
        sort_links[key] = {
            "url": "?" + urlencode({**query, "sort": flipped}),
            "active": filters.sort.lstrip("-") == key,
            "descending": filters.sort.startswith("-"),
        }
    return render(
        request,
        "programs/caseload.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": urlencode(query),
            "sort_links": sort_links,
            "today": today,
            "no_programs": not programs,
        },
    )


# --- referrals ------------------------------------------------------------------------------

REFERRAL_STATUS_CHOICES = [
    ("open", "Open"),
    *[(s.value, s.label) for s in ReferralStatus],
    ("any", "Any status"),
]


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals the user may see, newest first (open ones by default)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    status = request.GET.get("status") or "open"
    if status not in dict(REFERRAL_STATUS_CHOICES):
        status = "open"
    rows = Referral.objects.visible_to(request.user).select_related(
        "program", "case__court", "participant__person"
    )
    if status == "open":
        rows = rows.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif status != "any":
        rows = rows.filter(status=status)
    program = (request.GET.get("program") or "").strip()
    if program.isdigit():
        rows = rows.filter(program_id=int(program))
    else:
        program = ""
    page = paginate_without_count(
        rows.order_by("-referred_on", "-id"), request.GET.get("page"), REFERRALS_PER_PAGE
    )
    query = {k: v for k, v in {"status": status, "program": program}.items() if v}
    return render(
        request,
        "programs/referral_list.html",
        {
            "page": page,
            "status": status,
            "status_choices": REFERRAL_STATUS_CHOICES,
            "query": urlencode(query),
        },
    )


def _facts_rows(facts) -> list[tuple[str, str]]:
    """The screening's facts as (label, text) rows, whatever their nesting."""
    if not isinstance(facts, dict):
        return []
    rows = []
    for key, value in facts.items():
        rows.append((str(key).replace("_", " ").capitalize(), _fact_text(value)))
    return rows


def _fact_text(value) -> str:
    if value in (None, "", [], {}):
        return "none"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_fact_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " · ".join(_fact_text(v) for v in value)
    return str(value)


def _referral_context(request: HttpRequest, referral: Referral, **forms) -> dict:
    manager = can_manage(request.user, referral.program)
    screenings = list(
        referral.screenings.select_related("screened_by").order_by("-screened_at", "-id")
    )
    latest = screenings[0] if screenings else None
    consents = list(referral.consents.select_related("recorded_by").order_by("given_on", "kind"))
    given = {c.kind for c in consents}
    enrollment = Enrollment.objects.filter(referral=referral).first()
    status = referral.status
    can_screen = manager and status in (ReferralStatus.REFERRED, ReferralStatus.SCREENED)
    consent_form = forms.get("consent_form")
    if consent_form is None and manager and referral.is_open:
        consent_form = ConsentForm(prefix="consent")
        missing = [(k, v) for k, v in ConsentKind.choices if k not in given]
        consent_form.fields["kind"].choices = missing or ConsentKind.choices
    return {
        "referral": referral,
        "case": referral.case,
        "manager": manager,
        "screening": latest,
        "earlier_screenings": screenings[1:],
        "facts": _facts_rows(latest.facts) if latest else [],
        "consents": consents,
        "enrollment": enrollment,
        "screen_form": forms.get("screen_form")
        or (ScreenForm(prefix="screen") if can_screen else None),
        "consent_form": consent_form,
        "can_offer": manager and status == ReferralStatus.SCREENED,
        "enroll_form": forms.get("enroll_form")
        or (
            EnrollForm(prefix="enroll")
            if manager and status in (ReferralStatus.OFFERED, ReferralStatus.ACCEPTED)
            else None
        ),
        "participant_consented": ConsentKind.PARTICIPANT in given,
        "decline_form": forms.get("decline_form")
        or (
            ReasonForm(prefix="decline")
            if manager and status in (ReferralStatus.OFFERED, ReferralStatus.ACCEPTED)
            else None
        ),
        "withdraw_form": forms.get("withdraw_form")
        or (ReasonForm(prefix="withdraw") if manager and referral.is_open else None),
        "offer_errors": forms.get("offer_errors") or [],
    }


@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The screening page: each criterion's result and reason, the facts used, consents,
    and the next step (screen, offer, enroll, decline, withdraw)."""
    referral = _referral(request, pk)
    return render(request, "programs/referral_detail.html", _referral_context(request, referral))


def _referral_done(request, referral, form, form_key: str, message: str):
    if not form.errors:
        messages.success(request, message)
        return redirect("programs:referral", referral.pk)
    context = _referral_context(request, referral, **{form_key: form})
    return render(request, "programs/referral_detail.html", context, status=UNPROCESSABLE)


@require_POST
def referral_screen(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    _require_staff(request, referral)
    form = ScreenForm(request.POST, prefix="screen")
    screening = None
    if form.is_valid():
        d = form.cleaned_data
        screening = _run(
            request,
            referral,
            form,
            lambda: services.referral_screen(
                referral=referral,
                by=request.user,
                decision=d["decision"] or None,
                decision_reason=d["decision_reason"],
                notes=d["notes"],
            ),
        )
    message = ""
    if screening is not None:
        message = f"Screened: {screening.get_decision_display().lower()}."
    return _referral_done(request, referral, form, "screen_form", message)


@require_POST
def referral_consent(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    _require_staff(request, referral)
    form = ConsentForm(request.POST, prefix="consent")
    consent = None
    if form.is_valid():
        d = form.cleaned_data
        consent = _run(
            request,
            referral,
            form,
            lambda: services.consent_record(
                referral=referral,
                kind=d["kind"],
                given_on=d["given_on"],
                note=d["note"],
                by=request.user,
            ),
        )
    message = ""
    if consent is not None:
        message = f"{consent.get_kind_display()}'s consent recorded."
    return _referral_done(request, referral, form, "consent_form", message)


@require_POST
def referral_offer(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    _require_staff(request, referral)
    try:
        services.referral_offer(referral=referral, by=request.user)
    except DomainError as exc:
        if exc.status == 403:
            _refuse(request, referral)
        context = _referral_context(request, referral, offer_errors=[f"{exc.message} ({exc.code})"])
        return render(request, "programs/referral_detail.html", context, status=UNPROCESSABLE)
    messages.success(request, "Offered: record the participant's consent, then enroll.")
    return redirect("programs:referral", referral.pk)


def _reason_step(request: HttpRequest, pk: int, *, step, prefix: str, done: str) -> HttpResponse:
    """A step on a referral that takes only a reason (decline, withdraw)."""
    referral = _referral(request, pk)
    _require_staff(request, referral)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        _run(
            request,
            referral,
            form,
            lambda: step(referral=referral, reason=form.cleaned_data["reason"], by=request.user),
        )
    return _referral_done(request, referral, form, f"{prefix}_form", done)


@require_POST
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_step(
        request, pk, step=services.referral_decline, prefix="decline", done="The offer is declined."
    )


@require_POST
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_step(
        request,
        pk,
        step=services.referral_withdraw,
        prefix="withdraw",
        done="The referral is withdrawn.",
    )


@require_POST
def referral_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll: to the participant page, or back here with "waitlisted" when full."""
    referral = _referral(request, pk)
    _require_staff(request, referral)
    form = EnrollForm(request.POST, prefix="enroll")
    enrollment = None
    if form.is_valid():
        enrollment = _run(
            request,
            referral,
            form,
            lambda: services.enrollment_enroll(
                referral=referral, by=request.user, enrolled_on=form.cleaned_data["enrolled_on"]
            ),
        )
    if enrollment is None:
        context = _referral_context(request, referral, enroll_form=form)
        return render(request, "programs/referral_detail.html", context, status=UNPROCESSABLE)
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        messages.warning(
            request,
            f"{referral.program.name} is full: {referral.participant.person.display_name} "
            "is waitlisted and will be admitted when a place is free.",
        )
        return redirect("programs:referral", referral.pk)
    messages.success(request, f"Enrolled in {referral.program.name}, phase 1.")
    return redirect("programs:enrollment", enrollment.pk)


# --- the participant page -------------------------------------------------------------------


def _sites(enrollment: Enrollment):
    return ServiceSite.objects.filter(
        court_id=enrollment.program.court_id, is_active=True
    ).order_by("name")


def _event_forms(enrollment: Enrollment, today: dt.date, bound: dict | None = None) -> dict:
    bound = bound or {}
    made = {}
    for key, cls in EVENT_FORMS.items():
        if key in bound:
            made[key] = bound[key]
            continue
        kwargs = {"prefix": key, "today": today}
        if key == "community_service":
            kwargs["sites"] = _sites(enrollment)
        made[key] = cls(**kwargs)
    return made


def _next_due(progress, today: dt.date) -> list[dict]:
    """What is still due: per-period requirements by the end of their current period,
    totals by the end of the phase's minimum time."""
    items = []
    if progress is None:
        return items
    for r in progress.requirements:
        left = r.required - r.done
        if left <= 0:
            continue
        period_days = getattr(r.requirement, "period_days", None)
        if period_days and r.period_start:
            by = r.period_start + dt.timedelta(days=period_days - 1)
        else:
            by = None
        items.append({"label": r.label, "left": left, "unit": r.unit, "by": by, "behind": r.behind})
    items.sort(key=lambda i: (i["by"] is None, i["by"] or today))
    return items


def _participant_context(request: HttpRequest, enrollment: Enrollment, **bound) -> dict:
    manager = can_manage(request.user, enrollment.program)
    today = court_local_date(enrollment.case.court)
    active = enrollment.status == EnrollmentStatus.ACTIVE
    progress = enrollment_progress(enrollment, as_of=today) if active else None
    flags = list(
        ComplianceFlag.objects.filter(enrollment=enrollment, status=FlagStatus.OPEN).order_by(
            "-raised_on", "-id"
        )
    )
    flag_errors = bound.get("flag_errors") or {}
    for flag in flags:
        flag.errors = flag_errors.get(flag.pk, [])
    if enrollment.enrolled_on:
        end = enrollment.ended_on or today
        days_in_program = (end - enrollment.enrolled_on).days
    else:
        days_in_program = None
    phases = list(enrollment.program.phases.order_by("number"))
    context = {
        "enrollment": enrollment,
        "case": enrollment.case,
        "person": enrollment.participant.person,
        "manager": manager,
        "active": active,
        "today": today,
        "days_in_program": days_in_program,
        "progress": progress,
        "next_due": _next_due(progress, today),
        "flags": flags,
        "phases": phases,
        "last_phase": bool(phases) and enrollment.phase_id == phases[-1].pk,
        "timeline": enrollment_timeline(enrollment),
        "logged": bound.get("logged"),
        # Review hearings go on the court's calendar: the docket lets its record keepers
        # and the court's program coordinators set them.
        "can_schedule": manager and can_set_review_hearings(request.user, enrollment.case),
    }
    if manager and active:
        court = enrollment.program.court
        hearing_form = bound.get("hearing_form") or ReviewHearingForm(prefix="hearing", court=court)
        context.update(
            {
                "event_forms": _event_forms(enrollment, today, bound.get("event_forms")),
                "incentive_form": bound.get("incentive_form") or ResponseForm(prefix="incentive"),
                "sanction_form": bound.get("sanction_form") or ResponseForm(prefix="sanction"),
                "resolve_form": FlagResolveForm(prefix="resolve"),
                "hearing_form": hearing_form,
                # Read once: the form is offered under every open flag.
                "courtroom_choices": [
                    (value, label)
                    for value, label in hearing_form.fields["courtroom"].choices
                    if value
                ]
                if context["can_schedule"]
                else [],
                "advance_form": bound.get("advance_form") or AdvanceForm(prefix="advance"),
                "complete_form": bound.get("complete_form") or CompleteForm(prefix="complete"),
                "terminate_form": bound.get("terminate_form") or TerminateForm(prefix="terminate"),
            }
        )
    return context


def _participant_page(request, enrollment, *, status: int = 200, **bound) -> HttpResponse:
    context = _participant_context(request, enrollment, **bound)
    return render(request, "programs/enrollment_detail.html", context, status=status)


@require_GET
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant page: header, progress, next due, quick logging, flags, decisions,
    timeline."""
    enrollment = _enrollment(request, pk)
    return _participant_page(request, enrollment)


@require_POST
def enrollment_event(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Log a drug test, a session or community-service hours. With htmx the answer is the
    live part of the page (progress, next due, the forms) and the timeline, swapped in
    place; without it, a redirect back to the page (or the page with the errors)."""
    enrollment = _enrollment(request, pk)
    if kind not in EVENT_FORMS:
        raise Http404("No such kind of event.")
    _require_staff(request, enrollment)
    today = court_local_date(enrollment.case.court)
    kwargs = {"prefix": kind, "today": today}
    if kind == "community_service":
        kwargs["sites"] = _sites(enrollment)
    form = EVENT_FORMS[kind](request.POST, **kwargs)
    event = None
    if form.is_valid():
        event = _run(
            request,
            enrollment,
            form,
            lambda: services.event_record(
                enrollment=enrollment, by=request.user, **form.service_kwargs()
            ),
        )
    if event is not None:
        enrollment.refresh_from_db()
        message = f"Logged: {event.get_kind_display().lower()} on {event.occurred_on:%Y-%m-%d}."
        if not _is_htmx(request):
            messages.success(request, message)
            return redirect("programs:enrollment", enrollment.pk)
        context = _participant_context(request, enrollment, logged=message)
        return render(request, "programs/_live_answer.html", context)
    context = _participant_context(request, enrollment, event_forms={kind: form})
    if _is_htmx(request):
        # htmx swaps 2xx answers only: the form with its errors comes back as 200 there.
        return render(request, "programs/_live_answer.html", context)
    return render(request, "programs/enrollment_detail.html", context, status=UNPROCESSABLE)


def _flag(enrollment: Enrollment, flag_pk: int) -> ComplianceFlag:
    flag = ComplianceFlag.objects.filter(enrollment=enrollment, pk=flag_pk).first()
    if flag is None:
        raise Http404("No such flag.")
    return flag


@require_POST
def flag_resolve(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    flag = _flag(enrollment, flag_pk)
    _require_staff(request, enrollment)
    form = FlagResolveForm(request.POST, prefix="resolve")
    if form.is_valid():
        _run(
            request,
            enrollment,
            form,
            lambda: services.flag_resolve(
                flag=flag, note=form.cleaned_data["note"], by=request.user
            ),
        )
    if form.errors:
        errors = {flag.pk: [e for es in form.errors.values() for e in es]}
        return _participant_page(request, enrollment, status=UNPROCESSABLE, flag_errors=errors)
    messages.success(request, f"Resolved: {flag.get_kind_display().lower()}.")
    return redirect("programs:enrollment", enrollment.pk)


@require_POST
def flag_hearing(request: HttpRequest, pk: int, flag_pk: int) -> HttpResponse:
    """Schedule a review hearing about a flag (docket)."""
    enrollment = _enrollment(request, pk)
    flag = _flag(enrollment, flag_pk)
    _require_staff(request, enrollment)
    form = ReviewHearingForm(request.POST, prefix="hearing", court=enrollment.program.court)
    hearing = None
    if form.is_valid():
        hearing = _run(
            request,
            enrollment,
            form,
            lambda: services.flag_review_hearing_schedule(
                flag=flag,
                starts_at=form.starts_at(),
                courtroom=form.cleaned_data["courtroom"],
                by=request.user,
            ),
        )
    if hearing is None:
        errors = {flag.pk: [e for es in form.errors.values() for e in es]}
        return _participant_page(
            request, enrollment, status=UNPROCESSABLE, flag_errors=errors, hearing_form=form
        )
    messages.success(request, f"Review hearing set for {form.cleaned_data['date']:%a %Y-%m-%d}.")
    return redirect("programs:enrollment", enrollment.pk)


@require_POST
def enrollment_response(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Record an incentive, or a sanction (about a flag when one is named)."""
    enrollment = _enrollment(request, pk)
    if kind not in ResponseKind.values:
        raise Http404("No such response.")
    _require_staff(request, enrollment)
    form = ResponseForm(request.POST, prefix=kind)
    response = None
    if form.is_valid():
        d = form.cleaned_data
        flag = _flag(enrollment, d["flag"]) if d.get("flag") else None
        response = _run(
            request,
            enrollment,
            form,
            lambda: services.response_record(
                enrollment=enrollment,
                kind=kind,
                action=d["action"],
                reason=d["reason"],
                flag=flag,
                ordered_on=d["ordered_on"],
                demote_to_phase=d["demote_to_phase"],
                by=request.user,
            ),
        )
    if response is None:
        return _participant_page(
            request, enrollment, status=UNPROCESSABLE, **{f"{kind}_form": form}
        )
    messages.success(request, f"{response.get_kind_display()} recorded: {response.action}.")
    return redirect("programs:enrollment", enrollment.pk)


def _enrollment_step(request: HttpRequest, pk: int, *, form_class, prefix: str, act, done):
    """A decision on an enrollment taken with a form: `act(enrollment, data, user)` calls the
    service, `done(result)` is the message; a refusal shows the participant page again with
    the form and its errors (422)."""
    enrollment = _enrollment(request, pk)
    _require_staff(request, enrollment)
    form = form_class(request.POST, prefix=prefix)
    result = None
    if form.is_valid():
        result = _run(
            request, enrollment, form, lambda: act(enrollment, form.cleaned_data, request.user)
        )
    if result is None:
        return _participant_page(
            request, enrollment, status=UNPROCESSABLE, **{f"{prefix}_form": form}
        )
    messages.success(request, done(result))
    return redirect("programs:enrollment", enrollment.pk)


@require_POST
def enrollment_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_step(
        request,
        pk,
        form_class=AdvanceForm,
        prefix="advance",
        act=lambda enrollment, d, user: services.enrollment_phase_advance(
            enrollment=enrollment, by=user, reason=d["reason"], override=bool(d["override"])
        ),
        done=lambda done: f"Advanced to phase {done.phase.number}: {done.phase.name}.",
    )


@require_POST
def enrollment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_step(
        request,
        pk,
        form_class=CompleteForm,
        prefix="complete",
        act=lambda enrollment, d, user: services.enrollment_complete(
            enrollment=enrollment,
            by=user,
            completed_on=d["completed_on"],
            note=d["note"],
            override=bool(d["override"]),
        ),
        done=lambda _: "The program is completed; the charges are disposed as diverted.",
    )


@require_POST
def enrollment_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_step(
        request,
        pk,
        form_class=TerminateForm,
        prefix="terminate",
        act=lambda enrollment, d, user: services.enrollment_terminate(
            enrollment=enrollment,
            reason=d["reason"],
            note=d["note"],
            terminated_on=d["terminated_on"],
            by=user,
        ),
        done=lambda _: "The enrollment is terminated; the case is active again.",
    )


@require_POST
def enrollment_admit(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _enrollment(request, pk)
    _require_staff(request, enrollment)
    try:
        services.enrollment_admit(enrollment=enrollment, by=request.user)
    except DomainError as exc:
        if exc.status == 403:
            _refuse(request, enrollment)
        messages.error(request, f"{exc.message} ({exc.code})")
    else:
        messages.success(request, "Admitted from the waitlist, phase 1.")
    return redirect("programs:enrollment", enrollment.pk)


# --- the case file's Programs panel ---------------------------------------------------------


@require_GET
def case_programs(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """The case's referrals and enrollments with the referral form: the panel's body (htmx
    loads it into the case page), or a page of its own without htmx."""
    if not request.user.is_authenticated:
        raise Http404("No such case.")
    case = case_get_visible(request.user, number, court_code=court)
    context = case_programs_context(request, case)
    template = "programs/panel_body.html" if _is_htmx(request) else "programs/case_programs.html"
    return render(request, template, context)


@require_POST
def case_refer(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """Refer a party of the case to a program (court staff of the court, attorneys of
    record)."""
    if not request.user.is_authenticated:
        raise Http404("No such case.")
    case = case_get_visible(request.user, number, court_code=court)
    if not can_refer(request.user, case):
        audit_denied(request, reason="referral_not_allowed", case=case.number)
        raise PermissionDenied(
            "Only the court's staff and the attorneys of record may refer a case to a program."
        )
    form = referral_form_for(case, data=request.POST)
    referral = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            referral = services.referral_create(
                program=d["program"],
                case=case,
                participant=d["participant"],
                source=d["source"],
                reason=d["reason"],
                by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                audit_denied(request, reason="referral_not_allowed", case=case.number)
                raise PermissionDenied(exc.message) from exc
            apply_refusal(form, exc)
    if referral is not None:
        message = f"Referred to {referral.program.name}."
        if not _is_htmx(request):
            messages.success(request, message)
            if can_manage(request.user, referral.program):
                return redirect("programs:referral", referral.pk)
            return redirect("cases:detail", case.court.code, case.number)
        context = case_programs_context(request, case, message=message)
        return render(request, "programs/panel_body.html", context)
    context = case_programs_context(request, case, form=form)
    if _is_htmx(request):
        return render(request, "programs/panel_body.html", context)
    return render(request, "programs/case_programs.html", context, status=UNPROCESSABLE)
