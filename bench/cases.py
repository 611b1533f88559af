"""Benchmark: find a case, read the case file, open a case, at scale.

Targets (issue): search p95 < 50 ms, case page p95 < 100 ms, intake p95 < 150 ms at
1M cases / 2M people, as a clerk of court 1 (visibility applies).

Builds `casemgmt_bench` with bench/scale.py (or, with --reuse, takes the one a --keep
run left), then times every scenario through the selectors / services directly and,
when the URLs `cases:search`, `cases:detail`, `cases:intake` exist, through the real
pages with Django's test client (force_login). Inputs vary from run to run (sampled
from the data with a fixed seed). --explain prints EXPLAIN (ANALYZE, BUFFERS) of the
slowest SQL statement of each scenario.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import uuid

from _setup import attach, configure, timed

TARGETS_MS = {"search": 50, "case": 100, "intake": 150}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the casemgmt_bench database")
    parser.add_argument(
        "--reuse", action="store_true", help="use the casemgmt_bench a --keep run left"
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN the slowest query of each missed target"
    )
    args = parser.parse_args()
    cleanup = attach(args.keep) if args.reuse else configure(args.keep)
    try:
        if not args.reuse:
            from scale import generate

            generate(cases=args.cases, seed=args.seed)
        run(args.runs, seed=args.seed, explain=args.explain)
    finally:
        cleanup()


def run(runs: int, *, seed: int = 2026, explain: bool = False) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from casemgmt.core.models import Court, User
    from cases.models import Case

    rng = random.Random(seed)
    court = Court.objects.order_by("pk").first()  # court 1
    clerk = User.objects.filter(role="clerk", memberships__court=court).order_by("pk").first()
    pages = {}
    for name in ("search", "detail", "intake"):
        try:
            reverse(f"cases:{name}", args=["x", "y"] if name == "detail" else [])
            pages[name] = True
        except NoReverseMatch:
            pages[name] = False
    client = Client()
    client.force_login(clerk)
    total = Case.objects.count()
    print(
        f"\n{total:,} cases; load average {_load()}; clerk {clerk.username!r} of court 1 "
        f"({court.code}); "
        + ", ".join(f"cases:{k} {'exists' if v else 'missing'}" for k, v in pages.items())
    )
    if not all(pages.values()):
        print("pages that do not exist are measured through their selector / service only")
    inputs = _inputs(court, rng)
    scenarios = _scenarios(court, clerk, client, pages, inputs)
    results = []
    for sc in scenarios:
        for via, fn in sc["fns"].items():
            label = f"{sc['label']} [{via}]"
            queries, slowest = _profile(fn, connection)
            result = timed(label, fn, runs)
            result.update(
                kind=sc["kind"], via=via, queries=queries, name=sc["label"], slowest=slowest
            )
            results.append(result)
    if explain:
        for r in results:
            if r["via"] != "page" and r["slowest"] and r["p95_ms"] >= TARGETS_MS[r["kind"]]:
                _explain(connection, r["name"], r["slowest"])
    _summary(results, total)
    return results


def _load() -> str:
    import os

    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


# --- inputs -----------------------------------------------------------------------------------


def _inputs(court, rng: random.Random) -> dict:
    import _names as N
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.2026)")
        cur.execute(
            "SELECT number FROM cases_case WHERE court_id = %s AND confidentiality <> 'sealed' "
            "ORDER BY random() LIMIT 200",
            [court.pk],
        )
        numbers = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT number, last_docket_seq FROM cases_case WHERE court_id = %s "
            "ORDER BY last_docket_seq DESC LIMIT 1",
            [court.pk],
        )
        big, big_entries = cur.fetchone()
        # Everything of one type and last year: "58-2025-TR-" (the sequence is last).
        cur.execute(
            """
            SELECT DISTINCT ON (t.code) c.number FROM cases_case c
            JOIN cases_casetype t ON t.id = c.case_type_id
            WHERE c.court_id = %s AND c.year = %s AND t.code IN ('CR', 'MM', 'TR', 'CA', 'DR')
            ORDER BY t.code, c.id
            """,
            [court.pk, court.local_today().year - 1],
        )
        year_prefixes = [n[: n.rfind("-") + 1] for (n,) in cur.fetchall()]
        common = [s for s, _ in N.SURNAMES[:40]]
        cur.execute(
            """
            SELECT p.first_name, p.last_name FROM cases_person p
            JOIN cases_caseparty cp ON cp.person_id = p.id
            JOIN cases_case c ON c.id = cp.case_id
            WHERE c.court_id = %s AND p.kind = 'individual' AND p.last_name = ANY(%s)
            ORDER BY random() LIMIT 200
            """,
            [court.pk, common],
        )
        names = [f"{first} {_typo(last, rng)}" for first, last in cur.fetchall()]
        cur.execute(
            """
            SELECT p.date_of_birth FROM cases_person p
            JOIN cases_caseparty cp ON cp.person_id = p.id
            JOIN cases_case c ON c.id = cp.case_id
            WHERE c.court_id = %s AND p.date_of_birth IS NOT NULL
            ORDER BY random() LIMIT 200
            """,
            [court.pk],
        )
        dobs = [r[0] for r in cur.fetchall()]
        # Attorneys drawn by appearance, so busy ones come up as often as they are searched.
        cur.execute(
            """
            SELECT ap.bar_number FROM cases_appearance a
            JOIN core_attorneyprofile ap ON ap.user_id = a.attorney_id
            JOIN cases_case c ON c.id = a.case_id
            WHERE c.court_id = %s AND a.withdrawn_on IS NULL
            ORDER BY random() LIMIT 200
            """,
            [court.pk],
        )
        bars = [r[0] for r in cur.fetchall()]
        cur.execute(
            """
            SELECT ap.bar_number, count(*) FROM cases_appearance a
            JOIN core_attorneyprofile ap ON ap.user_id = a.attorney_id
            WHERE a.withdrawn_on IS NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1
            """
        )
        busiest, busiest_cases = cur.fetchone()
    print(
        f"inputs: {len(numbers)} case numbers, {len(names)} misspelled names "
        f"(e.g. {names[0]!r}, {names[1]!r}), {len(dobs)} dates of birth, {len(bars)} bar "
        f"numbers; largest case {big} ({big_entries} entries); busiest attorney {busiest} "
        f"({busiest_cases:,} active appearances); year prefixes e.g. {year_prefixes[0]!r}"
    )
    return {
        "numbers": numbers,
        "prefixes": [n[:-2] for n in numbers],  # ~100 numbers share each
        "year_prefixes": year_prefixes,
        "names": names,
        "dobs": dobs,
        "bars": bars,
        "busiest": busiest,
        "big": big,
    }


def _typo(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters inside the word (never the first): Garcia -> Gracia."""
    spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if not spots:
        return word
    i = rng.choice(spots)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


# --- scenarios --------------------------------------------------------------------------------


def _scenarios(court, clerk, client, pages: dict, inputs: dict) -> list[dict]:
    from cases.selectors import CaseSearch, case_file_get, case_get_visible, case_search

    def cycle(values):
        it = itertools.cycle(values)
        return lambda: next(it)

    def selector(make_criteria, values):
        nxt = cycle(values)
        return lambda: list(case_search(clerk, make_criteria(nxt()))[:50])

    def search_page(make_query, values):
        nxt = cycle(values)

        def fn():
            response = client.get("/cases/search/", make_query(nxt()))
            assert response.status_code in (200, 302), response.status_code
            return response

        return fn

    searches = [
        ("exact number", lambda v: CaseSearch(q=v), lambda v: {"q": v}, inputs["numbers"]),
        ("number prefix (~100 matches)", lambda v: CaseSearch(q=v), lambda v: {"q": v},
         inputs["prefixes"]),
        ("number prefix (year + type)", lambda v: CaseSearch(q=v), lambda v: {"q": v},
         inputs["year_prefixes"]),
        ("misspelled party name", lambda v: CaseSearch(q=v), lambda v: {"q": v},
         inputs["names"]),
        ("date of birth", lambda v: CaseSearch(date_of_birth=v),
         lambda v: {"date_of_birth": v.isoformat()}, inputs["dobs"]),
        ("attorney bar number", lambda v: CaseSearch(bar_number=v),
         lambda v: {"bar_number": v}, inputs["bars"]),
        ("busiest attorney's bar number", lambda v: CaseSearch(bar_number=v),
         lambda v: {"bar_number": v}, [inputs["busiest"]]),
    ]  # fmt: skip
    scenarios = []
    for label, criteria, query, values in searches:
        fns = {"selector": selector(criteria, values)}
        if pages["search"]:
            fns["page"] = search_page(query, values)
        scenarios.append({"label": f"search: {label}", "kind": "search", "fns": fns})

    def case_selector(values):
        nxt = cycle(values)

        def fn():
            case = case_get_visible(clerk, nxt(), court_code=court.code)
            return case_file_get(clerk, case)

        return fn

    def case_page(values):
        nxt = cycle(values)

        def fn():
            response = client.get(f"/cases/{court.code}/{nxt()}/")
            assert response.status_code == 200, response.status_code
            return response

        return fn

    for label, values in (
        ("typical case", inputs["numbers"]),
        (f"largest case ({inputs['big']})", [inputs["big"]]),
    ):
        fns = {"selector": case_selector(values)}
        if pages["detail"]:
            fns["page"] = case_page(values)
        scenarios.append({"label": f"case file: {label}", "kind": "case", "fns": fns})

    fns = {"service": _intake_service(court, clerk)}
    if pages["intake"]:
        page = _intake_page(court, client)
        if page is not None:
            fns["page"] = page
    scenarios.append(
        {"label": "intake: 1 defendant + 1 victim + 2 charges", "kind": "intake", "fns": fns}
    )
    return scenarios


def _intake_people(rng: random.Random):
    import _names as N

    today = dt.date.today()
    while True:
        yield [
            {
                "role": role,
                "first_name": rng.choice(N.MALE_FIRST + N.FEMALE_FIRST),
                "last_name": rng.choice(N.SURNAMES)[0],
                "date_of_birth": today - dt.timedelta(days=rng.randint(18 * 365, 70 * 365)),
                "address_line1": f"{rng.randint(100, 9999)} Main St",
                "city": "Sarasota",
                "state": "FL",
                "postal_code": "34236",
            }
            for role in ("defendant", "victim")
        ]


CHARGES = [
    ("812.014(2)(c)", "Grand theft, third degree", "felony_3"),
    ("843.02", "Resisting an officer without violence", "misdemeanor_a"),
]


def _intake_service(court, clerk):
    from cases.models import CaseType
    from cases.services import ChargeInput, IntakeInput, PartyInput, case_open

    case_type = CaseType.objects.get(court=court, code="CR")
    people = _intake_people(random.Random(1))

    def fn():
        today = court.local_today()
        return case_open(
            data=IntakeInput(
                court=court,
                case_type=case_type,
                parties=[PartyInput(**p) for p in next(people)],
                charges=[
                    ChargeInput(code, text, cls, today - dt.timedelta(days=3))
                    for code, text, cls in CHARGES
                ],
            ),
            opened_by=clerk,
        )

    return fn


def _intake_page(court, client):
    """POST the intake form (as the page does); None when the form no longer fits."""
    from cases.models import CaseType

    case_type = CaseType.objects.get(court=court, code="CR")
    people = _intake_people(random.Random(2))

    def payload() -> dict:
        today = court.local_today()
        data = {
            "intake_key": str(uuid.uuid4()),
            "case_type": str(case_type.pk),
            "filed_on": today.isoformat(),
            "judge": "",
            "confidentiality": "",
            "parties-TOTAL_FORMS": "2",
            "parties-INITIAL_FORMS": "0",
            "parties-MIN_NUM_FORMS": "1",
            "parties-MAX_NUM_FORMS": "40",
            "attorneys-TOTAL_FORMS": "0",
            "attorneys-INITIAL_FORMS": "0",
            "attorneys-MIN_NUM_FORMS": "0",
            "attorneys-MAX_NUM_FORMS": "20",
            "charges-TOTAL_FORMS": "2",
            "charges-INITIAL_FORMS": "0",
            "charges-MIN_NUM_FORMS": "0",
            "charges-MAX_NUM_FORMS": "60",
        }
        for i, person in enumerate(next(people)):
            data[f"parties-{i}-kind"] = "individual"
            data[f"parties-{i}-preferred_language"] = "en"
            for key, value in person.items():
                data[f"parties-{i}-{key}"] = str(value)
        for i, (code, text, cls) in enumerate(CHARGES):
            data[f"charges-{i}-statute_code"] = code
            data[f"charges-{i}-statute_text"] = text
            data[f"charges-{i}-charge_class"] = cls
            data[f"charges-{i}-offense_date"] = (today - dt.timedelta(days=3)).isoformat()
        return data

    def fn():
        response = client.post("/cases/new/", payload())
        assert response.status_code == 302, response.status_code
        return response

    try:
        fn()
    except AssertionError as exc:
        print(f"intake page: the POST did not open a case (status {exc}); service timed only")
        return None
    return fn


# --- profiling and reporting -------------------------------------------------------------------


def _profile(fn, connection) -> tuple[int, dict | None]:
    """Run once: how many queries, and the slowest one."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    captured = [q for q in ctx.captured_queries if q.get("sql")]
    if not captured:
        return 0, None
    slowest = max(captured, key=lambda q: float(q["time"]))
    return len(captured), {"sql": slowest["sql"], "ms": float(slowest["time"]) * 1000}


def _explain(connection, label: str, slowest: dict) -> None:
    sql = slowest["sql"]
    if not sql.lstrip().upper().startswith("SELECT"):
        return
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(f"    {row[0]}" for row in cur.fetchall())
    print(f"\n  slowest query of {label!r} ({slowest['ms']:.1f} ms):\n    {sql}\n{plan}\n")


def _summary(results: list[dict], total: int) -> None:
    print(
        f"\nSummary at {total:,} cases (targets: p95 search < 50 ms, case page < 100 ms, "
        f"intake < 150 ms); load average now {_load()}"
    )
    print(f"{'scenario':<58}{'via':<10}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}  target")
    for r in results:
        target = TARGETS_MS[r["kind"]]
        verdict = "ok" if r["p95_ms"] < target else "MISSED"
        print(
            f"{r['name']:<58}{r['via']:<10}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}"
            f"{r['queries']:>9}  < {target} {verdict}"
        )


if __name__ == "__main__":
    main()
