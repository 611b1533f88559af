"""The case file's Deadlines panel (docket.deadline_panels) and the case's deadline page
(/deadlines/case/<court>/<number>/): open deadlines first with due date, days left, who
must act, the rule and its citation, and the steps to unfold; one query for the panel.
The clerk's office sets deadlines by hand and closes them on the page; anyone else who
can see the case reads it (403 on the forms); a case out of sight is 404.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.policies import CONFIDENTIAL, PUBLIC
from docket.deadline_panels import deadlines_panel_context
from docket.deadline_services import HandDeadline, deadline_set_by_hand, deadline_vacate
from docket.models import Deadline, DeadlineStatus

from .test_deadline_services import civil_case, make_civil_type, make_defense, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def cv_type(court_a):
    return make_civil_type(court_a)


@pytest.fixture
def defense(make_user, court_a):
    return make_defense(make_user, court_a)


D = dt.date.fromisoformat


@pytest.fixture
def case_with_deadlines(cv_type, clerk, defense):
    """A civil case (defendant represented): overdue, due tomorrow and in 7 days, and one
    vacated."""
    case = civil_case(cv_type, clerk, for_defendant=[defense])
    today = case.court.local_today()
    for days, name in [(-3, "Overdue report"), (1, "Exhibit list due"), (7, "Witness list due")]:
        deadline_set_by_hand(
            case=case,
            data=HandDeadline(
                name=name,
                reason="Pretrial order.",
                due_on=today + dt.timedelta(days=days),
                responsible_role="defendant",
                owner=defense,
            ),
            set_by=clerk,
        )
    record(case, "SRVC", clerk, on=D("2025-03-01"))  # answer due 2025-03-24, vacated below
    deadline_vacate(
        deadline=Deadline.objects.get(case=case, name="Answer due"),
        by=clerk,
        reason="Opened in error.",
    )
    return case


def panel(user, case, level):
    request = RequestFactory().get("/")
    request.user = user
    return deadlines_panel_context(request, SimpleNamespace(case=case, level=level))


def test_the_panel_lists_open_deadlines_first_with_days_left_in_one_query(
    case_with_deadlines, clerk, django_assert_num_queries
):
    with django_assert_num_queries(1):
        context = panel(clerk, case_with_deadlines, CONFIDENTIAL)

    assert [i["deadline"].name for i in context["active"]] == [
        "Overdue report",
        "Exhibit list due",
        "Witness list due",
    ]
    overdue, tomorrow, week = context["active"]
    assert (overdue["overdue"], overdue["overdue_days"]) == (True, 3)
    assert (tomorrow["days_left"], tomorrow["soon"]) == (1, True)
    assert week["days_left"] == 7
    assert week["who"] == "Defendant" and week["owner"] == "Pat Defense"
    assert [i["deadline"].name for i in context["closed"]] == ["Answer due"]
    (vacated,) = context["closed"]
    assert vacated["reason"] == "Opened in error."
    assert vacated["citation"] == "FRCP 12(a)(1)(A)(i)"
    assert context["can_set"] is True


def test_the_panel_costs_one_query_however_many_deadlines(
    case_with_deadlines, clerk, django_assert_num_queries
):
    for i in range(30):
        record(case_with_deadlines, "MOTN", clerk, text=f"Motion {i}")
    with django_assert_num_queries(1):
        context = panel(clerk, case_with_deadlines, CONFIDENTIAL)
    assert len(context["active"]) == 33


def test_the_public_reads_no_reasons_and_gets_no_forms(case_with_deadlines, make_user, court_b):
    reader = make_user(Role.CLERK, [court_b])
    context = panel(reader, case_with_deadlines, PUBLIC)
    assert context["closed"][0]["reason"] == ""
    assert context["can_set"] is False


def test_the_case_page_shows_the_panel_with_its_steps(client, case_with_deadlines, clerk):
    client.force_login(clerk)
    page = client.get(
        reverse("cases:detail", args=[case_with_deadlines.court.code, case_with_deadlines.number])
    ).content.decode()
    assert 'id="panel-deadlines"' in page
    assert "3 days overdue" in page and "1 day left" in page and "7 days left" in page
    assert "How the date was computed" in page
    assert "FRCP 12(a)(1)(A)(i)" in page
    assert (
        reverse(
            "case_deadlines:case", args=[case_with_deadlines.court.code, case_with_deadlines.number]
        )
        in page
    )


# --- the case's deadline page ---------------------------------------------------------------


def page_url(case, *rest) -> str:
    return reverse("case_deadlines:case", args=[case.court.code, case.number]) + "".join(rest)


def test_the_clerk_sets_a_deadline_by_hand_on_the_page(client, case_with_deadlines, clerk):
    case = case_with_deadlines
    client.force_login(clerk)
    form = client.get(page_url(case))
    assert "Set a deadline by hand" in form.content.decode()

    response = client.post(
        reverse("case_deadlines:new", args=[case.court.code, case.number]),
        {
            "name": "Reply due",
            "days": "14",
            "direction": "after",
            "trigger_on": "2025-03-08",
            "service": "mail",
            "reason": "Briefing order.",
        },
    )

    assert response.status_code == 302
    reply = Deadline.objects.get(case=case, name="Reply due")
    assert reply.due_on == D("2025-03-27")  # Sat 03-22 -> Mon 03-24, +3 by mail (FRCP 6(d))


def test_a_refused_setting_shows_on_its_field(client, case_with_deadlines, clerk):
    case = case_with_deadlines
    client.force_login(clerk)
    response = client.post(
        reverse("case_deadlines:new", args=[case.court.code, case.number]),
        {"name": "Reply due", "direction": "after", "reason": "Order."},
    )
    assert response.status_code == 200
    assert "Give either the due date or a period" in response.content.decode()
    assert not Deadline.objects.filter(case=case, name="Reply due").exists()


def test_the_clerk_closes_a_deadline_on_the_page(client, case_with_deadlines, clerk):
    case = case_with_deadlines
    deadline = Deadline.objects.get(case=case, name="Exhibit list due")
    client.force_login(clerk)
    close = reverse("case_deadlines:close", args=[case.court.code, case.number, deadline.pk])

    refused = client.post(close, {"action": "waive", "reason": ""})
    assert "Say why the deadline is waived." in refused.content.decode()

    done = client.post(close, {"action": "waive", "reason": "Excused by the court."})
    assert done.status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.WAIVED
    assert AuditEvent.objects.filter(action="deadline.waive", actor=clerk).exists()


def test_others_read_the_page_but_may_not_change_it(
    client, case_with_deadlines, defense, make_user, court_b
):
    case = case_with_deadlines
    deadline = Deadline.objects.get(case=case, name="Exhibit list due")
    client.force_login(defense)

    page = client.get(page_url(case))
    assert page.status_code == 200
    assert "Exhibit list due" in page.content.decode()
    assert "Set a deadline by hand" not in page.content.decode()
    close = reverse("case_deadlines:close", args=[case.court.code, case.number, deadline.pk])
    assert client.post(close, {"action": "waive", "reason": "Mine."}).status_code == 403
    new = reverse("case_deadlines:new", args=[case.court.code, case.number])
    assert client.post(new, {"name": "X", "due_on": "2027-01-04", "reason": "R"}).status_code == 403
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN
    assert AuditEvent.objects.filter(action="access.denied", actor=defense).count() == 2


def test_a_case_out_of_sight_is_404_on_the_page(
    client,
    cv_type,
    clerk,
    make_user,
    court_b,
    outsider,
):
    case = civil_case(cv_type, clerk, confidentiality="confidential")
    for user in (make_user(Role.CLERK, [court_b]), outsider):
        client.force_login(user)
        assert client.get(page_url(case)).status_code == 404
    client.logout()
    assert client.get(page_url(case)).status_code == 404
