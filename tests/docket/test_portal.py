"""The attorney portal: "My cases" (docket status), "My calendar" (every court), the feed
URL page, the home panel; who gets in, what stays out, and the query budget."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from casemgmt.core.models import AuditEvent
from cases.models import Appearance, CaseCategory
from cases.services import AppearanceInput, appearance_withdraw, docket_entry_record
from docket.feeds import feed_token_digest
from docket.models import CalendarFeedToken, ContinuanceReason, Hearing, HearingStatus
from docket.portal import PORTAL_LATEST_ENTRIES, portal_case_page
from tests.cases.factories import CaseTypeFactory, defendant, open_case
from tests.docket.factories import courtroom, hearing


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def cr_type_b(court_b):
    return CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def soon(court_a):
    return court_a.local_today() + dt.timedelta(days=5)


def case_of_record(case_type, *, clerk, attorney, name="Marlowe", **kwargs):
    return open_case(
        case_type=case_type,
        opened_by=clerk,
        parties=[defendant(name)],
        appearances=[AppearanceInput(attorney, party_index=0)],
        **kwargs,
    )


@pytest.fixture
def own_case(cr_type, clerk, attorney):
    return case_of_record(cr_type, clerk=clerk, attorney=attorney)


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:cases", "portal:calendar", "portal:feed"])
def test_portal_pages_are_for_attorneys(client, clerk, attorney, name):
    url = reverse(name)
    # The public is sent to sign in
    assert client.get(url).status_code == 302
    # Court staff are refused (and the refusal is audited)
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=clerk).exists()
    # Attorneys get the page
    client.force_login(attorney)
    assert client.get(url).status_code == 200


def test_attorneys_see_my_cases_and_my_calendar_in_the_navigation(client, attorney):
    client.force_login(attorney)
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("portal:cases") in page
    assert reverse("portal:calendar") in page
    assert "Your next hearings" in page


# --- My cases -----------------------------------------------------------------------------


def test_my_cases_lists_the_cases_of_record_with_status_entries_and_next_hearing(
    client, attorney, clerk, own_case, cr_type, soon
):
    # Given the attorney's case with a hearing set, and a public case not theirs
    hearing(own_case, scheduled_by=clerk, day=soon, hour=14)
    not_mine = open_case(case_type=cr_type, opened_by=clerk, parties=[defendant("Stranger")])
    docket_entry_record(
        case=own_case, event_code="MOTN", text="Motion to suppress filed", recorded_by=clerk
    )
    # When the attorney opens My cases
    client.force_login(attorney)
    page = client.get(reverse("portal:cases")).content.decode()
    # Then their case is there with its status, latest entry and next hearing; the other not
    assert own_case.number in page
    assert own_case.caption in page
    assert "Filed" in page
    assert "Motion to suppress filed" in page
    assert f"{soon:%Y-%m-%d} 14:00" in page
    assert not_mine.number not in page
    # and the next open deadline the motion opened (the court's default MOTN rule)
    assert "Response to motion due" in page


def test_my_cases_shows_the_latest_entries_at_the_attorneys_level(attorney, clerk, own_case, soon):
    # Given a sealed entry and several entries the attorney may read
    docket_entry_record(
        case=own_case,
        event_code="MOTN",
        text="Sealed motion",
        recorded_by=clerk,
        confidentiality="sealed",
    )
    for n in range(4):
        docket_entry_record(case=own_case, event_code="MOTN", text=f"Motion {n}", recorded_by=clerk)
    docket_entry_record(
        case=own_case,
        event_code="MOTN",
        text="Another sealed motion",
        recorded_by=clerk,
        confidentiality="sealed",
    )
    # When the portal reads the page
    row = portal_case_page(attorney, page=1, now=own_case.created_at).object_list[0]
    # Then the latest entries are the newest ones the attorney may read, newest first
    texts = [e.text for e in row.latest_entries]
    assert len(texts) == PORTAL_LATEST_ENTRIES
    assert texts == ["Motion 3", "Motion 2", "Motion 1"]
    assert row.level == "confidential"


def test_my_cases_leaves_out_sealed_cases_without_a_grant_and_withdrawn_appearances(
    client, attorney, clerk, cr_type, own_case
):
    sealed = case_of_record(
        cr_type, clerk=clerk, attorney=attorney, name="Sealedname", confidentiality="sealed"
    )
    withdrawn = case_of_record(cr_type, clerk=clerk, attorney=attorney, name="Gone")
    appearance_withdraw(
        appearance=Appearance.objects.get(case=withdrawn, attorney=attorney), actor=clerk
    )
    client.force_login(attorney)
    page = client.get(reverse("portal:cases")).content.decode()
    assert own_case.number in page
    assert sealed.number not in page and "Sealedname" not in page
    assert withdrawn.number not in page
    # With a grant, the sealed case is theirs to see (and the read is audited)
    assign_perm("cases.view_sealed_case", attorney, sealed)
    page = client.get(reverse("portal:cases")).content.decode()
    assert sealed.number in page
    audit = AuditEvent.objects.get(action="case.read", actor=attorney)
    assert audit.details == {"surface": "portal.cases", "cases": [sealed.number]}


def test_my_cases_costs_the_same_queries_for_a_few_cases_or_many(
    client, attorney, clerk, cr_type, soon, django_assert_max_num_queries
):
    def add_cases(n):
        for i in range(n):
            case = case_of_record(cr_type, clerk=clerk, attorney=attorney, name=f"Party{i}")
            hearing(case, scheduled_by=clerk, day=soon, hour=8 + i % 9, minute=(i * 7) % 60)
            docket_entry_record(case=case, event_code="MOTN", text="Motion", recorded_by=clerk)

    client.force_login(attorney)
    add_cases(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("portal:cases")).status_code == 200
    add_cases(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("portal:cases"))
    assert response.status_code == 200
    # 25 to a page, no COUNT: the page says "more" only when there is a next page
    assert response.content.decode().count('scope="row"') == 22


def test_my_cases_pages_without_counting(client, attorney, clerk, cr_type):
    for i in range(27):
        case_of_record(cr_type, clerk=clerk, attorney=attorney, name=f"Party{i}")
    client.force_login(attorney)
    first = client.get(reverse("portal:cases")).content.decode()
    assert "Cases 1\N{EN DASH}25, more on the next page." in first
    second = client.get(reverse("portal:cases"), {"page": 2}).content.decode()
    assert "Cases 26\N{EN DASH}27." in second


# --- My calendar --------------------------------------------------------------------------


def test_my_calendar_lists_hearings_in_every_court_by_date(
    client, attorney, clerk, own_case, cr_type, cr_type_b, court_a, court_b, soon
):
    # Given hearings in the attorney's cases in two courts, a continued one, and a hearing
    # of a case that is not theirs
    case_b = case_of_record(cr_type_b, clerk=clerk, attorney=attorney, name="Denverite")
    later = hearing(own_case, scheduled_by=clerk, day=soon + dt.timedelta(days=2), hour=9)
    in_b = hearing(
        case_b, scheduled_by=clerk, day=soon, hour=10, room=courtroom(court_b, "Division 5")
    )
    reason, _ = ContinuanceReason.objects.get_or_create(
        court=court_a, code="other", defaults={"label": "Other"}
    )
    old = hearing(
        own_case,
        scheduled_by=clerk,
        day=soon,
        hour=8,
        status="continued",
        continuance_reason=reason,
    )
    stranger_case = open_case(case_type=cr_type, opened_by=clerk, parties=[defendant("Nope")])
    hearing(stranger_case, scheduled_by=clerk, day=soon, hour=11)
    past = hearing(own_case, scheduled_by=clerk, day=court_a.local_today() - dt.timedelta(days=3))
    # When the attorney opens My calendar
    client.force_login(attorney)
    response = client.get(reverse("portal:calendar"))
    page = response.content.decode()
    # Then their hearings from today on are listed by date, court B's in its own time
    assert [h.pk for h in response.context["page"]] == [in_b.pk, later.pk]
    assert "Division 5" in page and "Bravo District Court" in page
    assert re.search(r"10:00\N{EN DASH}10:30 M[DS]T", page)
    assert stranger_case.number not in page
    assert old.pk not in [h.pk for h in response.context["page"]]
    assert past.pk not in [h.pk for h in response.context["page"]]
    assert page.index(f"{soon:%B} {soon.day}, {soon.year}") < page.index(
        f"{later.date:%B} {later.date.day}, {later.date.year}"
    )
    # An earlier start date brings the past hearing back
    response = client.get(reverse("portal:calendar"), {"start": past.date.isoformat()})
    assert response.context["page"].object_list[0].pk == past.pk


def test_my_calendar_shows_vacated_hearings_as_such(client, attorney, clerk, own_case, soon):
    hearing(own_case, scheduled_by=clerk, day=soon, status="vacated", status_reason="Plea entered")
    client.force_login(attorney)
    page = client.get(reverse("portal:calendar")).content.decode()
    assert "<strong>Vacated</strong>: Plea entered" in page


def test_my_calendar_costs_a_fixed_number_of_queries(
    client, attorney, clerk, cr_type, soon, django_assert_max_num_queries
):
    client.force_login(attorney)

    def add(n):
        for i in range(n):
            case = case_of_record(cr_type, clerk=clerk, attorney=attorney, name=f"P{i}")
            hearing(case, scheduled_by=clerk, day=soon + dt.timedelta(days=i % 4), hour=9 + i % 8)

    add(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("portal:calendar"))
    add(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("portal:calendar")).status_code == 200


# --- the feed URL page ----------------------------------------------------------------------


def feed_url_on(page: str) -> str | None:
    found = re.search(r'id="feed-url">([^<]+)<', page)
    return found.group(1) if found else None


def test_the_feed_page_makes_rotates_and_revokes_the_secret_url(client, attorney, own_case, soon):
    client.force_login(attorney)
    url = reverse("portal:feed")
    assert "You have no active feed address." in client.get(url).content.decode()
    # When the attorney makes their feed URL
    response = client.post(url, {"action": "create"})
    page = response.content.decode()
    secret_url = feed_url_on(page)
    # Then it is shown once, with copy instructions, and never cached
    assert secret_url and secret_url.startswith("http://testserver/calendar/feeds/cf_")
    assert "Copy it now" in page and "webcal://testserver/calendar/feeds/cf_" in page
    assert "no-store" in response["Cache-Control"]
    secret = secret_url.rsplit("/", 1)[1].removesuffix(".ics")
    token = CalendarFeedToken.objects.get(user=attorney, revoked_at__isnull=True)
    assert token.token_hash == feed_token_digest(secret)
    assert client.get(secret_url.removeprefix("http://testserver")).status_code == 200
    # And a later visit does not show it again
    later = client.get(url).content.decode()
    assert feed_url_on(later) is None and secret not in later
    assert "Your feed address is active." in later
    # When they rotate it: a new URL, the old one dead
    rotated_url = feed_url_on(client.post(url, {"action": "rotate"}).content.decode())
    assert rotated_url and rotated_url != secret_url
    assert client.get(secret_url.removeprefix("http://testserver")).status_code == 404
    # When they revoke it: no URL works
    response = client.post(url, {"action": "revoke"}, follow=True)
    assert "was revoked" in response.content.decode()
    assert client.get(rotated_url.removeprefix("http://testserver")).status_code == 404
    # Each act was audited
    assert list(
        AuditEvent.objects.filter(action__startswith="calendar_feed_token.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "calendar_feed_token.create",
        "calendar_feed_token.rotate",
        "calendar_feed_token.revoke",
    ]


def test_the_feed_page_reports_a_refused_act(client, attorney):
    client.force_login(attorney)
    client.post(reverse("portal:feed"), {"action": "create"})
    response = client.post(reverse("portal:feed"), {"action": "create"}, follow=True)
    assert "FEED_TOKEN_EXISTS" in response.content.decode()
    assert CalendarFeedToken.objects.filter(user=attorney, revoked_at__isnull=True).count() == 1


def test_the_home_panel_lists_the_next_hearings(client, attorney, clerk, own_case, soon):
    hearing(own_case, scheduled_by=clerk, day=soon, hour=9)
    Hearing.objects.update(status=HearingStatus.SCHEDULED)
    client.force_login(attorney)
    page = client.get(reverse("core:home")).content.decode()
    assert own_case.number in page
    assert "Subscribe in your calendar application" in page


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_attorney_uses_the_portal_with_the_keyboard_and_it_is_accessible(
    page, login, axe_check, attorney, clerk, cr_type, court_a
):
    from playwright.sync_api import expect

    # Given a case of record with a hearing next week
    case = case_of_record(cr_type, clerk=clerk, attorney=attorney)
    day = court_a.local_today() + dt.timedelta(days=5)
    hearing(case, scheduled_by=clerk, day=day, hour=9)
    login(attorney)
    axe_check(page)  # the home page with the next-hearings panel
    # My cases
    page.get_by_role("link", name="My cases", exact=True).first.click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.get_by_role("link", name=case.number)).to_be_visible()
    axe_check(page)
    # My calendar
    page.get_by_role("link", name="My calendar", exact=True).first.click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(f"{day:%B} {day.day}")
    axe_check(page)
    # The feed URL, made from the keyboard and shown once
    page.get_by_role("link", name="Subscribe in your calendar application").click()
    page.get_by_role("button", name="Make my feed address").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#feed-url")).to_contain_text("/calendar/feeds/cf_")
    axe_check(page)
    feed_url = page.locator("#feed-url").inner_text()
    response = page.request.get(feed_url)
    assert response.status == 200 and "BEGIN:VEVENT" in response.text()
