"""Celery tasks of the programs: thin, they take dates and call the services
(programs.drug_tests, programs.compliance)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from casemgmt.core.jobs import TRANSIENT_DB_ERRORS

logger = logging.getLogger(__name__)


def programs_selections_due(*, now: dt.datetime) -> list[tuple[int, dt.date]]:
    """(program id, court-local date) of each active program with drug tests in an active
    court whose night is ready: the day just begun there (programs.compliance.court_night).
    Programs whose day is selected already are left out (selecting again would do nothing)."""
    from casemgmt.core.models import Court

    from .compliance import court_night
    from .models import DrugTestSelection, PhaseRequirement, Program, RequirementKind

    courts = Court.objects.filter(is_active=True).only("pk", "time_zone")
    nights = {court.pk: court_night(court, now=now) for court in courts}
    with_tests = PhaseRequirement.objects.filter(kind=RequirementKind.DRUG_TEST).values(
        "phase__program_id"
    )
    programs = list(
        Program.objects.filter(is_active=True, court_id__in=list(nights), pk__in=with_tests)
        .order_by("pk")
        .values_list("pk", "court_id")
    )
    done = set(
        DrugTestSelection.objects.filter(
            program_id__in=[pk for pk, _ in programs], selection_date__in=set(nights.values())
        ).values_list("program_id", "selection_date")
    )
    due = [(pk, nights[court_id]) for pk, court_id in programs]
    return [(pk, day) for pk, day in due if (pk, day) not in done]


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=60, max_retries=5)
def programs_nightly(run_date: str | None = None) -> dict[str, object] | None:
    """Beat, hourly: for each court whose local night is ready (PROGRAMS_NIGHTLY_HOUR, 01:00),
    the random drug-test selection of the day just begun for each of its programs with drug
    tests; then the compliance run of the night every court has reached. Safe to run twice
    and at any hour: a selection is made once per program and day, a night's run once.

    Args:
        run_date: ISO date of the compliance night to run (default: the night ready now);
            selections are always those of each court's own night, never of a past day.

    Returns:
        A summary: the selections made or found, the night and what it raised; None when
        there is no active court.
    """
    from .compliance import compliance_night, compliance_run_night
    from .drug_tests import drug_test_select
    from .models import Program

    now = timezone.now()
    selections: dict[str, int] = {}
    failed: list[int] = []
    for program_id, day in programs_selections_due(now=now):
        program = Program.objects.select_related("court").get(pk=program_id)
        try:
            selection = drug_test_select(program=program, on=day)
        except TRANSIENT_DB_ERRORS:
            raise
        except Exception:
            # One program's failure must not stop the others, nor the compliance run.
            logger.exception("drug-test selection of %s for program %s failed", day, program_id)
            failed.append(program_id)
            continue
        selections[str(program_id)] = len(selection.selected)
    night = dt.date.fromisoformat(run_date) if run_date else compliance_night(now=now)
    if night is None:
        return None
    result = compliance_run_night(run_date=night, now=now)
    return {
        "selections": selections,
        "selections_failed": failed,
        "run_date": night.isoformat(),
        "ran": result.created,
        "flags_raised": len(result.raised),
        "notices_issued": len(result.notices),
    }
