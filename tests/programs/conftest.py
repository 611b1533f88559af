"""Fixtures for programs: a criminal case type of court A, a drug court, coordinators."""

from __future__ import annotations

import pytest

from casemgmt.core.roles import Role
from cases.models import CaseCategory
from tests.cases.factories import CaseTypeFactory, charge, open_case

from .factories import drug_court, pretrial_diversion


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def coordinator(make_user, court_a):
    return make_user(Role.PROGRAM_COORDINATOR, [court_a], username="coordinator_a")


@pytest.fixture
def coordinator_b(make_user, court_b):
    return make_user(Role.PROGRAM_COORDINATOR, [court_b], username="coordinator_b")


@pytest.fixture
def program(court_a):
    """Court A's drug court: three phases, capacity 10, fee 150.00."""
    return drug_court(court_a)


@pytest.fixture
def diversion(court_a):
    """Court A's pretrial diversion: misdemeanors, no prior record."""
    return pretrial_diversion(court_a)


@pytest.fixture
def case(cr_type, clerk):
    """A public criminal case of court A: John Doe (born 1990-05-17), grand theft (felony 3)."""
    return open_case(case_type=cr_type, opened_by=clerk)


@pytest.fixture
def make_case(cr_type, clerk):
    def make(**kwargs):
        return open_case(case_type=kwargs.pop("case_type", cr_type), opened_by=clerk, **kwargs)

    return make


@pytest.fixture
def misdemeanor_case(make_case):
    return make_case(charges=[charge("812.014(3)(a)", "Petit theft", "misdemeanor_b")])
