"""The supervisor's dashboard page (issue 9): who may see it, the filter (court, case type,
period, N) kept in the URL and validated, the figures of CourTools measures 2, 3, 4, 5 and
7 and of compliance against the hand-built caseload of conftest.py, each with its
definition, chart and accessible table; court B never shows to court A's supervisor; the
page's queries do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from casemgmt.dashboard.forms import period_dates
from tests.cases.factories import open_case

from .conftest import Q1_QUERY

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def sections(response) -> dict:
    return {s.key: s for s in [*response.context["performance"], *response.context["compliance"]]}


def row_values(section) -> dict[str, list[str]]:
    return {row.header: [cell.text for cell in row.cells] for row in section.table.rows}


# --- who may see it ------------------------------------------------------------------------


def test_the_public_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/dashboard/")


@pytest.mark.parametrize("role", [Role.CLERK, Role.JUDGE, Role.ATTORNEY, Role.COURTROOM_CLERK])
def test_other_roles_are_refused_with_403_and_the_refusal_is_audited(
    client, make_user, court_a, role
):
    user = make_user(role, [court_a], username=f"someone_{role}")
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=user).exists()


def test_a_clerk_gets_403(client, clerk):
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


def test_a_superuser_sees_the_dashboard_of_any_court(client, make_user, court_a, world):
    admin = make_user(Role.CLERK, [], username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.get(URL, {"court": court_a.pk, **Q1_QUERY})

    assert response.status_code == 200
    assert row_values(sections(response)["clearance-rate"])["Incoming, all"] == ["4"]


def test_supervisors_have_the_dashboard_in_their_navigation_and_clerks_not(
    client, supervisor, clerk
):
    client.force_login(supervisor)
    assert 'href="/dashboard/"' in client.get("/").content.decode()
    client.force_login(clerk)
    assert 'href="/dashboard/"' not in client.get("/").content.decode()


# --- the figures -----------------------------------------------------------------------------


def test_the_figures_of_court_a_in_the_first_quarter(client, supervisor, world):
    client.force_login(supervisor)

    response = client.get(URL, Q1_QUERY)

    assert response.status_code == 200
    found = sections(response)
    # Measure 2: A, C, S, J filed; A and S disposed.
    clearance = row_values(found["clearance-rate"])
    assert clearance["New filings"] == ["4"] and clearance["Incoming, all"] == ["4"]
    assert clearance["Dispositions"] == ["2"] and clearance["Clearance rate"] == ["50.0%"]
    # Measure 3: A after 30 days, S after 50: both within every standard; median 30.
    disposition = row_values(found["time-to-disposition"])
    assert disposition["Within 90 days"] == ["2", "100.0%"]
    assert disposition["Median days to disposition"][0] == "30"
    # Measure 4 on 2026-03-31: C 59 days and J 74 (0-90), B 120 (91-180).
    pending = row_values(found["pending-age"])
    assert pending["0-90 days"] == ["2", "66.7%"] and pending["91-180 days"] == ["1", "33.3%"]
    assert pending["Active pending, all"][0] == "3"
    # Measure 5: A's trial set once, S's three times.
    trials = row_values(found["trial-date-certainty"])
    assert trials["Set once"] == ["1", "50.0%"] and trials["Set 3 times"] == ["1", "50.0%"]
    assert trials["Average settings per trial"][0] == "2.00"
    # Measure 7: 260 collected of 900 ordered less 40 waived.
    collections = row_values(found["collection-rate"])
    assert collections["Fine"] == ["$500.00", "$0.00", "$200.00", "$300.00", "40.0%"]
    assert collections["Fee"] == ["$100.00", "$40.00", "$60.00", "$0.00", "100.0%"]
    assert collections["All obligations"][-1] == "30.2%"
    # Compliance.
    deadlines = row_values(found["deadline-compliance"])
    assert deadlines == {"Lee Ames": ["2", "1"], "Nobody named": ["1", "0"], "All": ["3", "1"]}
    speedy = row_values(found["speedy-trial"])
    assert speedy["Run out"] == ["1"] and speedy["All"] == ["2"]
    assert row_values(found["continued-hearings"]) == {"Set more than 2 times": ["1"]}
    queue = row_values(found["review-queue-age"])
    assert queue["under 1 day"] == ["1"] and queue["1-2 days"] == ["1"]
    assert row_values(found["open-drawers"]) == {"Open from an earlier day": ["1"]}


def test_the_figures_are_the_same_read_from_the_nightly_rollups(client, supervisor, world):
    # Measures 2, 3, 4 and 7 read the rollups plus what changed since their last refresh: a
    # refresh (full, then incremental) changes no figure on the page, nor any drill-down.
    from casemgmt.dashboard.models import CaseFlowDay, DispositionTime
    from casemgmt.dashboard.rollups import rollups_refresh

    client.force_login(supervisor)
    live = client.get(URL, Q1_QUERY)
    rollups_refresh(full=True)
    assert CaseFlowDay.objects.exists() and DispositionTime.objects.exists()
    rolled = client.get(URL, Q1_QUERY)
    rollups_refresh()
    again = client.get(URL, Q1_QUERY)

    for name in ("clearance-rate", "time-to-disposition", "pending-age", "collection-rate"):
        assert row_values(sections(rolled)[name]) == row_values(sections(live)[name]), name
        assert row_values(sections(again)[name]) == row_values(sections(live)[name]), name


def test_n_of_hearings_continued_is_a_filter(client, supervisor, world):
    client.force_login(supervisor)

    response = client.get(URL, {**Q1_QUERY, "continued": "1"})

    # B's hearing set 4 times and C's set twice.
    assert row_values(sections(response)["continued-hearings"]) == {"Set more than 1 times": ["2"]}
    assert 'name="continued" value="1"' in response.content.decode()


def test_a_case_type_narrows_every_case_figure(client, supervisor, world):
    client.force_login(supervisor)

    response = client.get(URL, {**Q1_QUERY, "case_type": world.jv.pk})

    found = sections(response)
    assert row_values(found["clearance-rate"])["New filings"] == ["1"]  # J
    assert row_values(found["pending-age"])["Active pending, all"][0] == "1"
    assert row_values(found["trial-date-certainty"])["Trials held"][0] == "0"
    assert row_values(found["speedy-trial"])["All"] == ["0"]
    assert row_values(found["deadline-compliance"])["All"] == ["0", "1"]  # J's at risk


def test_each_measure_shows_its_definition_a_chart_and_an_accessible_table(
    client, supervisor, world
):
    client.force_login(supervisor)

    html = client.get(URL, Q1_QUERY).content.decode()

    for measure in (2, 3, 4, 5, 7):
        assert f"CourTools measure {measure}</span>" in html
    # Ten measures of the courts and three of the diversion programs.
    assert html.count("What it measures:") == 13
    # Five charts, each a described image pointing at its table (drawn from JSON data); the
    # court has no diversion programs, so theirs are not drawn (tests/dashboard/
    # test_programs_section.py draws them).
    canvases = re.findall(r"<canvas [^>]*>", html)
    assert len(canvases) == 5
    assert all('role="img"' in c and "the same figures are in the table" in c for c in canvases)
    assert html.count('<script id="chart-') == 5
    assert html.count("<caption>") == 13
    assert 'th scope="row"' in html and 'th scope="col"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    # The diversion programs' place, with nothing to count.
    assert 'id="programs"' in html
    assert html.count("The court has no diversion programs.") == 3


# --- the filter --------------------------------------------------------------------------------


def test_by_default_the_last_full_month_of_the_supervisors_court(client, supervisor, court_a):
    client.force_login(supervisor)

    response = client.get(URL)

    scope = response.context["scope"]
    today = court_a.local_today()
    first = today.replace(day=1)
    assert scope.court == court_a
    assert scope.end == first - dt.timedelta(days=1)
    assert scope.start == scope.end.replace(day=1)
    assert scope.continued_more_than == 2
    # The inputs show what is measured, so that the URL after "Show" says it.
    html = response.content.decode()
    assert f'name="start" value="{scope.start.isoformat()}"' in html


@pytest.mark.parametrize(
    ("period", "today", "start", "end"),
    [
        ("last_month", dt.date(2026, 3, 15), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("last_month", dt.date(2026, 1, 5), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("this_month", dt.date(2026, 3, 15), dt.date(2026, 3, 1), dt.date(2026, 3, 15)),
        ("this_quarter", dt.date(2026, 5, 20), dt.date(2026, 4, 1), dt.date(2026, 5, 20)),
        ("this_quarter", dt.date(2026, 12, 31), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("year_to_date", dt.date(2026, 5, 20), dt.date(2026, 1, 1), dt.date(2026, 5, 20)),
    ],
)
def test_period_presets(period, today, start, end):
    assert period_dates(period, today) == (start, end)


def test_a_preset_from_the_url(client, supervisor, court_a):
    client.force_login(supervisor)

    scope = client.get(URL, {"period": "year_to_date"}).context["scope"]

    assert scope.start == dt.date(court_a.local_today().year, 1, 1)
    assert scope.end == court_a.local_today()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"period": "custom", "start": "yesterday", "end": "2026-03-01"}, "start"),
        ({"period": "custom", "start": "2026-03-02", "end": "2026-03-01"}, "end"),
        ({"period": "custom", "start": "1900-01-01", "end": "2026-03-01"}, "end"),
        ({"period": "custom", "start": "2026-03-02"}, "end"),
        ({"period": "someday"}, "period"),
        ({"continued": "many"}, "continued"),
        ({"continued": "0"}, "continued"),
        ({"case_type": "x"}, "case_type"),
        ({"case_type": "99999999999999999999"}, "case_type"),
        ({"court": "99999999999999999999"}, "court"),
        ({"court": "-1"}, "court"),
        ({"period": "custom", "start": "99999-01-01", "end": "2026-03-01"}, "start"),
        ({"period": "custom\x00", "start": "2026-01-01", "end": "2026-03-01"}, "period"),
        ({"continued": "1e9"}, "continued"),
    ],
)
def test_garbage_in_the_filter_is_a_field_error_not_a_500(client, supervisor, world, query, field):
    client.force_login(supervisor)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "scope" not in response.context
    html = response.content.decode()
    # Shown by the field, or (the court's field is hidden to one who has one court) above.
    assert 'class="usa-error-message"' in html or "The filters are not valid" in html


# --- court A's supervisor and court B ----------------------------------------------------------


def test_a_supervisor_of_court_a_cannot_ask_for_court_b(client, supervisor, court_b, world):
    client.force_login(supervisor)

    response = client.get(URL, {**Q1_QUERY, "court": court_b.pk})

    assert response.status_code == 400
    assert "court" in response.context["form"].errors
    html = response.content.decode()
    assert "Bravoson" not in html and "Bravo District Court" not in html
    assert "scope" not in response.context


def test_a_case_type_of_court_b_is_refused_too(client, supervisor, court_b, world):
    client.force_login(supervisor)
    from cases.models import CaseType

    other = CaseType.objects.get(court=court_b, code="CR")

    response = client.get(URL, {**Q1_QUERY, "case_type": other.pk})

    assert response.status_code == 400
    assert "case_type" in response.context["form"].errors


def test_court_a_figures_do_not_count_court_b(client, supervisor, court_b, world):
    # Court B mirrors court A: were it counted, every figure would double.
    client.force_login(supervisor)

    response = client.get(URL, Q1_QUERY)

    found = sections(response)
    assert row_values(found["clearance-rate"])["Incoming, all"] == ["4"]
    assert row_values(found["collection-rate"])["All obligations"][0] == "$900.00"
    assert row_values(found["review-queue-age"])["Waiting, all"] == ["2"]
    html = response.content.decode()
    assert "Bravoson" not in html and "Bravo District Court" not in html
    # Only their own courts are offered.
    assert [c.pk for c in response.context["form"].courts] == [supervisor.courts.get().pk]


def test_a_supervisor_of_two_courts_chooses_between_them(
    client, make_user, court_a, court_b, world
):
    both = make_user(Role.SUPERVISOR, [court_a, court_b], username="supervisor_ab")
    client.force_login(both)

    default = client.get(URL, Q1_QUERY)
    chosen = client.get(URL, {**Q1_QUERY, "court": court_b.pk})

    assert default.context["scope"].court == court_a  # their default court
    assert chosen.context["scope"].court == court_b
    assert row_values(sections(chosen)["clearance-rate"])["Incoming, all"] == ["4"]
    assert '<select name="court"' in chosen.content.decode()


# --- the query budget ----------------------------------------------------------------------------

BUDGET = 25


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, Q1_QUERY)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_is_a_small_constant_number_of_queries(
    client, supervisor, world, django_assert_max_num_queries
):
    client.force_login(supervisor)
    client.get(URL, Q1_QUERY)  # the session's first read aside

    with django_assert_max_num_queries(BUDGET):
        client.get(URL, Q1_QUERY)

    before = _queries(client)
    # Twelve more cases with trials, deadlines, obligations: not one more query.
    for i in range(12):
        case = open_case(case_type=world.cr, opened_by=world.clerk, filed_on=dt.date(2026, 2, 1))
        from docket.models import Deadline, HearingStatus, HearingType
        from tests.docket.factories import hearing
        from tests.payments.factories import obligation

        hearing(
            case,
            scheduled_by=world.clerk,
            day=dt.date(2026, 2, 24),
            hour=8 + i // 2,
            minute=30 * (i % 2),
            hearing_type=HearingType.TRIAL,
            status=HearingStatus.HELD,
            setting_number=2,
        )
        Deadline.objects.create(
            case=case,
            court=world.court,
            name="Answer",
            status="missed",
            due_on=dt.date(2026, 3, 3),
            status_date=dt.date(2026, 3, 3),
            owner=world.lawyer,
        )
        obligation(case, "fine", "10.00", ordered_on=dt.date(2026, 3, 1))
    assert _queries(client) == before
    assert Decimal(
        row_values(sections(client.get(URL, Q1_QUERY))["collection-rate"])["All obligations"][0]
        .strip("$")
        .replace(",", "")
    ) == Decimal("1020.00")


def test_a_supervisor_of_no_court_is_told_so(client, make_user):
    lonely = make_user(Role.SUPERVISOR, [], username="supervisor_nowhere")
    client.force_login(lonely)

    response = client.get(URL)

    assert response.status_code == 400
    assert "You work in no court." in response.content.decode()


def test_the_dashboard_links_to_the_monthly_reports(client, supervisor, world):
    client.force_login(supervisor)
    page = client.get(URL, Q1_QUERY).content.decode()
    assert 'href="/dashboard/reports/"' in page
    assert client.get("/dashboard/reports/").status_code == 200
