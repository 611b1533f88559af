"""Random drug-test selection: reproducible, auditable, made once per program and day.

How a day's selection is made (algorithm "hmac-sha256/random.Random v1")
    seed  = HMAC-SHA256(program.selection_secret, selection_date.isoformat()), in hex: the
            secret keeps participants from predicting their days; the stored seed lets
            anyone with the record replay the draw without the secret.
    pool  = the program's active enrollments whose current phase has a drug-test
            requirement, sorted by enrollment id, each with its probability of a call that
            day: quantity / period_days for "n tests every d days" (2 every 7 days: 2/7),
            quantity / the phase's min_days for "n tests over the phase" (its duration when
            the phase has no minimum), requirements of one phase added, capped at 1;
            rounded to 6 places, and stored rounded, so the replay uses the same numbers.
    draw  = rng = random.Random(int(seed, 16)); for each (id, p) of the pool in order, one
            rng.random(); the enrollment is called when it is below p.

The selection (DrugTestSelection: pool, selected, seed, algorithm) is unique per program and
day: a second or concurrent run of the day returns the row made first and calls nobody
again. Each selected participant gets a DrugTestCall for the day; one already called by
hand that day keeps that call. `drug_test_selection_verify` replays a stored selection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from casemgmt.core.audit import audit_record

from .models import (
    DrugTestCall,
    DrugTestSelection,
    Enrollment,
    EnrollmentStatus,
    PhaseRequirement,
    Program,
    RequirementKind,
)

logger = logging.getLogger(__name__)

ALGORITHM = "hmac-sha256/random.Random v1"
PROBABILITY_PLACES = Decimal("0.000001")
ONE = Decimal(1)


def selection_seed(secret: str, on: dt.date) -> str:
    """The day's seed: HMAC-SHA256 of the ISO date under the program's secret, in hex."""
    return hmac.new(secret.encode(), on.isoformat().encode(), hashlib.sha256).hexdigest()


def requirement_probability(requirement: PhaseRequirement, *, phase_days: int) -> Decimal:
    """The chance of a call on any one day that `requirement` alone gives (not capped)."""
    days = requirement.period_days or phase_days
    if days <= 0:
        return ONE
    return Decimal(requirement.quantity) / Decimal(days)


def selection_pool(*, program: Program, on: dt.date) -> list[list]:
    """[[enrollment id, probability], ...] sorted by id: the program's active enrollments on
    `on` whose current phase asks for drug tests (one query)."""
    enrollments = (
        Enrollment.objects.filter(
            program=program,
            status=EnrollmentStatus.ACTIVE,
            enrolled_on__lte=on,
            phase_started_on__lte=on,
        )
        .select_related("phase")
        .order_by("pk")
    )
    requirements: dict[int, list[PhaseRequirement]] = {}
    for requirement in PhaseRequirement.objects.filter(
        phase__program=program, kind=RequirementKind.DRUG_TEST
    ).order_by("phase_id", "position", "pk"):
        requirements.setdefault(requirement.phase_id, []).append(requirement)
    pool = []
    for enrollment in enrollments:
        phase_requirements = requirements.get(enrollment.phase_id)
        if not phase_requirements:
            continue
        phase_days = enrollment.phase.min_days or program.duration_days
        total = sum(
            (requirement_probability(r, phase_days=phase_days) for r in phase_requirements),
            Decimal(0),
        )
        probability = min(total, ONE).quantize(PROBABILITY_PLACES, rounding=ROUND_HALF_UP)
        if probability > 0:
            pool.append([enrollment.pk, float(probability)])
    return pool


def select_from_pool(pool: list[list], seed: str) -> list[int]:
    """The draw: enrollment ids of `pool` (in its order) whose random number falls under
    their probability; one number per member, so the pool alone decides the draw."""
    rng = random.Random(int(seed, 16))  # noqa: S311 (a reproducible draw, not a secret)
    return [int(enrollment_id) for enrollment_id, p in pool if rng.random() < float(p)]


@transaction.atomic
def drug_test_select(*, program: Program, on: dt.date) -> DrugTestSelection:
    """Make (or find) the program's random drug-test selection of `on`, and call the
    selected participants to test that day.

    Args:
        program: the program.
        on: the court-local date of the tests.

    Returns:
        The day's selection. Idempotent: when the day has one already (an earlier run, or a
        concurrent one that committed first), that one is returned and nothing is created.
    """
    seed = selection_seed(program.selection_secret, on)
    pool = selection_pool(program=program, on=on)
    selected = select_from_pool(pool, seed)
    with connection.cursor() as cur:
        # A concurrent run of the same day waits here for the first to commit, then finds it.
        cur.execute(
            "INSERT INTO programs_drugtestselection "
            "(program_id, selection_date, seed, algorithm, pool, selected, created_at) "
            "VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s) "
            "ON CONFLICT (program_id, selection_date) DO NOTHING RETURNING id",
            [
                program.pk,
                on,
                seed,
                ALGORITHM,
                json.dumps(pool),
                json.dumps(selected),
                timezone.now(),
            ],
        )
        row = cur.fetchone()
    if row is None:
        logger.info("drug-test selection of %s for program %s exists", on, program.pk)
        return DrugTestSelection.objects.get(program=program, selection_date=on)
    selection = DrugTestSelection.objects.get(pk=row[0])
    # A participant already called by hand that day keeps that call (ON CONFLICT DO NOTHING).
    DrugTestCall.objects.bulk_create(
        [
            DrugTestCall(enrollment_id=enrollment_id, test_date=on, selection=selection)
            for enrollment_id in selected
        ],
        ignore_conflicts=True,
    )
    calls = DrugTestCall.objects.filter(selection=selection).count()
    audit_record(
        action="drug_test.select",
        actor_username="system",
        obj=selection,
        court=program.court,
        details={
            "program": program.pk,
            "selection_date": on.isoformat(),
            "algorithm": ALGORITHM,
            "seed": seed,
            "pool": len(pool),
            "selected": selected,
            "calls": calls,
        },
    )
    return selection


def drug_test_selection_verify(selection: DrugTestSelection) -> bool:
    """Replay a stored selection: its seed is the program's for the date, its algorithm
    this one, and the draw over its stored pool selects exactly what it stored."""
    if selection.algorithm != ALGORITHM:
        return False
    expected_seed = selection_seed(selection.program.selection_secret, selection.selection_date)
    if not hmac.compare_digest(selection.seed, expected_seed):
        return False
    pool = selection.pool
    ids = [entry[0] for entry in pool]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        return False
    return select_from_pool(pool, selection.seed) == list(selection.selected)


__all__ = [
    "ALGORITHM",
    "drug_test_select",
    "drug_test_selection_verify",
    "select_from_pool",
    "selection_pool",
    "selection_seed",
]
