"""Home pages, court switching, the audit page and /healthz."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from casemgmt.core.audit import audit_record
from casemgmt.core.models import AuditEvent, AuditOutcome, Court, CourtMembership, User
from casemgmt.core.roles import Role
from casemgmt.core.services import court_closure_declare


def test_public_home_lists_courts_and_their_closures(client, court_a, clerk):
    court_closure_declare(
        court=court_a,
        date=dt.date.today() + dt.timedelta(days=3),
        reason="Hurricane",
        declared_by=clerk,
    )

    response = client.get(reverse("core:home"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Alpha County Court" in body
    assert "Hurricane" in body
    assert 'href="/login/"' in body
    assert 'href="/calendar/?court=alpha"' in body  # the court's hearings of the day


@pytest.mark.parametrize("role", Role.values)
def test_each_role_has_a_home_page(client, make_user, court_a, role, django_assert_max_num_queries):
    user = make_user(role, [court_a])
    client.force_login(user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("core:home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert Role(role).label in body
    assert "Alpha County Court" in body


def test_home_panels_follow_the_role(client, supervisor, attorney):
    client.force_login(supervisor)
    assert "Recent activity in your courts" in client.get("/").content.decode()
    client.force_login(attorney)
    body = client.get("/").content.decode()
    assert "Your bar registration" in body
    assert "Recent activity" not in body
    assert "Audit log" not in body  # nav item is the supervisor's


def test_court_switch_only_to_granted_courts(client, clerk, court_a, court_b):
    client.force_login(clerk)

    client.post(reverse("core:court_switch"), {"court": court_b.pk})

    assert client.get("/").context["active_court"] == court_a
    assert AuditEvent.objects.filter(action="access.denied", actor=clerk).exists()

    CourtMembership.objects.create(user=clerk, court=court_b)
    client.post(reverse("core:court_switch"), {"court": court_b.pk})
    assert client.get("/").context["active_court"] == court_b


def test_supervisor_sees_only_their_courts_events(
    client, supervisor, supervisor_b, court_a, court_b, clerk
):
    audit_record(action="case.open", actor=clerk, court=court_a, details={})
    audit_record(action="case.open", actor=supervisor_b, court=court_b, details={})
    audit_record(action="auth.login", actor=supervisor_b)  # court-less, colleague of B only
    client.force_login(supervisor)

    response = client.get(reverse("core:audit_list"))

    events = list(response.context["page"])
    assert all(e.court in (court_a, None) for e in events)
    assert not any(e.actor == supervisor_b for e in events)
    assert any(e.court == court_a for e in events)


def test_supervisor_sees_failed_logins_against_colleagues(client, supervisor, clerk):
    client.post(reverse("core:login"), {"username": clerk.username, "password": "wrong-one-123"})
    client.force_login(supervisor)

    response = client.get(reverse("core:audit_list"), {"action": "auth.login_failed"})

    assert [e.actor_username for e in response.context["page"]] == [clerk.username]


def test_audit_filters_are_in_the_url_and_validated(client, supervisor, clerk, court_a):
    audit_record(action="case.open", actor=clerk, court=court_a, outcome=AuditOutcome.DENIED)
    audit_record(action="payment.post", actor=clerk, court=court_a)
    client.force_login(supervisor)

    response = client.get(reverse("core:audit_list"), {"outcome": "denied", "actor": "clerk_a"})
    assert [e.action for e in response.context["page"]] == ["case.open"]

    response = client.get(
        reverse("core:audit_list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors


def test_audit_page_has_a_query_budget(
    client, supervisor, clerk, court_a, django_assert_max_num_queries
):
    for i in range(60):
        audit_record(action=f"test.{i}", actor=clerk, court=court_a)
    client.force_login(supervisor)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:audit_list"))

    assert len(response.context["page"]) == 50
    assert response.context["page"].has_next


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_database_redis_and_a_live_worker(client, celery_worker_process):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"]
    assert body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["workers"] >= 1


def test_healthz_answers_503_naming_the_part_that_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["error"]


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Court.objects.count(), User.objects.count(), CourtMembership.objects.count())
    call_command("seed_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (Court.objects.count(), User.objects.count(), CourtMembership.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Court.objects.values_list("code", flat=True)) >= {"sarasota", "denver"}


def test_court_closure_refuses_a_second_closure_the_same_day(court_a, clerk):
    from casemgmt.core.errors import DomainError

    day = dt.date(2026, 9, 9)
    court_closure_declare(court=court_a, date=day, reason="Storm", declared_by=clerk)
    with pytest.raises(DomainError) as err:
        court_closure_declare(court=court_a, date=day, reason="Storm again", declared_by=clerk)
    assert err.value.code == "COURT_ALREADY_CLOSED"
    assert AuditEvent.objects.filter(action="court.closure_declare").count() == 1
