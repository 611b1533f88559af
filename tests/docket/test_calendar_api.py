"""`GET /api/v1/calendar/`: filters, bounds, paging, and visibility (placeholder rows for
cases the caller may not see, as on the day calendars; `attorney` filters see visible
cases only)."""

from __future__ import annotations

import datetime as dt

import pytest
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from cases.models import CaseCategory
from cases.services import AppearanceInput
from docket.models import HearingStatus, HearingType
from tests.cases.factories import CaseTypeFactory, defendant, open_case
from tests.core.factories import AttorneyProfileFactory
from tests.docket.factories import courtroom, hearing

URL = "/api/v1/calendar/"


@pytest.fixture
def api(db):
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def cr_type_b(court_b):
    return CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def jv_type(court_a):
    return CaseTypeFactory(
        court=court_a,
        code="JV",
        name="Juvenile delinquency",
        category=CaseCategory.JUVENILE,
        default_confidentiality="confidential",
        initial_event_code="PETN",
    )


@pytest.fixture
def day(court_a):
    return court_a.local_today() + dt.timedelta(days=3)


@pytest.fixture
def judge(make_user, court_a):
    return make_user(Role.JUDGE, [court_a], username="judge_a", last_name="Whitfield")


@pytest.fixture
def world(cr_type, cr_type_b, clerk, attorney, make_user, court_a, court_b, day, judge):
    """On `day` in court A: the attorney's public case (9:00, room 1, the judge), a
    public case not theirs (10:00, room 2), a sealed case of another attorney (11:00,
    room 1); in court B: the attorney's case (9:00 Denver time)."""
    AttorneyProfileFactory(user=attorney, bar_number="0100001")
    other = make_user(Role.ATTORNEY, [court_a], username="attorney_other")
    AttorneyProfileFactory(user=other, bar_number="0200002")
    mine = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Marlowe")],
        appearances=[AppearanceInput(attorney, party_index=0)],
    )
    public = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Publicson")],
        appearances=[AppearanceInput(other, party_index=0)],
    )
    sealed = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Sealedname")],
        confidentiality="sealed",
        appearances=[AppearanceInput(other, party_index=0)],
    )
    mine_b = open_case(
        case_type=cr_type_b,
        opened_by=clerk,
        parties=[defendant("Denverite")],
        appearances=[AppearanceInput(attorney, party_index=0)],
    )
    room1, room2 = courtroom(court_a, "Courtroom 1"), courtroom(court_a, "Courtroom 2")
    h = {
        "mine": hearing(mine, scheduled_by=clerk, day=day, hour=9, room=room1, judge=judge),
        "public": hearing(public, scheduled_by=clerk, day=day, hour=10, room=room2),
        "sealed": hearing(
            sealed,
            scheduled_by=clerk,
            day=day,
            hour=11,
            room=room1,
            interpreter_language="es",
            hearing_type=HearingType.MOTION,
        ),
        "mine_b": hearing(
            mine_b, scheduled_by=clerk, day=day, hour=9, room=courtroom(court_b, "Division 5")
        ),
    }
    return {"cases": {"mine": mine, "public": public, "sealed": sealed}, "h": h, "other": other}


def ids(response) -> list:
    return [row["id"] for row in response.json()["results"]]


def test_an_attorney_gets_their_own_hearings_by_default(api, attorney, world, day):
    # When the attorney asks for the day's calendar with no attorney filter
    response = api(attorney).get(URL, {"date": day.isoformat()})
    # Then they get their own hearings in both courts, in time order, and nothing else
    assert response.status_code == 200
    h = world["h"]
    assert ids(response) == [h["mine"].pk, h["mine_b"].pk]  # 9:00 EDT before 9:00 MDT
    row = response.json()["results"][0]
    assert row["case"]["number"] == world["cases"]["mine"].number
    assert row["caption"] == world["cases"]["mine"].caption
    assert row["uid"] == f"{h['mine'].feed_uid}@casemgmt"
    assert row["sequence"] == 0
    assert row["courtroom"]["name"] == "Courtroom 1"
    assert row["judge"] == {"username": "judge_a", "name": "Pat Whitfield"}
    assert row["starts_at"].startswith(f"{day.isoformat()}T09:00:00-0")
    assert response.json()["results"][1]["court"]["code"] == "bravo"
    assert "Sealedname" not in response.content.decode()


def test_attorney_all_shows_the_day_with_placeholder_rows_for_hidden_cases(
    api, attorney, world, day, court_a
):
    # When the attorney asks for court A's whole day
    response = api(attorney).get(
        URL, {"date": day.isoformat(), "court": "alpha", "attorney": "all"}
    )
    rows = response.json()["results"]
    # Then the sealed hearing is a placeholder row: time, room, type kept; nothing of the case
    assert [r["visible"] for r in rows] == [True, True, False]
    hidden = rows[2]
    assert hidden["case"] is None and hidden["id"] is None and hidden["uid"] is None
    assert hidden["caption"] == court_a.sealed_caption_placeholder
    assert hidden["hearing_type"] == "motion"
    assert hidden["interpreter_language"] == ""
    body = response.content.decode()
    assert world["cases"]["sealed"].number not in body
    assert "Sealedname" not in body


def test_filters_courtroom_judge_court_status_and_bar_number(api, clerk, world, day, judge):
    client, h = api(clerk), world["h"]
    on_day = {"date": day.isoformat()}
    room2 = h["public"].courtroom_id
    assert ids(client.get(URL, {**on_day, "courtroom": room2})) == [h["public"].pk]
    assert ids(client.get(URL, {**on_day, "judge": "judge_a"})) == [h["mine"].pk]
    assert ids(client.get(URL, {**on_day, "judge": str(judge.pk)})) == [h["mine"].pk]
    assert ids(client.get(URL, {**on_day, "court": "bravo"})) == [h["mine_b"].pk]
    assert ids(client.get(URL, {**on_day, "attorney": "0100001"})) == [
        h["mine"].pk,
        h["mine_b"].pk,
    ]
    assert ids(client.get(URL, {**on_day, "status": "vacated"})) == []
    # The judge sees their own with judge=me
    assert ids(api(judge).get(URL, {**on_day, "judge": "me"})) == [h["mine"].pk]


def test_an_attorney_filter_never_reveals_a_hidden_case(api, clerk, world, day):
    # The other attorney is of record in a public and a sealed case; the clerk (no grant)
    # asks for that attorney's hearings: only the public one, never a placeholder row
    response = api(clerk).get(URL, {"date": day.isoformat(), "attorney": "0200002"})
    assert ids(response) == [world["h"]["public"].pk]
    assert all(row["visible"] for row in response.json()["results"])


def test_a_ranges_dates_are_inclusive_and_bounded(api, attorney, clerk, world, day):
    client, h = api(attorney), world["h"]
    later = hearing(
        world["cases"]["mine"], scheduled_by=clerk, day=day + dt.timedelta(days=10), hour=9
    )
    rng = {"from": day.isoformat(), "to": (day + dt.timedelta(days=10)).isoformat()}
    assert ids(client.get(URL, rng)) == [h["mine"].pk, h["mine_b"].pk, later.pk]
    # Without dates: today and the next 30 days
    assert ids(client.get(URL)) == [h["mine"].pk, h["mine_b"].pk, later.pk]
    # Refusals keep their codes
    too_long = client.get(URL, {"from": "2026-01-01", "to": "2026-12-31"})
    assert too_long.status_code == 400
    assert too_long.json()["fields"]["to"][0]["code"] == "DATE_RANGE_TOO_LONG"
    inverted = client.get(URL, {"from": "2026-02-01", "to": "2026-01-01"})
    assert inverted.json()["fields"]["to"][0]["code"] == "DATE_RANGE_INVERTED"
    both = client.get(URL, {"date": "2026-02-01", "from": "2026-01-01"})
    assert both.json()["fields"]["date"][0]["code"] == "DATE_AND_RANGE"
    assert client.get(URL, {"date": "not-a-date"}).status_code == 400


def test_the_list_is_paginated(api, attorney, clerk, world, day):
    for hour in range(12, 17):
        hearing(world["cases"]["mine"], scheduled_by=clerk, day=day, hour=hour)
    client = api(attorney)
    first = client.get(URL, {"date": day.isoformat(), "page_size": 3}).json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["next"]
    last = client.get(URL, {"date": day.isoformat(), "page_size": 3, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_staff_of_the_court_see_the_sealed_row_as_placeholder_unless_entitled(
    api, clerk, supervisor, world, day, court_a
):
    on_day = {"date": day.isoformat(), "court": "alpha"}
    clerk_rows = api(clerk).get(URL, on_day).json()["results"]
    assert [r["visible"] for r in clerk_rows] == [True, True, False]
    # A supervisor of the court reads sealed cases: the row is in full, interpreter too
    sup_rows = api(supervisor).get(URL, on_day).json()["results"]
    assert [r["visible"] for r in sup_rows] == [True, True, True]
    assert sup_rows[2]["case"]["number"] == world["cases"]["sealed"].number
    assert sup_rows[2]["interpreter_language"] == "es"
    # ... and reading it is audited
    event = AuditEvent.objects.get(action="calendar.read", actor=supervisor)
    assert event.details == {"surface": "api.calendar", "cases": [world["cases"]["sealed"].number]}
    assert not AuditEvent.objects.filter(action="calendar.read", actor=clerk).exists()


def test_another_courts_clerk_and_an_attorney_not_of_record_see_no_confidential_detail(
    api, make_user, court_b, jv_type, clerk, attorney, day, court_a
):
    # Given a juvenile case of court A (confidential by law) with a hearing
    juvenile = open_case(case_type=jv_type, opened_by=clerk)
    hearing(juvenile, scheduled_by=clerk, day=day, hour=15, interpreter_language="es")
    clerk_b = make_user(Role.CLERK, [court_b], username="clerk_b")
    for user in (clerk_b, attorney):
        # When someone not entitled lists court A's day
        response = api(user).get(
            URL, {"date": day.isoformat(), "court": "alpha", "attorney": "all"}
        )
        # Then the hearing is only a placeholder: no number, caption, or interpreter
        (row,) = response.json()["results"]
        assert row["visible"] is False
        assert row["caption"] == court_a.sealed_caption_placeholder
        assert juvenile.number not in response.content.decode()
        assert row["interpreter_language"] == ""


def test_an_attorney_of_record_reads_interpreter_needs_of_their_case_only(
    api, attorney, clerk, cr_type, world, day
):
    mine = world["cases"]["mine"]
    interpreted = hearing(mine, scheduled_by=clerk, day=day, hour=14, interpreter_language="vi")
    public_interpreted = hearing(
        world["cases"]["public"], scheduled_by=clerk, day=day, hour=15, interpreter_language="es"
    )
    rows = {
        r["id"]: r
        for r in api(attorney)
        .get(URL, {"date": day.isoformat(), "court": "alpha", "attorney": "all"})
        .json()["results"]
        if r["id"]
    }
    assert rows[interpreted.pk]["interpreter_language"] == "vi"
    assert rows[public_interpreted.pk]["interpreter_language"] == ""


def test_a_sealed_grant_lets_the_attorney_read_the_row(api, attorney, world, day):
    sealed = world["cases"]["sealed"]
    assign_perm("cases.view_sealed_case", attorney, sealed)
    rows = (
        api(attorney)
        .get(URL, {"date": day.isoformat(), "court": "alpha", "attorney": "all"})
        .json()["results"]
    )
    assert rows[2]["visible"] is True and rows[2]["case"]["number"] == sealed.number


def test_continued_links_carry_their_status(api, attorney, clerk, world, day):
    # A continued hearing stays on its day's calendar (struck), the status says so
    from docket.models import ContinuanceReason, Hearing

    h = world["h"]["mine"]
    reason = ContinuanceReason.objects.create(court=h.court, code="x", label="Other")
    Hearing.objects.filter(pk=h.pk).update(status="continued", continuance_reason=reason)
    rows = api(attorney).get(URL, {"date": day.isoformat()}).json()["results"]
    assert rows[0]["status"] == HearingStatus.CONTINUED


def test_the_calendar_needs_a_signed_in_caller(api, world, day):
    assert api().get(URL, {"date": day.isoformat()}).status_code in (401, 403)


def test_the_calendar_is_in_the_schema(api, clerk):
    schema = api(clerk).get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/calendar/" in schema


def test_the_calendar_costs_a_fixed_number_of_queries(
    api, clerk, world, day, django_assert_max_num_queries
):
    client = api(clerk)
    on_day = {"date": day.isoformat(), "page_size": 200}
    with django_assert_max_num_queries(10) as few:
        assert len(client.get(URL, on_day).json()["results"]) == 4
    for hour in range(8, 18):
        for case in world["cases"].values():
            hearing(case, scheduled_by=clerk, day=day, hour=hour, minute=30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(URL, on_day).json()["results"]) == 34
