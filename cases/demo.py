"""Demo case types and a few hundred realistic cases for the demo courts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role

from .models import (
    Case,
    CaseCategory,
    CaseType,
    ChargeClass,
    Confidentiality,
    PartyRole,
    PersonKind,
)

DEMO_CASE_TYPES = [
    ("CR", "Criminal — felony", CaseCategory.CRIMINAL, Confidentiality.PUBLIC, "CHRG"),
    ("MM", "Criminal — misdemeanor", CaseCategory.CRIMINAL, Confidentiality.PUBLIC, "CHRG"),
    ("CA", "Civil — circuit", CaseCategory.CIVIL, Confidentiality.PUBLIC, "CMPL"),
    ("DR", "Domestic relations", CaseCategory.DOMESTIC, Confidentiality.PUBLIC, "PETN"),
    ("DP", "Juvenile dependency", CaseCategory.JUVENILE, Confidentiality.CONFIDENTIAL, "PETN"),
    ("TR", "Traffic — criminal", CaseCategory.TRAFFIC, Confidentiality.PUBLIC, "CHRG"),
    ("MH", "Mental health", CaseCategory.MENTAL_HEALTH, Confidentiality.CONFIDENTIAL, "PETN"),
]

FIRST = [
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "Luis",
    "Ana",
    "William",
    "Elizabeth",
    "Carlos",
    "Susan",
    "Kevin",
    "Nguyen",
    "Aisha",
    "Daniel",
    "Sofia",
    "Thomas",
    "Karen",
    "Jose",
    "Emily",
    "Mark",
    "Rosa",
    "Brian",
    "Keisha",
    "Juan",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
]
STREETS = [
    "Main St",
    "Fruitville Rd",
    "Bee Ridge Rd",
    "Tamiami Trl",
    "Colfax Ave",
    "Broadway",
    "Osprey Ave",
    "Federal Blvd",
    "Siesta Dr",
    "Speer Blvd",
]
ORGANIZATIONS = [
    "Suncoast Credit Union",
    "Gulf Coast Property Management LLC",
    "Mile High Auto Finance, Inc.",
    "Sarasota Memorial Hospital",
    "Rocky Mountain Landlords LLC",
    "Bayfront Apartments LLC",
]
CHARGES = [
    ("812.014(2)(c)", "Grand theft, third degree", ChargeClass.FELONY_3),
    ("893.13(6)(a)", "Possession of a controlled substance", ChargeClass.FELONY_3),
    ("784.03(1)(a)", "Battery", ChargeClass.MISDEMEANOR_A),
    ("316.193(1)", "Driving under the influence", ChargeClass.MISDEMEANOR_B),
    ("810.02(3)", "Burglary of a dwelling", ChargeClass.FELONY_2),
    ("843.02", "Resisting an officer without violence", ChargeClass.MISDEMEANOR_A),
    ("322.34(2)", "Driving while license suspended", ChargeClass.MISDEMEANOR_B),
    ("812.014(3)(a)", "Petit theft", ChargeClass.MISDEMEANOR_B),
    ("784.021(1)(a)", "Aggravated assault with a deadly weapon", ChargeClass.FELONY_3),
    ("316.1935(2)", "Fleeing or attempting to elude", ChargeClass.FELONY_3),
]
CASES_PER_COURT = 150


def seed_case_types(*, log: Callable[[str], None]) -> None:
    from .services import event_codes_install_defaults

    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        event_codes_install_defaults(court=court)
        for code, name, category, confidentiality, event in DEMO_CASE_TYPES:
            _type, created = CaseType.objects.get_or_create(
                court=court,
                code=code,
                defaults={
                    "name": name,
                    "category": category,
                    "default_confidentiality": confidentiality,
                    "initial_event_code": event,
                },
            )
            if created:
                log(f"case type {court.code} {code}")


def _person(rng: random.Random, today: dt.date, *, adult: bool = True) -> dict:
    age = rng.randint(19, 78) if adult else rng.randint(2, 16)
    language = "es" if rng.random() < 0.15 else "en"
    # Most Spanish speakers in the demo ask for an interpreter; English speakers do not.
    needs_interpreter = rng.random() < 0.6 and language != "en"
    return {
        "kind": PersonKind.INDIVIDUAL,
        "first_name": rng.choice(FIRST),
        "last_name": rng.choice(LAST),
        "date_of_birth": today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
        "address_line1": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
        "city": "Sarasota",
        "state": "FL",
        "postal_code": f"342{rng.randint(30, 43)}",
        "phone": f"(941) 555-{rng.randint(1000, 9999)}",
        "preferred_language": language,
        "interpreter_needed": needs_interpreter,
    }


def seed_cases(*, log: Callable[[str], None]) -> None:
    from .services import (
        AppearanceInput,
        ChargeInput,
        IntakeInput,
        PartyInput,
        case_confidentiality_set,
        case_open,
        case_transition,
    )

    for court in Court.objects.filter(code__in=["sarasota", "denver"]).order_by("code"):
        if Case.objects.filter(court=court).exists():
            continue
        rng = random.Random(f"casemgmt-demo-{court.code}")  # noqa: S311 (demo data, reproducible)
        clerk = User.objects.filter(role=Role.CLERK, memberships__court=court).first()
        supervisor = User.objects.filter(role=Role.SUPERVISOR, memberships__court=court).first()
        judges = list(User.objects.filter(role=Role.JUDGE, memberships__court=court))
        attorneys = list(User.objects.filter(role=Role.ATTORNEY, memberships__court=court))
        types = {t.code: t for t in CaseType.objects.filter(court=court)}
        today = court.local_today()
        weights = {"CR": 25, "MM": 25, "CA": 15, "DR": 10, "DP": 5, "TR": 15, "MH": 5}
        for i in range(CASES_PER_COURT):
            code = rng.choices(list(weights), weights=list(weights.values()))[0]
            case_type = types[code]
            filed_on = today - dt.timedelta(days=rng.randint(0, 700))
            category = case_type.category
            parties, charges = [], []
            if category in (CaseCategory.CRIMINAL, CaseCategory.TRAFFIC):
                parties.append(PartyInput(role=PartyRole.DEFENDANT, **_person(rng, today)))
                if rng.random() < 0.5:
                    parties.append(PartyInput(role=PartyRole.VICTIM, **_person(rng, today)))
                for _ in range(rng.choice([1, 1, 2, 3])):
                    statute, text, cls = rng.choice(CHARGES)
                    if code == "MM" and cls.startswith("felony"):
                        continue
                    charges.append(
                        ChargeInput(
                            statute, text, cls, filed_on - dt.timedelta(days=rng.randint(1, 30))
                        )
                    )
                if not charges:
                    charges.append(
                        ChargeInput("784.03(1)(a)", "Battery", ChargeClass.MISDEMEANOR_A, filed_on)
                    )
            elif category == CaseCategory.CIVIL:
                if rng.random() < 0.5:
                    parties.append(
                        PartyInput(
                            role=PartyRole.PLAINTIFF,
                            kind=PersonKind.ORGANIZATION,
                            organization_name=rng.choice(ORGANIZATIONS),
                        )
                    )
                else:
                    parties.append(PartyInput(role=PartyRole.PLAINTIFF, **_person(rng, today)))
                parties.append(PartyInput(role=PartyRole.DEFENDANT, **_person(rng, today)))
            elif category == CaseCategory.DOMESTIC:
                parties.append(PartyInput(role=PartyRole.PETITIONER, **_person(rng, today)))
                parties.append(PartyInput(role=PartyRole.RESPONDENT, **_person(rng, today)))
            elif category == CaseCategory.JUVENILE:
                parties.append(PartyInput(role=PartyRole.CHILD, **_person(rng, today, adult=False)))
                parties.append(PartyInput(role=PartyRole.GUARDIAN, **_person(rng, today)))
            else:
                parties.append(PartyInput(role=PartyRole.PETITIONER, **_person(rng, today)))
                parties.append(PartyInput(role=PartyRole.RESPONDENT, **_person(rng, today)))
            for p in parties:
                if p.date_of_birth and p.date_of_birth > filed_on:
                    p.date_of_birth = filed_on - dt.timedelta(days=365 * 20)
            appearances = []
            if attorneys and rng.random() < 0.6:
                appearances.append(AppearanceInput(attorney=rng.choice(attorneys), party_index=0))
            case = case_open(
                data=IntakeInput(
                    court=court,
                    case_type=case_type,
                    parties=parties,
                    appearances=appearances,
                    charges=charges,
                    filed_on=filed_on,
                    judge=rng.choice(judges) if judges else None,
                ),
                opened_by=clerk,
            )
            roll = rng.random()
            if roll < 0.75:
                active_on = min(today, filed_on + dt.timedelta(days=rng.randint(1, 30)))
                case = case_transition(case=case, to="active", actor=clerk, effective_on=active_on)
                if roll < 0.35:
                    disposed_on = min(today, active_on + dt.timedelta(days=rng.randint(20, 300)))
                    case = case_transition(
                        case=case,
                        to="disposed",
                        actor=clerk,
                        effective_on=disposed_on,
                        reason="Judgment entered.",
                    )
                    if roll < 0.15:
                        case_transition(
                            case=case, to="closed", actor=clerk, effective_on=disposed_on
                        )
                elif roll < 0.45:
                    reason = rng.choice(["warrant", "stayed", "competency", "diversion"])
                    case_transition(
                        case=case,
                        to="inactive",
                        actor=clerk,
                        effective_on=active_on,
                        inactive_reason=reason,
                    )
            if i % 40 == 7:
                case_confidentiality_set(
                    case=case,
                    confidentiality="sealed",
                    actor=supervisor,
                    reason="Order sealing record, Fla. R. Gen. Prac. & Jud. Admin. 2.420.",
                )
        log(f"{CASES_PER_COURT} cases in {court.code}")
