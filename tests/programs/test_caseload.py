"""The coordinator's caseload (programs.caseload and the /programs/ page): compliance state
per participant in one query, filters and sort kept in the URL, whose participants by
default, visibility, bad input, query budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse

from casemgmt.core.roles import Role
from cases.models import court_local_date
from programs.caseload import ALL, CaseloadFilters, caseload, programs_with_coordination

from .factories import pretrial_diversion, service_site
from .page_data import enroll, event, flag, hours, participant_case

pytestmark = pytest.mark.django_db

URL = "/programs/"


def rows(user, **query):
    filters = CaseloadFilters.from_query(query)
    programs = programs_with_coordination(user)
    today = court_local_date(programs[0].court) if programs else None
    return list(caseload(user, filters, programs=programs, today=today))


def names(found):
    return [e.participant.person.last_name for e in found]


@pytest.fixture
def people(program, diversion, cr_type, clerk, coordinator, court_a):
    """Three drug-court participants and one in pretrial diversion, with their events."""
    site = service_site(court_a)
    adams = enroll(program, participant_case(cr_type, clerk, "Adams"), by=coordinator, days_ago=40)
    baker = enroll(
        program, participant_case(cr_type, clerk, "Baker"), by=coordinator, phase=2, days_ago=100
    )
    cruz = enroll(program, participant_case(cr_type, clerk, "Cruz"), by=coordinator, days_ago=5)
    diaz = enroll(diversion, participant_case(cr_type, clerk, "Diaz"), by=coordinator, days_ago=10)
    # Adams: two open flags and a resolved one; last test positive 2 days ago (a later
    # negative one was entered by mistake and voided)
    flag(adams, key="event:1")
    flag(adams, key="event:2")
    flag(adams, key="event:3", resolved=True)
    event(adams, "drug_test", by=coordinator, days_ago=9, drug_test_result="negative")
    positive = {"drug_test_result": "positive", "substances": "THC"}
    event(adams, "drug_test", by=coordinator, days_ago=2, **positive)
    wrong = event(adams, "drug_test", by=coordinator, days_ago=1, drug_test_result="negative")
    event(adams, "drug_test", by=coordinator, days_ago=1, voids=wrong, notes="Wrong person")
    # Baker: 12.5 hours (a voided 8 left out)
    hours(baker, "10", by=coordinator, site=site)
    hours(baker, "2.5", by=coordinator, site=site)
    wrong_hours = hours(baker, "8", by=coordinator, site=site)
    event(baker, "community_service", by=coordinator, voids=wrong_hours, notes="Double entry")
    flag(baker, key="week:2026-W01", kind="hours_behind")
    return {"adams": adams, "baker": baker, "cruz": cruz, "diaz": diaz}


def test_each_row_carries_its_compliance_state(people, coordinator):
    found = {e.participant.person.last_name: e for e in rows(coordinator, sort="name")}

    adams, baker, cruz = found["Adams"], found["Baker"], found["Cruz"]
    assert (adams.days_in_program, baker.days_in_program, cruz.days_in_program) == (40, 100, 5)
    assert (adams.open_flags, baker.open_flags, cruz.open_flags) == (2, 1, 0)  # resolved: no
    # The voided negative is not the last test; the voiding entry is no test at all.
    assert (adams.last_test_result, adams.last_test_on) == (
        "positive",
        court_local_date(adams.case.court) - dt.timedelta(days=2),
    )
    assert cruz.last_test_result is None
    assert baker.service_hours == Decimal("12.50")  # the voided 8 hours left out
    assert cruz.service_hours == Decimal("0")
    assert baker.phase.number == 2


def test_a_coordinator_sees_the_programs_they_coordinate_by_default(
    people, program, diversion, coordinator
):
    program.coordinators.add(coordinator)

    assert names(rows(coordinator)) == ["Adams", "Baker", "Cruz"]  # not Diaz (diversion)
    assert names(rows(coordinator, program=ALL)) == ["Adams", "Baker", "Cruz", "Diaz"]
    assert names(rows(coordinator, program=str(diversion.pk))) == ["Diaz"]


def test_without_programs_of_their_own_they_see_their_courts_programs(people, coordinator):
    assert names(rows(coordinator)) == ["Adams", "Baker", "Cruz", "Diaz"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"compliance": "flagged"}, ["Adams", "Baker"]),
        ({"compliance": "compliant"}, ["Cruz", "Diaz"]),
        ({"phase": "2"}, ["Baker"]),
        ({"q": "bak"}, ["Baker"]),
        ({"q": "pat cruz"}, ["Cruz"]),
        ({"sort": "days"}, ["Baker", "Adams", "Diaz", "Cruz"]),
        ({"sort": "-days"}, ["Cruz", "Diaz", "Adams", "Baker"]),
        ({"sort": "flags"}, ["Adams", "Baker", "Cruz", "Diaz"]),
        ({"sort": "-phase"}, ["Baker", "Adams", "Cruz", "Diaz"]),
        ({"sort": "-name"}, ["Diaz", "Cruz", "Baker", "Adams"]),
        ({"status": "completed"}, []),
    ],
)
def test_filters_and_sorts(people, coordinator, query, expected):
    assert names(rows(coordinator, **query)) == expected


def test_search_by_case_number(people, coordinator):
    number = people["cruz"].case.number
    assert names(rows(coordinator, q=number)) == ["Cruz"]


def test_status_filter_shows_ended_enrollments_with_their_days(
    program, cr_type, clerk, coordinator
):
    ended = enroll(
        program,
        participant_case(cr_type, clerk, "Evans"),
        by=coordinator,
        days_ago=200,
        status="completed",
    )
    assert names(rows(coordinator)) == []  # active by default
    found = rows(coordinator, status="completed")
    assert names(found) == ["Evans"]
    assert found[0].days_in_program == (ended.ended_on - ended.enrolled_on).days


def test_another_courts_coordinator_sees_none_of_them(people, coordinator_b):
    assert rows(coordinator_b, program=ALL) == []


def test_a_sealed_case_stays_out_of_a_coordinators_caseload(
    program, cr_type, clerk, coordinator, supervisor
):
    # programs.querysets: the case's sealed rule applies to program records too
    enroll(
        program,
        participant_case(cr_type, clerk, "Sealed", confidentiality="sealed"),
        by=coordinator,
    )
    assert rows(coordinator) == []
    assert names(rows(supervisor)) == ["Sealed"]  # supervisors see sealed cases


def test_bad_filters_fall_back_to_the_default():
    filters = CaseloadFilters.from_query(
        QueryDict(
            "program=x%27;drop&status=nope&phase=-1&compliance=maybe&sort=--name&page=zz&q="
            + "a" * 500
        )
    )
    assert (filters.program, filters.status, filters.phase, filters.compliance, filters.sort) == (
        "",
        "active",
        None,
        "",
        "name",
    )
    assert len(filters.q) == 100


# --- the page --------------------------------------------------------------------------------


def test_the_page_lists_participants_and_keeps_filters_in_links(client, people, coordinator):
    client.force_login(coordinator)

    response = client.get(URL, {"compliance": "flagged", "sort": "-days"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Adams" in text and "Baker" in text and "Cruz" not in text
    assert "compliance=flagged" in text  # the sort headers keep the filter
    assert "12.5" in text  # Baker's hours
    assert "Positive" in text  # Adams' last test


@pytest.mark.parametrize(
    "query",
    [
        {"page": "-3"},
        {"page": "99999999999"},
        {"program": "999999"},
        {"phase": "abc", "sort": "evil"},
        {"q": "\x00"},
        {"status": "<script>"},
    ],
)
def test_bad_input_answers_200(client, people, coordinator, query):
    client.force_login(coordinator)
    assert client.get(URL, query).status_code == 200


def test_pages_of_fifty(client, program, cr_type, clerk, coordinator, monkeypatch):
    monkeypatch.setattr("programs.views.PER_PAGE", 2)
    for name in ("Ames", "Bell", "Cole"):
        enroll(program, participant_case(cr_type, clerk, name), by=coordinator)
    client.force_login(coordinator)

    first = client.get(URL, {"sort": "name"})
    second = client.get(URL, {"sort": "name", "page": "2"})

    assert names(first.context["page"]) == ["Ames", "Bell"]
    assert names(second.context["page"]) == ["Cole"]


def test_attorneys_and_the_public_get_no_caseload(client, attorney, people):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(attorney)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("extra", [0, 12])
def test_query_count_does_not_grow_with_participants(
    client, program, diversion, cr_type, clerk, coordinator, extra, django_assert_max_num_queries
):
    site = service_site(program.court)
    program.coordinators.add(coordinator)
    for i in range(extra + 1):
        e = enroll(program, participant_case(cr_type, clerk, f"Person{i:02d}"), by=coordinator)
        hours(e, "2", by=coordinator, site=site)
        event(e, "drug_test", by=coordinator, drug_test_result="negative")
        flag(e)
    client.force_login(coordinator)

    with django_assert_max_num_queries(10):
        response = client.get(URL, {"sort": "flags"})

    assert response.status_code == 200
    assert len(response.context["page"]) == extra + 1


def test_a_second_program_of_another_court_does_not_widen_the_scope(court_b, people, coordinator):
    pretrial_diversion(court_b)
    assert len(rows(coordinator, program=ALL)) == 4


def test_nav_shows_programs_to_coordinators(client, coordinator, clerk):
    client.force_login(coordinator)
    assert reverse("programs:caseload") in client.get("/").content.decode()
    client.force_login(clerk)
    assert 'href="/programs/"' not in client.get("/").content.decode()


def test_a_judge_may_read_the_caseload(client, make_user, court_a, people):
    judge = make_user(Role.JUDGE, [court_a])
    client.force_login(judge)
    assert client.get(URL).status_code == 200
