"""Programs test data.

- ``drug_court(court)``: a three-phase drug court (capacity 10, fee 150.00) with drug tests,
  counseling, community service, a class and review hearings, and typical criteria;
- ``pretrial_diversion(court)``: a one-phase pretrial diversion program (misdemeanors only);
- ``criterion(program, kind, params, ...)``: one more eligibility criterion;
- ``referral(program, case, by=user)``: a referral of the case's defendant, made directly
  (services have their own tests), status `referred`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.models import CaseParty, court_local_date
from programs.models import (
    CriterionKind,
    EligibilityCriterion,
    OnFail,
    PhaseRequirement,
    Program,
    ProgramKind,
    ProgramPhase,
    Referral,
    ReferralSource,
    RequirementKind,
    ServiceSite,
)

D = Decimal


def criterion(
    program: Program,
    kind: str,
    params: dict | None = None,
    *,
    on_fail: str = OnFail.INELIGIBLE,
    description: str = "",
    position: int | None = None,
) -> EligibilityCriterion:
    if position is None:
        position = program.criteria.count() + 1
    return EligibilityCriterion.objects.create(
        program=program,
        kind=kind,
        params=params or {},
        on_fail=on_fail,
        description=description,
        position=position,
    )


def _requirement(phase, kind, name, quantity, period_days=None, position=1):
    return PhaseRequirement.objects.create(
        phase=phase,
        kind=kind,
        name=name,
        quantity=D(quantity),
        period_days=period_days,
        position=position,
    )


def drug_court(court, *, code="DRUG", capacity=10, fee="150.00", criteria=True) -> Program:
    program = Program.objects.create(
        court=court,
        code=code,
        name="Adult Drug Court",
        kind=ProgramKind.DRUG_COURT,
        capacity=capacity,
        duration_days=365,
        fee_amount=D(fee),
        fee_due_days=90,
    )
    phases = [
        (
            "Stabilization",
            60,
            30,
            [
                ("drug_test", "Random drug tests", "2", 7),
                ("counseling", "Outpatient counseling", "1", 7),
                ("review_hearing", "Review hearings", "1", 14),
            ],
        ),
        (
            "Intensive treatment",
            90,
            60,
            [
                ("drug_test", "Random drug tests", "1", 7),
                ("counseling", "Group counseling", "1", 7),
                ("community_service", "Community service", "40", None),
                ("class", "Moral reconation therapy", "1", None),
            ],
        ),
        (
            "Transition",
            90,
            90,
            [
                ("drug_test", "Random drug tests", "1", 14),
                ("community_service", "Community service", "20", None),
            ],
        ),
    ]
    for number, (name, min_days, clean_days, reqs) in enumerate(phases, start=1):
        phase = ProgramPhase.objects.create(
            program=program,
            number=number,
            name=name,
            min_days=min_days,
            clean_days_required=clean_days,
        )
        for position, (kind, req_name, quantity, period) in enumerate(reqs, start=1):
            _requirement(phase, kind, req_name, quantity, period, position)
    if criteria:
        criterion(
            program,
            CriterionKind.CASE_TYPE,
            {"case_types": ["CR"]},
            description="Criminal cases only",
        )
        criterion(
            program,
            CriterionKind.EXCLUDED_CHARGE,
            {"classes": ["felony_capital", "felony_1"], "label": "violent felonies"},
            description="Program excludes first-degree and capital felonies",
        )
        criterion(
            program, CriterionKind.AGE, {"min": 18, "as_of": "referral"}, description="Adults only"
        )
        criterion(
            program,
            CriterionKind.CONSENT,
            {"required": ["participant", "prosecutor"]},
            on_fail=OnFail.REVIEW,
            description="Participant and prosecutor consent",
        )
    return program


def pretrial_diversion(court, *, code="PTD", capacity=25, fee="0.00") -> Program:
    program = Program.objects.create(
        court=court,
        code=code,
        name="Pretrial Diversion",
        kind=ProgramKind.PRETRIAL_DIVERSION,
        capacity=capacity,
        duration_days=180,
        fee_amount=D(fee),
    )
    phase = ProgramPhase.objects.create(program=program, number=1, name="Diversion", min_days=90)
    _requirement(phase, RequirementKind.COMMUNITY_SERVICE, "Community service", "20")
    _requirement(phase, RequirementKind.CLASS, "Theft awareness class", "1", position=2)
    criterion(
        program,
        CriterionKind.CHARGE_CLASS,
        {"allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"]},
        description="Misdemeanors only",
    )
    criterion(
        program,
        CriterionKind.PRIOR_RECORD,
        {"max_convictions": 0, "lookback_years": 10, "max_prior_diversions": 0},
        description="No convictions in 10 years and no earlier diversion",
    )
    return program


def service_site(court, name="Habitat for Humanity ReStore") -> ServiceSite:
    return ServiceSite.objects.get_or_create(court=court, name=name)[0]


def defendant_party(case) -> CaseParty:
    return case.parties.filter(role__in=["defendant", "child", "respondent"]).order_by("id")[0]


def referral(program, case, *, by, source=ReferralSource.PROSECUTOR, on: dt.date | None = None):
    on = on or court_local_date(case.court)
    return Referral.objects.create(
        program=program,
        case=case,
        participant=defendant_party(case),
        source=source,
        referred_by=by,
        referred_on=on,
        status_date=on,
    )
