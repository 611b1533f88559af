"""The case lifecycle (NCSC State Court Guide to Statistical Reporting):

filed -> active -> inactive <-> reactivated -> disposed -> closed; disposed/closed -> reopened.

Every (from, to) pair of CaseStatus is tested: allowed moves write the status, a
CaseStatusChange, a docket entry with the transition's event code and a
`case.transition` audit row; refused moves raise a coded DomainError and write nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import Case, CaseStatus, CaseStatusChange, DocketEntry
from cases.services import TRANSITIONS, case_transition, docket_entry_record
from tests.cases.factories import open_case

S = CaseStatus

# The law of the lifecycle, written out by hand: (from, to) -> docket event code.
ALLOWED = {
    (S.FILED, S.ACTIVE): "ACTV",
    (S.FILED, S.INACTIVE): "INAC",
    (S.FILED, S.DISPOSED): "DISP",
    (S.ACTIVE, S.INACTIVE): "INAC",
    (S.ACTIVE, S.DISPOSED): "DISP",
    (S.INACTIVE, S.ACTIVE): "REAC",  # reactivated
    (S.INACTIVE, S.DISPOSED): "DISP",
    (S.REOPENED, S.ACTIVE): "ACTV",
    (S.REOPENED, S.INACTIVE): "INAC",
    (S.REOPENED, S.DISPOSED): "DISP",
    (S.DISPOSED, S.CLOSED): "CLSD",
    (S.DISPOSED, S.REOPENED): "REOP",
    (S.CLOSED, S.REOPENED): "REOP",
}

# Every other pair, with the code the refusal carries.
REFUSED = {
    (S.FILED, S.FILED): "CASE_ALREADY_IN_STATUS",
    (S.FILED, S.CLOSED): "CASE_NOT_DISPOSED",
    (S.FILED, S.REOPENED): "CASE_NOT_DISPOSED",
    (S.ACTIVE, S.FILED): "TRANSITION_NOT_ALLOWED",
    (S.ACTIVE, S.ACTIVE): "CASE_ALREADY_ACTIVE",
    (S.ACTIVE, S.CLOSED): "CASE_NOT_DISPOSED",
    (S.ACTIVE, S.REOPENED): "CASE_NOT_DISPOSED",
    (S.INACTIVE, S.FILED): "TRANSITION_NOT_ALLOWED",
    (S.INACTIVE, S.INACTIVE): "CASE_ALREADY_INACTIVE",
    (S.INACTIVE, S.CLOSED): "CASE_NOT_DISPOSED",
    (S.INACTIVE, S.REOPENED): "CASE_NOT_DISPOSED",
    (S.DISPOSED, S.FILED): "CASE_ALREADY_DISPOSED",
    (S.DISPOSED, S.ACTIVE): "CASE_ALREADY_DISPOSED",
    (S.DISPOSED, S.INACTIVE): "CASE_ALREADY_DISPOSED",
    (S.DISPOSED, S.DISPOSED): "CASE_ALREADY_DISPOSED",
    (S.CLOSED, S.FILED): "CASE_ALREADY_CLOSED",
    (S.CLOSED, S.ACTIVE): "CASE_ALREADY_CLOSED",
    (S.CLOSED, S.INACTIVE): "CASE_ALREADY_CLOSED",
    (S.CLOSED, S.DISPOSED): "CASE_ALREADY_CLOSED",
    (S.CLOSED, S.CLOSED): "CASE_ALREADY_CLOSED",
    (S.REOPENED, S.FILED): "TRANSITION_NOT_ALLOWED",
    (S.REOPENED, S.CLOSED): "CASE_NOT_DISPOSED",  # a reopened case is disposed again first
    (S.REOPENED, S.REOPENED): "CASE_ALREADY_IN_STATUS",
}

# How to reach each starting status through the service itself.
PATH_TO = {
    S.FILED: [],
    S.ACTIVE: [S.ACTIVE],
    S.INACTIVE: [S.INACTIVE],
    S.DISPOSED: [S.DISPOSED],
    S.CLOSED: [S.DISPOSED, S.CLOSED],
    S.REOPENED: [S.DISPOSED, S.REOPENED],
}


def pairs(table: dict) -> list:
    return [pytest.param(f, t, id=f"{f}->{t}") for f, t in sorted(table)]


def required_extras(to: str) -> dict:
    """What a move to `to` must carry: a reason to go inactive, a reason to reopen."""
    if to == S.INACTIVE:
        return {"inactive_reason": "warrant"}
    if to == S.REOPENED:
        return {"reason": "Rule 3.850 motion granted"}
    return {}


def case_in(status: str, *, case: Case, actor) -> Case:
    for step in PATH_TO[status]:
        case = case_transition(case=case, to=step, actor=actor, **required_extras(step))
    case.refresh_from_db()
    assert case.status == status
    return case


def written(case: Case) -> dict:
    """What a lifecycle act could have written, for 'nothing was written' assertions."""
    case.refresh_from_db()
    return {
        "case": (
            case.status,
            case.status_date,
            case.disposed_on,
            case.inactive_reason,
            case.last_docket_seq,
        ),
        "status_changes": CaseStatusChange.objects.filter(case=case).count(),
        "docket_entries": DocketEntry.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.filter(case_id=case.pk).count(),
    }


def today(case: Case) -> dt.date:
    return case.court.local_today()


def test_the_table_covers_every_pair_and_matches_the_services_transitions():
    pairs = set(itertools.product(S.values, repeat=2))
    assert set(ALLOWED) | set(REFUSED) == pairs
    assert not set(ALLOWED) & set(REFUSED)
    assert TRANSITIONS == ALLOWED


@pytest.mark.parametrize(("from_status", "to"), pairs(ALLOWED))
def test_an_allowed_transition_is_recorded_with_history_docket_and_audit(
    criminal_case, clerk, supervisor, from_status, to
):
    # Given a case brought to `from_status` through the service
    case = case_in(from_status, case=criminal_case, actor=clerk)
    disposed_before = case.disposed_on
    before = written(case)

    # When the supervisor moves it to `to`
    moved = case_transition(case=case, to=to, actor=supervisor, **required_extras(to))

    # Then the case carries the new status, dated today
    case.refresh_from_db()
    assert moved.status == case.status == to
    assert case.status_date == today(case)
    # A reopened case is pending again: its disposition date is cleared (the
    # history keeps it); other moves leave it as it was.
    expected_disposed_on = {S.DISPOSED: today(case), S.REOPENED: None}.get(to, disposed_before)
    assert case.disposed_on == expected_disposed_on
    assert case.inactive_reason == ("warrant" if to == S.INACTIVE else "")
    # and one history row, one docket entry and one transition audit row were written
    after = written(case)
    assert after["status_changes"] == before["status_changes"] + 1
    assert after["docket_entries"] == before["docket_entries"] + 1
    change = CaseStatusChange.objects.filter(case=case).latest("recorded_at", "id")
    assert (change.from_status, change.to_status) == (from_status, to)
    assert change.effective_on == today(case)
    assert change.changed_by == supervisor
    assert change.inactive_reason == case.inactive_reason
    assert change.reason == required_extras(to).get("reason", "")
    entry = DocketEntry.objects.filter(case=case).latest("seq")
    assert entry.seq == case.last_docket_seq == before["case"][4] + 1
    assert entry.event_code == ALLOWED[(from_status, to)]
    assert entry.entry_date == today(case)
    assert entry.recorded_by == supervisor
    assert (entry.object_type, entry.object_id) == ("cases.case", str(case.pk))
    assert change.docket_entry == entry
    audit = AuditEvent.objects.get(action="case.transition", case_id=case.pk, actor=supervisor)
    assert audit.details == {
        "from": from_status,
        "to": to,
        "date": today(case).isoformat(),
        "reason": required_extras(to).get("reason", ""),
    }
    assert audit.case_number == case.number
    assert audit.court == case.court


@pytest.mark.parametrize(("from_status", "to"), pairs(REFUSED))
def test_a_refused_transition_raises_its_code_and_writes_nothing(
    criminal_case, clerk, supervisor, from_status, to
):
    # Given a case brought to `from_status` through the service
    case = case_in(from_status, case=criminal_case, actor=clerk)
    before = written(case)

    # When the supervisor tries to move it to `to` (with every reason the move could need)
    with pytest.raises(DomainError) as refused:
        case_transition(case=case, to=to, actor=supervisor, **required_extras(to))

    # Then the refusal carries the expected code, and nothing was written
    assert refused.value.code == REFUSED[(from_status, to)]
    assert refused.value.field == "to"
    assert written(case) == before
    assert not AuditEvent.objects.filter(actor=supervisor).exists()


def test_an_unknown_status_is_refused(criminal_case, clerk):
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        case_transition(case=criminal_case, to="archived", actor=clerk)

    assert refused.value.code == "UNKNOWN_STATUS"
    assert written(criminal_case) == before


# --- what a move must carry ---------------------------------------------------------------


@pytest.mark.parametrize("inactive_reason", ["", "bored"])
def test_going_inactive_needs_a_known_reason(criminal_case, clerk, inactive_reason):
    # NCSC: inactive cases are counted by reason (stayed, warrant, competency, diversion, ...)
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        case_transition(
            case=criminal_case, to=S.INACTIVE, actor=clerk, inactive_reason=inactive_reason
        )

    assert (refused.value.code, refused.value.field) == (
        "INACTIVE_REASON_REQUIRED",
        "inactive_reason",
    )
    assert written(criminal_case) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(criminal_case, clerk, reason):
    case = case_in(S.DISPOSED, case=criminal_case, actor=clerk)
    before = written(case)

    with pytest.raises(DomainError) as refused:
        case_transition(case=case, to=S.REOPENED, actor=clerk, reason=reason)

    assert (refused.value.code, refused.value.field) == ("REOPEN_REASON_REQUIRED", "reason")
    assert written(case) == before


def test_going_inactive_keeps_the_reason_and_reactivating_clears_it(criminal_case, clerk):
    case = case_transition(
        case=criminal_case, to=S.INACTIVE, actor=clerk, inactive_reason="competency"
    )
    entry = DocketEntry.objects.filter(case=case).latest("seq")
    assert (case.inactive_reason, entry.text) == (
        "competency",
        "Case inactive (competency proceedings).",
    )

    case = case_transition(case=case, to=S.ACTIVE, actor=clerk)

    case.refresh_from_db()
    assert (case.status, case.inactive_reason) == (S.ACTIVE, "")


def test_reopening_keeps_the_reason_on_the_history_and_the_docket(criminal_case, clerk):
    case = case_in(S.DISPOSED, case=criminal_case, actor=clerk)

    case = case_transition(case=case, to=S.REOPENED, actor=clerk, reason="  Motion granted  ")

    change = CaseStatusChange.objects.filter(case=case).latest("recorded_at", "id")
    entry = DocketEntry.objects.filter(case=case).latest("seq")
    assert change.reason == "Motion granted"
    assert (entry.event_code, entry.text) == ("REOP", "Case reopened: Motion granted")


def test_disposing_again_after_reopening_moves_the_disposition_date(cr_type, clerk, court_a):
    # Given a case disposed 10 days ago and reopened 5 days ago
    today_ = court_a.local_today()
    case = open_case(case_type=cr_type, opened_by=clerk, filed_on=today_ - dt.timedelta(days=30))
    case = case_transition(
        case=case, to=S.DISPOSED, actor=clerk, effective_on=today_ - dt.timedelta(days=10)
    )
    case = case_transition(
        case=case,
        to=S.REOPENED,
        actor=clerk,
        reason="Judgment vacated",
        effective_on=today_ - dt.timedelta(days=5),
    )

    # When it is disposed again today
    case = case_transition(case=case, to=S.DISPOSED, actor=clerk)

    # Then disposed_on is the new disposition, and the history keeps both
    case.refresh_from_db()
    assert case.disposed_on == today_
    assert list(
        CaseStatusChange.objects.filter(case=case, to_status=S.DISPOSED).values_list(
            "effective_on", flat=True
        )
    ) == [today_ - dt.timedelta(days=10), today_]


# --- dates --------------------------------------------------------------------------------


def test_a_transition_dated_in_the_future_is_refused(criminal_case, clerk):
    before = written(criminal_case)

    with pytest.raises(DomainError) as refused:
        case_transition(
            case=criminal_case,
            to=S.ACTIVE,
            actor=clerk,
            effective_on=today(criminal_case) + dt.timedelta(days=1),
        )

    assert refused.value.code == "DATE_IN_FUTURE"
    assert written(criminal_case) == before


def test_a_transition_dated_before_filing_is_refused(cr_type, clerk, court_a):
    filed_on = court_a.local_today() - dt.timedelta(days=30)
    case = open_case(case_type=cr_type, opened_by=clerk, filed_on=filed_on)
    before = written(case)

    with pytest.raises(DomainError) as refused:
        case_transition(
            case=case, to=S.ACTIVE, actor=clerk, effective_on=filed_on - dt.timedelta(days=1)
        )

    assert refused.value.code == "DATE_BEFORE_FILING"
    assert written(case) == before


def test_a_transition_dated_before_the_last_change_is_refused(cr_type, clerk, court_a):
    # Given a case filed 30 days ago and made active 10 days ago
    today_ = court_a.local_today()
    case = open_case(case_type=cr_type, opened_by=clerk, filed_on=today_ - dt.timedelta(days=30))
    case = case_transition(
        case=case, to=S.ACTIVE, actor=clerk, effective_on=today_ - dt.timedelta(days=10)
    )
    before = written(case)

    # When someone records it inactive 20 days ago (before it became active)
    with pytest.raises(DomainError) as refused:
        case_transition(
            case=case,
            to=S.INACTIVE,
            actor=clerk,
            inactive_reason="stayed",
            effective_on=today_ - dt.timedelta(days=20),
        )

    # Then the history cannot run backwards
    assert refused.value.code == "DATE_BEFORE_LAST_CHANGE"
    assert written(case) == before


def test_a_backdated_transition_on_the_day_of_the_last_change_is_allowed(cr_type, clerk, court_a):
    today_ = court_a.local_today()
    day = today_ - dt.timedelta(days=10)
    case = open_case(case_type=cr_type, opened_by=clerk, filed_on=day)

    case = case_transition(case=case, to=S.ACTIVE, actor=clerk, effective_on=day)
    case = case_transition(case=case, to=S.DISPOSED, actor=clerk, effective_on=day)

    case.refresh_from_db()
    assert (case.status, case.status_date, case.disposed_on) == (S.DISPOSED, day, day)
    entry = DocketEntry.objects.filter(case=case).latest("seq")
    assert entry.entry_date == day


# --- history is append-only ---------------------------------------------------------------


@pytest.fixture
def motion(criminal_case, clerk):
    """A docket entry nothing else references (the intake entry is referenced by history; a
    motion opens a deadline that refers to it, so a notice)."""
    return docket_entry_record(
        case=criminal_case, event_code="NOTC", text="Notice issued.", recorded_by=clerk
    )


@pytest.mark.django_db(transaction=True)
def test_status_changes_cannot_be_updated(criminal_case):
    change = CaseStatusChange.objects.get(case=criminal_case)

    with pytest.raises(DatabaseError, match="append-only"):
        CaseStatusChange.objects.filter(pk=change.pk).update(to_status=S.DISPOSED)
    change.reason = "rewritten"
    with pytest.raises(DatabaseError, match="append-only"):
        change.save()

    change.refresh_from_db()
    assert (change.to_status, change.reason) == (S.FILED, "")


@pytest.mark.django_db(transaction=True)
def test_status_changes_cannot_be_deleted(criminal_case):
    change = CaseStatusChange.objects.get(case=criminal_case)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_casestatuschange WHERE id = %s", [change.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        CaseStatusChange.objects.filter(pk=change.pk).delete()

    assert CaseStatusChange.objects.filter(pk=change.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_docket_entries_cannot_be_updated(motion):
    with pytest.raises(DatabaseError, match="append-only"):
        DocketEntry.objects.filter(pk=motion.pk).update(text="Motion withdrawn.")
    motion.event_code = "ORDR"
    with pytest.raises(DatabaseError, match="append-only"):
        motion.save()

    motion.refresh_from_db()
    assert (motion.event_code, motion.text) == ("NOTC", "Notice issued.")


@pytest.mark.django_db(transaction=True)
def test_docket_entries_cannot_be_deleted(motion):
    with pytest.raises(DatabaseError, match="append-only"):
        DocketEntry.objects.filter(pk=motion.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_docketentry WHERE id = %s", [motion.pk])

    assert DocketEntry.objects.filter(pk=motion.pk).exists()
