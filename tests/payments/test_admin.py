"""Back office: the fee schedule and payment settings are data, validated; money records
are read-only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from casemgmt.core.roles import Role
from payments.admin import FeeScheduleEntryForm, PaymentSettingsForm

from .factories import obligation, payment, scheduled_fee

pytestmark = pytest.mark.django_db


def fee_form(court, **overrides):
    data = {
        "court": court.pk,
        "event_code": "cmpl",
        "kind": "fee",
        "description": "Filing fee",
        "amount": "410.00",
        "effective_from": "2026-01-01",
        **overrides,
    }
    return FeeScheduleEntryForm(data=data)


def test_two_fees_in_force_at_once_are_refused(court_a):
    scheduled_fee(court_a, "CMPL", "400.00", effective_from=dt.date(2020, 1, 1))
    form = fee_form(court_a)
    assert not form.is_valid()
    assert form.errors.as_data()["__all__"][0].code == "FEE_OVERLAPS"


def test_a_new_fee_after_the_old_one_ends_is_accepted(court_a):
    scheduled_fee(
        court_a,
        "CMPL",
        "400.00",
        effective_from=dt.date(2020, 1, 1),
        effective_to=dt.date(2025, 12, 31),
    )
    form = fee_form(court_a)
    assert form.is_valid(), form.errors
    assert form.save().event_code == "CMPL"


@pytest.mark.parametrize(
    ("policy", "valid"),
    [
        ({}, True),
        ({"tiers": [["restitution"], ["special_assessment"], ["fine", "fee", "cost"]]}, True),
        ({"tiers": [["restitution"], ["restitution"]]}, False),
        ({"restitution_mode": "largest_first"}, False),
    ],
)
def test_the_allocation_priority_is_checked_before_it_is_saved(court_a, policy, valid):
    form = PaymentSettingsForm(
        data={
            "court": court_a.pk,
            "allocation_policy": json.dumps(policy),
            "disbursement_minimum": "5.00",
            "installment_delinquent_after_days": 30,
            "plan_default_after_days": 90,
        }
    )
    assert form.is_valid() is valid, form.errors


def test_money_records_are_shown_read_only(client, make_user, case, clerk):
    obligation(case, "fine", "10.00")
    p = payment(case, "10.00", clerk=clerk)
    admin_user = make_user(Role.SUPERVISOR, [], username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    for model in ("payment", "obligation", "ledgertransaction", "receipt", "cashdrawer"):
        assert client.get(f"/admin/payments/{model}/").status_code == 200
    page = client.get(f"/admin/payments/payment/{p.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get("/admin/payments/payment/add/").status_code == 403
