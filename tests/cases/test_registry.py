"""The subscriber registry of the register of actions (cases.registry).

DESIGN.md: higher apps react to docket events through an explicit registry wired in
AppConfig.ready(); handlers run synchronously, in the same transaction, so a failing
handler rolls the whole act back. `cases` never imports them.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from casemgmt.core.models import AuditEvent
from cases import registry
from cases.models import Case, CaseNumberSequence, DocketEntry
from cases.services import case_transition, docket_entry_record
from tests.cases.factories import open_case


class HandlerFailed(Exception):
    pass


@pytest.fixture
def subscribe():
    """Subscribe for the test; every subscription made through it is removed afterwards."""
    made: list[tuple[str, str]] = []

    def do_subscribe(event_code: str, name: str, handler) -> None:
        registry.subscribe(event_code, name, handler)
        made.append((event_code, name))

    yield do_subscribe
    for event_code, name in made:
        registry.unsubscribe(event_code, name)


@pytest.fixture
def calls():
    """A handler that records what it was called with, and the calls it saw."""
    seen: list[tuple[int, str, int]] = []

    def handler(entry: DocketEntry) -> None:
        seen.append((entry.pk, entry.event_code, entry.seq))

    handler.seen = seen
    return handler


def record(case, event_code="SRVC", text="Summons returned served.", *, by):
    return docket_entry_record(case=case, event_code=event_code, text=text, recorded_by=by)


def test_a_handler_is_called_once_with_the_entry_of_its_event_code(
    subscribe, calls, civil_case, clerk
):
    # Given a handler subscribed to SRVC (service returned: the answer deadline runs from it)
    subscribe("SRVC", "test.answer_deadline", calls)

    # When a SRVC entry and an entry of another code are recorded
    served = record(civil_case, "SRVC", by=clerk)
    record(civil_case, "MOTN", "Motion to dismiss.", by=clerk)

    # Then the handler saw exactly the SRVC entry, once
    assert calls.seen == [(served.pk, "SRVC", served.seq)]


def test_the_handler_runs_inside_the_recording_transaction(subscribe, civil_case, clerk):
    # Given a handler that looks at the database while it runs
    observed = {}

    def handler(entry: DocketEntry) -> None:
        observed["in_atomic_block"] = connection.in_atomic_block
        observed["entry_saved"] = DocketEntry.objects.filter(pk=entry.pk).exists()
        observed["audited"] = AuditEvent.objects.filter(
            action="docket.record", object_id=str(entry.pk)
        ).exists()

    subscribe("SRVC", "test.observer", handler)

    # When an entry is recorded
    record(civil_case, by=clerk)

    # Then the handler ran within the transaction, after the entry and its audit row
    assert observed == {"in_atomic_block": True, "entry_saved": True, "audited": True}


@pytest.mark.django_db(transaction=True)
def test_the_handler_sees_the_entry_before_anyone_else_can(subscribe, civil_case, clerk):
    # Given a handler that asks another connection whether the entry exists yet
    seen_from_outside: list[bool] = []

    def look_from_another_connection(pk: int) -> None:
        try:
            seen_from_outside.append(DocketEntry.objects.filter(pk=pk).exists())
        finally:
            connection.close()

    def handler(entry: DocketEntry) -> None:
        thread = threading.Thread(target=look_from_another_connection, args=(entry.pk,))
        thread.start()
        thread.join(timeout=30)

    subscribe("SRVC", "test.outside_look", handler)

    # When the entry is recorded (and committed)
    served = record(civil_case, by=clerk)
    look_from_another_connection(served.pk)

    # Then it was invisible to others while the handler ran: not yet committed
    assert seen_from_outside == [False, True]


def test_a_failing_handler_rolls_the_entry_back(subscribe, civil_case, clerk):
    # Given a handler that fails (e.g. the fee schedule is broken)
    def handler(entry: DocketEntry) -> None:
        raise HandlerFailed(entry.event_code)

    subscribe("SRVC", "test.broken_fee_rule", handler)
    seq = civil_case.last_docket_seq
    audits = AuditEvent.objects.count()

    # When an entry is recorded
    with pytest.raises(HandlerFailed):
        record(civil_case, by=clerk)

    # Then the entry, its number and its audit row are gone
    civil_case.refresh_from_db()
    assert civil_case.last_docket_seq == seq
    assert not DocketEntry.objects.filter(case=civil_case, event_code="SRVC").exists()
    assert AuditEvent.objects.count() == audits


def test_a_failing_handler_rolls_the_whole_intake_back(subscribe, cv_type, clerk, court_a):
    # Given a handler on the complaint event that fails
    def handler(entry: DocketEntry) -> None:
        raise HandlerFailed("no filing fee configured")

    subscribe("CMPL", "test.filing_fee", handler)
    counts = (Case.objects.count(), DocketEntry.objects.count(), AuditEvent.objects.count())

    # When a civil case is opened (its first entry is CMPL)
    with pytest.raises(HandlerFailed):
        open_case(case_type=cv_type, opened_by=clerk)

    # Then no case, entry or audit row remains, and no number was used
    assert (Case.objects.count(), DocketEntry.objects.count(), AuditEvent.objects.count()) == (
        counts
    )
    assert not CaseNumberSequence.objects.filter(case_type=cv_type).exists()


def test_a_failing_handler_rolls_the_whole_transition_back(subscribe, civil_case, clerk):
    # Given a handler on "case disposed" that fails
    def handler(entry: DocketEntry) -> None:
        raise HandlerFailed("cannot close the deadlines")

    subscribe("DISP", "test.close_deadlines", handler)

    # When the case is disposed
    with pytest.raises(HandlerFailed):
        case_transition(case=civil_case, to="disposed", actor=clerk)

    # Then the case is still filed, with no new history, entry or audit row
    civil_case.refresh_from_db()
    assert (civil_case.status, civil_case.disposed_on) == ("filed", None)
    assert civil_case.status_changes.count() == 1
    assert not DocketEntry.objects.filter(case=civil_case, event_code="DISP").exists()
    assert not AuditEvent.objects.filter(action="case.transition").exists()


def test_a_caller_that_catches_the_failure_keeps_its_own_work(subscribe, civil_case, clerk):
    # The recording service is atomic on its own: a caller's outer transaction survives.
    def handler(entry: DocketEntry) -> None:
        raise HandlerFailed(entry.event_code)

    subscribe("SRVC", "test.broken", handler)

    with transaction.atomic():
        motion = record(civil_case, "MOTN", "Motion to compel.", by=clerk)
        with pytest.raises(HandlerFailed):
            record(civil_case, "SRVC", by=clerk)

    assert DocketEntry.objects.filter(pk=motion.pk).exists()
    assert not DocketEntry.objects.filter(case=civil_case, event_code="SRVC").exists()


def test_a_wildcard_subscriber_sees_every_entry(subscribe, calls, cr_type, clerk):
    # Given a "*" subscriber (e.g. the docket app's full-text index)
    subscribe(registry.ANY_EVENT, "test.everything", calls)

    # When a case is opened, docketed and moved through its lifecycle
    case = open_case(case_type=cr_type, opened_by=clerk)
    record(case, "MOTN", "Motion to suppress.", by=clerk)
    case_transition(case=case, to="active", actor=clerk)

    # Then it saw every entry, in order, once each
    entries = list(DocketEntry.objects.filter(case=case).order_by("seq"))
    assert calls.seen == [(e.pk, e.event_code, e.seq) for e in entries]
    assert [code for _, code, _ in calls.seen] == ["CHRG", "MOTN", "ACTV"]


def test_a_code_subscriber_and_a_wildcard_subscriber_are_each_called_once(
    subscribe, civil_case, clerk
):
    by_code, by_wildcard = [], []
    subscribe("SRVC", "test.by_code", lambda entry: by_code.append(entry.pk))
    subscribe(registry.ANY_EVENT, "test.by_wildcard", lambda entry: by_wildcard.append(entry.pk))

    served = record(civil_case, by=clerk)

    assert (by_code, by_wildcard) == ([served.pk], [served.pk])


def test_unsubscribing_stops_the_calls(subscribe, calls, civil_case, clerk):
    # Given a subscriber that has seen one entry
    subscribe("SRVC", "test.answer_deadline", calls)
    first = record(civil_case, by=clerk)

    # When it unsubscribes
    registry.unsubscribe("SRVC", "test.answer_deadline")
    record(civil_case, by=clerk)

    # Then it sees nothing more
    assert [pk for pk, _, _ in calls.seen] == [first.pk]


def test_unsubscribing_what_was_never_subscribed_is_harmless():
    registry.unsubscribe("SRVC", "test.never_subscribed")
    registry.unsubscribe("NOPE", "test.never_subscribed")


def test_subscribing_twice_under_one_name_replaces_the_handler(subscribe, civil_case, clerk):
    # Given a subscription made twice under one name (AppConfig.ready() run again)
    old, new = [], []
    subscribe("SRVC", "test.answer_deadline", lambda entry: old.append(entry.pk))
    subscribe("SRVC", "test.answer_deadline", lambda entry: new.append(entry.pk))

    # When an entry is recorded
    served = record(civil_case, by=clerk)

    # Then only the second handler runs
    assert (old, new) == ([], [served.pk])


def test_two_names_on_one_code_are_both_called(subscribe, civil_case, clerk):
    deadlines, fees = [], []
    subscribe("SRVC", "docket.deadlines", lambda entry: deadlines.append(entry.pk))
    subscribe("SRVC", "payments.fees", lambda entry: fees.append(entry.pk))

    served = record(civil_case, by=clerk)

    assert (deadlines, fees) == ([served.pk], [served.pk])


def test_a_handler_may_unsubscribe_itself_while_being_dispatched(subscribe, civil_case, clerk):
    # dispatch() iterates over a copy, so a one-shot handler can remove itself.
    seen = []

    def once(entry: DocketEntry) -> None:
        seen.append(entry.pk)
        registry.unsubscribe("SRVC", "test.once")

    subscribe("SRVC", "test.once", once)
    first = record(civil_case, by=clerk)
    record(civil_case, by=clerk)

    assert seen == [first.pk]
