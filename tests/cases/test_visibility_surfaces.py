"""The visibility matrix on every surface: each role x {public, confidential, sealed,
juvenile} case x {list, detail, search, API list, API detail}.

Shown where the role may see the case, hidden everywhere else: 404 like a missing
case, absent from lists, searches and their counts; the public never sees a
party's address, date of birth or telephone number.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from cases.models import CaseCategory
from cases.services import AppearanceInput, PartyInput
from tests.cases.factories import CaseTypeFactory, charge, open_case
from tests.core.factories import AttorneyProfileFactory

KINDS = ("public", "confidential", "sealed", "juvenile")
ALL = set(KINDS)
STAFF = {"public", "confidential", "juvenile"}
EXPECTED = {
    "clerk": STAFF,
    "courtroom_clerk": STAFF,
    "judge": STAFF,  # not the judge assigned to the sealed case
    "program_coordinator": STAFF,
    "supervisor": ALL,
    "attorney_of_record": STAFF,  # appears on every case; sealed needs a grant
    "attorney_not_of_record": {"public"},
    "other_court_clerk": {"public"},
    "public": {"public"},
    "superuser": ALL,
}
SURNAME = "Zabrowski"
DOB = dt.date(1984, 2, 29)
ADDRESS = "4471 Magnolia Ct"


@pytest.fixture
def world(court_a, court_b, make_user):
    clerk = make_user(Role.CLERK, [court_a])
    attorney = AttorneyProfileFactory(user__courts=[court_a]).user
    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    jv = CaseTypeFactory(
        court=court_a, code="JV", category=CaseCategory.JUVENILE,
        default_confidentiality="confidential", initial_event_code="PETN",
    )  # fmt: skip

    def person(role: str, first: str) -> PartyInput:
        return PartyInput(
            role=role, first_name=first, last_name=SURNAME, date_of_birth=DOB,
            address_line1=ADDRESS, city="Sarasota", state="FL", phone="(941) 555-0199",
        )  # fmt: skip

    cases = {}
    for kind, first in [("public", "Adam"), ("confidential", "Beth"), ("sealed", "Carl")]:
        cases[kind] = open_case(
            case_type=cr, opened_by=clerk, parties=[person("defendant", first)],
            charges=[charge()], confidentiality=None if kind == "public" else kind,
            appearances=[AppearanceInput(attorney=attorney, party_index=0)],
        )  # fmt: skip
    cases["juvenile"] = open_case(
        case_type=jv, opened_by=clerk, parties=[person("child", "Dana")],
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )  # fmt: skip
    users = {
        "clerk": clerk,
        "courtroom_clerk": make_user(Role.COURTROOM_CLERK, [court_a]),
        "judge": make_user(Role.JUDGE, [court_a]),
        "program_coordinator": make_user(Role.PROGRAM_COORDINATOR, [court_a]),
        "supervisor": make_user(Role.SUPERVISOR, [court_a]),
        "attorney_of_record": attorney,
        "attorney_not_of_record": AttorneyProfileFactory(user__courts=[court_a]).user,
        "other_court_clerk": make_user(Role.CLERK, [court_b]),
        "public": None,
        "superuser": make_user(Role.SUPERVISOR, [], is_superuser=True, is_staff=True),
    }
    return cases, users


def _kinds(cases, numbers) -> set[str]:
    by_number = {c.number: kind for kind, c in cases.items()}
    return {by_number[n] for n in numbers if n in by_number}


def _html_numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def _strip_csrf(body: bytes) -> str:
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", body.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_surface_shows_exactly_what_the_role_may_see(client, world, role):
    cases, users = world
    user = users[role]
    expected = EXPECTED[role]
    if user is not None:
        client.force_login(user)
    api = APIClient()
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t')[1]}")

    # list (HTML): every filed case of the court
    listed = client.get(reverse("cases:search"), {"status": "filed"})
    assert _kinds(cases, _html_numbers(listed)) == expected
    # search (HTML): by a misspelled party name
    found = client.get(reverse("cases:search"), {"q": "Zabrowsky"})
    assert _kinds(cases, _html_numbers(found)) == expected
    assert len(_html_numbers(found)) == len(expected)  # nothing else counted
    # detail (HTML): visible ones open, hidden ones answer exactly like a missing case
    missing = client.get(reverse("cases:detail", args=["alpha", "2099-CR-999999"]))
    for kind, case in cases.items():
        page = client.get(reverse("cases:detail", args=[case.court.code, case.number]))
        if kind in expected:
            assert page.status_code == 200, (role, kind)
        else:
            assert page.status_code == 404, (role, kind)
            assert _strip_csrf(page.content) == _strip_csrf(missing.content)

    # API list, API search and API detail (the API is for signed-in users only)
    api_list = api.get("/api/v1/cases/", {"status": "filed", "page_size": 200})
    api_search = api.get("/api/v1/cases/", {"party": "Zabrowsky"})
    if user is None:
        assert api_list.status_code == api_search.status_code == 401
        for case in cases.values():
            assert api.get(f"/api/v1/cases/{case.number}/").status_code == 401
        return
    body = api_list.json()
    assert _kinds(cases, [c["number"] for c in body["results"]]) == expected
    assert body["count"] == len(expected)
    assert _kinds(cases, [c["number"] for c in api_search.json()["results"]]) == expected
    assert api_search.json()["count"] == len(expected)
    api_missing = api.get("/api/v1/cases/2099-CR-999999/")
    for kind, case in cases.items():
        detail = api.get(f"/api/v1/cases/{case.number}/")
        if kind in expected:
            assert detail.status_code == 200, (role, kind)
        else:
            assert detail.status_code == 404, (role, kind)
            assert detail.json() == api_missing.json()


@pytest.mark.parametrize("role", ["public", "attorney_not_of_record", "other_court_clerk"])
def test_who_reads_as_the_public_never_sees_contact_details(client, world, role):
    cases, users = world
    if users[role] is not None:
        client.force_login(users[role])

    page = client.get(reverse("cases:detail", args=["alpha", cases["public"].number]))

    body = page.content.decode()
    assert page.status_code == 200
    assert SURNAME in body
    assert ADDRESS not in body
    assert "1984-02-29" not in body
    assert "555-0199" not in body
    if users[role] is not None:
        api = APIClient()
        api.credentials(
            HTTP_AUTHORIZATION=f"Token {api_token_create(user=users[role], name='t')[1]}"
        )
        [party] = api.get(f"/api/v1/cases/{cases['public'].number}/").json()["parties"]
        assert not {"date_of_birth", "address_line1", "phone", "email"} & set(_flat_keys(party))


@pytest.mark.parametrize("role", ["clerk", "attorney_of_record"])
def test_who_may_read_the_record_sees_contact_details(client, world, role):
    cases, users = world
    client.force_login(users[role])

    body = client.get(reverse("cases:detail", args=["alpha", cases["confidential"].number]))

    assert ADDRESS in body.content.decode()
    assert "1984-02-29" in body.content.decode()


def _flat_keys(data) -> set[str]:
    keys: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(key)
            keys |= _flat_keys(value)
    elif isinstance(data, list):
        for item in data:
            keys |= _flat_keys(item)
    return keys
