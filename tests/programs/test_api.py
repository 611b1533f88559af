"""REST API over diversion programs (API.md; issue 8, item 6): programs/, referrals/,
enrollments/ and their actions, thin over programs.services.

Rules under test: programs are public; program records are seen through the case
(`visible_to`: 404 for another court's coordinator, an attorney not of record, a sealed
case without a grant); writes are the program staff's (403 PROGRAM_STAFF_ONLY for an
attorney of record or a clerk); errors are `{"code", "message", "fields"}` naming the
field with a stable code; lists are paginated, `page_size` at most 200; no input answers
500; the OpenAPI schema still generates without warnings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent
from casemgmt.core.services import api_token_create
from cases.models import CaseStatus, court_local_date
from cases.services import appearance_enter, case_confidentiality_set
from programs.models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatus,
    PhaseRequirement,
    Program,
    ProgramKind,
    Referral,
    ReferralStatus,
    ServiceEvent,
)
from programs.services import referral_create
from tests.cases.factories import charge

from .factories import defendant_party, drug_court, pretrial_diversion, service_site
from .steps import enrolled, offered

pytestmark = pytest.mark.django_db
D = Decimal
V1 = "/api/v1/"


@pytest.fixture
def api(db):
    """An API client signed in with `user`'s API token (anonymous with no user)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    """The API's error shape; `field` must be named with `code` (else the top code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}, body
    if field is not None:
        assert field in body["fields"], body
        if code is not None:
            assert code in [e["code"] for e in body["fields"][field]], body
    elif code is not None:
        assert body["code"] == code, body
    return body


def refer(program, case, *, by) -> Referral:
    return referral_create(
        program=program, case=case, participant=defendant_party(case), source="judge", by=by
    )


def active(program, case, *, by) -> Enrollment:
    enrollment = enrolled(program, case, by=by)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    return enrollment


# --- programs ------------------------------------------------------------------------------


def test_programs_are_public_with_phases_requirements_and_criteria(api, program, diversion):
    # The public reads what programs are and who is eligible.
    response = api().get(f"{V1}programs/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert {p["code"] for p in body["results"]} == {"DRUG", "PTD"}

    detail = api().get(f"{V1}programs/{program.pk}/").json()
    assert detail["fee_amount"] == "150.00"
    assert [p["number"] for p in detail["phases"]] == [1, 2, 3]
    first = detail["phases"][0]
    assert first["name"] == "Stabilization" and first["min_days"] == 60
    assert first["requirements"][0] == {
        "id": first["requirements"][0]["id"],
        "position": 1,
        "kind": "drug_test",
        "name": "Random drug tests",
        "quantity": "2.00",
        "period_days": 7,
    }
    kinds = [c["kind"] for c in detail["criteria"]]
    assert kinds == ["case_type", "excluded_charge", "age", "consent"]
    excluded = detail["criteria"][1]
    assert excluded["params"]["classes"] == ["felony_capital", "felony_1"]
    assert excluded["on_fail"] == "ineligible"
    assert excluded["description"] == "Program excludes first-degree and capital felonies"
    assert detail["criteria"][3]["on_fail"] == "review"


def test_inactive_programs_are_seen_only_by_their_courts_staff(api, court_b, coordinator_b, clerk):
    closed = pretrial_diversion(court_b, code="OLD")
    Program.objects.filter(pk=closed.pk).update(is_active=False)

    assert api().get(f"{V1}programs/{closed.pk}/").status_code == 404
    assert api(clerk).get(f"{V1}programs/{closed.pk}/").status_code == 404
    assert api(coordinator_b).get(f"{V1}programs/{closed.pk}/").json()["is_active"] is False
    assert api(coordinator_b).get(f"{V1}programs/?court=bravo").json()["count"] == 1


def program_body(**overrides) -> dict:
    body = {
        "court": "alpha",
        "code": "VET",
        "name": "Veterans Treatment Court",
        "kind": "veterans_court",
        "capacity": 12,
        "duration_days": 365,
        "fee_amount": "75.00",
        "phases": [
            {
                "name": "Engagement",
                "min_days": 30,
                "requirements": [
                    {"kind": "drug_test", "name": "Drug tests", "quantity": "1", "period_days": 7},
                    {"kind": "counseling", "name": "VA counseling", "quantity": "1"},
                ],
            },
            {"name": "Maintenance", "min_days": 60},
        ],
        "criteria": [
            {
                "kind": "case_type",
                "params": {"case_types": ["CR"]},
                "description": "Criminal cases only",
            },
            {"kind": "age", "params": {"min": 18}, "on_fail": "review"},
        ],
    }
    body.update(overrides)
    return body


def test_a_supervisor_of_the_court_creates_a_program(api, supervisor, court_a):
    response = api(supervisor).post(f"{V1}programs/", program_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["court"] == "alpha" and body["kind"] == ProgramKind.VETERANS_COURT
    assert [p["number"] for p in body["phases"]] == [1, 2]
    assert [r["kind"] for r in body["phases"][0]["requirements"]] == ["drug_test", "counseling"]
    assert body["phases"][0]["requirements"][1]["period_days"] is None
    assert [c["on_fail"] for c in body["criteria"]] == ["ineligible", "review"]
    assert response["Location"] == f"/api/v1/programs/{body['id']}/"
    assert AuditEvent.objects.filter(action="program.create").count() == 1

    # The same code again in the court: 409 naming the field.
    again = api(supervisor).post(f"{V1}programs/", program_body(), format="json")
    assert_error(again, 409, "PROGRAM_CODE_TAKEN", "code")


def test_only_a_supervisor_of_the_court_creates_programs(
    api, coordinator, supervisor_b, attorney, court_a
):
    for user in (coordinator, supervisor_b, attorney):
        response = api(user).post(f"{V1}programs/", program_body(), format="json")
        assert_error(response, 403, "PERMISSION_DENIED")
    assert api().post(f"{V1}programs/", program_body(), format="json").status_code == 401
    assert not Program.objects.filter(code="VET").exists()


def test_program_input_errors_name_the_field(api, supervisor, court_a):
    client = api(supervisor)
    bad_params = program_body(criteria=[{"kind": "age", "params": {"min": "old"}}])
    assert_error(
        client.post(f"{V1}programs/", bad_params, format="json"),
        400,
        "CRITERION_PARAMS_INVALID",
        "criteria.0.params",
    )
    assert_error(
        client.post(f"{V1}programs/", program_body(kind="spa"), format="json"),
        400,
        "invalid_choice",
        "kind",
    )
    assert_error(
        client.post(f"{V1}programs/", program_body(phases=[]), format="json"),
        400,
        "PHASE_REQUIRED",
        "phases",
    )
    no_quantity = program_body(phases=[{"name": "One", "requirements": [{"kind": "class"}]}])
    body = assert_error(client.post(f"{V1}programs/", no_quantity, format="json"), 400)
    assert set(body["fields"]) == {
        "phases.0.requirements.0.name",
        "phases.0.requirements.0.quantity",
    }
    assert not Program.objects.filter(code="VET").exists()


# --- referrals ---------------------------------------------------------------------------


def test_a_clerk_refers_and_the_coordinator_screens_offers_and_enrolls(
    api, clerk, coordinator, program, case
):
    party = defendant_party(case)
    response = api(clerk).post(
        f"{V1}referrals/",
        {
            "case": case.number.lower(),
            "participant": party.pk,
            "program": program.pk,
            "source": "prosecutor",
            "reason": "First offense.",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["status"] == "referred"
    assert referral["case"] == case.number and referral["court"] == "alpha"
    assert referral["participant"] == {"id": party.pk, "name": "John Doe", "role": "defendant"}
    assert referral["program"]["code"] == "DRUG"
    assert referral["screenings"] == [] and referral["consents"] == []
    rid = referral["id"]
    client = api(coordinator)

    # Consents the criteria ask for.
    for kind in ("participant", "prosecutor"):
        consent = client.post(f"{V1}referrals/{rid}/consents/", {"kind": kind}, format="json")
        assert consent.status_code == 201, consent.content
        assert consent.json()["kind"] == kind
        assert consent.json()["given_on"] == court_local_date(case.court).isoformat()

    # Screening: each criterion's result with its reason.
    screened = client.post(f"{V1}referrals/{rid}/screen/", {"notes": "Interviewed."}, format="json")
    assert screened.status_code == 201, screened.content
    screening = screened.json()
    assert screening["outcome"] == "eligible" and screening["decision"] == "eligible"
    assert screening["referral_status"] == "screened"
    assert [r["kind"] for r in screening["results"]] == [
        "case_type",
        "excluded_charge",
        "age",
        "consent",
    ]
    assert all(r["outcome"] == "met" and r["reason"] for r in screening["results"])

    offered_ = client.post(f"{V1}referrals/{rid}/offer/", format="json")
    assert offered_.status_code == 200, offered_.content
    assert offered_.json()["status"] in ("offered", "accepted")

    detail = client.get(f"{V1}referrals/{rid}/").json()
    assert len(detail["screenings"]) == 1 and len(detail["consents"]) == 2
    assert detail["screenings"][0]["results"][0]["reason"]

    enroll = client.post(f"{V1}referrals/{rid}/enroll/", {}, format="json")
    assert enroll.status_code == 201, enroll.content
    enrollment = enroll.json()
    assert enrollment["status"] == "active"
    assert enrollment["phase"]["number"] == 1
    assert enrollment["referral"] == rid
    assert enrollment["progress"]["requirements"]
    assert enroll["Location"] == f"/api/v1/enrollments/{enrollment['id']}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.INACTIVE
    assert client.get(f"{V1}referrals/{rid}/").json()["enrollment"] == enrollment["id"]


def test_referral_list_filters(api, coordinator, clerk, program, diversion, case, make_case):
    other = make_case()
    first = refer(program, case, by=clerk)
    refer(diversion, other, by=clerk)
    client = api(coordinator)

    assert client.get(f"{V1}referrals/").json()["count"] == 2
    by_program = client.get(f"{V1}referrals/?program={program.pk}").json()
    assert [r["id"] for r in by_program["results"]] == [first.pk]
    by_case = client.get(f"{V1}referrals/?case={case.number}").json()
    assert [r["id"] for r in by_case["results"]] == [first.pk]
    assert client.get(f"{V1}referrals/?status=enrolled").json()["count"] == 0
    assert_error(client.get(f"{V1}referrals/?status=lost"), 400, "invalid_choice", "status")


def test_decline_and_withdraw(api, coordinator, clerk, program, diversion, case):
    made = offered(program, case, by=coordinator)
    client = api(coordinator)

    # A reason is required.
    assert_error(
        client.post(f"{V1}referrals/{made.pk}/decline/", {}, format="json"),
        400,
        "required",
        "reason",
    )
    declined = client.post(
        f"{V1}referrals/{made.pk}/decline/", {"reason": "Chose trial."}, format="json"
    )
    assert declined.status_code == 200, declined.content
    assert declined.json()["status"] == ReferralStatus.DECLINED

    second = refer(diversion, case, by=clerk)
    withdrawn = client.post(
        f"{V1}referrals/{second.pk}/withdraw/", {"reason": "Plea entered."}, format="json"
    )
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == ReferralStatus.WITHDRAWN
    # Withdrawn is not open: withdrawing again is refused by the service, in the error shape.
    again = client.post(f"{V1}referrals/{second.pk}/withdraw/", {"reason": "Again."}, format="json")
    assert again.status_code in (409, 422) and again.json()["code"]


def test_a_full_program_waitlists(api, coordinator, court_a, make_case):
    small = drug_court(court_a, code="SMALL", capacity=1, criteria=False)
    active(small, make_case(), by=coordinator)
    waiting = offered(small, make_case(), by=coordinator)

    response = api(coordinator).post(f"{V1}referrals/{waiting.pk}/enroll/", format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "waitlisted"
    assert response.json()["phase"] is None and response.json()["progress"] is None


def test_referral_input_errors_name_the_field(api, clerk, coordinator, program, case, make_case):
    client = api(clerk)
    body = assert_error(client.post(f"{V1}referrals/", {}, format="json"), 400)
    assert {f: e[0]["code"] for f, e in body["fields"].items()} == {
        "case": "required",
        "participant": "required",
        "program": "required",
        "source": "required",
    }
    good = {
        "case": case.number,
        "participant": defendant_party(case).pk,
        "program": program.pk,
        "source": "judge",
    }
    assert_error(
        client.post(f"{V1}referrals/", {**good, "source": "oracle"}, format="json"),
        400,
        "invalid_choice",
        "source",
    )
    other_party = defendant_party(make_case())
    assert_error(
        client.post(f"{V1}referrals/", {**good, "participant": other_party.pk}, format="json"),
        400,
        "UNKNOWN_PARTY",
        "participant",
    )
    assert_error(
        client.post(f"{V1}referrals/", {**good, "program": 987654}, format="json"),
        400,
        "UNKNOWN_PROGRAM",
        "program",
    )
    assert_error(
        client.post(f"{V1}referrals/", {**good, "case": "2099-XX-000001"}, format="json"),
        404,
        "NOT_FOUND",
    )
    assert client.post(f"{V1}referrals/", good, format="json").status_code == 201
    assert_error(client.post(f"{V1}referrals/", good, format="json"), 409, "REFERRAL_ALREADY_OPEN")
    assert Referral.objects.count() == 1

    # The screening's own rules answer their codes: a decision against the engine needs a reason.
    referral = Referral.objects.get()
    response = api(coordinator).post(
        f"{V1}referrals/{referral.pk}/screen/", {"decision": "ineligible"}, format="json"
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] in ("DECISION_REASON_REQUIRED", "VALIDATION_ERROR")
    assert_error(
        api(coordinator).post(
            f"{V1}referrals/{referral.pk}/consents/", {"kind": "grandma"}, format="json"
        ),
        400,
        "invalid_choice",
        "kind",
    )


# --- enrollments -------------------------------------------------------------------------


def test_an_enrollment_with_its_progress_events_responses_and_phases(
    api, coordinator, program, case, court_a
):
    enrollment = active(program, case, by=coordinator)
    site = service_site(court_a)
    client = api(coordinator)
    today = court_local_date(court_a)
    url = f"{V1}enrollments/{enrollment.pk}/"

    detail = client.get(url).json()
    assert detail["status"] == "active" and detail["phase"]["number"] == 1
    assert detail["flags"] == [] and detail["open_flags"] == 0
    progress = detail["progress"]
    assert progress["as_of"] == today.isoformat()
    assert {r["kind"] for r in progress["requirements"]} == {
        "drug_test",
        "counseling",
        "review_hearing",
    }
    test_requirement = next(r for r in progress["requirements"] if r["kind"] == "drug_test")
    assert test_requirement["required"] == "2.00" and test_requirement["done"] == "0.00"

    # A negative drug test, logged against its requirement.
    logged = client.post(
        f"{url}events/",
        {
            "kind": "drug_test",
            "occurred_on": today.isoformat(),
            "drug_test_result": "negative",
            "requirement": test_requirement["requirement"],
        },
        format="json",
    )
    assert logged.status_code == 201, logged.content
    event = logged.json()
    assert event["drug_test_result"] == "negative" and event["recorded_by"] == "coordinator_a"
    assert event["requirement"] == test_requirement["requirement"]
    # Counseling attended at a site.
    counseled = client.post(
        f"{url}events/",
        {
            "kind": "counseling",
            "occurred_on": today.isoformat(),
            "attendance": "attended",
            "site": site.pk,
        },
        format="json",
    )
    assert counseled.status_code == 201, counseled.content
    assert counseled.json()["site"] == {"id": site.pk, "name": site.name}

    events = client.get(f"{url}events/").json()
    assert events["count"] == 2
    assert client.get(f"{url}events/?kind=drug_test").json()["count"] == 1
    after = client.get(url).json()["progress"]["requirements"]
    assert next(r for r in after if r["kind"] == "drug_test")["done"] == "1.00"

    # An incentive with its reason.
    response = client.post(
        f"{url}responses/",
        {"kind": "incentive", "action": "Praise from the bench", "reason": "Clean test."},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "incentive" and response.json()["ordered_on"] == str(today)
    assert client.get(f"{url}responses/").json()["count"] == 1

    # Advancing early is refused with the blockers; the court may override with a reason.
    refused = client.post(f"{url}advance/", {}, format="json")
    assert_error(refused, 422, "PHASE_REQUIREMENTS_NOT_MET")
    advanced = client.post(
        f"{url}advance/", {"override": True, "reason": "Order of the court."}, format="json"
    )
    assert advanced.status_code == 200, advanced.content
    assert advanced.json()["phase"]["number"] == 2

    assert client.get(f"{url}flags/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }

    terminated = client.post(
        f"{url}terminate/",
        {"reason": "new_offense", "note": "Arrested for burglary."},
        format="json",
    )
    assert terminated.status_code == 200, terminated.content
    assert terminated.json()["status"] == "terminated"
    assert terminated.json()["termination_reason"] == "new_offense"
    assert terminated.json()["progress"] is None
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_completion_disposes_the_case(api, coordinator, diversion, make_case, court_a):
    # Enrolled 100 days ago (the referral moved back so the date may precede it).
    today = court_local_date(court_a)
    start = today - dt.timedelta(days=100)
    misdemeanor_case = make_case(
        filed_on=start - dt.timedelta(days=10),
        charges=[charge("812.014(3)(a)", "Petit theft", "misdemeanor_b", days_ago=120)],
    )
    referral = offered(diversion, misdemeanor_case, by=coordinator)
    Referral.objects.filter(pk=referral.pk).update(referred_on=start)
    from programs.services import enrollment_enroll

    enrollment = enrollment_enroll(referral=referral, by=coordinator, enrolled_on=start)
    client = api(coordinator)
    url = f"{V1}enrollments/{enrollment.pk}/"
    for day, hours in ((10, "12"), (20, "8")):
        ok = client.post(
            f"{url}events/",
            {
                "kind": "community_service",
                "occurred_on": str(start + dt.timedelta(days=day)),
                "hours": hours,
                "site": service_site(court_a).pk,
            },
            format="json",
        )
        assert ok.status_code == 201, ok.content
    ok = client.post(
        f"{url}events/",
        {
            "kind": "class",
            "occurred_on": str(start + dt.timedelta(days=30)),
            "attendance": "attended",
            "completed": True,
        },
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert client.get(url).json()["progress"]["ready_to_advance"] is True

    completed = client.post(f"{url}complete/", {"note": "Well done."}, format="json")

    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == "completed"
    assert completed.json()["ended_on"] == today.isoformat()
    misdemeanor_case.refresh_from_db()
    assert misdemeanor_case.status == CaseStatus.DISPOSED


def test_enrollment_list_filters(api, coordinator, program, diversion, case, make_case, court_a):
    one = active(program, case, by=coordinator)
    two = active(diversion, make_case(), by=coordinator)
    client = api(coordinator)

    assert client.get(f"{V1}enrollments/").json()["count"] == 2
    assert [
        e["id"] for e in client.get(f"{V1}enrollments/?program={program.pk}").json()["results"]
    ] == [one.pk]
    assert client.get(f"{V1}enrollments/?status=active&phase=1").json()["count"] == 2
    assert client.get(f"{V1}enrollments/?phase=2").json()["count"] == 0
    assert client.get(f"{V1}enrollments/?has_open_flags=true").json()["count"] == 0
    listed = client.get(f"{V1}enrollments/?has_open_flags=false").json()["results"]
    assert {e["id"] for e in listed} == {one.pk, two.pk}
    assert all(e["open_flags"] == 0 for e in listed)
    assert client.get(f"{V1}enrollments/?case={case.number}").json()["count"] == 1
    assert_error(client.get(f"{V1}enrollments/?has_open_flags=maybe"), 400, None, "has_open_flags")
    assert_error(client.get(f"{V1}enrollments/?phase=zero"), 400, "invalid", "phase")


def test_open_flags_show_on_the_enrollment_and_filter_the_list(
    api, coordinator, program, case, court_a
):
    enrollment = active(program, case, by=coordinator)
    today = court_local_date(court_a)
    # A flag as the nightly run raises it (programs.compliance has its own tests).
    flag = ComplianceFlag.objects.create(
        enrollment=enrollment,
        kind="missed_test",
        key="call:1",
        detail="No test on the day called.",
        raised_on=today,
    )
    client = api(coordinator)
    url = f"{V1}enrollments/{enrollment.pk}/"

    detail = client.get(url).json()
    assert detail["open_flags"] == 1
    assert [f["id"] for f in detail["flags"]] == [flag.pk]
    assert detail["flags"][0]["kind"] == "missed_test" and detail["flags"][0]["status"] == "open"
    assert client.get(f"{V1}enrollments/").json()["count"] == 1
    assert client.get(f"{V1}enrollments/?has_open_flags=true").json()["count"] == 1
    assert client.get(f"{V1}enrollments/?has_open_flags=false").json()["count"] == 0
    assert client.get(f"{url}flags/?status=open").json()["count"] == 1
    assert client.get(f"{url}flags/?status=resolved").json()["count"] == 0

    # A sanction answering the flag.
    response = client.post(
        f"{url}responses/",
        {"kind": "sanction", "action": "Essay", "reason": "Missed a test.", "flag": flag.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["flag"] == flag.pk


def test_event_errors_name_the_field_with_a_stable_code(api, coordinator, program, case, court_a):
    enrollment = active(program, case, by=coordinator)
    client = api(coordinator)
    url = f"{V1}enrollments/{enrollment.pk}/events/"
    today = str(court_local_date(court_a))

    body = assert_error(client.post(url, {}, format="json"), 400)
    assert {f: e[0]["code"] for f, e in body["fields"].items()} == {
        "kind": "required",
        "occurred_on": "required",
    }
    assert_error(
        client.post(url, {"kind": "drug_test", "occurred_on": "yesterday"}, format="json"),
        400,
        "invalid",
        "occurred_on",
    )
    assert_error(
        client.post(
            url, {"kind": "community_service", "occurred_on": today, "hours": "lots"}, format="json"
        ),
        400,
        "invalid",
        "hours",
    )
    assert_error(
        client.post(
            url,
            {"kind": "drug_test", "occurred_on": today, "drug_test_result": "purple"},
            format="json",
        ),
        400,
        "invalid_choice",
        "drug_test_result",
    )
    # The service's rules: a drug test needs its result, a positive one its substances.
    missing = client.post(url, {"kind": "drug_test", "occurred_on": today}, format="json")
    assert missing.status_code in (400, 422), missing.content
    assert "drug_test_result" in missing.json()["fields"]
    assert missing.json()["fields"]["drug_test_result"][0]["code"]
    positive = client.post(
        url,
        {"kind": "drug_test", "occurred_on": today, "drug_test_result": "positive"},
        format="json",
    )
    assert positive.status_code in (400, 422), positive.content
    assert "substances" in positive.json()["fields"]
    # Ids of another program or court.
    other = pretrial_diversion(court_a, code="OTHER")
    foreign = PhaseRequirement.objects.filter(phase__program=other).first()
    assert_error(
        client.post(
            url,
            {
                "kind": "class",
                "occurred_on": today,
                "attendance": "attended",
                "requirement": foreign.pk,
            },
            format="json",
        ),
        400,
        "UNKNOWN_REQUIREMENT",
        "requirement",
    )
    assert_error(
        client.post(
            url,
            {"kind": "community_service", "occurred_on": today, "hours": "2", "site": 999999},
            format="json",
        ),
        400,
        "UNKNOWN_SITE",
        "site",
    )
    assert ServiceEvent.objects.count() == 0

    assert_error(
        client.post(
            f"{V1}enrollments/{enrollment.pk}/terminate/", {"reason": "bored"}, format="json"
        ),
        400,
        "invalid_choice",
        "reason",
    )
    body = assert_error(
        client.post(
            f"{V1}enrollments/{enrollment.pk}/responses/", {"kind": "sanction"}, format="json"
        ),
        400,
    )
    assert set(body["fields"]) == {"action", "reason"}
    assert_error(
        client.post(
            f"{V1}enrollments/{enrollment.pk}/responses/",
            {"kind": "sanction", "action": "Jail", "reason": "Missed.", "flag": 424242},
            format="json",
        ),
        400,
        "UNKNOWN_FLAG",
        "flag",
    )


# --- who sees and who writes -------------------------------------------------------------


def record_urls(referral: Referral, enrollment: Enrollment) -> list[str]:
    return [
        f"{V1}referrals/{referral.pk}/",
        f"{V1}enrollments/{enrollment.pk}/",
        f"{V1}enrollments/{enrollment.pk}/events/",
        f"{V1}enrollments/{enrollment.pk}/flags/",
        f"{V1}enrollments/{enrollment.pk}/responses/",
    ]


def write_calls(referral: Referral, enrollment: Enrollment, today: dt.date):
    e = f"{V1}enrollments/{enrollment.pk}/"
    r = f"{V1}referrals/{referral.pk}/"
    return [
        (
            f"{e}events/",
            {"kind": "drug_test", "occurred_on": str(today), "drug_test_result": "negative"},
        ),
        (f"{e}advance/", {"override": True, "reason": "x"}),
        (f"{e}complete/", {}),
        (f"{e}terminate/", {"reason": "other", "note": "x"}),
        (f"{e}responses/", {"kind": "incentive", "action": "x", "reason": "x"}),
        (f"{r}screen/", {}),
        (f"{r}consents/", {"kind": "victim"}),
        (f"{r}offer/", {}),
        (f"{r}decline/", {"reason": "x"}),
        (f"{r}withdraw/", {"reason": "x"}),
        (f"{r}enroll/", {}),
    ]


@pytest.fixture
def records(coordinator, clerk, program, diversion, case):
    """An active enrollment in the drug court and an open referral to the diversion program,
    on the same case of court A."""
    referral = refer(diversion, case, by=clerk)  # while the case is pending
    enrollment = active(program, case, by=coordinator)
    return referral, enrollment


def test_another_courts_coordinator_and_an_attorney_not_of_record_get_404(
    api, records, coordinator_b, attorney, court_a
):
    referral, enrollment = records
    today = court_local_date(court_a)
    for user in (coordinator_b, attorney):
        client = api(user)
        for url in record_urls(referral, enrollment):
            assert_error(client.get(url), 404, "NOT_FOUND")
        for url, body in write_calls(referral, enrollment, today):
            assert_error(client.post(url, body, format="json"), 404, "NOT_FOUND")
        assert client.get(f"{V1}referrals/").json()["count"] == 0
        assert client.get(f"{V1}enrollments/").json()["count"] == 0
    assert ServiceEvent.objects.count() == 0


def test_the_public_gets_401_for_records(api, records, court_a):
    # The API answers the public 401 everywhere but the public lists (cases API likewise).
    referral, enrollment = records
    for url in [f"{V1}referrals/", f"{V1}enrollments/", *record_urls(referral, enrollment)]:
        assert_error(api().get(url), 401, "NOT_AUTHENTICATED")
    for url, body in write_calls(referral, enrollment, court_local_date(court_a)):
        assert_error(api().post(url, body, format="json"), 401, "NOT_AUTHENTICATED")


def test_an_attorney_of_record_reads_and_refers_but_does_not_serve(
    api, records, attorney, clerk, case, court_a, make_case, program
):
    referral, enrollment = records
    appearance_enter(case=case, attorney=attorney, party=defendant_party(case), actor=clerk)
    client = api(attorney)

    for url in record_urls(referral, enrollment):
        assert client.get(url).status_code == 200, url
    assert client.get(f"{V1}enrollments/").json()["count"] == 1
    for url, body in write_calls(referral, enrollment, court_local_date(court_a)):
        assert_error(client.post(url, body, format="json"), 403, "PROGRAM_STAFF_ONLY")
    assert ServiceEvent.objects.count() == 0

    # Referring is open to an attorney of record, on their own cases only.
    mine = make_case()
    appearance_enter(case=mine, attorney=attorney, party=defendant_party(mine), actor=clerk)
    body = {
        "case": mine.number,
        "participant": defendant_party(mine).pk,
        "program": program.pk,
        "source": "defense",
    }
    assert client.post(f"{V1}referrals/", body, format="json").status_code == 201
    not_mine = make_case()
    body.update(case=not_mine.number, participant=defendant_party(not_mine).pk)
    assert_error(client.post(f"{V1}referrals/", body, format="json"), 403)


def test_a_clerk_of_the_court_reads_but_does_not_serve(api, records, clerk, court_a):
    referral, enrollment = records
    client = api(clerk)
    assert client.get(f"{V1}enrollments/{enrollment.pk}/").status_code == 200
    url, body = write_calls(referral, enrollment, court_local_date(court_a))[0]
    assert_error(client.post(url, body, format="json"), 403, "PROGRAM_STAFF_ONLY")


def test_a_sealed_cases_records_follow_the_case(api, records, coordinator, supervisor, case):
    referral, enrollment = records
    case_confidentiality_set(
        case=case, confidentiality="sealed", actor=supervisor, reason="Order sealing."
    )

    # The coordinator has no grant to the sealed case: its program records are out of sight.
    for url in record_urls(referral, enrollment):
        assert_error(api(coordinator).get(url), 404, "NOT_FOUND")
    assert api(coordinator).get(f"{V1}enrollments/").json()["count"] == 0
    # A supervisor of the court sees them, and the read is audited.
    before = AuditEvent.objects.filter(action="case.read").count()
    assert api(supervisor).get(f"{V1}enrollments/{enrollment.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="case.read").count() == before + 1


# --- lists, garbage, the schema ----------------------------------------------------------


def test_lists_are_paginated_and_page_size_is_capped_at_200(api, court_a, coordinator):
    Program.objects.bulk_create(
        [
            Program(
                court=court_a,
                code=f"P{i:03d}",
                name=f"Program {i:03d}",
                kind=ProgramKind.TRAFFIC_SCHOOL,
                capacity=5,
                duration_days=30,
            )
            for i in range(205)
        ]
    )
    body = api(coordinator).get(f"{V1}programs/?page_size=1000").json()
    assert body["count"] == 205 and len(body["results"]) == 200 and body["next"]
    body = api(coordinator).get(f"{V1}programs/?page_size=5&page=2").json()
    assert [p["code"] for p in body["results"]] == [f"P{i:03d}" for i in range(5, 10)]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "programs/?page=abc", None),
        ("get", "programs/?page_size=-3", None),
        ("get", "programs/?kind=" + "x" * 500, None),
        ("get", "programs/99999999999999999999/", None),
        ("get", "referrals/99999999999999999999/", None),
        ("get", "referrals/?program=99999999999999999999", None),
        ("get", "referrals/?case=%00", None),
        ("get", "enrollments/?program=-1&status=%00", None),
        ("get", "enrollments/99999999999999999999/events/", None),
        ("post", "referrals/", []),
        ("post", "referrals/", "not json at all"),
        ("post", "referrals/", {"case": ["a"], "participant": "x", "program": {}, "source": 5}),
        (
            "post",
            "referrals/",
            {"case": "A", "participant": 10**30, "program": 10**30, "source": "judge"},
        ),
        ("post", "programs/", {"court": "alpha", "phases": "many", "criteria": [1, 2]}),
        ("post", "enrollments/{e}/events/", {"kind": "drug_test", "occurred_on": "2026-02-30"}),
        ("post", "enrollments/{e}/events/", {"kind": None, "occurred_on": None, "hours": "1e999"}),
        (
            "post",
            "enrollments/{e}/events/",
            {"kind": "community_service", "occurred_on": "2020-01-01", "hours": "99999999"},
        ),
        (
            "post",
            "enrollments/{e}/responses/",
            {"kind": "sanction", "action": "x", "reason": "x", "demote_to_phase": 10**9},
        ),
        ("post", "enrollments/{e}/advance/", {"override": "perhaps"}),
        ("post", "referrals/{r}/enroll/", {"enrolled_on": "3000-01-01"}),
        ("post", "referrals/{r}/consents/", {"kind": "participant", "given_on": "3000-01-01"}),
        ("post", "referrals/{r}/screen/", {"decision": ["eligible"]}),
    ],
)
def test_garbage_never_answers_500(api, supervisor, records, method, path, body):
    referral, enrollment = records
    url = V1 + path.format(e=enrollment.pk, r=referral.pk)
    client = api(supervisor)
    if isinstance(body, str):
        response = client.generic(method.upper(), url, body, content_type="application/json")
    elif method == "get":
        response = client.get(url)
    else:
        response = client.post(url, body, format="json")
    assert response.status_code < 500, (response.status_code, response.content)
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message", "fields"}


def test_openapi_schema_generates_with_the_programs_api(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    schema = (tmp_path / "schema.yml").read_text()
    for path in (
        "/api/v1/programs/{id}/:",
        "/api/v1/referrals/{id}/screen/:",
        "/api/v1/referrals/{id}/enroll/:",
        "/api/v1/enrollments/{id}/events/:",
        "/api/v1/enrollments/{id}/flags/:",
    ):
        assert path in schema, path
