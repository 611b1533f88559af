"""`/api/v1/cases/{number}/deadlines/` (API.md): GET the case's deadlines with due date,
rule, status and steps; POST sets one by hand (the clerk's office of the court).

Visibility: a case the caller may not see is 404 like a missing one (another court's
clerk and a confidential case, an attorney not of record, a sealed case without a
grant); a deadline opened by an entry the caller may not read is left out; reasons are
shown beyond the public level only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.services import docket_entry_record
from docket.deadline_services import deadline_waive
from docket.models import Deadline

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
def api():
    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


def url(case) -> str:
    return f"/api/v1/cases/{case.number}/deadlines/"


@pytest.fixture
def served(cv_type, clerk, defense):
    """A confidential civil case, the defendant's attorney of record, service returned on
    Sat 2025-03-01 (answer due Mon 2025-03-24) and a motion on Mon 2025-03-03."""
    case = civil_case(cv_type, clerk, for_defendant=[defense], confidentiality="confidential")
    record(case, "SRVC", clerk, on=D("2025-03-01"))
    record(case, "MOTN", clerk, on=D("2025-03-03"))
    return case


def test_the_list_gives_due_date_rule_status_and_steps(api, served, defense):
    # When the attorney of record asks
    response = api(defense).get(url(served))

    # Then both deadlines come by due date, each with its rule and computation
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    motion, answer = body["results"]  # Mon 2025-03-17, then Mon 2025-03-24
    assert [motion["name"], answer["name"]] == ["Response to motion due", "Answer due"]
    assert answer["due_on"] == "2025-03-24" and answer["due_at"] is None
    assert answer["status"] == "open" and answer["status_label"] == "Open"
    assert answer["days_left"] == (D("2025-03-24") - served.court.local_today()).days
    assert answer["rule"] == {
        "id": answer["rule"]["id"],
        "event_code": "SRVC",
        "name": "Answer due",
        "citation": "FRCP 12(a)(1)(A)(i)",
        "period_days": 21,
        "period_hours": None,
        "direction": "after",
        "trigger": "entry_date",
    }
    assert answer["trigger_on"] == "2025-03-01"
    assert answer["trigger_entry"] == served.docket_entries.get(event_code="SRVC").seq
    assert answer["owner"] == {"username": "defense_a", "name": defense.get_full_name()}
    assert answer["responsible_role"] == "defendant"
    assert answer["steps"][0].endswith("(SRVC) on Sat 2025-03-01.")
    assert len(answer["steps"]) >= 2
    assert set(answer) >= {"is_statutory", "status_date", "met_by", "status_reason"}


def test_the_list_filters_by_status(api, served, clerk):
    deadline_waive(
        deadline=Deadline.objects.get(case=served, name="Answer due"), by=clerk, reason="Order."
    )
    body = api(clerk).get(url(served), {"status": "waived"}).json()
    assert [d["name"] for d in body["results"]] == ["Answer due"]
    assert body["results"][0]["status_reason"] == "Order."
    assert body["results"][0]["days_left"] is None
    assert api(clerk).get(url(served), {"status": "nonsense"}).status_code == 400


def test_a_case_out_of_sight_is_404_like_a_missing_one(
    api, served, make_user, court_b, outsider, sealed, defense
):
    missing = api(defense).get("/api/v1/cases/2026-CV-999999/deadlines/")
    assert missing.status_code == 404
    # another court's clerk, an attorney not of record: the confidential case is missing
    assert api(make_user(Role.CLERK, [court_b])).get(url(served)).status_code == 404
    assert api(outsider).get(url(served)).status_code == 404
    # sealed: even the attorney of record without a grant sees nothing
    sealed(served)
    response = api(defense).get(url(served))
    assert response.status_code == 404
    assert response.json() == missing.json()
    # the public cannot use the API at all
    assert api().get(url(served)).status_code in (401, 403)


def test_a_deadline_opened_by_an_entry_the_reader_may_not_read_is_left_out(
    api, served, clerk, defense, supervisor
):
    # Given a sealed motion in the (confidential) case
    docket_entry_record(
        case=served,
        event_code="MOTN",
        text="Sealed motion",
        recorded_by=clerk,
        confidentiality="sealed",
    )
    # Then the attorney of record (confidential level) does not see its response deadline
    names = [d["name"] for d in api(defense).get(url(served)).json()["results"]]
    assert names.count("Response to motion due") == 1
    # and the supervisor (sealed level) does
    names = [d["name"] for d in api(supervisor).get(url(served)).json()["results"]]
    assert names.count("Response to motion due") == 2


def test_the_public_level_sees_no_reasons(api, cv_type, clerk, make_user, court_b):
    case = civil_case(cv_type, clerk)  # public
    record(case, "SRVC", clerk, on=D("2025-03-01"))
    deadline_waive(deadline=Deadline.objects.get(case=case), by=clerk, reason="Sealed reasons.")
    reader = make_user(Role.CLERK, [court_b])  # reads another court's public case
    (row,) = api(reader).get(url(case)).json()["results"]
    assert row["status"] == "waived" and row["status_reason"] == ""


def test_reading_a_juvenile_or_sealed_case_is_audited(api, served, supervisor, sealed):
    sealed(served)
    assert api(supervisor).get(url(served)).status_code == 200
    assert AuditEvent.objects.filter(
        action="case.read", case_number=served.number, details__surface="api.deadlines"
    ).exists()


# --- POST: set by hand ------------------------------------------------------------------------


def test_the_clerk_sets_a_deadline_by_hand(api, served, clerk, defense):
    order = record(served, "ORDR", clerk, on=D("2025-03-10"), text="Scheduling order")

    response = api(clerk).post(
        url(served),
        {
            "name": "Discovery closes",
            "days": 60,
            "order_entry": order.seq,
            "reason": "Scheduling order.",
            "responsible_role": "parties",
            "owner": "defense_a",
        },
        format="json",
    )

    # 60 days after Mon 2025-03-10 is Fri 2025-05-09
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["due_on"] == "2025-05-09"
    assert body["rule"] is None and body["trigger_entry"] == order.seq
    assert body["owner"]["username"] == "defense_a"
    assert body["steps"][0].startswith("Set by hand by")
    assert AuditEvent.objects.filter(action="deadline.set", actor=clerk).exists()


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"reason": "Order.", "due_on": "2027-01-04"}, 400, "VALIDATION_ERROR", "name"),
        ({"name": "X", "reason": "Order."}, 422, "DEADLINE_DUE_OR_PERIOD", "due_on"),
        (
            {"name": "X", "reason": "Order.", "days": 5},
            422,
            "DEADLINE_TRIGGER_REQUIRED",
            "trigger_on",
        ),
        (
            {"name": "X", "reason": "Order.", "days": 5, "order_entry": 999},
            400,
            "VALIDATION_ERROR",
            "order_entry",
        ),
        (
            {"name": "X", "reason": "Order.", "due_on": "2027-01-04", "owner": "nobody"},
            400,
            "VALIDATION_ERROR",
            "owner",
        ),
    ],
)  # fmt: skip
def test_setting_by_hand_answers_refusals_on_their_fields(
    api, served, clerk, body, status, code, field
):
    response = api(clerk).post(url(served), body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert field in response.json()["fields"]


def test_only_the_clerks_office_sets_deadlines(api, served, defense, make_user, court_b):
    body = {"name": "X due", "reason": "Order.", "due_on": "2027-01-04"}
    refused = api(defense).post(url(served), body, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "NOT_A_RECORD_KEEPER"
    assert (
        api(make_user(Role.CLERK, [court_b])).post(url(served), body, format="json").status_code
        == 404
    )
    assert not Deadline.objects.filter(case=served, name="X due").exists()


def test_the_schema_documents_the_deadline_list():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_case_itself_lists_its_open_deadlines_and_next_hearing(
    api, served, defense, clerk, make_user, court_a
):
    from docket.models import Courtroom, Hearing

    # Given a waived deadline and a hearing set for tomorrow
    deadline_waive(
        deadline=Deadline.objects.get(case=served, name="Response to motion due"),
        by=clerk,
        reason="Order.",
    )
    tomorrow = served.court.local_today() + dt.timedelta(days=1)
    starts = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=served.court.tzinfo)
    hearing = Hearing.objects.create(
        case=served, court=served.court, hearing_type="status", starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30), date=tomorrow,
        courtroom=Courtroom.objects.create(court=court_a, name="Courtroom 9"),
        scheduled_by=clerk,
    )  # fmt: skip

    # When the attorney of record reads the case
    body = api(defense).get(f"/api/v1/cases/{served.number}/").json()

    # Then API.md's "next hearing, open deadlines" are filled in by the docket app
    assert [d["name"] for d in body["open_deadlines"]] == ["Answer due"]
    assert body["open_deadlines"][0]["due_on"] == "2025-03-24"
    assert body["next_hearing"]["id"] == hearing.pk
    assert body["next_hearing"]["courtroom"]["name"] == "Courtroom 9"
