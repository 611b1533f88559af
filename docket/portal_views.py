"""The attorney portal ("My cases", "My calendar", the calendar feed URL) and the iCal feed.

Thin: `docket.portal` reads, `docket.feeds` writes the tokens and builds the calendar.
The feed needs no session: its secret URL is the credential, and an unknown or revoked
secret answers the same plain 404 as a URL that never existed.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_active_for

from .feeds import (
    calendar_feed_token_active,
    calendar_feed_token_create,
    calendar_feed_token_resolve,
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
    calendar_feed_token_touch,
    feed_calendar_build,
    feed_hearing_list,
)
from .portal import (
    attorney_next_hearings,
    portal_calendar_page,
    portal_case_page,
    portal_read_audit,
)

FEED_CACHE_SECONDS = 300


def _today(request: HttpRequest) -> dt.date:
    court = court_active_for(request)
    return court.local_today() if court else timezone.localdate()


@role_required(Role.ATTORNEY)
def my_cases(request: HttpRequest) -> HttpResponse:
    """The cases the attorney appears in: status, latest register entries, next hearing."""
    page = portal_case_page(request.user, page=request.GET.get("page"), now=timezone.now())
    portal_read_audit(
        user=request.user,
        cases=[row.case for row in page],
        surface="portal.cases",
        action="case.read",
    )
    return render(request, "docket/portal_cases.html", {"page": page})


class CalendarFromForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@role_required(Role.ATTORNEY)
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The attorney's hearings in every court, from a date (today by default), by date."""
    form = CalendarFromForm(request.GET or None)
    start = _today(request)
    if form.is_bound and form.is_valid() and form.cleaned_data["start"]:
        start = form.cleaned_data["start"]
    page = portal_calendar_page(request.user, start=start, page=request.GET.get("page"))
    portal_read_audit(
        user=request.user,
        cases=[h.case for h in page],
        surface="portal.calendar",
        action="calendar.read",
    )
    query = f"start={start:%Y-%m-%d}"
    return render(
        request,
        "docket/portal_calendar.html",
        {
            "form": form,
            "start": start,
            "page": page,
            "query": query,
            "feed_active": calendar_feed_token_active(request.user) is not None,
        },
    )


FEED_ACTIONS = {
    "create": calendar_feed_token_create,
    "rotate": calendar_feed_token_rotate,
    "revoke": calendar_feed_token_revoke,
}


@role_required(Role.ATTORNEY)
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Make, rotate or revoke the secret feed URL. A new URL is shown once, in the answer
    to the POST that made it (never stored, never put in the session)."""
    user = request.user
    feed_url = None
    if request.method == "POST":
        action = FEED_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Choose create, rotate or revoke.")
            return redirect("portal:feed")
        try:
            result = action(user=user, actor=user)
        except DomainError as exc:
            if exc.status == 403:
                audit_denied(request, reason=exc.code)
                raise PermissionDenied(exc.message) from exc
            messages.error(request, f"{exc.message} ({exc.code})")
            return redirect("portal:feed")
        if action is calendar_feed_token_revoke:
            if result is None:
                messages.info(request, "You have no calendar feed URL.")
            else:
                messages.success(request, "Your calendar feed URL was revoked; it no longer works.")
            return redirect("portal:feed")
        _token, secret = result
        feed_url = request.build_absolute_uri(reverse("portal:feed_ics", args=[secret]))
    token = calendar_feed_token_active(user)
    response = render(
        request,
        "docket/portal_feed.html",
        {
            "token": token,
            "feed_url": feed_url,
            "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
        },
    )
    if feed_url:
        # The page carries the secret: no cache may keep it.
        patch_cache_control(response, private=True, no_store=True)
    return response


def _not_found() -> HttpResponse:
    # One answer for unknown, revoked and malformed secrets alike.
    return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")


@require_safe
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """`GET /calendar/feeds/<secret>.ics`: the attorney's hearings as iCalendar."""
    feed_token = calendar_feed_token_resolve(token)
    if feed_token is None:
        return _not_found()
    user = feed_token.user
    now = timezone.now()

    def case_url(hearing) -> str:
        return request.build_absolute_uri(
            reverse("cases:detail", args=[hearing.court.code, hearing.case.number])
        )

    body = feed_calendar_build(
        user=user, hearings=feed_hearing_list(user, now=now), case_url=case_url
    )
    calendar_feed_token_touch(feed_token, now=now)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="hearings.ics"'
    response["ETag"] = etag
    # Private to the subscriber (it names their cases); short, so changes reach them soon.
    patch_cache_control(response, private=True, max_age=FEED_CACHE_SECONDS)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def next_hearings_panel_context(request: HttpRequest) -> dict:
    """The attorney's home panel: their next hearings and whether a feed URL is active."""
    return {
        "hearings": attorney_next_hearings(request.user, now=timezone.now()),
        "feed_active": calendar_feed_token_active(request.user) is not None,
    }
