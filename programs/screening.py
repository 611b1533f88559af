"""Screening reads: the facts of a referral and the program's criteria, for the engine
(programs.eligibility). Read-only; the screening itself is recorded by
programs.services.referral_screen.

Six queries for a referral: the referral with its case, case type, participant and person;
the pending charges; the convictions on the person's other cases; their other enrollments;
the referral's consents; the program's active criteria.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from cases.models import (
    CaseParty,
    Charge,
    ChargeDisposition,
    Confidentiality,
    PartyRole,
)

from .eligibility import (
    ChargeFact,
    CriterionSpec,
    EligibilityResult,
    Facts,
    PriorConviction,
    PriorDiversion,
    evaluate,
)
from .models import Consent, EligibilityCriterion, Enrollment, EnrollmentStatus, Referral

# The roles in which a person answers the charges of a case.
ACCUSED_ROLES = (PartyRole.DEFENDANT, PartyRole.RESPONDENT)

# Convictions count; other dispositions do not. Adjudication withheld is deliberately not a
# conviction here: under most state law a withheld adjudication is not a conviction (the
# court finds guilt or accepts the plea but does not adjudicate), and diversion programs
# commonly take people whose earlier case ended that way. A program that wants to count
# them needs a parameter for it; ask before changing this list.
CONVICTION_DISPOSITIONS = (ChargeDisposition.CONVICTED,)

# Earlier enrollments that count as a prior diversion: one that ended (completed or
# terminated) or is still going on. Waitlisted and withdrawn-from-the-waitlist enrollments
# never started a diversion.
PRIOR_DIVERSION_STATUSES = (
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.TERMINATED,
    EnrollmentStatus.ACTIVE,
)

# A conviction on a sealed case still counts (a prior-record rule is about the record, and
# sealed records stay available to the court), but its case number and statute are not put
# in the facts: the screening page shows them to people who may not see that case.
SEALED_CASE = "a sealed case"


def criteria_specs(program) -> list[CriterionSpec]:
    """The program's active criteria, in order (one query)."""
    return _criteria_specs(program.pk)


def _criteria_specs(program_id: int) -> list[CriterionSpec]:
    rows = EligibilityCriterion.objects.filter(program_id=program_id, is_active=True).order_by(
        "position", "id"
    )
    return [
        CriterionSpec(
            id=c.pk,
            kind=c.kind,
            params=c.params,
            on_fail=c.on_fail,
            description=c.description,
        )
        for c in rows
    ]


def eligibility_facts(*, referral, as_of: dt.date) -> Facts:
    """What the engine needs to know of `referral` on `as_of` (five queries).

    - the case: its type and category; its pending charges (no disposition yet), the
      earliest offense date among them;
    - the participant's person: date of birth and address;
    - convictions (CONVICTION_DISPOSITIONS) on the person's other cases, in any court, where
      they are a defendant or respondent (not removed); juvenile cases are left out, since a
      juvenile adjudication is not a criminal conviction under state juvenile codes (and
      juvenile cases carry no charges at intake anyway);
    - the person's enrollments other than this referral's, in any program and court, that
      are completed, terminated or active;
    - the consents recorded on this referral.
    """
    referral = Referral.objects.select_related("case__case_type", "participant__person").get(
        pk=referral.pk
    )
    case, person = referral.case, referral.participant.person

    pending = list(
        Charge.objects.filter(case_id=case.pk, disposition="")
        .order_by("count_number")
        .values("count_number", "statute_code", "statute_text", "charge_class", "offense_date")
    )
    charges = tuple(
        ChargeFact(
            count=row["count_number"],
            statute=row["statute_code"],
            description=row["statute_text"],
            charge_class=row["charge_class"],
        )
        for row in pending
    )
    offense_dates = [row["offense_date"] for row in pending if row["offense_date"]]

    accused = CaseParty.objects.filter(
        case_id=OuterRef("case_id"),
        person_id=person.pk,
        role__in=ACCUSED_ROLES,
        removed_on__isnull=True,
    )
    convictions = tuple(
        _conviction(row)
        for row in Charge.objects.filter(
            Exists(accused),
            disposition__in=CONVICTION_DISPOSITIONS,
            case__is_juvenile=False,
        )
        .exclude(case_id=case.pk)
        .order_by("disposition_date", "case__number", "count_number")
        .values(
            "statute_code",
            "charge_class",
            "disposition_date",
            "case__number",
            "case__confidentiality",
        )
    )

    diversions = tuple(
        PriorDiversion(
            program_name=row["program__name"],
            kind=row["program__kind"],
            enrolled_on=row["enrolled_on"],
            outcome=row["status"],
        )
        for row in Enrollment.objects.filter(
            participant__person_id=person.pk, status__in=PRIOR_DIVERSION_STATUSES
        )
        .exclude(referral_id=referral.pk)
        .order_by("enrolled_on", "id")
        .values("program__name", "program__kind", "enrolled_on", "status")
    )

    consents = frozenset(
        Consent.objects.filter(referral_id=referral.pk).values_list("kind", flat=True)
    )

    return Facts(
        as_of=as_of,
        case_type=case.case_type.code,
        case_category=case.case_type.category,
        charges=charges,
        offense_date=min(offense_dates) if offense_dates else None,
        date_of_birth=person.date_of_birth,
        state=person.state,
        city=person.city,
        postal_code=person.postal_code,
        prior_convictions=convictions,
        prior_diversions=diversions,
        consents=consents,
        referred_on=referral.referred_on,
    )


def screen_referral(*, referral, as_of: dt.date) -> tuple[EligibilityResult, Facts]:
    """Evaluate the program's active criteria against the referral's facts (six queries)."""
    facts = eligibility_facts(referral=referral, as_of=as_of)
    return evaluate(_criteria_specs(referral.program_id), facts), facts


def _conviction(row: dict) -> PriorConviction:
    sealed = row["case__confidentiality"] == Confidentiality.SEALED
    return PriorConviction(
        case_number=SEALED_CASE if sealed else row["case__number"],
        statute="" if sealed else row["statute_code"],
        charge_class=row["charge_class"],
        date=row["disposition_date"],
    )
