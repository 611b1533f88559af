"""The public deadline calculator page (/deadlines/calculator/): the form, the answer with
its steps, htmx partials, and refusals on their fields."""

from __future__ import annotations

import re

import pytest

from tests.core.factories import CourtFactory

URL = "/deadlines/calculator/"

pytestmark = pytest.mark.django_db


def steps_of(html: str) -> list[str]:
    block = re.search(
        r'<ol class="usa-list cm-deadline__steps" id="deadline-steps">(.*?)</ol>', html, re.S
    )
    assert block, "no steps on the page"
    return [s.strip() for s in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_the_public_gets_the_form_with_the_federal_calendar_by_default(client, court_a):
    CourtFactory(code="gone", name="Gone Court", is_active=False)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="" selected>Federal (no court)</option>' in html
    assert "Alpha County Court" in html
    assert "Gone Court" not in html  # active courts only
    assert 'id="deadline-result"' not in html


def test_the_public_computes_a_deadline_and_reads_its_steps(client):
    # when the example is asked: 21 days after Sat Mar 1, 2025, served by mail
    response = client.get(
        URL,
        {
            "court": "",
            "trigger_date": "2025-03-01",
            "period": "21",
            "unit": "days",
            "direction": "after",
            "service": "mail",
        },
    )
    html = response.content.decode()
    # then the due date is shown, with the steps in order
    assert response.status_code == 200
    assert '<time datetime="2025-03-27">Thursday, March 27, 2025</time>' in html
    assert steps_of(html) == [
        "21 days after 2025-03-01 is Sat 2025-03-22",
        "Saturday -&gt; Mon 2025-03-24 (FRCP 6(a)(1)(C))",
        "mail service +3 -&gt; Thu 2025-03-27 (FRCP 6(d))",
    ]
    assert "FRCP 6(a)(1)(C); FRCP 6(d)" in html


def test_a_court_and_a_period_in_hours(client, court_b):
    # 24 hours from Thu July 3, 2025 10:00 in Denver end on Independence Day -> Monday
    response = client.get(
        URL,
        {
            "court": court_b.code,
            "trigger_date": "2025-07-03",
            "trigger_time": "10:00",
            "period": "24",
            "unit": "hours",
            "direction": "after",
            "service": "personal",
        },
    )
    html = response.content.decode()
    assert "Monday, July 7, 2025, 10:00 MDT" in html
    assert "America/Denver" in html
    assert 'datetime="2025-07-07T10:00:00-06:00"' in html


def test_htmx_gets_the_form_and_answer_only(client):
    response = client.get(
        URL,
        {
            "trigger_date": "2025-03-01",
            "period": "21",
            "unit": "days",
            "direction": "after",
            "service": "personal",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="deadline-calculator">')
    assert "<html" not in html
    assert "Monday, March 24, 2025" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"period": "0"}, "period", "The number of days must be at least 1."),
        ({"period": "3651"}, "period", "The number of days must be at most 3650."),
        ({"period": ""}, "period", "This field is required."),
        ({"trigger_date": ""}, "trigger_date", "This field is required."),
        ({"trigger_date": "1492-10-12"}, "trigger_date", "The trigger must fall between"),
        ({"unit": "hours"}, "trigger_time", "Give the time of the event for a period in hours."),
        ({"service": "pigeon"}, "service", "Select a valid choice."),
        ({"unit": "hours", "period": "8761"}, "period", "The number of hours must be at most"),
    ],
)
def test_refusals_are_shown_on_their_fields(client, params, field, message):
    data = {
        "trigger_date": "2025-03-01",
        "period": "21",
        "unit": "days",
        "direction": "after",
        "service": "personal",
    }
    data.update(params)
    response = client.get(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The deadline was not computed." in html
    assert f'id="id_{field}-error-1" role="alert">{message}' in html
    assert 'id="deadline-result"' not in html
    # the field says it is invalid and points at its error
    widget = re.search(rf'<[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in widget
    assert f"id_{field}-error-1" in widget


def test_signed_in_users_find_it_in_the_menu_and_the_public_on_the_home_page(client, clerk):
    public_home = client.get("/").content.decode()
    assert f'href="{URL}"' in public_home
    client.force_login(clerk)
    home = client.get("/").content.decode()
    assert f'href="{URL}"><span>Deadline calculator</span>' in home
