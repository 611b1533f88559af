"""The shell in a real browser: sign-in, each role's home page, accessibility (axe)."""

import pytest
from playwright.sync_api import expect

from casemgmt.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_accessible_and_keyboard_first(page, axe_check):
    page.goto("/login/")

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    axe_check(page)
    # The clerk can type at once: the username field has the focus.
    expect(page.get_by_label("Username")).to_be_focused()
    # The skip link is the first stop in the tab order and leads to the main landmark.
    first_stop = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select').textContent"
    )
    assert first_stop == "Skip to main content"
    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_public_home_is_accessible(page, axe_check, court_a):
    page.goto("/")

    expect(page.get_by_role("heading", name="Alpha County Court")).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("role", Role.values)
def test_each_role_signs_in_to_an_accessible_home(page, login, make_user, court_a, axe_check, role):
    user = make_user(role, [court_a])

    login(user)

    expect(page.get_by_role("heading", level=1)).to_contain_text(user.first_name)
    expect(page.get_by_text(Role(role).label).first).to_be_visible()
    axe_check(page)


def test_wrong_password_shows_an_error_and_keeps_the_username(page, clerk):
    page.goto("/login/")
    page.get_by_label("Username").fill(clerk.username)
    page.get_by_label("Password").fill("not-the-password")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("not right")
    expect(page.get_by_label("Username")).to_have_value(clerk.username)


def test_supervisor_filters_the_audit_log(page, login, supervisor, clerk, axe_check):
    login(supervisor)
    page.get_by_role("link", name="Audit log", exact=True).click()
    page.get_by_label("Action").fill("auth.login")
    page.get_by_role("button", name="Filter").click()

    assert "action=auth.login" in page.url
    expect(page.get_by_role("table")).to_contain_text("supervisor_a")
    axe_check(page)


def test_sign_out(page, login, clerk):
    login(clerk)
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CLERK])
def test_every_nav_item_is_on_screen_at_a_desktop_width(page, login, make_user, court_a, role):
    """The roles with the most items (a supervisor has about twenty) still see every
    item of the primary navigation on a 1280-pixel screen: the list wraps, never
    running off the edge."""
    page.set_viewport_size({"width": 1280, "height": 900})
    login(make_user(role, [court_a]))

    links = page.locator(".usa-nav__primary .usa-nav-link")
    assert links.count() > 8
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (
            link.inner_text(),
            box,
        )
