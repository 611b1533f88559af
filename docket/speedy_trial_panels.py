"""The case file's Speedy trial panel (registered in DocketConfig.ready()), and what the
clock's page shows (docket.speedy_trial_views): days remaining — in a warning under the
court's alert threshold — the trial-by date, the indictment clock, the excluded periods,
the steps, and for the clerk's office the forms that record dates and periods.

One query for a criminal case (docket.speedy_trial_selectors.speedy_trial_get); none
for any other, whose page shows no panel at all (the context is None). Who may record
is decided from the reader's access level (`filings.policies.keeps_record_at_level`),
without a query.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from filings.policies import keeps_record_at_level

from .speedy_trial import KIND_TEXT, UNDESCRIBED_KIND, ClockStatus, IndictmentStatus
from .speedy_trial import full_citation as _full_citation
from .speedy_trial_forms import ClockDatesForm, ExcludablePeriodForm, PeriodEndForm
from .speedy_trial_selectors import SpeedyTrial, speedy_trial_applies, speedy_trial_get

STATUS_WORDS = {
    ClockStatus.NOT_STARTED: "Not started",
    ClockStatus.RUNNING: "Running",
    ClockStatus.STOPPED: "Stopped: trial began",
    ClockStatus.EXPIRED: "Expired",
}

INDICTMENT_WORDS = {
    IndictmentStatus.UNKNOWN: "No arrest or summons recorded",
    IndictmentStatus.NOT_APPLICABLE: "Indicted before the arrest: no indictment clock",
    IndictmentStatus.PENDING: "Pending",
    IndictmentStatus.OVERDUE: "Overdue",
    IndictmentStatus.FILED: "Filed in time",
    IndictmentStatus.LATE: "Filed late",
}


def page_url(case) -> str:
    return reverse("speedy_trial:case", args=[case.court.code, case.number])


def _period_rows(st: SpeedyTrial, *, keeper: bool, end_forms: dict | None) -> list[dict]:
    rows = []
    for p in st.periods:
        if st.describe:
            words, sub = KIND_TEXT.get(p.kind, (p.get_kind_display(), "(h)"))
        else:
            words, sub = UNDESCRIBED_KIND
        today = st.result.today
        so_far = p.ends_on is None
        if p.ends_on is not None:
            days = (p.ends_on - p.starts_on).days + 1
        elif p.starts_on <= today:
            days = (today - p.starts_on).days + 1
        else:
            days = None
        end_form = None
        if keeper and p.ends_on is None:
            end_form = (end_forms or {}).get(p.pk) or PeriodEndForm(
                prefix=f"end{p.pk}", initial={"ends_on": st.result.today}
            )
        rows.append(
            {
                "period": p,
                "words": words[:1].upper() + words[1:],
                "citation": _full_citation(st.result.citation, sub),
                "days": days,
                "so_far": so_far,
                "reason": p.reason if st.describe else "",
                "entry": p.docket_entry.seq if st.describe and p.docket_entry_id else None,
                "end_form": end_form,
                "end_url": reverse(
                    "speedy_trial:period_end", args=[st.case.court.code, st.case.number, p.pk]
                )
                if end_form is not None
                else "",
            }
        )
    return rows


def speedy_trial_display(
    request: HttpRequest,
    st: SpeedyTrial,
    *,
    level: str,
    dates_form=None,
    period_form=None,
    end_forms: dict | None = None,
) -> dict:
    """What the panel and the page show of a clock (no queries)."""
    r = st.result
    case = st.case
    keeper = keeps_record_at_level(request.user, level)
    expired = r.status == ClockStatus.EXPIRED
    return {
        "st": st,
        "r": r,
        "status_words": STATUS_WORDS[r.status],
        "indictment_words": INDICTMENT_WORDS[r.indictment_status],
        "running": r.status == ClockStatus.RUNNING,
        "expired": expired,
        "days_over": -r.days_remaining if expired and r.days_remaining is not None else 0,
        "alert": r.alert,
        "periods": _period_rows(st, keeper=keeper, end_forms=end_forms),
        "keeper": keeper,
        "dates_form": (dates_form or ClockDatesForm.for_clock(st.clock, prefix="clock"))
        if keeper
        else None,
        "period_form": (period_form or ExcludablePeriodForm(prefix="period")) if keeper else None,
        "dates_url": reverse("speedy_trial:dates", args=[case.court.code, case.number]),
        "period_url": reverse("speedy_trial:period_add", args=[case.court.code, case.number]),
        "page_url": page_url(case),
    }


def speedy_trial_panel_context(request: HttpRequest, case_file) -> dict | None:
    """The Speedy trial panel of a criminal case; None (no panel, no query) otherwise."""
    case = case_file.case
    if not speedy_trial_applies(case):
        return None
    st = speedy_trial_get(case, level=case_file.level)
    return speedy_trial_display(request, st, level=case_file.level)
