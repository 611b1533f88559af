"""Back office: programs, their phases and criteria are data edited in admin; a criterion's
params are checked before it is saved (criteria as data must be criteria the engine can
read)."""

from __future__ import annotations

import json

import pytest

from casemgmt.core.roles import Role
from programs.admin import EligibilityCriterionForm
from programs.models import EligibilityCriterion, Program

from .factories import service_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    root = make_user(Role.SUPERVISOR, [], username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    return client


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_program(court, *, kind="age", params='{"min": 18}'):
    """The add form of a program with one criterion and no phase."""
    return {
        "court": court.pk,
        "code": "VET",
        "name": "Veterans Treatment Court",
        "kind": "veterans_court",
        "description": "",
        "capacity": "15",
        "duration_days": "365",
        "fee_amount": "0.00",
        "fee_due_days": "90",
        "is_active": "on",
        **management("phases", 0),
        **management("criteria", 1),
        "criteria-0-position": "1",
        "criteria-0-kind": kind,
        "criteria-0-params": params,
        "criteria-0-on_fail": "ineligible",
        "criteria-0-description": "Adults only",
        "criteria-0-is_active": "on",
    }


def criteria_errors(response):
    (formset,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "criteria"
    ]
    return formset.formset.errors


@pytest.mark.parametrize(
    ("kind", "params", "error"),
    [
        ("age", '{"min": "eighteen"}', "min must be a whole number from 0 to 150."),
        ("age", '{"min": 30, "max": 18}', "min cannot be above max."),
        ("consent", '{"required": ["judge"]}', "required: judge is not a kind of consent."),
        (
            "excluded_charge",
            '{"statutes": ["*"]}',
            "statutes: * needs a statute prefix before '*'.",
        ),
        ("residency", "[]", "Parameters must be an object."),
    ],
)
def test_a_criterion_with_bad_params_is_refused_with_an_error_on_params(
    admin_client, court_a, kind, params, error
):
    response = admin_client.post(
        "/admin/programs/program/add/", new_program(court_a, kind=kind, params=params)
    )

    assert response.status_code == 200  # the form again, not a redirect
    assert criteria_errors(response) == [{"params": [error]}]
    assert not Program.objects.filter(code="VET").exists()
    assert not EligibilityCriterion.objects.exists()


def test_a_program_with_good_criteria_is_saved(admin_client, court_a):
    response = admin_client.post(
        "/admin/programs/program/add/",
        new_program(court_a, kind="age", params='{"min": 18, "as_of": "offense"}'),
    )

    assert response.status_code == 302
    program = Program.objects.get(code="VET")
    (saved,) = program.criteria.all()
    assert (saved.kind, saved.params, saved.description) == (
        "age",
        {"min": 18, "as_of": "offense"},
        "Adults only",
    )


def test_changing_a_criterion_of_an_existing_program_is_checked_too(admin_client, program):
    # The drug court (factory) has three phases and four criteria; break the age criterion.
    phases = list(program.phases.order_by("number"))
    criteria = list(program.criteria.order_by("position", "id"))
    data = {
        "court": program.court_id,
        "code": program.code,
        "name": program.name,
        "kind": program.kind,
        "description": "",
        "capacity": str(program.capacity),
        "duration_days": str(program.duration_days),
        "fee_amount": str(program.fee_amount),
        "fee_due_days": str(program.fee_due_days),
        "is_active": "on",
        **management("phases", len(phases), len(phases)),
        **management("criteria", len(criteria), len(criteria)),
    }
    for i, phase in enumerate(phases):
        data |= {
            f"phases-{i}-id": phase.pk,
            f"phases-{i}-program": program.pk,
            f"phases-{i}-number": phase.number,
            f"phases-{i}-name": phase.name,
            f"phases-{i}-min_days": phase.min_days,
            f"phases-{i}-clean_days_required": phase.clean_days_required,
            f"phases-{i}-description": "",
        }
    for i, c in enumerate(criteria):
        params = {"min": -1} if c.kind == "age" else c.params
        data |= {
            f"criteria-{i}-id": c.pk,
            f"criteria-{i}-program": program.pk,
            f"criteria-{i}-position": c.position,
            f"criteria-{i}-kind": c.kind,
            f"criteria-{i}-params": json.dumps(params),
            f"criteria-{i}-on_fail": c.on_fail,
            f"criteria-{i}-description": c.description,
            f"criteria-{i}-is_active": "on",
        }

    response = admin_client.post(f"/admin/programs/program/{program.pk}/change/", data)

    assert response.status_code == 200
    errors = criteria_errors(response)
    age_index = next(i for i, c in enumerate(criteria) if c.kind == "age")
    assert errors[age_index] == {"params": ["min must be a whole number from 0 to 150."]}
    assert [e for i, e in enumerate(errors) if i != age_index] == [{}] * (len(criteria) - 1)
    assert program.criteria.get(kind="age").params == {"min": 18, "as_of": "referral"}


def test_the_params_field_shows_an_example_of_each_kind():
    help_text = str(EligibilityCriterionForm().fields["params"].help_text)
    assert "Excluded charges: <code>" in help_text
    assert "&quot;violent felonies&quot;" in help_text


def test_the_program_pages_open(admin_client, program, court_a):
    service_site(court_a)
    phase = program.phases.get(number=2)
    for url in (
        "/admin/programs/program/",
        f"/admin/programs/program/{program.pk}/change/",
        "/admin/programs/programphase/",
        f"/admin/programs/programphase/{phase.pk}/change/",
        "/admin/programs/servicesite/",
        "/admin/programs/servicesite/add/",
    ):
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(f"/admin/programs/programphase/{phase.pk}/change/")
    assert b"Moral reconation therapy" in page.content  # the phase's requirements inline


def test_a_coordinator_has_no_back_office(client, coordinator, program):
    client.force_login(coordinator)
    response = client.get(f"/admin/programs/program/{program.pk}/change/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
