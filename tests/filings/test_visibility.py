"""Who sees which documents and filings; everyone else gets 404, on pages and API alike.

Issue 4, "Done when": an attorney who is not of record cannot submit to, see, or
download anything of a confidential or sealed case (404), on pages and API alike.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from cases.models import Case
from cases.policies import can_keep_record, case_access_level
from cases.services import AppearanceInput, case_details_update
from filings.models import Document, DocumentKind, Filing
from filings.policies import LEVEL_ALLOWS, keeps_record_at_level
from filings.selectors import document_list_visible, filing_list_visible
from filings.services import document_store, filing_accept, filing_file_at_counter, filing_submit
from tests.cases.factories import open_case

from .pdfs import pdf_bytes, upload


def api_for(user) -> APIClient:
    client = APIClient()
    _token, key = api_token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- the rule, against cases.policies.case_access_level -----------------------------------------


@pytest.fixture
def world(court_a, court_b, cv_type, clerk, supervisor, attorney, outsider, make_user, judge_a):
    """Cases at every confidentiality, each with a document at every confidentiality."""
    granted_attorney = make_user(Role.ATTORNEY, [court_a], username="attorney_granted")
    granted_clerk = make_user(Role.CLERK, [court_a], username="clerk_granted")
    users = {
        "public": AnonymousUser(),
        "clerk": clerk,
        "clerk_b": make_user(Role.CLERK, [court_b], username="clerk_b"),
        "supervisor": supervisor,
        "judge_assigned": judge_a,
        "judge_other": make_user(Role.JUDGE, [court_a], username="judge_other"),
        "coordinator": make_user(Role.PROGRAM_COORDINATOR, [court_a], username="coord"),
        "attorney_of_record": attorney,
        "attorney_not_of_record": outsider,
        "attorney_granted": granted_attorney,
        "clerk_granted": granted_clerk,
        "superuser": make_user(Role.CLERK, [], username="root", is_superuser=True),
        "inactive_clerk": make_user(Role.CLERK, [court_a], username="gone", is_active=False),
    }
    cases = []
    for confidentiality in ("public", "confidential", "sealed"):
        case = open_case(
            case_type=cv_type,
            opened_by=clerk,
            appearances=[AppearanceInput(attorney=attorney, party_index=0)],
            confidentiality=confidentiality,
            judge=judge_a,
        )
        assign_perm("cases.view_sealed_case", granted_attorney, case)
        assign_perm("cases.view_sealed_case", granted_clerk, case)
        for doc_confidentiality in ("public", "confidential", "sealed"):
            document_store(
                case=case,
                upload=upload(pdf_bytes(1)),
                uploaded_by=clerk,
                title=f"{confidentiality}/{doc_confidentiality}",
                kind=DocumentKind.ISSUED,
                confidentiality=doc_confidentiality,
            )
        cases.append(case)
    return users, cases


@pytest.fixture
def judge_a(make_user, court_a):
    return make_user(Role.JUDGE, [court_a], username="judge_a")


def test_documents_are_visible_exactly_as_deep_as_the_case_may_be_read(world):
    users, _cases = world
    for name, user in users.items():
        # Expected, from the case rules: the case is visible and the document's
        # confidentiality is within the user's access level on it.
        visible_cases = set(Case.objects.visible_to(user).values_list("pk", flat=True))
        expected = {
            d.title
            for d in Document.objects.select_related("case")
            if d.case_id in visible_cases
            and d.confidentiality in LEVEL_ALLOWS[case_access_level(user, d.case)]
        }
        got = set(document_list_visible(user).values_list("title", flat=True))
        assert got == expected, name


def test_the_matrix_says_what_we_mean(world):
    users, _cases = world

    def titles(name):
        return set(document_list_visible(users[name]).values_list("title", flat=True))

    assert titles("public") == {"public/public"}
    assert titles("attorney_not_of_record") == {"public/public"}
    assert titles("attorney_of_record") == {
        "public/public",
        "public/confidential",
        "confidential/public",
        "confidential/confidential",
    }
    assert "sealed/sealed" in titles("supervisor")
    assert "sealed/public" not in titles("clerk")
    assert titles("clerk_b") == {"public/public"}
    assert titles("inactive_clerk") == set()
    assert len(titles("superuser")) == 9


# --- under review -------------------------------------------------------------------------------


def test_a_submission_is_seen_only_by_its_filer_and_the_clerks_office(
    public_case, attorney, clerk, clerk_b, make_user, court_a, filing_type
):
    # Given co-counsel of record for the other side, and a pending e-filing
    other_side = make_user(Role.ATTORNEY, [court_a], username="opposing_counsel")
    from cases.services import appearance_enter

    appearance_enter(
        case=public_case, attorney=other_side, party=public_case.parties.last(), actor=clerk
    )
    filing = filing_submit(
        case=public_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes()),
        filer=attorney,
        title="Motion",
    )

    def sees(user) -> bool:
        return filing_list_visible(user).filter(pk=filing.pk).exists() and (
            document_list_visible(user).filter(pk=filing.document_id).exists()
        )

    # Then only the filer and the court's clerk see it while it is pending
    assert (sees(attorney), sees(clerk)) == (True, True)
    assert (sees(other_side), sees(clerk_b), sees(AnonymousUser())) == (False, False, False)

    # And once accepted, everyone who may read the case does
    filing_accept(filing=filing, clerk=clerk)
    assert (sees(other_side), sees(clerk_b), sees(AnonymousUser())) == (True, True, True)


# --- 404 on pages and API for an attorney not of record ----------------------------------------


@pytest.fixture(params=["confidential_case", "sealed_case"])
def hidden(request, clerk, supervisor, filing_type):
    """A confidential or sealed case with an accepted filing on it."""
    case = request.getfixturevalue(request.param)
    keeper = supervisor if case.confidentiality == "sealed" else clerk
    filing = filing_file_at_counter(
        case=case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=keeper,
        title="Answer",
    )
    return case, filing


def test_an_attorney_not_of_record_gets_404_on_every_page(client, outsider, hidden, filing_type):
    case, filing = hidden
    client.force_login(outsider)
    urls = [
        reverse("filings:new", args=[case.court.code, case.number]),
        reverse("filings:detail", args=[filing.pk]),
        reverse("filings:document_download", args=[filing.stamped_document_id]),
        reverse("filings:document_preview", args=[filing.document_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        urls[0],
        {"filing_type": filing_type("MOTN").pk, "title": "Motion", "file": upload(pdf_bytes())},
    )
    assert posted.status_code == 404
    assert client.post(reverse("filings:accept", args=[filing.pk])).status_code == 404
    assert Filing.objects.count() == 1


def test_an_attorney_not_of_record_gets_404_from_the_api(outsider, hidden):
    case, filing = hidden
    api = api_for(outsider)
    list_url = f"/api/v1/cases/{case.number}/filings/"

    responses = [
        api.get(list_url),
        api.post(
            list_url,
            {"file": upload(pdf_bytes()), "filing_type": "MOTN", "title": "Motion"},
            format="multipart",
        ),
        api.get(f"/api/v1/filings/{filing.pk}/"),
        api.post(f"/api/v1/filings/{filing.pk}/accept/"),
        api.get(f"/api/v1/documents/{filing.stamped_document_id}/download/"),
        api.get(f"/api/v1/documents/{filing.document_id}/download/"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert {r.json()["code"] for r in responses} == {"NOT_FOUND"}
    assert Filing.objects.count() == 1


def test_missing_and_hidden_filings_answer_alike(outsider, hidden):
    _case, filing = hidden
    api = api_for(outsider)

    hidden_answer = api.get(f"/api/v1/filings/{filing.pk}/")
    missing_answer = api.get("/api/v1/filings/999999/")

    assert hidden_answer.json() == missing_answer.json()


def test_the_attorney_of_record_sees_a_confidential_cases_filings(
    attorney, confidential_case, clerk, filing_type
):
    filing = filing_file_at_counter(
        case=confidential_case,
        filing_type=filing_type("ANSW"),
        upload=upload(pdf_bytes()),
        clerk=clerk,
        title="Answer",
    )
    api = api_for(attorney)

    listed = api.get(f"/api/v1/cases/{confidential_case.number}/filings/")
    download = api.get(f"/api/v1/documents/{filing.stamped_document_id}/download/")

    assert [f["id"] for f in listed.json()["results"]] == [filing.pk]
    assert download.status_code == 200


def test_a_judge_reassigned_away_from_a_sealed_case_loses_its_documents(
    sealed_case, supervisor, make_user, court_a, filing_type
):
    judge = make_user(Role.JUDGE, [court_a], username="judge_sealed")
    case_details_update(case=sealed_case, actor=supervisor, judge=judge)
    filing = filing_file_at_counter(
        case=sealed_case,
        filing_type=filing_type("ORDR"),
        upload=upload(pdf_bytes()),
        clerk=supervisor,
        title="Order",
    )
    assert document_list_visible(judge).filter(pk=filing.stamped_document_id).exists()

    case_details_update(case=sealed_case, actor=supervisor, judge=None)

    assert not document_list_visible(judge).filter(pk=filing.stamped_document_id).exists()


def test_the_case_panels_keeper_shortcut_agrees_with_can_keep_record(world):
    users, _cases = world
    for name, user in users.items():
        for case in Case.objects.visible_to(user):
            level = case_access_level(user, case)
            assert keeps_record_at_level(user, level) == can_keep_record(user, case), name
