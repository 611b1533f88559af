"""Sealing an existing document (issue 4, item 7): by a judge or supervisor of the court,
never below its case, with a reason, docketed and audited; then hidden (404) from whoever
may not read sealed content, on pages and API, and every entitled access is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import DocketEntry
from filings.models import Document
from filings.services import document_confidentiality_set, filing_file_at_counter

from .pdfs import pdf_bytes, upload
from .test_visibility import api_for


@pytest.fixture
def filing(public_case, clerk, filing_type):
    return filing_file_at_counter(
        case=public_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Motion to seal the medical report",
    )


def _seal(filing, actor, **kwargs):
    kwargs.setdefault("confidentiality", "sealed")
    kwargs.setdefault("reason", "Order of 2026-03-02 granting the motion to seal.")
    return document_confidentiality_set(document=filing.stamped_document, actor=actor, **kwargs)


def test_supervisor_seals_a_document_with_its_family_a_docket_entry_and_an_audit(
    filing, supervisor
):
    sealed = _seal(filing, supervisor)

    assert sealed.confidentiality == "sealed"
    family = Document.objects.filter(pk__in=[filing.document_id, filing.stamped_document_id])
    assert set(family.values_list("confidentiality", flat=True)) == {"sealed"}
    entry = DocketEntry.objects.filter(case=filing.case).order_by("-seq").first()
    assert entry.event_code == "SEAL"
    assert "Doc 1 made sealed" in entry.text and "2026-03-02" in entry.text
    assert "medical report" not in entry.text
    audit = AuditEvent.objects.get(action="document.confidentiality")
    assert audit.details["from"] == "public" and audit.details["to"] == "sealed"


def test_judge_of_the_court_may_mark_confidential_with_conf_entry(filing, make_user, court_a):
    judge = make_user(Role.JUDGE, [court_a], username="judge_conf")

    document_confidentiality_set(
        document=filing.stamped_document,
        confidentiality="confidential",
        reason="Contains an account number.",
        actor=judge,
    )

    entry = DocketEntry.objects.filter(case=filing.case).order_by("-seq").first()
    assert entry.event_code == "CONF"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"reason": "  "}, "REASON_REQUIRED"),
        ({"confidentiality": "public"}, "CONFIDENTIALITY_UNCHANGED"),
        ({"confidentiality": "secret"}, "UNKNOWN_CONFIDENTIALITY"),
    ],
)
def test_refusals(filing, supervisor, changes, code):
    with pytest.raises(DomainError) as caught:
        _seal(filing, supervisor, **changes)
    assert caught.value.code == code
    assert not AuditEvent.objects.filter(action="document.confidentiality").exists()


def test_never_less_restricted_than_its_case(confidential_case, clerk, supervisor, filing_type):
    filing = filing_file_at_counter(
        case=confidential_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Motion",
    )
    with pytest.raises(DomainError) as caught:
        _seal(filing, supervisor, confidentiality="public")
    assert caught.value.code == "CONFIDENTIALITY_BELOW_CASE"


def test_a_clerk_may_not_seal(filing, clerk):
    with pytest.raises(DomainError) as caught:
        _seal(filing, clerk)
    assert caught.value.code == "NOT_A_SEALER" and caught.value.status == 403


def test_sealed_document_is_404_for_a_clerk_without_access_on_page_download_and_api(
    client, filing, clerk, supervisor
):
    _seal(filing, supervisor)
    client.force_login(clerk)
    api = api_for(clerk)

    for url in [
        reverse("filings:detail", args=[filing.pk]),
        reverse("filings:document_download", args=[filing.stamped_document_id]),
        reverse("filings:document_preview", args=[filing.document_id]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/api/v1/filings/{filing.pk}/",
        f"/api/v1/documents/{filing.stamped_document_id}/download/",
        f"/api/v1/documents/{filing.document_id}/download/",
    ]:
        assert api.get(url).status_code == 404, url
    listed = api.get(f"/api/v1/cases/{filing.case.number}/filings/")
    assert filing.pk not in [row["id"] for row in listed.json().get("results", listed.json())]
    case_page = client.get(
        reverse("cases:detail", args=[filing.case.court.code, filing.case.number])
    )
    [panel] = [p for p in case_page.context["panels"] if p["key"] == "documents"]
    assert filing.stamped_document_id not in [d.pk for d in panel["documents"]]


def test_each_access_by_an_entitled_user_is_audited(client, filing, supervisor):
    _seal(filing, supervisor)
    client.force_login(supervisor)
    api = api_for(supervisor)

    assert client.get(reverse("filings:detail", args=[filing.pk])).status_code == 200
    download = client.get(reverse("filings:document_download", args=[filing.stamped_document_id]))
    assert download.status_code == 200
    assert api.get(f"/api/v1/filings/{filing.pk}/").status_code == 200
    api_download = api.get(f"/api/v1/documents/{filing.stamped_document_id}/download/")
    assert api_download.status_code == 200

    surfaces = sorted(
        e.details["surface"]
        for e in AuditEvent.objects.filter(
            action__in=["document.read", "document.download"], actor=supervisor
        )
    )
    assert surfaces == ["api.download", "api.filing", "page.download", "page.filing"]


def test_the_form_is_on_the_filing_page_for_sealers_only(client, filing, clerk, supervisor):
    url = reverse("filings:detail", args=[filing.pk])
    client.force_login(clerk)
    assert "Change confidentiality" not in client.get(url).content.decode()

    client.force_login(supervisor)
    assert "Change confidentiality" in client.get(url).content.decode()
    posted = client.post(
        reverse("filings:document_confidentiality", args=[filing.document_id]),
        {"conf-confidentiality": "sealed", "conf-reason": "Order of 2026-03-02."},
    )

    assert posted.status_code == 302 and posted.url == url
    filing.document.refresh_from_db()
    assert filing.document.confidentiality == "sealed"


def test_a_clerk_posting_the_form_is_refused(client, filing, clerk):
    client.force_login(clerk)
    posted = client.post(
        reverse("filings:document_confidentiality", args=[filing.document_id]),
        {"conf-confidentiality": "sealed", "conf-reason": "Because."},
    )
    assert posted.status_code == 403
    filing.document.refresh_from_db()
    assert filing.document.confidentiality == "public"


def test_sealing_a_document_hides_the_entry_that_recorded_its_filing(
    filing, clerk, supervisor, client
):
    # The entry "Motion: <title> (Doc n)" names the document; entries are never edited,
    # so sealing records a restriction that the register honours for everyone.
    from cases.selectors import docket_entry_list_visible

    entry = filing.docket_entry
    case = filing.case
    assert entry in docket_entry_list_visible(clerk, case)

    _seal(filing, supervisor)

    assert entry not in docket_entry_list_visible(clerk, case)
    assert entry in docket_entry_list_visible(supervisor, case)
    client.force_login(clerk)
    page = client.get(reverse("cases:detail", args=[case.court.code, case.number]))
    assert entry.text not in page.content.decode()
    entry.refresh_from_db()
    assert entry.confidentiality == "public"  # the entry itself is unchanged
    assert AuditEvent.objects.filter(action="docket.restrict", object_id=str(entry.pk)).exists()

    # Unsealing (to confidential) brings it back for the clerk.
    document_confidentiality_set(
        document=filing.document, confidentiality="confidential", reason="Order", actor=supervisor
    )
    assert entry in docket_entry_list_visible(clerk, case)


def test_the_api_list_audits_each_sealed_filing_shown_to_an_entitled_reader(
    filing, supervisor, clerk
):
    from rest_framework.test import APIClient

    _seal(filing, supervisor)
    client = APIClient()
    client.force_authenticate(supervisor)

    listed = client.get(f"/api/v1/cases/{filing.case.number}/filings/").json()["results"]
    client.force_authenticate(clerk)  # not entitled: the sealed filing is not listed
    hidden = client.get(f"/api/v1/cases/{filing.case.number}/filings/").json()["results"]

    assert [f["id"] for f in listed] == [filing.pk]
    assert hidden == []
    reads = AuditEvent.objects.filter(action="document.read", details__surface="api.filings")
    assert [(e.actor, e.details["filing"]) for e in reads] == [(supervisor, filing.pk)]
