"""CourTools measure 7, collection of monetary penalties, against a hand-built ledger:
partial payments, a voided payment, a waiver, restitution, and an obligation outside the
period (rate = collected / (ordered - waived))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.measures import MeasureScope
from payments.measures import collection_rate, obligations_ordered
from payments.models import ObligationKind
from payments.services import obligation_waive, payment_void

from .factories import obligation, payment, restitution

D = Decimal
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_collection_rate_by_kind(court_a, court_b, make_case, clerk, supervisor):
    fine_case, fee_case, restitution_case, old_case = (make_case() for _ in range(4))
    obligation(fine_case, ObligationKind.FINE, "500.00", ordered_on=dt.date(2026, 1, 15))
    payment(fine_case, "200.00", clerk=clerk)
    voided = payment(fine_case, "100.00", clerk=clerk)
    payment_void(payment=voided, reason="Check returned unpaid", by=supervisor)
    fee = obligation(fee_case, ObligationKind.FEE, "100.00", ordered_on=dt.date(2026, 2, 1))
    obligation_waive(obligation=fee, amount=D("40.00"), reason="Indigent", by=supervisor)
    payment(fee_case, "60.00", clerk=clerk)
    restitution(restitution_case, "300.00", ordered_on=dt.date(2026, 3, 31))
    # Ordered before the period: not in the cohort, its payment neither.
    obligation(old_case, ObligationKind.FINE, "1000.00", ordered_on=dt.date(2025, 12, 31))
    payment(old_case, "1000.00", clerk=clerk)
    scope = MeasureScope(court_ids=(court_a.pk,), start=Q1[0], end=Q1[1])

    result = collection_rate(scope)

    by_kind = {c.kind: c for c in result.by_kind}
    assert list(by_kind) == ["restitution", "fine", "fee"]
    fine = by_kind["fine"]
    assert (fine.ordered, fine.waived, fine.collected, fine.outstanding) == (
        D("500.00"),
        D("0.00"),
        D("200.00"),
        D("300.00"),
    )
    assert fine.rate == D("40.0")
    fee_row = by_kind["fee"]
    assert (fee_row.ordered, fee_row.waived, fee_row.collected) == (
        D("100.00"),
        D("40.00"),
        D("60.00"),
    )
    assert fee_row.rate == D("100.0")
    assert by_kind["restitution"].rate == D("0.0")
    total = result.total
    # 260 collected of 900 ordered less 40 waived.
    assert (total.ordered, total.waived, total.collected) == (D("900.00"), D("40.00"), D("260.00"))
    assert total.rate == D("30.2")
    assert obligations_ordered(scope).count() == 3
    other = MeasureScope(court_ids=(court_b.pk,), start=Q1[0], end=Q1[1])
    assert collection_rate(other).by_kind == [] and collection_rate(other).total.rate is None


def test_drawers_left_open_from_an_earlier_day(court_a, clerk, second_clerk):
    from payments.measures import drawers_not_closed
    from payments.models import CashDrawer

    from .factories import open_drawer

    yesterdays = open_drawer(clerk)
    CashDrawer.objects.filter(pk=yesterdays.pk).update(
        business_date=yesterdays.business_date - dt.timedelta(days=1)
    )
    open_drawer(second_clerk)  # today's: not late yet
    today = court_a.local_today()

    assert [d.pk for d in drawers_not_closed([court_a.pk], today=today)] == [yesterdays.pk]
