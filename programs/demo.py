"""Demo diversion programs for the demo court (issue 8, item 7), made through the services.

One seeder (casemgmt.core.demo.register_seeder, idempotent), ``programs.programs``, after
the demo cases, money and deadlines. For Sarasota (coordinator Miguel Santos):

- an adult drug court (three phases, a program fee) and a pretrial diversion program
  (one phase, misdemeanors only, three places), each with its eligibility criteria as
  data, and the court's community-service sites;
- participants on cases of their own, opened through the intake service, in every state:
  a referral screened eligible waiting for the offer, one screened ineligible (its
  reason shown), participants active in phase 1 (a positive test and its open flag) and
  in phase 2 (community-service hours), one terminated for non-compliance, one who
  completed (charges diverted, case disposed), a full pretrial program and one
  participant on its waitlist.

Participants are enrolled weeks or months ago so that the pages show time in a program:
each referral is made through `referral_create` and then moved back to its demo date
(the referral's own dates only; its DVRF docket entry stays dated the day of seeding),
and everything after it is recorded through the services with its own past date.

Run twice, it adds nothing: programs and sites are found by their natural keys, and the
participants are made once (when the demo programs have no referral yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Case, CaseParty, CaseType, ChargeClass, PartyRole

from .models import (
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
DEMO_COURT = "sarasota"

# (code, name, kind, capacity, duration days, fee, description)
DEMO_PROGRAMS = {
    "DRUG": (
        "Adult Drug Court",
        ProgramKind.DRUG_COURT,
        15,
        365,
        "150.00",
        "Treatment and frequent court review for adults charged with drug-related "
        "offenses; charges are dismissed on completion.",
    ),
    "PTD": (
        "Pretrial Diversion",
        ProgramKind.PRETRIAL_DIVERSION,
        3,
        180,
        "0.00",
        "First-time misdemeanor offenders: community service and a class; the charges "
        "are dismissed on completion.",
    ),
}

# code -> [(phase name, min days, clean days, [(kind, name, quantity, period days)])]
DEMO_PHASES = {
    "DRUG": [
        (
            "Stabilization",
            60,
            30,
            [
                (RequirementKind.DRUG_TEST, "Random drug tests", "2", 7),
                (RequirementKind.COUNSELING, "Outpatient counseling", "1", 7),
                (RequirementKind.REVIEW_HEARING, "Review hearings", "1", 14),
            ],
        ),
        (
            "Intensive treatment",
            90,
            60,
            [
                (RequirementKind.DRUG_TEST, "Random drug tests", "1", 7),
                (RequirementKind.COUNSELING, "Group counseling", "1", 7),
                (RequirementKind.COMMUNITY_SERVICE, "Community service", "40", None),
                (RequirementKind.CLASS, "Moral reconation therapy", "1", None),
            ],
        ),
        (
            "Transition",
            90,
            90,
            [
                (RequirementKind.DRUG_TEST, "Random drug tests", "1", 14),
                (RequirementKind.COMMUNITY_SERVICE, "Community service", "20", None),
            ],
        ),
    ],
    "PTD": [
        (
            "Diversion",
            90,
            0,
            [
                (RequirementKind.COMMUNITY_SERVICE, "Community service", "20", None),
                (RequirementKind.CLASS, "Theft awareness class", "1", None),
            ],
        ),
    ],
}

# code -> [(kind, params, on_fail, description)]
DEMO_CRITERIA = {
    "DRUG": [
        (
            CriterionKind.CASE_TYPE,
            {"case_types": ["CR", "MM"]},
            OnFail.INELIGIBLE,
            "Criminal cases only",
        ),
        (
            CriterionKind.EXCLUDED_CHARGE,
            {
                "statutes": ["784.021*", "812.13*"],
                "classes": ["felony_capital", "felony_1"],
                "label": "violent and first-degree felonies",
            },
            OnFail.INELIGIBLE,
            "Program excludes violent and first-degree felonies",
        ),
        (CriterionKind.AGE, {"min": 18, "as_of": "referral"}, OnFail.INELIGIBLE, "Adults only"),
        (
            CriterionKind.CONSENT,
            {"required": ["participant", "prosecutor"]},
            OnFail.REVIEW,
            "Participant and prosecutor consent",
        ),
    ],
    "PTD": [
        (
            CriterionKind.CHARGE_CLASS,
            {"allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"]},
            OnFail.INELIGIBLE,
            "Misdemeanors only",
        ),
        (
            CriterionKind.PRIOR_RECORD,
            {"max_convictions": 0, "lookback_years": 10, "max_prior_diversions": 0},
            OnFail.INELIGIBLE,
            "No convictions in 10 years and no earlier diversion",
        ),
        (CriterionKind.RESIDENCY, {"states": ["FL"]}, OnFail.REVIEW, "Florida residents"),
        (
            CriterionKind.CONSENT,
            {"required": ["participant"]},
            OnFail.REVIEW,
            "The participant's consent",
        ),
    ],
}

DEMO_SITES = [
    ("Habitat for Humanity ReStore", "1401 Cattlemen Rd, Sarasota, FL 34232", "(941) 555-0180"),
    ("All Faiths Food Bank", "8171 Blaikie Ct, Sarasota, FL 34240", "(941) 555-0181"),
    ("Sarasota County Parks — Urfer Park", "4012 Honore Ave, Sarasota, FL 34233", ""),
]


@dataclass
class DemoParticipant:
    """One demo participant: their case and how far along they are."""

    first: str
    last: str
    born: dt.date
    program: str
    # screened, ineligible, phase1, phase2, terminated, completed, active or waitlisted
    state: str
    days_ago: int  # referred (and, when enrolled, enrolled) this many days ago
    charges: list[tuple[str, str, str]] = field(default_factory=list)
    type_code: str = "CR"
    source: str = ReferralSource.PROSECUTOR


POSSESSION = ("893.13(6)(a)", "Possession of a controlled substance", ChargeClass.FELONY_3)
PARAPHERNALIA = ("893.147(1)", "Possession of drug paraphernalia", ChargeClass.MISDEMEANOR_A)
PETIT_THEFT = ("812.014(3)(a)", "Petit theft", ChargeClass.MISDEMEANOR_B)
TRESPASS = ("810.09(2)(a)", "Trespass on property", ChargeClass.MISDEMEANOR_A)
ROBBERY = ("812.13(2)(a)", "Robbery with a firearm", ChargeClass.FELONY_1)

DEMO_PARTICIPANTS = [
    # The drug court.
    DemoParticipant("Marcus", "Reed", dt.date(1991, 3, 14), "DRUG", "screened", 3, [POSSESSION]),
    DemoParticipant(
        "Victor",
        "Hale",
        dt.date(1987, 9, 2),
        "DRUG",
        "ineligible",
        6,
        [ROBBERY, POSSESSION],
        source=ReferralSource.DEFENSE,
    ),
    DemoParticipant(
        "Tanya",
        "Brooks",
        dt.date(1995, 11, 23),
        "DRUG",
        "phase1",
        24,
        [POSSESSION, PARAPHERNALIA],
        source=ReferralSource.JUDGE,
    ),
    DemoParticipant("Derek", "Owens", dt.date(1989, 6, 30), "DRUG", "phase2", 95, [POSSESSION]),
    DemoParticipant("Kyle", "Benson", dt.date(1998, 1, 9), "DRUG", "terminated", 70, [POSSESSION]),
    # The pretrial diversion program: one completed, then full (three places) and a waitlist.
    DemoParticipant(
        "Alicia",
        "Moreno",
        dt.date(1999, 4, 5),
        "PTD",
        "completed",
        130,
        [PETIT_THEFT],
        type_code="MM",
    ),
    DemoParticipant(
        "Jordan", "Pike", dt.date(2001, 8, 17), "PTD", "active", 45, [PETIT_THEFT], type_code="MM"
    ),
    DemoParticipant(
        "Nina", "Castillo", dt.date(1993, 12, 1), "PTD", "active", 18, [TRESPASS], type_code="MM"
    ),
    DemoParticipant(
        "Samuel", "Ortiz", dt.date(1985, 7, 22), "PTD", "active", 9, [PETIT_THEFT], type_code="MM"
    ),
    DemoParticipant(
        "Hannah", "Lee", dt.date(2000, 2, 28), "PTD", "waitlisted", 4, [TRESPASS], type_code="MM"
    ),
]


def _program(court: Court, code: str, log: Callable[[str], None]) -> Program:
    name, kind, capacity, duration, fee, description = DEMO_PROGRAMS[code]
    program, created = Program.objects.get_or_create(
        court=court,
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "capacity": capacity,
            "duration_days": duration,
            "fee_amount": D(fee),
            "fee_due_days": 90,
            "description": description,
        },
    )
    if not created:
        return program
    for number, (phase_name, min_days, clean_days, requirements) in enumerate(
        DEMO_PHASES[code], start=1
    ):
        phase = ProgramPhase.objects.create(
            program=program,
            number=number,
            name=phase_name,
            min_days=min_days,
            clean_days_required=clean_days,
        )
        for position, (kind, req_name, quantity, period) in enumerate(requirements, start=1):
            PhaseRequirement.objects.create(
                phase=phase,
                position=position,
                kind=kind,
                name=req_name,
                quantity=D(quantity),
                period_days=period,
            )
    for position, (kind, params, on_fail, text) in enumerate(DEMO_CRITERIA[code], start=1):
        criterion = EligibilityCriterion(
            program=program,
            position=position,
            kind=kind,
            params=params,
            on_fail=on_fail,
            description=text,
        )
        criterion.full_clean()
        criterion.save()
    log(f"program {court.code} {code}: {name}")
    return program


def _user(court: Court, role: str, username: str | None = None) -> User | None:
    users = User.objects.filter(role=role, memberships__court=court, is_active=True)
    if username:
        return users.filter(username=username).first() or users.order_by("pk").first()
    return users.order_by("pk").first()


def _open_case(p: DemoParticipant, *, court: Court, clerk: User, judge, attorney, today):
    from cases.services import (
        AppearanceInput,
        ChargeInput,
        IntakeInput,
        PartyInput,
        case_open,
        case_transition,
    )

    filed_on = today - dt.timedelta(days=p.days_ago + 12)
    case = case_open(
        data=IntakeInput(
            court=court,
            case_type=CaseType.objects.get(court=court, code=p.type_code),
            parties=[
                PartyInput(
                    role=PartyRole.DEFENDANT,
                    first_name=p.first,
                    last_name=p.last,
                    date_of_birth=p.born,
                    address_line1=f"{1200 + len(p.last) * 37} Fruitville Rd",
                    city="Sarasota",
                    state="FL",
                    postal_code="34236",
                    phone="(941) 555-0199",
                )
            ],
            appearances=[AppearanceInput(attorney=attorney, party_index=0)] if attorney else [],
            charges=[
                ChargeInput(statute, text, cls, filed_on - dt.timedelta(days=3))
                for statute, text, cls in p.charges
            ],
            filed_on=filed_on,
            judge=judge,
        ),
        opened_by=clerk,
    )
    return case_transition(
        case=case, to="active", actor=clerk, effective_on=filed_on + dt.timedelta(days=5)
    )


def _refer(p, *, case: Case, program: Program, by: User, today: dt.date) -> Referral:
    from .services import referral_create

    participant = CaseParty.objects.get(case=case, role=PartyRole.DEFENDANT)
    referral = referral_create(
        program=program,
        case=case,
        participant=participant,
        source=p.source,
        reason="Referred at arraignment; no prior record.",
        by=by,
    )
    # Moved back to its demo date (see the module's docstring).
    on = today - dt.timedelta(days=p.days_ago)
    Referral.objects.filter(pk=referral.pk).update(referred_on=on, status_date=on)
    referral.refresh_from_db()
    return referral


def _screen_and_enroll(p, referral: Referral, *, coordinator: User, on: dt.date, consents):
    from .services import consent_record, enrollment_enroll, referral_offer, referral_screen

    for kind in consents:
        consent_record(referral=referral, kind=kind, given_on=on, by=coordinator)
    referral_screen(referral=referral, by=coordinator, notes="Screened at the first interview.")
    referral.refresh_from_db()
    if p.state == "screened":
        return None
    referral_offer(referral=referral, by=coordinator)
    return enrollment_enroll(referral=referral, by=coordinator, enrolled_on=on)


def _event(enrollment, coordinator, **kwargs):
    from .services import event_record

    return event_record(enrollment=enrollment, by=coordinator, **kwargs)


def _requirement(enrollment, kind):
    return (
        PhaseRequirement.objects.filter(phase=enrollment.phase, kind=kind)
        .order_by("position")
        .first()
    )


def _drug_tests(enrollment, coordinator, days: list[dt.date]):
    requirement = _requirement(enrollment, RequirementKind.DRUG_TEST)
    for day in days:
        _event(
            enrollment,
            coordinator,
            kind=RequirementKind.DRUG_TEST,
            occurred_on=day,
            requirement=requirement,
            drug_test_result="negative",
        )


def _counseling(enrollment, coordinator, days: list[dt.date]):
    requirement = _requirement(enrollment, RequirementKind.COUNSELING)
    for day in days:
        _event(
            enrollment,
            coordinator,
            kind=RequirementKind.COUNSELING,
            occurred_on=day,
            requirement=requirement,
            attendance="attended",
            supervisor_name="First Step of Sarasota",
        )


def _hours(enrollment, coordinator, site, entries: list[tuple[dt.date, str]]):
    requirement = _requirement(enrollment, RequirementKind.COMMUNITY_SERVICE)
    for day, hours in entries:
        _event(
            enrollment,
            coordinator,
            kind=RequirementKind.COMMUNITY_SERVICE,
            occurred_on=day,
            requirement=requirement,
            hours=D(hours),
            site=site,
            supervisor_name="Volunteer coordinator",
        )


def _class(enrollment, coordinator, day: dt.date):
    _event(
        enrollment,
        coordinator,
        kind=RequirementKind.CLASS,
        occurred_on=day,
        requirement=_requirement(enrollment, RequirementKind.CLASS),
        attendance="attended",
        completed=True,
    )


def _every(start: dt.date, end: dt.date, step: int) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        days.append(day)
        day += dt.timedelta(days=step)
    return days


def _progress_participant(p, enrollment, *, coordinator, sites, today):
    """Record what the participant did since enrollment, for their demo state."""
    from .services import (
        enrollment_complete,
        enrollment_phase_advance,
        enrollment_terminate,
        response_record,
    )

    start = enrollment.enrolled_on
    if p.state == "phase1":
        # Tested twice a week and at counseling weekly; a positive test three days ago.
        _drug_tests(
            enrollment,
            coordinator,
            _every(start + dt.timedelta(days=1), today - dt.timedelta(days=5), 4),
        )
        _counseling(enrollment, coordinator, _every(start + dt.timedelta(days=2), today, 7))
        positive = _event(
            enrollment,
            coordinator,
            kind=RequirementKind.DRUG_TEST,
            occurred_on=today - dt.timedelta(days=3),
            requirement=_requirement(enrollment, RequirementKind.DRUG_TEST),
            drug_test_result="positive",
            substances="cocaine",
            notes="Observed collection; confirmed by the lab.",
        )
        _flag_positive(enrollment, positive)
        response_record(
            enrollment=enrollment,
            kind="incentive",
            action="Praise from the bench",
            reason="Attended every counseling session in the first weeks.",
            ordered_on=start + dt.timedelta(days=14),
            by=coordinator,
        )
    elif p.state == "phase2":
        # Phase 1 done (tests negative, counseling weekly), then advanced by the court.
        _drug_tests(enrollment, coordinator, _every(start + dt.timedelta(days=1), today, 4))
        _counseling(enrollment, coordinator, _every(start + dt.timedelta(days=2), today, 7))
        enrollment = enrollment_phase_advance(
            enrollment=enrollment,
            by=coordinator,
            reason="Advanced at the review hearing: clean since enrollment, full attendance.",
            override=True,
        )
        _hours(enrollment, coordinator, sites[0], [(enrollment.phase_started_on, "6.5")])
        response_record(
            enrollment=enrollment,
            kind="incentive",
            action="Phase advancement certificate",
            reason="Completed phase 1 with no positive tests.",
            ordered_on=today,
            by=coordinator,
        )
    elif p.state == "terminated":
        requirement = _requirement(enrollment, RequirementKind.DRUG_TEST)
        for offset, result in ((3, "negative"), (10, "missed"), (17, "missed"), (24, "positive")):
            _event(
                enrollment,
                coordinator,
                kind=RequirementKind.DRUG_TEST,
                occurred_on=start + dt.timedelta(days=offset),
                requirement=requirement,
                drug_test_result=result,
                substances="methamphetamine" if result == "positive" else "",
            )
        response_record(
            enrollment=enrollment,
            kind="sanction",
            action="Two days in jail",
            reason="Two missed tests and a positive test in three weeks.",
            ordered_on=start + dt.timedelta(days=26),
            by=coordinator,
        )
        enrollment_terminate(
            enrollment=enrollment,
            reason="noncompliance",
            note="Absent from treatment since the sanction; new positive tests.",
            terminated_on=start + dt.timedelta(days=40),
            by=coordinator,
        )
    elif p.state == "completed":
        _hours(
            enrollment,
            coordinator,
            sites[1],
            [(start + dt.timedelta(days=d), "5") for d in (10, 24, 38, 52)],
        )
        _class(enrollment, coordinator, start + dt.timedelta(days=30))
        enrollment_complete(
            enrollment=enrollment,
            by=coordinator,
            completed_on=start + dt.timedelta(days=100),
            note="All requirements met; charges dismissed.",
        )
    elif p.state == "active":
        done = max(0, p.days_ago // 7)
        _hours(
            enrollment,
            coordinator,
            sites[2],
            [(start + dt.timedelta(days=7 * (w + 1)), "3") for w in range(done)],
        )


def _flag_positive(enrollment, event) -> None:
    """The positive test's flag and notice, raised by the compliance run of the night after
    the test (the participant is the only one active yet, so the night judges only them)."""
    from .compliance import compliance_run

    compliance_run(run_date=event.occurred_on + dt.timedelta(days=1))


def seed_programs(*, log: Callable[[str], None]) -> None:
    """The demo court's programs, sites and participants (see the module's docstring)."""
    court = Court.objects.filter(code=DEMO_COURT).first()
    if court is None or not CaseType.objects.filter(court=court, code__in=["CR", "MM"]).exists():
        return
    programs = {code: _program(court, code, log) for code in DEMO_PROGRAMS}
    coordinator = _user(court, Role.PROGRAM_COORDINATOR, "coordinator")
    if coordinator is not None:
        for program in programs.values():
            program.coordinators.add(coordinator)
    sites = []
    for name, address, contact in DEMO_SITES:
        site, created = ServiceSite.objects.get_or_create(
            court=court, name=name, defaults={"address": address, "contact": contact}
        )
        if created:
            log(f"service site {court.code}: {name}")
        sites.append(site)
    if Referral.objects.filter(program__in=programs.values()).exists():
        return  # participants are seeded once
    clerk = _user(court, Role.CLERK, "clerk")
    judge = _user(court, Role.JUDGE, "judge")
    defender = User.objects.filter(username="attorney2", role=Role.ATTORNEY).first()
    if coordinator is None or clerk is None:
        return
    today = court.local_today()
    for p in DEMO_PARTICIPANTS:
        attorney = defender if p.source == ReferralSource.DEFENSE else None
        case = _open_case(p, court=court, clerk=clerk, judge=judge, attorney=attorney, today=today)
        referrer = {ReferralSource.JUDGE: judge, ReferralSource.DEFENSE: attorney}.get(p.source)
        referral = _refer(
            p, case=case, program=programs[p.program], by=referrer or clerk, today=today
        )
        consents = ["participant", "prosecutor"] if p.program == "DRUG" else ["participant"]
        on = referral.referred_on
        if p.state == "ineligible":
            from .services import referral_screen

            referral_screen(
                referral=referral,
                by=coordinator,
                notes="Charged with armed robbery; the defense asked for a screening anyway.",
            )
            continue
        enrollment = _screen_and_enroll(
            p, referral, coordinator=coordinator, on=on, consents=consents
        )
        if enrollment is None:
            continue
        _progress_participant(p, enrollment, coordinator=coordinator, sites=sites, today=today)
    log(f"{len(DEMO_PARTICIPANTS)} program participants in {court.code}")


def register_program_seeders() -> None:
    """Call from ProgramsConfig.ready(): after the demo cases (40), money (65) and the
    deadlines and speedy-trial clocks (75, 76)."""
    from casemgmt.core.demo import register_seeder

    register_seeder("programs.programs", seed_programs, order=80)
