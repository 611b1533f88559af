"""Notice pages: issue a batch, watch its progress (htmx polling, role=status), 404 parity."""

from __future__ import annotations

import pytest
from django.urls import reverse

import filings.notice_admin  # noqa: F401  (registers the admin, as filings/admin.py will)
from casemgmt.core.roles import Role
from filings import tasks
from filings.models.notices import NoticeBatch, NoticeBatchStatus, NoticeKind
from filings.notices import notice_batch_create, notice_batch_issue
from tests.filings.test_notices_support import HEARING_CONTEXT, case_with_parties


@pytest.fixture
def case(court_a, clerk):
    return case_with_parties(court_a, clerk)


@pytest.fixture
def batch(case, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return notice_batch_create(
            court=case.court,
            kind=NoticeKind.HEARING_NOTICE,
            case_ids=[case.pk],
            context=HEARING_CONTEXT,
            created_by=clerk,
        )


def test_batch_page_polls_every_two_seconds_while_running(client, clerk, batch):
    client.force_login(clerk)

    page = client.get(reverse("notices:batch_detail", args=[batch.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'role="status"' in html and "Waiting for a worker to start" in html
    assert f'hx-get="{reverse("notices:batch_progress", args=[batch.pk])}"' in html
    assert 'hx-trigger="every 2s"' in html and 'hx-swap="outerHTML"' in html
    assert '<progress id="batch-progress-bar" max="1" value="0">' in html


def test_progress_partial_stops_polling_when_the_batch_is_over(
    client, clerk, batch, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    NoticeBatch.objects.filter(pk=batch.pk).update(status=NoticeBatchStatus.RUNNING)
    url = reverse("notices:batch_progress", args=[batch.pk])

    running = client.get(url, headers={"HX-Request": "true"}).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        notice_batch_issue(batch_id=batch.pk)
    over = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "Issuing: 0 of 1 cases done (0%)" in running and "every 2s" in running
    assert "<html" not in running  # a partial
    assert "Finished: 1 notice issued, 0 cases refused." in over
    assert "hx-trigger" not in over


@pytest.mark.parametrize("who", ["clerk_b", "attorney", "anonymous"])
def test_batch_of_another_court_is_404_like_a_missing_one(
    client, batch, who, make_user, court_b, attorney
):
    users = {
        "clerk_b": lambda: make_user(Role.CLERK, [court_b], username="clerk_b"),
        "attorney": lambda: attorney,
        "anonymous": lambda: None,
    }
    user = users[who]()
    if user is not None:
        client.force_login(user)

    for name in ("notices:batch_detail", "notices:batch_progress"):
        page = client.get(reverse(name, args=[batch.pk]))
        missing = client.get(reverse(name, args=[batch.pk + 1000]))
        if user is None:
            assert page.status_code == missing.status_code == 302  # to the login page
        elif user.role == Role.ATTORNEY:
            assert page.status_code == missing.status_code == 403  # not a staff page at all
        else:
            assert page.status_code == missing.status_code == 404


def test_clerk_issues_a_batch_from_the_form(
    client, clerk, case, django_capture_on_commit_callbacks
):
    client.force_login(clerk)
    form = client.get(reverse("notices:batch_new"), {"kind": NoticeKind.PAYMENT_REMINDER})
    assert "Amount due" in form.content.decode() and "Due date" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = client.post(
            reverse("notices:batch_new"),
            {
                "court": case.court.pk,
                "kind": NoticeKind.HEARING_NOTICE,
                "cases": f"{case.number}\n{case.number}",
                "hearing_type": "Arraignment",
                "hearing_type_es": "Lectura de cargos",
                "hearing_date": "2026-03-02",
                "hearing_time": "09:30",
                "courtroom": "Courtroom 6A",
            },
        )

    batch = NoticeBatch.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("notices:batch_detail", args=[batch.pk])
    assert batch.case_ids == [case.pk]
    assert batch.context["hearing_type"] == {"en": "Arraignment", "es": "Lectura de cargos"}
    assert [c.func for c in callbacks] == [tasks.notice_batch_issue_task.delay]


def test_form_refuses_unknown_case_numbers_and_writes_nothing(client, clerk, case):
    client.force_login(clerk)

    answer = client.post(
        reverse("notices:batch_new"),
        {
            "court": case.court.pk,
            "kind": NoticeKind.SUMMONS,
            "cases": f"{case.number}, 1999-CR-999999",
            "response_days": "20",
        },
    )

    assert answer.status_code == 200
    assert "No such case in Alpha County Court: 1999-CR-999999" in answer.content.decode()
    assert not NoticeBatch.objects.exists()


def test_changing_the_kind_swaps_its_fields_by_htmx(client, clerk, case):
    client.force_login(clerk)

    answer = client.get(
        reverse("notices:batch_new"),
        {"kind": NoticeKind.ORDER},
        headers={"HX-Request": "true", "HX-Target": "kind-fields"},
    )

    html = answer.content.decode()
    assert html.lstrip().startswith('<fieldset class="usa-fieldset" id="kind-fields">')
    assert "Order text" in html and "Judge name" in html and "Hearing date" not in html


def test_attorney_cannot_open_the_batch_form(client, attorney):
    client.force_login(attorney)

    assert client.get(reverse("notices:batch_new")).status_code == 403


def test_admin_saves_a_change_of_wording_as_a_new_version(client, case, clerk, make_user):
    from filings.models.notices import NoticeTemplate
    from filings.notices import notice_issue

    admin_user = make_user(Role.SUPERVISOR, username="root", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    used = notice_issue(
        case=case, kind=NoticeKind.HEARING_NOTICE, context=HEARING_CONTEXT, issued_by=clerk
    ).template

    answer = client.post(
        reverse("admin:filings_noticetemplate_change", args=[used.pk]),
        {"subject": used.subject, "body": "New wording for {{ hearing_type }}."},
    )

    assert answer.status_code == 302
    used.refresh_from_db()
    latest = NoticeTemplate.objects.get(
        court=used.court, kind=used.kind, language="en", is_active=True
    )
    assert (latest.version, latest.body) == (2, "New wording for {{ hearing_type }}.")
    assert used.is_active is False and "New wording" not in used.body

    refused = client.post(
        reverse("admin:filings_noticetemplate_change", args=[latest.pk]),
        {"subject": used.subject, "body": "{{ hearing_dat }}"},
    )
    assert refused.status_code == 200 and "Unknown names: hearing_dat" in refused.content.decode()
