"""The clerk's money pages: the counter, receipts, drawers and the deposit report.

Issue 7, items 6 and 9: look up the case, see what is owed by obligation, take the
payment, print the receipt — keyboard-first; bad input refused with its code and nothing
written; drawers opened, counted (over/short) and approved; the day's deposit.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseParty
from payments.models import (
    CashDrawer,
    DrawerCloseout,
    DrawerStatus,
    IdempotencyRecord,
    LedgerEntry,
    Payment,
    Receipt,
)
from payments.services import drawer_close
from tests.cases.factories import open_case
from tests.payments.factories import obligation, open_drawer, payment, restitution

D = Decimal
COUNTER = "/payments/counter/"
PAY = "/payments/counter/pay/"
DRAWERS = "/payments/drawers/"


def pay_data(case, **overrides) -> dict:
    defendant = CaseParty.objects.get(case=case, role="defendant")
    data = {
        "token": str(uuid.uuid4()),
        "court": case.court.code,
        "number": case.number,
        "amount": "50.00",
        "method": "cash",
        "reference": "",
        "payer": str(defendant.pk),
        "payer_name": "",
    }
    data.update(overrides)
    return data


def codes(response, field: str) -> list[str]:
    form = response.context["form"]
    return [e.code for e in form.errors.as_data().get(field, [])]


# --- counter: look up and see what is owed -----------------------------------------------------


def test_clerk_looks_up_a_case_and_sees_what_is_owed_by_obligation(client, clerk, case):
    # given a fine, a fee and restitution to a victim, partly paid
    obligation(case, "fine", "250.00", description="Fine, count 1")
    obligation(case, "fee", "50.00", description="Court costs")
    restitution(case, "90.00", payee_name="Ann Roe", description="Restitution, count 1")
    payment(case, "100.00", clerk=clerk)
    client.force_login(clerk)

    # when the clerk types the number
    response = client.get(COUNTER, {"number": case.number.lower()})

    # then the case's obligations, with payee, paid and balance, and the payment form
    assert response.status_code == 200
    page = response.content.decode()
    assert case.number in page
    for text in ("Fine, count 1", "Court costs", "Restitution, count 1", "Ann Roe"):
        assert text in page
    balance = response.context["balance"]
    assert balance.owed == D("390.00") and balance.paid == D("100.00")
    assert 'id="balance-due">$290.00' in page
    assert response.context["form"] is not None
    assert 'name="amount"' in page and "autofocus" in page


def test_htmx_lookup_returns_only_the_working_area(client, clerk, case):
    open_drawer(clerk, case.court)
    client.force_login(clerk)

    response = client.get(COUNTER, {"number": case.number}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="pay"' in page and case.number in page


def test_unknown_number_is_a_field_error_with_its_code(client, clerk, case):
    client.force_login(clerk)

    response = client.get(COUNTER, {"number": "2026-CR-999999"})

    assert response.status_code == 200
    assert [e.code for e in response.context["lookup"].errors.as_data()["number"]] == [
        "CASE_NOT_FOUND"
    ]


def test_without_an_open_drawer_the_counter_asks_to_open_one(client, clerk, case):
    obligation(case, "fine", "100.00")
    client.force_login(clerk)

    response = client.get(COUNTER, {"number": case.number})

    page = response.content.decode()
    assert "form" not in response.context or response.context.get("form") is None
    assert "Open your drawer first" in page
    assert response.context["open_drawer_url"].startswith(DRAWERS + "?court=alpha&next=")


def test_the_panel_link_opens_the_counter_on_the_case(client, clerk, case):
    open_drawer(clerk, case.court)
    client.force_login(clerk)

    response = client.get(COUNTER, {"number": case.number, "court": case.court.code})

    assert response.context["case"] == case


def test_another_courts_clerk_cannot_take_money_on_a_case_they_cannot_see(
    client, make_user, court_b, case
):
    outsider = make_user(Role.CLERK, [court_b])
    client.force_login(outsider)
    before = LedgerEntry.objects.count()

    lookup = client.get(COUNTER, {"number": case.number})
    post = client.post(PAY, pay_data(case))

    # a public case of another court: in sight, but its money is not theirs to see or take
    assert [e.code for e in lookup.context["lookup"].errors.as_data()["number"]] == [
        "MONEY_NOT_SHOWN"
    ]
    assert post.status_code == 403
    assert LedgerEntry.objects.count() == before and not Payment.objects.exists()


def test_a_sealed_case_of_another_court_is_404_at_the_counter(
    client, make_user, court_b, cr_type, clerk
):
    sealed = open_case(case_type=cr_type, opened_by=clerk, confidentiality="sealed")
    outsider = make_user(Role.CLERK, [court_b])
    client.force_login(outsider)

    post = client.post(PAY, pay_data(sealed))

    assert post.status_code == 404


def test_attorneys_do_not_use_the_counter(client, attorney):
    client.force_login(attorney)

    assert client.get(COUNTER).status_code == 403
    assert client.get(DRAWERS).status_code == 403


def test_the_public_is_sent_to_sign_in(client):
    response = client.get(COUNTER)

    assert response.status_code == 302 and "/login/" in response["Location"]


# --- counter: take the payment -------------------------------------------------------------


def test_clerk_takes_a_cash_payment_and_gets_the_receipt(client, clerk, case):
    fine = obligation(case, "fine", "250.00", description="Fine, count 1")
    drawer = open_drawer(clerk, case.court)
    client.force_login(clerk)

    response = client.post(PAY, pay_data(case, amount="$1,00.00"))  # typed with $ and comma

    taken = Payment.objects.get()
    receipt = Receipt.objects.get(payment=taken)
    assert response.status_code == 302
    assert response["Location"] == (
        f"/payments/receipts/{receipt.number}/?court={case.court.code}&posted=1"
    )
    assert taken.amount == D("100.00") and taken.drawer == drawer and taken.method == "cash"
    assert taken.payer_party.role == "defendant" and taken.payer_name == "John Doe"
    assert AuditEvent.objects.filter(action="payment.post", object_id=str(taken.pk)).exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Payment posted" in html and receipt.number in html
    assert 'id="print-receipt"' in html and "Print receipt" in html
    assert [(line.obligation_id, line.applied) for line in page.context["f"].lines] == [
        (fine.pk, D("100.00"))
    ]


def test_someone_else_pays_by_check_with_its_number(client, clerk, case):
    obligation(case, "fine", "80.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)

    client.post(
        PAY,
        pay_data(case, method="check", reference="4417", payer="other", payer_name="Mary Doe"),
    )

    taken = Payment.objects.get()
    assert (taken.method, taken.reference, taken.payer_name, taken.payer_party) == (
        "check",
        "4417",
        "Mary Doe",
        None,
    )


def test_an_overpayment_is_held_as_credit_and_shown(client, clerk, case):
    obligation(case, "fee", "30.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)

    response = client.post(PAY, pay_data(case, amount="50.00"))
    receipt_page = client.get(response["Location"])
    counter = client.get(COUNTER, {"number": case.number})

    assert receipt_page.context["f"].credit_held == D("20.00")
    assert counter.context["balance"].credit == D("20.00")
    assert "Credit held: $20.00" in counter.content.decode()


def test_a_double_submit_posts_one_payment_and_shows_the_same_receipt(client, clerk, case):
    obligation(case, "fine", "250.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)
    data = pay_data(case, amount="60.00")

    first = client.post(PAY, data)
    second = client.post(PAY, data)  # the same form again (double click, reload)

    number = Receipt.objects.get().number
    assert Payment.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert number in first["Location"] and number in second["Location"]
    assert "posted=1" not in second["Location"]
    assert IdempotencyRecord.objects.filter(user=clerk, scope="counter.payment").count() == 1


def test_the_same_form_changed_after_posting_is_refused_and_writes_nothing(client, clerk, case):
    obligation(case, "fine", "250.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)
    data = pay_data(case, amount="60.00")
    client.post(PAY, data)
    entries = LedgerEntry.objects.count()

    response = client.post(PAY, {**data, "amount": "70.00"})

    assert response.status_code == 200
    assert codes(response, "__all__") == ["IDEMPOTENCY_KEY_REUSED"]
    assert Payment.objects.count() == 1 and LedgerEntry.objects.count() == entries
    # the page comes back with a fresh token: submitting it takes the new payment
    assert response.context["form"]["token"].value() != data["token"]


@pytest.mark.parametrize(
    ("field", "value", "field_name", "code"),
    [
        ("amount", "", "amount", "AMOUNT_REQUIRED"),
        ("amount", "0", "amount", "AMOUNT_NOT_POSITIVE"),
        ("amount", "-5.00", "amount", "AMOUNT_NOT_POSITIVE"),
        ("amount", "10.005", "amount", "AMOUNT_TOO_PRECISE"),
        ("amount", "ten", "amount", "AMOUNT_INVALID"),
        ("method", "bitcoin", "method", "UNKNOWN_METHOD"),
        ("method", "check", "reference", "REFERENCE_REQUIRED"),
        ("payer", "other", "payer_name", "PAYER_REQUIRED"),
    ],
)
def test_bad_input_is_refused_on_its_field_with_its_code_and_nothing_is_written(
    client, clerk, case, field, value, field_name, code
):
    obligation(case, "fine", "250.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)
    entries = LedgerEntry.objects.count()

    response = client.post(PAY, pay_data(case, **{field: value}))

    assert response.status_code == 200
    assert codes(response, field_name) == [code]
    assert code in response.content.decode()
    assert not Payment.objects.exists() and LedgerEntry.objects.count() == entries
    assert not IdempotencyRecord.objects.exists()  # a refusal does not spend the form


def test_a_refused_form_can_be_corrected_and_posted(client, clerk, case):
    obligation(case, "fine", "250.00")
    open_drawer(clerk, case.court)
    client.force_login(clerk)
    data = pay_data(case, amount="0")

    client.post(PAY, data)
    client.post(PAY, {**data, "amount": "25.00"})

    assert Payment.objects.get().amount == D("25.00")


def test_a_closed_drawer_takes_no_payment(client, clerk, case):
    obligation(case, "fine", "250.00")
    drawer = open_drawer(clerk, case.court, opening_float="0.00")
    client.force_login(clerk)
    form_page = client.get(COUNTER, {"number": case.number})
    drawer_close(drawer=drawer, counted_cash="0.00", counted_checks="0.00", by=clerk)

    response = client.post(PAY, pay_data(case, token=form_page.context["form"]["token"].value()))

    assert response.status_code == 200
    refused = response.context["refused"].errors.as_data()["__all__"]
    assert [e.code for e in refused] == ["DRAWER_NOT_OPEN"]
    page = response.content.decode()
    assert "DRAWER_NOT_OPEN" in page and "Open your drawer first" in page
    assert not Payment.objects.exists()


# --- receipts (page) -------------------------------------------------------------------------


def test_receipt_page_is_404_for_a_clerk_of_another_court_and_403_without_money(
    client, make_user, court_b, clerk, case, attorney
):
    taken = payment(case, "20.00", clerk=clerk)
    url = f"/payments/receipts/{taken.receipt.number}/"
    outsider = make_user(Role.CLERK, [court_b])
    sealed = open_case(case_type=case.case_type, opened_by=clerk, confidentiality="sealed")
    sealed_receipt = payment(sealed, "5.00", clerk=clerk).receipt

    client.force_login(outsider)
    assert client.get(url).status_code == 403  # a public case: in sight, money not shown
    assert client.get(f"/payments/receipts/{sealed_receipt.number}/").status_code == 404
    assert client.get("/payments/receipts/R2026-999999/").status_code == 404
    client.force_login(attorney)  # not of record
    assert client.get(url).status_code == 403


def test_receipt_page_lists_the_prints(client, clerk, case):
    taken = payment(case, "20.00", clerk=clerk)
    client.force_login(clerk)
    pdf = f"/payments/receipts/{taken.receipt.number}.pdf"
    client.get(pdf)
    client.get(pdf)

    page = client.get(f"/payments/receipts/{taken.receipt.number}/").content.decode()

    assert "Original:" in page and "Reprint:" in page
    assert "Print a copy (marked REPRINT)" in page


# --- drawers ---------------------------------------------------------------------------------


def test_clerk_opens_a_drawer_and_returns_to_the_counter(client, clerk, case):
    client.force_login(clerk)
    back = f"{COUNTER}?number={case.number}"

    page = client.get(DRAWERS, {"next": back})
    response = client.post("/payments/drawers/open/", {"opening_float": "150.00", "next": back})

    assert 'name="next"' in page.content.decode()
    assert response.status_code == 302 and response["Location"] == back
    drawer = CashDrawer.objects.get(clerk=clerk)
    assert drawer.status == DrawerStatus.OPEN and drawer.opening_float == D("150.00")


def test_a_clerk_of_two_courts_opens_the_drawer_of_the_cases_court(
    client, make_user, court_a, court_b
):
    both = make_user(Role.CLERK, [court_a, court_b])
    client.force_login(both)

    page = client.get(DRAWERS, {"court": "bravo"})
    client.post("/payments/drawers/open/", {"opening_float": "20.00", "court": "bravo"})
    # a court the clerk does not work in is ignored: the active court (Alpha) is used
    client.post("/payments/drawers/open/", {"opening_float": "20.00", "court": "elsewhere"})

    assert page.context["court"] == court_b
    assert sorted(CashDrawer.objects.values_list("court__code", flat=True)) == ["alpha", "bravo"]


def test_a_negative_float_is_refused_with_its_code(client, clerk):
    client.force_login(clerk)

    response = client.post("/payments/drawers/open/", {"opening_float": "-1"})

    assert response.status_code == 200
    errors = response.context["open_form"].errors.as_data()["opening_float"]
    assert [e.code for e in errors] == ["AMOUNT_NOT_POSITIVE"]
    assert not CashDrawer.objects.exists()


def test_my_drawer_shows_what_it_should_hold_by_method(client, clerk, case):
    obligation(case, "fine", "500.00")
    drawer = open_drawer(clerk, case.court, opening_float="100.00")
    payment(case, "40.00", clerk=clerk)
    payment(case, "25.00", clerk=clerk, method="check", reference="77")
    payment(case, "10.00", clerk=clerk, method="card", reference="AUTH1")
    client.force_login(clerk)

    response = client.get(DRAWERS)

    expected = response.context["expected"]
    assert response.context["drawer"] == drawer
    assert (expected.cash, expected.checks, expected.other) == (
        D("140.00"),
        D("25.00"),
        D("10.00"),
    )
    assert len(response.context["payments"]) == 3
    assert 'id="close-drawer"' in response.content.decode()


def test_clerk_closes_the_drawer_short_and_a_supervisor_approves(client, clerk, supervisor, case):
    obligation(case, "fine", "500.00")
    drawer = open_drawer(clerk, case.court, opening_float="100.00")
    payment(case, "40.00", clerk=clerk)
    client.force_login(clerk)

    # a difference needs a note
    refused = client.post(
        f"/payments/drawers/{drawer.pk}/close/",
        {"counted_cash": "135.00", "counted_checks": "0.00", "note": ""},
    )
    assert [e.code for e in refused.context["close_form"].errors.as_data()["note"]] == [
        "CLOSEOUT_NOTE_REQUIRED"
    ]
    assert not DrawerCloseout.objects.exists()

    closed = client.post(
        f"/payments/drawers/{drawer.pk}/close/",
        {"counted_cash": "135.00", "counted_checks": "0.00", "note": "Five dollars missing"},
    )
    assert closed.status_code == 302 and closed["Location"] == f"/payments/drawers/{drawer.pk}/"
    closeout = DrawerCloseout.objects.get(drawer=drawer)
    assert (closeout.expected_cash, closeout.counted_cash, closeout.over_short) == (
        D("140.00"),
        D("135.00"),
        D("-5.00"),
    )
    detail = client.get(closed["Location"]).content.decode()
    assert "short $5.00" in detail and "closed $5.00 short" in detail
    assert "approve-drawer" not in detail  # a clerk does not approve

    # the supervisor sees it awaiting approval and approves it
    client.force_login(supervisor)
    listing = client.get(DRAWERS)
    assert [d.pk for d in listing.context["awaiting"]] == [drawer.pk]
    approved = client.post(f"/payments/drawers/{drawer.pk}/approve/", {"note": "Counted again"})
    assert approved.status_code == 302
    drawer.refresh_from_db()
    assert drawer.status == DrawerStatus.APPROVED
    assert "Approved" in client.get(f"/payments/drawers/{drawer.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="drawer.approve").exists()


def test_a_clerk_cannot_approve_and_another_clerks_drawer_is_404(
    client, clerk, case, make_user, court_a
):
    drawer = open_drawer(clerk, case.court, opening_float="0.00")
    closeout = drawer_close(drawer=drawer, counted_cash="0.00", counted_checks="0.00", by=clerk)
    other = make_user(Role.CLERK, [court_a])

    client.force_login(clerk)
    refused = client.post(f"/payments/drawers/{drawer.pk}/approve/", {"note": ""})
    client.force_login(other)
    hidden = client.get(f"/payments/drawers/{drawer.pk}/")

    assert [e.code for e in refused.context["approve_form"].errors.as_data()["__all__"]] == [
        "DRAWER_APPROVAL_NOT_ALLOWED"
    ]
    assert not hasattr(closeout, "approval") or closeout.approval is None
    assert hidden.status_code == 404


def test_daily_deposit_report_totals_the_drawers_of_the_day(
    client, clerk, supervisor, case, make_user, court_a
):
    obligation(case, "fine", "500.00")
    second = make_user(Role.CLERK, [court_a])
    open_drawer(clerk, case.court, opening_float="100.00")
    open_drawer(second, case.court, opening_float="50.00")
    payment(case, "40.00", clerk=clerk)
    payment(case, "25.00", clerk=second, method="check", reference="9")
    client.force_login(supervisor)

    response = client.get("/payments/drawers/deposits/")

    report = response.context["report"]
    assert len(report.drawers) == 2
    assert report.by_method["cash"] == D("40.00") and report.by_method["check"] == D("25.00")
    assert 'id="deposit-total">$65.00' in response.content.decode()


def test_nav_has_the_counter_and_drawers_for_clerks(client, clerk):
    client.force_login(clerk)

    page = client.get("/").content.decode()

    assert reverse("payments:counter") in page and reverse("payments:drawers") in page


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_once_post_one_payment(clerk, make_case):
    import threading

    from django.db import connection
    from django.test import Client

    case = make_case()
    obligation(case, "fine", "250.00")
    open_drawer(clerk, case.court)
    data = pay_data(case, amount="75.00")
    start = threading.Barrier(2)
    locations, errors = [], []

    def submit():
        try:
            client = Client()
            client.force_login(clerk)
            start.wait(timeout=10)
            locations.append(client.post(PAY, data)["Location"])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    number = Receipt.objects.get().number
    assert not errors and Payment.objects.count() == 1
    assert len(locations) == 2 and all(number in url for url in locations)
