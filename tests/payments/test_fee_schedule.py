"""The fee schedule: recording a docket entry assesses the fee the court's schedule attaches
to its event code (DESIGN.md: "the payments app assesses the fee the schedule attaches to
it (filing fee on CMPL)"), through the registry in `cases`, in the entry's transaction —
once per entry, even when two clerks accept one e-filing at the same moment (issue 4).
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from casemgmt.core.roles import Role
from cases.models import DocketEntry
from cases.services import AppearanceInput, docket_entry_record
from filings.models import Filing, FilingType
from filings.services import filing_accept, filing_submit
from payments.models import Obligation, ObligationSource
from payments.selectors import case_balance, ledger_total
from tests.cases.factories import open_case
from tests.filings.pdfs import pdf_bytes, upload

from .factories import obligation, payment, scheduled_fee

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Filed documents go to a fresh directory per test."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(autouse=True)
def tasks_run_here():
    """Tasks an acceptance enqueues on commit (the filer's e-mail) run in-process."""
    from tests.filings.test_notices_support import celery_eager

    with celery_eager(propagate=False):
        yield


@pytest.mark.django_db
def test_intake_assesses_the_filing_fee(cv_type, court_a, clerk):
    # Given a 400.00 fee on CMPL for civil cases
    fee = scheduled_fee(court_a, "CMPL", "400.00", case_type=cv_type)

    # When a civil case is opened (intake records CMPL)
    case = open_case(case_type=cv_type, opened_by=clerk)

    # Then the fee is assessed once, from the schedule, tied to the entry
    [owed] = Obligation.objects.filter(case=case)
    entry = DocketEntry.objects.get(case=case, event_code="CMPL")
    assert (owed.kind, owed.amount, owed.source) == (
        "fee",
        D("400.00"),
        ObligationSource.FEE_SCHEDULE,
    )
    assert (owed.docket_entry, owed.fee_schedule_entry, owed.created_by) == (entry, fee, clerk)
    assert owed.ordered_on == entry.entry_date
    assert case_balance(case).balance == D("400.00")
    assert ledger_total() == 0


@pytest.mark.django_db
def test_a_criminal_intake_assesses_the_charging_fee_for_any_case_type(cr_type, court_a, clerk):
    scheduled_fee(court_a, "CHRG", "50.00", kind="cost", description="Court costs")
    case = open_case(case_type=cr_type, opened_by=clerk)
    [owed] = Obligation.objects.filter(case=case)
    assert (owed.kind, owed.amount, owed.description) == ("cost", D("50.00"), "Court costs")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # An entry for the case's type wins over one for any type.
        ([("any", "2000-01-01", None, "10.00"), ("CR", "2000-01-01", None, "20.00")], "20.00"),
        # The schedule in force on the day of the entry: the newer one.
        ([("any", "2000-01-01", "2019-12-31", "10.00"),
          ("any", "2020-01-01", None, "15.00")], "15.00"),
        # A fee not yet in force, or no longer, assesses nothing.
        ([("any", "2999-01-01", None, "10.00")], None),
        ([("any", "2000-01-01", "2001-01-01", "10.00")], None),
        # Another type's fee is not this case's.
        ([("CV", "2000-01-01", None, "10.00")], None),
    ],
)  # fmt: skip
def test_the_fee_in_force_for_the_case_type_is_assessed(
    cr_type, cv_type, court_a, clerk, rows, expected
):
    types = {"any": None, "CR": cr_type, "CV": cv_type}
    for type_code, start, end, amount in rows:
        scheduled_fee(
            court_a,
            "CHRG",
            amount,
            case_type=types[type_code],
            effective_from=dt.date.fromisoformat(start),
            effective_to=dt.date.fromisoformat(end) if end else None,
        )
    case = open_case(case_type=cr_type, opened_by=clerk)
    amounts = [o.amount for o in Obligation.objects.filter(case=case)]
    assert amounts == ([D(expected)] if expected else [])


@pytest.mark.django_db
def test_a_correction_and_an_unscheduled_event_assess_nothing(cr_type, court_a, clerk):
    scheduled_fee(court_a, "MOTN", "25.00")
    case = open_case(case_type=cr_type, opened_by=clerk)
    entry = docket_entry_record(case=case, event_code="MOTN", text="Motion", recorded_by=clerk)
    docket_entry_record(
        case=case, event_code="MOTN", text="Motion (corrected)", recorded_by=clerk, corrects=entry
    )
    docket_entry_record(case=case, event_code="ORDR", text="Order", recorded_by=clerk)
    assert [o.docket_entry_id for o in Obligation.objects.filter(case=case)] == [entry.pk]


@pytest.mark.django_db
def test_credit_held_pays_a_scheduled_fee_when_it_is_assessed(cr_type, court_a, clerk):
    # Given a case with 30.00 credit
    case = open_case(case_type=cr_type, opened_by=clerk)
    obligation(case, "fine", "20.00")
    payment(case, "50.00", clerk=clerk)
    scheduled_fee(court_a, "MOTN", "25.00")

    # When a motion is docketed and its fee assessed
    docket_entry_record(case=case, event_code="MOTN", text="Motion", recorded_by=clerk)

    # Then the credit pays it
    balance = case_balance(case)
    assert (balance.balance, balance.credit) == (D("0.00"), D("5.00"))


@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_one_e_filing_at_once_assess_one_fee(
    cv_type, court_a, clerk, attorney, make_user
):
    # Given a 50.00 fee on motions, a motion e-filed by the attorney of record, two clerks
    scheduled_fee(court_a, "MOTN", "50.00", description="Motion fee")
    second_clerk = make_user(Role.CLERK, [court_a], username="clerk_a2")
    case = open_case(
        case_type=cv_type,
        opened_by=clerk,
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )
    filing = filing_submit(
        case=case,
        filing_type=FilingType.objects.get(court=court_a, code="MOTN"),
        upload=upload(pdf_bytes(2)),
        filer=attorney,
        title="Motion to continue trial",
    )
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def review(user) -> None:
        try:
            mine = Filing.objects.get(pk=filing.pk)
            start.wait(timeout=30)
            filing_accept(filing=mine, clerk=user)
            outcomes[user.username] = "accepted"
        except Exception as exc:
            outcomes[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(u,)) for u in (clerk, second_clerk)]

    # When both accept at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one acceptance, one docket entry, and ONE fee
    results = list(outcomes.values())
    assert results.count("accepted") == 1, results
    [refusal] = [r for r in results if r != "accepted"]
    assert refusal.code == "FILING_ALREADY_REVIEWED"
    [entry] = DocketEntry.objects.filter(case=case, event_code="MOTN")
    [fee] = Obligation.objects.filter(case=case, source=ObligationSource.FEE_SCHEDULE)
    assert (fee.docket_entry, fee.amount, fee.description) == (entry, D("50.00"), "Motion fee")
    assert case_balance(case).balance == D("50.00")
    assert ledger_total() == 0
