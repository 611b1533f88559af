"""What the docket app adds to `GET cases/{number}/` (API.md): the next hearing and the
open deadlines, registered with cases.api.extras in DocketConfig.ready()."""

from __future__ import annotations

from django.utils import timezone

from cases.policies import PUBLIC

from ..deadline_selectors import case_deadline_list
from ..models import DeadlineStatus, Hearing, HearingStatus
from .deadline_case_views import DeadlineSerializer
from .serializers import HearingSerializer

OPEN_DEADLINES_SHOWN = 20  # soonest first; `cases/{number}/deadlines/` pages the rest


def next_hearing(*, case, level: str) -> dict | None:
    """The case's next scheduled hearing (hearings are public on the calendar)."""
    hearing = (
        Hearing.objects.filter(
            case=case, status=HearingStatus.SCHEDULED, ends_at__gte=timezone.now()
        )
        .select_related("case", "court", "courtroom", "judge", "session", "continuance_reason")
        .order_by("starts_at", "id")
        .first()
    )
    if hearing is None:
        return None
    return HearingSerializer(hearing, context={"show_interpreter": level != PUBLIC}).data


def open_deadlines(*, case, level: str) -> list[dict]:
    """The case's open deadlines the caller may read at `level`, soonest first."""
    deadlines = case_deadline_list(case, level=level).filter(status=DeadlineStatus.OPEN)[
        :OPEN_DEADLINES_SHOWN
    ]
    context = {"today": case.court.local_today(), "show_reasons": level != PUBLIC}
    return DeadlineSerializer(deadlines, many=True, context=context).data


def register_case_fields() -> None:
    from cases.api.extras import register_case_detail_field

    register_case_detail_field("next_hearing", next_hearing)
    register_case_detail_field("open_deadlines", open_deadlines)
