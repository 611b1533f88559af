"""Fixtures for payments: a criminal and a civil case type of court A, cases, an API client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create
from cases.models import CaseCategory
from tests.cases.factories import CaseTypeFactory, open_case


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def cv_type(court_a):
    return CaseTypeFactory(
        court=court_a,
        code="CV",
        name="Civil",
        category=CaseCategory.CIVIL,
        initial_event_code="CMPL",
    )


@pytest.fixture
def case(cr_type, clerk):
    """A public criminal case of court A, opened by the clerk."""
    return open_case(case_type=cr_type, opened_by=clerk)


@pytest.fixture
def make_case(cr_type, clerk):
    def make(**kwargs):
        return open_case(case_type=kwargs.pop("case_type", cr_type), opened_by=clerk, **kwargs)

    return make


@pytest.fixture
def clerk_b(make_user, court_b):
    return make_user(Role.CLERK, [court_b], username="clerk_b")


@pytest.fixture
def second_clerk(make_user, court_a):
    return make_user(Role.CLERK, [court_a], username="clerk_a2")


@pytest.fixture
def second_supervisor(make_user, court_a):
    return make_user(Role.SUPERVISOR, [court_a], username="supervisor_a2")


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
