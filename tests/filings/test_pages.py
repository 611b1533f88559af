"""The pages: filing form (counter and e-filing), review queue, a filing, downloads, the panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from filings.models import Filing
from filings.services import filing_file_at_counter, filing_submit

from .pdfs import encrypted_pdf, pdf_bytes, upload


def new_url(case):
    return reverse("filings:new", args=[case.court.code, case.number])


def submit(case, attorney, filing_type, title="Motion to continue trial", code="MOTN"):
    return filing_submit(
        case=case,
        filing_type=filing_type(code),
        upload=upload(pdf_bytes()),
        filer=attorney,
        title=title,
    )


# --- filing a document ------------------------------------------------------------------------


def test_the_clerk_files_at_the_counter_from_the_form(client, clerk, public_case, filing_type):
    client.force_login(clerk)
    page = client.get(new_url(public_case))
    assert page.status_code == 200
    assert "File and docket" in page.content.decode()

    response = client.post(
        new_url(public_case),
        {"filing_type": filing_type("ANSW").pk, "title": "Answer", "file": upload(pdf_bytes())},
    )

    filing = Filing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("filings:detail", args=[filing.pk])
    assert (filing.status, filing.doc_number) == ("accepted", 1)


def test_an_attorney_of_record_e_files_from_the_same_form(
    client, attorney, public_case, filing_type
):
    client.force_login(attorney)
    page = client.get(new_url(public_case)).content.decode()
    assert "Submit for review" in page
    assert "Order" not in page  # court-only types are not offered

    response = client.post(
        new_url(public_case),
        {"filing_type": filing_type("MOTN").pk, "title": "Motion", "file": upload(pdf_bytes())},
        follow=True,
    )

    assert Filing.objects.get().status == "submitted"
    assert "The clerk&#x27;s office will review it." in response.content.decode()


def test_a_refused_document_is_shown_on_the_file_field(
    client, attorney, public_case, filing_type, stored_files
):
    client.force_login(attorney)

    response = client.post(
        new_url(public_case),
        {
            "filing_type": filing_type("MOTN").pk,
            "title": "Motion",
            "file": upload(encrypted_pdf()),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The PDF is password-protected or encrypted. Upload it without protection."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Filing.objects.exists()
    assert stored_files() == []


def test_an_attorney_not_of_record_may_only_file_a_notice_of_appearance(
    client, outsider, public_case, filing_type
):
    client.force_login(outsider)

    page = client.get(new_url(public_case))

    assert page.status_code == 200
    offered = list(page.context["form"].fields["filing_type"].queryset)
    assert offered == [filing_type("APPR")]


def test_an_attorney_not_of_record_is_refused_where_no_appearance_can_be_filed(
    client, outsider, public_case, filing_type
):
    FilingType = type(filing_type("APPR"))
    FilingType.objects.filter(court=public_case.court, code="APPR").update(is_active=False)
    client.force_login(outsider)

    assert client.get(new_url(public_case)).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=outsider).exists()


def test_the_public_is_sent_to_sign_in(client, public_case):
    response = client.get(new_url(public_case))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


# --- the review queue ---------------------------------------------------------------------------


def test_the_queue_lists_pending_filings_oldest_first(
    client, clerk, attorney, public_case, filing_type
):
    first = submit(public_case, attorney, filing_type, "First motion")
    second = submit(public_case, attorney, filing_type, "Second filing", code="RESP")
    client.force_login(clerk)

    response = client.get(reverse("filings:queue"))

    assert [f.pk for f in response.context["page"]] == [first.pk, second.pk]
    body = response.content.decode()
    assert reverse("filings:document_preview", args=[first.document_id]) in body
    assert body.index("First motion") < body.index("Second filing")


def test_the_queue_filters_by_court_and_type_in_the_url(
    client, clerk, attorney, public_case, filing_type
):
    submit(public_case, attorney, filing_type, "A motion")
    response_only = submit(public_case, attorney, filing_type, "A response", code="RESP")
    client.force_login(clerk)

    response = client.get(
        reverse("filings:queue"), {"court": public_case.court.code, "type": "RESP"}
    )

    assert [f.pk for f in response.context["page"]] == [response_only.pk]
    assert response.context["query"] == f"court={public_case.court.code}&type=RESP"


@pytest.mark.parametrize("count", [1, 8])
def test_the_queue_renders_in_a_bounded_number_of_queries(
    client,
    clerk,
    attorney,
    public_case,
    make_case,
    filing_type,
    count,
    django_assert_max_num_queries,
):
    cases = [public_case, make_case()]
    for i in range(count):
        submit(cases[i % 2], attorney, filing_type, f"Motion {i}")
    client.force_login(clerk)
    client.get(reverse("core:home"))  # the session's first save is not the queue's

    with django_assert_max_num_queries(12):
        response = client.get(reverse("filings:queue"))

    assert len(response.context["page"].object_list) == count


def test_accepting_from_the_queue_keeps_the_filters_and_focuses_the_next_row(
    client, clerk, attorney, public_case, filing_type
):
    first = submit(public_case, attorney, filing_type, "First")
    second = submit(public_case, attorney, filing_type, "Second")
    client.force_login(clerk)

    response = client.post(
        reverse("filings:accept", args=[first.pk]),
        {"back": "queue", "court": public_case.court.code, "type": "MOTN"},
    )

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('filings:queue')}?court={public_case.court.code}&type=MOTN&focus={second.pk}"
    )
    page = client.get(response["Location"]).content.decode()
    assert f'document.getElementById("filing-{second.pk}")' in page
    assert "Accepted: " in page
    first.refresh_from_db()
    assert first.status == "accepted"


def test_rejecting_from_the_queue_needs_a_reason(
    client, clerk, attorney, public_case, filing_type, reason
):
    filing = submit(public_case, attorney, filing_type)
    client.force_login(clerk)
    url = reverse("filings:reject", args=[filing.pk])

    client.post(url, {"back": "queue", "reject-reason": ""})
    filing.refresh_from_db()
    assert filing.status == "submitted"

    response = client.post(
        url,
        {"back": "queue", "reject-reason": reason("UNSIGNED").pk, "reject-note": "Sign p. 3."},
    )
    filing.refresh_from_db()
    assert (filing.status, filing.rejection_note) == ("rejected", "Sign p. 3.")
    assert response["Location"] == reverse("filings:queue")


def test_reviewing_twice_shows_the_refusal(client, clerk, attorney, public_case, filing_type):
    filing = submit(public_case, attorney, filing_type)
    client.force_login(clerk)
    client.post(reverse("filings:accept", args=[filing.pk]))

    response = client.post(reverse("filings:accept", args=[filing.pk]), follow=True)

    assert "FILING_ALREADY_REVIEWED" in response.content.decode()


def test_attorneys_have_no_queue(client, attorney):
    client.force_login(attorney)

    assert client.get(reverse("filings:queue")).status_code == 403


# --- a filing, documents ----------------------------------------------------------------------


def test_the_filing_page_shows_review_forms_to_the_clerk_only(
    client, clerk, attorney, public_case, filing_type
):
    filing = submit(public_case, attorney, filing_type)
    url = reverse("filings:detail", args=[filing.pk])

    client.force_login(attorney)
    as_filer = client.get(url).content.decode()
    client.force_login(clerk)
    as_clerk = client.get(url).content.decode()

    assert "Awaiting review" in as_filer and "Accept and docket" not in as_filer
    assert "Accept and docket" in as_clerk


def test_preview_is_inline_and_download_an_attachment(client, clerk, public_case, filing_type):
    filing = filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes(), name="answer.pdf"),
        clerk=clerk,
        title="Answer",
    )

    preview = client.get(reverse("filings:document_preview", args=[filing.stamped_document_id]))
    download = client.get(reverse("filings:document_download", args=[filing.document_id]))

    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline;")
    assert download["Content-Disposition"] == 'attachment; filename="answer.pdf"'
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_downloads_of_a_confidential_case_are_audited(
    client, attorney, clerk, confidential_case, filing_type
):
    filing = filing_file_at_counter(
        case=confidential_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Answer",
    )
    client.force_login(attorney)

    client.get(reverse("filings:document_download", args=[filing.stamped_document_id]))

    audit = AuditEvent.objects.get(action="document.download")
    assert (audit.actor, audit.case_id, audit.object_id) == (
        attorney,
        confidential_case.pk,
        str(filing.stamped_document_id),
    )


def test_the_attorneys_own_filings_page(client, attorney, public_case, filing_type):
    filing = submit(public_case, attorney, filing_type)
    client.force_login(attorney)

    response = client.get(reverse("filings:mine"))

    assert [f.pk for f in response.context["page"]] == [filing.pk]


# --- the case page's Documents panel ------------------------------------------------------------


def case_url(case):
    return reverse("cases:detail", args=[case.court.code, case.number])


def test_the_case_page_lists_documents_of_record_with_a_type_filter(
    client, clerk, attorney, public_case, filing_type, django_assert_max_num_queries
):
    answer = filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Answer",
    )
    motion = filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Motion to dismiss",
    )
    pending = submit(public_case, attorney, filing_type, "Pending motion")
    client.force_login(clerk)

    with django_assert_max_num_queries(22):  # tests/cases/test_pages.py's budget
        page = client.get(case_url(public_case))

    body = page.content.decode()
    assert 'id="panel-documents"' in body
    for filing in (answer, motion):
        assert reverse("filings:document_download", args=[filing.stamped_document_id]) in body
    assert "Pending motion" not in body  # not of record yet
    assert reverse("filings:document_download", args=[answer.document_id]) not in body
    assert "File a document" in body

    filtered = client.get(case_url(public_case), {"doc_type": "MOTN"}).content.decode()
    assert "Motion to dismiss" in filtered and "Doc 1 — Answer" not in filtered
    assert pending.status == "submitted"


def test_the_panel_offers_e_filing_to_the_attorney_of_record_only(
    client, attorney, outsider, public_case
):
    client.force_login(attorney)
    assert "E-file a document" in client.get(case_url(public_case)).content.decode()
    client.force_login(outsider)
    assert "E-file a document" not in client.get(case_url(public_case)).content.decode()


def test_the_public_sees_public_documents_and_no_filing_button(
    client, clerk, public_case, filing_type
):
    filing = filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Answer",
        confidentiality="confidential",
    )

    body = client.get(case_url(public_case)).content.decode()

    assert "No documents." in body
    assert "File a document" not in body
    hidden = reverse("filings:document_download", args=[filing.stamped_document_id])
    assert client.get(hidden).status_code == 404


# --- admin ---------------------------------------------------------------------------------------


def test_the_admin_pages_open(client, make_user, clerk, public_case, filing_type):
    filing = filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Answer",
    )
    admin = make_user(Role.CLERK, [], username="admin_user", is_superuser=True, is_staff=True)
    client.force_login(admin)

    for url in (
        reverse("admin:filings_filingtype_changelist"),
        reverse("admin:filings_rejectionreason_changelist"),
        reverse("admin:filings_document_changelist"),
        reverse("admin:filings_filing_changelist"),
        reverse("admin:filings_filing_change", args=[filing.pk]),
        reverse("admin:filings_document_change", args=[filing.document_id]),
    ):
        assert client.get(url).status_code == 200, url
