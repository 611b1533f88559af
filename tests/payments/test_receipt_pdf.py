"""Printed receipts (issue 7, item 3): the PDF shows date, case number, payer, amount, method,
allocation, clerk, court and the receipt number; the first print is the original, every
later one is marked REPRINT; each print is recorded and audited; a receipt is as visible as
its case. The PDFs are real (WeasyPrint) and read back with pypdf.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection
from pypdf import PdfReader

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.services import AppearanceInput
from payments.models import ReceiptPrint
from payments.receipts import receipt_facts, receipt_print
from payments.services import payment_void
from tests.cases.factories import open_case
from tests.payments.factories import obligation, payment, restitution


def pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed (table cells wrap)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_url(receipt) -> str:
    return f"/payments/receipts/{receipt.number}.pdf"


def test_the_first_print_is_the_original_with_every_fact_of_the_receipt(client, clerk, case):
    # given a payment that pays the restitution in full and part of the fine
    # (18 U.S.C. 3612(c): restitution before fines)
    obligation(case, "fine", "30.00", description="Fine, count 1")
    restitution(case, "90.00", payee_name="Ann Roe", description="Restitution, count 1")
    taken = payment(case, "100.50", clerk=clerk, payer_name="John Doe")
    client.force_login(clerk)

    # when the clerk prints it
    response = client.get(pdf_url(taken.receipt))

    # then a one-page PDF, inline, with the receipt's facts and its allocation
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = pdf_text(response.content)
    for fact in (
        taken.receipt.number,
        case.number,
        "John Doe",
        "$100.50",
        "Cash",
        "Alpha County Court",
        "Restitution, count 1",
        "$90.00",
        "Fine, count 1",
        "$10.50",
        clerk.get_full_name(),
    ):
        assert fact in text, fact
    assert "REPRINT" not in text
    # restitution is to an individual victim: the receipt names the class, not the victim
    assert "Individual victim" in text and "Ann Roe" not in text
    first = ReceiptPrint.objects.get()
    assert first.is_reprint is False and first.printed_by == clerk
    assert AuditEvent.objects.filter(action="receipt.print", case_id=case.pk).count() == 1


def test_every_later_print_is_marked_reprint_and_audited(client, clerk, supervisor, case):
    obligation(case, "fine", "100.00")
    taken = payment(case, "20.00", clerk=clerk)
    client.force_login(clerk)
    original = client.get(pdf_url(taken.receipt))

    second = client.get(pdf_url(taken.receipt))
    client.force_login(supervisor)
    third = client.get(pdf_url(taken.receipt))

    assert "REPRINT" not in pdf_text(original.content)
    for reprint in (second, third):
        text = pdf_text(reprint.content)
        assert "REPRINT" in text and taken.receipt.number in text and "$20.00" in text
        assert "-reprint.pdf" in reprint["Content-Disposition"]
    assert "Reprinted" in pdf_text(third.content) and supervisor.get_full_name() in pdf_text(
        third.content
    )
    prints = list(ReceiptPrint.objects.order_by("pk").values_list("is_reprint", flat=True))
    assert prints == [False, True, True]
    assert AuditEvent.objects.filter(action="receipt.reprint").count() == 2


def test_an_overpayment_prints_the_credit_held(client, clerk, case):
    obligation(case, "fee", "30.00", description="Filing fee")
    taken = payment(case, "50.00", clerk=clerk)
    client.force_login(clerk)

    text = pdf_text(client.get(pdf_url(taken.receipt)).content)

    assert "Held as a credit on the case" in text and "$20.00" in text


def test_later_credit_spending_does_not_change_the_receipt(clerk, case):
    # given an overpayment: 20.00 held as credit
    obligation(case, "fee", "30.00")
    taken = payment(case, "50.00", clerk=clerk)
    before = receipt_facts(taken.receipt)

    # when a new obligation comes, the credit is spent on it (ledgered as this payment's)
    obligation(case, "fine", "100.00")

    # then the receipt still shows what happened at the counter
    after = receipt_facts(taken.receipt)
    assert [(x.obligation_id, x.applied) for x in after.lines] == [
        (x.obligation_id, x.applied) for x in before.lines
    ]
    assert after.credit_held == before.credit_held


def test_a_voided_payment_prints_void_with_its_reason(client, clerk, supervisor, case):
    obligation(case, "fine", "100.00")
    taken = payment(case, "20.00", clerk=clerk)
    payment_void(payment=taken, reason="Check returned by the bank", by=supervisor)
    client.force_login(clerk)

    text = pdf_text(client.get(pdf_url(taken.receipt)).content)

    assert "VOID" in text and "Check returned by the bank" in text
    assert taken.receipt.number in text


def test_a_receipt_is_as_visible_as_its_case(client, clerk, make_user, court_b, cr_type, attorney):
    sealed = open_case(case_type=cr_type, opened_by=clerk, confidentiality="sealed")
    public = open_case(case_type=cr_type, opened_by=clerk)
    hidden = payment(sealed, "5.00", clerk=clerk).receipt
    shown = payment(public, "5.00", clerk=clerk).receipt
    outsider = make_user(Role.CLERK, [court_b])

    client.force_login(outsider)
    assert client.get(pdf_url(hidden)).status_code == 404  # out of sight: like missing
    assert client.get("/payments/receipts/R2026-999999.pdf").status_code == 404
    assert client.get(pdf_url(shown)).status_code == 403  # in sight, money not shown
    client.force_login(attorney)  # not of record
    assert client.get(pdf_url(shown)).status_code == 403
    client.logout()
    assert client.get(pdf_url(shown)).status_code == 403
    assert not ReceiptPrint.objects.exists()  # nothing printed for any of them


def test_only_the_clerks_office_prints_others_who_may_read_use_the_page(
    client, api, clerk, attorney, make_user, court_a, cr_type
):
    # given an attorney of record and the judge: they may read the case's money
    case = open_case(
        case_type=cr_type,
        opened_by=clerk,
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )
    obligation(case, "fine", "100.00")
    receipt = payment(case, "10.00", clerk=clerk).receipt
    judge = make_user(Role.JUDGE, [court_a])

    for reader in (attorney, judge):
        client.force_login(reader)
        page = client.get(f"/payments/receipts/{receipt.number}/")
        pdf = client.get(pdf_url(receipt))
        assert page.status_code == 200 and "print-receipt" not in page.content.decode()
        assert pdf.status_code == 403
    refused = api(attorney).get(f"/api/v1/receipts/{receipt.number}.pdf")

    assert refused.status_code == 403 and refused.json()["code"] == "RECEIPT_PRINT_NOT_ALLOWED"
    assert not ReceiptPrint.objects.exists()  # the payer's original is still to be printed
    assert AuditEvent.objects.filter(action="access.denied").count() == 2


def test_the_api_prints_the_receipt_too(api, clerk, make_user, court_b, case):
    obligation(case, "fine", "100.00")
    taken = payment(case, "12.34", clerk=clerk)
    url = f"/api/v1/receipts/{taken.receipt.number}.pdf"

    first = api(clerk).get(url, HTTP_ACCEPT="application/pdf")
    again = api(clerk).get(url)
    outsider = api(make_user(Role.CLERK, [court_b])).get(url, HTTP_ACCEPT="application/pdf")
    anonymous = api().get(url)

    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "REPRINT" not in pdf_text(first.content) and "$12.34" in pdf_text(first.content)
    assert "REPRINT" in pdf_text(again.content)
    assert outsider.status_code == 403 and outsider.json()["code"]  # errors stay JSON
    assert anonymous.status_code in (401, 403)
    assert ReceiptPrint.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clerks_printing_at_once_get_one_original(court_a, clerk, make_user, cr_type):
    case = open_case(case_type=cr_type, opened_by=clerk)
    obligation(case, "fine", "100.00")
    receipt = payment(case, "10.00", clerk=clerk).receipt
    other = make_user(Role.CLERK, [court_a])
    start = threading.Barrier(2)
    errors = []

    def print_as(user):
        try:
            start.wait(timeout=10)
            receipt_print(receipt=receipt, by=user)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=print_as, args=(u,)) for u in (clerk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert not errors
    assert sorted(ReceiptPrint.objects.values_list("is_reprint", flat=True)) == [False, True]
