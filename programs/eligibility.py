"""Eligibility screening: one engine, criteria as data.

A program's criteria (programs.models.EligibilityCriterion: a kind, its params, what a
failure means) are evaluated against the facts of a referral (`Facts`, read from the
database by programs.screening). The engine is pure: no database, no clock; the same
criteria and facts always give the same result, which is what a screening keeps.

Each criterion gives `met`, `not_met` or `needs_review` with a reason sentence in plain
words that names the fact it looked at ("ineligible: count 2 (784.021 Aggravated assault)
is a felony, third degree; program excludes violent felonies"). Missing data (no date of
birth, no address, no pending charge) is `needs_review` for that criterion, never a
silent pass. The outcome: any `not_met` of a criterion whose failure makes the person
ineligible -> ineligible; else any `not_met` of a review criterion or any `needs_review`
-> needs_review; else eligible.

The params of each kind are documented on programs.models.CriterionKind; this module
checks them (`criterion_params_errors`, called by EligibilityCriterion.clean) and, should a
criterion be saved around that check, reports it as needing review rather than guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from cases.models import ChargeClass

from .models import ConsentKind, CriterionKind, OnFail

MET, NOT_MET, NEEDS_REVIEW = "met", "not_met", "needs_review"

ELIGIBLE, INELIGIBLE, REVIEW = "eligible", "ineligible", "needs_review"


# --- the facts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeFact:
    """A pending charge of the referred case."""

    count: int
    statute: str
    description: str
    charge_class: str

    def as_json(self) -> dict:
        return {
            "count": self.count,
            "statute": self.statute,
            "description": self.description,
            "charge_class": self.charge_class,
        }


@dataclass(frozen=True)
class PriorConviction:
    """A conviction on another case of the participant (one per convicted count)."""

    case_number: str
    statute: str
    charge_class: str
    date: dt.date

    def as_json(self) -> dict:
        return {
            "case_number": self.case_number,
            "statute": self.statute,
            "charge_class": self.charge_class,
            "date": self.date.isoformat(),
        }


@dataclass(frozen=True)
class PriorDiversion:
    """An earlier enrollment of the participant in a program; `outcome` is its status
    (completed, terminated, active)."""

    program_name: str
    kind: str
    enrolled_on: dt.date | None
    outcome: str

    def as_json(self) -> dict:
        return {
            "program_name": self.program_name,
            "kind": self.kind,
            "enrolled_on": _iso(self.enrolled_on),
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class Facts:
    """What the engine knows of a referral. Empty strings and None are missing data.

    `as_of` is the screening date (the prior-record lookback ends there); `referred_on`, the
    referral's date, is what an age criterion with `"as_of": "referral"` measures on (the
    screening date when it is not known).
    """

    as_of: dt.date
    case_type: str
    case_category: str
    charges: tuple[ChargeFact, ...]
    offense_date: dt.date | None
    date_of_birth: dt.date | None
    state: str
    city: str
    postal_code: str
    prior_convictions: tuple[PriorConviction, ...]
    prior_diversions: tuple[PriorDiversion, ...]
    consents: frozenset[str]
    referred_on: dt.date | None = None

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "referred_on": _iso(self.referred_on),
            "case_type": self.case_type,
            "case_category": self.case_category,
            "charges": [c.as_json() for c in self.charges],
            "offense_date": _iso(self.offense_date),
            "date_of_birth": _iso(self.date_of_birth),
            "state": self.state,
            "city": self.city,
            "postal_code": self.postal_code,
            "prior_convictions": [c.as_json() for c in self.prior_convictions],
            "prior_diversions": [d.as_json() for d in self.prior_diversions],
            "consents": sorted(self.consents),
        }


# --- criteria and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion as the engine reads it (programs.screening.criteria_specs)."""

    id: int | None
    kind: str
    params: dict
    on_fail: str = OnFail.INELIGIBLE.value
    description: str = ""


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: int | None
    kind: str
    description: str
    on_fail: str
    outcome: str  # MET | NOT_MET | NEEDS_REVIEW
    reason: str

    def as_json(self) -> dict:
        return {
            "criterion": self.criterion_id,
            "kind": self.kind,
            "description": self.description,
            "on_fail": self.on_fail,
            "outcome": self.outcome,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class EligibilityResult:
    outcome: str  # "eligible" | "ineligible" | "needs_review" (EligibilityOutcome values)
    results: tuple[CriterionResult, ...] = field(default_factory=tuple)

    def as_json(self) -> list[dict]:
        """The Screening.results shape, in criterion order."""
        return [r.as_json() for r in self.results]

    @property
    def reasons(self) -> list[str]:
        """What the coordinator needs to read: the reasons of every criterion not met or
        needing review, in criterion order; for an eligible result, every reason."""
        unmet = [r.reason for r in self.results if r.outcome != MET]
        return unmet or [r.reason for r in self.results]


# --- the engine -------------------------------------------------------------------------------


def evaluate(criteria: Sequence[CriterionSpec], facts: Facts) -> EligibilityResult:
    """Evaluate `criteria` in order against `facts`."""
    results = tuple(_evaluate_one(spec, facts) for spec in criteria)
    if any(r.outcome == NOT_MET and r.on_fail != OnFail.REVIEW for r in results):
        outcome = INELIGIBLE
    elif any(r.outcome != MET for r in results):
        outcome = REVIEW
    else:
        outcome = ELIGIBLE
    return EligibilityResult(outcome=outcome, results=results)


def _evaluate_one(spec: CriterionSpec, facts: Facts) -> CriterionResult:
    on_fail = OnFail.REVIEW.value if spec.on_fail == OnFail.REVIEW else OnFail.INELIGIBLE.value
    errors = criterion_params_errors(spec.kind, spec.params)
    if spec.kind not in _CHECKS and not errors:
        errors = ["The criterion has no kind."]
    if errors:
        # Saved around EligibilityCriterion.clean (or a kind this engine does not know):
        # never a silent pass, and never a guess at what the court meant.
        outcome, text = NEEDS_REVIEW, f"the criterion is not valid ({' '.join(errors)})"
    else:
        outcome, text = _CHECKS[spec.kind](spec.params, facts)
    if outcome == MET:
        prefix = "met"
    elif outcome == NOT_MET and on_fail == OnFail.INELIGIBLE:
        prefix = "ineligible"
    else:
        prefix = "needs review"
    return CriterionResult(
        criterion_id=spec.id,
        kind=spec.kind,
        description=spec.description,
        on_fail=on_fail,
        outcome=outcome,
        reason=f"{prefix}: {text}",
    )


Check = Callable[[dict, Facts], tuple[str, str]]

NO_CHARGE = "no pending charge on record"


def _check_case_type(params: dict, facts: Facts) -> tuple[str, str]:
    allowed = params["case_types"]
    listed = ", ".join(allowed)
    if not facts.case_type:
        return NEEDS_REVIEW, "no case type on record"
    wanted = {code.strip().upper() for code in allowed}
    if facts.case_type.strip().upper() in wanted:
        return MET, f"case type {facts.case_type} is among the program's case types ({listed})"
    return NOT_MET, f"case type {facts.case_type} is not among the program's case types ({listed})"


def _check_charge_class(params: dict, facts: Facts) -> tuple[str, str]:
    if not facts.charges:
        return NEEDS_REVIEW, NO_CHARGE
    unclassed = [c for c in facts.charges if not c.charge_class]
    allowed = set(params["allowed"])
    outside = [c for c in facts.charges if c.charge_class and c.charge_class not in allowed]
    what = params.get("label") or f"{classes_text(params['allowed'])} charges"
    if outside:
        return NOT_MET, f"{_and(_count_is(c) for c in outside)}; program allows only {what}"
    if unclassed:
        return NEEDS_REVIEW, f"{_and(_no_class(c) for c in unclassed)}"
    return MET, f"{_and(_count_is(c) for c in facts.charges)}; program allows {what}"


def _check_excluded_charge(params: dict, facts: Facts) -> tuple[str, str]:
    if not facts.charges:
        return NEEDS_REVIEW, NO_CHARGE
    statutes = params.get("statutes") or []
    classes = set(params.get("classes") or [])
    what = params.get("label") or _exclusions_text(statutes, params.get("classes") or [])
    hits, unknown = [], []
    for c in facts.charges:
        if any(statute_matches(p, c.statute) for p in statutes) or c.charge_class in classes:
            hits.append(c)
        elif classes and not c.charge_class:
            unknown.append(c)
    if hits:
        return NOT_MET, f"{_and(_count_is(c) for c in hits)}; program excludes {what}"
    if unknown:
        return NEEDS_REVIEW, _and(_no_class(c) for c in unknown)
    if len(facts.charges) == 1:
        subject = f"{_count(facts.charges[0])} is"
    else:
        subject = f"counts {_and(str(c.count) for c in facts.charges)} are"
    return MET, f"{subject} not among the program's exclusions ({what})"


def _check_prior_record(params: dict, facts: Facts) -> tuple[str, str]:
    parts: list[tuple[str, str]] = []  # (outcome, sentence)
    if "max_convictions" in params:
        limit = params["max_convictions"]
        years = params.get("lookback_years")
        classes = params.get("classes")
        start = _years_before(facts.as_of, years) if years else None
        in_window = [
            c
            for c in facts.prior_convictions
            if c.date <= facts.as_of and (start is None or c.date >= start)
        ]
        counted = [c for c in in_window if not classes or c.charge_class in classes]
        # With a class filter, a conviction of no known class may or may not count.
        unclassed = [c for c in in_window if classes and not c.charge_class]
        noun = f"{classes_text(classes)} conviction" if classes else "conviction"
        window = f" within {years} years" if years else ""
        if counted:
            items = _and(_conviction_text(c) for c in counted)
            fact = f"{_plural(len(counted), noun)}{window}: {items}"
        else:
            fact = f"no {noun}{window} on record"
        if len(counted) > limit:
            outcome = NOT_MET
        elif len(counted) + len(unclassed) > limit:
            outcome = NEEDS_REVIEW
            unknown = _and(
                f"the conviction in {c.case_number} on {c.date.isoformat()}" for c in unclassed
            )
            fact = f"{fact}; {unknown} has no charge class on record"
        else:
            outcome = MET
        parts.append((outcome, f"{fact}; program allows {_limit(limit)}"))
    if "max_prior_diversions" in params:
        limit = params["max_prior_diversions"]
        earlier = facts.prior_diversions
        if earlier:
            items = _and(_diversion_text(d) for d in earlier)
            fact = f"{_plural(len(earlier), 'earlier diversion')}: {items}"
        else:
            fact = "no earlier diversion on record"
        outcome = MET if len(earlier) <= limit else NOT_MET
        parts.append((outcome, f"{fact}; program allows {_limit(limit)}"))
    for worst in (NOT_MET, NEEDS_REVIEW):
        texts = [text for outcome, text in parts if outcome == worst]
        if texts:
            return worst, "; ".join(texts)
    return MET, "; ".join(text for _, text in parts)


def _check_age(params: dict, facts: Facts) -> tuple[str, str]:
    if facts.date_of_birth is None:
        return NEEDS_REVIEW, "no date of birth on record"
    if params.get("as_of", "referral") == "offense":
        on = facts.offense_date
        if on is None:
            return NEEDS_REVIEW, "no offense date on record"
    else:
        on = facts.referred_on or facts.as_of
    age = age_on(facts.date_of_birth, on)
    low, high = params.get("min"), params.get("max")
    if low is not None and high is not None:
        span = f"{low} to {high}"
    elif low is not None:
        span = f"{low} and up"
    else:
        span = f"up to {high}"
    if (low is None or age >= low) and (high is None or age <= high):
        return MET, f"age {age} on {on.isoformat()} is within {span}"
    return NOT_MET, f"age {age} on {on.isoformat()} is not within {span}"


def _check_residency(params: dict, facts: Facts) -> tuple[str, str]:
    states = params.get("states") or []
    cities = params.get("cities") or []
    prefixes = params.get("postal_codes") or []
    if not (facts.state or facts.city or facts.postal_code):
        return NEEDS_REVIEW, "no address on record"
    failures, missing = [], []
    if states:
        if not facts.state:
            missing.append("state")
        elif facts.state.strip().upper() not in {s.upper() for s in states}:
            failures.append(f"state {facts.state} is not among {', '.join(states)}")
    if cities:
        if not facts.city:
            missing.append("city")
        elif facts.city.strip().casefold() not in {c.strip().casefold() for c in cities}:
            failures.append(f"city {facts.city} is not among {', '.join(cities)}")
    if prefixes:
        code = facts.postal_code.strip()
        if not code:
            missing.append("postal code")
        elif not any(code.startswith(p.strip()) for p in prefixes):
            failures.append(f"postal code {code} does not begin with {_or(prefixes)}")
    if failures:
        return NOT_MET, _and(failures)
    if missing:
        return NEEDS_REVIEW, f"no {_or(missing)} on record"
    place = ", ".join(p for p in (facts.city, facts.state) if p)
    place = " ".join(p for p in (place, facts.postal_code) if p)
    return MET, f"residence {place} is within the program's area"


CONSENT_NAMES = {
    ConsentKind.PARTICIPANT: "the participant",
    ConsentKind.PROSECUTOR: "the prosecutor",
    ConsentKind.VICTIM: "the victim",
    ConsentKind.DEFENSE_COUNSEL: "defense counsel",
    ConsentKind.GUARDIAN: "a parent or guardian",
}


def _check_consent(params: dict, facts: Facts) -> tuple[str, str]:
    required = list(dict.fromkeys(params["required"]))
    missing = [k for k in required if k not in facts.consents]
    if missing:
        noun = "consent" if len(missing) == 1 else "consents"
        return NOT_MET, f"missing {noun} of {_and(CONSENT_NAMES[k] for k in missing)}"
    return MET, f"consent on record from {_and(CONSENT_NAMES[k] for k in required)}"


_CHECKS: dict[str, Check] = {
    CriterionKind.CASE_TYPE: _check_case_type,
    CriterionKind.CHARGE_CLASS: _check_charge_class,
    CriterionKind.EXCLUDED_CHARGE: _check_excluded_charge,
    CriterionKind.PRIOR_RECORD: _check_prior_record,
    CriterionKind.AGE: _check_age,
    CriterionKind.RESIDENCY: _check_residency,
    CriterionKind.CONSENT: _check_consent,
}


# --- helpers (public ones are tested on their own) --------------------------------------------


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in whole years on `on`. Someone born on 29 February is a year older on 1 March
    of a common year."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def statute_matches(pattern: str, statute: str) -> bool:
    """An excluded statute matches exactly, or as a prefix when it ends with '*'
    ("784.*" matches "784.021"; "784.021" matches only "784.021"). Case and surrounding
    blanks are ignored."""
    pattern, statute = pattern.strip().casefold(), statute.strip().casefold()
    if pattern.endswith("*"):
        prefix = pattern[:-1]
        return bool(prefix) and statute.startswith(prefix)
    return pattern == statute


_FELONY_DEGREES = {"felony_1": "first", "felony_2": "second", "felony_3": "third"}
_MISDEMEANOR_CLASSES = {"misdemeanor_a": "A", "misdemeanor_b": "B", "misdemeanor_c": "C"}


def class_label(code: str) -> str:
    """'felony_3' -> 'felony, third degree' (the ChargeClass label, in a sentence)."""
    try:
        label = str(ChargeClass(code).label)
    except ValueError:
        return code
    return label[:1].lower() + label[1:]


def classes_text(codes: Iterable[str]) -> str:
    """A list of charge classes in few words: ['misdemeanor_a', 'misdemeanor_b'] ->
    'misdemeanor (class A or B)'; ['felony_capital', 'felony_1'] -> 'capital felony or
    felony (first degree)'."""
    codes = list(dict.fromkeys(codes))
    parts = []
    if ChargeClass.FELONY_CAPITAL in codes:
        parts.append(class_label(ChargeClass.FELONY_CAPITAL))
    degrees = [d for c, d in _FELONY_DEGREES.items() if c in codes]
    if degrees:
        parts.append(f"felony ({_or(degrees)} degree)")
    letters = [m for c, m in _MISDEMEANOR_CLASSES.items() if c in codes]
    if letters:
        parts.append(f"misdemeanor (class {_or(letters)})")
    known = {ChargeClass.FELONY_CAPITAL, *_FELONY_DEGREES, *_MISDEMEANOR_CLASSES}
    parts += [class_label(c) for c in codes if c not in known]
    return _or(parts)


def _exclusions_text(statutes: list[str], classes: list[str]) -> str:
    parts = []
    if statutes:
        parts.append(f"{'statute' if len(statutes) == 1 else 'statutes'} {_and(statutes)}")
    if classes:
        parts.append(f"{classes_text(classes)} charges")
    return _and(parts)


def _count(c: ChargeFact) -> str:
    what = " ".join(p for p in (c.statute, c.description) if p)
    return f"count {c.count} ({what})" if what else f"count {c.count}"


def _count_is(c: ChargeFact) -> str:
    if not c.charge_class:
        return f"{_count(c)} is charged"  # matched by its statute; its class is unknown
    return f"{_count(c)} is {_article(class_label(c.charge_class))}"


def _no_class(c: ChargeFact) -> str:
    return f"{_count(c)} has no charge class on record"


def _conviction_text(c: PriorConviction) -> str:
    what = class_label(c.charge_class)
    what = f"{c.statute} ({what})" if c.statute else what
    return f"{what} in {c.case_number} on {c.date.isoformat()}"


def _diversion_text(d: PriorDiversion) -> str:
    enrolled = f", enrolled {d.enrolled_on.isoformat()}" if d.enrolled_on else ""
    return f"{d.program_name} ({d.outcome}{enrolled})"


def _limit(n: int) -> str:
    return "none" if n == 0 else f"at most {n}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _article(phrase: str) -> str:
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def _join(items: Iterable[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _and(items: Iterable[str]) -> str:
    return _join(items, "and")


def _or(items: Iterable[str]) -> str:
    return _join(items, "or")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- params validation ------------------------------------------------------------------------

_CLASS_CODES = frozenset(ChargeClass.values) - {""}
_CONSENT_CODES = frozenset(ConsentKind.values)

_KEYS = {
    CriterionKind.CASE_TYPE: ("case_types",),
    CriterionKind.CHARGE_CLASS: ("allowed", "label"),
    CriterionKind.EXCLUDED_CHARGE: ("statutes", "classes", "label"),
    CriterionKind.PRIOR_RECORD: (
        "max_convictions",
        "classes",
        "lookback_years",
        "max_prior_diversions",
    ),
    CriterionKind.AGE: ("min", "max", "as_of"),
    CriterionKind.RESIDENCY: ("states", "cities", "postal_codes"),
    CriterionKind.CONSENT: ("required",),
}


# One valid example of the params of each kind (help text in admin and forms).
PARAMS_EXAMPLES: dict[str, dict] = {
    CriterionKind.CASE_TYPE: {"case_types": ["CR", "TR"]},
    CriterionKind.CHARGE_CLASS: {
        "allowed": ["misdemeanor_a", "misdemeanor_b", "misdemeanor_c"],
        "label": "misdemeanors",
    },
    CriterionKind.EXCLUDED_CHARGE: {
        "statutes": ["784.*", "794.011"],
        "classes": ["felony_capital", "felony_1"],
        "label": "violent felonies",
    },
    CriterionKind.PRIOR_RECORD: {
        "max_convictions": 0,
        "classes": ["felony_1", "felony_2", "felony_3"],
        "lookback_years": 10,
        "max_prior_diversions": 0,
    },
    CriterionKind.AGE: {"min": 18, "max": 25, "as_of": "offense"},
    CriterionKind.RESIDENCY: {"states": ["FL"], "cities": ["Sarasota"], "postal_codes": ["342"]},
    CriterionKind.CONSENT: {"required": ["participant", "prosecutor"]},
}


def criterion_params_errors(kind: str, params) -> list[str]:
    """Why `params` do not suit a criterion of `kind` (empty when they do). With no kind
    at all there is nothing to check them against: the kind field reports that."""
    if not kind:
        return []
    if kind not in _KEYS:
        return [f"{kind} is not a kind of criterion."]
    if not isinstance(params, dict):
        return ["Parameters must be an object."]
    keys = _KEYS[kind]
    unknown = [k for k in params if k not in keys]
    if unknown:
        name = _article(kind.replace("_", "-"))
        return [f"Unknown parameter {_and(sorted(unknown))}; {name} criterion takes {_or(keys)}."]
    return _VALIDATORS[kind](params)


def _text_list(params: dict, key: str) -> list | None:
    """The list at `key` if it is a list of non-empty strings (None when it is not)."""
    value = params.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return value


def _whole(value, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def _codes_errors(params: dict, key: str, codes: frozenset, noun: str, needed: bool) -> list:
    if key not in params:
        return [f"{key} must list at least one {noun}."] if needed else []
    value = params[key]
    if not isinstance(value, list) or (needed and not value):
        return [f"{key} must list at least one {noun}."]
    errors = []
    for v in value:
        if not isinstance(v, str) or v not in codes:
            errors.append(f"{key}: {v} is not a {noun}.")
    return errors


def _label_errors(params: dict) -> list[str]:
    if "label" in params and not isinstance(params["label"], str):
        return ["label must be text."]
    return []


def _case_type_errors(params: dict) -> list[str]:
    value = params.get("case_types")
    if not isinstance(value, list) or not value:
        return ["case_types must list at least one case type code."]
    if _text_list(params, "case_types") is None:
        return ["case_types must be text codes."]
    return []


def _charge_class_errors(params: dict) -> list[str]:
    errors = _codes_errors(params, "allowed", _CLASS_CODES, "charge class", needed=True)
    return errors + _label_errors(params)


def _excluded_charge_errors(params: dict) -> list[str]:
    if not params.get("statutes") and not params.get("classes"):
        return ["An excluded-charge criterion needs statutes or classes."]
    errors = []
    if "statutes" in params:
        if _text_list(params, "statutes") is None:
            errors.append("statutes must be a list of statute codes.")
        else:
            for pattern in params["statutes"]:
                body = pattern.strip()
                if body == "*":
                    errors.append(f"statutes: {pattern} needs a statute prefix before '*'.")
                elif "*" in body[:-1]:
                    errors.append(f"statutes: {pattern}: '*' may only end a statute prefix.")
    errors += _codes_errors(params, "classes", _CLASS_CODES, "charge class", needed=False)
    return errors + _label_errors(params)


def _prior_record_errors(params: dict) -> list[str]:
    if "max_convictions" not in params and "max_prior_diversions" not in params:
        return ["A prior-record criterion needs max_convictions or max_prior_diversions."]
    errors = []
    for key in ("max_convictions", "max_prior_diversions"):
        if key in params and not _whole(params[key], 0):
            errors.append(f"{key} must be a whole number of 0 or more.")
    if "lookback_years" in params:
        if not _whole(params["lookback_years"], 1):
            errors.append("lookback_years must be a whole number of 1 or more.")
        elif "max_convictions" not in params:
            errors.append("lookback_years applies to convictions: give max_convictions too.")
    if "classes" in params:
        errors += _codes_errors(params, "classes", _CLASS_CODES, "charge class", needed=True)
        if "max_convictions" not in params:
            errors.append("classes applies to convictions: give max_convictions too.")
    return errors


def _age_errors(params: dict) -> list[str]:
    if params.get("min") is None and params.get("max") is None:
        return ["An age criterion needs min or max."]
    errors = []
    for key in ("min", "max"):
        if params.get(key) is not None and not _whole(params[key], 0, 150):
            errors.append(f"{key} must be a whole number from 0 to 150.")
    low, high = params.get("min"), params.get("max")
    if not errors and low is not None and high is not None and low > high:
        errors.append("min cannot be above max.")
    if params.get("as_of", "referral") not in ("offense", "referral"):
        errors.append("as_of must be offense or referral.")
    return errors


def _residency_errors(params: dict) -> list[str]:
    if not any(params.get(k) for k in ("states", "cities", "postal_codes")):
        return ["A residency criterion needs states, cities or postal_codes."]
    errors = []
    if "states" in params:
        states = _text_list(params, "states")
        if states is None or not all(len(s.strip()) == 2 and s.isalpha() for s in states):
            errors.append("states must be two-letter codes.")
    if "cities" in params and _text_list(params, "cities") is None:
        errors.append("cities must be city names.")
    if "postal_codes" in params and _text_list(params, "postal_codes") is None:
        errors.append("postal_codes must be text prefixes.")
    return errors


def _consent_errors(params: dict) -> list[str]:
    return _codes_errors(params, "required", _CONSENT_CODES, "kind of consent", needed=True)


_VALIDATORS: dict[str, Callable[[dict], list[str]]] = {
    CriterionKind.CASE_TYPE: _case_type_errors,
    CriterionKind.CHARGE_CLASS: _charge_class_errors,
    CriterionKind.EXCLUDED_CHARGE: _excluded_charge_errors,
    CriterionKind.PRIOR_RECORD: _prior_record_errors,
    CriterionKind.AGE: _age_errors,
    CriterionKind.RESIDENCY: _residency_errors,
    CriterionKind.CONSENT: _consent_errors,
}
