import pytest

from casemgmt.core.roles import Role
from cases.models import CaseCategory, Confidentiality
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
def jv_type(court_a):
    return CaseTypeFactory(
        court=court_a,
        code="JV",
        name="Juvenile dependency",
        category=CaseCategory.JUVENILE,
        default_confidentiality=Confidentiality.CONFIDENTIAL,
        initial_event_code="PETN",
    )


@pytest.fixture
def cr_type_b(court_b):
    return CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def judge(make_user, court_a):
    return make_user(Role.JUDGE, [court_a], username="judge_a")


@pytest.fixture
def criminal_case(cr_type, clerk):
    return open_case(case_type=cr_type, opened_by=clerk)


@pytest.fixture
def civil_case(cv_type, clerk):
    return open_case(case_type=cv_type, opened_by=clerk)
