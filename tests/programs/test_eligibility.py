"""The eligibility engine, table-tested: each criterion alone (met, not met, missing data),
combinations, and the reason sentence a coordinator reads.

Program criteria are data (issue #8: "eligibility criteria as data"; STYLE.md: court-specific
rules such as program eligibility are data in admin, not code). The parameters used here are
the ones programs commonly publish: pretrial diversion programs commonly take first offenders
charged with misdemeanors or third-degree felonies and exclude violent felonies (assault and
battery, chapter 784 in Florida's numbering); drug courts commonly take adults, exclude
first-degree and capital felonies, and require the prosecutor's agreement and the
participant's consent; juvenile diversion sets an age range at the time of the offense.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from programs.eligibility import (
    MET,
    NEEDS_REVIEW,
    NOT_MET,
    PARAMS_EXAMPLES,
    ChargeFact,
    CriterionSpec,
    Facts,
    PriorConviction,
    PriorDiversion,
    age_on,
    criterion_params_errors,
    evaluate,
    statute_matches,
)

AS_OF = dt.date(2026, 11, 22)

GRAND_THEFT = ChargeFact(1, "812.014(2)(c)", "Grand theft", "felony_3")
PETIT_THEFT = ChargeFact(1, "812.014(3)(a)", "Petit theft", "misdemeanor_b")
AGG_ASSAULT = ChargeFact(2, "784.021", "Aggravated assault", "felony_3")
TRAFFICKING = ChargeFact(3, "893.135(1)(b)", "Trafficking in cocaine", "felony_1")
POSSESSION = ChargeFact(1, "893.13(6)(a)", "Possession of a controlled substance", "felony_3")


def facts(**changes) -> Facts:
    """John Doe, born 1992-03-15 (34 on AS_OF), of Sarasota FL 34236, charged with grand
    theft (felony 3) on 2026-10-01, referred 2026-11-20, no prior record, participant
    consent on record."""
    base = Facts(
        as_of=AS_OF,
        case_type="CR",
        case_category="criminal",
        charges=(GRAND_THEFT,),
        offense_date=dt.date(2026, 10, 1),
        date_of_birth=dt.date(1992, 3, 15),
        state="FL",
        city="Sarasota",
        postal_code="34236",
        prior_convictions=(),
        prior_diversions=(),
        consents=frozenset({"participant"}),
        referred_on=dt.date(2026, 11, 20),
    )
    return dataclasses.replace(base, **changes)


def spec(kind, params, *, on_fail="ineligible", pk=1, description="") -> CriterionSpec:
    return CriterionSpec(id=pk, kind=kind, params=params, on_fail=on_fail, description=description)


def only(kind, params, the_facts, on_fail="ineligible"):
    """Evaluate one criterion; return (its outcome, its reason, the overall outcome)."""
    result = evaluate([spec(kind, params, on_fail=on_fail)], the_facts)
    (single,) = result.results
    return single.outcome, single.reason, result.outcome


def conviction(date, cls="felony_3", statute="893.13(6)(a)", number="2019-CF-000321"):
    return PriorConviction(case_number=number, statute=statute, charge_class=cls, date=date)


def diversion(outcome="completed", enrolled_on=dt.date(2022, 1, 10)):
    return PriorDiversion(
        program_name="Pretrial Diversion",
        kind="pretrial_diversion",
        enrolled_on=enrolled_on,
        outcome=outcome,
    )


# --- each criterion alone -------------------------------------------------------------------

CASES = [
    # case_type: the program takes criminal (and traffic) cases only.
    (
        "case type allowed",
        "case_type",
        {"case_types": ["CR", "TR"]},
        {},
        MET,
        "met: case type CR is among the program's case types (CR, TR)",
    ),
    (
        "case type compared without regard to case",
        "case_type",
        {"case_types": ["cr"]},
        {},
        MET,
        "met: case type CR is among the program's case types (cr)",
    ),
    (
        "case type not allowed",
        "case_type",
        {"case_types": ["CR"]},
        {"case_type": "CV", "case_category": "civil"},
        NOT_MET,
        "ineligible: case type CV is not among the program's case types (CR)",
    ),
    (
        "case type missing",
        "case_type",
        {"case_types": ["CR"]},
        {"case_type": ""},
        NEEDS_REVIEW,
        "needs review: no case type on record",
    ),
    # charge_class: pretrial diversion commonly takes misdemeanors only.
    (
        "misdemeanor allowed",
        "charge_class",
        {"allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"]},
        {"charges": (PETIT_THEFT,)},
        MET,
        "met: count 1 (812.014(3)(a) Petit theft) is a misdemeanor, class B; "
        "program allows misdemeanor (class A, B or C) charges",
    ),
    (
        "felony among misdemeanors only",
        "charge_class",
        {"allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"]},
        {"charges": (PETIT_THEFT, AGG_ASSAULT)},
        NOT_MET,
        "ineligible: count 2 (784.021 Aggravated assault) is a felony, third degree; "
        "program allows only misdemeanor (class A, B or C) charges",
    ),
    (
        "class A felony, program allows misdemeanors (its own words)",
        "charge_class",
        {"allowed": ["misdemeanor_a", "misdemeanor_b"], "label": "misdemeanors"},
        {"charges": (PETIT_THEFT, TRAFFICKING)},
        NOT_MET,
        "ineligible: count 3 (893.135(1)(b) Trafficking in cocaine) is a felony, first degree; "
        "program allows only misdemeanors",
    ),
    (
        "no pending charge to classify",
        "charge_class",
        {"allowed": ["misdemeanor_a"]},
        {"charges": ()},
        NEEDS_REVIEW,
        "needs review: no pending charge on record",
    ),
    (
        "charge without a class",
        "charge_class",
        {"allowed": ["misdemeanor_a"]},
        {"charges": (ChargeFact(1, "316.193", "DUI", ""),)},
        NEEDS_REVIEW,
        "needs review: count 1 (316.193 DUI) has no charge class on record",
    ),
    # excluded_charge: pretrial diversion programs commonly exclude violent felonies.
    (
        "violent felony excluded by statute prefix",
        "excluded_charge",
        {"statutes": ["784.*"], "label": "violent felonies"},
        {"charges": (GRAND_THEFT, AGG_ASSAULT)},
        NOT_MET,
        "ineligible: count 2 (784.021 Aggravated assault) is a felony, third degree; "
        "program excludes violent felonies",
    ),
    (
        "excluded by exact statute, no label",
        "excluded_charge",
        {"statutes": ["784.021"]},
        {"charges": (AGG_ASSAULT,)},
        NOT_MET,
        "ineligible: count 2 (784.021 Aggravated assault) is a felony, third degree; "
        "program excludes statute 784.021",
    ),
    (
        "excluded by class (drug court: no first-degree or capital felonies)",
        "excluded_charge",
        {"classes": ["felony_capital", "felony_1"]},
        {"charges": (POSSESSION, TRAFFICKING)},
        NOT_MET,
        "ineligible: count 3 (893.135(1)(b) Trafficking in cocaine) is a felony, first degree; "
        "program excludes capital felony or felony (first degree) charges",
    ),
    (
        "excluded by statute, its class unknown",
        "excluded_charge",
        {"statutes": ["784.*"], "classes": ["felony_1"], "label": "violent felonies"},
        {"charges": (ChargeFact(4, "784.03", "Battery", ""),)},
        NOT_MET,
        "ineligible: count 4 (784.03 Battery) is charged; program excludes violent felonies",
    ),
    (
        "a class unknown, the statute not excluded",
        "excluded_charge",
        {"statutes": ["784.*"], "classes": ["felony_1"], "label": "violent felonies"},
        {"charges": (ChargeFact(4, "812.014", "Theft", ""),)},
        NEEDS_REVIEW,
        "needs review: count 4 (812.014 Theft) has no charge class on record",
    ),
    (
        "nothing excluded",
        "excluded_charge",
        {"statutes": ["784.*"], "classes": ["felony_1"], "label": "violent felonies"},
        {"charges": (GRAND_THEFT,)},
        MET,
        "met: count 1 (812.014(2)(c) Grand theft) is not among the program's exclusions "
        "(violent felonies)",
    ),
    (
        "exact statute does not match a longer one",
        "excluded_charge",
        {"statutes": ["784.02"]},
        {"charges": (AGG_ASSAULT,)},
        MET,
        "met: count 2 (784.021 Aggravated assault) is not among the program's exclusions "
        "(statute 784.02)",
    ),
    (
        "no pending charge to check",
        "excluded_charge",
        {"classes": ["felony_1"]},
        {"charges": ()},
        NEEDS_REVIEW,
        "needs review: no pending charge on record",
    ),
    # prior_record: first offenders only, commonly no conviction within a lookback period
    # and no earlier diversion.
    (
        "clean record",
        "prior_record",
        {"max_convictions": 0, "lookback_years": 10, "max_prior_diversions": 0},
        {},
        MET,
        "met: no conviction within 10 years on record; program allows none; "
        "no earlier diversion on record; program allows none",
    ),
    (
        "conviction within the lookback",
        "prior_record",
        {"max_convictions": 0, "lookback_years": 10},
        {"prior_convictions": (conviction(dt.date(2021, 3, 4)),)},
        NOT_MET,
        "ineligible: 1 conviction within 10 years: 893.13(6)(a) (felony, third degree) "
        "in 2019-CF-000321 on 2021-03-04; program allows none",
    ),
    (
        "conviction older than the lookback is not counted",
        "prior_record",
        {"max_convictions": 0, "lookback_years": 10},
        {"prior_convictions": (conviction(dt.date(2016, 11, 21)),)},
        MET,
        "met: no conviction within 10 years on record; program allows none",
    ),
    (
        "conviction on the first day of the lookback is counted",
        "prior_record",
        {"max_convictions": 0, "lookback_years": 10},
        {"prior_convictions": (conviction(dt.date(2016, 11, 22)),)},
        NOT_MET,
        "ineligible: 1 conviction within 10 years: 893.13(6)(a) (felony, third degree) "
        "in 2019-CF-000321 on 2016-11-22; program allows none",
    ),
    (
        "only felony convictions count",
        "prior_record",
        {"max_convictions": 0, "classes": ["felony_1", "felony_2", "felony_3"]},
        {"prior_convictions": (conviction(dt.date(2024, 5, 1), cls="misdemeanor_a"),)},
        MET,
        "met: no felony (first, second or third degree) conviction on record; program allows none",
    ),
    (
        "one conviction within a limit of one",
        "prior_record",
        {"max_convictions": 1},
        {"prior_convictions": (conviction(dt.date(2024, 5, 1)),)},
        MET,
        "met: 1 conviction: 893.13(6)(a) (felony, third degree) in 2019-CF-000321 "
        "on 2024-05-01; program allows at most 1",
    ),
    (
        "a conviction of no known class, where only felonies count",
        "prior_record",
        {"max_convictions": 0, "classes": ["felony_1", "felony_2", "felony_3"]},
        {"prior_convictions": (conviction(dt.date(2024, 5, 1), cls=""),)},
        NEEDS_REVIEW,
        "needs review: no felony (first, second or third degree) conviction on record; "
        "the conviction in 2019-CF-000321 on 2024-05-01 has no charge class on record; "
        "program allows none",
    ),
    (
        "a felony over the limit beats a conviction of no known class",
        "prior_record",
        {"max_convictions": 0, "classes": ["felony_3"]},
        {
            "prior_convictions": (
                conviction(dt.date(2024, 5, 1), cls=""),
                conviction(dt.date(2025, 5, 1)),
            )
        },
        NOT_MET,
        "ineligible: 1 felony (third degree) conviction: 893.13(6)(a) (felony, third degree) "
        "in 2019-CF-000321 on 2025-05-01; program allows none",
    ),
    (
        "an earlier completed diversion",
        "prior_record",
        {"max_convictions": 0, "max_prior_diversions": 0},
        {"prior_diversions": (diversion(),)},
        NOT_MET,
        "ineligible: 1 earlier diversion: Pretrial Diversion (completed, enrolled 2022-01-10); "
        "program allows none",
    ),
    (
        "convictions and diversions both over the limit",
        "prior_record",
        {"max_convictions": 0, "lookback_years": 5, "max_prior_diversions": 0},
        {
            "prior_convictions": (
                conviction(dt.date(2023, 2, 1)),
                conviction(dt.date(2024, 6, 30), "misdemeanor_a", "316.193", "2024-MM-000077"),
            ),
            "prior_diversions": (diversion("terminated"),),
        },
        NOT_MET,
        "ineligible: 2 convictions within 5 years: 893.13(6)(a) (felony, third degree) "
        "in 2019-CF-000321 on 2023-02-01 and 316.193 (misdemeanor, class A) in 2024-MM-000077 "
        "on 2024-06-30; program allows none; 1 earlier diversion: Pretrial Diversion "
        "(terminated, enrolled 2022-01-10); program allows none",
    ),
    # age: adults only, at the referral (drug court) or at the offense (juvenile diversion).
    (
        "adult at the referral",
        "age",
        {"min": 18, "as_of": "referral"},
        {},
        MET,
        "met: age 34 on 2026-11-20 is within 18 and up",
    ),
    (
        "too young at the offense",
        "age",
        {"min": 18, "as_of": "offense"},
        {"date_of_birth": dt.date(2008, 10, 2)},
        NOT_MET,
        "ineligible: age 17 on 2026-10-01 is not within 18 and up",
    ),
    (
        "18th birthday on the offense date counts as 18",
        "age",
        {"min": 18, "as_of": "offense"},
        {"date_of_birth": dt.date(2008, 10, 1)},
        MET,
        "met: age 18 on 2026-10-01 is within 18 and up",
    ),
    (
        "over the maximum of a range",
        "age",
        {"min": 10, "max": 17, "as_of": "offense"},
        {"date_of_birth": dt.date(2008, 9, 30)},
        NOT_MET,
        "ineligible: age 18 on 2026-10-01 is not within 10 to 17",
    ),
    (
        "maximum only",
        "age",
        {"max": 25},
        {"date_of_birth": dt.date(2001, 11, 20)},
        MET,
        "met: age 25 on 2026-11-20 is within up to 25",
    ),
    (
        "no date of birth",
        "age",
        {"min": 18},
        {"date_of_birth": None},
        NEEDS_REVIEW,
        "needs review: no date of birth on record",
    ),
    (
        "no offense date",
        "age",
        {"min": 18, "as_of": "offense"},
        {"offense_date": None, "charges": ()},
        NEEDS_REVIEW,
        "needs review: no offense date on record",
    ),
    # residency: the program serves its county.
    (
        "resident of the county",
        "residency",
        {"states": ["FL"], "cities": ["Sarasota", "Venice"], "postal_codes": ["342"]},
        {"city": "SARASOTA"},
        MET,
        "met: residence SARASOTA, FL 34236 is within the program's area",
    ),
    (
        "another city",
        "residency",
        {"states": ["fl"], "cities": ["Sarasota", "Venice"]},
        {"city": "Tampa", "postal_code": "33602"},
        NOT_MET,
        "ineligible: city Tampa is not among Sarasota, Venice",
    ),
    (
        "another state and postal area",
        "residency",
        {"states": ["FL"], "postal_codes": ["342", "343"]},
        {"state": "GA", "city": "Atlanta", "postal_code": "30303"},
        NOT_MET,
        "ineligible: state GA is not among FL and postal code 30303 does not begin with 342 or 343",
    ),
    (
        "no address at all",
        "residency",
        {"states": ["FL"]},
        {"state": "", "city": "", "postal_code": ""},
        NEEDS_REVIEW,
        "needs review: no address on record",
    ),
    (
        "a part of the address missing",
        "residency",
        {"cities": ["Sarasota"], "postal_codes": ["342"]},
        {"city": "", "postal_code": ""},
        NEEDS_REVIEW,
        "needs review: no city or postal code on record",
    ),
    (
        "a wrong state beats a missing city",
        "residency",
        {"states": ["FL"], "cities": ["Sarasota"]},
        {"state": "GA", "city": ""},
        NOT_MET,
        "ineligible: state GA is not among FL",
    ),
    # consent: diversion is voluntary; programs commonly require the prosecutor's agreement.
    (
        "consents on record",
        "consent",
        {"required": ["participant", "prosecutor"]},
        {"consents": frozenset({"participant", "prosecutor", "victim"})},
        MET,
        "met: consent on record from the participant and the prosecutor",
    ),
    (
        "the prosecutor's consent is missing",
        "consent",
        {"required": ["participant", "prosecutor"]},
        {},
        NOT_MET,
        "ineligible: missing consent of the prosecutor",
    ),
    (
        "no consent at all",
        "consent",
        {"required": ["participant", "victim", "guardian"]},
        {"consents": frozenset()},
        NOT_MET,
        "ineligible: missing consents of the participant, the victim and a parent or guardian",
    ),
]


@pytest.mark.parametrize(
    ("kind", "params", "changes", "outcome", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_each_criterion_alone(kind, params, changes, outcome, reason):
    assert criterion_params_errors(kind, params) == []
    got_outcome, got_reason, overall = only(kind, params, facts(**changes))
    assert (got_outcome, got_reason) == (outcome, reason)
    assert (
        overall == {MET: "eligible", NOT_MET: "ineligible", NEEDS_REVIEW: "needs_review"}[outcome]
    )


def test_a_review_criterion_that_fails_says_needs_review():
    # Drug court: missing consents do not make the person ineligible; the coordinator
    # follows up (on_fail = review).
    outcome, reason, overall = only(
        "consent", {"required": ["participant", "prosecutor"]}, facts(), on_fail="review"
    )
    assert (outcome, overall) == (NOT_MET, "needs_review")
    assert reason == "needs review: missing consent of the prosecutor"


# --- combinations ---------------------------------------------------------------------------

ADULTS = ("age", {"min": 18}, "ineligible")
NO_VIOLENT = ("excluded_charge", {"statutes": ["784.*"], "label": "violent felonies"}, "ineligible")
CONSENTS = ("consent", {"required": ["participant", "prosecutor"]}, "review")
COUNTY = ("residency", {"cities": ["Sarasota"]}, "ineligible")


@pytest.mark.parametrize(
    ("criteria", "changes", "outcome", "outcomes"),
    [
        # All met: eligible.
        (
            [ADULTS, NO_VIOLENT, COUNTY],
            {},
            "eligible",
            [MET, MET, MET],
        ),
        # Missing data on one criterion: needs review, never a silent pass.
        (
            [ADULTS, NO_VIOLENT, COUNTY],
            {"date_of_birth": None},
            "needs_review",
            [NEEDS_REVIEW, MET, MET],
        ),
        # A review criterion failing: needs review.
        (
            [ADULTS, CONSENTS],
            {},
            "needs_review",
            [MET, NOT_MET],
        ),
        # Ineligible beats needs review (missing data and a failing review criterion).
        (
            [ADULTS, NO_VIOLENT, CONSENTS],
            {"date_of_birth": None, "charges": (GRAND_THEFT, AGG_ASSAULT)},
            "ineligible",
            [NEEDS_REVIEW, NOT_MET, NOT_MET],
        ),
        # Ineligible beats eligible.
        (
            [ADULTS, COUNTY],
            {"city": "Tampa"},
            "ineligible",
            [MET, NOT_MET],
        ),
        # Missing data on a review criterion is still needs review.
        (
            [("residency", {"states": ["FL"]}, "review")],
            {"state": "", "city": "", "postal_code": ""},
            "needs_review",
            [NEEDS_REVIEW],
        ),
        # No criteria: eligible.
        ([], {}, "eligible", []),
    ],
)
def test_combinations(criteria, changes, outcome, outcomes):
    specs = [
        spec(kind, params, on_fail=on_fail, pk=i)
        for i, (kind, params, on_fail) in enumerate(criteria, 1)
    ]
    result = evaluate(specs, facts(**changes))
    assert result.outcome == outcome
    assert [r.outcome for r in result.results] == outcomes
    assert [r.criterion_id for r in result.results] == list(range(1, len(criteria) + 1))


def test_the_result_lists_every_reason_and_names_what_decided():
    specs = [
        spec("age", {"min": 18}, pk=7, description="Adults only"),
        spec(*NO_VIOLENT[:2], pk=8, description="No violent felonies"),
        spec(*CONSENTS[:2], on_fail="review", pk=9, description="Consents"),
    ]
    result = evaluate(specs, facts(charges=(GRAND_THEFT, AGG_ASSAULT)))
    assert result.outcome == "ineligible"
    assert result.reasons == [
        "ineligible: count 2 (784.021 Aggravated assault) is a felony, third degree; "
        "program excludes violent felonies",
        "needs review: missing consent of the prosecutor",
    ]
    assert result.as_json() == [
        {
            "criterion": 7,
            "kind": "age",
            "description": "Adults only",
            "on_fail": "ineligible",
            "outcome": "met",
            "reason": "met: age 34 on 2026-11-20 is within 18 and up",
        },
        {
            "criterion": 8,
            "kind": "excluded_charge",
            "description": "No violent felonies",
            "on_fail": "ineligible",
            "outcome": "not_met",
            "reason": "ineligible: count 2 (784.021 Aggravated assault) is a felony, third "
            "degree; program excludes violent felonies",
        },
        {
            "criterion": 9,
            "kind": "consent",
            "description": "Consents",
            "on_fail": "review",
            "outcome": "not_met",
            "reason": "needs review: missing consent of the prosecutor",
        },
    ]


def test_an_eligible_result_gives_its_met_reasons():
    result = evaluate([spec("age", {"min": 18})], facts())
    assert result.outcome == "eligible"
    assert result.reasons == ["met: age 34 on 2026-11-20 is within 18 and up"]


def test_a_criterion_with_bad_params_is_not_a_silent_pass():
    # Criteria saved around clean() (a raw update) must not pass anyone unchecked.
    result = evaluate([spec("age", {"min": "eighteen"})], facts())
    assert result.outcome == "needs_review"
    assert result.results[0].outcome == NEEDS_REVIEW
    assert result.results[0].reason == (
        "needs review: the criterion is not valid (min must be a whole number from 0 to 150.)"
    )


def test_an_unknown_kind_needs_review():
    result = evaluate([spec("horoscope", {})], facts())
    assert result.outcome == "needs_review"
    assert result.results[0].reason == (
        "needs review: the criterion is not valid (horoscope is not a kind of criterion.)"
    )


def test_age_without_a_referral_date_uses_the_screening_date():
    outcome, reason, _ = only("age", {"min": 18, "as_of": "referral"}, facts(referred_on=None))
    assert (outcome, reason) == (MET, "met: age 34 on 2026-11-22 is within 18 and up")


def test_the_facts_are_kept_as_json():
    data = facts(
        prior_convictions=(conviction(dt.date(2021, 3, 4)),),
        prior_diversions=(diversion("active", None),),
        consents=frozenset({"prosecutor", "participant"}),
    ).as_json()
    assert data == {
        "as_of": "2026-11-22",
        "referred_on": "2026-11-20",
        "case_type": "CR",
        "case_category": "criminal",
        "charges": [
            {
                "count": 1,
                "statute": "812.014(2)(c)",
                "description": "Grand theft",
                "charge_class": "felony_3",
            }
        ],
        "offense_date": "2026-10-01",
        "date_of_birth": "1992-03-15",
        "state": "FL",
        "city": "Sarasota",
        "postal_code": "34236",
        "prior_convictions": [
            {
                "case_number": "2019-CF-000321",
                "statute": "893.13(6)(a)",
                "charge_class": "felony_3",
                "date": "2021-03-04",
            }
        ],
        "prior_diversions": [
            {
                "program_name": "Pretrial Diversion",
                "kind": "pretrial_diversion",
                "enrolled_on": None,
                "outcome": "active",
            }
        ],
        "consents": ["participant", "prosecutor"],
    }


# --- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(1992, 3, 15), dt.date(2026, 3, 14), 33),
        (dt.date(1992, 3, 15), dt.date(2026, 3, 15), 34),
        # Born on 29 February: a year older on 1 March of a common year.
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
        (dt.date(2008, 2, 29), dt.date(2028, 2, 29), 20),
    ],
)
def test_age_in_whole_years(born, on, age):
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    ("pattern", "statute", "matches"),
    [
        ("784.021", "784.021", True),
        ("784.021", "784.0211", False),
        ("784.021", "784.021(1)(a)", False),
        ("784.*", "784.021", True),
        ("784.*", "784", False),
        ("784.021*", "784.021(1)(a)", True),
        ("784.*", "794.011", False),
        (" 316.193 ", "316.193", True),
        ("F.S. 784.*", "f.s. 784.03", True),
    ],
)
def test_statute_patterns_exact_or_prefix_with_a_trailing_star(pattern, statute, matches):
    assert statute_matches(pattern, statute) is matches


# --- params validation (EligibilityCriterion.clean) -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "errors"),
    [
        ("case_type", [], ["Parameters must be an object."]),
        ("case_type", {}, ["case_types must list at least one case type code."]),
        ("case_type", {"case_types": ["CR", ""]}, ["case_types must be text codes."]),
        (
            "case_type",
            {"case_types": ["CR"], "classes": ["felony_1"]},
            ["Unknown parameter classes; a case-type criterion takes case_types."],
        ),
        ("charge_class", {"allowed": []}, ["allowed must list at least one charge class."]),
        (
            "charge_class",
            {"allowed": ["felony_3", "felony_9"]},
            ["allowed: felony_9 is not a charge class."],
        ),
        (
            "excluded_charge",
            {"label": "violent felonies"},
            ["An excluded-charge criterion needs statutes or classes."],
        ),
        (
            "excluded_charge",
            {"statutes": ["7*84"]},
            ["statutes: 7*84: '*' may only end a statute prefix."],
        ),
        (
            "excluded_charge",
            {"statutes": ["*"]},
            ["statutes: * needs a statute prefix before '*'."],
        ),
        ("excluded_charge", {"classes": ["felony_1"], "label": 3}, ["label must be text."]),
        (
            "prior_record",
            {"lookback_years": 10},
            ["A prior-record criterion needs max_convictions or max_prior_diversions."],
        ),
        (
            "prior_record",
            {"max_convictions": -1, "max_prior_diversions": True},
            [
                "max_convictions must be a whole number of 0 or more.",
                "max_prior_diversions must be a whole number of 0 or more.",
            ],
        ),
        (
            "prior_record",
            {"max_convictions": 0, "lookback_years": 0},
            ["lookback_years must be a whole number of 1 or more."],
        ),
        (
            "prior_record",
            {"max_prior_diversions": 0, "lookback_years": 5},
            ["lookback_years applies to convictions: give max_convictions too."],
        ),
        (
            "age",
            {"min": 18, "minimum": 21},
            ["Unknown parameter minimum; an age criterion takes min, max or as_of."],
        ),
        ("age", {}, ["An age criterion needs min or max."]),
        ("age", {"min": 30, "max": 18}, ["min cannot be above max."]),
        ("age", {"min": 18, "as_of": "arrest"}, ["as_of must be offense or referral."]),
        ("age", {"min": 18.5}, ["min must be a whole number from 0 to 150."]),
        ("residency", {}, ["A residency criterion needs states, cities or postal_codes."]),
        ("residency", {"states": ["Florida"]}, ["states must be two-letter codes."]),
        ("residency", {"postal_codes": [342]}, ["postal_codes must be text prefixes."]),
        ("consent", {"required": []}, ["required must list at least one kind of consent."]),
        (
            "consent",
            {"required": ["participant", "judge"]},
            ["required: judge is not a kind of consent."],
        ),
        ("astrology", {}, ["astrology is not a kind of criterion."]),
    ],
)
def test_params_errors(kind, params, errors):
    assert criterion_params_errors(kind, params) == errors


def test_no_kind_is_left_to_the_kind_field_and_needs_review_in_the_engine():
    assert criterion_params_errors("", {"min": 18}) == []
    result = evaluate([spec("", {})], facts())
    assert result.results[0].reason == (
        "needs review: the criterion is not valid (The criterion has no kind.)"
    )


@pytest.mark.parametrize("kind", sorted(PARAMS_EXAMPLES))
def test_the_params_examples_are_valid(kind):
    assert criterion_params_errors(kind, PARAMS_EXAMPLES[kind]) == []
    assert evaluate([spec(kind, PARAMS_EXAMPLES[kind])], facts()).results[0].reason


def test_the_factory_criteria_are_valid():
    # The criteria the test programs use (tests/programs/factories.py) pass validation.
    for kind, params in [
        ("case_type", {"case_types": ["CR"]}),
        ("excluded_charge", {"classes": ["felony_capital", "felony_1"], "label": "violent"}),
        ("age", {"min": 18, "as_of": "referral"}),
        ("consent", {"required": ["participant", "prosecutor"]}),
        ("charge_class", {"allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"]}),
        ("prior_record", {"max_convictions": 0, "lookback_years": 10, "max_prior_diversions": 0}),
    ]:
        assert criterion_params_errors(kind, params) == [], kind
