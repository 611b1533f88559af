"""`GET /api/v1/deadlines/compute/`: public, bounded, with its steps; refusals on their
fields with codes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casemgmt.core.models import CourtClosure
from casemgmt.core.services import api_token_create
from tests.core.factories import CourtFactory

URL = "/api/v1/deadlines/compute/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    """Nobody signed in: no session, no token."""
    return APIClient()


def test_the_public_computes_the_issues_example(public):
    # when someone with no account asks for 21 days after service by mail on Mar 1, 2025
    response = public.get(URL, {"trigger": "2025-03-01", "days": 21, "service": "mail"})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "due": "2025-03-27",
        "steps": [
            "21 days after 2025-03-01 is Sat 2025-03-22",
            "Saturday -> Mon 2025-03-24 (FRCP 6(a)(1)(C))",
            "mail service +3 -> Thu 2025-03-27 (FRCP 6(d))",
        ],
        "citations": ["FRCP 6(a)(1)(C)", "FRCP 6(d)"],
        "rule_set": "Federal rules (FRCP 6)",
        "calendar": "US federal legal holidays",
        "court": None,
        "time_zone": None,
    }


def test_a_period_before_an_event_counts_backward(public):
    # 4 days before Tue Jan 4, 2022 is Fri Dec 31, 2021 (New Year's Day observed) -> Thu
    response = public.get(URL, {"trigger": "2022-01-04", "days": 4, "direction": "before"})
    assert response.status_code == 200
    assert response.json()["due"] == "2021-12-30"


def test_a_court_brings_its_rule_set_state_holidays_and_closures(public, court_a, court_b):
    # given Bravo (Colorado) keeps Cesar Chavez Day, Monday March 31, 2025
    response = public.get(URL, {"trigger": "2025-03-01", "days": 30, "court": court_b.code})
    body = response.json()
    assert response.status_code == 200
    assert body["due"] == "2025-04-01"
    assert body["court"] == "bravo"
    assert body["calendar"] == "Bravo District Court"
    assert "Cesar Chavez Day (state holiday) on Mon 2025-03-31" in body["steps"][-1]
    # and Alpha declared Wednesday Feb 19, 2025 closed
    CourtClosure.objects.create(court=court_a, date="2025-02-19", reason="Snow emergency")
    closed = public.get(URL, {"trigger": "2025-02-05", "days": 14, "court": court_a.code})
    assert closed.json()["due"] == "2025-02-20"
    # ...which the federal calendar (no court) does not know
    federal = public.get(URL, {"trigger": "2025-02-05", "days": 14})
    assert federal.json()["due"] == "2025-02-19"


def test_a_period_in_hours_runs_from_a_datetime_on_the_courts_clock(public, court_a):
    # 24 hours from Thu July 3, 2025 10:00 end on Independence Day: same time Monday
    response = public.get(
        URL, {"trigger": "2025-07-03T10:00:00-04:00", "hours": 24, "court": court_a.code}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["due"] == "2025-07-07T10:00:00-04:00"
    assert body["time_zone"] == "America/New_York"
    assert body["citations"] == ["FRCP 6(a)(2)(C)"]
    # a datetime without an offset is read on the court's clock
    naive = public.get(URL, {"trigger": "2025-07-03T10:00", "hours": 24, "court": court_a.code})
    assert naive.json()["due"] == "2025-07-07T10:00:00-04:00"


def test_a_signed_in_caller_gets_the_same_answer(court_a, clerk):
    client = APIClient()
    _token, key = api_token_create(user=clerk, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get(URL, {"trigger": "2025-03-01", "days": 21})
    assert (response.status_code, response.json()["due"]) == (200, "2025-03-24")


@pytest.mark.parametrize(
    "params, field, code",
    [
        ({"trigger": "2025-03-01"}, "non_field_errors", "DAYS_OR_HOURS"),
        ({"trigger": "2025-03-01", "days": 3, "hours": 3}, "days", "DAYS_OR_HOURS"),
        ({"days": 3}, "trigger", "required"),
        ({"trigger": "03/01/2025", "days": 3}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": "2025-02-30", "days": 3}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": "2025-W09-6", "days": 3}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": "2025-03-01T10:00", "days": 3}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": "2025-03-01", "hours": 3}, "trigger", "TRIGGER_NOT_A_DATETIME"),
        ({"trigger": "2025-03-01T25:00", "hours": 3}, "trigger", "TRIGGER_NOT_A_DATETIME"),
        ({"trigger": "1492-10-12", "days": 3}, "trigger", "TRIGGER_OUT_OF_RANGE"),
        ({"trigger": "2025-03-01", "days": 0}, "days", "PERIOD_NOT_POSITIVE"),
        ({"trigger": "2025-03-01", "days": -21}, "days", "PERIOD_NOT_POSITIVE"),
        ({"trigger": "2025-03-01", "days": 3651}, "days", "PERIOD_TOO_LONG"),
        ({"trigger": "2025-03-01", "days": "9" * 40}, "days", "PERIOD_TOO_LONG"),
        ({"trigger": "2025-03-01", "days": "three"}, "days", "invalid"),
        ({"trigger": "2025-03-01T10:00Z", "hours": 8761}, "hours", "PERIOD_TOO_LONG"),
        ({"trigger": "2025-03-01", "days": 3, "direction": "up"}, "direction", "invalid_choice"),
        ({"trigger": "2025-03-01", "days": 3, "service": "fax"}, "service", "invalid_choice"),
        ({"trigger": "2025-03-01", "days": 3, "court": "nowhere"}, "court", "COURT_UNKNOWN"),
    ],
)
def test_bad_input_is_refused_on_its_field_with_a_code(public, params, field, code):
    response = public.get(URL, params)
    body = response.json()
    assert response.status_code == 400, body
    assert body["code"] == "VALIDATION_ERROR"
    assert [e["code"] for e in body["fields"][field]] == [code]


def test_an_inactive_court_is_unknown(public):
    CourtFactory(code="closedct", is_active=False)
    response = public.get(URL, {"trigger": "2025-03-01", "days": 3, "court": "closedct"})
    assert response.json()["fields"]["court"][0]["code"] == "COURT_UNKNOWN"


def test_a_court_closed_for_over_a_year_answers_422_not_500(public, court_a):
    import datetime as dt

    start = dt.date(2025, 3, 1)
    CourtClosure.objects.bulk_create(
        CourtClosure(court=court_a, date=start + dt.timedelta(days=i), reason="Rebuilding")
        for i in range(400)
    )
    response = public.get(URL, {"trigger": "2025-02-20", "days": 10, "court": court_a.code})
    assert (response.status_code, response.json()["code"]) == (422, "NO_COURT_DAY")


def test_only_get_is_allowed(public):
    response = public.post(URL, {"trigger": "2025-03-01", "days": 3}, format="json")
    assert response.status_code == 405


def test_openapi_schema_lists_the_compute_path(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/deadlines/compute/" in schema
    assert "FRCP 6(d)" in schema
