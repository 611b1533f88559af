"""`/api/v1/cases/{number}/speedy-trial/` (API.md): the clock of a criminal case.

* GET: indictment due, trial due, excluded periods, days used and remaining, steps; the
  public level sees "excludable delay" without kinds or reasons; out of sight is 404.
* PATCH: the clock's dates (clerk's office; 403 otherwise); POST excludable-periods/
  and excludable-periods/{id}/end/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from docket.models import ExcludablePeriod
from docket.speedy_trial_services import excludable_period_add, speedy_trial_clock_set
from tests.cases.factories import CaseTypeFactory, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def today(court_a) -> dt.date:
    return court_a.local_today()


@pytest.fixture
def case(cr_type, clerk):
    return open_case(case_type=cr_type, opened_by=clerk)


def url(case, tail: str = "") -> str:
    return f"/api/v1/cases/{case.number}/speedy-trial/{tail}"


def ago(today, days):
    return today - dt.timedelta(days=days)


@pytest.fixture
def running(case, clerk, today):
    """Indicted 41 days ago, first appearance 40 days ago; a competency examination
    from 30 to 21 days ago (10 days)."""
    speedy_trial_clock_set(
        case=case,
        by=clerk,
        arrest_or_summons_on=ago(today, 50),
        indictment_on=ago(today, 41),
        first_appearance_on=ago(today, 40),
        counsel_appearance_on=ago(today, 40),
    )
    excludable_period_add(
        case=case,
        kind="competency",
        starts_on=ago(today, 30),
        ends_on=ago(today, 21),
        reason="Defense motion for a competency evaluation.",
        by=clerk,
    )
    return case


def test_the_clock_of_a_case(api, clerk, running, today):
    api.force_authenticate(clerk)

    response = api.get(url(running))

    assert response.status_code == 200
    body = response.json()
    assert body["trial"]["status"] == "running"
    assert (body["days_used"], body["days_remaining"]) == (30, 40)
    assert body["trial_due"] == (today + dt.timedelta(days=40)).isoformat()
    assert body["trial"]["days_excluded"] == 10
    assert body["indictment"]["status"] == "filed"
    assert body["earliest_trial"] == {
        "date": (ago(today, 40) + dt.timedelta(days=30)).isoformat(),
        "consented": False,
    }
    [period] = body["excluded_periods"]
    assert period["kind"] == "competency"
    assert period["citation"] == "18 U.S.C. 3161(h)(1)(A)"
    assert period["reason"].startswith("Defense motion")
    assert any(
        "(competency examination or hearing, 3161(h)(1)(A)): 10 days" in s for s in body["steps"]
    )
    assert body["steps"] == body["indictment"]["steps"] + body["trial"]["steps"] + [
        body["steps"][-1]
    ]


def test_the_public_level_sees_no_kinds_or_reasons(api, make_user, court_a, running):
    # An attorney admitted in the court but not of record reads a public case publicly.
    outsider = make_user(Role.ATTORNEY, [court_a], username="not_of_record")
    api.force_authenticate(outsider)

    body = api.get(url(running)).json()

    [period] = body["excluded_periods"]
    assert (period["kind"], period["reason"], period["docket_entry"]) == (
        "excludable_delay",
        "",
        None,
    )
    assert "competency" not in str(body).lower()
    assert body["trial"]["days_excluded"] == 10


def test_a_sealed_case_is_404_to_anyone_not_entitled(api, make_user, court_a, court_b, running):
    running.confidentiality = "sealed"
    running.save(update_fields=["confidentiality"])
    for user in (
        make_user(Role.ATTORNEY, [court_a], username="a1"),
        make_user(Role.CLERK, [court_b], username="clerk_b"),
    ):
        api.force_authenticate(user)
        assert api.get(url(running)).status_code == 404
        assert api.patch(url(running), {"indictment_on": None}, format="json").status_code == 404


def test_unauthenticated_is_refused(api, running):
    assert api.get(url(running)).status_code in (401, 403)


def test_a_civil_case_answers_422(api, clerk, court_a):
    cv = CaseTypeFactory(
        court=court_a, code="CV", category=CaseCategory.CIVIL, initial_event_code="CMPL"
    )
    civil = open_case(case_type=cv, opened_by=clerk)
    api.force_authenticate(clerk)

    response = api.get(url(civil))

    assert (response.status_code, response.json()["code"]) == (422, "SPEEDY_TRIAL_NOT_CRIMINAL")


def test_clerk_records_the_dates(api, clerk, case, today):
    api.force_authenticate(clerk)

    response = api.patch(
        url(case),
        {"indictment_on": ago(today, 5).isoformat(), "first_appearance_on": ago(today, 3)},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["dates"]["indictment_on"] == ago(today, 5).isoformat()
    assert body["trial"]["starts_on"] == ago(today, 2).isoformat()
    assert (body["days_used"], body["days_remaining"]) == (3, 67)
    assert AuditEvent.objects.filter(action="speedy_trial.clock_set", actor=clerk).count() == 1


def test_a_future_date_is_refused_on_its_field(api, clerk, case, today):
    api.force_authenticate(clerk)

    response = api.patch(
        url(case), {"trial_started_on": (today + dt.timedelta(days=2)).isoformat()}, format="json"
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "DATE_IN_FUTURE"
    assert "trial_started_on" in body["fields"]


def test_an_attorney_of_record_reads_but_cannot_write(api, make_case, attorney, today):
    case = make_case(attorneys=[attorney])
    api.force_authenticate(attorney)

    assert api.get(url(case)).status_code == 200
    response = api.patch(url(case), {"indictment_on": ago(today, 1).isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "NOT_A_RECORD_KEEPER")


def test_record_and_end_an_excludable_period(api, clerk, running, today):
    api.force_authenticate(clerk)
    entry = running.docket_entries.order_by("seq").first()

    created = api.post(
        url(running, "excludable-periods/"),
        {
            "kind": "pretrial_motion",
            "starts_on": ago(today, 5).isoformat(),
            "docket_entry": entry.seq,
        },
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["trial"]["paused"] is True
    period = ExcludablePeriod.objects.get(case=running, kind="pretrial_motion")
    assert period.docket_entry == entry
    ended = api.post(
        url(running, f"excludable-periods/{period.pk}/end/"),
        {"ends_on": ago(today, 2).isoformat()},
        format="json",
    )
    assert ended.status_code == 200
    assert ended.json()["trial"]["days_excluded"] == 14  # 10 + 4
    again = api.post(
        url(running, f"excludable-periods/{period.pk}/end/"),
        {"ends_on": ago(today, 1).isoformat()},
        format="json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "EXCLUDABLE_ALREADY_ENDED")


def test_ends_of_justice_without_reasons_is_422_on_reason(api, clerk, running, today):
    api.force_authenticate(clerk)

    response = api.post(
        url(running, "excludable-periods/"),
        {"kind": "ends_of_justice", "starts_on": today.isoformat()},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "EXCLUDABLE_REASONS_REQUIRED"
    assert "reason" in response.json()["fields"]


def test_an_unknown_docket_entry_or_kind(api, clerk, running, today):
    api.force_authenticate(clerk)

    unknown_entry = api.post(
        url(running, "excludable-periods/"),
        {"kind": "pretrial_motion", "starts_on": today.isoformat(), "docket_entry": 999},
        format="json",
    )
    unknown_kind = api.post(
        url(running, "excludable-periods/"),
        {"kind": "holiday", "starts_on": today.isoformat()},
        format="json",
    )

    assert (unknown_entry.status_code, unknown_entry.json()["code"]) == (
        422,
        "DOCKET_ENTRY_UNKNOWN",
    )
    assert unknown_kind.status_code == 400 and "kind" in unknown_kind.json()["fields"]


def test_a_period_of_another_case_is_404(api, clerk, running, cr_type, today):
    other = open_case(case_type=cr_type, opened_by=clerk)
    period = excludable_period_add(case=other, kind="competency", starts_on=today, by=clerk)
    api.force_authenticate(clerk)

    response = api.post(
        url(running, f"excludable-periods/{period.pk}/end/"), {"ends_on": today}, format="json"
    )

    assert response.status_code == 404


def test_openapi_schema_lists_the_speedy_trial_paths(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for text in (
        "/api/v1/cases/{number}/speedy-trial/",
        "/api/v1/cases/{number}/speedy-trial/excludable-periods/{id}/end/",
        "trial_due",
    ):
        assert text in schema
