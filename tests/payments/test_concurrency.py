"""200 payments from 8 parallel connections, each request sent twice with its
Idempotency-Key (some retries at the same moment as the original), through the API.

Issue 7, done when: "no payment is recorded twice, the ledger balances to the cent
(debits = credits), receipt numbers are gap-free, and each case's balance equals
obligations minus allocations". And "two clerks posting to the same case at once
serialize on the case's obligations and the result equals some serial order": replaying
each case's payments through the pure allocation engine, in the order of their receipt
numbers, gives exactly the allocations the ledger holds.
"""

from __future__ import annotations

import queue
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from rest_framework.test import APIClient

from casemgmt.core.errors import DomainError
from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from payments.allocation import DEFAULT_POLICY, OwedItem, allocate
from payments.models import (
    Account,
    CashDrawer,
    IdempotencyRecord,
    LedgerEntry,
    Obligation,
    Payment,
    Receipt,
)
from payments.selectors import (
    case_balance,
    drawer_expected,
    ledger_total,
    ledger_unbalanced_transactions,
    payment_details,
)
from payments.services import drawer_close, payment_post

from .factories import obligation, open_drawer, restitution

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
PAYMENTS = 200
THREADS = 8
CASES = 10


def assess(case) -> None:
    """Every kind the statute orders, with victims of two classes and uneven cents."""
    obligation(case, "special_assessment", "100.00")
    restitution(case, "333.33", payee_name="Ann Roe")
    restitution(case, "166.67", payee_name="Bea Poe")
    restitution(case, "250.00", payee_class="government", payee_name="State of Florida")
    obligation(case, "fine", "500.00")
    obligation(case, "fee", "75.00")


def test_two_hundred_payments_from_eight_connections_with_retries(make_case, make_user, court_a):
    # Given 10 cases owing 1,425.00 each, and 8 clerks with open drawers and API tokens
    rng = random.Random(7)
    cases = [make_case() for _ in range(CASES)]
    for case in cases:
        assess(case)
    clerks = [make_user(Role.CLERK, [court_a], username=f"cashier{i}") for i in range(THREADS)]
    tokens = {}
    for clerk in clerks:
        open_drawer(clerk, court_a, opening_float="0.00")
        tokens[clerk.pk] = api_token_create(user=clerk, name="load")[1]
    # ...and 200 payment requests (uneven cents, four methods), each sent twice
    methods = ["cash", "check", "card", "money_order"]
    requests = []
    for i in range(PAYMENTS):
        method = methods[i % 4]
        requests.append(
            {
                "key": str(uuid.UUID(int=rng.getrandbits(128))),
                "user": clerks[i % THREADS].pk,
                "case": rng.choice(cases),
                "body": {
                    "amount": f"{rng.randint(500, 12000) / 100:.2f}",
                    "method": method,
                    "payer": f"Payer {i}",
                    "reference": f"REF-{i}" if method != "cash" else "",
                },
            }
        )
    sends = []
    for request in requests:
        if rng.random() < 0.3:
            sends.append([request, request])  # the retry races the original
        else:
            sends.append([request])
    rng.shuffle(sends)
    work: queue.Queue = queue.Queue()
    for group in sends:
        for request in group:
            work.put(request)
    late = [r for group in sends if len(group) == 1 for r in group]
    rng.shuffle(late)
    for request in late:  # ...the other retries come later, from any connection
        work.put(request)
    assert work.qsize() == 2 * PAYMENTS

    answers: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def cashier() -> None:
        clients = {}
        try:
            start.wait(timeout=60)
            while True:
                try:
                    request = work.get_nowait()
                except queue.Empty:
                    return
                client = clients.get(request["user"])
                if client is None:
                    client = clients[request["user"]] = APIClient()
                    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[request['user']]}")
                response = client.post(
                    f"/api/v1/cases/{request['case'].number}/payments/",
                    request["body"],
                    format="json",
                    HTTP_IDEMPOTENCY_KEY=request["key"],
                )
                with lock:
                    answers[request["key"]].append((response.status_code, response.json()))
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    # When 8 connections post them all at once
    threads = [threading.Thread(target=cashier) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads)
    assert failures == []

    # Then every request was answered 201, and a retry got the first answer
    assert len(answers) == PAYMENTS
    for key, pair in answers.items():
        assert [status for status, _ in pair] == [201, 201], (key, pair)
        assert pair[0][1] == pair[1][1]
    # ...no payment was recorded twice
    assert Payment.objects.count() == PAYMENTS
    assert IdempotencyRecord.objects.count() == PAYMENTS
    assert len({body["id"] for pair in answers.values() for _, body in pair}) == PAYMENTS
    # ...the ledger balances to the cent: debits = credits, every transaction on its own
    assert ledger_total() == 0
    assert ledger_unbalanced_transactions() == []
    # ...receipt numbers are gap-free, 1..N
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, PAYMENTS + 1))
    # ...what the drawers expect is what was taken
    taken = Payment.objects.aggregate(s=Sum("amount"))["s"]
    assert sum(drawer_expected(d).collected for d in open_drawers(clerks)) == taken
    assert taken == sum(D(r["body"]["amount"]) for r in requests)

    for case in cases:
        # ...each case's balance equals its obligations minus the allocations
        balance = case_balance(case)
        ordered = Obligation.objects.filter(case=case).aggregate(s=Sum("amount"))["s"]
        allocated = -(
            LedgerEntry.objects.filter(
                case=case, account=Account.RECEIVABLE, transaction__kind="allocation"
            ).aggregate(s=Sum("amount"))["s"]
            or 0
        )
        assert balance.balance == ordered - allocated
        paid_in = Payment.objects.filter(case=case).aggregate(s=Sum("amount"))["s"] or 0
        assert balance.paid + balance.credit == paid_in
        # ...and equals the result of some serial order: the receipt order
        assert_serial(case)


def open_drawers(clerks):
    return CashDrawer.objects.filter(clerk__in=clerks)


def assert_serial(case) -> None:
    """Replay the case's payments, in receipt order, through the pure engine: the ledger
    holds exactly what a serial run would have allocated."""
    obligations = list(Obligation.objects.filter(case=case).order_by("pk"))
    owed = [
        OwedItem(
            obligation_id=o.pk,
            kind=o.kind,
            component="principal",
            balance=o.amount,
            ordered_on=o.ordered_on,
            payee_class=o.payee_class,
            priority=o.payee_priority,
        )
        for o in obligations
    ]
    payments = list(Payment.objects.filter(case=case).order_by("receipt__sequence"))
    details = payment_details(payments)
    for p in payments:
        result = allocate(p.amount, owed, DEFAULT_POLICY)
        expected = sorted((a.obligation_id, a.component, a.amount) for a in result.allocations)
        recorded = sorted(
            (a.obligation_id, a.component, a.amount) for a in details[p.pk].allocations
        )
        assert recorded == expected, (case.number, p.receipt.number)
        assert details[p.pk].credit == result.credit
        paid = {(a.obligation_id, a.component): a.amount for a in result.allocations}
        left = [(o, o.balance - paid.get((o.obligation_id, o.component), 0)) for o in owed]
        owed = [replace(o, balance=rest) for o, rest in left if rest > 0]


def run_together(*actions) -> list:
    """Run each action in its own thread and connection, released at the same moment."""
    start = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(i, action) -> None:
        try:
            start.wait(timeout=30)
            results[i] = action()
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_a_payment_racing_the_first_obligation_ends_as_a_serial_order_would(
    make_case, clerk, second_clerk
):
    # Given a case that owes nothing yet, repeated to catch both orders
    for _ in range(5):
        case = make_case()
        drawer = open_drawer(clerk)

        # When a 100.00 payment and a 60.00 fine arrive at the same moment
        results = run_together(
            lambda case=case, drawer=drawer: payment_post(
                case=case,
                amount="100.00",
                method="cash",
                payer_name="John Doe",
                drawer=drawer,
                posted_by=clerk,
            ),
            lambda case=case: obligation(case, "fine", "60.00", created_by=second_clerk),
        )

        # Then, whichever came first, the fine is paid and 40.00 is held as credit
        assert not [r for r in results if isinstance(r, BaseException)], results
        balance = case_balance(case)
        assert (balance.balance, balance.paid, balance.credit) == (
            D("0.00"),
            D("60.00"),
            D("40.00"),
        )
    assert ledger_total() == 0


def test_a_close_out_racing_payments_counts_exactly_the_payments_it_holds(case, clerk):
    # Given the clerk's drawer (float 100.00) and a fine
    obligation(case, "fine", "5000.00")
    drawer = open_drawer(clerk)

    def pay_until_closed() -> int:
        posted = 0
        for _ in range(40):
            try:
                payment_post(
                    case=case,
                    amount="1.00",
                    method="cash",
                    payer_name="John Doe",
                    drawer=drawer,
                    posted_by=clerk,
                )
                posted += 1
            except DomainError as refused:
                assert refused.code == "DRAWER_CLOSED"
                break
        return posted

    def close():
        time.sleep(0.05)  # a few payments first
        return drawer_close(
            drawer=drawer, counted_cash="100.00", counted_checks="0", note="Count", by=clerk
        )

    # When payments keep coming while the drawer is counted
    posted, closeout = run_together(pay_until_closed, close)

    # Then the close-out expected every payment the drawer took, and nothing came after
    assert not isinstance(closeout, BaseException), closeout
    assert 0 < posted < 40  # the count came while payments were arriving
    assert Payment.objects.filter(drawer=drawer).count() == posted
    assert closeout.expected_cash == D("100.00") + posted
    assert ledger_total() == 0
