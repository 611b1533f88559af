"""Benchmark: payments posted per second by 8 concurrent clients, at 1M cases.

Builds its own scratch database (`casemgmt_bench_payments` by default, so it never drops
another benchmark's `casemgmt_bench`) with bench/scale.py, then gives the cases money,
set-wise in SQL, as years of the fee schedule and the counter would have:

* every civil, domestic, criminal and traffic case: its filing fee or court costs;
  half the criminal and traffic cases a fine; a quarter of the felonies restitution to
  an individual victim; each with its assessment transaction (2 ledger entries);
* 30% of those cases paid their fee years ago: a payment into an (approved) drawer, its
  receipt (numbered per court and year, the counters set after them), its payment and
  allocation transactions;

so the ledger holds several million entries. Then 8 client processes (8 connections),
each a clerk of court 1 with their own open drawer, post payments for DURATION seconds
to random cases of court 1 that owe money (cash 60%, check 25%, card 15%):

1. service: `payments.services.payment_post`, as the counter page calls it;
2. API: `POST /api/v1/cases/{number}/payments/` with an Idempotency-Key and a token,
   through Django's test client; 5% of the requests are sent twice with the same key
   (a client retry): the second answer is the first, replayed;
3. one case: all 8 clients on the same case (they serialize on its lock).

Every payment takes the court's next receipt number, so the court's receipt counter is
the one row every client waits for. After each scenario: payments per second, latency
p50/p95 per payment, and checks — the ledger sums to zero, receipt numbers of the year
are gap-free, no idempotency key recorded two payments.

    .venv/bin/python bench/payments.py --cases 1000000           # ~12 min on 2 cores
    .venv/bin/python bench/payments.py --reuse --duration 60     # measure again
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal

import _setup

CLIENTS = 8
DB_NAME = "casemgmt_bench_payments"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per scenario")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=DB_NAME, help="scratch database name")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    _setup.BENCH_DB = args.db
    cleanup = _setup.attach(args.keep) if args.reuse else _setup.configure(args.keep)
    try:
        if not args.reuse:
            from scale import generate

            generate(cases=args.cases, seed=args.seed)
            money_fill()
        run(clients=args.clients, duration=args.duration, seed=args.seed)
    finally:
        cleanup()


# --- money at scale (set-wise SQL) ------------------------------------------------------------

# Fee or costs per case type code (the demo fee schedule's amounts).
FEES = {
    "CA": ("fee", "400.00"),
    "DR": ("fee", "397.50"),
    "CR": ("cost", "225.00"),
    "MM": ("cost", "60.00"),
    "TR": ("cost", "60.00"),
}

MONEY_SQL = [
    # Obligations: fee / costs on every case of a type with one; fines; restitution.
    """
    INSERT INTO payments_obligation (case_id, court_id, kind, description, amount, ordered_on,
        payee_class, payee_name, payee_priority, accrues_interest, source, created_by_id,
        created_at)
    SELECT c.id, c.court_id, f.kind, f.descr, f.amount, c.filed_on, '', '', 0, false,
           'manual', c.opened_by_id, c.created_at
      FROM cases_case c
      JOIN cases_casetype t ON t.id = c.case_type_id
      JOIN (VALUES {fees}) AS f(code, kind, descr, amount) ON f.code = t.code
     ORDER BY c.id
    """,
    """
    INSERT INTO payments_obligation (case_id, court_id, kind, description, amount, ordered_on,
        payee_class, payee_name, payee_priority, accrues_interest, source, created_by_id,
        created_at)
    SELECT c.id, c.court_id, 'fine', 'Fine', 100 + (c.id % 10) * 50, c.filed_on, '', '', 0,
           false, 'order', c.opened_by_id, c.created_at
      FROM cases_case c JOIN cases_casetype t ON t.id = c.case_type_id
     WHERE t.code IN ('CR', 'MM', 'TR') AND c.id % 2 = 0
     ORDER BY c.id
    """,
    """
    INSERT INTO payments_obligation (case_id, court_id, kind, description, amount, ordered_on,
        payee_class, payee_name, payee_priority, accrues_interest, source, created_by_id,
        created_at)
    SELECT c.id, c.court_id, 'restitution', 'Restitution', 250 + (c.id % 7) * 100.25,
           c.filed_on, 'individual', 'Victim ' || c.id, 0, false, 'order', c.opened_by_id,
           c.created_at
      FROM cases_case c JOIN cases_casetype t ON t.id = c.case_type_id
     WHERE t.code = 'CR' AND c.id % 4 = 0
     ORDER BY c.id
    """,
    # Assessment transactions and their two entries.
    """
    INSERT INTO payments_ledgertransaction (court_id, case_id, kind, memo, obligation_id,
        posted_by_id, posted_at)
    SELECT o.court_id, o.case_id, 'assessment', o.description, o.id, o.created_by_id,
           o.created_at
      FROM payments_obligation o ORDER BY o.id
    """,
    """
    INSERT INTO payments_ledgerentry (transaction_id, account, amount, case_id, obligation_id,
        component, method)
    SELECT t.id, a.account, a.sign * o.amount, o.case_id, o.id, a.component, ''
      FROM payments_ledgertransaction t
      JOIN payments_obligation o ON o.id = t.obligation_id
     CROSS JOIN LATERAL (VALUES
        ('receivable', 1, 'principal'),
        (CASE WHEN o.kind = 'restitution' THEN 'payee_deferred' ELSE 'assessed' END, -1, '')
     ) AS a(account, sign, component)
     WHERE t.kind = 'assessment'
     ORDER BY t.id
    """,
    # One approved drawer per court for the old payments.
    """
    INSERT INTO payments_cashdrawer (court_id, clerk_id, opened_at, business_date,
        opening_float, status)
    SELECT ct.id, (SELECT min(m.user_id) FROM core_courtmembership m
                     JOIN core_user u ON u.id = m.user_id
                    WHERE m.court_id = ct.id AND u.role = 'clerk'),
           now() - interval '10 years', current_date - 3650, 0, 'approved'
      FROM core_court ct WHERE ct.code IN ('sarasota', 'denver')
    """,
    # 30% of the cases paid their fee / costs a month after filing (or yesterday).
    """
    INSERT INTO payments_payment (case_id, court_id, drawer_id, amount, method, reference,
        payer_name, received_at, posted_by_id)
    SELECT o.case_id, o.court_id, d.id, o.amount, 'cash', '', 'Payer',
           (LEAST(c.filed_on + 30, current_date - 1) + time '15:00') AT TIME ZONE ct.time_zone,
           d.clerk_id
      FROM payments_obligation o
      JOIN cases_case c ON c.id = o.case_id
      JOIN core_court ct ON ct.id = o.court_id
      JOIN payments_cashdrawer d ON d.court_id = o.court_id AND d.status = 'approved'
     WHERE o.source = 'manual' AND o.case_id % 10 < 3
     ORDER BY 8, o.case_id
    """,
    """
    INSERT INTO payments_receipt (payment_id, court_id, year, sequence, number, issued_at)
    SELECT id, court_id, year, seq, 'R' || year || '-' || lpad(seq::text, 6, '0'), received_at
      FROM (SELECT p.id, p.court_id, p.received_at, y.year,
                   row_number() OVER (PARTITION BY p.court_id, y.year
                                      ORDER BY p.received_at, p.id) AS seq
              FROM payments_payment p
              JOIN core_court ct ON ct.id = p.court_id
             CROSS JOIN LATERAL (
                   SELECT extract(year FROM p.received_at AT TIME ZONE ct.time_zone)::int AS year
                   ) y) r
     ORDER BY id
    """,
    """
    INSERT INTO payments_receiptsequence (court_id, year, last_number)
    SELECT court_id, year, max(sequence) FROM payments_receipt GROUP BY court_id, year
    """,
    """
    INSERT INTO payments_ledgertransaction (court_id, case_id, kind, memo, payment_id,
        posted_by_id, posted_at)
    SELECT p.court_id, p.case_id, k.kind, k.memo, p.id, p.posted_by_id, p.received_at
      FROM payments_payment p
     CROSS JOIN (VALUES ('payment', 'Cash from Payer'),
                        ('allocation', 'Allocation by the court''s priority')) AS k(kind, memo)
     ORDER BY p.id, k.kind DESC
    """,
    """
    INSERT INTO payments_ledgerentry (transaction_id, account, amount, case_id, obligation_id,
        component, drawer_id, method)
    SELECT t.id, 'drawer', p.amount, p.case_id, NULL::bigint, '', p.drawer_id, 'cash'
      FROM payments_ledgertransaction t JOIN payments_payment p ON p.id = t.payment_id
     WHERE t.kind = 'payment'
    UNION ALL
    SELECT t.id, 'unapplied', -p.amount, p.case_id, NULL, '', NULL::bigint, ''
      FROM payments_ledgertransaction t JOIN payments_payment p ON p.id = t.payment_id
     WHERE t.kind = 'payment'
    UNION ALL
    SELECT t.id, 'unapplied', p.amount, p.case_id, NULL, '', NULL, ''
      FROM payments_ledgertransaction t JOIN payments_payment p ON p.id = t.payment_id
     WHERE t.kind = 'allocation'
    UNION ALL
    SELECT t.id, 'receivable', -p.amount, p.case_id, o.id, 'principal', NULL, ''
      FROM payments_ledgertransaction t
      JOIN payments_payment p ON p.id = t.payment_id
      JOIN payments_obligation o ON o.case_id = p.case_id AND o.source = 'manual'
     WHERE t.kind = 'allocation'
    """,
]


def money_fill() -> None:
    """Obligations, assessments and old payments for the generated cases, in one
    transaction, every ledger transaction checked to balance before it commits."""
    from django.db import connection, transaction

    fees = ", ".join(
        f"('{code}', '{kind}', '{'Filing fee' if kind == 'fee' else 'Court costs'}', {amount})"
        for code, (kind, amount) in FEES.items()
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        # The load skips the per-row triggers (the deferred balance check and the foreign-key
        # checks: millions of single-row lookups at commit) and checks the same rules once,
        # set-wise, below. Needs a superuser, as a bulk load does.
        cur.execute("SET LOCAL session_replication_role = replica")
        for sql in MONEY_SQL:
            t = time.perf_counter()
            cur.execute(sql.replace("{fees}", fees))
            first = " ".join(sql.split()[:3])
            print(f"  {first:<40} {cur.rowcount:>10,} rows  {time.perf_counter() - t:6.1f} s")
        t = time.perf_counter()
        cur.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM payments_ledgerentry "
            "GROUP BY transaction_id HAVING sum(amount) <> 0) unbalanced"
        )
        unbalanced = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM payments_ledgertransaction t WHERE NOT EXISTS "
            "(SELECT 1 FROM payments_ledgerentry e WHERE e.transaction_id = t.id)"
        )
        empty = cur.fetchone()[0]
        assert unbalanced == empty == 0, f"{unbalanced} unbalanced, {empty} empty transactions"
        print(f"  every transaction balances (checked set-wise) {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cur:
        for table in (
            "payments_obligation",
            "payments_ledgertransaction",
            "payments_ledgerentry",
            "payments_payment",
            "payments_receipt",
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("SELECT count(*) FROM payments_ledgerentry")
        entries = cur.fetchone()[0]
    print(f"money: {entries:,} ledger entries in {time.perf_counter() - started:.1f} s")


# --- the clients ------------------------------------------------------------------------------

METHODS = ["cash"] * 12 + ["check"] * 5 + ["card"] * 3


def _client(index: int, mode: str, case_ids: list[int], deadline: float, start: float, out):
    """One client process: post payments until `deadline`; send back latencies and counts."""
    from django.db import connection
    from django.test import Client

    from casemgmt.core.models import User
    from cases.models import Case
    from payments.selectors import drawer_open_for
    from payments.services import payment_post

    rng = random.Random(index)
    clerk = User.objects.get(pk=out["clerks"][index])
    court_id = out["court_id"]
    drawer = None
    client = None
    if mode == "api":
        client = Client(HTTP_AUTHORIZATION=f"Token {out['tokens'][index]}")
    else:
        from casemgmt.core.models import Court

        drawer = drawer_open_for(clerk=clerk, court=Court.objects.get(pk=court_id))
    numbers = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number"))
    # Warm up before the clock starts (URL resolvers, serializers, first plans): a read of
    # what a case owes, through the same path the posts take.
    if mode == "api":
        client.get(f"/api/v1/cases/{numbers[case_ids[0]]}/balance/?court=sarasota")
    else:
        from payments.selectors import case_balance

        case_balance(Case.objects.get(pk=case_ids[0]))
    while time.time() < start:
        time.sleep(0.001)
    latencies, posted, replayed, refused = [], 0, 0, 0
    while time.time() < deadline:
        case_id = rng.choice(case_ids)
        amount = Decimal(rng.randrange(500, 12000)) / 100
        method = rng.choice(METHODS)
        reference = f"{rng.randrange(1000, 99999)}" if method != "cash" else ""
        t = time.perf_counter()
        if mode == "api":
            key = str(uuid.uuid4())
            body = {
                "amount": str(amount),
                "method": method,
                "payer": "Bench Payer",
                "reference": reference,
            }
            url = f"/api/v1/cases/{numbers[case_id]}/payments/?court=sarasota"
            response = client.post(
                url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
            )
            ok = response.status_code == 201
            if ok and rng.random() < 0.05:  # the client did not hear the answer: retries
                again = client.post(
                    url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
                )
                replayed += again.headers.get("Idempotent-Replayed") == "true"
                assert again.json()["id"] == response.json()["id"], "a retry posted twice"
        else:
            case = Case.objects.select_related("court").get(pk=case_id)
            payment_post(
                case=case,
                amount=amount,
                method=method,
                payer_name="Bench Payer",
                reference=reference,
                drawer=drawer,
                posted_by=clerk,
            )
            ok = True
        latencies.append((time.perf_counter() - t) * 1000)
        posted += ok
        refused += not ok
    connection.close()
    return {"latencies": latencies, "posted": posted, "replayed": replayed, "refused": refused}


def _worker(args):
    index, mode, case_ids, deadline, start, shared = args
    return _client(index, mode, case_ids, deadline, start, shared)


def scenario(
    label: str, mode: str, case_ids: list[int], shared: dict, *, clients: int, duration: float
) -> dict:
    from django.db import connections

    from payments.models import Payment

    before = Payment.objects.count()
    connections.close_all()  # the children open their own
    start = time.time() + 5.0  # every client connected, warmed up and waiting
    deadline = start + duration
    ctx = mp.get_context("fork")
    with ctx.Pool(clients) as pool:
        results = pool.map(
            _worker, [(i, mode, case_ids, deadline, start, shared) for i in range(clients)]
        )
    elapsed = max(time.time(), deadline) - start
    latencies = sorted(x for r in results for x in r["latencies"])
    posted = sum(r["posted"] for r in results)
    recorded = Payment.objects.count() - before
    p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)] if latencies else 0
    result = {
        "label": label,
        "posted": posted,
        "per_s": posted / elapsed,
        "p50_ms": statistics.median(latencies) if latencies else 0,
        "p95_ms": p95,
        "replayed": sum(r["replayed"] for r in results),
        "refused": sum(r["refused"] for r in results),
        "recorded": recorded,
    }
    print(
        f"{label:<44} {posted:>6} payments in {elapsed:5.1f} s = {result['per_s']:7.1f}/s   "
        f"p50 {result['p50_ms']:6.1f} ms  p95 {p95:6.1f} ms"
        + (f"   retries replayed {result['replayed']}" if mode == "api" else "")
    )
    assert recorded == posted, f"{recorded} payments recorded for {posted} posted"
    return result


def checks(court_id: int) -> dict:
    """The ledger sums to zero; this year's receipts are gap-free; keys record once."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(amount), 0) FROM payments_ledgerentry")
        ledger = cur.fetchone()[0]
        cur.execute(
            """
            SELECT r.year, count(*), max(r.sequence), s.last_number
              FROM payments_receipt r
              JOIN payments_receiptsequence s ON s.court_id = r.court_id AND s.year = r.year
             WHERE r.court_id = %s AND r.year = (SELECT max(year) FROM payments_receipt
                                                  WHERE court_id = %s)
             GROUP BY r.year, s.last_number
            """,
            [court_id, court_id],
        )
        year, count, top, last = cur.fetchone()
        cur.execute(
            "SELECT count(*) FROM payments_idempotencyrecord i "
            "WHERE i.scope = 'payment_post' AND i.response_status = 201"
        )
        keys = cur.fetchone()[0]
    ok = ledger == 0 and count == top == last
    print(
        f"checks: ledger total {ledger} (debits = credits); receipts {year}: {count:,} numbers, "
        f"highest {top:,}, counter {last:,} ({'gap-free' if count == top == last else 'GAPS'}); "
        f"{keys:,} idempotency keys recorded"
    )
    assert ok, "a check failed"
    return {"ledger": ledger, "receipts": count, "keys": keys}


def run(*, clients: int, duration: float, seed: int) -> list[dict]:
    from django.db import connection

    from casemgmt.core.models import Court, User
    from casemgmt.core.services import api_token_create
    from cases.models import Case
    from payments.models import CashDrawer, DrawerStatus
    from payments.services import drawer_open

    court = Court.objects.get(code="sarasota")
    clerks = list(
        User.objects.filter(role="clerk", memberships__court=court, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:clients]
    )
    assert len(clerks) == clients, f"{clients} clerks needed, court 1 has {len(clerks)}"
    tokens = []
    for pk in clerks:
        clerk = User.objects.get(pk=pk)
        if not CashDrawer.objects.filter(court=court, clerk=clerk, status=DrawerStatus.OPEN):
            drawer_open(court=court, clerk=clerk, opening_float=Decimal("200.00"))
        tokens.append(api_token_create(user=clerk, name="bench")[1])
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cur.execute(
            """
            SELECT c.id FROM cases_case c
             WHERE c.court_id = %s AND c.confidentiality <> 'sealed'
               AND EXISTS (SELECT 1 FROM payments_obligation o WHERE o.case_id = c.id)
             ORDER BY random() LIMIT 20000
            """,
            [court.pk],
        )
        case_ids = [r[0] for r in cur.fetchall()]
    total = Case.objects.count()
    shared = {"clerks": clerks, "tokens": tokens, "court_id": court.pk}
    print(
        f"\n{total:,} cases; {clients} clients (processes, one connection each), clerks of "
        f"court 1 ({court.code}) with open drawers; {len(case_ids):,} cases that owe; "
        f"{duration:.0f} s per scenario; load average {_load()}"
    )
    results = [
        scenario(
            "service: payment_post, random cases",
            "service",
            case_ids,
            shared,
            clients=clients,
            duration=duration,
        ),
        scenario(
            "API: POST payments/ + Idempotency-Key",
            "api",
            case_ids,
            shared,
            clients=clients,
            duration=duration,
        ),
        scenario(
            "service: all clients on one case",
            "service",
            case_ids[:1],
            shared,
            clients=clients,
            duration=max(duration / 2, 5),
        ),
    ]
    checks(court.pk)
    print(f"load average now {_load()}")
    return results


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    sys.exit(main())
