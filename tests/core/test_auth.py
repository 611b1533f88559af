"""Sign-in rules (CJIS Security Policy 5.5 / 5.6): lockout, idle timeout, passwords, tokens."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.core.models import AuditEvent, AuditOutcome, CourtMembership
from casemgmt.core.roles import Role
from casemgmt.core.services import api_token_create, api_token_revoke

LOGIN = reverse("core:login")


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_succeeds_with_new_session_key_and_is_audited(client, clerk, password):
    client.get(LOGIN)
    client.session.save()
    anonymous_key = client.session.session_key

    response = _login(client, clerk.username, password)

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session.session_key != anonymous_key  # no session fixation
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == clerk
    assert event.outcome == AuditOutcome.SUCCESS
    assert event.ip_address == "127.0.0.1"


def test_failed_login_is_audited_as_denied(client, clerk):
    response = _login(client, clerk.username, "wrong-password-123")

    assert response.status_code == 200
    assert "not right" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.outcome == AuditOutcome.DENIED
    assert event.actor is None
    assert event.actor_username == clerk.username
    assert event.object_id == str(clerk.pk)


def test_unknown_username_is_audited_too(client, db):
    _login(client, "nobody-here", "wrong-password-123")

    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_username == "nobody-here"
    assert event.object_id == ""


def test_five_failures_lock_the_account_for_ten_minutes(client, clerk, password):
    # CJIS 5.5.3: after 5 consecutive failures the account locks for 10 minutes.
    with time_machine.travel(dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(4):
            assert _login(client, clerk.username, "wrong-password-123").status_code == 200
        fifth = _login(client, clerk.username, "wrong-password-123")
        assert fifth.status_code == 429
        assert AuditEvent.objects.filter(action="auth.lockout", outcome="denied").count() == 1

        # The 6th attempt is refused even with the right password, and audited.
        sixth = _login(client, clerk.username, password)
        assert sixth.status_code == 429
        assert "locked" in sixth.content.decode()
        assert "_auth_user_id" not in client.session
        refused = AuditEvent.objects.filter(action="auth.login_failed").order_by("-id").first()
        assert refused.details["reason"] == "locked_out"
        assert refused.outcome == AuditOutcome.DENIED

    with time_machine.travel(dt.datetime(2026, 3, 2, 14, 9, 30, tzinfo=dt.UTC), tick=False):
        assert _login(client, clerk.username, password).status_code == 429  # still locked

    with time_machine.travel(dt.datetime(2026, 3, 2, 14, 10, 30, tzinfo=dt.UTC), tick=False):
        response = _login(client, clerk.username, password)
        assert response.status_code == 302
        assert AuditEvent.objects.filter(action="auth.login", actor=clerk).exists()


def test_lockout_of_one_account_does_not_lock_another(client, clerk, supervisor, password):
    for _ in range(5):
        _login(client, clerk.username, "wrong-password-123")

    assert _login(client, supervisor.username, password).status_code == 302


def test_idle_session_expires_after_thirty_minutes(client, clerk, password):
    start = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _login(client, clerk.username, password)
        assert client.get(reverse("core:account")).status_code == 200

    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("core:account")).status_code == 200  # activity resets the clock

    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get(reverse("core:account")).status_code == 200

    with time_machine.travel(start + dt.timedelta(minutes=58 + 31), tick=False):
        response = client.get(reverse("core:account"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in client.session
        logout = AuditEvent.objects.get(action="auth.logout")
        assert logout.details == {"reason": "idle_timeout"}
        assert client.get(reverse("core:account")).status_code == 302


def test_logout_is_post_only_and_audited(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("core:logout")).status_code == 405

    response = client.post(reverse("core:logout"))

    assert response.status_code == 302
    assert AuditEvent.objects.get(action="auth.logout").details == {"reason": "user"}


@pytest.mark.parametrize(
    "candidate",
    ["short-pw-1", "123456789012345", "password12345", "clerk_a-court"],
)
def test_weak_passwords_are_refused(clerk, candidate):
    with pytest.raises(ValidationError):
        validate_password(candidate, user=clerk)


def test_password_of_twelve_characters_is_accepted(clerk):
    validate_password("Nv7#kq2Lm9xZ", user=clerk)


def test_password_change_is_audited(client, clerk, password):
    client.force_login(clerk)

    response = client.post(
        reverse("core:password_change"),
        {
            "old_password": password,
            "new_password1": "a-much-better-pass-77",
            "new_password2": "a-much-better-pass-77",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.password_change")
    assert event.actor == clerk
    assert event.object_id == str(clerk.pk)


def test_role_and_court_grants_are_audited(clerk, court_b, supervisor):
    clerk.role = Role.SUPERVISOR
    clerk.save()
    CourtMembership.objects.create(user=clerk, court=court_b)
    CourtMembership.objects.filter(user=clerk, court=court_b).delete()

    change = AuditEvent.objects.get(action="user.role_change", object_id=str(clerk.pk))
    assert change.details == {"changes": {"role": ["clerk", "supervisor"]}}
    grants = AuditEvent.objects.filter(object_id=str(clerk.pk), court=court_b)
    assert list(grants.order_by("id").values_list("action", flat=True)) == [
        "user.court_grant",
        "user.court_revoke",
    ]


def test_page_for_another_role_is_refused_and_audited(client, clerk):
    client.force_login(clerk)

    response = client.get(reverse("core:audit_list"))

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.actor == clerk
    assert denied.outcome == AuditOutcome.DENIED
    assert denied.details["path"] == "/audit/"


def test_public_is_sent_to_login_for_staff_pages(client, db):
    response = client.get(reverse("core:audit_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- API tokens ---------------------------------------------------------------------


def test_api_token_authenticates_and_only_its_digest_is_stored(client, attorney):
    token, key = api_token_create(user=attorney, name="docketing")

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    token.refresh_from_db()
    assert key not in (token.digest, token.prefix)
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()


def test_revoked_and_expired_tokens_are_refused(client, attorney, clerk):
    revoked, revoked_key = api_token_create(user=attorney, name="old")
    api_token_revoke(token=revoked, actor=attorney)
    _expiring, expiring_key = api_token_create(
        user=attorney, name="short", expires_at=timezone.now() + dt.timedelta(hours=1)
    )

    for key in (revoked_key, "cm_not-a-real-key"):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401
        assert response.json()["code"] == "NOT_AUTHENTICATED"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {expiring_key}")
        assert response.status_code == 401


def test_token_form_refuses_blank_name_with_field_error(client, attorney):
    client.force_login(attorney)

    response = client.post(reverse("core:account"), {"name": "  "})

    assert response.status_code == 200
    assert response.context["token_form"].errors["name"]
    assert not attorney.api_tokens.exists()


def test_token_page_shows_new_key_once_and_revokes(client, attorney):
    client.force_login(attorney)

    response = client.post(reverse("core:account"), {"name": "firm system"})
    key = response.context["new_key"]
    assert key.startswith("cm_") and key in response.content.decode()
    assert key not in client.get(reverse("core:account")).content.decode()

    token = attorney.api_tokens.get()
    client.post(reverse("core:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, attorney, clerk):
    token, _key = api_token_create(user=attorney, name="mine")
    client.force_login(clerk)

    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_me_answers_the_caller_and_refuses_the_public(client, attorney):
    _token, key = api_token_create(user=attorney, name="x")

    body = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").json()
    anonymous = client.get("/api/v1/me/")

    assert body["username"] == attorney.username
    assert body["role"] == "attorney"
    assert [c["code"] for c in body["courts"]] == ["alpha"]
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "code": "NOT_AUTHENTICATED",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }
