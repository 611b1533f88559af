"""The case file's Hearings panel (registered in DocketConfig.ready()).

One query: the case's hearings with their room, judge, continuance reason and the
hearings they were continued from and to. Who may schedule is decided from the
reader's access level (`filings.policies.keeps_record_at_level`), without a query.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cases.policies import PUBLIC
from filings.policies import keeps_record_at_level

from .calendar import hearing_url, judge_name, language_names
from .models import Hearing

# The panel lists the case's latest hearings; a case with more is rare (years of
# review hearings) and the rest stay on the hearing pages and the API.
PANEL_HEARINGS = 100


def schedule_url(court_code: str, number: str) -> str:
    """The schedule-a-hearing form of docket.urls (mounted at /hearings/)."""
    return reverse("hearings:new", args=[court_code, number])


def hearings_panel_context(request: HttpRequest, case_file) -> dict:
    """Upcoming hearings (soonest first) and past ones (latest first) of the case."""
    case = case_file.case
    tz = case.court.tzinfo
    latest = list(
        Hearing.objects.filter(case=case)
        .select_related(
            "courtroom", "judge", "continuance_reason", "continued_from", "continued_to"
        )
        .order_by("-starts_at", "-id")[: PANEL_HEARINGS + 1]
    )
    truncated = len(latest) > PANEL_HEARINGS
    now = timezone.now()
    show_reasons = case_file.level != PUBLIC
    upcoming, past = [], []
    for h in latest[:PANEL_HEARINGS]:
        continued_to = getattr(h, "continued_to", None)
        item = {
            "hearing": h,
            "url": hearing_url(h.pk),
            "starts_at": timezone.localtime(h.starts_at, tz),
            "ends_at": timezone.localtime(h.ends_at, tz),
            "judge": judge_name(h.judge),
            "continued_from": h.continued_from,
            "continued_from_url": hearing_url(h.continued_from_id) if h.continued_from_id else "",
            "continued_to": continued_to,
            "continued_to_url": hearing_url(continued_to.pk) if continued_to else "",
            "reason": h.status_reason if show_reasons else "",
            "interpreter": language_names(h.interpreter_language) if show_reasons else "",
            "calendar_url": reverse("calendar:day")
            + "?"
            + urlencode(
                {"court": case.court.code, "date": h.date.isoformat(), "courtroom": h.courtroom_id}
            ),
        }
        (upcoming if h.ends_at >= now else past).append(item)
    upcoming.reverse()  # soonest first
    keeper = keeps_record_at_level(request.user, case_file.level)
    return {
        "upcoming": upcoming,
        "past": past,
        "truncated": truncated,
        "shown": len(upcoming) + len(past),
        "schedule_url": schedule_url(case.court.code, case.number) if keeper else "",
        "time_zone": case.court.time_zone,
    }
