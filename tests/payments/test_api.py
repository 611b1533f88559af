"""REST API over court money (API.md): obligations, payments, balance, void, receipts.

Money goes out as strings with two decimals; bad input answers its code and writes
nothing; a case out of sight is 404; retries with an Idempotency-Key replay the first
answer.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.services import case_confidentiality_set
from payments.models import (
    IdempotencyRecord,
    LedgerEntry,
    LedgerTransaction,
    Obligation,
    Payment,
    Receipt,
)
from payments.selectors import case_balance
from payments.services import drawer_close

from .factories import obligation, open_drawer, payment, restitution

pytestmark = pytest.mark.django_db
D = Decimal


def url(case, suffix: str) -> str:
    return f"/api/v1/cases/{case.number}/{suffix}"


def written() -> tuple[int, ...]:
    return (
        Obligation.objects.count(),
        Payment.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        Receipt.objects.count(),
        IdempotencyRecord.objects.count(),
    )


def test_a_clerk_takes_a_payment_and_gets_its_allocations_and_receipt(api, case, clerk):
    # Given a fine and a special assessment, and the clerk's open drawer
    fine = obligation(case, "fine", "200.00")
    sa = obligation(case, "special_assessment", "100.00")
    open_drawer(clerk)

    # When the clerk posts 150.00 cash
    response = api(clerk).post(
        url(case, "payments/"),
        {"amount": "150.00", "method": "cash", "payer": "John Doe"},
        format="json",
    )

    # Then 201 with the payment, money as strings, allocations by statute, receipt number
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "150.00"
    assert body["receipt"].startswith("R") and body["receipt"].endswith("-000001")
    assert body["allocations"] == [
        {
            "obligation": sa.pk,
            "kind": "special_assessment",
            "description": "Special assessment",
            "component": "principal",
            "amount": "100.00",
        },
        {
            "obligation": fine.pk,
            "kind": "fine",
            "description": "Fine",
            "component": "principal",
            "amount": "50.00",
        },
    ]
    assert (body["credit"], body["voided"], body["void"]) == ("0.00", False, None)
    assert response["Location"] == f"/api/v1/payments/{body['id']}/"


def test_the_balance_the_api_shows_is_the_ledgers(api, case, clerk):
    # Given obligations, payments, a waiver-free overpayment
    fee = obligation(case, "fee", "40.00")
    victim = restitution(case, "25.50", payee_name="Ann Roe")
    payment(case, "30.00", clerk=clerk)
    payment(case, "50.00", clerk=clerk)

    # When the balance is read
    response = api(clerk).get(url(case, "balance/"))

    # Then it is what the ledger says, to the cent
    assert response.status_code == 200
    body = response.json()
    ledger = case_balance(case)
    assert (body["owed"], body["paid"], body["balance"], body["credit"]) == (
        f"{ledger.owed:.2f}",
        f"{ledger.paid:.2f}",
        f"{ledger.balance:.2f}",
        f"{ledger.credit:.2f}",
    )
    assert (body["owed"], body["paid"], body["balance"], body["credit"]) == (
        "65.50",
        "65.50",
        "0.00",
        "14.50",
    )
    by_id = {o["id"]: o for o in body["obligations"]}
    assert by_id[victim.pk]["payee"] == {
        "payee_class": "individual",
        "name": "Ann Roe",
        "party": None,
        "priority": 0,
    }
    assert by_id[fee.pk]["components"] == [
        {
            "component": "principal",
            "assessed": "40.00",
            "waived": "0.00",
            "owed": "40.00",
            "paid": "40.00",
            "balance": "0.00",
        }
    ]
    # ...and the obligations list agrees
    listed = api(clerk).get(url(case, "obligations/")).json()["results"]
    assert {o["id"]: o["balance"] for o in listed} == {fee.pk: "0.00", victim.pk: "0.00"}


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"amount": "0", "method": "cash", "payer": "J"}, 422, "AMOUNT_NOT_POSITIVE", "amount"),
        ({"amount": "-5", "method": "cash", "payer": "J"}, 422, "AMOUNT_NOT_POSITIVE", "amount"),
        ({"amount": -5, "method": "cash", "payer": "J"}, 422, "AMOUNT_NOT_POSITIVE", "amount"),
        ({"amount": "1.001", "method": "cash", "payer": "J"}, 422, "AMOUNT_TOO_PRECISE", "amount"),
        ({"amount": 1.001, "method": "cash", "payer": "J"}, 422, "AMOUNT_TOO_PRECISE", "amount"),
        ({"amount": "abc", "method": "cash", "payer": "J"}, 422, "AMOUNT_INVALID", "amount"),
        ({"amount": "5.00", "method": "barter", "payer": "J"}, 422, "UNKNOWN_METHOD", "method"),
        ({"amount": "5.00", "method": "cash", "payer": ""}, 422, "PAYER_REQUIRED", "payer"),
        ({"amount": "5.00", "method": "check", "payer": "J"}, 422, "REFERENCE_REQUIRED", None),
        ({"method": "cash", "payer": "J"}, 400, "VALIDATION_ERROR", "amount"),
    ],
)
def test_bad_payments_are_refused_with_their_code_and_nothing_is_written(
    api, case, clerk, body, status, code, field
):
    # Given an obligation and an open drawer
    obligation(case, "fine", "100.00")
    open_drawer(clerk)
    before = written()

    # When a bad payment is posted (with an Idempotency-Key: even the key is not kept)
    response = api(clerk).post(
        url(case, "payments/"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    # Then it is refused with its code, and nothing is written
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    if field:
        assert field in response.json()["fields"]
    assert written() == before


def test_no_open_drawer_is_409_and_a_closed_one_too(api, case, clerk):
    obligation(case, "fine", "100.00")
    before = written()
    response = api(clerk).post(
        url(case, "payments/"), {"amount": "5.00", "method": "cash", "payer": "J"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "DRAWER_NOT_OPEN")

    drawer = open_drawer(clerk)
    drawer_close(drawer=drawer, counted_cash="100.00", counted_checks="0.00", by=clerk)
    response = api(clerk).post(
        url(case, "payments/"), {"amount": "5.00", "method": "cash", "payer": "J"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "DRAWER_NOT_OPEN")
    assert Payment.objects.count() == 0 and written()[0] == before[0]


def test_a_case_out_of_sight_is_404_on_every_money_surface(
    api, make_case, clerk, clerk_b, supervisor
):
    # Given a sealed case with a payment, and a clerk of another court
    case = make_case()
    obligation(case, "fine", "100.00")
    p = payment(case, "10.00", clerk=clerk)
    case_confidentiality_set(
        case=case, confidentiality="sealed", reason="Order of 2026-01-05.", actor=supervisor
    )
    open_drawer(clerk_b)
    outsider = api(clerk_b)

    # Then every surface answers 404, and the POSTs write nothing
    before = written()
    for path in ("obligations/", "payments/", "balance/"):
        assert outsider.get(url(case, path)).status_code == 404
    assert outsider.get(f"/api/v1/payments/{p.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/receipts/{p.receipt.number}/").status_code == 404
    assert outsider.post(f"/api/v1/payments/{p.pk}/void/", {"reason": "x"}).status_code == 404
    post = outsider.post(
        url(case, "payments/"), {"amount": "5.00", "method": "cash", "payer": "J"}, format="json"
    )
    assert post.status_code == 404
    post = outsider.post(url(case, "obligations/"), {"kind": "fine", "amount": "5.00"})
    assert post.status_code == 404
    assert written() == before


def test_the_public_and_an_attorney_not_of_record_see_no_money(
    api, case, clerk, make_user, court_a
):
    obligation(case, "fine", "100.00")
    p = payment(case, "10.00", clerk=clerk)
    stranger = make_user(Role.ATTORNEY, [court_a], username="attorney_x")

    for client in (api(), api(stranger)):
        statuses = {
            client.get(url(case, "balance/")).status_code,
            client.get(url(case, "payments/")).status_code,
            client.get(f"/api/v1/receipts/{p.receipt.number}/").status_code,
        }
        assert statuses <= {401, 403}


def test_a_retry_with_the_same_key_replays_the_first_answer(api, case, clerk):
    # Given an obligation and an open drawer
    obligation(case, "fine", "100.00")
    open_drawer(clerk)
    client = api(clerk)
    body = {"amount": "25.00", "method": "cash", "payer": "John Doe"}

    # When the same request is sent twice with one key
    first = client.post(url(case, "payments/"), body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post(url(case, "payments/"), body, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    # Then the retry gets the first answer, and one payment was posted
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    assert case_balance(case).paid == D("25.00")

    # When the key comes back with another body
    other = client.post(
        url(case, "payments/"),
        {**body, "amount": "30.00"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )

    # Then 422, and nothing more is written
    assert (other.status_code, other.json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert Payment.objects.count() == 1


def test_keys_belong_to_their_user(api, case, clerk, second_clerk):
    obligation(case, "fine", "100.00")
    open_drawer(clerk)
    open_drawer(second_clerk)
    body = {"amount": "5.00", "method": "cash", "payer": "J"}
    a = api(clerk).post(url(case, "payments/"), body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = api(second_clerk).post(
        url(case, "payments/"), body, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_obligations_are_assessed_through_the_api(api, case, clerk):
    response = api(clerk).post(
        url(case, "obligations/"),
        {
            "kind": "restitution",
            "amount": "1250.00",
            "description": "Restitution to the victim",
            "payee_class": "insurer",
            "payee_name": "Gulf Mutual Insurance",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["amount"], body["balance"], body["source"]) == (
        "restitution",
        "1250.00",
        "1250.00",
        "order",
    )
    assert body["payee"]["payee_class"] == "insurer"
    assert AuditEvent.objects.filter(action="obligation.create", actor=clerk).exists()

    before = written()
    refused = api(clerk).post(
        url(case, "obligations/"), {"kind": "restitution", "amount": "10.00"}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "PAYEE_REQUIRED")
    assert written() == before


def test_an_attorney_of_record_reads_but_does_not_assess(api, make_case, clerk, attorney):
    from cases.services import AppearanceInput

    case = make_case(appearances=[AppearanceInput(attorney=attorney, party_index=0)])
    obligation(case, "fine", "100.00")
    client = api(attorney)
    assert client.get(url(case, "balance/")).status_code == 200
    response = client.post(url(case, "obligations/"), {"kind": "fine", "amount": "5.00"})
    assert response.status_code == 403


def test_a_supervisor_voids_through_the_api_and_the_receipt_says_so(api, case, clerk, supervisor):
    obligation(case, "fine", "100.00")
    p = payment(case, "40.00", clerk=clerk)

    refused = api(clerk).post(f"/api/v1/payments/{p.pk}/void/", {"reason": "x"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "VOID_NOT_ALLOWED")
    no_reason = api(supervisor).post(
        f"/api/v1/payments/{p.pk}/void/", {"reason": ""}, format="json"
    )
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "VOID_REASON_REQUIRED")

    response = api(supervisor).post(
        f"/api/v1/payments/{p.pk}/void/", {"reason": "Wrong case"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["voided"] is True
    assert response.json()["void"]["reason"] == "Wrong case"

    again = api(supervisor).post(
        f"/api/v1/payments/{p.pk}/void/", {"reason": "Again"}, format="json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "PAYMENT_ALREADY_VOIDED")

    receipt = api(clerk).get(f"/api/v1/receipts/{p.receipt.number}/")
    assert receipt.status_code == 200
    body = receipt.json()
    assert (body["number"], body["amount"], body["voided"], body["payment"]) == (
        p.receipt.number,
        "40.00",
        True,
        p.pk,
    )
    assert body["case"] == case.number and body["court"]["code"] == case.court.code
    assert body["allocations"][0]["amount"] == "40.00"
    assert api(clerk).get(url(case, "balance/")).json()["balance"] == "100.00"


def test_payments_are_listed_newest_first_and_read_one_by_one(api, case, clerk):
    obligation(case, "fine", "100.00")
    first = payment(case, "10.00", clerk=clerk)
    second = payment(case, "20.00", clerk=clerk, method="check", reference="5512")

    listed = api(clerk).get(url(case, "payments/"), {"page_size": 1})
    assert listed.status_code == 200
    body = listed.json()
    assert (body["count"], [p["id"] for p in body["results"]]) == (2, [second.pk])
    assert body["results"][0]["reference"] == "5512"

    one = api(clerk).get(f"/api/v1/payments/{first.pk}/")
    assert one.status_code == 200
    assert (one.json()["receipt"], one.json()["amount"]) == (first.receipt.number, "10.00")
