"""Scale data for the case file, loaded with COPY: N cases in two courts and 2N people.

    .venv/bin/python bench/scale.py --cases 1000000 [--keep]

What it makes (deterministic for a given --seed):

* the demo courts, users and case types (`sarasota` is court 1, `denver` court 2), plus
  12 clerks and 8 judges per court and ~2,000 attorney users with bar numbers;
* N cases over ten years of court days, both courts, seven case types (criminal felony
  and misdemeanor, civil, domestic, juvenile dependency, criminal traffic, mental
  health), numbered exactly as `cases.services.case_number_take` would, with the
  `CaseNumberSequence` counters set to the last number so later intakes continue;
* 1-4 parties per case (recurring defendants, repeat institutional plaintiffs),
  1-3 charges on criminal and traffic cases, an attorney of record on ~30% of cases,
  a lifecycle (status history with its docket entries) that fits the case's age, a
  few more docket entries, ~90% public / ~8% confidential (every juvenile and mental
  health case) / ~2% sealed; one very large civil case in court 1;
* 2N people in all (individuals with census-weighted names, organisations); the ones
  no case needed are added at the end, unattached, like people met elsewhere.

How: one Python pass writes COPY text files, each table is loaded with
`COPY ... FROM STDIN` with its secondary indexes, unique and foreign keys dropped, then
those are re-created from the catalogue's own definitions (which checks every unique and
foreign key over the whole table); check constraints stay on during the load. The
append-only triggers are left alone (only INSERTs happen). Then VACUUM (ANALYZE).

As a library, with Django configured against a scratch database:

    from scale import generate
    stats = generate(cases=100_000)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from bisect import bisect
from collections.abc import Callable
from pathlib import Path

from _setup import configure

NULL = "\\N"
YEARS = 10
STAFF = {"clerks": 12, "judges": 8}
COURT_SHARE = {"sarasota": 0.55, "denver": 0.45}
ATTORNEY_SHARE = {"sarasota": 0.55, "denver": 0.45}
# Share of each court's filings by case type (codes of cases.demo.DEMO_CASE_TYPES).
TYPE_WEIGHTS = {"CR": 12, "MM": 18, "CA": 20, "DR": 11, "DP": 4.5, "TR": 32, "MH": 2.5}
# Chance that a case has an attorney of record, by case type (~30% overall).
APPEARANCE_P = {"CR": 0.6, "MM": 0.3, "CA": 0.4, "DR": 0.35, "DP": 0.4, "TR": 0.12, "MH": 0.3}
DOMESTIC_CONFIDENTIAL_P = 0.09  # with juvenile + mental health: ~8% confidential
SEALED_P = 0.022  # of the other types: ~2% sealed overall
RECIDIVIST_P = 0.15  # a criminal/traffic defendant already on file
BIG_CASE = {"defendants": 45, "interested": 14, "appearances": 20, "entries": 1200}

TABLES: dict[str, str] = {
    "cases_person": "id, kind, first_name, middle_name, last_name, suffix, organization_name, "
    "is_government_agency, date_of_birth, address_line1, address_line2, city, state, "
    "postal_code, phone, email, preferred_language, interpreter_needed, search_name, created_at",
    "cases_case": "id, court_id, case_type_id, number, year, sequence, caption, status, "
    "inactive_reason, confidentiality, is_juvenile, filed_on, status_date, disposed_on, "
    "judge_id, opened_by_id, intake_key, last_docket_seq, created_at",
    "cases_caseparty": "id, case_id, person_id, role, position, added_on, removed_on",
    "cases_appearance": "id, case_id, attorney_id, party_id, entered_on, withdrawn_on, "
    "entered_by_id",
    "cases_charge": "id, case_id, count_number, statute_code, statute_text, charge_class, "
    "offense_date, plea, plea_date, disposition, disposition_date",
    "cases_docketentry": "id, case_id, seq, entered_at, entry_date, event_code, text, "
    "recorded_by_id, object_type, object_id, confidentiality, corrects_id",
    "cases_casestatuschange": "id, case_id, from_status, to_status, inactive_reason, "
    "effective_on, reason, changed_by_id, recorded_at, docket_entry_id",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--attorneys", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the casemgmt_bench database")
    args = parser.parse_args()
    cleanup = configure(args.keep)
    try:
        generate(cases=args.cases, attorneys=args.attorneys, seed=args.seed)
    finally:
        cleanup()


def generate(
    *,
    cases: int = 1_000_000,
    people: int | None = None,
    attorneys: int = 2000,
    seed: int = 2026,
    log: Callable[[str], None] = print,
) -> dict:
    """Fill the configured (scratch) database; return row counts and timings per table.

    Expects the case tables to be empty. `people` defaults to 2 * `cases`.
    """
    people = 2 * cases if people is None else people
    started = time.perf_counter()
    rng = random.Random(seed)
    ref = _reference(attorneys=attorneys, rng=rng)
    log(
        f"reference data: 2 courts, {sum(len(c['types']) for c in ref['courts'])} case types, "
        f"{sum(len(c['attorneys']) for c in ref['courts']):,} attorneys, "
        f"{sum(len(c['clerks']) + len(c['judges']) for c in ref['courts'])} staff "
        f"({time.perf_counter() - started:.1f} s)"
    )
    stats: dict = {"tables": {}}
    with tempfile.TemporaryDirectory(prefix="casemgmt-scale-") as spool:
        t = time.perf_counter()
        gen = _Generator(ref, cases=cases, people=people, rng=rng, spool=Path(spool))
        counts = gen.run()
        stats["generate_s"] = time.perf_counter() - t
        log(
            f"generated {cases:,} cases, {counts['cases_person']:,} people "
            f"({gen.unattached:,} on no case) in {stats['generate_s']:.1f} s"
        )
        stats["tables"] = _load(Path(spool), counts, log=log)
    stats["sequences"] = _sequences(gen.last_seq)
    stats["mix"] = _mix()
    stats["total_s"] = time.perf_counter() - started
    log(
        "confidentiality: "
        + ", ".join(f"{k} {v:.1%}" for k, v in stats["mix"]["confidentiality"].items())
        + "; status: "
        + ", ".join(f"{k} {v:.1%}" for k, v in stats["mix"]["status"].items())
    )
    log(f"case-number counters: {stats['sequences']} (court, type, year) rows")
    log(f"total {stats['total_s']:.1f} s")
    return stats


# --- reference data (ORM: small) ---------------------------------------------------------


def _reference(*, attorneys: int, rng: random.Random) -> dict:
    import _names as N
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max

    from casemgmt.core.demo import seed_courts_and_users
    from casemgmt.core.models import AttorneyProfile, Court, CourtMembership, User
    from casemgmt.core.roles import Role
    from cases.demo import seed_case_types
    from cases.models import Case, CaseType, EventCode, Person

    def quiet(line: str) -> None:
        return None

    assert not Case.objects.exists() and not Person.objects.exists(), "case tables not empty"
    seed_courts_and_users(log=quiet)
    seed_case_types(log=quiet)
    courts = list(Court.objects.filter(code__in=list(COURT_SHARE)).order_by("pk"))
    unusable = make_password(None)
    result = {"courts": []}
    for court in courts:
        code = court.code

        def staff(role: str, prefix: str, count: int, court=court) -> list[int]:
            users = [
                User(
                    username=f"{prefix}.{court.code}.{i:02d}",
                    first_name=rng.choice(N.FEMALE_FIRST + N.MALE_FIRST),
                    last_name=rng.choice(N.SURNAMES)[0],
                    email=f"{prefix}{i:02d}@{court.code}.court.example",
                    role=role,
                    password=unusable,
                )
                for i in range(1, count + 1)
            ]
            User.objects.bulk_create(users)
            CourtMembership.objects.bulk_create(
                CourtMembership(user=u, court=court, is_default=True) for u in users
            )
            demo = User.objects.filter(role=role, memberships__court=court).exclude(
                pk__in=[u.pk for u in users]
            )
            return [*demo.values_list("pk", flat=True), *(u.pk for u in users)]

        clerks = staff(Role.CLERK, "clerk", STAFF["clerks"])
        judges = staff(Role.JUDGE, "judge", STAFF["judges"])
        # Attorneys: public defenders and collection firms carry many cases (Zipf-like).
        count = round(attorneys * ATTORNEY_SHARE[code])
        state = N.BAR_STATES[code]
        taken = set(AttorneyProfile.objects.filter(bar_state=state).values_list("bar_number"))
        space = range(100_000, 1_300_000) if state == "FL" else range(10_000, 60_000)
        numbers = [f"{n:07d}" if state == "FL" else str(n) for n in rng.sample(space, count + 10)]
        numbers = [n for n in numbers if (n,) not in taken][:count]
        users, profiles = [], []
        for i, bar in enumerate(numbers):
            first = rng.choice(N.MALE_FIRST if rng.random() < 0.5 else N.FEMALE_FIRST)
            last = rng.choice(N.SURNAMES)[0]
            user = User(
                username=f"atty.{code}.{i:04d}",
                first_name=first,
                last_name=last,
                email=f"atty{i:04d}@{code}.bar.example",
                role=Role.ATTORNEY,
                password=unusable,
            )
            firm = rng.choice(N.LAW_FIRMS).format(
                first=first,
                last=last,
                last2=rng.choice(N.SURNAMES)[0],
                last3=rng.choice(N.SURNAMES)[0],
            )
            users.append(user)
            profiles.append((user, bar, firm))
        User.objects.bulk_create(users)
        CourtMembership.objects.bulk_create(
            CourtMembership(user=u, court=court, is_default=True) for u in users
        )
        AttorneyProfile.objects.bulk_create(
            AttorneyProfile(user=u, bar_number=bar, bar_state=state, firm=firm)
            for u, bar, firm in profiles
        )
        types = [
            {
                "id": t.pk,
                "code": t.code,
                "name": t.name,
                "category": t.category,
                "confidentiality": t.default_confidentiality,
                "event": t.initial_event_code,
                "format": t.number_format or court.case_number_format,
                "juvenile": t.is_juvenile,
            }
            for t in CaseType.objects.filter(court=court, code__in=list(TYPE_WEIGHTS))
        ]
        event_codes = set(EventCode.objects.filter(court=court).values_list("code", flat=True))
        result["courts"].append(
            {
                "id": court.pk,
                "code": code,
                "county": court.county_code,
                "office": court.office_code,
                "tz": court.time_zone,
                "today": court.local_today(),
                "clerks": clerks,
                "judges": judges,
                "attorneys": [(u.pk, u.get_full_name(), bar) for u, bar, _ in profiles],
                "types": types,
                "event_codes": event_codes,
            }
        )
    result["next_ids"] = {
        table: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        for table, model in _models().items()
    }
    return result


def _models() -> dict:
    from cases import models as m

    return {
        "cases_person": m.Person,
        "cases_case": m.Case,
        "cases_caseparty": m.CaseParty,
        "cases_appearance": m.Appearance,
        "cases_charge": m.Charge,
        "cases_docketentry": m.DocketEntry,
        "cases_casestatuschange": m.CaseStatusChange,
    }


# --- the generator ------------------------------------------------------------------------


class _P:
    """Just what cases.services.caption_build reads of a Person."""

    __slots__ = ("caption_name", "display_name", "first_name", "id", "kind", "last_name")

    def __init__(self, pk, kind, first, last, display):
        self.id, self.kind, self.first_name, self.last_name = pk, kind, first, last
        self.display_name = display
        self.caption_name = display if kind == "organization" else last


def _table(rng: random.Random, items: list, weights: list[float], size: int = 1 << 15) -> list:
    """A lookup table: items repeated by weight, so `table[int(random() * len)]` picks one."""
    total = sum(weights)
    table: list = []
    for item, w in zip(items, weights, strict=True):
        table.extend([item] * max(1, round(w / total * size)))
    rng.shuffle(table)
    return table


def _zipf(n: int, s: float = 1.0, offset: float = 1.0) -> list[float]:
    return [1.0 / (i + offset) ** s for i in range(n)]


class _Generator:
    def __init__(self, ref: dict, *, cases: int, people: int, rng: random.Random, spool: Path):
        import _names as N

        from cases.models import CaseStatus, InactiveReason
        from cases.services import TRANSITIONS

        self.N, self.ref, self.cases, self.people, self.rng = N, ref, cases, people, rng
        self.r = rng.random
        self.files = {
            t: (spool / f"{t}.copy").open("w", encoding="utf-8", buffering=1 << 20) for t in TABLES
        }
        self.counts = dict.fromkeys(TABLES, 0)
        self.next = dict(ref["next_ids"])
        self.transitions = TRANSITIONS
        self.status_label = {s.value: s.label.lower() for s in CaseStatus}
        self.inactive_label = {s.value: s.label.lower() for s in InactiveReason}
        self.last_seq: dict[tuple[int, int, int], int] = {}
        self.unattached = 0
        self.created_people = 0
        today = min(c["today"] for c in ref["courts"])
        self.o0 = dt.date(today.year - 100, 1, 1).toordinal()
        self.today = today.toordinal()
        self.ds = [
            dt.date.fromordinal(o).isoformat() for o in range(self.o0, self.today + 400)
        ]  # date strings by ordinal - o0
        self.year = [dt.date.fromordinal(o).year for o in range(self.o0, self.today + 400)]
        # Names.
        last = [s for s, _ in N.SURNAMES]
        tail = sorted(
            {o + k + e for o in N.TAIL_ONSETS for k in N.TAIL_LINKS for e in N.TAIL_ENDINGS}
        )
        rng.shuffle(tail)
        self.tail_hisp = {t for t in tail if t.endswith(("ez", "ado", "ero", "ino", "eda", "osa"))}
        # ~30% of people carry one of the census top names, the rest the long tail.
        census = _table(rng, last, [w for _, w in N.SURNAMES], 1 << 16)
        tails = _table(rng, tail, _zipf(len(tail), 0.6, 20), 1 << 16)
        self.surname = lambda: (
            census[int(self.r() * len(census))]
            if self.r() < 0.30
            else tails[int(self.r() * len(tails))]
        )
        self.hispanic = N.HISPANIC_SURNAMES | self.tail_hisp
        self.male = _table(rng, N.MALE_FIRST, _zipf(len(N.MALE_FIRST), 0.9, 6))
        self.female = _table(rng, N.FEMALE_FIRST, _zipf(len(N.FEMALE_FIRST), 0.9, 6))
        self.hmale = _table(rng, N.HISPANIC_MALE_FIRST, _zipf(len(N.HISPANIC_MALE_FIRST), 0.8, 3))
        self.hfemale = _table(
            rng, N.HISPANIC_FEMALE_FIRST, _zipf(len(N.HISPANIC_FEMALE_FIRST), 0.8, 3)
        )
        self.suffix = _table(rng, [s for s, _ in N.SUFFIXES], [w for _, w in N.SUFFIXES], 64)
        self.email_slug: dict[str, str] = {}
        # Dates of filing: court days over YEARS years, growing 3% a year.
        first = dt.date(today.year - YEARS, today.month, 1).toordinal()
        self.days = [
            o for o in range(first, self.today + 1) if dt.date.fromordinal(o).weekday() < 5
        ]
        cum, total = [], 0.0
        for o in self.days:
            total += 1.03 ** ((o - first) / 365)
            cum.append(total)
        self.day_cum, self.day_total = cum, total
        self.courts = [self._court(c) for c in ref["courts"]]
        self.court_table = _table(
            rng, self.courts, [COURT_SHARE[c["code"]] for c in self.courts], 1000
        )
        self.big_done = False

    # --- per court set-up --------------------------------------------------------------

    def _court(self, c: dict) -> dict:
        N, rng = self.N, self.rng
        code = c["code"]
        c = dict(c)
        c["types_by_code"] = {t["code"]: t for t in c["types"]}
        c["type_table"] = _table(
            rng, [c["types_by_code"][k] for k in TYPE_WEIGHTS], list(TYPE_WEIGHTS.values()), 1000
        )
        cities = N.CITIES[code]
        c["city_table"] = _table(rng, cities, [w for _, w, _ in cities], 1000)
        c["streets"] = [s.strip() for s in N.STREETS[code].split("|")]
        c["areas"] = N.AREA_CODES[code]
        c["state"] = N.BAR_STATES[code]
        c["tzname"] = N.TIME_ZONES[code]
        c["attorney_table"] = _table(
            rng, c["attorneys"], _zipf(len(c["attorneys"]), 1.0, 2), 1 << 15
        )
        c["defendants"] = []  # adults who were defendants: recidivists are drawn from here
        # Organisations of this court, made up front.
        created = self._ts(self.days[0], 9 * 60)
        orgs = []

        def org(name: str, agency: bool = False) -> _P:
            p = self._org_row(name, agency, c, created)
            orgs.append(p)
            return p

        creditors = [org(n) for n in N.CREDITORS] + [org(n) for n in N.LOCAL_ORGS[code]]
        c["agency_child"] = org(N.AGENCIES[code]["child"], True)
        c["agency_support"] = org(N.AGENCIES[code]["support"], True)
        places = [p.strip() for p in N.ORG_PLACES[code].split("|")]
        trades = [t.strip() for t in N.ORG_TRADES.split("|")]
        names = sorted({f"{p} {t} {f}" for p in places for t in trades for f in N.ORG_FORMS})
        rng.shuffle(names)
        share = COURT_SHARE[code]
        businesses = [
            org(n) for n in names[: max(50, min(len(names), int(self.cases * share) // 250))]
        ]
        c["plaintiff_org"] = _table(
            rng,
            creditors + businesses,
            _zipf(len(creditors), 1.1, 1) + [0.02] * len(businesses),
            1 << 14,
        )
        c["business"] = businesses
        c["hospital"] = next(
            p for p in creditors if "Hospital" in p.display_name or "Health" in p.display_name
        )
        return c

    # --- rows ----------------------------------------------------------------------------

    def _ts(self, o: int, minute: int, tz: str = "UTC") -> str:
        return f"{self.ds[o - self.o0]} {minute // 60:02d}:{minute % 60:02d}:00 {tz}"

    def _write(self, table: str, line: str) -> None:
        self.files[table].write(line)
        self.counts[table] += 1

    def _take(self, table: str) -> int:
        pk = self.next[table]
        self.next[table] = pk + 1
        return pk

    def _org_row(self, name: str, agency: bool, c: dict, created: str) -> _P:
        r = self.r
        pk = self._take("cases_person")
        city, _, zips = c["city_table"][int(r() * len(c["city_table"]))]
        street = c["streets"][int(r() * len(c["streets"]))]
        phone = f"({c['areas'][0]}) 555-{100 + int(r() * 100):04d}"
        self._write(
            "cases_person",
            f"{pk}\torganization\t\t\t\t\t{name}\t{'t' if agency else 'f'}\t{NULL}\t"
            f"{100 + int(r() * 9000)} {street}\tSuite {100 + int(r() * 400)}\t{city}\t"
            f"{c['state']}\t{zips[int(r() * len(zips))]}\t{phone}\t\ten\tf\t"
            f"{' '.join(name.lower().split())}\t{created}\n",
        )
        self.created_people += 1
        return _P(pk, "organization", "", "", name)

    def _individual(self, c: dict, at: int, age_lo: int, age_hi: int, created: str,
                    male_p: float = 0.5) -> _P:  # fmt: skip
        r = self.r
        pk = self._take("cases_person")
        self.created_people += 1
        last = self.surname()
        hisp = last in self.hispanic
        male = r() < male_p
        if hisp and r() < 0.7:
            names = self.hmale if male else self.hfemale
        else:
            names = self.male if male else self.female
        first = names[int(r() * len(names))]
        x = r()
        if x < 0.30:
            middle = names[int(r() * len(names))]
            if middle == first:
                middle = ""
        elif x < 0.45:
            middle = self.N.MIDDLE_INITIALS[int(r() * len(self.N.MIDDLE_INITIALS))]
        else:
            middle = ""
        suffix = self.suffix[int(r() * len(self.suffix))] if male and r() < 0.03 else ""
        display = " ".join(p for p in (first, middle, last, suffix) if p)
        dob = NULL
        if r() < 0.97:  # some victims and witnesses come without a date of birth
            dob = self.ds[at - int(age_lo * 365.25 + r() * (age_hi - age_lo) * 365.25) - self.o0]
        if r() < 0.94:
            city, _, zips = c["city_table"][int(r() * len(c["city_table"]))]
            line1 = f"{100 + int(r() * 19900)} {c['streets'][int(r() * len(c['streets']))]}"
            line2 = f"Apt {1 + int(r() * 400)}" if r() < 0.18 else ""
            state, postal = c["state"], zips[int(r() * len(zips))]
        else:
            city = line1 = line2 = state = postal = ""
        phone = (
            f"({c['areas'][int(r() * len(c['areas']))]}) 555-{100 + int(r() * 100):04d}"
            if r() < 0.75
            else ""
        )
        email = ""
        if r() < 0.2:
            slug = self.email_slug.get(last)
            if slug is None:
                slug = "".join(ch for ch in last.lower() if ch.isascii() and ch.isalpha())
                self.email_slug[last] = slug
            email = f"{first.lower()}.{slug}{int(r() * 100)}@example.com"
        lang, interp = "en", "f"
        if hisp and r() < 0.25:
            lang = "es"
            interp = "t" if r() < 0.5 else "f"
        self._write(
            "cases_person",
            f"{pk}\tindividual\t{first}\t{middle}\t{last}\t{suffix}\t\tf\t{dob}\t{line1}\t"
            f"{line2}\t{city}\t{state}\t{postal}\t{phone}\t{email}\t{lang}\t{interp}\t"
            f"{' '.join(display.lower().split())}\t{created}\n",
        )
        return _P(pk, "individual", first, last, display)

    # --- one case ------------------------------------------------------------------------

    def run(self) -> dict:
        r, n = self.r, self.cases
        for i in range(n):
            o = self.days[bisect(self.day_cum, (i + r()) / n * self.day_total)]
            c = self.court_table[int(r() * len(self.court_table))]
            t = c["type_table"][int(r() * len(c["type_table"]))]
            big = False
            if not self.big_done and c is self.courts[0] and o >= self.today - 3 * 365:
                t, big, self.big_done = c["types_by_code"]["CA"], True, True
            self._case(c, t, min(o, c["today"].toordinal()), big)
        # People no case needed: met at the counter, in other courts' files, ...
        while self.created_people < self.people:
            c = self.court_table[int(r() * len(self.court_table))]
            o = self.days[int(r() * len(self.days))]
            self._individual(c, o, 18, 80, self._ts(o, 600, c["tzname"]))
            self.unattached += 1
        for f in self.files.values():
            f.close()
        return dict(self.counts)

    def _parties(self, c: dict, t: dict, o: int, created: str, big: bool) -> list:
        r = self.r
        cat = t["category"]
        parties: list[tuple[str, _P]] = []

        def adult(lo=18, hi=75, male_p=0.5):
            return self._individual(c, o, lo, hi, created, male_p)

        def child():
            return self._individual(c, o, 0, 17, created)

        if cat in ("criminal", "traffic"):
            pool = c["defendants"]
            if pool and r() < RECIDIVIST_P:
                d = pool[int(r() * len(pool))]
            else:
                d = adult(18, 62, 0.74 if cat == "criminal" else 0.62)
                pool.append(d)
            parties.append(("defendant", d))
            if cat == "criminal":
                if r() < 0.65:
                    parties.append(("victim", adult(8, 85)))
                    if r() < 0.15:
                        parties.append(("victim", adult(8, 85)))
                if r() < 0.25:
                    parties.append(("witness", adult(18, 80)))
            elif r() < 0.1:
                parties.append(("victim", adult(16, 85)))
        elif cat == "civil":
            if big:
                name = "Gulf Coast Towers Condominium Association, Inc."
                parties.append(("plaintiff", self._org_row(name, False, c, created)))
                for _ in range(BIG_CASE["defendants"]):
                    parties.append(("defendant", adult(25, 85)))
                for k in range(BIG_CASE["interested"]):
                    p = c["plaintiff_org"][k * 97 % len(c["plaintiff_org"])]
                    parties.append(("interested_party", p if k % 2 else adult(25, 85)))
                # de-duplicate (same org twice would break the (case, person, role) key)
                seen, unique = set(), []
                for role, p in parties:
                    if (p.id, role) not in seen:
                        seen.add((p.id, role))
                        unique.append((role, p))
                return unique
            if r() < 0.5:
                plaintiff = c["plaintiff_org"][int(r() * len(c["plaintiff_org"]))]
            else:
                plaintiff = adult(21, 85)
            parties.append(("plaintiff", plaintiff))
            if plaintiff.kind == "individual" and r() < 0.3:
                parties.append(("plaintiff", adult(21, 85)))
            if r() < 0.08:
                parties.append(("defendant", c["business"][int(r() * len(c["business"]))]))
            else:
                parties.append(("defendant", adult(19, 85)))
            if r() < 0.3:
                parties.append(("defendant", adult(19, 85)))
        elif cat == "domestic":
            if r() < 0.08:
                parties.append(("petitioner", c["agency_support"]))
            else:
                parties.append(("petitioner", adult(19, 65)))
            parties.append(("respondent", adult(19, 65)))
            if r() < 0.5:
                parties.append(("child", child()))
                if r() < 0.5:
                    parties.append(("child", child()))
        elif cat == "juvenile":
            if r() < 0.7:
                parties.append(("petitioner", c["agency_child"]))
            parties.append(("child", child()))
            parties.append(("guardian", adult(17, 55)))
            if len(parties) < 4 and r() < 0.5:
                parties.append(("guardian", adult(17, 60)))
            if len(parties) < 4 and r() < 0.3:
                parties.append(("child", child()))
        else:  # mental health: a relative or the hospital petitions about the respondent
            x = r()
            if x < 0.65:
                parties.append(("petitioner", adult(25, 80)))
            elif x < 0.9:
                parties.append(("petitioner", c["hospital"]))
            parties.append(("respondent", adult(18, 90)))
        return parties

    def _lifecycle(self, cat: str, f: int, today: int) -> list[tuple[str, int, str, str]]:
        """Steps after `filed`: (to_status, date ordinal, inactive_reason, reason)."""
        r = self.r
        age = today - f
        steps: list[tuple[str, int, str, str]] = []
        if age < 3:
            return steps
        cur = f
        if r() < 0.93:
            cur = f + 1 + int(r() * min(age - 1, 40))
            steps.append(("active", cur, "", ""))
        reasons = (
            ("warrant", "warrant", "diversion", "diversion", "competency", "other")
            if cat in ("criminal", "traffic")
            else ("stayed", "stayed", "other")
        )
        if r() < min(0.93, age / 420):
            end = cur + int(r() * min(today - cur, 420))
            if steps and end - cur > 20 and r() < 0.1:
                stop = cur + (end - cur) // 3
                why = reasons[int(r() * len(reasons))]
                steps.append(("inactive", stop, why, ""))
                if r() < 0.5:
                    steps.append(("active", stop + (end - stop) // 2, "", ""))
            steps.append(("disposed", end, "", "Judgment entered."))
            cur = end
            if r() < min(0.95, (today - end) / 150):
                cur = end + int(r() * min(today - end, 120))
                steps.append(("closed", cur, "", ""))
            if today - cur > 30 and r() < 0.015:
                cur = cur + 1 + int(r() * (today - cur - 1))
                steps.append(("reopened", cur, "", "Motion to reopen granted."))
                if r() < 0.6:
                    steps.append(("active", cur + int(r() * (today - cur)), "", ""))
        elif today - cur > 5 and r() < 0.12:
            why = reasons[int(r() * len(reasons))]
            steps.append(("inactive", cur + 1 + int(r() * (today - cur - 1)), why, ""))
        return steps

    def _case(self, c: dict, t: dict, f: int, big: bool) -> None:
        r, ds, o0 = self.r, self.ds, self.o0
        today = c["today"].toordinal()
        tz = c["tzname"]
        cat = t["category"]
        case_id = self._take("cases_case")
        clerk = c["clerks"][int(r() * len(c["clerks"]))]
        minute = 8 * 60 + int(r() * 540)
        created = self._ts(f, minute, tz)

        # Number, exactly as case_number_take formats it.
        year = self.year[f - o0]
        key = (c["id"], t["id"], year)
        number_seq = self.last_seq.get(key, 0) + 1
        self.last_seq[key] = number_seq
        number = t["format"].format(
            year=year, yy=f"{year % 100:02d}", type=t["code"], seq=number_seq,
            county=c["county"], office=c["office"],
        )  # fmt: skip

        from cases.services import caption_build

        parties = self._parties(c, t, f, created, big)
        caption = caption_build(category=cat, parties=parties)[:300]
        party_ids = []
        positions: dict[str, int] = {}
        for role, p in parties:
            pid = self._take("cases_caseparty")
            positions[role] = positions.get(role, 0) + 1
            party_ids.append(pid)
            self._write(
                "cases_caseparty",
                f"{pid}\t{case_id}\t{p.id}\t{role}\t{positions[role]}\t{ds[f - o0]}\t{NULL}\n",
            )

        confidentiality = t["confidentiality"]
        if cat == "domestic" and r() < DOMESTIC_CONFIDENTIAL_P:
            confidentiality = "confidential"
        steps = [] if big else self._lifecycle(cat, f, today)
        if big:
            steps = [("active", f + 20, "", "")]
        # entries: (date, code, text, object_type, object_id, confidentiality, change)
        entries: list[tuple] = [
            (f, t["event"], f"{t['name']} case opened: {caption}.", "cases.case", case_id,
             "public", ("", "filed", "", "")),
        ]  # fmt: skip
        status, prev = "filed", "filed"
        inactive_reason = ""
        disposed = activated = disposed_on = None
        for to, when, why, reason in steps:
            code = self.transitions[(prev, to)]
            text = f"Case {self.status_label[to]}" + (
                f" ({self.inactive_label[why]})" if to == "inactive" else ""
            )
            text += f": {reason}" if reason else "."
            entries.append(
                (when, code, text, "cases.case", case_id, "public", (prev, to, why, reason))
            )
            if to == "disposed":
                disposed = disposed_on = when
            elif to == "reopened":  # pending again, as case_transition leaves it
                disposed_on = None
            if to == "active" and activated is None:
                activated = when
            prev = status = to
            inactive_reason = why if to == "inactive" else ""
        status_date = steps[-1][1] if steps else f
        last = max(status_date, f)

        # Charges (criminal and traffic), pleas and dispositions.
        if cat in ("criminal", "traffic"):
            statutes = self.N.STATUTES[c["code"]]
            k = 1 if r() < 0.55 else (2 if r() < 0.67 else 3)
            for count in range(1, k + 1):
                if cat == "traffic":
                    pool = statutes["traffic"]
                elif t["code"] == "CR" and (count == 1 or r() < 0.4):
                    pool = statutes["felony"]
                else:
                    pool = statutes["misdemeanor"]
                statute, text, cls = pool[int(r() * len(pool))]
                charge_id = self._take("cases_charge")
                offense = ds[f - int(r() * 45) - o0]
                plea = disposition = ""
                plea_date = disposition_date = NULL
                if disposed is not None:
                    x = r()
                    disposition = (
                        "convicted" if x < 0.45 else "dismissed" if x < 0.62
                        else "nolle_prosequi" if x < 0.80 else "adjudication_withheld" if x < 0.92
                        else "diverted" if x < 0.98 else "acquitted"
                    )  # fmt: skip
                    disposition_date = ds[disposed - o0]
                    if disposition in ("convicted", "adjudication_withheld"):
                        plea = "guilty" if r() < 0.6 else "nolo_contendere"
                        plea_date, plea_on = disposition_date, disposed
                    elif activated is not None:
                        plea, plea_date, plea_on = "not_guilty", ds[activated - o0], activated
                    entries.append((disposed, "CDSP",
                                    f"Count {count} disposed: {_DISPO[disposition]}.",
                                    "cases.charge", charge_id, "public", None))  # fmt: skip
                elif activated is not None and r() < 0.7:
                    plea, plea_date, plea_on = "not_guilty", ds[activated - o0], activated
                if plea:
                    entries.append((plea_on, "PLEA", f"Count {count}: plea of {_PLEA[plea]}.",
                                    "cases.charge", charge_id, "public", None))  # fmt: skip
                self._write(
                    "cases_charge",
                    f"{charge_id}\t{case_id}\t{count}\t{statute}\t{text}\t{cls}\t{offense}\t"
                    f"{plea}\t{plea_date}\t{disposition}\t{disposition_date}\n",
                )
        elif disposed is not None and cat == "civil":
            entries.append((disposed, "JDGM", "Final judgment entered.", "", "", "public", None))

        # Attorneys of record.
        n_app = BIG_CASE["appearances"] if big else (1 if r() < APPEARANCE_P[t["code"]] else 0)
        if n_app and not big and r() < 0.2:
            n_app = 2
        used: set[tuple[int, int]] = set()
        table = c["attorney_table"]
        for a in range(n_app):
            idx = (a % len(parties)) if big else (0 if a == 0 else len(parties) - 1)
            if cat == "juvenile" and a == 0:
                idx = len(parties) - 1
            attorney_id, attorney_name, bar = table[int(r() * len(table))]
            if (attorney_id, idx) in used:
                continue
            used.add((attorney_id, idx))
            app_id = self._take("cases_appearance")
            at_intake = r() < 0.5
            entered = f if at_intake else min(today, f + 1 + int(r() * 60))
            withdrawn = NULL
            if r() < 0.06 and today > entered:
                w = entered + 1 + int(r() * (today - entered))
                withdrawn = ds[w - o0]
                entries.append((w, "WDRW", f"Attorney {attorney_name} withdrawn.",
                                "cases.appearance", app_id, "public", None))  # fmt: skip
            if not at_intake:
                entries.append((entered, "APPR",
                                f"Notice of appearance: {attorney_name} (Bar {bar}) for "
                                f"{parties[idx][1].display_name}.",
                                "cases.appearance", app_id, "public", None))  # fmt: skip
            self._write(
                "cases_appearance",
                f"{app_id}\t{case_id}\t{attorney_id}\t{party_ids[idx]}\t{ds[entered - o0]}\t"
                f"{withdrawn}\t{clerk}\n",
            )

        # More of the register: service, hearings, motions, orders, notices.
        fillers = self.N.FILLER[cat]
        if big:
            n_fill = BIG_CASE["entries"]
        elif status == "filed":
            n_fill = int(r() * 2)
        elif disposed is None:
            n_fill = 1 + int(r() * 3)
        else:
            n_fill = 2 + int(r() * 4)
        second = next((p for role, p in parties[1:] if role in ("defendant", "respondent")), None)
        other = parties[0][1] if cat in ("criminal", "traffic") else second or parties[-1][1]
        span = max(0, (disposed or min(today, last + 60)) - f)
        for _ in range(n_fill):
            if r() < 0.002:
                code, text, conf = self.N.SEALED_FILLER
            else:
                code, text, conf = fillers[int(r() * len(fillers))]
            if "{d}" in text:
                text = text.replace("{d}", other.display_name)
            entries.append((f + int(r() * (span + 1)), code, text, "", "", conf, None))
        sealed = (
            not t["juvenile"] and cat != "mental_health" and not big
            and today - f > 30 and r() < SEALED_P
        )  # fmt: skip
        if sealed:
            confidentiality = "sealed"
            when = min(today, last + 1 + int(r() * 90))
            entries.append((when, "SEAL", "Case made sealed: Order sealing record.",
                            "cases.case", case_id, "public", None))  # fmt: skip

        # Number the register in date order; status history points at its entries.
        entries.sort(key=lambda e: e[0])
        seq = 0
        day = minute_at = -1
        for when, code, text, otype, oid, conf, change in entries:
            seq += 1
            entry_id = self._take("cases_docketentry")
            if when == day:
                minute_at = min(minute_at + 1 + int(r() * 15), 23 * 60 + 59)
            else:
                day, minute_at = when, (minute if when == f else 8 * 60 + int(r() * 540))
            stamp = self._ts(when, minute_at, tz)
            self._write(
                "cases_docketentry",
                f"{entry_id}\t{case_id}\t{seq}\t{stamp}\t{ds[when - o0]}\t{code}\t{text}\t"
                f"{clerk}\t{otype}\t{oid}\t{conf}\t{NULL}\n",
            )
            if change is not None:
                frm, to, why, reason = change
                self._write(
                    "cases_casestatuschange",
                    f"{self._take('cases_casestatuschange')}\t{case_id}\t{frm}\t{to}\t{why}\t"
                    f"{ds[when - o0]}\t{reason}\t{clerk}\t{stamp}\t{entry_id}\n",
                )
        judge = c["judges"][int(r() * len(c["judges"]))] if r() < 0.9 else NULL
        self._write(
            "cases_case",
            f"{case_id}\t{c['id']}\t{t['id']}\t{number}\t{year}\t{number_seq}\t"
            f"{caption}\t{status}\t{inactive_reason}\t{confidentiality}\t"
            f"{'t' if t['juvenile'] else 'f'}\t{ds[f - o0]}\t{ds[status_date - o0]}\t"
            f"{ds[disposed_on - o0] if disposed_on is not None else NULL}\t{judge}\t{clerk}\t"
            f"{NULL}\t{seq}\t{created}\n",
        )


_DISPO = {
    "convicted": "convicted",
    "dismissed": "dismissed",
    "nolle_prosequi": "nolle prosequi",
    "adjudication_withheld": "adjudication withheld",
    "diverted": "dismissed after diversion",
    "acquitted": "acquitted",
}
_PLEA = {"guilty": "guilty", "nolo_contendere": "nolo contendere", "not_guilty": "not guilty"}


# --- loading ------------------------------------------------------------------------------


def _load(spool: Path, counts: dict, *, log: Callable[[str], None]) -> dict:
    """COPY each spool file into its table, then rebuild keys and indexes, then VACUUM ANALYZE."""
    from django.db import connection

    connection.ensure_connection()
    pg = connection.connection
    result = {t: {"rows": counts[t]} for t in TABLES}
    with pg.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        dropped = _drop_keys_and_indexes(cur, list(TABLES))
        for table, columns in TABLES.items():
            path = spool / f"{table}.copy"
            t = time.perf_counter()
            with path.open("rb") as f, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            result[table]["copy_s"] = time.perf_counter() - t
            result[table]["mb"] = path.stat().st_size / 1e6
        for table in TABLES:
            t = time.perf_counter()
            for sql in dropped[table]["indexes"]:
                cur.execute(sql)
            result[table]["index_s"] = time.perf_counter() - t
        for table in TABLES:
            t = time.perf_counter()
            for sql in dropped[table]["foreign"]:
                cur.execute(sql)
            result[table]["fk_s"] = time.perf_counter() - t
        for table in TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
            t = time.perf_counter()
            cur.execute(f"VACUUM (ANALYZE) {table}")
            result[table]["analyze_s"] = time.perf_counter() - t
            cur.execute("SELECT pg_total_relation_size(%s)", [table])
            result[table]["size_mb"] = cur.fetchone()[0] / 1e6
    log(
        f"{'table':<24}{'rows':>12}{'COPY s':>9}{'indexes s':>11}{'keys s':>9}"
        f"{'vacuum s':>10}{'size MB':>10}"
    )
    for table, r in result.items():
        log(
            f"{table:<24}{r['rows']:>12,}{r['copy_s']:>9.1f}{r['index_s']:>11.1f}"
            f"{r['fk_s']:>9.1f}{r['analyze_s']:>10.1f}{r['size_mb']:>10.0f}"
        )
    return result


def _drop_keys_and_indexes(cur, tables: list[str]) -> dict:
    """Drop unique and foreign keys and secondary indexes; return the DDL to re-create them.

    Primary keys and check constraints stay (ids arrive in order; checks are cheap).
    """
    out = {t: {"indexes": [], "foreign": []} for t in tables}
    cur.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f', 'x')
        ORDER BY c.contype DESC, c.conname
        """,
        [tables],
    )
    constraints = cur.fetchall()
    cur.execute(
        """
        SELECT i.indrelid::regclass::text, x.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY x.relname
        """,
        [tables],
    )
    indexes = cur.fetchall()
    # Foreign keys first (of every table), they may lean on the unique indexes.
    for table, name, kind, definition in sorted(constraints, key=lambda c: c[2] != "f"):
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        sql = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        out[table]["foreign" if kind == "f" else "indexes"].append(sql)
    for table, name, definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
        out[table]["indexes"].append(definition)
    return out


def _sequences(last_seq: dict) -> int:
    """Set the case-number counters to the last number issued, so intake continues."""
    from cases.models import CaseNumberSequence

    CaseNumberSequence.objects.bulk_create(
        [
            CaseNumberSequence(court_id=court, case_type_id=ctype, year=year, last_value=value)
            for (court, ctype, year), value in sorted(last_seq.items())
        ]
    )
    return len(last_seq)


def _mix() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        total = cur.fetchone()[0] or 1
        mix = {}
        for column in ("confidentiality", "status"):
            cur.execute(f"SELECT {column}, count(*) FROM cases_case GROUP BY 1 ORDER BY 2 DESC")
            mix[column] = {k: v / total for k, v in cur.fetchall()}
    return mix


if __name__ == "__main__":
    main()
