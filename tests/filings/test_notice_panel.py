"""The case page's Notices panel: kind, issued date, each recipient's delivery status,
seen by the rules of the notice's document, in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from casemgmt.core.roles import Role
from cases.services import case_confidentiality_set, docket_entry_record
from filings.models.notices import DeliveryStatus, NoticeKind, NoticeRecipient, NoticeStatus
from filings.notices import notice_issue
from filings.services import document_store
from tests.filings.pdfs import pdf_bytes, upload
from tests.filings.test_notices_support import HEARING_CONTEXT, case_with_parties


@pytest.fixture
def case(court_a, clerk):
    return case_with_parties(court_a, clerk)


def _issue(case, clerk, capture):
    with capture(execute=False):  # not rendered: no worker here
        return notice_issue(
            case=case, issued_by=clerk, kind=NoticeKind.HEARING_NOTICE, context=HEARING_CONTEXT
        )


def _mark_rendered(notice, clerk, *, confidentiality):
    document = document_store(
        case=notice.case,
        upload=upload(pdf_bytes(), name="notice.pdf"),
        uploaded_by=clerk,
        title="Notice of hearing",
        kind="issued",
        confidentiality=confidentiality,
    )
    entry = docket_entry_record(
        case=notice.case, event_code="NOTC", text="Notice", recorded_by=clerk
    )
    type(notice).objects.filter(pk=notice.pk).update(
        status=NoticeStatus.RENDERED,
        document=document,
        docket_entry=entry,
        rendered_at=timezone.now(),
    )


def _page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.court.code, case.number]))
    assert response.status_code == 200
    return response


def _panel(response) -> dict:
    return next(p for p in response.context["panels"] if p["key"] == "notices")


def test_panel_lists_notices_with_each_recipients_delivery_status(
    client, clerk, case, django_capture_on_commit_callbacks
):
    notice = _issue(case, clerk, django_capture_on_commit_callbacks)
    recipients = list(notice.recipients.order_by("position"))
    statuses = [DeliveryStatus.SENT, DeliveryStatus.NO_ADDRESS, DeliveryStatus.FAILED]
    for recipient, status in zip(recipients, statuses, strict=False):
        NoticeRecipient.objects.filter(pk=recipient.pk).update(
            delivery_status=status, sent_at=timezone.now()
        )

    response = _page(client, clerk, case)

    [shown] = _panel(response)["notices"]
    assert shown.pk == notice.pk
    html = response.content.decode()
    assert timezone.localtime(notice.issued_at, case.court.tzinfo).strftime("%Y-%m-%d") in html
    assert shown.get_kind_display() in html
    for recipient in recipients:
        assert recipient.name in html
    assert ">sent<" in html and ">no address<" in html and ">failed<" in html


def test_pending_delivery_is_shown_as_pending(
    client, clerk, case, django_capture_on_commit_callbacks
):
    _issue(case, clerk, django_capture_on_commit_callbacks)

    html = _page(client, clerk, case).content.decode()

    assert ">pending<" in html


def test_notices_follow_their_documents_visibility(
    client, clerk, make_user, court_a, case, django_capture_on_commit_callbacks
):
    """A rendered notice whose document is sealed is not shown to a clerk without access;
    the public (an attorney not of record) sees no notice at all (their documents are
    confidential); a supervisor sees both."""
    sealed_one = _issue(case, clerk, django_capture_on_commit_callbacks)
    _mark_rendered(sealed_one, clerk, confidentiality="sealed")
    open_one = _issue(case, clerk, django_capture_on_commit_callbacks)
    _mark_rendered(open_one, clerk, confidentiality="confidential")
    outsider = make_user(Role.ATTORNEY, [court_a], username="not_of_record")
    supervisor = make_user(Role.SUPERVISOR, [court_a], username="sup_notices")

    assert [n.pk for n in _panel(_page(client, clerk, case))["notices"]] == [open_one.pk]
    assert _panel(_page(client, outsider, case))["notices"] == []
    assert {n.pk for n in _panel(_page(client, supervisor, case))["notices"]} == {
        sealed_one.pk,
        open_one.pk,
    }


def test_pending_notice_of_a_sealed_case_is_for_those_who_read_it_sealed(
    client, clerk, make_user, court_a, case, django_capture_on_commit_callbacks
):
    supervisor = make_user(Role.SUPERVISOR, [court_a], username="sup_sealer")
    case_confidentiality_set(case=case, confidentiality="sealed", reason="Order.", actor=supervisor)
    notice = _issue(case, supervisor, django_capture_on_commit_callbacks)

    assert [n.pk for n in _panel(_page(client, supervisor, case))["notices"]] == [notice.pk]


@pytest.mark.parametrize("count", [1, 6])
def test_panel_queries_do_not_grow_with_notices(
    client, clerk, case, count, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(count):
        _issue(case, clerk, django_capture_on_commit_callbacks)
    client.force_login(clerk)

    with django_assert_max_num_queries(22):  # tests/cases/test_pages.py's budget
        response = client.get(reverse("cases:detail", args=[case.court.code, case.number]))

    assert len(_panel(response)["notices"]) == count
