"""`/api/v1/cases/{number}/hearings/` and `/api/v1/hearings/{id}/` (API.md).

* GET: the hearings of a visible case; a case or hearing out of sight is 404.
* POST: sets a hearing (clerk's office of the court; 403 otherwise); conflicts answer
  409 `{"code", "message", "fields", "details": {"clashes": [...]}}` naming each hearing
  in the way; HEARING_CLASH is overridden by sending `override_reason`.
* PATCH hearings/{id}/: `{"action": "reschedule" | "continue" | "vacate" | "cancel" |
  "record_outcome", ...}`; a continuance answers 201 with the new hearing.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casemgmt.core.models import AuditEvent, CourtClosure
from docket.models import Hearing
from docket.services import hearing_schedule

from .conftest import at, court_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def hearings_url(case) -> str:
    return f"/api/v1/cases/{case.number}/hearings/"


def hearing_url(hearing) -> str:
    return f"/api/v1/hearings/{hearing.pk}/"


def trial_body(case, day, hour=9, **extra) -> dict:
    return {
        "hearing_type": "trial",
        "starts_at": at(case.court, day, hour).isoformat(),
        "minutes": 120,
        "courtroom": "Courtroom 2A",
        **extra,
    }


def set_trial(case, room, day, *, by, hour=9):
    return hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(case.court, day, hour),
        minutes=120,
        courtroom=room,
        scheduled_by=by,
    )


# --- POST: set a hearing --------------------------------------------------------------------


def test_the_clerk_sets_a_trial(api, make_case, room, clerk, judge, day):
    case = make_case(judge=judge, interpreter="es")
    api.force_authenticate(clerk)

    response = api.post(hearings_url(case), trial_body(case, day), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    hearing = Hearing.objects.get(case=case)
    assert response["Location"] == hearing_url(hearing)
    assert body["id"] == hearing.pk
    assert body["uid"] == f"{hearing.feed_uid}@" + body["uid"].split("@")[1]
    assert (body["status"], body["sequence"], body["setting_number"]) == ("scheduled", 0, 1)
    assert body["starts_at"] == at(case.court, day, 9).isoformat()
    assert body["courtroom"] == {"id": room.pk, "name": "Courtroom 2A", "location": "2nd floor"}
    assert body["judge"] == {"username": "judge_a", "name": "Ada Lane"}
    assert body["case"]["number"] == case.number
    assert body["interpreter_language"] == "es"
    assert body["conflict_override_reason"] == ""


def test_a_room_conflict_is_409_naming_the_clash(api, make_case, room, clerk, day):
    # Given a trial 09:00-11:00 in 2A
    first = make_case("Ames")
    other = set_trial(first, room, day, by=clerk)
    case = make_case("Boyd")
    api.force_authenticate(clerk)

    # When another is asked for at 10:00
    response = api.post(hearings_url(case), trial_body(case, day, hour=10), format="json")

    # Then 409, in the API's error shape, with the clash named
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"code", "message", "fields", "details"}
    assert body["code"] == "HEARING_ROOM_CONFLICT"
    assert first.number in body["message"]
    assert body["fields"]["courtroom"][0]["code"] == "HEARING_ROOM_CONFLICT"
    [clash] = body["details"]["clashes"]
    assert clash == {
        "kind": "room",
        "who": "Courtroom 2A",
        "case_number": first.number,
        "hearing_id": other.pk,
        "hearing_type": "Trial",
        "starts_at": at(first.court, day, 9).isoformat(),
        "ends_at": at(first.court, day, 11).isoformat(),
        "courtroom": "Courtroom 2A",
        "message": clash["message"],
    }


def test_an_attorney_clash_is_409_then_set_with_override_reason(
    api, make_case, room, room2, clerk, attorney, day
):
    busy = make_case("Ames", attorneys=[attorney])
    set_trial(busy, room, day, by=clerk)
    case = make_case("Boyd", attorneys=[attorney])
    api.force_authenticate(clerk)
    body = trial_body(case, day, hour=10, courtroom=str(room2.pk))

    refused = api.post(hearings_url(case), body, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "HEARING_CLASH"
    assert refused.json()["details"]["clashes"][0]["kind"] == "attorney"
    assert refused.json()["details"]["clashes"][0]["case_number"] == busy.number

    body["override_reason"] = "Second chair covers 2A."
    done = api.post(hearings_url(case), body, format="json")
    assert done.status_code == 201
    assert done.json()["conflict_override_reason"] == "Second chair covers 2A."
    assert AuditEvent.objects.filter(action="hearing.conflict_override").count() == 1


def test_a_full_session_is_409(api, make_case, make_session, room, clerk, day):
    make_session(day, capacity_cases=1)
    hearing_schedule(
        case=make_case("Ames"),
        hearing_type="status",
        starts_at=at(room.court, day, 9),
        minutes=10,
        courtroom=room,
        scheduled_by=clerk,
    )
    case = make_case("Boyd")
    api.force_authenticate(clerk)
    response = api.post(
        hearings_url(case),
        {
            "hearing_type": "status",
            "starts_at": at(case.court, day, 9).isoformat(),
            "minutes": 10,
            "courtroom": room.pk,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "SESSION_FULL"
    assert response.json()["fields"]["session"][0]["code"] == "SESSION_FULL"


def test_input_refusals(api, make_case, room, clerk, day, court_a):
    case = make_case()
    api.force_authenticate(clerk)
    naive = trial_body(case, day, starts_at=f"{day.isoformat()}T09:00:00")
    response = api.post(hearings_url(case), naive, format="json")
    assert response.status_code == 400
    assert response.json()["fields"]["starts_at"][0]["code"] == "offset"

    unknown_room = api.post(
        hearings_url(case), trial_body(case, day, courtroom="Ballroom"), format="json"
    )
    assert unknown_room.json()["fields"]["courtroom"][0]["code"] == "UNKNOWN_COURTROOM"

    closed_day = court_day(court_a, weeks=30)
    CourtClosure.objects.create(court=court_a, date=closed_day, reason="Storm")
    closed = api.post(hearings_url(case), trial_body(case, closed_day), format="json")
    assert (closed.status_code, closed.json()["code"]) == (422, "COURT_CLOSED")


@pytest.mark.parametrize("who", ["attorney", "judge", "clerk_b"])
def test_only_the_clerks_office_sets_hearings(api, make_case, room, day, who, request):
    user = request.getfixturevalue(who)
    case = make_case(attorneys=[request.getfixturevalue("attorney")])
    api.force_authenticate(user)
    response = api.post(hearings_url(case), trial_body(case, day), format="json")
    assert (response.status_code, response.json()["code"]) == (403, "NOT_A_RECORD_KEEPER")
    assert not Hearing.objects.exists()


# --- GET: visibility ------------------------------------------------------------------------


def test_the_hearings_of_a_case(api, make_case, room, clerk, attorney, day):
    case = make_case(attorneys=[attorney], interpreter="es")
    first = set_trial(case, room, day, by=clerk)
    second = set_trial(case, room, day, by=clerk, hour=13)
    api.force_authenticate(attorney)

    response = api.get(hearings_url(case))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [h["id"] for h in results] == [first.pk, second.pk]
    assert results[0]["interpreter_language"] == "es"  # of record: beyond the public level
    assert "conflict_override_reason" not in results[0]  # court staff only
    filtered = api.get(hearings_url(case), {"status": "vacated"})
    assert filtered.json()["results"] == []


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_a_confidential_case_and_its_hearings_are_404(
    api, make_case, room, clerk, day, who, request
):
    # Rule: another court's clerk and an attorney not of record see nothing
    case = make_case(confidentiality="confidential")
    hearing = set_trial(case, room, day, by=clerk)
    api.force_authenticate(request.getfixturevalue(who))
    assert api.get(hearings_url(case)).status_code == 404
    assert api.get(hearing_url(hearing)).status_code == 404
    patch = api.patch(hearing_url(hearing), {"action": "vacate", "reason": "x"}, format="json")
    assert patch.status_code == 404
    assert api.post(hearings_url(case), trial_body(case, day), format="json").status_code == 404


def test_a_sealed_case_is_404_to_the_attorney_not_of_record_and_the_clerk(
    api, make_case, room, supervisor, clerk, outsider, day, sealed
):
    case = sealed(make_case())
    hearing = set_trial(case, room, day, by=supervisor)
    for user in (clerk, outsider):
        api.force_authenticate(user)
        assert api.get(hearing_url(hearing)).status_code == 404
        assert api.get(hearings_url(case)).status_code == 404
    api.force_authenticate(supervisor)
    assert api.get(hearing_url(hearing)).status_code == 200
    assert AuditEvent.objects.filter(action="case.read", case_number=case.number).exists()


def test_the_public_gets_nothing_from_the_api(api, make_case, room, clerk, day):
    hearing = set_trial(make_case(), room, day, by=clerk)
    assert api.get(hearing_url(hearing)).status_code in (401, 403)


# --- PATCH: changes --------------------------------------------------------------------------


def test_continue_answers_201_with_the_new_hearing(api, make_case, room, clerk, court_a, day):
    hearing = set_trial(make_case(), room, day, by=clerk)
    later = court_day(court_a, weeks=6)
    api.force_authenticate(clerk)

    response = api.patch(
        hearing_url(hearing),
        {
            "action": "continue",
            "reason": "defense-not-ready",
            "note": "New counsel.",
            "starts_at": at(court_a, later, 9).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    new = Hearing.objects.get(continued_from=hearing)
    assert response["Location"] == hearing_url(new)
    assert (body["id"], body["continued_from"], body["setting_number"], body["sequence"]) == (
        new.pk,
        hearing.pk,
        2,
        1,
    )
    assert body["uid"] == api.get(hearing_url(hearing)).json()["uid"]
    old = api.get(hearing_url(hearing)).json()
    assert old["status"] == "continued"
    assert old["continued_to"] == new.pk
    assert old["continuance_reason"] == {"code": "defense-not-ready", "label": "Defense not ready"}


def test_reschedule_vacate_and_refusals(api, make_case, room, room2, clerk, court_a, day):
    hearing = set_trial(make_case(), room, day, by=clerk)
    api.force_authenticate(clerk)

    moved = api.patch(
        hearing_url(hearing),
        {
            "action": "reschedule",
            "starts_at": at(court_a, day, 13).isoformat(),
            "courtroom": "Courtroom 5B",
        },
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["courtroom"]["name"], moved.json()["sequence"]) == ("Courtroom 5B", 1)

    no_reason = api.patch(hearing_url(hearing), {"action": "vacate"}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]

    vacated = api.patch(
        hearing_url(hearing), {"action": "vacate", "reason": "Plea."}, format="json"
    )
    assert (vacated.status_code, vacated.json()["status"]) == (200, "vacated")

    again = api.patch(hearing_url(hearing), {"action": "cancel", "reason": "x"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "HEARING_NOT_SCHEDULED")

    unknown = api.patch(hearing_url(hearing), {"action": "adjourn"}, format="json")
    assert (unknown.status_code, unknown.json()["fields"]["action"][0]["code"]) == (
        400,
        "invalid_choice",
    )


def test_an_unknown_continuance_reason_is_400(api, make_case, room, clerk, court_a, day):
    hearing = set_trial(make_case(), room, day, by=clerk)
    api.force_authenticate(clerk)
    response = api.patch(
        hearing_url(hearing),
        {"action": "continue", "reason": "bored", "starts_at": at(court_a, day, 13).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["reason"][0]["code"] == "UNKNOWN_CONTINUANCE_REASON"


def test_an_attorney_of_record_reads_but_does_not_change(
    api, make_case, room, clerk, attorney, day
):
    hearing = set_trial(make_case(attorneys=[attorney]), room, day, by=clerk)
    api.force_authenticate(attorney)
    assert api.get(hearing_url(hearing)).status_code == 200
    response = api.patch(hearing_url(hearing), {"action": "vacate", "reason": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "NOT_A_RECORD_KEEPER")


def test_openapi_schema_lists_the_hearing_paths(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for text in ("/api/v1/cases/{number}/hearings/", "/api/v1/hearings/{id}/", "HEARING_CLASH"):
        assert text in schema
