"""Drill-downs (issue 9, "Done when"): every number on the dashboard links to the list of
what it counted, with the same filters, and the list's total is the number; 50 to a page;
court A's supervisor sees nothing of court B; the lists are read through the visibility
rule; sealed and juvenile cases shown are audited reads."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from casemgmt.core.models import AuditEvent
from casemgmt.dashboard.drilldowns import DRILLDOWNS, PER_PAGE
from casemgmt.dashboard.selectors import DashboardScope
from tests.cases.factories import open_case

from .conftest import Q1, Q1_QUERY

pytestmark = pytest.mark.django_db


def linked_cells(response):
    """(section key, row header, column, text, href) of every linked number on the page."""
    for section in [*response.context["performance"], *response.context["compliance"]]:
        for _row, cells in section.table.labelled:
            for cell, label in cells:
                if cell.href:
                    yield section.key, label, cell.text, cell.href
        yield section.key, "headline", section.headline, section.headline_href


def test_every_count_on_the_dashboard_links_to_a_list_of_as_many(client, supervisor, world):
    client.force_login(supervisor)
    page = client.get("/dashboard/", Q1_QUERY)

    checked = 0
    for key, label, text, href in linked_cells(page):
        assert href.startswith("/dashboard/")
        query = parse_qs(urlsplit(href).query)
        # The same filters as the figure (explicit dates of the period shown).
        assert query["start"] == ["2026-01-01"] and query["end"] == ["2026-03-31"]
        assert query["court"] == [str(world.court.pk)]
        if not re.fullmatch(r"[\d,]+", text):
            continue  # a percentage or an amount: see the tests below
        response = client.get(href)
        assert response.status_code == 200, (key, label, href)
        assert response.context["total"] == int(text.replace(",", "")), (key, label, href)
        assert len(response.context["rows"]) == min(int(text), PER_PAGE)
        checked += 1
    assert checked >= 35


def test_amounts_of_collections_add_up_from_their_list(client, supervisor, world):
    client.force_login(supervisor)
    page = client.get("/dashboard/", Q1_QUERY)
    collections = next(s for s in page.context["performance"] if s.key == "collection-rate")

    for row, cells in collections.table.labelled:
        csv_href = None
        for cell, label in cells:
            if not cell.href:
                continue
            csv_href = cell.href.replace("/obligations/?", "/obligations.csv?")
            column = label.rsplit(", ", 1)[1]
            lines = b"".join(client.get(csv_href).streaming_content).decode().splitlines()
            header = lines[0].split(",")
            total = sum(float(line.split(",")[header.index(column)]) for line in lines[1:])
            assert f"${total:,.2f}" == cell.text, (row.header, column)
        assert csv_href is not None


def test_the_lists_show_the_cases_behind_the_numbers(client, supervisor, world):
    client.force_login(supervisor)
    cases = world.cases

    def numbers(slug, **params):
        response = client.get(f"/dashboard/{slug}/", {**Q1_QUERY, **params})
        assert response.status_code == 200
        return [
            cells[[c["kind"] for c in cells].index("case")]["value"].number
            for cells in response.context["rows"]
        ]

    assert numbers("pending") == [cases[k].number for k in "BJC"]  # oldest first
    assert numbers("pending", band=1) == [cases["B"].number]
    assert numbers("dispositions") == [cases["A"].number, cases["S"].number]
    assert numbers("clearance", side="outgoing") == [cases["A"].number, cases["S"].number]
    assert numbers("trials", settings=3) == [cases["S"].number]
    assert numbers("deadlines-missed", owner=world.lawyer.pk) == [
        cases["B"].number,
        cases["S"].number,
    ]
    assert numbers("deadlines-missed", owner="none") == [cases["C"].number]
    assert numbers("speedy-trial", state="expired") == [cases["B"].number]
    assert numbers("continued-hearings") == [cases["B"].number]
    assert numbers("review-queue", band=1) == [cases["C"].number]
    assert numbers("obligations", kind="fee") == [cases["B"].number]
    drawers = client.get("/dashboard/open-drawers/", Q1_QUERY)
    assert drawers.context["total"] == 1


def test_a_list_shows_its_measures_definition_and_links_back_and_to_its_csv(
    client, supervisor, world
):
    client.force_login(supervisor)

    response = client.get("/dashboard/pending/", {**Q1_QUERY, "band": "1"})

    html = response.content.decode()
    assert "Age of active pending caseload:</strong>" in html
    assert "Aged 91-180 days" in html
    assert response.context["csv_href"].startswith("/dashboard/pending.csv?")
    assert "band=1" in response.context["csv_href"]
    assert response.context["back_href"].endswith("#pending-age")
    assert "<caption>" in html and 'th scope="col"' in html and 'th scope="row"' in html


def test_fifty_to_a_page(client, supervisor, world):
    for _ in range(PER_PAGE + 5):
        open_case(case_type=world.cr, opened_by=world.clerk, filed_on=dt.date(2026, 3, 2))
    client.force_login(supervisor)
    query = {**Q1_QUERY, "side": "incoming", "part": "filed"}

    first = client.get("/dashboard/clearance/", query)
    second = client.get("/dashboard/clearance/", {**query, "page": "2"})
    beyond = client.get("/dashboard/clearance/", {**query, "page": "99"})
    garbage = client.get("/dashboard/clearance/", {**query, "page": "x'; drop"})

    assert first.context["total"] == 4 + PER_PAGE + 5
    assert len(first.context["rows"]) == PER_PAGE
    assert len(second.context["rows"]) == 9
    assert beyond.context["page"].number == 2 and garbage.context["page"].number == 1
    # The next page keeps the filters.
    assert "side=incoming" in first.content.decode().split("Next page")[0].rsplit("href=", 1)[1]


# --- court B, visibility, refusals ----------------------------------------------------------------


def test_a_supervisor_of_court_a_gets_no_list_of_court_b(client, supervisor, court_b, world):
    client.force_login(supervisor)

    for slug in DRILLDOWNS:
        response = client.get(f"/dashboard/{slug}/", {**Q1_QUERY, "court": court_b.pk})
        assert response.status_code == 400, slug
        assert "rows" not in response.context
        assert "Bravoson" not in response.content.decode()


def test_court_a_lists_hold_nothing_of_court_b(client, supervisor, world):
    client.force_login(supervisor)

    for slug in DRILLDOWNS:
        response = client.get(f"/dashboard/{slug}/", Q1_QUERY)
        assert response.status_code == 200, slug
        assert "Bravoson" not in response.content.decode(), slug


def test_lists_go_through_the_visibility_rule(world, clerk):
    # A clerk of court A may not see the sealed case S (no grant): were the lists not
    # narrowed to the visible cases, S would be in them.
    from django.utils import timezone

    scope = DashboardScope(
        court=world.court,
        case_type=None,
        start=Q1[0],
        end=Q1[1],
        today=world.court.local_today(),
        now=timezone.now(),
    )
    sealed = world.cases["S"].pk
    for slug in ("dispositions", "clearance", "trials", "obligations", "deadlines-missed"):
        rows = list(DRILLDOWNS[slug].build(scope, clerk, {"side": "outgoing"}).rows())
        assert rows, slug
        assert sealed not in {row["case"].pk for row in rows}, slug


def test_clerks_get_403_and_the_public_is_sent_to_sign_in(client, clerk, world):
    assert client.get("/dashboard/pending/", Q1_QUERY).status_code == 302
    client.force_login(clerk)
    assert client.get("/dashboard/pending/", Q1_QUERY).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/nothing/",
        "/dashboard/clearance/?side=sideways",
        "/dashboard/clearance/?side=incoming&part=disposed",
        "/dashboard/pending/?band=9",
        "/dashboard/deadlines-missed/?owner=abc",
        "/dashboard/obligations/?kind=bribe",
        "/dashboard/dispositions/?within=45",
    ],
)
def test_a_list_that_does_not_exist_is_404(client, supervisor, world, url):
    client.force_login(supervisor)
    sep = "&" if "?" in url else "?"
    assert client.get(f"{url}{sep}start=2026-01-01&end=2026-03-31&period=custom").status_code == 404


def test_sealed_and_juvenile_cases_on_a_list_are_audited_reads(client, supervisor, world):
    client.force_login(supervisor)

    client.get("/dashboard/pending/", Q1_QUERY)  # B, J (juvenile), C
    client.get("/dashboard/dispositions/", Q1_QUERY)  # A, S (sealed)
    client.get("/dashboard/continued-hearings/", Q1_QUERY)  # B only: nothing to audit

    reads = AuditEvent.objects.filter(action="case.read", actor=supervisor).order_by("id")
    assert [(e.details["surface"], e.details["cases"]) for e in reads] == [
        ("dashboard.pending", [world.cases["J"].number]),
        ("dashboard.dispositions", [world.cases["S"].number]),
    ]


@pytest.mark.parametrize(
    ("slug", "params"),
    [
        ("clearance", {"side": "incoming"}),
        ("pending", {}),
        ("deadlines-missed", {}),
        ("trials", {}),
        ("obligations", {}),
        ("review-queue", {}),
    ],
)
def test_a_lists_queries_do_not_grow_with_its_rows(client, supervisor, world, slug, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from docket.models import Deadline, HearingStatus, HearingType
    from filings.models import Filing, FilingType
    from filings.services import filing_submit
    from tests.docket.factories import hearing
    from tests.filings.pdfs import pdf_bytes, upload
    from tests.payments.factories import obligation

    client.force_login(supervisor)
    query = {**Q1_QUERY, **params}

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/dashboard/{slug}/", query)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client.get(f"/dashboard/{slug}/", query)
    before = queries()
    for i in range(6):
        case = open_case(case_type=world.cr, opened_by=world.clerk, filed_on=dt.date(2026, 2, 2))
        hearing(
            case,
            scheduled_by=world.clerk,
            day=dt.date(2026, 3, 9),
            hour=8 + i,
            hearing_type=HearingType.TRIAL,
            status=HearingStatus.HELD,
        )
        Deadline.objects.create(
            case=case,
            court=world.court,
            name="Answer",
            status="missed",
            due_on=dt.date(2026, 3, 3),
            status_date=dt.date(2026, 3, 3),
        )
        obligation(case, "fine", "10.00", ordered_on=dt.date(2026, 3, 1))
    case = world.cases["C"]
    for _ in range(3):
        filing = filing_submit(
            case=case,
            upload=upload(pdf_bytes(), name="m.pdf"),
            filing_type=FilingType.objects.get(court=world.court, code="MOTN"),
            filer=world.lawyer,
            title="Motion",
        )
        assert Filing.objects.filter(pk=filing.pk).exists()
    assert queries() == before
