"""The review queue's age for the dashboard: filings waiting, by how long they have waited."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from filings.measures import review_queue, review_queue_age
from filings.models import Filing


def test_review_queue_age_in_bands(court_a, court_b, make_case, filing_type, a_pdf, attorney):
    from filings.services import filing_submit

    case = make_case()
    now = timezone.now()
    waits = [2, 30, 30, 100, 200]  # hours
    for hours in waits:
        filing = filing_submit(
            case=case,
            filing_type=filing_type(),
            upload=a_pdf(),
            filer=attorney,
            title="Motion to continue",
        )
        Filing.objects.filter(pk=filing.pk).update(submitted_at=now - dt.timedelta(hours=hours))

    result = review_queue_age([court_a.pk], now=now)

    assert result.waiting == 5
    assert result.bands == [
        ("under 1 day", 1),
        ("1-2 days", 2),
        ("2-5 days", 1),
        ("5 days or more", 1),
    ]
    assert result.oldest_hours(now) == 200
    assert [f.submitted_at for f in review_queue([court_a.pk])] == sorted(
        f.submitted_at for f in review_queue([court_a.pk])
    )
    assert review_queue_age([court_b.pk], now=now).waiting == 0
