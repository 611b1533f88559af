"""Capacity under concurrent enrollments (issue 8, done when: "Capacity is enforced under
concurrent enrollments (never above capacity)").

enrollment_enroll counts the program's active enrollments under the program row's lock
(FOR NO KEY UPDATE): twelve coordinators enrolling twelve participants into a program of
capacity 5 at the same moment give exactly 5 active and 7 waitlisted, in order.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from programs.models import Enrollment, EnrollmentStatus, Referral
from programs.services import enrollment_enroll

from .factories import pretrial_diversion
from .steps import offered

pytestmark = pytest.mark.django_db(transaction=True)
PARTICIPANTS = 12
CAPACITY = 5


def test_twelve_concurrent_enrollments_into_five_places(court_a, make_case, coordinator):
    # Given a program of capacity 5 and 12 accepted offers (12 cases, one participant each)
    program = pretrial_diversion(court_a, code="CAP5", capacity=CAPACITY)
    referrals = [offered(program, make_case(), by=coordinator) for _ in range(PARTICIPANTS)]
    start = threading.Barrier(PARTICIPANTS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def enroll(referral_id: int) -> None:
        try:
            mine = Referral.objects.get(pk=referral_id)
            start.wait(timeout=30)
            result = enrollment_enroll(referral=mine, by=coordinator)
        except Exception as exc:  # recorded and asserted on below
            result = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=enroll, args=(r.pk,)) for r in referrals]

    # When all twelve are enrolled at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then every request succeeded, exactly 5 are active and 7 waitlisted
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    assert len(outcomes) == PARTICIPANTS
    statuses = sorted(o.status for o in outcomes)
    assert statuses.count(EnrollmentStatus.ACTIVE) == CAPACITY
    assert statuses.count(EnrollmentStatus.WAITLISTED) == PARTICIPANTS - CAPACITY
    assert (
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACTIVE).count()
        == CAPACITY
    )
    # ...the five active cases are inactive for diversion, the waitlisted ones untouched
    for enrollment in Enrollment.objects.select_related("case"):
        if enrollment.status == EnrollmentStatus.ACTIVE:
            assert enrollment.case.inactive_reason == "diversion"
        else:
            assert enrollment.case.status != "inactive"
            assert enrollment.waitlisted_at is not None
    # ...and the waitlist is ordered: every waitlisting came after the last admission
    # (the decisions were serial under the program's lock)
    active_created = Enrollment.objects.filter(status="active").order_by("-created_at")[0]
    first_waiting = Enrollment.objects.filter(status="waitlisted").order_by("waitlisted_at")[0]
    assert first_waiting.waitlisted_at >= active_created.created_at
