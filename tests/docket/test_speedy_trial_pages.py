"""The case page's Speedy trial panel and the clock's page (/speedy-trial/): what each
reader sees, the clerk's forms, refusals on their fields, and the panel's query cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.selectors import case_file_get
from docket.models import ExcludablePeriod, SpeedyTrialClock, SpeedyTrialSettings
from docket.speedy_trial_panels import speedy_trial_panel_context
from docket.speedy_trial_services import excludable_period_add, speedy_trial_clock_set
from tests.cases.factories import CaseTypeFactory, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(court_a) -> dt.date:
    return court_a.local_today()


def ago(today, days):
    return today - dt.timedelta(days=days)


@pytest.fixture
def case(cr_type, clerk, today):
    """Indicted and first appearance 60 days ago (10 days remain), a competency
    examination recorded from 5 days ago, still going."""
    case = open_case(case_type=cr_type, opened_by=clerk)
    speedy_trial_clock_set(
        case=case,
        by=clerk,
        indictment_on=ago(today, 60),
        first_appearance_on=ago(today, 60),
        counsel_appearance_on=ago(today, 60),
    )
    return case


@pytest.fixture
def civil_case(court_a, clerk):
    cv = CaseTypeFactory(
        court=court_a, code="CV", category=CaseCategory.CIVIL, initial_event_code="CMPL"
    )
    return open_case(case_type=cv, opened_by=clerk)


def case_url(case):
    return reverse("cases:detail", args=[case.court.code, case.number])


def page_url(case, name="case", *args):
    return reverse(f"speedy_trial:{name}", args=[case.court.code, case.number, *args])


def test_the_case_page_warns_under_the_alert_threshold(client, clerk, case, today):
    client.force_login(clerk)

    html = client.get(case_url(case)).content.decode()

    assert 'id="panel-speedy_trial"' in html
    assert "10 days remaining" in html and "usa-alert--warning" in html
    due = today + dt.timedelta(days=10)
    assert f'datetime="{due.isoformat()}"' in html
    assert "Record the clock&#x27;s dates" in html or "Record the clock's dates" in html


def test_no_warning_with_days_to_spare(client, clerk, case, court_a):
    SpeedyTrialSettings.objects.create(court=court_a, alert_days_remaining=5)
    client.force_login(clerk)

    html = client.get(case_url(case)).content.decode()

    assert "10 remaining" in html and "usa-alert--warning" not in html


def test_a_civil_case_has_no_panel_and_it_costs_nothing(
    client, clerk, civil_case, django_assert_num_queries
):
    client.force_login(clerk)
    html = client.get(case_url(civil_case)).content.decode()
    assert "panel-speedy_trial" not in html

    request = RequestFactory().get("/")
    request.user = clerk
    case_file = case_file_get(clerk, civil_case)
    with django_assert_num_queries(0):
        assert speedy_trial_panel_context(request, case_file) is None


def test_the_panel_of_a_criminal_case_is_one_query(case, clerk, today, django_assert_num_queries):
    for n in range(3):
        excludable_period_add(
            case=case, kind="pretrial_motion", starts_on=ago(today, 20 + n), by=clerk
        )
    request = RequestFactory().get("/")
    request.user = clerk
    case_file = case_file_get(clerk, case)

    with django_assert_num_queries(1):
        context = speedy_trial_panel_context(request, case_file)

    assert len(context["periods"]) == 3 and context["keeper"]


def test_clerk_records_dates_from_the_panel_and_returns_to_the_case(client, clerk, case, today):
    client.force_login(clerk)

    response = client.post(
        page_url(case, "dates"),
        {
            "next": "case",
            "clock-arrest_or_summons_on": ago(today, 70).isoformat(),
            "clock-indictment_on": ago(today, 60).isoformat(),
            "clock-first_appearance_on": ago(today, 60).isoformat(),
            "clock-counsel_appearance_on": ago(today, 60).isoformat(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#panel-speedy_trial"
    assert SpeedyTrialClock.objects.get(case=case).arrest_or_summons_on == ago(today, 70)
    event = AuditEvent.objects.filter(action="speedy_trial.clock_set").latest("id")
    assert list(event.details["changes"]) == ["arrest_or_summons_on"]


def test_a_future_date_is_shown_on_its_field(client, clerk, case, today):
    client.force_login(clerk)

    response = client.post(
        page_url(case, "dates"),
        {
            "clock-indictment_on": ago(today, 60).isoformat(),
            "clock-first_appearance_on": ago(today, 60).isoformat(),
            "clock-trial_started_on": (today + dt.timedelta(days=3)).isoformat(),
        },
    )

    assert response.status_code == 422
    form = response.context["panel"]["dates_form"]
    assert "trial_started_on" in form.errors
    assert "cannot be after today" in response.content.decode()


def test_ends_of_justice_without_reasons_is_refused_on_the_reason(client, clerk, case, today):
    client.force_login(clerk)

    response = client.post(
        page_url(case, "period_add"),
        {"period-kind": "ends_of_justice", "period-starts_on": today.isoformat()},
    )

    assert response.status_code == 422
    assert "3161(h)(7)(A)" in response.context["panel"]["period_form"].errors["reason"][0]
    assert not ExcludablePeriod.objects.exists()


def test_record_and_end_a_period_on_the_clocks_page(client, clerk, case, today):
    client.force_login(clerk)
    entry = case.docket_entries.order_by("seq").first()

    added = client.post(
        page_url(case, "period_add"),
        {
            "period-kind": "competency",
            "period-starts_on": ago(today, 5).isoformat(),
            "period-docket_entry": entry.seq,
        },
    )
    period = ExcludablePeriod.objects.get(case=case)
    page = client.get(page_url(case)).content.decode()
    ended = client.post(
        page_url(case, "period_end", period.pk),
        {f"end{period.pk}-ends_on": ago(today, 1).isoformat()},
    )

    assert added.status_code == 302 and period.docket_entry == entry
    assert "Paused" in page and "Ongoing" in page
    assert ended.status_code == 302 and ended["Location"] == page_url(case)
    period.refresh_from_db()
    assert period.ends_on == ago(today, 1)
    after = client.get(page_url(case)).content.decode()
    assert "55 of 70 used, 5 excluded · 15 remaining" in after  # 5..1 days ago excluded


def test_an_unknown_docket_entry_number_is_refused_on_its_field(client, clerk, case, today):
    client.force_login(clerk)

    response = client.post(
        page_url(case, "period_add"),
        {"period-kind": "pretrial_motion", "period-starts_on": today, "period-docket_entry": 99},
    )

    assert response.status_code == 422
    assert "docket_entry" in response.context["panel"]["period_form"].errors


def test_an_attorney_of_record_reads_without_forms_and_cannot_post(
    client, make_case, attorney, today
):
    case = make_case(attorneys=[attorney])
    client.force_login(attorney)

    page = client.get(page_url(case))
    post = client.post(page_url(case, "dates"), {"clock-indictment_on": today.isoformat()})

    assert page.status_code == 200 and page.context["panel"]["dates_form"] is None
    assert post.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied", actor=attorney)
    assert denied.details["case"] == case.number


def test_the_public_level_sees_excludable_delay_only(
    client, make_user, court_a, case, clerk, today
):
    excludable_period_add(
        case=case,
        kind="competency",
        starts_on=ago(today, 5),
        reason="Defense motion for a competency evaluation.",
        by=clerk,
    )
    outsider = make_user(Role.ATTORNEY, [court_a], username="not_of_record")
    client.force_login(outsider)

    html = client.get(page_url(case)).content.decode()

    assert "Excludable delay" in html
    assert "ompetency" not in html


def test_a_sealed_case_is_404_and_a_civil_case_has_no_clock(
    client, make_user, court_a, case, civil_case, clerk
):
    case.confidentiality = "sealed"
    case.save(update_fields=["confidentiality"])
    client.force_login(make_user(Role.ATTORNEY, [court_a], username="a_not_of_record"))
    assert client.get(page_url(case)).status_code == 404
    assert client.post(page_url(case, "dates"), {}).status_code == 404

    client.force_login(clerk)
    assert client.get(page_url(civil_case)).status_code == 404
