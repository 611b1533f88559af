"""REST API v1 over the case file: intake, lifecycle, visibility, redaction, audit, docket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from rest_framework.exceptions import ErrorDetail
from rest_framework.test import APIClient

from casemgmt.core.api.base import ScopedAPIView, api_validation_error, flatten_error_detail
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from cases.models import (
    Appearance,
    Case,
    CaseCategory,
    CaseParty,
    CaseStatusChange,
    Charge,
    DocketEntry,
    Person,
    court_local_date,
)
from cases.services import AppearanceInput, docket_entry_record
from tests.cases.factories import CaseTypeFactory, PersonFactory, charge, defendant, open_case
from tests.core.factories import AttorneyProfileFactory

CONTACT_KEYS = {
    "date_of_birth",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
}


@pytest.fixture
def api(db):
    """An API client signed in with `user`'s API token (or anonymous with no user)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def clerk_b(make_user, court_b):
    return make_user(Role.CLERK, [court_b], username="clerk_b")


@pytest.fixture
def superuser(make_user):
    return make_user(Role.SUPERVISOR, [], username="root", is_superuser=True, is_staff=True)


def case_url(case, suffix="") -> str:
    return f"/api/v1/cases/{case.number}/{suffix}"


def intake_body(**overrides) -> dict:
    body = {
        "court": "alpha",
        "case_type": "CR",
        "parties": [
            {
                "role": "defendant",
                "first_name": "John",
                "last_name": "Doe",
                "date_of_birth": "1990-05-17",
                "address_line1": "12 Orange Ave",
                "city": "Sarasota",
                "state": "FL",
                "postal_code": "34236",
            }
        ],
        "charges": [
            {
                "statute_code": "812.014(2)(c)",
                "statute_text": "Grand theft",
                "charge_class": "felony_3",
                "offense_date": (dt.date.today() - dt.timedelta(days=10)).isoformat(),
            }
        ],
    }
    body.update(overrides)
    return body


def field_codes(body: dict, field: str) -> list[str]:
    return [error["code"] for error in body["fields"].get(field, [])]


# --- intake --------------------------------------------------------------------------------


def test_intake_opens_a_case_and_a_retry_with_the_same_key_returns_it(api, clerk, cr_type):
    client = api(clerk)
    people_before = Person.objects.count()

    first = client.post(
        "/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="intake-42"
    )
    retry = client.post(
        "/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="intake-42"
    )

    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["caption"] == "State v. Doe"
    assert body["status"] == "filed"
    assert body["court"]["code"] == "alpha"
    assert body["case_type"]["code"] == "CR"
    assert [p["last_name"] for p in body["parties"]] == ["Doe"]
    assert body["parties"][0]["date_of_birth"] == "1990-05-17"
    assert [c["count"] for c in body["charges"]] == [1]
    assert body["open_deadlines"] == []
    assert body["next_hearing"] is None
    assert first["Location"] == f"/api/v1/cases/{body['number']}/?court=alpha"
    assert retry.status_code == 200
    assert retry.json() == body
    assert Case.objects.count() == 1
    assert Person.objects.count() == people_before + 1
    assert AuditEvent.objects.filter(action="case.open").count() == 1


def test_the_same_key_for_another_intake_is_refused(api, clerk, cr_type, cv_type):
    client = api(clerk)
    client.post("/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")

    response = client.post(
        "/api/v1/cases/",
        intake_body(case_type="CV", charges=[]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert Case.objects.count() == 1


def test_another_users_key_is_another_intake(api, clerk, make_user, court_a, cr_type):
    other_clerk = make_user(Role.CLERK, [court_a], username="clerk_a2")

    api(clerk).post("/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api(other_clerk).post(
        "/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )

    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_intake_links_an_existing_person_and_enters_attorneys(api, clerk, attorney, cr_type):
    AttorneyProfileFactory(user=attorney, bar_number="0123456")
    known = PersonFactory(first_name="Mary", last_name="Major")
    body = intake_body(
        parties=[{"role": "defendant", "person_id": known.pk}],
        appearances=[{"bar_number": "0123456", "party": 0}],
    )

    response = api(clerk).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["parties"][0]["person_id"] == known.pk
    assert data["caption"] == "State v. Major"
    [appearance] = data["attorneys"]
    assert appearance["attorney"]["username"] == "attorney_a"
    assert appearance["attorney"]["bar_number"] == "0123456"
    assert appearance["party"]["id"] == data["parties"][0]["id"]


def _other_court_type(court_b):
    return CaseTypeFactory(court=court_b, code="TR", name="Traffic", category=CaseCategory.TRAFFIC)


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("no_defendant", "parties", "DEFENDANT_REQUIRED"),
        ("dob_in_future", "parties.0.date_of_birth", "DATE_IN_FUTURE"),
        ("other_courts_type", "case_type", "CASE_TYPE_OTHER_COURT"),
        ("no_last_name", "parties.0.last_name", "required"),
    ],
)
def test_intake_refusals_name_the_field_and_create_nothing(
    api, clerk, cr_type, court_a, court_b, case, field, code
):
    _other_court_type(court_b)
    tomorrow = court_local_date(court_a) + dt.timedelta(days=1)
    body = {
        "no_defendant": intake_body(
            parties=[{"role": "victim", "first_name": "Ann", "last_name": "Smith"}]
        ),
        "dob_in_future": intake_body(
            parties=[
                {
                    "role": "defendant",
                    "last_name": "Doe",
                    "date_of_birth": tomorrow.isoformat(),
                }
            ]
        ),
        "other_courts_type": intake_body(case_type="TR"),
        "no_last_name": intake_body(parties=[{"role": "defendant", "first_name": "John"}]),
    }[case]
    cases_before, people_before = Case.objects.count(), Person.objects.count()
    entries_before = DocketEntry.objects.count()

    response = api(clerk).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "VALIDATION_ERROR"
    assert code in field_codes(data, field), data
    assert Case.objects.count() == cases_before
    assert Person.objects.count() == people_before
    assert DocketEntry.objects.count() == entries_before


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"court": "nowhere"}, "court", "UNKNOWN_COURT"),
        ({"case_type": "ZZ"}, "case_type", "UNKNOWN_CASE_TYPE"),
        ({"filed_on": "2026-02-30"}, "filed_on", "invalid"),
        ({"filed_on": 20260101}, "filed_on", "invalid"),
        ({"parties": "John Doe"}, "parties", "not_a_list"),
        ({"parties": [{"role": "jester", "last_name": "Doe"}]}, "parties.0.role", "invalid_choice"),
        (
            {"parties": [{"role": "defendant", "person_id": 999999}]},
            "parties.0.person_id",
            "UNKNOWN_PERSON",
        ),
        ({"charges": [{"statute_code": "x"}]}, "charges.0.offense_date", "required"),
        ({"appearances": [{"bar_number": "nope"}]}, "appearances.0.bar_number", "UNKNOWN_ATTORNEY"),
        ({"judge": "nobody"}, "judge", "UNKNOWN_JUDGE"),
        ({"confidentiality": "secret"}, "confidentiality", "invalid_choice"),
    ],
)
def test_bad_intake_input_answers_400_with_field_errors(api, clerk, cr_type, payload, field, code):
    response = api(clerk).post("/api/v1/cases/", intake_body(**payload), format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "VALIDATION_ERROR"
    assert code in field_codes(data, field), data
    assert not Case.objects.exists()


def test_malformed_json_answers_400(api, clerk, cr_type):
    response = api(clerk).post("/api/v1/cases/", data='{"court": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_a_json_list_body_answers_400(api, clerk, cr_type):
    response = api(clerk).post("/api/v1/cases/", [1, 2], format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()["fields"]


def test_intake_is_refused_to_attorneys_and_to_clerks_of_other_courts(
    api, attorney, clerk_b, cr_type
):
    as_attorney = api(attorney).post("/api/v1/cases/", intake_body(), format="json")
    as_other_clerk = api(clerk_b).post("/api/v1/cases/", intake_body(), format="json")

    assert as_attorney.status_code == 403
    assert as_attorney.json()["code"] == "PERMISSION_DENIED"
    assert as_other_clerk.status_code == 403
    assert as_other_clerk.json()["code"] == "PERMISSION_DENIED"
    assert not Case.objects.exists()


# --- lifecycle -----------------------------------------------------------------------------


def test_transition_moves_the_case_and_records_it(api, clerk, criminal_case):
    response = api(clerk).post(
        case_url(criminal_case, "transition/"),
        {"to": "active", "reason": "Arraigned"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    criminal_case.refresh_from_db()
    assert criminal_case.status == "active"
    assert criminal_case.docket_entries.filter(event_code="ACTV").exists()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"to": "closed"}, "CASE_NOT_DISPOSED"),
        ({"to": "inactive"}, "INACTIVE_REASON_REQUIRED"),
        ({"to": "reopened"}, "CASE_NOT_DISPOSED"),
    ],
)
def test_refused_transition_answers_its_code_and_writes_nothing(
    api, clerk, criminal_case, payload, code
):
    entries = DocketEntry.objects.filter(case=criminal_case).count()
    changes = CaseStatusChange.objects.filter(case=criminal_case).count()

    response = api(clerk).post(case_url(criminal_case, "transition/"), payload, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == code
    criminal_case.refresh_from_db()
    assert criminal_case.status == "filed"
    assert DocketEntry.objects.filter(case=criminal_case).count() == entries
    assert CaseStatusChange.objects.filter(case=criminal_case).count() == changes


def test_transition_date_in_the_future_is_refused_on_its_field(api, clerk, criminal_case):
    future = court_local_date(criminal_case.court) + dt.timedelta(days=2)

    response = api(clerk).post(
        case_url(criminal_case, "transition/"),
        {"to": "active", "date": future.isoformat()},
        format="json",
    )

    assert response.status_code == 422
    assert field_codes(response.json(), "date") == ["DATE_IN_FUTURE"]


# --- visibility ----------------------------------------------------------------------------


def test_another_courts_clerk_cannot_find_the_case(api, clerk, clerk_b, cr_type):
    # A confidential case: a public one is public to everybody, signed in or not.
    criminal_case = open_case(case_type=cr_type, opened_by=clerk, confidentiality="confidential")
    as_other = api(clerk_b)

    detail = as_other.get(case_url(criminal_case))
    missing = as_other.get("/api/v1/cases/2099-CR-999999/")
    listing = as_other.get("/api/v1/cases/")
    own_listing = api(clerk).get("/api/v1/cases/")

    assert detail.status_code == 404
    assert detail.json() == missing.json()
    assert listing.json()["count"] == 0
    assert listing.json()["results"] == []
    assert own_listing.json()["count"] == 1
    assert own_listing.json()["results"][0]["number"] == criminal_case.number
    for suffix in ("docket/", "parties/", "charges/", "appearances/"):
        assert as_other.get(case_url(criminal_case, suffix)).status_code == 404


def test_attorney_not_of_record_sees_the_public_case_without_contact_details(
    api, attorney, criminal_case
):
    response = api(attorney).get(case_url(criminal_case))
    parties = api(attorney).get(case_url(criminal_case, "parties/"))

    assert response.status_code == 200
    [party] = response.json()["parties"]
    assert party["last_name"] == "Doe"
    assert not CONTACT_KEYS & party.keys()
    assert not CONTACT_KEYS & parties.json()["results"][0].keys()


@pytest.mark.parametrize("kind", ["confidential", "sealed", "juvenile"])
def test_attorney_not_of_record_gets_404_on_a_closed_record(
    api, attorney, clerk, cr_type, jv_type, kind
):
    if kind == "juvenile":
        case = open_case(case_type=jv_type, opened_by=clerk)
    else:
        case = open_case(case_type=cr_type, opened_by=clerk, confidentiality=kind)
    client = api(attorney)

    detail = client.get(case_url(case))
    docket = client.get(case_url(case, "docket/"))
    listing = client.get("/api/v1/cases/")

    assert detail.status_code == 404
    assert detail.json()["code"] == "NOT_FOUND"
    assert docket.status_code == 404
    assert listing.json()["count"] == 0


def test_attorney_of_record_sees_their_confidential_case_in_full(api, attorney, clerk, cr_type):
    case = open_case(
        case_type=cr_type,
        opened_by=clerk,
        confidentiality="confidential",
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )

    response = api(attorney).get(case_url(case))
    listing = api(attorney).get("/api/v1/cases/")

    assert response.status_code == 200
    assert response.json()["confidentiality"] == "confidential"
    party = response.json()["parties"][0]
    assert party.keys() >= CONTACT_KEYS
    assert party["date_of_birth"] == "1990-05-17"
    assert [c["number"] for c in listing.json()["results"]] == [case.number]


def test_the_public_gets_401(api, criminal_case):
    client = api()

    assert client.get("/api/v1/cases/").status_code == 401
    response = client.get(case_url(criminal_case))
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
    assert client.post("/api/v1/cases/", intake_body(), format="json").status_code == 401


def test_session_login_works_too(client, clerk, criminal_case):
    client.force_login(clerk)

    response = client.get(case_url(criminal_case))

    assert response.status_code == 200
    assert response.json()["number"] == criminal_case.number


def test_a_number_two_courts_share_needs_the_court(api, superuser, clerk, cr_type, cr_type_b):
    case_a = open_case(case_type=cr_type, opened_by=clerk)
    open_case(case_type=cr_type_b, opened_by=superuser)
    client = api(superuser)

    ambiguous = client.get(case_url(case_a))
    chosen = client.get(case_url(case_a) + "?court=alpha")

    assert ambiguous.status_code == 409
    assert ambiguous.json()["code"] == "CASE_NUMBER_AMBIGUOUS"
    assert chosen.status_code == 200
    assert chosen.json()["court"]["code"] == "alpha"


# --- audit of sealed and juvenile reads -------------------------------------------------------


def test_reads_of_a_sealed_case_are_audited(api, supervisor, clerk, cr_type):
    case = open_case(case_type=cr_type, opened_by=clerk, confidentiality="sealed")
    client = api(supervisor)

    detail = client.get(case_url(case))
    docket = client.get(case_url(case, "docket/"))

    assert detail.status_code == 200
    assert docket.status_code == 200
    reads = AuditEvent.objects.filter(action="case.read", case_id=case.pk).order_by("id")
    assert [e.details["surface"] for e in reads] == ["api.detail", "api.docket"]
    assert {e.actor for e in reads} == {supervisor}


def test_reads_of_a_public_case_are_not_audited(api, clerk, criminal_case):
    api(clerk).get(case_url(criminal_case))

    assert not AuditEvent.objects.filter(action="case.read").exists()


# --- writes need the record keeper -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("post", "transition/", {"to": "active"}),
        ("patch", "", {"caption": "State v. Someone"}),
        ("post", "parties/", {"role": "witness", "last_name": "Roe"}),
        ("post", "charges/", {}),
        ("post", "appearances/", {"attorney": "attorney_a"}),
        ("post", "charges/1/plea/", {"plea": "guilty"}),
        ("post", "confidentiality/", {"confidentiality": "sealed", "reason": "x"}),
    ],
)
def test_writes_by_an_attorney_are_forbidden(api, attorney, criminal_case, method, suffix, payload):
    entries = DocketEntry.objects.filter(case=criminal_case).count()

    response = getattr(api(attorney), method)(
        case_url(criminal_case, suffix), payload, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"
    assert DocketEntry.objects.filter(case=criminal_case).count() == entries


# --- parties, attorneys, charges ----------------------------------------------------------------


def test_clerk_adds_a_party(api, clerk, criminal_case):
    response = api(clerk).post(
        case_url(criminal_case, "parties/"),
        {"role": "victim", "first_name": "Ann", "last_name": "Smith", "phone": "555-0100"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "victim"
    assert response.json()["phone"] == "555-0100"
    assert CaseParty.objects.filter(case=criminal_case, role="victim").count() == 1
    listing = api(clerk).get(case_url(criminal_case, "parties/")).json()
    assert listing["count"] == 2


def test_adding_a_party_with_a_future_birth_date_is_refused(api, clerk, criminal_case):
    tomorrow = court_local_date(criminal_case.court) + dt.timedelta(days=1)

    response = api(clerk).post(
        case_url(criminal_case, "parties/"),
        {"role": "witness", "last_name": "Roe", "date_of_birth": tomorrow.isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert field_codes(response.json(), "date_of_birth") == ["DATE_IN_FUTURE"]


def test_appearance_entered_and_withdrawn(api, clerk, attorney, criminal_case):
    AttorneyProfileFactory(user=attorney, bar_number="7654321")
    party = criminal_case.parties.get()
    client = api(clerk)

    entered = client.post(
        case_url(criminal_case, "appearances/"),
        {"bar_number": "7654321", "party": party.pk},
        format="json",
    )
    again = client.post(
        case_url(criminal_case, "appearances/"),
        {"attorney": "attorney_a", "party": party.pk},
        format="json",
    )
    appearance_id = entered.json()["id"]
    withdrawn = client.post(
        case_url(criminal_case, f"appearances/{appearance_id}/withdraw/"), {}, format="json"
    )
    twice = client.post(
        case_url(criminal_case, f"appearances/{appearance_id}/withdraw/"), {}, format="json"
    )

    assert entered.status_code == 201, entered.json()
    assert entered.json()["party"]["id"] == party.pk
    assert again.status_code == 409
    assert again.json()["code"] == "APPEARANCE_ALREADY_ACTIVE"
    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_active"] is False
    assert twice.status_code == 409
    assert twice.json()["code"] == "APPEARANCE_ALREADY_WITHDRAWN"
    assert not Appearance.objects.filter(case=criminal_case, withdrawn_on__isnull=True).exists()
    listing = client.get(case_url(criminal_case, "appearances/")).json()
    assert [a["id"] for a in listing["results"]] == [appearance_id]


def test_appearance_for_a_party_of_another_case_is_refused(api, clerk, attorney, cr_type):
    case = open_case(case_type=cr_type, opened_by=clerk)
    other = open_case(case_type=cr_type, opened_by=clerk)

    response = api(clerk).post(
        case_url(case, "appearances/"),
        {"attorney": "attorney_a", "party": other.parties.get().pk},
        format="json",
    )

    assert response.status_code == 400
    assert field_codes(response.json(), "party") == ["UNKNOWN_PARTY"]


def test_appearance_of_a_non_attorney_is_refused(api, clerk, criminal_case):
    response = api(clerk).post(
        case_url(criminal_case, "appearances/"), {"attorney": "clerk_a"}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "NOT_AN_ATTORNEY"


def test_charges_added_pleaded_and_disposed(api, clerk, criminal_case):
    client = api(clerk)
    offense = (court_local_date(criminal_case.court) - dt.timedelta(days=3)).isoformat()

    added = client.post(
        case_url(criminal_case, "charges/"),
        {
            "statute_code": "316.193",
            "statute_text": "DUI",
            "charge_class": "misdemeanor_b",
            "offense_date": offense,
        },
        format="json",
    )
    plea = client.post(case_url(criminal_case, "charges/2/plea/"), {"plea": "not_guilty"})
    disposed = client.post(
        case_url(criminal_case, "charges/2/disposition/"), {"disposition": "dismissed"}
    )
    again = client.post(
        case_url(criminal_case, "charges/2/disposition/"), {"disposition": "convicted"}
    )
    missing = client.post(case_url(criminal_case, "charges/9/plea/"), {"plea": "guilty"})

    assert added.status_code == 201, added.json()
    assert added.json()["count"] == 2
    assert plea.status_code == 200
    assert plea.json()["plea"] == "not_guilty"
    assert disposed.status_code == 200
    assert disposed.json()["disposition"] == "dismissed"
    assert again.status_code == 409
    assert again.json()["code"] == "CHARGE_ALREADY_DISPOSED"
    assert missing.status_code == 404
    charge = Charge.objects.get(case=criminal_case, count_number=2)
    assert charge.disposition == "dismissed"
    listing = client.get(case_url(criminal_case, "charges/")).json()
    assert [c["count"] for c in listing["results"]] == [1, 2]


def test_charges_on_a_civil_case_are_refused(api, clerk, civil_case):
    response = api(clerk).post(
        case_url(civil_case, "charges/"),
        {
            "statute_code": "1",
            "statute_text": "x",
            "charge_class": "infraction",
            "offense_date": "2020-01-01",
        },
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "CHARGES_NOT_ALLOWED"


# --- case changes: caption, judge, confidentiality ----------------------------------------------


def test_patch_changes_caption_and_assigns_the_judge(api, clerk, judge, criminal_case):
    response = api(clerk).patch(
        case_url(criminal_case),
        {"caption": "State v. Doe, John", "judge": "judge_a"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["caption"] == "State v. Doe, John"
    assert response.json()["judge"]["username"] == "judge_a"
    criminal_case.refresh_from_db()
    assert criminal_case.judge == judge
    assert criminal_case.docket_entries.filter(event_code="JASN").exists()
    assert AuditEvent.objects.filter(action="case.update", case_id=criminal_case.pk).exists()


def test_patch_refuses_a_judge_who_is_not_a_judge_of_the_court(api, clerk, criminal_case):
    response = api(clerk).patch(case_url(criminal_case), {"judge": "clerk_a"}, format="json")

    assert response.status_code == 400
    assert field_codes(response.json(), "judge") == ["NOT_A_JUDGE_OF_COURT"]
    criminal_case.refresh_from_db()
    assert criminal_case.judge is None


def test_sealing_needs_a_sealer_and_hides_the_case(api, clerk, supervisor, criminal_case):
    refused = api(clerk).post(
        case_url(criminal_case, "confidentiality/"),
        {"confidentiality": "sealed", "reason": "Order of 1 March"},
        format="json",
    )
    no_reason = api(supervisor).post(
        case_url(criminal_case, "confidentiality/"), {"confidentiality": "sealed"}, format="json"
    )
    sealed = api(supervisor).post(
        case_url(criminal_case, "confidentiality/"),
        {"confidentiality": "sealed", "reason": "Order of 1 March"},
        format="json",
    )

    assert refused.status_code == 403
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "REASON_REQUIRED"
    assert sealed.status_code == 200
    assert sealed.json() == {"number": criminal_case.number, "confidentiality": "sealed"}
    assert api(clerk).get(case_url(criminal_case)).status_code == 404


# --- the register of actions --------------------------------------------------------------------


def test_docket_shows_each_caller_only_entries_at_their_level(
    api, clerk, supervisor, attorney, criminal_case
):
    docket_entry_record(
        case=criminal_case,
        event_code="MOTN",
        text="Motion to suppress (sealed)",
        recorded_by=clerk,
        confidentiality="sealed",
    )
    docket_entry_record(
        case=criminal_case,
        event_code="MOTN",
        text="Motion for competency evaluation",
        recorded_by=clerk,
        confidentiality="confidential",
    )
    docket_entry_record(
        case=criminal_case, event_code="ORDR", text="Order setting bond", recorded_by=clerk
    )

    def texts(user):
        response = api(user).get(case_url(criminal_case, "docket/"))
        assert response.status_code == 200
        return [e["text"] for e in response.json()["results"]]

    as_supervisor, as_clerk, as_attorney = texts(supervisor), texts(clerk), texts(attorney)

    assert len(as_supervisor) == 4
    assert "Motion to suppress (sealed)" not in as_clerk
    assert "Motion for competency evaluation" in as_clerk
    assert len(as_clerk) == 3
    assert as_attorney[1:] == ["Order setting bond"]
    seqs = [
        e["seq"] for e in api(supervisor).get(case_url(criminal_case, "docket/")).json()["results"]
    ]
    assert seqs == sorted(seqs)


def test_docket_entries_carry_court_local_times(api, clerk, criminal_case):
    [entry] = api(clerk).get(case_url(criminal_case, "docket/")).json()["results"]

    entered_at = dt.datetime.fromisoformat(entry["entered_at"])
    assert entered_at.utcoffset() is not None
    assert entry["entry_date"] == criminal_case.filed_on.isoformat()
    assert entry["event_code"] == "CHRG"


# --- the list: filters and query budget ---------------------------------------------------------


def test_list_filters(api, clerk, cr_type, cv_type):
    theft = open_case(case_type=cr_type, opened_by=clerk)
    civil = open_case(case_type=cv_type, opened_by=clerk)
    client = api(clerk)

    def numbers(query):
        response = client.get("/api/v1/cases/" + query)
        assert response.status_code == 200, response.json()
        return {c["number"] for c in response.json()["results"]}

    assert numbers("?type=CV") == {civil.number}
    assert numbers("?party=jonez") == {civil.number}  # a typo still finds Jones
    assert numbers(f"?q={theft.number}") == {theft.number}
    assert numbers("?status=filed&court=alpha") == {theft.number, civil.number}
    assert numbers("?status=closed") == set()
    assert numbers("?filed_from=2000-01-01&filed_to=2000-12-31") == set()
    bad = client.get("/api/v1/cases/?filed_from=yesterday&status=nope")
    assert bad.status_code == 400
    assert {"filed_from", "status"} <= bad.json()["fields"].keys()


def test_list_filters_by_attorney_bar_number(api, clerk, attorney, cr_type):
    AttorneyProfileFactory(user=attorney, bar_number="5550001")
    theirs = open_case(
        case_type=cr_type, opened_by=clerk, appearances=[AppearanceInput(attorney=attorney)]
    )
    open_case(case_type=cr_type, opened_by=clerk)

    response = api(clerk).get("/api/v1/cases/?attorney=5550001")

    assert [c["number"] for c in response.json()["results"]] == [theirs.number]


def test_list_runs_in_a_fixed_number_of_queries(
    api, clerk, judge, cr_type, django_assert_max_num_queries
):
    for _ in range(3):
        open_case(case_type=cr_type, opened_by=clerk, judge=judge)
    client = api(clerk)
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/cases/")
    for _ in range(12):
        open_case(case_type=cr_type, opened_by=clerk, judge=judge)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/cases/?page_size=200")

    assert response.json()["count"] == 15
    assert all(c["judge"]["username"] == "judge_a" for c in response.json()["results"])


# --- the schema --------------------------------------------------------------------------------


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/v1/cases/{number}/docket/" in (tmp_path / "schema.yml").read_text()


def test_the_browsable_api_renders_for_a_signed_in_clerk(client, clerk, criminal_case):
    client.force_login(clerk)

    for url in (
        "/api/v1/cases/",
        case_url(criminal_case),
        case_url(criminal_case, "docket/"),
        case_url(criminal_case, "transition/"),
        case_url(criminal_case, "charges/1/plea/"),
    ):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 405), url
        assert response["Content-Type"].startswith("text/html"), url


def test_odd_requests_answer_in_the_error_shape(api, clerk, criminal_case):
    client = api(clerk)

    long_key = client.post(
        "/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    to_filed = client.post(case_url(criminal_case, "transition/"), {"to": "filed"}, format="json")
    bad_page = client.get("/api/v1/cases/?page=abc")
    unassign = client.patch(case_url(criminal_case), {"judge": None}, format="json")
    blank_caption = client.patch(case_url(criminal_case), {"caption": "  "}, format="json")

    assert long_key.status_code == 400
    assert "Idempotency-Key" in long_key.json()["fields"]
    assert to_filed.status_code == 400
    assert field_codes(to_filed.json(), "to") == ["invalid_choice"]
    assert bad_page.status_code == 404
    assert bad_page.json()["code"] == "NOT_FOUND"
    assert unassign.status_code == 200
    assert unassign.json()["judge"] is None
    assert blank_caption.status_code == 400
    assert "caption" in blank_caption.json()["fields"]


def test_detail_runs_in_a_fixed_number_of_queries(
    api, clerk, attorney, cr_type, django_assert_max_num_queries
):
    AttorneyProfileFactory(user=attorney)
    small = open_case(case_type=cr_type, opened_by=clerk)
    big = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant(last_name=f"Doe{i}") for i in range(8)],
        charges=[charge() for _ in range(6)],
        appearances=[AppearanceInput(attorney=attorney, party_index=i) for i in range(8)],
    )
    client = api(clerk)
    client.get(case_url(small))  # the token's first use is recorded once
    with django_assert_max_num_queries(12) as few:
        client.get(case_url(small))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(case_url(big))

    assert len(response.json()["parties"]) == 8
    assert len(response.json()["attorneys"]) == 8


# --- the base view -------------------------------------------------------------------------


def test_a_view_cannot_skip_scoping_by_overriding_get_queryset():
    with pytest.raises(ImproperlyConfigured, match="get_visible_queryset"):

        class Leaky(ScopedAPIView):
            def get_queryset(self):
                return Case.objects.all()

    with pytest.raises(ImproperlyConfigured, match="queryset"):

        class AlsoLeaky(ScopedAPIView):
            queryset = Case.objects.all()


def test_service_and_serializer_errors_become_dotted_field_paths():
    service_error = DjangoValidationError(
        {
            "parties.0.date_of_birth": [
                DjangoValidationError("In the future.", code="DATE_IN_FUTURE")
            ],
            "__all__": [DjangoValidationError("Bad.", code="BAD")],
        }
    )
    nested = {
        "parties": [{}, {"last_name": [ErrorDetail("Required.", code="required")]}],
        "charges": {"non_field_errors": [ErrorDetail("Not a list.", code="not_a_list")]},
    }

    converted = api_validation_error(service_error).detail
    flat = flatten_error_detail(nested)

    assert converted["parties.0.date_of_birth"][0].code == "DATE_IN_FUTURE"
    assert converted["non_field_errors"][0].code == "BAD"
    assert flat["parties.1.last_name"][0].code == "required"
    assert flat["charges"][0].code == "not_a_list"
