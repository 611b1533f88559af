"""Setting up a program through the API: the program, its phases and requirements, and its
eligibility criteria as data, in one transaction (admin does the same by hand).

Only supervisors of the program's court (and superusers) create programs.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court
from casemgmt.core.roles import Role

from .eligibility import criterion_params_errors
from .models import EligibilityCriterion, PhaseRequirement, Program, ProgramPhase


def program_creator_court(user, court_code: str) -> Court | None:
    """The court with `court_code` if `user` may create its programs (a supervisor of it)."""
    from cases.querysets import user_court_ids

    if not (user.is_authenticated and user.is_active):
        return None
    court = Court.objects.filter(code=court_code).first()
    if court is None:
        return None
    if user.is_superuser:
        return court
    if user.role == Role.SUPERVISOR and court.pk in user_court_ids(user):
        return court
    return None


@transaction.atomic
def program_create(*, court: Court, data: dict[str, Any], by) -> Program:
    """Create a program from the API's validated input.

    `data`: code, name, kind, description, capacity, duration_days, fee_amount,
    fee_due_days, phases [{name, min_days, clean_days_required, description,
    requirements [{kind, name, quantity, period_days}]}], criteria [{kind, params,
    on_fail, description}].

    Raises:
        ValidationError: `criteria.N.params` CRITERION_PARAMS_INVALID.
        DomainError: PROGRAM_CODE_TAKEN (409) when the court has a program with the code.
    """
    errors = {}
    for index, criterion in enumerate(data.get("criteria", [])):
        problems = criterion_params_errors(criterion["kind"], criterion.get("params"))
        if problems:
            errors[f"criteria.{index}.params"] = [
                ValidationError(p, code="CRITERION_PARAMS_INVALID") for p in problems
            ]
    if errors:
        raise ValidationError(errors)
    if Program.objects.select_for_update().filter(court=court, code=data["code"]).exists():
        raise DomainError(
            "PROGRAM_CODE_TAKEN",
            "The court has a program with this code already.",
            field="code",
            status=409,
        )
    program = Program.objects.create(
        court=court,
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        description=data.get("description", ""),
        capacity=data["capacity"],
        duration_days=data["duration_days"],
        fee_amount=data["fee_amount"],
        fee_due_days=data["fee_due_days"],
    )
    for number, phase_data in enumerate(data["phases"], start=1):
        phase = ProgramPhase.objects.create(
            program=program,
            number=number,
            name=phase_data["name"],
            min_days=phase_data.get("min_days", 0),
            clean_days_required=phase_data.get("clean_days_required", 0),
            description=phase_data.get("description", ""),
        )
        for position, req in enumerate(phase_data.get("requirements", []), start=1):
            PhaseRequirement.objects.create(
                phase=phase,
                position=position,
                kind=req["kind"],
                name=req["name"],
                quantity=req["quantity"],
                period_days=req.get("period_days"),
            )
    for position, criterion in enumerate(data.get("criteria", []), start=1):
        EligibilityCriterion.objects.create(
            program=program,
            position=position,
            kind=criterion["kind"],
            params=criterion.get("params") or {},
            on_fail=criterion["on_fail"],
            description=criterion.get("description", ""),
        )
    audit_record(
        action="program.create",
        actor=by,
        obj=program,
        court=court,
        details={
            "code": program.code,
            "phases": len(data["phases"]),
            "criteria": len(data.get("criteria", [])),
        },
    )
    return program
