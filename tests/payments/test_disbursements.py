"""Disbursement runs (issue 7, item 8): restitution collected is paid out to its payees.

The rules:
- a run pays each restitution obligation whose collected-and-not-yet-paid balance
  (payee_payable in the ledger) is at least the court's minimum
  (PaymentSettings.disbursement_minimum, default 5.00); smaller balances accumulate and are
  paid by a later run once they reach it;
- each payout is ledgered: Dr payee_payable(obligation)  Cr disbursed (payments.models);
- a run executes once, however often its task is delivered;
- the remittance report's total is what the ledger says the run paid.
"""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal

import pytest

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from payments.disbursements import (
    disbursement_ledger_total,
    disbursement_preview,
    disbursement_remittance,
    disbursement_run_create,
    disbursement_run_execute,
    remittance_csv,
)
from payments.models import (
    Disbursement,
    DisbursementRun,
    LedgerTransaction,
    PaymentSettings,
    TransactionKind,
)
from payments.selectors import ledger_total, ledger_unbalanced_transactions, payee_balances
from tests.payments.factories import obligation, payment, restitution

D = Decimal


def run_now(court, supervisor) -> DisbursementRun:
    """Create a run and execute it here (the worker's part), as the task would."""
    run = disbursement_run_create(court=court, by=supervisor)
    return disbursement_run_execute(run_id=run.pk)


def payable(case) -> dict[str, Decimal]:
    return {b.obligation.payee_name: b.payable for b in payee_balances(case=case)}


@pytest.fixture
def victims(case, clerk):
    """Restitution to two individual victims (60 / 40) and a government agency."""
    return {
        "ann": restitution(case, "600.00", payee_name="Ann Roe"),
        "bob": restitution(case, "400.00", payee_name="Bob Poe"),
        "agency": restitution(
            case, "500.00", payee_class="government", payee_name="Crime Victims Fund"
        ),
    }


@pytest.mark.django_db
def test_payees_at_or_above_the_minimum_are_paid(case, clerk, supervisor, victims):
    # given 100.00 paid: individual victims first, pro rata 60/40 (18 U.S.C. 3664(i))
    payment(case, "100.00", clerk=clerk)
    assert payable(case) == {"Ann Roe": D("60.00"), "Bob Poe": D("40.00")}
    # when a supervisor runs a disbursement
    run = run_now(case.court, supervisor)
    # then both victims are paid what was collected for them, and the run is done
    items = {i.obligation.payee_name: i.amount for i in run.items.select_related("obligation")}
    assert items == {"Ann Roe": D("60.00"), "Bob Poe": D("40.00")}
    assert run.status == "done"
    assert (run.payees_done, run.payees_total, run.amount_total) == (2, 2, D("100.00"))
    assert payable(case) == {"Ann Roe": D("0.00"), "Bob Poe": D("0.00")}
    # and each payout is a balanced DISBURSEMENT transaction
    txns = LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT)
    assert txns.count() == 2
    assert ledger_unbalanced_transactions() == []
    assert ledger_total() == D("0.00")
    assert AuditEvent.objects.filter(action="disbursement_run.create", object_id=str(run.pk))
    assert AuditEvent.objects.filter(action="disbursement_run.finish", object_id=str(run.pk))


@pytest.mark.django_db
def test_tiny_amounts_accumulate_until_a_later_run(case, clerk, supervisor, court_a):
    # given a court minimum of 5.00 and restitution to one victim
    PaymentSettings.objects.create(court=court_a, disbursement_minimum=D("5.00"))
    restitution(case, "100.00", payee_name="Ann Roe")
    # when 3.00 is collected and a run goes
    payment(case, "3.00", clerk=clerk)
    first = run_now(court_a, supervisor)
    # then nothing is paid: 3.00 waits
    assert first.items.count() == 0 and first.amount_total == D("0.00")
    assert payable(case) == {"Ann Roe": D("3.00")}
    preview = disbursement_preview(court=court_a)
    assert (preview.payees, preview.waiting_payees, preview.waiting_amount) == (0, 1, D("3.00"))
    # when another 2.00 is collected, the balance reaches the minimum exactly
    payment(case, "2.00", clerk=clerk)
    second = run_now(court_a, supervisor)
    # then the later run pays all 5.00
    assert [i.amount for i in second.items.all()] == [D("5.00")]
    assert payable(case) == {"Ann Roe": D("0.00")}


@pytest.mark.parametrize(
    ("minimum", "collected", "paid"),
    [
        ("5.00", "4.99", False),
        ("5.00", "5.00", True),
        ("0.00", "0.01", True),  # a minimum of zero still never pays out nothing
        ("25.00", "24.99", False),
    ],
)
@pytest.mark.django_db
def test_minimum_is_inclusive(case, clerk, supervisor, court_a, minimum, collected, paid):
    PaymentSettings.objects.create(court=court_a, disbursement_minimum=D(minimum))
    restitution(case, "100.00", payee_name="Ann Roe")
    payment(case, collected, clerk=clerk)
    run = run_now(court_a, supervisor)
    assert run.items.exists() is paid


@pytest.mark.django_db
def test_only_restitution_collected_is_paid_out(case, clerk, supervisor):
    # a fine and restitution: the fine's money is court revenue, never disbursed
    obligation(case, "fine", "50.00")
    restitution(case, "50.00", payee_name="Ann Roe")
    payment(case, "100.00", clerk=clerk)
    run = run_now(case.court, supervisor)
    assert run.amount_total == D("50.00")


@pytest.mark.django_db
def test_a_run_executed_twice_pays_once(case, clerk, supervisor, victims):
    payment(case, "100.00", clerk=clerk)
    run = disbursement_run_create(court=case.court, by=supervisor)
    # when the task is delivered twice (and more money comes in between)
    disbursement_run_execute(run_id=run.pk)
    payment(case, "50.00", clerk=clerk)
    again = disbursement_run_execute(run_id=run.pk)
    # then the run paid once; the later money waits for the next run
    assert again.amount_total == D("100.00")
    assert Disbursement.objects.filter(run=run).count() == 2
    assert LedgerTransaction.objects.filter(kind=TransactionKind.DISBURSEMENT).count() == 2
    assert sum(payable(case).values()) == D("50.00")


@pytest.mark.django_db
def test_an_interrupted_run_carries_on(case, clerk, supervisor, victims, monkeypatch):
    import payments.disbursements as disb

    payment(case, "100.00", clerk=clerk)
    monkeypatch.setattr(disb, "CHUNK", 1)  # one obligation per step
    run = disbursement_run_create(court=case.court, by=supervisor)
    # given the worker died after the first step (status running, one payee paid)
    with pytest.MonkeyPatch.context() as m:
        calls = {"n": 0}
        real = disb._disbursement_step

        def step_then_die(run_id):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # not an Exception: the run is not marked failed
            return real(run_id)

        m.setattr(disb, "_disbursement_step", step_then_die)
        with pytest.raises(KeyboardInterrupt):
            disbursement_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.payees_done, run.payees_total) == ("running", 1, 2)
    # when the task is delivered again
    run = disbursement_run_execute(run_id=run.pk)
    # then it finishes the other payee, and pays nobody twice
    assert (run.status, run.payees_done, run.amount_total) == ("done", 2, D("100.00"))
    assert run.items.count() == 2


@pytest.mark.django_db
def test_one_run_at_a_time_supervisors_only(case, clerk, supervisor, make_user, court_a, court_b):
    disbursement_run_create(court=court_a, by=supervisor)
    with pytest.raises(DomainError) as exc:
        disbursement_run_create(court=court_a, by=supervisor)
    assert exc.value.code == "DISBURSEMENT_RUN_IN_PROGRESS" and exc.value.status == 409
    for user in (clerk, make_user(Role.SUPERVISOR, [court_b]), make_user(Role.JUDGE, [court_a])):
        with pytest.raises(DomainError) as exc:
            disbursement_run_create(court=court_a, by=user)
        assert exc.value.code == "DISBURSEMENT_NOT_ALLOWED" and exc.value.status == 403
    assert DisbursementRun.objects.count() == 1


@pytest.mark.django_db
def test_remittance_report_totals_equal_the_ledger(case, make_case, clerk, supervisor, victims):
    # given restitution collected on two cases, one of them with an amount under the minimum
    other = make_case()
    restitution(other, "100.00", payee_name='=HYPERLINK("x")')
    restitution(other, "10.00", payee_name="Dee Fox")
    payment(case, "123.45", clerk=clerk)  # 74.07 to Ann, 49.38 to Bob (pro rata 60/40)
    payment(other, "11.00", clerk=clerk)  # 10.00 and 1.00: Dee Fox's 1.00 waits
    run = run_now(case.court, supervisor)
    remittance = disbursement_remittance(run=run, user=supervisor)
    # then the report lists each payee with the case, and its total is the ledger's
    assert [(line.payee, line.case_number) for line in remittance.lines] == [
        ('=HYPERLINK("x")', other.number),
        ("Ann Roe", case.number),
        ("Bob Poe", case.number),
    ]
    assert remittance.total == disbursement_ledger_total(run) == run.amount_total == D("133.45")
    assert sum(line.amount for line in remittance.lines) == remittance.total
    # each item names the ledger transaction that paid it out, for exactly its amount
    for item in run.items.select_related("ledger_transaction"):
        credits = item.ledger_transaction.entries.filter(account="disbursed")
        assert [e.amount for e in credits] == [-item.amount]
        assert item.ledger_transaction.obligation_id == item.obligation_id
    # and the CSV says the same, with the total last, and no formula a spreadsheet would run
    rows = list(csv.reader(io.StringIO(remittance_csv(remittance))))
    assert rows[0] == ["payee", "payee class", "court", "case", "obligation", "amount"]
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert rows[-1] == ["Total", "", "", "", "", "133.45"]
    assert sum(D(r[5]) for r in rows[1:-1]) == D("133.45")


@pytest.mark.django_db
def test_remittance_hides_names_on_cases_out_of_sight(case, make_case, clerk, supervisor):
    from cases.services import case_confidentiality_set

    sealed = make_case()
    restitution(sealed, "20.00", payee_name="Hidden Victim")
    restitution(case, "20.00", payee_name="Ann Roe")
    payment(sealed, "20.00", clerk=clerk)
    payment(case, "20.00", clerk=clerk)
    case_confidentiality_set(
        case=sealed, confidentiality="sealed", reason="Order.", actor=supervisor
    )
    run = run_now(case.court, supervisor)
    # a clerk (court staff without the sealed grant) sees the amount, not the name
    remittance = disbursement_remittance(run=run, user=clerk)
    assert [line.payee for line in remittance.lines] == ["Ann Roe"]
    assert (remittance.hidden_count, remittance.hidden_amount) == (1, D("20.00"))
    assert remittance.total == D("40.00")
    assert "Hidden Victim" not in remittance_csv(remittance)


@pytest.mark.django_db
def test_create_enqueues_the_run_on_commit(court_a, supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = disbursement_run_create(court=court_a, by=supervisor)
    assert len(callbacks) == 1
    assert run.status == "pending"


@pytest.mark.django_db(transaction=True)
def test_the_worker_executes_the_run(celery_worker_process, court_a, cr_type, make_user):
    from tests.cases.factories import open_case

    clerk = make_user(Role.CLERK, [court_a], username="clerk_w")
    supervisor = make_user(Role.SUPERVISOR, [court_a], username="supervisor_w")
    case = open_case(case_type=cr_type, opened_by=clerk)
    restitution(case, "40.00", payee_name="Ann Roe", created_by=clerk)
    payment(case, "40.00", clerk=clerk)
    run = disbursement_run_create(court=court_a, by=supervisor)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert (run.status, run.payees_done, run.amount_total) == ("done", 1, D("40.00"))


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisor_starts_a_run_and_reads_the_remittance(
    client, case, clerk, supervisor, victims, django_capture_on_commit_callbacks
):
    payment(case, "100.00", clerk=clerk)
    client.force_login(supervisor)
    # the page says what a run would pay now
    page = client.get("/payments/disbursements/").content.decode()
    assert "would pay <strong>2 payees</strong>" in page and "$100.00" in page
    # when the supervisor starts a run
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/payments/disbursements/", {"court": case.court.pk})
    run = DisbursementRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/")
    assert len(callbacks) == 1  # the worker's task, enqueued on commit
    # then the run's page polls its progress until the worker is done
    page = client.get(f"/payments/disbursements/{run.pk}/").content.decode()
    assert "Waiting for a worker" in page and f"/payments/disbursements/{run.pk}/progress/" in page
    disbursement_run_execute(run_id=run.pk)
    block = client.get(f"/payments/disbursements/{run.pk}/progress/").content.decode()
    assert "Finished: 2 payees paid, $100.00 in all." in block and "hx-trigger" not in block
    assert "Ann Roe" in block and "Bob Poe" in block
    # and the remittance report, as a page and as CSV, adds up to the ledger
    report = client.get(f"/payments/disbursements/{run.pk}/remittance/").content.decode()
    assert "$100.00" in report
    csv_response = client.get(f"/payments/disbursements/{run.pk}/remittance.csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows[-1][-1] == str(disbursement_ledger_total(run)) == "100.00"


@pytest.mark.django_db
def test_disbursements_are_for_supervisors_of_the_court(
    client, case, clerk, supervisor, make_user, court_b
):
    run = disbursement_run_create(court=case.court, by=supervisor)
    client.force_login(clerk)
    assert client.get("/payments/disbursements/").status_code == 403
    assert client.get(f"/payments/disbursements/{run.pk}/").status_code == 403
    other = make_user(Role.SUPERVISOR, [court_b])
    client.force_login(other)
    assert client.get(f"/payments/disbursements/{run.pk}/").status_code == 404
    assert client.get(f"/payments/disbursements/{run.pk}/remittance.csv").status_code == 404
    # starting a run for a court one does not supervise is refused, nothing written
    client.post("/payments/disbursements/", {"court": case.court.pk})
    assert DisbursementRun.objects.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_disbursement_pages_in_a_browser_are_axe_clean(
    page, login, axe_check, case, clerk, supervisor, victims, monkeypatch
):
    from playwright.sync_api import expect

    from payments import tasks

    monkeypatch.setattr(tasks.disbursement_run_execute_task, "delay", lambda *a, **k: None)
    payment(case, "100.00", clerk=clerk)
    login(supervisor)
    page.goto("/payments/disbursements/")
    axe_check(page)
    # the supervisor starts a run from the keyboard
    page.get_by_role("button", name=f"Start a disbursement run for {case.court.code}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Waiting for a worker")
    axe_check(page)
    # the worker runs it; the page, polling, shows the remittance without a reload
    run = DisbursementRun.objects.get()
    disbursement_run_execute(run_id=run.pk)
    expect(page.get_by_role("status")).to_contain_text("Finished: 2 payees paid", timeout=10_000)
    expect(page.get_by_role("table")).to_contain_text("Ann Roe")
    axe_check(page)
    page.goto(f"/payments/disbursements/{run.pk}/remittance/")
    axe_check(page)
