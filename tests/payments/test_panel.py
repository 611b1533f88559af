"""The case page's Balance panel (issue 7, item 9): obligations with balances, the credit,
the latest payments with receipt links, "Take a payment" for the clerk's office — in two
queries, with the same figures as the ledger's selectors (payments.selectors.case_balance).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from casemgmt.core.roles import Role
from cases.selectors import case_file_get
from payments.panels import balance_panel_context, case_money_summary
from payments.selectors import case_balance
from payments.services import obligation_adjust, obligation_waive, payment_void
from tests.payments.factories import obligation, payment, restitution

D = Decimal


def case_url(case) -> str:
    return reverse("cases:detail", args=[case.court.code, case.number])


def panel_for(user, case):
    request = RequestFactory().get(case_url(case))
    request.user = user
    return balance_panel_context(request, case_file_get(user, case))


@pytest.fixture
def busy_case(case, clerk, supervisor):
    """Fines, fees, restitution to two victims, a waiver, costs, payments, a void, credit."""
    fine = obligation(case, "fine", "250.00", description="Fine")
    obligation(case, "special_assessment", "100.00", description="Special assessment")
    fee = obligation(case, "fee", "75.00", description="Court costs")
    restitution(case, "120.00", payee_name="Ann Roe")
    restitution(case, "60.00", payee_class="insurer", payee_name="Acme Insurance")
    obligation_waive(obligation=fee, amount=D("25.00"), reason="Indigency order", by=clerk)
    obligation_adjust(
        obligation=fine, component="interest", amount=D("3.33"), reason="Interest", by=clerk
    )
    payment(case, "150.00", clerk=clerk)
    voided = payment(case, "40.00", clerk=clerk)
    payment_void(payment=voided, reason="Check returned", by=supervisor)
    payment(case, "33.33", clerk=clerk, method="check", reference="101")
    return case


def test_the_panel_agrees_with_the_ledger_selectors(busy_case):
    summary = case_money_summary(busy_case)
    balance = case_balance(busy_case)

    assert [r.obligation.pk for r in summary.obligations] == [
        o.obligation.pk for o in balance.obligations
    ]
    assert [(r.owed, r.paid, r.balance) for r in summary.obligations] == [
        (o.owed, o.paid, o.balance) for o in balance.obligations
    ]
    assert (summary.owed, summary.paid, summary.balance, summary.credit) == (
        balance.owed,
        balance.paid,
        balance.balance,
        balance.credit,
    )
    assert summary.paid == D("183.33")  # the voided 40.00 is not paid


def test_an_overpayment_shows_as_credit(case, clerk):
    obligation(case, "fee", "30.00")
    payment(case, "50.00", clerk=clerk)

    summary = case_money_summary(case)

    assert summary.credit == D("20.00") == case_balance(case).credit
    assert summary.balance == D("0.00")


def test_the_panel_reads_in_two_queries(busy_case, clerk, django_assert_max_num_queries):
    request = RequestFactory().get(case_url(busy_case))
    clerk.access_cache = {}  # per request, as AccessCacheMiddleware does
    request.user = clerk
    case_file = case_file_get(clerk, busy_case)  # the case page read the user's courts

    with django_assert_max_num_queries(2):
        context = balance_panel_context(request, case_file)

    assert len(context["summary"].obligations) == 5
    assert context["summary"].payments


def test_clerk_sees_balance_payments_receipts_and_take_a_payment(client, clerk, busy_case):
    client.force_login(clerk)

    page = client.get(case_url(busy_case)).content.decode()

    assert 'id="panel-balance"' in page
    assert "Acme Insurance" in page and "Ann Roe" in page
    assert f"/payments/counter/?number={busy_case.number}&amp;court=alpha" in page
    receipts = [p.receipt.number for p in busy_case.payments.all()]
    assert all(f"/payments/receipts/{n}/?court=alpha" in page for n in receipts)
    assert "Voided" in page


def test_latest_payments_only(case, clerk):
    obligation(case, "fine", "1000.00")
    for _ in range(7):
        payment(case, "1.00", clerk=clerk)

    context = panel_for(clerk, case)

    assert len(context["summary"].payments) == 5 and context["summary"].more_payments


def test_the_public_and_an_attorney_not_of_record_read_no_money(
    client, attorney, busy_case, django_assert_max_num_queries
):
    anonymous_page = client.get(case_url(busy_case)).content.decode()
    client.force_login(attorney)
    attorney_page = client.get(case_url(busy_case)).content.decode()

    for page in (anonymous_page, attorney_page):
        assert 'id="panel-balance"' in page
        assert "shown to the court&#x27;s staff" in page or "shown to the court's staff" in page
        assert "Ann Roe" not in page and "/payments/receipts/" not in page
    request = RequestFactory().get(case_url(busy_case))
    request.user = AnonymousUser()
    case_file = case_file_get(request.user, busy_case)
    with django_assert_max_num_queries(0):
        assert balance_panel_context(request, case_file) == {"money_hidden": True}


def test_a_judge_sees_the_balance_but_no_take_a_payment(client, make_user, court_a, busy_case):
    judge = make_user(Role.JUDGE, [court_a])
    client.force_login(judge)

    context = panel_for(judge, busy_case)

    assert context["take_url"] == "" and context["summary"].obligations


@pytest.mark.parametrize("extra", [0, 12])
def test_the_case_page_with_money_keeps_its_query_budget(
    client, clerk, case, extra, django_assert_max_num_queries
):
    # tests/cases/test_pages.py: the case page answers in at most 22 queries
    for i in range(extra):
        obligation(case, "fee", "10.00", description=f"Fee {i}")
        payment(case, "5.00", clerk=clerk)
    client.force_login(clerk)

    with django_assert_max_num_queries(22):
        response = client.get(case_url(case))

    assert response.status_code == 200
