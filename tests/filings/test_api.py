"""REST API v1: cases/{number}/filings/ (multipart), filings/{id}/, accept, reject, downloads."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent
from casemgmt.core.services import api_token_create
from cases.models import DocketEntry
from filings.models import Document, Filing

from .pdfs import HTML, encrypted_pdf, pdf_bytes, sha256, upload


@pytest.fixture
def api(db):
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def post_filing(client, case, *, data=None, filing_type="MOTN", title="Motion to continue"):
    return client.post(
        f"/api/v1/cases/{case.number}/filings/",
        {
            "file": upload(pdf_bytes(2) if data is None else data),
            "filing_type": filing_type,
            "title": title,
        },
        format="multipart",
    )


def test_the_clerks_office_files_at_the_counter(api, clerk, public_case):
    response = post_filing(api(clerk), public_case, filing_type="answ", title="Answer")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["channel"], body["doc_number"]) == ("accepted", "counter", 1)
    assert body["case"] == public_case.number
    assert body["filing_type"] == {"code": "ANSW", "name": "Answer", "event_code": "ANSW"}
    assert body["stamped_document"]["kind"] == "stamped"
    assert body["docket_seq"] == DocketEntry.objects.get(event_code="ANSW").seq
    assert response["Location"] == f"/api/v1/filings/{body['id']}/"
    assert body["submitted_at"].endswith(("-05:00", "-04:00"))  # the court's local time


def test_an_attorney_of_record_submits_for_review(api, attorney, public_case):
    data = pdf_bytes(3)

    response = post_filing(api(attorney), public_case, data=data)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["channel"], body["doc_number"]) == ("submitted", "efiling", None)
    assert body["document"]["sha256"] == sha256(data)
    assert body["document"]["page_count"] == 3
    assert (body["stamped_document"], body["docket_seq"], body["rejection"]) == (None, None, None)


def test_an_attorney_not_of_record_on_a_public_case_is_forbidden(api, outsider, public_case):
    response = post_filing(api(outsider), public_case)

    assert response.status_code == 403
    assert response.json()["code"] == "NOT_OF_RECORD"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "DOCUMENT_EMPTY"),
        (HTML, "DOCUMENT_NOT_PDF"),
        (encrypted_pdf(), "DOCUMENT_ENCRYPTED"),
        (pdf_bytes(2)[:300], "DOCUMENT_CORRUPT"),
    ],
)
def test_a_bad_document_answers_422_on_the_file_field(
    api, attorney, public_case, stored_files, data, code
):
    response = post_filing(api(attorney), public_case, data=data)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    assert body["fields"]["file"][0]["code"] == code
    assert stored_files() == []
    assert not Filing.objects.exists()


def test_too_large_answers_422(api, attorney, public_case, settings):
    settings.FILINGS_MAX_UPLOAD_BYTES = 1000

    response = post_filing(api(attorney), public_case, data=pdf_bytes(10))

    assert (response.status_code, response.json()["code"]) == (422, "DOCUMENT_TOO_LARGE")


def test_input_errors_answer_400_with_fields(api, attorney, public_case):
    response = api(attorney).post(
        f"/api/v1/cases/{public_case.number}/filings/", {"title": ""}, format="multipart"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"file", "filing_type", "title"}


def test_an_unknown_filing_type_is_refused(api, attorney, public_case):
    response = post_filing(api(attorney), public_case, filing_type="NOPE")

    assert (response.status_code, response.json()["code"]) == (422, "UNKNOWN_FILING_TYPE")


def test_review_through_the_api(api, attorney, clerk, public_case):
    filed = post_filing(api(attorney), public_case).json()
    other = post_filing(api(attorney), public_case, title="Second motion").json()
    clerk_api = api(clerk)

    accepted = clerk_api.post(f"/api/v1/filings/{filed['id']}/accept/")
    again = clerk_api.post(f"/api/v1/filings/{filed['id']}/accept/")
    rejected = clerk_api.post(
        f"/api/v1/filings/{other['id']}/reject/",
        {"reason": "OTHER", "note": "Wrong county."},
        format="json",
    )
    no_note = clerk_api.post(f"/api/v1/filings/{filed['id']}/reject/", {"reason": "OTHER"})

    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["doc_number"]) == ("accepted", 1)
    assert (again.status_code, again.json()["code"]) == (409, "FILING_ALREADY_REVIEWED")
    assert rejected.status_code == 200
    assert rejected.json()["rejection"] == {
        "code": "OTHER",
        "text": "Other (see the clerk's note)",
        "note": "Wrong county.",
    }
    assert no_note.status_code == 409  # already reviewed comes first


def test_attorneys_cannot_accept(api, attorney, public_case):
    filed = post_filing(api(attorney), public_case).json()

    response = api(attorney).post(f"/api/v1/filings/{filed['id']}/accept/")

    assert (response.status_code, response.json()["code"]) == (403, "NOT_A_RECORD_KEEPER")


def test_lists_and_details(api, attorney, clerk, public_case, outsider):
    post_filing(api(clerk), public_case, filing_type="ANSW", title="Answer")
    pending = post_filing(api(attorney), public_case).json()

    mine = api(attorney).get(f"/api/v1/cases/{public_case.number}/filings/").json()
    theirs = api(outsider).get(f"/api/v1/cases/{public_case.number}/filings/").json()
    detail = api(attorney).get(f"/api/v1/filings/{pending['id']}/")

    assert [f["status"] for f in mine["results"]] == ["accepted", "submitted"]
    assert [f["status"] for f in theirs["results"]] == ["accepted"]  # not their submission
    assert detail.json()["id"] == pending["id"]


def test_download_streams_the_bytes_and_audits_confidential_cases(
    api, attorney, clerk, confidential_case
):
    data = pdf_bytes(2)
    filed = post_filing(api(attorney), confidential_case, data=data).json()

    response = api(attorney).get(f"/api/v1/documents/{filed['document']['id']}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == data
    audit = AuditEvent.objects.get(action="document.download")
    assert (audit.actor, audit.details["surface"]) == (attorney, "api.download")


def test_downloads_of_public_documents_of_public_cases_are_not_audited(api, clerk, public_case):
    filed = post_filing(api(clerk), public_case, filing_type="ANSW").json()

    response = api().get(f"/api/v1/documents/{filed['stamped_document']['id']}/download/")

    assert response.status_code == 401  # the API needs an account
    api(clerk).get(f"/api/v1/documents/{filed['stamped_document']['id']}/download/")
    assert not AuditEvent.objects.filter(action="document.download").exists()
    assert Document.objects.count() == 2


def test_openapi_schema_lists_the_filings_paths(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in (
        "/api/v1/cases/{number}/filings/",
        "/api/v1/filings/{id}/accept/",
        "/api/v1/filings/{id}/reject/",
        "/api/v1/documents/{id}/download/",
    ):
        assert path in schema
