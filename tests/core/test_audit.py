"""The audit trail: written by the helper, never changed or removed afterwards."""

import pytest
from django.db import DatabaseError, connection, transaction

from casemgmt.core.audit import audit_record
from casemgmt.core.models import AuditEvent, AuditOutcome


@pytest.fixture
def event(clerk):
    return audit_record(action="case.open", actor=clerk, obj=clerk, details={"n": 1})


def test_audit_record_keeps_actor_object_and_court(clerk, court_a):
    event = audit_record(action="test.act", actor=clerk, obj=court_a, details={"why": "because"})

    event.refresh_from_db()
    assert event.actor == clerk
    assert event.actor_username == "clerk_a"
    assert event.object_type == "core.court"
    assert event.object_id == str(court_a.pk)
    assert event.court is None  # a Court object is not "in" a court; pass court= to set it
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.details == {"why": "because"}


def test_audit_record_takes_court_and_number_from_a_case(clerk, court_a):
    class FakeCase:  # anything with pk, number and court: cases sits above core
        pk = 42
        number = "2026-CR-000042"
        court = court_a

    event = audit_record(action="case.view", actor=clerk, case=FakeCase())

    assert (event.case_id, event.case_number, event.court) == (42, "2026-CR-000042", court_a)


@pytest.mark.django_db(transaction=True)
def test_audit_events_cannot_be_updated(event):
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    event.refresh_from_db()
    assert event.action == "case.open"


@pytest.mark.django_db(transaction=True)
def test_audit_events_cannot_be_saved_over(event):
    event.outcome = AuditOutcome.DENIED
    with pytest.raises(DatabaseError, match="append-only"):
        event.save()


@pytest.mark.django_db(transaction=True)
def test_audit_events_cannot_be_deleted_even_in_raw_sql(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_audit_record_rolls_back_with_its_transaction(clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="case.open", actor=clerk)
        raise RuntimeError("the service failed after auditing")

    assert not AuditEvent.objects.filter(action="case.open").exists()
