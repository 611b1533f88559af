"""The clerk's review queue for the supervisor's dashboard: e-filings waiting for review
and how long they have waited (a filing is filed when the court receives it, so its wait
counts from `submitted_at`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

from .models import Filing, FilingStatus

# Waiting time bands, in hours: under a day, 1-2 days, 2-5 days, 5 days and more.
WAIT_BANDS = ((0, 24, "under 1 day"), (24, 48, "1-2 days"), (48, 120, "2-5 days"))
LAST_BAND = "5 days or more"


def review_queue(court_ids) -> QuerySet[Filing]:
    """Filings of the courts waiting for review, longest waiting first."""
    return (
        Filing.objects.filter(case__court_id__in=court_ids, status=FilingStatus.SUBMITTED)
        .select_related("case", "filing_type", "filed_by")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class QueueAge:
    waiting: int
    oldest: dt.datetime | None
    bands: list[tuple[str, int]]

    def oldest_hours(self, now: dt.datetime) -> int | None:
        if self.oldest is None:
            return None
        return int((now - self.oldest).total_seconds() // 3600)


def review_queue_age(court_ids, *, now: dt.datetime) -> QueueAge:
    """How many filings wait for review and for how long, in bands (one query)."""
    counts = {}
    for index, (low, high, _label) in enumerate(WAIT_BANDS):
        counts[f"band{index}"] = Count(
            "pk",
            filter=Q(
                submitted_at__lte=now - dt.timedelta(hours=low),
                submitted_at__gt=now - dt.timedelta(hours=high),
            ),
        )
    last_low = WAIT_BANDS[-1][1]
    counts[f"band{len(WAIT_BANDS)}"] = Count(
        "pk", filter=Q(submitted_at__lte=now - dt.timedelta(hours=last_low))
    )
    row = Filing.objects.filter(
        case__court_id__in=court_ids, status=FilingStatus.SUBMITTED
    ).aggregate(waiting=Count("pk"), oldest=Min("submitted_at"), **counts)
    labels = [label for _low, _high, label in WAIT_BANDS] + [LAST_BAND]
    return QueueAge(
        waiting=row["waiting"],
        oldest=row["oldest"],
        bands=[(label, row[f"band{index}"]) for index, label in enumerate(labels)],
    )
