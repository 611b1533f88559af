"""Fixtures for filings: documents in a temporary storage, cases with an attorney of record."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.services import AppearanceInput, case_confidentiality_set
from filings.models import FilingType, RejectionReason
from tests.cases.factories import CaseTypeFactory, open_case

from .pdfs import pdf_bytes, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Documents go to a fresh directory per test (default storage = FileSystemStorage)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.MEDIA_ROOT = str(root)
    assert Path(default_storage.location) == root
    return root


@pytest.fixture
def stored_files(media):
    """The files under the documents directory, now."""

    def list_files() -> list[Path]:
        return sorted(p for p in media.rglob("*") if p.is_file())

    return list_files


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
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def outsider(make_user, court_a):
    """An attorney admitted in the court, not of record on the cases here."""
    return make_user(Role.ATTORNEY, [court_a], username="attorney_not_of_record")


@pytest.fixture
def clerk_b(make_user, court_b):
    return make_user(Role.CLERK, [court_b], username="clerk_b")


@pytest.fixture
def make_case(cv_type, clerk, attorney):
    """A civil case of court A with `attorney` of record for the plaintiff."""

    def make(*, confidentiality: str | None = None, with_attorney: bool = True, **kwargs):
        appearances = [AppearanceInput(attorney=attorney, party_index=0)] if with_attorney else []
        return open_case(
            case_type=cv_type,
            opened_by=clerk,
            appearances=appearances,
            confidentiality=confidentiality,
            **kwargs,
        )

    return make


@pytest.fixture
def public_case(make_case):
    return make_case()


@pytest.fixture
def confidential_case(make_case):
    return make_case(confidentiality="confidential")


@pytest.fixture
def sealed_case(make_case, supervisor):
    case = make_case()
    return case_confidentiality_set(
        case=case, confidentiality="sealed", reason="Order of 2026-01-05.", actor=supervisor
    )


@pytest.fixture
def filing_type(court_a):
    def get(code: str = "MOTN", court=None) -> FilingType:
        return FilingType.objects.get(court=court or court_a, code=code)

    return get


@pytest.fixture
def reason(court_a):
    def get(code: str = "UNSIGNED", court=None) -> RejectionReason:
        return RejectionReason.objects.get(court=court or court_a, code=code)

    return get


@pytest.fixture
def a_pdf():
    """A fresh upload of a valid two-page PDF."""

    def make(name: str = "motion.pdf", **kwargs):
        return upload(pdf_bytes(**kwargs), name=name)

    return make
