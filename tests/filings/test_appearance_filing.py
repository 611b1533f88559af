"""A notice of appearance (event APPR) e-filed by an attorney: accepting it enters their
appearance on the case (cases.services.appearance_enter), unless they already appear."""

from __future__ import annotations

import pytest

from casemgmt.core.errors import DomainError
from cases.models import Appearance, DocketEntry
from filings.services import filing_accept, filing_submit

from .pdfs import pdf_bytes, upload


def _submit(case, attorney, filing_type):
    return filing_submit(
        case=case,
        filing_type=filing_type,
        upload=upload(pdf_bytes()),
        filer=attorney,
        title="Notice of appearance",
    )


def test_accepting_a_notice_of_appearance_makes_the_attorney_of_record(
    public_case, outsider, clerk, filing_type
):
    filing = _submit(public_case, outsider, filing_type("APPR"))
    assert not Appearance.objects.filter(case=public_case, attorney=outsider).exists()

    filing_accept(filing=filing, clerk=clerk)

    appearance = Appearance.objects.get(case=public_case, attorney=outsider)
    assert (appearance.party, appearance.withdrawn_on, appearance.entered_by) == (None, None, clerk)
    assert appearance.entered_on == filing.submitted_at.astimezone(public_case.court.tzinfo).date()
    # One APPR entry (the filing's), so what the rules attach to APPR happens once.
    codes = list(
        DocketEntry.objects.filter(case=public_case, event_code="APPR").values_list(
            "object_type", flat=True
        )
    )
    assert codes == ["filings.filing"]


def test_no_second_appearance_for_an_attorney_already_of_record(
    public_case, attorney, clerk, filing_type
):
    before = Appearance.objects.filter(case=public_case, attorney=attorney).count()
    filing = _submit(public_case, attorney, filing_type("APPR"))

    filing_accept(filing=filing, clerk=clerk)

    assert Appearance.objects.filter(case=public_case, attorney=attorney).count() == before


def test_a_rejected_notice_of_appearance_enters_nothing(public_case, outsider, clerk, filing_type):
    from filings.services import filing_reject

    filing = _submit(public_case, outsider, filing_type("APPR"))
    filing_reject(filing=filing, clerk=clerk, reason="UNSIGNED")

    assert not Appearance.objects.filter(case=public_case, attorney=outsider).exists()


def test_an_attorney_not_of_record_still_files_nothing_else(public_case, outsider, filing_type):
    with pytest.raises(DomainError) as refused:
        _submit(public_case, outsider, filing_type("MOTN"))
    assert refused.value.code == "NOT_OF_RECORD"


def test_a_counter_filed_notice_by_the_clerk_enters_no_appearance(public_case, clerk, filing_type):
    from filings.services import filing_file_at_counter

    before = Appearance.objects.filter(case=public_case).count()
    filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("APPR"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Notice of appearance",
    )
    assert Appearance.objects.filter(case=public_case).count() == before


def test_the_case_page_offers_an_attorney_not_of_record_a_notice_of_appearance(
    client, public_case, outsider, attorney
):
    from django.urls import reverse

    url = reverse("cases:detail", args=[public_case.court.code, public_case.number])
    client.force_login(outsider)
    not_of_record = client.get(url).content.decode()
    client.force_login(attorney)
    of_record = client.get(url).content.decode()

    assert "File a notice of appearance" in not_of_record
    assert "E-file a document" not in not_of_record
    assert "E-file a document" in of_record
