"""The dashboard's diversion programs (issue 9: "program non-compliance flags and completion
rates"): the figures of programs.measures on the page against participants built by hand on
the caseload of conftest.py, each count linked to a list of as many, court B's program never
shown to court A's supervisor, the participant's name only to one who may see the program
record, the tables and lists as CSV.

Court A, first quarter of 2026 (programs.measures for the rules):
- Adult Drug Court: C active (a positive test raised 2026-02-10, open); S (sealed) completed
  after 181 days (a missed session raised 2026-01-15, resolved); B terminated after 89 days
  (a missed test raised 2026-02-01, open); W waitlisted; X withdrew from the waitlist (not
  counted).
- Juvenile Diversion: J completed after 59 days.
Court B: its drug court, a participant "BravosonP" completed, a flag open.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from casemgmt.dashboard.drilldowns import NOT_SHOWN
from casemgmt.dashboard.selectors import DashboardScope
from cases.models import CaseType
from programs.models import ComplianceFlag, Enrollment, Program, ProgramKind, ProgramPhase
from tests.cases.factories import defendant, open_case
from tests.programs.factories import drug_court
from tests.programs.test_measures import enrollment, flag

from .conftest import Q1, Q1_QUERY
from .test_views import BUDGET

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/dashboard/"


def juvenile_diversion(court) -> Program:
    program = Program.objects.create(
        court=court,
        code="JUV",
        name="Juvenile Diversion",
        kind=ProgramKind.JUVENILE_DIVERSION,
        capacity=10,
        duration_days=90,
    )
    ProgramPhase.objects.create(program=program, number=1, name="Diversion")
    return program


def build_programs(world, *, court_b, make_user) -> dict:
    """The participants of the module docstring; returns court A's enrollments by letter."""
    court = world.court
    coordinator = make_user(Role.PROGRAM_COORDINATOR, [court], username="coordinator_a")
    cases = world.cases
    for letter in "WX":
        cases[letter] = open_case(
            case_type=world.cr, opened_by=world.clerk, parties=[defendant(last_name=f"Alp{letter}")]
        )
    drug = drug_court(court)
    juv = juvenile_diversion(court)
    e = {
        "C": enrollment(drug, cases["C"], "active", by=coordinator, enrolled_on=D(2026, 1, 20)),
        "S": enrollment(
            drug,
            cases["S"],
            "completed",
            by=coordinator,
            enrolled_on=D(2025, 9, 1),
            ended_on=D(2026, 3, 1),
        ),
        "B": enrollment(
            drug,
            cases["B"],
            "terminated",
            by=coordinator,
            enrolled_on=D(2025, 12, 1),
            ended_on=D(2026, 2, 28),
            reason="noncompliance",
        ),
        "W": enrollment(drug, cases["W"], "waitlisted", by=coordinator),
        "X": enrollment(drug, cases["X"], "withdrawn", by=coordinator, ended_on=D(2026, 2, 2)),
        "J": enrollment(
            juv,
            cases["J"],
            "completed",
            by=coordinator,
            enrolled_on=D(2026, 1, 16),
            ended_on=D(2026, 3, 16),
        ),
    }
    flag(e["C"], "positive_test", D(2026, 2, 10))
    flag(e["S"], "missed_session", D(2026, 1, 15), resolved_on=D(2026, 1, 20), by=coordinator)
    flag(e["B"], "missed_test", D(2026, 2, 1))
    # Court B.
    clerk_b = make_user(Role.CLERK, [court_b], username="clerk_b_programs")
    coordinator_b = make_user(Role.PROGRAM_COORDINATOR, [court_b], username="coordinator_b")
    drug_b = drug_court(court_b)
    Program.objects.filter(pk=drug_b.pk).update(name="Bravo Drug Court")
    case_b = open_case(
        case_type=CaseType.objects.get(court=court_b, code="CR"),
        opened_by=clerk_b,
        parties=[defendant(last_name="BravosonP")],
    )
    done_b = enrollment(
        drug_b,
        case_b,
        "completed",
        by=coordinator_b,
        enrolled_on=D(2025, 12, 1),
        ended_on=D(2026, 2, 1),
    )
    flag(done_b, "positive_test", D(2026, 2, 1))
    return {"drug": drug, "juv": juv, "drug_b": drug_b, "e": e, "coordinator": coordinator}


@pytest.fixture
def programs(world, court_b, make_user):
    return build_programs(world, court_b=court_b, make_user=make_user)


def program_sections(response) -> dict:
    return {s.key: s for s in response.context["programs"]}


def row_values(section) -> dict[str, list[str]]:
    return {row.header: [cell.text for cell in row.cells] for row in section.table.rows}


def export(client, name, **params) -> list[list[str]]:
    response = client.get(f"/dashboard/{name}.csv", {**Q1_QUERY, **params})
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- the figures on the page ------------------------------------------------------------------


def test_the_programs_figures_of_court_a(client, supervisor, programs):
    client.force_login(supervisor)

    response = client.get(URL, Q1_QUERY)

    found = program_sections(response)
    # Active today, waitlisted today, completed, terminated, rate, average days.
    assert row_values(found["program-outcomes"]) == {
        "Adult Drug Court": ["1", "1", "1", "1", "50.0%", "135.0"],  # (181 + 89) / 2
        "Juvenile Diversion": ["0", "0", "1", "0", "100.0%", "59.0"],
        "All programs": ["1", "1", "2", "1", "66.7%", "109.7"],  # (181 + 89 + 59) / 3
    }
    # Open today, raised (all), then raised by kind: missed, positive, diluted test, missed
    # session, hours behind, fee unpaid.
    assert row_values(found["program-noncompliance"]) == {
        "Adult Drug Court": ["2", "3", "1", "1", "0", "1", "0", "0"],
        "Juvenile Diversion": ["0", "0", "0", "0", "0", "0", "0", "0"],
        "All programs": ["2", "3", "1", "1", "0", "1", "0", "0"],
    }
    # Terminated, then by reason: non-compliance, new offense, absconded, voluntary
    # withdrawal, found ineligible, other. B left for non-compliance.
    assert row_values(found["program-terminations"]) == {
        "Adult Drug Court": ["1", "1", "0", "0", "0", "0", "0"],
        "Juvenile Diversion": ["0", "0", "0", "0", "0", "0", "0"],
        "All programs": ["1", "1", "0", "0", "0", "0", "0"],
    }
    terminations = found["program-terminations"]
    assert (terminations.headline, terminations.headline_label) == (
        "1",
        "terminated in the period; most often: non-compliance",
    )
    outcomes = found["program-outcomes"]
    assert outcomes.headline == "66.7%"
    assert outcomes.headline_label == "of 3 participants leaving a program completed it"
    assert found["program-noncompliance"].headline == "2"


def test_each_programs_measure_has_its_definition_a_chart_and_a_table(client, supervisor, programs):
    client.force_login(supervisor)

    html = client.get(URL, Q1_QUERY).content.decode()

    assert "share of participants leaving a program in the period who completed it" in html
    assert "Non-compliance the nightly compliance run found" in html
    assert 'href="#programs"' in html and '<h2 id="programs">' in html
    # Seven charts now: the five of the courts and the two of the programs.
    assert len(re.findall(r"<canvas [^>]*>", html)) == 7
    for key in ("program-outcomes", "program-noncompliance"):
        assert f'<script id="chart-{key}"' in html
    for key in ("program-outcomes", "program-terminations", "program-noncompliance"):
        assert f'id="{key}-table"' in html
        assert f'href="/dashboard/{key}.csv?' in html
    assert "<caption>Diversion programs: participants today and who left" in html
    assert '<th scope="row">Adult Drug Court</th>' in html


def test_a_case_type_narrows_the_programs_through_the_enrollments_case(
    client, supervisor, programs, world
):
    client.force_login(supervisor)

    response = client.get(URL, {**Q1_QUERY, "case_type": world.jv.pk})

    # Only J is juvenile; the drug court stays listed with nothing to count.
    assert row_values(program_sections(response)["program-outcomes"]) == {
        "Adult Drug Court": ["0", "0", "0", "0", "—", "—"],
        "Juvenile Diversion": ["0", "0", "1", "0", "100.0%", "59.0"],
        "All programs": ["0", "0", "1", "0", "100.0%", "59.0"],
    }


# --- drill-downs ------------------------------------------------------------------------------


def test_every_programs_count_links_to_a_list_of_as_many(client, supervisor, programs, world):
    client.force_login(supervisor)
    page = client.get(URL, Q1_QUERY)

    checked = 0
    for section in page.context["programs"]:
        links = [(section.headline, section.headline_href)] + [
            (cell.text, cell.href)
            for _row, cells in section.table.labelled
            for cell, _label in cells
            if cell.href
        ]
        for text, href in links:
            assert "start=2026-01-01" in href and f"court={world.court.pk}" in href
            if not re.fullmatch(r"[\d,]+", text):
                continue
            response = client.get(href)
            assert response.status_code == 200, href
            assert response.context["total"] == int(text), href
            checked += 1
    # 3 rows x (4 + 7 + 8) counts and the headlines of the terminations and the flags.
    assert checked == 59


def test_the_lists_name_the_participants_and_what_was_counted(client, supervisor, programs):
    client.force_login(supervisor)
    cases = {k: e.case for k, e in programs["e"].items()}

    def rows(slug, **params):
        response = client.get(f"/dashboard/{slug}/", {**Q1_QUERY, **params})
        assert response.status_code == 200
        columns = [c.key for c in response.context["drilldown"].columns]
        return [
            {key: cell["value"] for key, cell in zip(columns, cells, strict=True)}
            for cells in response.context["rows"]
        ]

    flags = rows("program-flags")
    assert [(r["raised_on"], r["case"], r["kind"], r["status"]) for r in flags] == [
        (D(2026, 1, 15), cases["S"], "Missed session", "Resolved 2026-01-20"),
        (D(2026, 2, 1), cases["B"], "Missed drug test", "Open"),
        (D(2026, 2, 10), cases["C"], "Positive drug test", "Open"),
    ]
    names = {k: e.participant.person.display_name for k, e in programs["e"].items()}
    assert [r["participant"] for r in flags] == [names["S"], names["B"], names["C"]]
    assert {r["program"] for r in flags} == {"Adult Drug Court"}
    assert [r["case"] for r in rows("program-flags", state="open")] == [cases["B"], cases["C"]]
    ended = rows("program-ended")
    assert [(r["case"], r["status"], r["days"]) for r in ended] == [
        (cases["B"], "Terminated", 89),
        (cases["S"], "Completed", 181),
        (cases["J"], "Completed", 59),
    ]
    assert ended[0]["reason"] == "Non-compliance"
    waiting = rows("program-participants", status="waitlisted")
    assert [r["case"] for r in waiting] == [cases["W"]]  # X withdrew


def test_the_participants_name_only_for_one_who_may_see_the_program_record(
    programs, world, make_user
):
    # An attorney not of record sees the public case C but not its program records (only
    # attorneys of record do, programs.querysets): the flag is listed with C (the figure
    # counts it), without the participant's name. The supervisor sees the name.
    scope = DashboardScope(
        court=world.court,
        case_type=None,
        start=Q1[0],
        end=Q1[1],
        today=world.court.local_today(),
        now=timezone.now(),
    )
    from casemgmt.dashboard.drilldowns import DRILLDOWNS

    stranger = make_user(Role.ATTORNEY, [world.court], username="attorney_not_of_record")
    flags = DRILLDOWNS["program-flags"]
    shown = {
        row["case"].pk: row["participant"]
        for row in flags.build(scope, stranger, {"state": "open"}).rows()
    }
    assert shown[world.cases["C"].pk] == NOT_SHOWN
    boss = make_user(Role.SUPERVISOR, [world.court], username="supervisor_names")
    named = {row["case"].pk: row["participant"] for row in flags.build(scope, boss, {}).rows()}
    assert NOT_SHOWN not in named.values()
    expected = programs["e"]["C"].participant.person.display_name
    assert named[world.cases["C"].pk] == expected


def test_the_lists_go_through_the_visibility_rule(programs, world, clerk):
    # A clerk of court A may not see the sealed case S: it is left out of every list.
    scope = DashboardScope(
        court=world.court,
        case_type=None,
        start=Q1[0],
        end=Q1[1],
        today=world.court.local_today(),
        now=timezone.now(),
    )
    from casemgmt.dashboard.drilldowns import DRILLDOWNS

    for slug in ("program-flags", "program-ended"):
        rows = list(DRILLDOWNS[slug].build(scope, clerk, {}).rows())
        assert rows, slug
        assert world.cases["S"].pk not in {row["case"].pk for row in rows}, slug


def test_sealed_and_juvenile_cases_on_a_programs_list_are_audited_reads(
    client, supervisor, programs, world
):
    client.force_login(supervisor)

    client.get("/dashboard/program-ended/", Q1_QUERY)  # B, S (sealed), J (juvenile)

    read = AuditEvent.objects.get(action="case.read", actor=supervisor)
    assert read.details == {
        "surface": "dashboard.program-ended",
        "cases": sorted([world.cases["S"].number, world.cases["J"].number]),
    }


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/program-flags/?kind=bribe",
        "/dashboard/program-flags/?state=closed",
        "/dashboard/program-flags/?program=abc",
        "/dashboard/program-ended/?outcome=withdrawn",
        "/dashboard/program-participants/?status=completed",
    ],
)
def test_a_programs_list_that_does_not_exist_is_404(client, supervisor, programs, url):
    client.force_login(supervisor)
    assert client.get(f"{url}&start=2026-01-01&end=2026-03-31&period=custom").status_code == 404


# --- court B ----------------------------------------------------------------------------------


def test_court_a_never_sees_court_bs_program(client, supervisor, programs, court_b):
    client.force_login(supervisor)

    page = client.get(URL, Q1_QUERY).content.decode()
    # Court B's program asked for by its id, on court A's lists: nothing.
    other = {"program": programs["drug_b"].pk}
    lists = [
        client.get(f"/dashboard/{slug}/", {**Q1_QUERY, **other, **extra})
        for slug, extra in (
            ("program-flags", {}),
            ("program-flags", {"state": "open"}),
            ("program-ended", {}),
            ("program-participants", {}),
        )
    ]
    exports = [
        b"".join(client.get(f"/dashboard/{name}.csv", {**Q1_QUERY, **other}).streaming_content)
        for name in ("program-outcomes", "program-noncompliance", "program-flags", "program-ended")
    ]
    refused = client.get("/dashboard/program-flags/", {**Q1_QUERY, "court": court_b.pk})

    for text in [page, *(r.content.decode() for r in lists), *(e.decode() for e in exports)]:
        assert "Bravo" not in text
    assert all(r.context["total"] == 0 for r in lists)
    assert refused.status_code == 400 and "rows" not in refused.context


def test_court_bs_supervisor_sees_court_bs_program(client, supervisor_b, programs):
    client.force_login(supervisor_b)

    response = client.get(URL, Q1_QUERY)

    assert row_values(program_sections(response)["program-outcomes"]) == {
        "Bravo Drug Court": ["0", "0", "1", "0", "100.0%", "62.0"],
        "All programs": ["0", "0", "1", "0", "100.0%", "62.0"],
    }
    assert "Adult Drug Court" not in response.content.decode()


# --- CSV --------------------------------------------------------------------------------------


def test_the_programs_tables_as_csv(client, supervisor, programs):
    client.force_login(supervisor)

    assert export(client, "program-outcomes") == [
        [
            "program",
            "active today",
            "waitlisted today",
            "completed",
            "terminated",
            "completion rate (%)",
            "average days in program",
        ],
        ["Adult Drug Court", "1", "1", "1", "1", "50.0", "135.0"],
        ["Juvenile Diversion", "0", "0", "1", "0", "100.0", "59.0"],
        ["All programs", "1", "1", "2", "1", "66.7", "109.7"],
    ]
    assert export(client, "program-noncompliance") == [
        [
            "program",
            "open today",
            "raised in the period",
            "raised: missed drug test",
            "raised: positive drug test",
            "raised: diluted drug test",
            "raised: missed session",
            "raised: community service behind schedule",
            "raised: program fee unpaid",
        ],
        ["Adult Drug Court", "2", "3", "1", "1", "0", "1", "0", "0"],
        ["Juvenile Diversion", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["All programs", "2", "3", "1", "1", "0", "1", "0", "0"],
    ]


def test_the_programs_lists_as_csv(client, supervisor, programs, world):
    client.force_login(supervisor)
    cases = world.cases
    name = {k: e.participant.person.display_name for k, e in programs["e"].items()}

    assert export(client, "program-flags", state="open") == [
        ["Raised on", "Case", "Participant", "Program", "Flag", "Status"],
        [
            "2026-02-01",
            cases["B"].number,
            name["B"],
            "Adult Drug Court",
            "Missed drug test",
            "Open",
        ],
        [
            "2026-02-10",
            cases["C"].number,
            name["C"],
            "Adult Drug Court",
            "Positive drug test",
            "Open",
        ],
    ]
    ended = export(client, "program-ended", outcome="completed")
    assert ended[0] == [
        "Left on",
        "Case",
        "Participant",
        "Program",
        "Outcome",
        "Reason for termination",
        "Enrolled on",
        "Days in program",
    ]
    assert ended[1:] == [
        [
            "2026-03-01",
            cases["S"].number,
            name["S"],
            "Adult Drug Court",
            "Completed",
            "",
            "2025-09-01",
            "181",
        ],
        [
            "2026-03-16",
            cases["J"].number,
            name["J"],
            "Juvenile Diversion",
            "Completed",
            "",
            "2026-01-16",
            "59",
        ],
    ]
    audit = AuditEvent.objects.filter(action="dashboard.export").order_by("-id")[0]
    assert audit.details["export"] == "program-ended"
    assert audit.details["params"] == {"outcome": "completed"}


# --- queries ----------------------------------------------------------------------------------


def test_the_page_keeps_its_budget_and_programs_add_no_queries(
    client, supervisor, programs, world, django_assert_max_num_queries
):
    client.force_login(supervisor)
    client.get(URL, Q1_QUERY)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, Q1_QUERY).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    assert before <= BUDGET
    # Three more programs, each with a participant who left and a flag: not one more query.
    for n in range(3):
        more = drug_court(world.court, code=f"MORE{n}")
        made = enrollment(
            more,
            open_case(case_type=world.cr, opened_by=world.clerk),
            "terminated",
            by=programs["coordinator"],
            enrolled_on=D(2026, 1, 5),
            ended_on=D(2026, 2, 5),
            reason="absconded",
        )
        flag(made, "missed_session", D(2026, 1, 25))
    assert queries() == before
    total = row_values(program_sections(client.get(URL, Q1_QUERY))["program-outcomes"])
    assert total["All programs"][3] == "4"


@pytest.mark.parametrize(
    ("slug", "params"),
    [("program-flags", {}), ("program-ended", {}), ("program-participants", {})],
)
def test_a_programs_lists_queries_do_not_grow_with_its_rows(
    client, supervisor, programs, world, slug, params
):
    client.force_login(supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/dashboard/{slug}/", {**Q1_QUERY, **params}).status_code == 200
        return len(ctx.captured_queries)

    client.get(f"/dashboard/{slug}/", {**Q1_QUERY, **params})
    before = queries()
    drug = programs["drug"]
    for i in range(4):
        case = open_case(case_type=world.cr, opened_by=world.clerk)
        status = "terminated" if i % 2 else "active"
        made = enrollment(
            drug,
            case,
            status,
            by=programs["coordinator"],
            enrolled_on=D(2026, 1, 3),
            ended_on=D(2026, 3, 3) if i % 2 else None,
            reason="absconded" if i % 2 else "",
        )
        flag(made, "missed_test", D(2026, 1, 10 + i))
    assert queries() == before
    assert Enrollment.objects.filter(program=drug).count() == 9
    assert ComplianceFlag.objects.filter(enrollment__program=drug).count() == 7


def test_no_table_export_hides_a_list_of_the_same_name():
    # /dashboard/<name>.csv answers with the table when a measure and a list share a name:
    # the list's own CSV would never be reached.
    from casemgmt.dashboard.drilldowns import DRILLDOWNS
    from casemgmt.dashboard.exports import FIGURE_EXPORTS

    assert not set(FIGURE_EXPORTS) & set(DRILLDOWNS)
