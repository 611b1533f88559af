"""Case numbering: gap-free, never issued twice, per court/type/year, in the court's format.

The rule (cases.services.case_number_take): the counter row of the court/type/year is
locked for the rest of the intake transaction, so concurrent intakes queue on it and a
rolled-back intake rolls its increment back: numbers are gap-free and unique.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading

import pytest
from django.db import connection, transaction

from casemgmt.core.models import AuditEvent
from cases.models import Case, CaseCategory, CaseNumberSequence
from cases.services import IntakeInput, case_open
from tests.cases.factories import CaseTypeFactory, charge, defendant, open_case
from tests.core.factories import CourtFactory


class IntakeAborted(Exception):
    """Raised by a test after case_open returned, to roll the whole intake back."""


def criminal_intake(case_type, last_name="Doe", **kwargs) -> IntakeInput:
    return IntakeInput(
        court=case_type.court,
        case_type=case_type,
        parties=[defendant(last_name)],
        charges=[charge()],
        **kwargs,
    )


def sequence_value(court, case_type, year) -> int | None:
    row = CaseNumberSequence.objects.filter(court=court, case_type=case_type, year=year).first()
    return row.last_value if row else None


# --- concurrency --------------------------------------------------------------------------

WORKERS = 8
CASES = 200


def run_intakes_in_parallel(*, case_type, clerk, attempts: list[bool]):
    """Run `attempts` (True = roll back after the number was taken) on WORKERS connections.

    Returns (sequences of aborted intakes, unexpected errors).
    """
    work: queue.Queue[tuple[int, bool]] = queue.Queue()
    for i, abort in enumerate(attempts):
        work.put((i, abort))
    start = threading.Barrier(WORKERS)
    aborted: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait(timeout=30)
            while True:
                try:
                    i, abort = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    with transaction.atomic():
                        case = case_open(
                            data=criminal_intake(case_type, last_name=f"Doe{i}"), opened_by=clerk
                        )
                        if abort:
                            # The number is taken and the case written; now the intake fails.
                            raise IntakeAborted(case.sequence)
                except IntakeAborted as exc:
                    aborted.append(exc.args[0])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"intake-{n}") for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "an intake thread hung"
    return aborted, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("abort_every", [None, 7], ids=["all-commit", "every-7th-rolls-back"])
def test_parallel_intakes_get_every_number_once_and_none_skipped(
    cr_type, clerk, court_a, abort_every
):
    # Given 200 intakes to commit, and (in the second run) every 7th attempt rolling back
    # after it took its number, spread over 8 connections
    attempts: list[bool] = []
    committed = 0
    while committed < CASES:
        abort = abort_every is not None and len(attempts) % abort_every == abort_every - 1
        attempts.append(abort)
        committed += not abort
    expected_aborts = attempts.count(True)
    year = court_a.local_today().year

    # When they all run at once
    aborted, errors = run_intakes_in_parallel(case_type=cr_type, clerk=clerk, attempts=attempts)

    # Then nothing failed but the intended roll-backs
    assert errors == []
    assert len(aborted) == expected_aborts
    # and the committed cases carry exactly 1..200: none twice, none skipped
    cases = Case.objects.filter(court=court_a, case_type=cr_type, year=year)
    assert cases.count() == CASES
    assert sorted(cases.values_list("sequence", flat=True)) == list(range(1, CASES + 1))
    assert set(cases.values_list("number", flat=True)) == {
        f"{year}-CR-{n:06d}" for n in range(1, CASES + 1)
    }
    # a number a failed intake took went back: it was issued again to a committed case,
    # or (an intake failing after the last commit) it lies past the end and the counter
    # below shows it was not used up
    assert all(1 <= n <= CASES + expected_aborts for n in aborted)
    # and the counter ends at the number of committed cases
    assert sequence_value(court_a, cr_type, year) == CASES
    # one case.open audit row per committed case; none for the rolled-back ones
    assert AuditEvent.objects.filter(action="case.open", court=court_a).count() == CASES


# --- a rolled-back intake (single connection) ---------------------------------------------


def test_a_rolled_back_intake_consumes_no_number(cr_type, clerk, court_a):
    # Given one case already opened
    first = open_case(case_type=cr_type, opened_by=clerk)
    year = first.year

    # When an intake takes number 2 and then fails inside its transaction
    with pytest.raises(IntakeAborted), transaction.atomic():
        taken = case_open(data=criminal_intake(cr_type, "Roe"), opened_by=clerk)
        assert taken.sequence == 2
        raise IntakeAborted

    # Then number 2 was not used up: the counter is back at 1, nothing of it remains
    assert sequence_value(court_a, cr_type, year) == 1
    assert not Case.objects.filter(pk=taken.pk).exists()
    assert not AuditEvent.objects.filter(action="case.open", case_id=taken.pk).exists()
    # and the next intake gets number 2
    second = case_open(data=criminal_intake(cr_type, "Poe"), opened_by=clerk)
    assert (second.sequence, second.number) == (2, f"{year}-CR-000002")
    assert sequence_value(court_a, cr_type, year) == 2


def test_the_first_intake_of_a_year_rolled_back_leaves_no_counter(cr_type, clerk, court_a):
    # Given no case of this type yet; when the very first intake rolls back
    year = court_a.local_today().year
    with pytest.raises(IntakeAborted), transaction.atomic():
        case_open(data=criminal_intake(cr_type), opened_by=clerk)
        raise IntakeAborted

    # Then the counter row it created is gone with it, and the next case is number 1
    assert sequence_value(court_a, cr_type, year) is None
    case = open_case(case_type=cr_type, opened_by=clerk)
    assert case.number == f"{year}-CR-000001"


# --- formats ------------------------------------------------------------------------------


def test_default_format_is_year_type_six_digit_sequence(cr_type, clerk, court_a):
    year = court_a.local_today().year

    first = open_case(case_type=cr_type, opened_by=clerk)
    second = open_case(case_type=cr_type, opened_by=clerk)

    assert (first.number, first.year, first.sequence) == (f"{year}-CR-000001", year, 1)
    assert (second.number, second.sequence) == (f"{year}-CR-000002", 2)


def test_florida_format_leads_with_the_county_code(clerk):
    # Fla. R. Jud. Admin. 2.245 uniform case numbering: county-year-type-sequence
    court = CourtFactory(
        code="fl-sarasota",
        county_code="58",
        case_number_format="{county}-{year}-{type}-{seq:06d}",
    )
    felony = CaseTypeFactory(court=court, code="CF", category=CaseCategory.CRIMINAL)
    year = court.local_today().year

    case = open_case(case_type=felony, opened_by=clerk)

    assert case.number == f"58-{year}-CF-000001"


def test_federal_format_uses_office_and_two_digit_year(clerk):
    # Federal district courts: office:yy-type-sequence, e.g. 8:26-CR-00001
    court = CourtFactory(
        code="flmd", office_code="8", case_number_format="{office}:{yy}-{type}-{seq:05d}"
    )
    cr = CaseTypeFactory(court=court, code="CR", category=CaseCategory.CRIMINAL)
    yy = court.local_today().year % 100

    first = open_case(case_type=cr, opened_by=clerk)
    second = open_case(case_type=cr, opened_by=clerk)

    assert first.number == f"8:{yy:02d}-CR-00001"
    assert second.number == f"8:{yy:02d}-CR-00002"


def test_a_case_type_format_overrides_the_courts(cr_type, clerk, court_a):
    traffic = CaseTypeFactory(
        court=court_a,
        code="TR",
        name="Traffic",
        category=CaseCategory.TRAFFIC,
        number_format="{type}{yy}-{seq:07d}",
    )
    year = court_a.local_today().year

    citation = open_case(case_type=traffic, opened_by=clerk)
    felony = open_case(case_type=cr_type, opened_by=clerk)

    assert citation.number == f"TR{year % 100:02d}-0000001"
    assert felony.number == f"{year}-CR-000001"  # the court's format still applies to CR


# --- separate sequences -------------------------------------------------------------------


def test_each_case_type_has_its_own_sequence(cr_type, cv_type, clerk, court_a):
    year = court_a.local_today().year

    cr1 = open_case(case_type=cr_type, opened_by=clerk)
    cv1 = open_case(case_type=cv_type, opened_by=clerk)
    cr2 = open_case(case_type=cr_type, opened_by=clerk)

    assert [cr1.number, cr2.number] == [f"{year}-CR-000001", f"{year}-CR-000002"]
    assert cv1.number == f"{year}-CV-000001"
    assert sequence_value(court_a, cr_type, year) == 2
    assert sequence_value(court_a, cv_type, year) == 1


def test_each_court_has_its_own_sequence(cr_type, cr_type_b, clerk, court_a, court_b):
    year_a, year_b = court_a.local_today().year, court_b.local_today().year

    a = open_case(case_type=cr_type, opened_by=clerk)
    b = open_case(case_type=cr_type_b, opened_by=clerk)

    # The same number in two courts is fine: numbers are unique per court.
    assert (a.court, a.number) == (court_a, f"{year_a}-CR-000001")
    assert (b.court, b.number) == (court_b, f"{year_b}-CR-000001")


def test_a_case_filed_last_year_takes_last_years_sequence(cr_type, clerk, court_a):
    # Given this year's sequence already at 1
    today = court_a.local_today()
    last_year = today.year - 1
    open_case(case_type=cr_type, opened_by=clerk)

    # When cases are entered with a filing date in the previous year
    late1 = open_case(case_type=cr_type, opened_by=clerk, filed_on=dt.date(last_year, 12, 30))
    late2 = open_case(case_type=cr_type, opened_by=clerk, filed_on=dt.date(last_year, 6, 1))
    current = open_case(case_type=cr_type, opened_by=clerk)

    # Then they are numbered in that year's own sequence, which does not touch this year's
    assert (late1.year, late1.sequence, late1.number) == (last_year, 1, f"{last_year}-CR-000001")
    assert (late2.year, late2.sequence, late2.number) == (last_year, 2, f"{last_year}-CR-000002")
    assert current.number == f"{today.year}-CR-000002"
    assert sequence_value(court_a, cr_type, last_year) == 2
    assert sequence_value(court_a, cr_type, today.year) == 2
