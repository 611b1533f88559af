"""Random drug-test selection (programs.drug_tests): reproducible from the program's secret
and the date, auditable from the stored pool and seed, made once per program and day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from casemgmt.core.models import AuditEvent
from programs.drug_tests import (
    ALGORITHM,
    drug_test_select,
    drug_test_selection_verify,
    select_from_pool,
    selection_pool,
    selection_seed,
)
from programs.models import (
    DrugTestCall,
    DrugTestSelection,
    Enrollment,
    EnrollmentStatus,
    PhaseRequirement,
    RequirementKind,
)

from .factories import pretrial_diversion
from .nightly_support import enroll, run_together

DAY = dt.date(2026, 3, 2)  # a Monday
SECRET = "test-secret"


@pytest.fixture
def fixed_program(program):
    """The drug court with a known secret, so its draws are the same on every run."""
    program.selection_secret = SECRET
    program.save(update_fields=["selection_secret"])
    return program


@pytest.fixture
def participants(fixed_program, make_case, coordinator):
    """Six participants of the drug court, all in phase 1 (2 tests every 7 days)."""
    return [
        enroll(fixed_program, make_case(), by=coordinator, on=DAY - dt.timedelta(days=10))
        for _ in range(6)
    ]


def test_the_seed_is_the_hmac_of_the_date_under_the_programs_secret():
    # The algorithm is pinned: a change would make stored selections unverifiable.
    assert selection_seed(SECRET, DAY) == (
        "1622c08c5fb1e48d0fc02be820f8882e88a23e210f728aa33317db8913fdb34c"
    )
    assert selection_seed(SECRET, DAY) != selection_seed(SECRET, DAY + dt.timedelta(days=1))
    assert selection_seed(SECRET, DAY) != selection_seed("another secret", DAY)


def test_the_pool_is_the_active_participants_whose_phase_has_drug_tests(
    fixed_program, make_case, coordinator, court_a
):
    # Given participants in each phase of the drug court, and others who are not active
    start = DAY - dt.timedelta(days=30)
    one = enroll(fixed_program, make_case(), by=coordinator, on=start, phase=1)
    two = enroll(fixed_program, make_case(), by=coordinator, on=start, phase=2)
    three = enroll(fixed_program, make_case(), by=coordinator, on=start, phase=3)
    ended = enroll(fixed_program, make_case(), by=coordinator, on=start)
    Enrollment.objects.filter(pk=ended.pk).update(
        status=EnrollmentStatus.COMPLETED, ended_on=DAY - dt.timedelta(days=1)
    )
    later = enroll(fixed_program, make_case(), by=coordinator, on=DAY + dt.timedelta(days=1))
    # and a participant of a program without drug tests
    enroll(pretrial_diversion(court_a), make_case(), by=coordinator, on=start)

    pool = selection_pool(program=fixed_program, on=DAY)

    # Then the pool lists the active ones by id with the chance of a call that day:
    # 2 every 7 days, 1 every 7 days, 1 every 14 days
    assert pool == [[one.pk, 0.285714], [two.pk, 0.142857], [three.pk, 0.071429]]
    assert later.pk not in [p[0] for p in pool]


def test_a_requirement_over_the_whole_phase_is_spread_over_its_days_and_capped_at_one(
    fixed_program, make_case, coordinator
):
    phase = fixed_program.phases.get(number=2)  # 90 days
    phase.requirements.filter(kind=RequirementKind.DRUG_TEST).update(
        quantity="30", period_days=None
    )
    member = enroll(fixed_program, make_case(), by=coordinator, on=DAY, phase=2)
    assert selection_pool(program=fixed_program, on=DAY) == [[member.pk, 0.333333]]

    # two requirements of one phase add up; more than one test a day is a call every day
    PhaseRequirement.objects.create(
        phase=phase,
        kind=RequirementKind.DRUG_TEST,
        name="Breath tests",
        quantity="3",
        period_days=2,
    )
    assert selection_pool(program=fixed_program, on=DAY) == [[member.pk, 1.0]]
    selection = drug_test_select(program=fixed_program, on=DAY)
    assert selection.selected == [member.pk]


def test_same_inputs_give_the_same_selection_and_the_day_is_selected_once(
    fixed_program, participants
):
    # When the day's selection is made twice
    first = drug_test_select(program=fixed_program, on=DAY)
    again = drug_test_select(program=fixed_program, on=DAY)

    # Then it is one row, kept with what reproduces it, and one call per selected participant
    assert again.pk == first.pk
    assert DrugTestSelection.objects.count() == 1
    assert first.seed == selection_seed(SECRET, DAY)
    assert first.algorithm == ALGORITHM
    assert [p[0] for p in first.pool] == sorted(p.pk for p in participants)
    assert first.selected == select_from_pool(first.pool, first.seed)
    assert first.selected  # with this secret, some of the six are called on DAY
    calls = DrugTestCall.objects.filter(test_date=DAY)
    assert sorted(calls.values_list("enrollment_id", flat=True)) == first.selected
    assert set(calls.values_list("selection_id", flat=True)) == {first.pk}
    assert drug_test_selection_verify(first)
    # and one audit record says what was drawn
    audit = AuditEvent.objects.get(action="drug_test.select")
    assert audit.object_id == str(first.pk) and audit.court_id == fixed_program.court_id
    assert audit.details["seed"] == first.seed
    assert audit.details["selected"] == first.selected
    assert audit.details["calls"] == len(first.selected)


def test_another_day_has_another_seed_and_its_own_draw(fixed_program, participants):
    days = [DAY + dt.timedelta(days=n) for n in range(14)]
    selections = [drug_test_select(program=fixed_program, on=day) for day in days]

    assert len({s.seed for s in selections}) == len(days)
    assert len({tuple(s.selected) for s in selections}) > 1
    assert all(drug_test_selection_verify(s) for s in selections)


def test_verify_detects_a_tampered_selection(fixed_program, participants):
    selection = drug_test_select(program=fixed_program, on=DAY)
    stored = DrugTestSelection.objects.get(pk=selection.pk)
    not_selected = next(p[0] for p in stored.pool if p[0] not in stored.selected)

    # someone added a participant to the day's calls
    stored.selected = sorted([*stored.selected, not_selected])
    assert not drug_test_selection_verify(stored)
    # ... or dropped one
    stored.selected = selection.selected[1:]
    assert not drug_test_selection_verify(stored)
    # ... or changed a probability, or the seed, to make the draw come out as they wished
    stored = DrugTestSelection.objects.get(pk=selection.pk)
    stored.pool = [[eid, 1.0] for eid, _ in stored.pool]
    assert not drug_test_selection_verify(stored)
    stored = DrugTestSelection.objects.get(pk=selection.pk)
    stored.seed = selection_seed(SECRET, DAY + dt.timedelta(days=1))
    assert not drug_test_selection_verify(stored)
    # and the stored row cannot be changed at all (append-only)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        DrugTestSelection.objects.filter(pk=selection.pk).update(selected=[])
    assert drug_test_selection_verify(DrugTestSelection.objects.get(pk=selection.pk))


def test_two_tests_a_week_call_a_participant_about_two_days_in_seven(
    fixed_program, make_case, coordinator
):
    member = enroll(fixed_program, make_case(), by=coordinator, on=DAY)
    pool = selection_pool(program=fixed_program, on=DAY)
    days = [DAY + dt.timedelta(days=n) for n in range(700)]

    called = sum(member.pk in select_from_pool(pool, selection_seed(SECRET, day)) for day in days)

    # 700 days x 2/7 = 200 expected; a binomial standard deviation is about 12
    assert 150 <= called <= 250


def test_a_participant_called_by_hand_that_day_keeps_that_call(
    fixed_program, make_case, coordinator
):
    # Given a participant who is called every day, already called by hand for DAY
    phase = fixed_program.phases.get(number=1)
    phase.requirements.filter(kind=RequirementKind.DRUG_TEST).update(quantity="7")
    member = enroll(fixed_program, make_case(), by=coordinator, on=DAY)
    other = enroll(fixed_program, make_case(), by=coordinator, on=DAY)
    by_hand = DrugTestCall.objects.create(enrollment=member, test_date=DAY, called_by=coordinator)

    selection = drug_test_select(program=fixed_program, on=DAY)

    assert selection.selected == [member.pk, other.pk]
    assert DrugTestCall.objects.filter(enrollment=member).count() == 1
    by_hand.refresh_from_db()
    assert (by_hand.selection_id, by_hand.called_by_id) == (None, coordinator.pk)
    assert DrugTestCall.objects.get(enrollment=other).selection_id == selection.pk


def test_a_day_with_nobody_to_test_is_still_recorded(fixed_program):
    selection = drug_test_select(program=fixed_program, on=DAY)
    assert (selection.pool, selection.selected) == ([], [])
    assert drug_test_selection_verify(selection)
    assert not DrugTestCall.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_selecting_the_same_day_at_once_make_one_selection(fixed_program, participants):
    results = run_together(
        lambda: drug_test_select(program=fixed_program, on=DAY).pk,
        lambda: drug_test_select(program=fixed_program, on=DAY).pk,
    )

    assert results[0] == results[1] and isinstance(results[0], int)
    selection = DrugTestSelection.objects.get()
    assert DrugTestCall.objects.count() == len(selection.selected)
    assert AuditEvent.objects.filter(action="drug_test.select").count() == 1
