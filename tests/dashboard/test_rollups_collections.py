"""The collections rollup (CourTools measure 7) gives the SAME figures as
payments.measures.collection_rate on the hand-built caseload of conftest.py (a fine partly
paid, a fee partly waived and paid, restitution unpaid, a fine ordered before the period;
court B's mirror), after a rebuild, and before and after the next refresh when payments,
voids, waivers, adjustments and a backdated obligation come in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casemgmt.dashboard.models import CollectionDay
from casemgmt.dashboard.rollups import collection_rate_rolled, rollups_refresh
from cases.measures import MeasureScope
from payments.measures import collection_rate
from payments.models import ObligationKind
from payments.services import obligation_adjust, obligation_waive, payment_void
from tests.payments.factories import obligation, payment

from .conftest import Q1

pytestmark = pytest.mark.django_db

D = dt.date


def scopes(world, court_b):
    court_a = world.court
    return [
        MeasureScope((court_a.pk,), *Q1),
        MeasureScope((court_a.pk,), D(2026, 1, 1), D(2026, 1, 31)),
        MeasureScope((court_a.pk,), D(2025, 12, 1), D(2026, 3, 31)),
        MeasureScope((court_a.pk,), *Q1, case_type_ids=(world.cr.pk,)),
        MeasureScope((court_a.pk,), *Q1, case_type_ids=(world.jv.pk,)),
        MeasureScope((court_b.pk,), *Q1),
        MeasureScope((court_a.pk, court_b.pk), D(2025, 1, 1), D(2026, 12, 31)),
        MeasureScope((court_a.pk,), D(2024, 1, 1), D(2024, 12, 31)),
    ]


def assert_rolled_equals_live(scope_list):
    for scope in scope_list:
        assert collection_rate_rolled(scope) == collection_rate(scope), scope


def rows():
    return sorted(
        CollectionDay.objects.values_list(
            "court_id", "case_type_id", "ordered_on", "kind", "ordered", "waived", "paid", "entries"
        )
    )


def test_a_rebuild_gives_the_hand_computed_collections(world, court_b):
    rollups_refresh(full=True)
    q1 = collection_rate_rolled(MeasureScope((world.court.pk,), *Q1))
    # The fine of 500 (200 paid), the fee of 100 (40 waived, 60 paid), restitution of 300.
    assert [c.kind for c in q1.by_kind] == ["restitution", "fine", "fee"]  # ObligationKind order
    assert (q1.total.ordered, q1.total.waived, q1.total.collected) == (
        Decimal("900.00"),
        Decimal("40.00"),
        Decimal("260.00"),
    )
    assert q1.total.rate == Decimal("30.2")  # 260 / (900 - 40)
    assert_rolled_equals_live(scopes(world, court_b))


def test_money_after_the_refresh_counts_before_and_after_the_next(world, court_b, supervisor):
    rollups_refresh(full=True)
    cases, clerk = world.cases, world.clerk
    # After the night: a payment on A, the fee's payment voided, a further waiver and costs
    # on the restitution, a fine ordered on 2026-02-15 entered only now.
    payment(cases["A"], "50.00", clerk=clerk)
    fee_payment = cases["B"].payments.order_by("pk").first()
    payment_void(payment=fee_payment, reason="Check returned", by=supervisor)
    restitution = cases["S"].obligations.get(kind=ObligationKind.RESTITUTION)
    obligation_waive(obligation=restitution, amount=Decimal("25.00"), reason="Order", by=supervisor)
    obligation_adjust(
        obligation=restitution, component="costs", amount="12.50", reason="Costs", by=supervisor
    )
    obligation(cases["C"], ObligationKind.FINE, "75.00", ordered_on=D(2026, 2, 15))
    q1 = MeasureScope((world.court.pk,), *Q1)

    live = collection_rate(q1)
    assert live.total.collected == Decimal("250.00")  # 200 + 50, the fee's 60 voided
    assert_rolled_equals_live(scopes(world, court_b))

    refresh = rollups_refresh()
    assert refresh.ledger_watermark > 0
    assert_rolled_equals_live(scopes(world, court_b))
    incremental = rows()
    rollups_refresh(full=True)
    assert rows() == incremental


def test_the_rolled_figures_come_from_the_rollup(world, court_b):
    rollups_refresh(full=True)
    q1 = MeasureScope((world.court.pk,), *Q1)
    CollectionDay.objects.filter(court=world.court, kind="fine").update(paid=Decimal("-1.00"))
    assert collection_rate_rolled(q1).total.collected != collection_rate(q1).total.collected
