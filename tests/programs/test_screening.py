"""Screening reads the facts of a referral from the record: the case and its pending charges,
the participant's person, their convictions on other cases, their earlier diversions, the
referral's consents; and the program's active criteria in order."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import CaseCategory, Charge, Confidentiality, Person
from cases.services import PartyInput
from programs.eligibility import MET, NEEDS_REVIEW, NOT_MET, ChargeFact, PriorDiversion
from programs.models import (
    Consent,
    CriterionKind,
    EligibilityCriterion,
    Enrollment,
    OnFail,
)
from programs.screening import criteria_specs, eligibility_facts, screen_referral
from tests.cases.factories import CaseTypeFactory, charge, defendant, open_case

from .factories import criterion, defendant_party, pretrial_diversion, referral

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def person_of(case) -> Person:
    return defendant_party(case).person


def other_case(case_type, opened_by, person, *, role="defendant", charges=None, **kwargs):
    """Another case of the same person (linked, not a look-alike)."""
    parties = [PartyInput(role=role, person=person)]
    if role != "defendant":
        parties.append(defendant("Roe", "Richard"))
    return open_case(
        case_type=case_type, opened_by=opened_by, parties=parties, charges=charges, **kwargs
    )


def convict(case, *, disposition="convicted", on=None):
    Charge.objects.filter(case=case).update(
        disposition=disposition, disposition_date=on or TODAY - dt.timedelta(days=700)
    )


def consent(made, kind, by):
    return Consent.objects.create(referral=made, kind=kind, given_on=TODAY, recorded_by=by)


def test_the_facts_of_a_referral(program, make_case, coordinator):
    # Given John Doe (born 1990-05-17, Sarasota FL 34236) charged with two counts.
    case = make_case(
        charges=[
            charge("812.014(2)(c)", "Grand theft", "felony_3", days_ago=10),
            charge("843.02", "Resisting an officer without violence", "misdemeanor_a", 12),
        ]
    )
    made = referral(program, case, by=coordinator, on=TODAY - dt.timedelta(days=1))
    consent(made, "participant", coordinator)

    facts = eligibility_facts(referral=made, as_of=TODAY)

    assert facts.as_of == TODAY
    assert facts.referred_on == TODAY - dt.timedelta(days=1)
    assert (facts.case_type, facts.case_category) == ("CR", CaseCategory.CRIMINAL)
    assert facts.charges == (
        ChargeFact(1, "812.014(2)(c)", "Grand theft", "felony_3"),
        ChargeFact(2, "843.02", "Resisting an officer without violence", "misdemeanor_a"),
    )
    # The age criterion "at the offense" measures on the earliest pending charge.
    assert facts.offense_date == TODAY - dt.timedelta(days=12)
    assert facts.date_of_birth == dt.date(1990, 5, 17)
    assert (facts.state, facts.city, facts.postal_code) == ("FL", "Sarasota", "34236")
    assert facts.prior_convictions == ()
    assert facts.prior_diversions == ()
    assert facts.consents == frozenset({"participant"})


def test_disposed_charges_of_the_case_are_not_pending(program, make_case, coordinator):
    case = make_case(charges=[charge(), charge("784.021", "Aggravated assault", "felony_3", 11)])
    Charge.objects.filter(case=case, count_number=2).update(
        disposition="nolle_prosequi", disposition_date=TODAY
    )
    facts = eligibility_facts(referral=referral(program, case, by=coordinator), as_of=TODAY)
    assert [c.count for c in facts.charges] == [1]
    assert facts.offense_date == TODAY - dt.timedelta(days=10)


def test_the_drug_court_screening_needs_review_until_the_consents_are_in(
    program, case, coordinator
):
    # Drug court (factory): criminal cases, no first-degree or capital felony, adults at the
    # referral, participant and prosecutor consent (review).
    made = referral(program, case, by=coordinator)
    consent(made, "participant", coordinator)

    result, facts = screen_referral(referral=made, as_of=TODAY)

    assert result.outcome == "needs_review"
    age = TODAY.year - 1990 - ((TODAY.month, TODAY.day) < (5, 17))
    assert [(r.kind, r.outcome, r.reason) for r in result.results] == [
        ("case_type", MET, "met: case type CR is among the program's case types (CR)"),
        (
            "excluded_charge",
            MET,
            "met: count 1 (812.014(2)(c) Grand theft) is not among the program's exclusions "
            "(violent felonies)",
        ),
        ("age", MET, f"met: age {age} on {TODAY.isoformat()} is within 18 and up"),
        ("consent", NOT_MET, "needs review: missing consent of the prosecutor"),
    ]
    assert facts.consents == frozenset({"participant"})

    consent(made, "prosecutor", coordinator)
    result, _ = screen_referral(referral=made, as_of=TODAY)
    assert result.outcome == "eligible"


def test_no_date_of_birth_needs_review(program, case, coordinator):
    Person.objects.filter(pk=person_of(case).pk).update(date_of_birth=None)
    made = referral(program, case, by=coordinator)
    result, _ = screen_referral(referral=made, as_of=TODAY)
    age = next(r for r in result.results if r.kind == "age")
    assert (age.outcome, age.reason) == (NEEDS_REVIEW, "needs review: no date of birth on record")
    assert result.outcome == "needs_review"


def test_a_first_degree_felony_is_ineligible_for_the_drug_court(program, make_case, coordinator):
    case = make_case(charges=[charge("893.135(1)(b)", "Trafficking in cocaine", "felony_1")])
    result, _ = screen_referral(referral=referral(program, case, by=coordinator), as_of=TODAY)
    assert result.outcome == "ineligible"
    assert result.reasons[0] == (
        "ineligible: count 1 (893.135(1)(b) Trafficking in cocaine) is a felony, first degree; "
        "program excludes violent felonies"
    )


# --- prior record: convictions on the person's other cases ---------------------------------


def test_a_conviction_on_another_case_of_the_person_counts(
    diversion, misdemeanor_case, cr_type, clerk, coordinator
):
    # Pretrial diversion (factory): no conviction within 10 years, no earlier diversion.
    earlier = other_case(cr_type, clerk, person_of(misdemeanor_case))
    convict(earlier, on=TODAY - dt.timedelta(days=700))
    made = referral(diversion, misdemeanor_case, by=coordinator)

    result, facts = screen_referral(referral=made, as_of=TODAY)

    assert [(c.case_number, c.statute, c.charge_class) for c in facts.prior_convictions] == [
        (earlier.number, "812.014(2)(c)", "felony_3")
    ]
    assert result.outcome == "ineligible"
    when = (TODAY - dt.timedelta(days=700)).isoformat()
    assert result.reasons == [
        f"ineligible: 1 conviction within 10 years: 812.014(2)(c) (felony, third degree) "
        f"in {earlier.number} on {when}; program allows none"
    ]


@pytest.mark.parametrize(
    ("disposition", "counted"),
    [
        ("convicted", True),
        # Adjudication withheld is not a conviction under most state law (screening.py).
        ("adjudication_withheld", False),
        ("acquitted", False),
        ("dismissed", False),
        ("diverted", False),
        ("nolle_prosequi", False),
    ],
)
def test_only_convictions_count(
    diversion, misdemeanor_case, cr_type, clerk, coordinator, disposition, counted
):
    earlier = other_case(cr_type, clerk, person_of(misdemeanor_case))
    convict(earlier, disposition=disposition)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert len(facts.prior_convictions) == (1 if counted else 0)


def test_a_conviction_where_the_person_was_the_victim_is_not_theirs(
    diversion, misdemeanor_case, cr_type, clerk, coordinator
):
    earlier = other_case(cr_type, clerk, person_of(misdemeanor_case), role="victim")
    convict(earlier)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert facts.prior_convictions == ()


def test_a_conviction_of_a_look_alike_person_is_not_theirs(
    diversion, misdemeanor_case, cr_type, clerk, coordinator
):
    # Same name and date of birth, but a different person record: not linked, not counted.
    earlier = open_case(case_type=cr_type, opened_by=clerk)
    convict(earlier)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert facts.prior_convictions == ()


def test_a_conviction_in_another_court_counts(
    diversion, misdemeanor_case, court_b, make_user, coordinator
):
    clerk_b = make_user("clerk", [court_b], username="clerk_b")
    cr_b = CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)
    earlier = other_case(cr_b, clerk_b, person_of(misdemeanor_case))
    convict(earlier)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert [c.case_number for c in facts.prior_convictions] == [earlier.number]


def test_a_sealed_conviction_counts_without_naming_the_case(
    diversion, misdemeanor_case, cr_type, clerk, coordinator
):
    earlier = other_case(cr_type, clerk, person_of(misdemeanor_case))
    convict(earlier)
    type(earlier).objects.filter(pk=earlier.pk).update(confidentiality=Confidentiality.SEALED)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert [(c.case_number, c.statute, c.charge_class) for c in facts.prior_convictions] == [
        ("a sealed case", "", "felony_3")
    ]
    assert earlier.number not in str(facts.as_json())


def test_a_juvenile_record_is_not_a_conviction(
    diversion, misdemeanor_case, cr_type, clerk, coordinator
):
    # Juvenile cases carry no charges at intake; should a case held as juvenile carry a
    # disposed charge, its adjudication is still not a criminal conviction.
    earlier = other_case(cr_type, clerk, person_of(misdemeanor_case))
    type(earlier).objects.filter(pk=earlier.pk).update(is_juvenile=True)
    convict(earlier)
    facts = eligibility_facts(
        referral=referral(diversion, misdemeanor_case, by=coordinator), as_of=TODAY
    )
    assert facts.prior_convictions == ()


# --- prior diversions: the person's other enrollments ---------------------------------------


def enroll(program, case, *, by, status, enrolled_on):
    made = referral(program, case, by=by, on=enrolled_on)
    ended = status in ("completed", "terminated", "withdrawn")
    return Enrollment.objects.create(
        program=program,
        referral=made,
        case=case,
        participant=made.participant,
        status=status,
        enrolled_on=enrolled_on if status != "withdrawn" else None,
        phase=program.phases.first() if status == "active" else None,
        phase_started_on=enrolled_on if status == "active" else None,
        ended_on=enrolled_on + dt.timedelta(days=120) if ended else None,
        termination_reason="noncompliance" if status == "terminated" else "",
    )


@pytest.mark.parametrize(
    ("status", "counted"),
    [
        ("completed", True),
        ("terminated", True),
        ("active", True),
        ("waitlisted", False),
        ("withdrawn", False),
    ],
)
def test_earlier_enrollments_of_the_person_count_as_prior_diversions(
    diversion, misdemeanor_case, cr_type, court_b, make_user, clerk, coordinator, status, counted
):
    # An earlier enrollment in another court's pretrial diversion, on another case.
    clerk_b = make_user("clerk", [court_b], username="clerk_b")
    cr_b = CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)
    earlier_case = other_case(cr_b, clerk_b, person_of(misdemeanor_case))
    elsewhere = pretrial_diversion(court_b)
    enroll(elsewhere, earlier_case, by=clerk_b, status=status, enrolled_on=dt.date(2022, 1, 10))
    made = referral(diversion, misdemeanor_case, by=coordinator)

    result, facts = screen_referral(referral=made, as_of=TODAY)

    if counted:
        assert facts.prior_diversions == (
            PriorDiversion(
                "Pretrial Diversion", "pretrial_diversion", dt.date(2022, 1, 10), status
            ),
        )
        assert result.outcome == "ineligible"
        assert result.reasons == [
            f"ineligible: 1 earlier diversion: Pretrial Diversion ({status}, enrolled "
            f"2022-01-10); program allows none"
        ]
    else:
        assert facts.prior_diversions == ()
        assert result.outcome == "eligible"


def test_the_referrals_own_enrollment_is_not_a_prior_diversion(
    diversion, misdemeanor_case, coordinator
):
    # Screening again after a waitlisted or active enrollment of this very referral.
    current = enroll(
        diversion, misdemeanor_case, by=coordinator, status="active", enrolled_on=TODAY
    )
    facts = eligibility_facts(referral=current.referral, as_of=TODAY)
    assert facts.prior_diversions == ()


# --- criteria -------------------------------------------------------------------------------


def test_active_criteria_in_their_order(court_a):
    program = pretrial_diversion(court_a)
    EligibilityCriterion.objects.filter(program=program, kind="prior_record").update(
        is_active=False
    )
    criterion(
        program,
        CriterionKind.RESIDENCY,
        {"states": ["FL"]},
        on_fail=OnFail.REVIEW,
        description="Florida residents",
        position=0,
    )
    specs = criteria_specs(program)
    assert [(s.kind, s.on_fail, s.description) for s in specs] == [
        ("residency", "review", "Florida residents"),
        ("charge_class", "ineligible", "Misdemeanors only"),
    ]
    assert specs[0].params == {"states": ["FL"]}


def test_screening_a_referral_takes_six_queries(
    diversion, misdemeanor_case, cr_type, clerk, coordinator, django_assert_num_queries
):
    for _ in range(3):
        convict(other_case(cr_type, clerk, person_of(misdemeanor_case)))
    made = referral(diversion, misdemeanor_case, by=coordinator)
    consent(made, "participant", coordinator)
    made = type(made).objects.get(pk=made.pk)  # nothing cached
    with django_assert_num_queries(6):
        result, facts = screen_referral(referral=made, as_of=TODAY)
    assert len(facts.prior_convictions) == 3
    assert result.outcome == "ineligible"
