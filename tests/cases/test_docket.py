"""The register of actions (cases.services.docket_entry_record): the one way in.

Entries are numbered per case, gap-free (the case row is locked while numbering);
event codes are data per court; a correction is a new entry pointing back at the one
it corrects, on the same case; every entry is audited.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import Case, Confidentiality, DocketEntry, EventCode
from cases.services import DEFAULT_EVENT_CODES, docket_entry_record, event_codes_install_defaults
from tests.core.factories import CourtFactory


class Aborted(Exception):
    pass


def record(case, event_code="MOTN", text="Motion filed.", *, by, **kwargs) -> DocketEntry:
    return docket_entry_record(
        case=case, event_code=event_code, text=text, recorded_by=by, **kwargs
    )


def seqs(case) -> list[int]:
    return list(DocketEntry.objects.filter(case=case).order_by("seq").values_list("seq", flat=True))


def written(case) -> dict:
    case.refresh_from_db()
    return {
        "last_docket_seq": case.last_docket_seq,
        "entries": DocketEntry.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.count(),
    }


# --- numbering ----------------------------------------------------------------------------


def test_entries_are_numbered_per_case_without_gaps(criminal_case, civil_case, clerk):
    # Given two cases, each with its intake entry (#1)
    # When entries are recorded on both, interleaved
    for _ in range(3):
        record(criminal_case, by=clerk)
        record(civil_case, by=clerk)
    record(criminal_case, by=clerk)

    # Then each case counts its own entries 1..n
    assert seqs(criminal_case) == [1, 2, 3, 4, 5]
    assert seqs(civil_case) == [1, 2, 3, 4]
    criminal_case.refresh_from_db()
    civil_case.refresh_from_db()
    assert (criminal_case.last_docket_seq, civil_case.last_docket_seq) == (5, 4)


def test_the_callers_case_object_learns_the_new_number(criminal_case, clerk):
    entry = record(criminal_case, by=clerk)

    assert entry.seq == criminal_case.last_docket_seq == 2


def test_a_rolled_back_entry_leaves_no_gap(criminal_case, clerk):
    # Given an entry recorded inside an act that then fails
    with pytest.raises(Aborted), transaction.atomic():
        record(criminal_case, by=clerk)
        raise Aborted

    # When the next entry is recorded
    entry = record(criminal_case, by=clerk)

    # Then it takes the number the failed act had used
    assert entry.seq == 2
    assert seqs(criminal_case) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_recorders_on_one_case_never_share_or_skip_a_number(criminal_case, clerk):
    # Given 4 connections recording 25 entries each on the same case (which has entry #1)
    threads_n, per_thread = 4, 25
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def recorder(n: int) -> None:
        try:
            start.wait(timeout=30)
            case = Case.objects.get(pk=criminal_case.pk)
            for i in range(per_thread):
                record(case, text=f"Motion {n}.{i}.", by=clerk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recorder, args=(n,)) for n in range(threads_n)]

    # When they all record at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then the case has entries 1..101, each once, and the counter agrees
    assert errors == []
    total = 1 + threads_n * per_thread
    assert seqs(criminal_case) == list(range(1, total + 1))
    criminal_case.refresh_from_db()
    assert criminal_case.last_docket_seq == total
    assert AuditEvent.objects.filter(action="docket.record", case_id=criminal_case.pk).count() == (
        total
    )


# --- what an entry carries ----------------------------------------------------------------


def test_an_entry_carries_the_act_and_is_audited(criminal_case, clerk):
    entry = record(criminal_case, "MOTN", "  Motion to continue trial.  ", by=clerk, obj=clerk)

    entry.refresh_from_db()
    assert entry.text == "Motion to continue trial."
    assert entry.entry_date == criminal_case.court.local_today()
    assert (entry.recorded_by, entry.corrects) == (clerk, None)
    assert (entry.object_type, entry.object_id) == ("core.user", str(clerk.pk))
    audit = AuditEvent.objects.get(action="docket.record", object_id=str(entry.pk))
    assert (audit.actor, audit.case_id, audit.case_number) == (
        clerk,
        criminal_case.pk,
        criminal_case.number,
    )
    assert audit.details == {"seq": 2, "event_code": "MOTN"}


def test_an_entry_may_be_dated_for_the_day_of_the_act(criminal_case, clerk):
    day = criminal_case.filed_on

    entry = record(criminal_case, "HRGS", "Arraignment set.", by=clerk, entry_date=day)

    assert entry.entry_date == day


@pytest.mark.parametrize("event_code", ["XXXX", "", "motn"])
def test_an_unknown_event_code_is_refused(criminal_case, clerk, event_code):
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        record(criminal_case, event_code, by=clerk)

    assert (refused.value.code, refused.value.field) == ("UNKNOWN_EVENT_CODE", "event_code")
    assert written(criminal_case) == before


def test_a_retired_event_code_is_refused(criminal_case, clerk):
    EventCode.objects.filter(court=criminal_case.court, code="MOTN").update(is_active=False)
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        record(criminal_case, "MOTN", by=clerk)

    assert refused.value.code == "UNKNOWN_EVENT_CODE"
    assert written(criminal_case) == before


def test_an_event_code_of_another_court_is_refused(criminal_case, court_b, clerk):
    # Codes are data per court: Bravo's own code means nothing in Alpha.
    EventCode.objects.create(court=court_b, code="MEDN", description="Mediation report")
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        record(criminal_case, "MEDN", by=clerk)

    assert refused.value.code == "UNKNOWN_EVENT_CODE"
    assert written(criminal_case) == before


@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_an_entry_without_text_is_refused(criminal_case, clerk, text):
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        record(criminal_case, "MOTN", text, by=clerk)

    assert (refused.value.code, refused.value.field) == ("DOCKET_TEXT_REQUIRED", "text")
    assert written(criminal_case) == before


# --- corrections --------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_pointing_back(criminal_case, clerk):
    # Given an entry with a mistake
    wrong = record(criminal_case, "HRGS", "Hearing set for 2026-04-31.", by=clerk)

    # When it is corrected
    fix = record(
        criminal_case,
        "CORR",
        f"Correcting entry #{wrong.seq}: hearing set for 2026-04-30.",
        by=clerk,
        corrects=wrong,
    )

    # Then the original stands unchanged and the correction references it
    wrong.refresh_from_db()
    assert wrong.text == "Hearing set for 2026-04-31."
    assert (fix.seq, fix.corrects) == (wrong.seq + 1, wrong)
    assert list(wrong.corrections.all()) == [fix]


def test_a_correction_must_be_on_the_same_case(criminal_case, civil_case, clerk):
    other = record(civil_case, "MOTN", "Motion to dismiss.", by=clerk)
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        record(criminal_case, "CORR", "Correcting.", by=clerk, corrects=other)

    assert (refused.value.code, refused.value.field) == ("CORRECTION_OF_OTHER_CASE", "corrects")
    assert written(criminal_case) == before


# --- confidentiality of entries -----------------------------------------------------------


def test_an_entrys_confidentiality_defaults_from_its_event_code(criminal_case, clerk):
    # Given a court that keeps competency evaluations confidential
    EventCode.objects.create(
        court=criminal_case.court,
        code="CMPE",
        description="Competency evaluation filed",
        default_confidentiality=Confidentiality.CONFIDENTIAL,
    )

    evaluation = record(criminal_case, "CMPE", "Competency evaluation filed.", by=clerk)
    motion = record(criminal_case, "MOTN", "Motion filed.", by=clerk)

    assert evaluation.confidentiality == Confidentiality.CONFIDENTIAL
    assert motion.confidentiality == Confidentiality.PUBLIC


def test_an_explicit_confidentiality_overrides_the_event_codes(criminal_case, clerk):
    entry = record(
        criminal_case,
        "MOTN",
        "Motion to seal filed.",
        by=clerk,
        confidentiality=Confidentiality.SEALED,
    )

    assert entry.confidentiality == Confidentiality.SEALED


# --- default event codes ------------------------------------------------------------------


def test_a_new_court_gets_every_default_event_code(db):
    court = CourtFactory(code="new-court")

    codes = EventCode.objects.filter(court=court)

    assert {c.code: c.description for c in codes} == DEFAULT_EVENT_CODES
    assert all(c.is_active and c.default_confidentiality == "public" for c in codes)


def test_installing_the_defaults_again_adds_only_what_is_missing(db):
    court = CourtFactory(code="new-court")
    assert event_codes_install_defaults(court=court) == 0

    EventCode.objects.filter(court=court, code__in=["SRVC", "ANSW"]).delete()
    EventCode.objects.filter(court=court, code="MOTN").update(description="Motion (local)")

    assert event_codes_install_defaults(court=court) == 2
    assert EventCode.objects.filter(court=court).count() == len(DEFAULT_EVENT_CODES)
    assert EventCode.objects.get(court=court, code="MOTN").description == "Motion (local)"
