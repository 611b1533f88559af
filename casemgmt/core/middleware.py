"""Request plumbing: audit context, the idle-session timeout, the per-request access cache."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone

from .audit import request_context

_LAST_ACTIVITY = "casemgmt.last_activity"
# Writing the session on every request costs a query; a minute of slack is enough.
_TOUCH_EVERY_SECONDS = 60


class AccessCacheMiddleware:
    """Give the signed-in user of this request a fresh `access_cache` dict.

    Access checks (the user's courts, their sealed-case grants) are read several times
    per page; `cases.querysets` memoizes them there, for this request only. Users not
    loaded by a request (services, tasks, tests) carry no cache and always read afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.user.access_cache = {}
        return self.get_response(request)


class IdleSessionTimeoutMiddleware:
    """End a signed-in session after SESSION_IDLE_TIMEOUT without a request (CJIS 5.5.5).

    Also makes the request the audit context for everything the view writes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            expired = self._expire_if_idle(request)
            if expired is not None:
                return expired
            return self.get_response(request)

    def _expire_if_idle(self, request):
        if not request.user.is_authenticated:
            return None
        now = timezone.now()
        last_seen = request.session.get(_LAST_ACTIVITY)
        if last_seen is not None:
            idle = now - datetime.fromisoformat(last_seen)
            if idle > settings.SESSION_IDLE_TIMEOUT:
                request.logout_reason = "idle_timeout"
                logout(request)
                if request.path.startswith("/api/"):
                    return None  # the API answers 403 for the now-anonymous request
                messages.info(request, "Your session ended after 30 minutes without activity.")
                login_url = settings.LOGIN_URL
                response = redirect(login_url)
                if request.htmx:
                    response["HX-Redirect"] = response["Location"]
                return response
            if idle.total_seconds() < _TOUCH_EVERY_SECONDS:
                return None
        request.session[_LAST_ACTIVITY] = now.isoformat()
        return None
