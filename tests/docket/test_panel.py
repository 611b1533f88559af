"""The case file's Hearings panel: upcoming and past hearings with their outcomes and
continuances, the schedule link for record keepers, and a one-query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casemgmt.core.roles import Role
from cases.selectors import case_file_get
from docket.models import ContinuanceReason, HearingStatus, HearingType
from docket.panels import hearings_panel_context
from tests.core.factories import AttorneyProfileFactory
from tests.docket.factories import case_types, case_with_people, courtroom, hearing

pytestmark = pytest.mark.django_db


@pytest.fixture
def types(court_a):
    return case_types(court_a)


@pytest.fixture
def case(types, clerk):
    return case_with_people(types["CR"], opened_by=clerk, last_name="Doe")


def page(client, case):
    return client.get(reverse("cases:detail", args=[case.court.code, case.number]))


def panel_of(response) -> dict:
    return next(p for p in response.context["panels"] if p["key"] == "hearings")


def test_upcoming_soonest_first_and_past_latest_first_with_outcomes_and_continuances(
    client, clerk, court_a, case, make_user
):
    # given a held arraignment, a pretrial continued to a later day, and a trial ahead
    judge = make_user(Role.JUDGE, [court_a], first_name="Eva", last_name="Ames")
    today = court_a.local_today()
    room = courtroom(court_a, "Courtroom 3")
    reason = ContinuanceReason.objects.create(
        court=court_a, code="wit", label="Witness unavailable"
    )
    held = hearing(
        case,
        scheduled_by=clerk,
        day=today - dt.timedelta(days=20),
        hearing_type=HearingType.ARRAIGNMENT,
        status=HearingStatus.HELD,
        outcome="Plea of not guilty entered.",
        room=room,
        judge=judge,
    )
    continued = hearing(
        case,
        scheduled_by=clerk,
        day=today - dt.timedelta(days=6),
        hearing_type=HearingType.PRETRIAL,
        status=HearingStatus.CONTINUED,
        continuance_reason=reason,
        status_reason="The arresting officer is on leave.",
    )
    reset = hearing(
        case,
        scheduled_by=clerk,
        day=today + dt.timedelta(days=10),
        hearing_type=HearingType.PRETRIAL,
        continued_from=continued,
        setting_number=2,
    )
    trial = hearing(
        case,
        scheduled_by=clerk,
        day=today + dt.timedelta(days=40),
        hour=13,
        minutes=240,
        hearing_type=HearingType.TRIAL,
    )
    client.force_login(clerk)

    # when the clerk opens the case page
    response = page(client, case)

    # then the panel lists them with outcomes, reasons and links
    panel = panel_of(response)
    assert [i["hearing"] for i in panel["upcoming"]] == [reset, trial]
    assert [i["hearing"] for i in panel["past"]] == [continued, held]
    html = response.content.decode()
    assert "Plea of not guilty entered." in html
    assert "Witness unavailable" in html and "The arresting officer is on leave." in html
    assert f'href="/hearings/{reset.pk}/"' in html
    assert f'Continued from <a href="/hearings/{continued.pk}/"' in html
    assert "setting 2" in html
    assert "Judge Eva Ames" in html and "Courtroom 3" in html
    assert (
        f'href="/calendar/?court=alpha&amp;date={held.date.isoformat()}&amp;courtroom={room.pk}"'
        in html
    )


def test_record_keepers_get_the_schedule_link_others_do_not(
    client, clerk, court_a, court_b, types, make_user
):
    lawyer = AttorneyProfileFactory(user__courts=[court_a]).user
    case = case_with_people(types["CR"], opened_by=clerk, attorneys=[lawyer])
    schedule = f'href="/hearings/new/alpha/{case.number}/"'
    readers = {
        "clerk": clerk,
        "courtroom clerk": make_user(Role.COURTROOM_CLERK, [court_a]),
        "judge": make_user(Role.JUDGE, [court_a]),
        "attorney of record": lawyer,
        "clerk of another court": make_user(Role.CLERK, [court_b]),
    }
    seen = {}
    for label, user in readers.items():
        client.force_login(user)
        seen[label] = schedule in page(client, case).content.decode()
    client.logout()
    seen["public"] = schedule in page(client, case).content.decode()

    assert seen == {
        "clerk": True,
        "courtroom clerk": True,
        "judge": False,
        "attorney of record": False,
        "clerk of another court": False,
        "public": False,
    }


def test_the_public_sees_the_hearings_but_not_the_reasons_or_interpreters(
    client, clerk, court_a, case
):
    today = court_a.local_today()
    hearing(
        case,
        scheduled_by=clerk,
        day=today + dt.timedelta(days=3),
        status=HearingStatus.VACATED,
        status_reason="Defendant in custody elsewhere (personal).",
        interpreter_language="es",
    )

    html = page(client, case).content.decode()

    assert "Status conference" in html and "Vacated" in html
    assert "custody elsewhere" not in html
    assert "Spanish" not in html


def test_the_panel_costs_one_query_however_many_hearings(clerk, court_a, case):
    # given a case with a dozen hearings, some continued into others
    today = court_a.local_today()
    previous = None
    reason = ContinuanceReason.objects.create(court=court_a, code="c", label="Calendar")
    for i in range(12):
        previous = hearing(
            case,
            scheduled_by=clerk,
            day=today + dt.timedelta(days=i - 6),
            continued_from=previous,
            status=HearingStatus.CONTINUED if i < 11 else HearingStatus.SCHEDULED,
            continuance_reason=reason if i < 11 else None,
        )
    request = RequestFactory().get("/")
    request.user = clerk
    case_file = case_file_get(clerk, case)

    # when the panel's context is made
    with CaptureQueriesContext(connection) as ctx:
        context = hearings_panel_context(request, case_file)

    # then one query, and every hearing is there
    assert len(ctx.captured_queries) == 1
    assert len(context["upcoming"]) + len(context["past"]) == 12
    assert context["schedule_url"] == f"/hearings/new/alpha/{case.number}/"


def test_a_hearing_under_way_is_still_upcoming(clerk, court_a, case):
    now = timezone.localtime(timezone.now(), court_a.tzinfo)
    started = hearing(
        case,
        scheduled_by=clerk,
        day=now.date(),
        hour=now.hour,
        minute=0,
        minutes=24 * 60,  # ends tomorrow at this hour at the latest
    )
    request = RequestFactory().get("/")
    request.user = clerk

    context = hearings_panel_context(request, case_file_get(clerk, case))

    assert [i["hearing"] for i in context["upcoming"]] == [started]


def test_a_case_with_no_hearings_says_so(client, clerk, case):
    client.force_login(clerk)

    html = page(client, case).content.decode()

    assert "No hearing scheduled." in html and "No past hearings." in html
