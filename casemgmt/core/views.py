"""Sign-in, home pages, court switching, account, audit log and health."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .errors import DomainError
from .forms import ApiTokenForm, AuditFilterForm, CourtSwitchForm, LoginForm
from .health import health_report
from .models import ApiToken
from .pagination import paginate_without_count
from .policies import audit_denied, role_required
from .roles import Role
from .selectors import (
    ACTIVE_COURT_SESSION_KEY,
    audit_event_list_for,
    court_active_for,
    court_days_off,
    court_list_for_user,
    court_public_list,
)
from .services import api_token_create, api_token_revoke
from .shell import home_panels_for

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:account")

    def form_valid(self, form):
        response = super().form_valid(form)  # the audit record is written by User.save()
        messages.success(self.request, "Your password was changed.")
        return response


def home(request: HttpRequest) -> HttpResponse:
    """The public's landing page, or the signed-in user's home for their role."""
    if not request.user.is_authenticated:
        today = timezone.localdate()
        courts = [
            {
                "court": c,
                "days_off": court_days_off(court=c, start=today, end=today + dt.timedelta(days=60)),
            }
            for c in court_public_list()
        ]
        return render(request, "core/public_home.html", {"courts": courts})
    court = court_active_for(request)
    hour = (court.local_now() if court else timezone.localtime()).hour
    greeting = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
    return render(
        request, "core/home.html", {"panels": home_panels_for(request), "greeting": greeting}
    )


@require_POST
@login_required
def court_switch(request: HttpRequest) -> HttpResponse:
    form = CourtSwitchForm(request.POST)
    court = None
    if form.is_valid():
        court = court_list_for_user(request.user).filter(pk=form.cleaned_data["court"]).first()
    if court is None:
        audit_denied(request, reason="court_not_granted", court=request.POST.get("court", "")[:20])
        messages.error(request, "You do not work in that court.")
    else:
        request.session[ACTIVE_COURT_SESSION_KEY] = court.pk
        messages.success(request, f"You are now working in {court}.")
    return redirect("core:home")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: password and API tokens."""
    new_key = None
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            expires_on = form.cleaned_data["expires_on"]
            expires_at = (
                timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59, 59)))
                if expires_on
                else None
            )
            try:
                _token, new_key = api_token_create(
                    user=request.user, name=form.cleaned_data["name"], expires_at=expires_at
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "core/account.html",
        {"token_form": form, "tokens": tokens, "new_key": new_key},
    )


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” was revoked.")
    return redirect("core:account")


@role_required(Role.SUPERVISOR)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Supervisors' filterable audit log, newest first, 50 to a page."""
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list_for(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        court = court_active_for(request)
        tz = court.tzinfo if court else timezone.get_current_timezone()
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            events = events.filter(occurred_at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
            events = events.filter(occurred_at__lt=end)
        if data["actor"]:
            events = events.filter(actor_username__iexact=data["actor"])
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["case_number"]:
            events = events.filter(case_number=data["case_number"].strip())
    page = paginate_without_count(events, request.GET.get("page"), AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)
