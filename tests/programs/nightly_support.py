"""Helpers of the nightly tests (no tests here): participants enrolled and events recorded
directly in the tables (programs.services has its own tests; these test what the nightly
jobs read), and threads that run a job at the same time as the test."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

from programs.models import (
    Enrollment,
    EnrollmentStatus,
    Program,
    Referral,
    ReferralStatus,
    ServiceEvent,
)

from .factories import referral


def enroll(
    program: Program, case, *, by, on: dt.date, phase: int = 1, phase_started_on=None
) -> Enrollment:
    """An active enrollment of the case's defendant in `program`, in phase `phase`."""
    made = referral(program, case, by=by, on=on)
    Referral.objects.filter(pk=made.pk).update(status=ReferralStatus.ENROLLED)
    return Enrollment.objects.create(
        program=program,
        referral=made,
        case=case,
        participant=made.participant,
        status=EnrollmentStatus.ACTIVE,
        enrolled_on=on,
        phase=program.phases.get(number=phase),
        phase_started_on=phase_started_on or on,
    )


def event(enrollment: Enrollment, kind: str, on: dt.date, *, by, **fields) -> ServiceEvent:
    """A service event as a coordinator would log it (drug_test_result, attendance, hours...)."""
    if "hours" in fields and fields["hours"] is not None:
        fields["hours"] = Decimal(str(fields["hours"]))
    return ServiceEvent.objects.create(
        enrollment=enrollment, kind=kind, occurred_on=on, recorded_by=by, **fields
    )


def void(target: ServiceEvent, *, by, reason: str = "Entered on the wrong participant"):
    """The event that voids `target` (same kind, no result of its own)."""
    return ServiceEvent.objects.create(
        enrollment=target.enrollment,
        kind=target.kind,
        occurred_on=target.occurred_on,
        voids=target,
        notes=reason,
        recorded_by=by,
    )


def run_together(*jobs: Callable[[], object], timeout: float = 60) -> list[object]:
    """Run the jobs in threads released at the same instant (each with its own database
    connection); their results (or the exception each raised), in order."""
    from django.db import connections

    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = job()
        except Exception as exc:  # handed to the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a job did not finish"
    return results
