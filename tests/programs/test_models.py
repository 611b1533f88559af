"""Invariants the database keeps for program records."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from programs.models import Referral, ReferralStatus, Screening

from .factories import referral


def test_one_open_referral_per_participant_and_program(program, case, coordinator):
    referral(program, case, by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        referral(program, case, by=coordinator)


def test_a_closed_referral_does_not_block_a_new_one(program, case, coordinator):
    first = referral(program, case, by=coordinator)
    Referral.objects.filter(pk=first.pk).update(status=ReferralStatus.INELIGIBLE)
    assert referral(program, case, by=coordinator).pk != first.pk


def test_screenings_are_append_only(program, case, coordinator):
    made = referral(program, case, by=coordinator)
    screening = Screening.objects.create(
        referral=made, outcome="eligible", decision="eligible", screened_by=coordinator
    )
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(notes="changed")
