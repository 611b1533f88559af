"""Filing at the counter and e-filing review: numbers, stamps, the docket, notices to the filer."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from pypdf import PdfReader

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases import registry
from cases.models import DocketEntry, EventCode
from cases.services import appearance_withdraw
from filings.models import Document, Filing, FilingType
from filings.services import (
    filing_accept,
    filing_file_at_counter,
    filing_reject,
    filing_submit,
    filing_types_install_defaults,
)

from .pdfs import pdf_bytes, sha256, upload


@pytest.fixture
def subscribe():
    made: list[tuple[str, str]] = []

    def do(event_code, name, handler):
        registry.subscribe(event_code, name, handler)
        made.append((event_code, name))

    yield do
    for event_code, name in made:
        registry.unsubscribe(event_code, name)


def submit(case, by, filing_type, *, title="Motion to continue trial", data=None, **kwargs):
    return filing_submit(
        case=case,
        filing_type=filing_type,
        upload=upload(data or pdf_bytes(2)),
        filer=by,
        title=title,
        **kwargs,
    )


def counter(case, by, filing_type, *, title="Answer", data=None, **kwargs):
    return filing_file_at_counter(
        case=case,
        filing_type=filing_type,
        upload=upload(data or pdf_bytes(2)),
        clerk=by,
        title=title,
        **kwargs,
    )


# --- the counter ------------------------------------------------------------------------------


def test_a_counter_filing_is_accepted_stamped_and_docketed_at_once(
    public_case, clerk, filing_type, stored_files, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a clerk at the counter with a 2-page answer
    data = pdf_bytes(2, text="Answer and affirmative defenses")

    # When the clerk files it
    with django_capture_on_commit_callbacks(execute=True):
        filing = counter(public_case, clerk, filing_type("ANSW"), data=data)

    # Then it is accepted as Doc 1, stamped, and on the register under ANSW
    filing.refresh_from_db()
    assert (filing.status, filing.channel, filing.doc_number) == ("accepted", "counter", 1)
    assert filing.reviewed_by == clerk
    entry = filing.docket_entry
    assert (entry.event_code, entry.object_type, entry.object_id) == (
        "ANSW",
        "filings.filing",
        str(filing.pk),
    )
    assert "Answer (Doc 1)" in entry.text
    assert entry.entry_date == public_case.court.local_today()
    stamped = filing.stamped_document
    assert (stamped.kind, stamped.original_id, stamped.page_count) == (
        "stamped",
        filing.document_id,
        2,
    )
    assert len(stored_files()) == 2
    # ...and the clerk is not e-mailed about their own filing
    assert mailoutbox == []
    assert AuditEvent.objects.filter(action="filing.accept", object_id=str(filing.pk)).exists()


def test_the_stamped_pdf_opens_keeps_its_pages_and_is_stamped_while_the_original_is_untouched(
    public_case, clerk, filing_type
):
    # Given a three-page motion
    data = pdf_bytes(3, text="Motion for discovery")

    # When it is filed at the counter
    filing = counter(public_case, clerk, filing_type("MOTN"), data=data, title="Motion")

    # Then the stamped copy opens with pypdf, has 3 pages and the stamp on page 1
    stamped_bytes = filing.stamped_document.file.read()
    reader = PdfReader(io.BytesIO(stamped_bytes))
    assert len(reader.pages) == 3
    court = public_case.court
    submitted = filing.submitted_at.astimezone(court.tzinfo)
    expected = f"FILED {court.name} {submitted:%Y-%m-%d %H:%M} {public_case.number} Doc 1"
    assert expected in reader.pages[0].extract_text()
    assert "Motion for discovery" in reader.pages[0].extract_text()
    assert filing.stamped_document.sha256 == sha256(stamped_bytes)
    # ...and the original's bytes and digest are what the filer sent
    original = Document.objects.get(pk=filing.document_id)
    assert original.sha256 == sha256(data)
    assert original.file.read() == data


def test_document_numbers_are_per_case_and_gap_free(
    public_case, make_case, clerk, attorney, filing_type, reason
):
    # Given two cases; on the first a rejected e-filing between two accepted filings
    other = make_case()
    first = counter(public_case, clerk, filing_type("ANSW"))
    rejected = submit(public_case, attorney, filing_type("MOTN"))
    filing_reject(filing=rejected, clerk=clerk, reason=reason("UNSIGNED"))
    pending = submit(public_case, attorney, filing_type("RESP"))
    third = filing_accept(filing=pending, clerk=clerk)
    elsewhere = counter(other, clerk, filing_type("ANSW"))

    # Then numbers run 1, 2 on the first case (the rejection took none) and 1 on the other
    assert (first.doc_number, third.doc_number, elsewhere.doc_number) == (1, 2, 1)
    rejected.refresh_from_db()
    assert rejected.doc_number is None


def test_only_the_clerks_office_of_the_court_files_at_the_counter(
    public_case, attorney, filing_type, stored_files
):
    with pytest.raises(DomainError) as refused:
        counter(public_case, attorney, filing_type("ANSW"))

    assert (refused.value.code, refused.value.status) == ("NOT_A_RECORD_KEEPER", 403)
    assert stored_files() == []


def test_a_filing_type_of_another_court_is_refused(public_case, clerk, court_b, filing_type):
    with pytest.raises(DomainError) as refused:
        counter(public_case, clerk, filing_type("ANSW", court=court_b))

    assert refused.value.code == "UNKNOWN_FILING_TYPE"


# --- e-filing ---------------------------------------------------------------------------------


def test_an_attorney_of_record_e_files_and_it_waits_for_review(
    public_case, attorney, filing_type, stored_files
):
    filing = submit(public_case, attorney, filing_type("MOTN"))

    assert (filing.status, filing.channel, filing.filed_by) == ("submitted", "efiling", attorney)
    assert (filing.doc_number, filing.stamped_document, filing.docket_entry) == (None, None, None)
    assert len(stored_files()) == 1
    assert not DocketEntry.objects.filter(case=public_case, event_code="MOTN").exists()
    assert AuditEvent.objects.filter(action="filing.submit", object_id=str(filing.pk)).exists()


def test_an_attorney_not_of_record_cannot_file_in_a_public_case(
    public_case, outsider, filing_type, stored_files
):
    with pytest.raises(DomainError) as refused:
        submit(public_case, outsider, filing_type("MOTN"))

    assert (refused.value.code, refused.value.status) == ("NOT_OF_RECORD", 403)
    assert stored_files() == []
    assert not Filing.objects.exists()


@pytest.mark.parametrize("case_fixture", ["confidential_case", "sealed_case"])
def test_an_attorney_not_of_record_cannot_even_find_a_confidential_or_sealed_case(
    request, case_fixture, outsider, filing_type, stored_files
):
    case = request.getfixturevalue(case_fixture)

    with pytest.raises(Http404):
        submit(case, outsider, filing_type("MOTN"))

    assert stored_files() == []


def test_a_withdrawn_attorney_is_no_longer_of_record(public_case, attorney, clerk, filing_type):
    appearance_withdraw(appearance=public_case.appearances.get(attorney=attorney), actor=clerk)

    with pytest.raises(DomainError) as refused:
        submit(public_case, attorney, filing_type("MOTN"))

    assert refused.value.code == "NOT_OF_RECORD"


def test_attorneys_cannot_e_file_orders_or_judgments(public_case, attorney, filing_type):
    with pytest.raises(DomainError) as refused:
        submit(public_case, attorney, filing_type("ORDR"), title="Proposed order")

    assert (refused.value.code, refused.value.status) == ("FILING_TYPE_NOT_ALLOWED", 403)


def test_a_type_that_needs_no_review_is_accepted_on_submission(
    public_case, attorney, filing_type, mailoutbox, django_capture_on_commit_callbacks
):
    appearance = filing_type("APPR")
    appearance.needs_review = False
    appearance.save()

    with django_capture_on_commit_callbacks(execute=True):
        filing = submit(public_case, attorney, appearance, title="Notice of appearance")

    assert (filing.status, filing.reviewed_by, filing.doc_number) == ("accepted", None, 1)
    assert filing.docket_entry.recorded_by == attorney
    assert [m.to for m in mailoutbox] == [[attorney.email]]


def test_a_document_is_never_less_restricted_than_its_case(
    confidential_case, attorney, filing_type
):
    with pytest.raises(DomainError) as refused:
        submit(confidential_case, attorney, filing_type("MOTN"), confidentiality="public")

    assert (refused.value.code, refused.value.field) == (
        "CONFIDENTIALITY_NOT_ALLOWED",
        "confidentiality",
    )


def test_an_attorney_may_file_confidentially_but_only_the_court_seals(
    public_case, attorney, supervisor, filing_type
):
    filing = submit(public_case, attorney, filing_type("MOTN"), confidentiality="confidential")
    assert filing.document.confidentiality == "confidential"

    with pytest.raises(DomainError) as refused:
        submit(public_case, attorney, filing_type("MOTN"), confidentiality="sealed")
    assert refused.value.code == "CONFIDENTIALITY_NOT_ALLOWED"

    sealed = counter(public_case, supervisor, filing_type("ORDR"), confidentiality="sealed")
    assert sealed.stamped_document.confidentiality == "sealed"
    assert sealed.docket_entry.confidentiality == "sealed"


# --- review -----------------------------------------------------------------------------------


def test_acceptance_stamps_dockets_and_tells_the_filer(
    public_case, attorney, clerk, filing_type, mailoutbox, django_capture_on_commit_callbacks
):
    # Given a submitted motion
    filing = submit(public_case, attorney, filing_type("MOTN"))

    # When the clerk accepts it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        accepted = filing_accept(filing=filing, clerk=clerk)

    # Then it is Doc 1 on the register under MOTN, and the attorney is e-mailed once
    assert (accepted.status, accepted.doc_number, accepted.reviewed_by) == ("accepted", 1, clerk)
    assert accepted.docket_entry.event_code == "MOTN"
    assert accepted.docket_entry.recorded_by == clerk
    # The date of filing is the day the court received it.
    assert (
        accepted.docket_entry.entry_date
        == accepted.submitted_at.astimezone(public_case.court.tzinfo).date()
    )
    assert len(callbacks) == 1
    [mail] = mailoutbox
    assert mail.to == [attorney.email]
    assert f"{public_case.number} Doc 1" in mail.subject
    assert "accepted" in mail.body


def test_nothing_is_mailed_when_acceptance_rolls_back(
    public_case,
    attorney,
    clerk,
    filing_type,
    subscribe,
    mailoutbox,
    stored_files,
    django_capture_on_commit_callbacks,
):
    # Given a docket subscriber that refuses (e.g. a broken fee schedule)
    filing = submit(public_case, attorney, filing_type("MOTN"))

    def broken(entry):
        raise RuntimeError("fee schedule missing")

    subscribe("MOTN", "test.broken_fee", broken)

    # When the clerk accepts
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        filing_accept(filing=filing, clerk=clerk)

    # Then nothing of the acceptance remains: no stamped file or row, no entry, no mail
    filing.refresh_from_db()
    assert (filing.status, filing.doc_number, filing.stamped_document) == ("submitted", None, None)
    assert Document.objects.filter(kind="stamped").count() == 0
    assert len(stored_files()) == 1  # the submission itself
    assert not DocketEntry.objects.filter(case=public_case, event_code="MOTN").exists()
    assert mailoutbox == []


def test_a_failing_subscriber_at_the_counter_leaves_no_file_at_all(
    public_case, clerk, filing_type, subscribe, stored_files
):
    subscribe("ANSW", "test.broken", lambda entry: (_ for _ in ()).throw(RuntimeError("no")))

    with pytest.raises(RuntimeError):
        counter(public_case, clerk, filing_type("ANSW"))

    assert stored_files() == []
    assert not Document.objects.exists()
    assert not Filing.objects.exists()


def test_a_docket_subscriber_sees_exactly_one_entry_for_an_accepted_filing(
    public_case, attorney, clerk, filing_type, subscribe
):
    seen: list[tuple[str, str]] = []
    subscribe(
        "MOTN", "test.deadlines", lambda entry: seen.append((entry.object_type, entry.object_id))
    )
    filing = submit(public_case, attorney, filing_type("MOTN"))

    filing_accept(filing=filing, clerk=clerk)
    with pytest.raises(DomainError):
        filing_accept(filing=filing, clerk=clerk)

    assert seen == [("filings.filing", str(filing.pk))]


def test_a_reviewed_filing_cannot_be_reviewed_again(
    public_case, attorney, clerk, filing_type, reason
):
    filing = submit(public_case, attorney, filing_type("MOTN"))
    filing_accept(filing=filing, clerk=clerk)

    for act in (
        lambda: filing_accept(filing=filing, clerk=clerk),
        lambda: filing_reject(filing=filing, clerk=clerk, reason=reason("UNSIGNED")),
    ):
        with pytest.raises(DomainError) as refused:
            act()
        assert (refused.value.code, refused.value.status) == ("FILING_ALREADY_REVIEWED", 409)
    assert DocketEntry.objects.filter(case=public_case, event_code="MOTN").count() == 1


def test_rejection_records_the_reason_and_tells_the_filer(
    public_case,
    attorney,
    clerk,
    filing_type,
    reason,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    filing = submit(public_case, attorney, filing_type("MOTN"))

    with django_capture_on_commit_callbacks(execute=True):
        rejected = filing_reject(
            filing=filing, clerk=clerk, reason="ILLEGIBLE", note="Page 2 is blank."
        )

    rejected.refresh_from_db()
    assert (rejected.status, rejected.rejection_reason, rejected.rejection_note) == (
        "rejected",
        reason("ILLEGIBLE"),
        "Page 2 is blank.",
    )
    assert (rejected.reviewed_by, rejected.doc_number, rejected.docket_entry) == (clerk, None, None)
    audit = AuditEvent.objects.get(action="filing.reject", object_id=str(filing.pk))
    assert audit.details == {"reason": "ILLEGIBLE", "note": "Page 2 is blank."}
    [mail] = mailoutbox
    assert mail.to == [attorney.email]
    assert "Illegible" in mail.body and "Page 2 is blank." in mail.body


def test_other_needs_a_note_and_reasons_belong_to_the_court(
    public_case, attorney, clerk, filing_type, reason, court_b
):
    filing = submit(public_case, attorney, filing_type("MOTN"))

    with pytest.raises(DomainError) as no_note:
        filing_reject(filing=filing, clerk=clerk, reason="OTHER")
    with pytest.raises(DomainError) as foreign:
        filing_reject(filing=filing, clerk=clerk, reason=reason("UNSIGNED", court=court_b))

    assert (no_note.value.code, no_note.value.field) == ("REJECTION_NOTE_REQUIRED", "note")
    assert (foreign.value.code, foreign.value.field) == ("UNKNOWN_REJECTION_REASON", "reason")


def test_attorneys_and_other_courts_clerks_do_not_review(
    public_case, attorney, clerk_b, filing_type
):
    filing = submit(public_case, attorney, filing_type("MOTN"))

    with pytest.raises(DomainError) as own:
        filing_accept(filing=filing, clerk=attorney)
    with pytest.raises(DomainError) as other_court:
        filing_accept(filing=filing, clerk=clerk_b)  # the case is public: visible to them

    assert own.value.code == other_court.value.code == "NOT_A_RECORD_KEEPER"


# --- configuration ----------------------------------------------------------------------------


def test_every_new_court_gets_the_default_filing_types_and_reasons(court_a):
    codes = set(FilingType.objects.filter(court=court_a).values_list("code", flat=True))

    assert {"CMPL", "ANSW", "MOTN", "RESP", "ORDR", "JDGM", "APPR", "SRVC", "SUBP"} <= codes
    assert court_a.rejection_reasons.filter(code="OTHER", requires_note=True).exists()


def test_a_filing_type_waits_for_its_event_code(court_a):
    # Given a court without the SUBP event code (removed), and so without the type
    FilingType.objects.filter(court=court_a, code="SUBP").delete()
    EventCode.objects.filter(court=court_a, code="SUBP").delete()
    assert filing_types_install_defaults(court=court_a) == 0

    # When the court adds the event code, the defaults bring the filing type
    EventCode.objects.create(court=court_a, code="SUBP", description="Subpoena issued")

    assert filing_types_install_defaults(court=court_a) == 1
    assert FilingType.objects.get(court=court_a, code="SUBP").event_code == "SUBP"


def test_a_filing_types_event_code_must_be_one_of_the_courts(court_a):
    bad = FilingType(court=court_a, code="XXXX", name="Mystery", event_code="NOPE")

    with pytest.raises(ValidationError) as invalid:
        bad.full_clean()

    assert invalid.value.error_dict["event_code"][0].code == "UNKNOWN_EVENT_CODE"
