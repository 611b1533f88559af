"""The program pages over HTTP: the case file's Programs panel and its referral form, the
screening page, the participant page with its quick logging (htmx), flags and decisions.

Every page: 404 for records the user may not see (like missing ones), 403 (audited) for
writes by those who see but do not serve the program, refusals shown on the form with
their stable code, no 500 on bad input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseStatus, court_local_date
from cases.services import AppearanceInput
from programs.models import (
    ComplianceFlag,
    Consent,
    Enrollment,
    EnrollmentStatus,
    FlagStatus,
    ProgramResponse,
    Referral,
    ReferralStatus,
    Screening,
    ServiceEvent,
)
from tests.cases.factories import defendant, open_case

from .factories import defendant_party, drug_court, referral, service_site
from .page_data import enroll, flag

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return response.content.decode()


def denied(user) -> bool:
    return AuditEvent.objects.filter(actor=user, action="access.denied").exists()


@pytest.fixture
def made(program, case, coordinator):
    """A new referral of John Doe (grand theft, felony 3) to court A's drug court."""
    return referral(program, case, by=coordinator)


@pytest.fixture
def active(program, case, coordinator):
    """John Doe, active in phase 1 of the drug court for 20 days."""
    return enroll(program, case, by=coordinator, days_ago=20)


# --- the case file's Programs panel ---------------------------------------------------------


def case_url(case):
    return reverse("cases:detail", args=[case.court.code, case.number])


def panel_url(case, *, refer=False):
    name = "programs:case_refer" if refer else "programs:case"
    return reverse(name, args=[case.court.code, case.number])


def test_the_case_page_loads_the_panel_without_spending_queries(client, clerk, case):
    client.force_login(clerk)
    page = text(client.get(case_url(case)))
    assert 'id="panel-programs"' in page
    assert f'hx-get="{panel_url(case)}"' in page  # the body comes by htmx


def test_the_public_and_attorneys_not_of_record_get_no_panel(client, case, attorney):
    assert 'id="panel-programs"' not in text(client.get(case_url(case)))
    client.force_login(attorney)
    assert 'id="panel-programs"' not in text(client.get(case_url(case)))


def test_panel_lists_the_case_referrals_and_offers_the_form(client, clerk, case, made):
    client.force_login(clerk)

    body = text(client.get(panel_url(case), **HTMX))

    assert "Adult Drug Court" in body and "Referred" in body
    assert reverse("programs:referral", args=[made.pk]) in body
    assert "Refer to a program" in body
    assert "<html" not in body  # a fragment for htmx; a page of its own without


def test_panel_shows_nothing_of_another_courts_staff(client, coordinator_b, case, made):
    # The case is public; its program records are not (programs.querysets).
    client.force_login(coordinator_b)
    body = text(client.get(panel_url(case)))
    assert "Adult Drug Court" not in body
    assert "Refer to a program" not in body
    assert client.post(panel_url(case, refer=True), {}).status_code == 403


def test_panel_of_a_case_one_may_not_see_is_404(client, make_user, court_b, make_case):
    sealed = make_case(confidentiality="sealed")
    outsider = make_user(Role.CLERK, [court_b])
    client.force_login(outsider)
    assert client.get(panel_url(sealed)).status_code == 404
    assert client.post(panel_url(sealed, refer=True), {}).status_code == 404
    client.logout()
    assert client.post(panel_url(sealed, refer=True), {}).status_code == 404


def test_a_clerk_refers_the_defendant(client, clerk, case, program):
    client.force_login(clerk)
    party = defendant_party(case)

    response = client.post(
        panel_url(case, refer=True),
        {
            "refer-program": program.pk,
            "refer-participant": party.pk,
            "refer-source": "prosecutor",
            "refer-reason": "First offense.",
        },
    )

    made = Referral.objects.get(case=case)
    assert (made.participant, made.status, made.reason) == (party, "referred", "First offense.")
    # A clerk does not screen: back to the case page.
    assert response.status_code == 302 and response["Location"] == case_url(case)
    assert AuditEvent.objects.filter(action="referral.create", actor=clerk).exists()


def test_a_coordinator_referring_by_htmx_gets_the_panel_back(client, coordinator, case, program):
    client.force_login(coordinator)
    party = defendant_party(case)
    data = {
        "refer-program": program.pk,
        "refer-participant": party.pk,
        "refer-source": "judge",
    }

    response = client.post(panel_url(case, refer=True), data, **HTMX)
    again = client.post(panel_url(case, refer=True), data, **HTMX)

    assert response.status_code == 200 and "Referred to Adult Drug Court." in text(response)
    assert "REFERRAL_ALREADY_OPEN" in text(again)  # the refusal, with its code
    assert Referral.objects.filter(case=case).count() == 1


def test_an_attorney_of_record_may_refer(client, attorney, cr_type, clerk, program):
    case = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant()],
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )
    client.force_login(attorney)
    party = defendant_party(case)

    assert 'id="panel-programs"' in text(client.get(case_url(case)))
    response = client.post(
        panel_url(case, refer=True),
        {"refer-program": program.pk, "refer-participant": party.pk, "refer-source": "defense"},
    )

    assert response.status_code == 302
    assert Referral.objects.filter(case=case, source="defense").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "refer-program"),
        ({"refer-program": "abc", "refer-participant": "x", "refer-source": "judge"}, "program"),
        ({"refer-program": "999999", "refer-source": "nobody"}, "source"),
    ],
)
def test_refer_bad_input_is_422_with_field_errors(client, clerk, case, program, data, field):
    client.force_login(clerk)
    response = client.post(panel_url(case, refer=True), data)
    assert response.status_code == 422
    assert "usa-error-message" in text(response)
    assert not Referral.objects.exists()


def test_a_program_of_another_court_cannot_be_chosen(client, clerk, case, court_b):
    other = drug_court(court_b, code="BDRUG")
    client.force_login(clerk)
    response = client.post(
        panel_url(case, refer=True),
        {
            "refer-program": other.pk,
            "refer-participant": defendant_party(case).pk,
            "refer-source": "judge",
        },
    )
    assert response.status_code == 422
    assert not Referral.objects.exists()


# --- the screening page ---------------------------------------------------------------------


def referral_url(made, step=""):
    if not step:
        return reverse("programs:referral", args=[made.pk])
    return reverse(f"programs:referral_{step}", args=[made.pk])


def test_referral_pages_are_404_for_those_who_may_not_see_them(
    client, made, coordinator_b, attorney
):
    for user in (coordinator_b, attorney):  # another court; an attorney not of record
        client.force_login(user)
        assert client.get(referral_url(made)).status_code == 404
        assert client.post(referral_url(made, "screen"), {}).status_code == 404
        assert client.post(referral_url(made, "enroll"), {}).status_code == 404
    client.force_login(coordinator_b)
    assert client.get(reverse("programs:referral", args=[987654])).status_code == 404
    assert made.pk not in [r.pk for r in client.get("/programs/referrals/").context["page"]]


def test_the_public_is_sent_to_sign_in_or_gets_404(client, made):
    assert client.get("/programs/referrals/").status_code == 302
    assert client.get(referral_url(made)).status_code == 404
    assert client.post(referral_url(made, "offer")).status_code == 404


def test_a_clerk_sees_the_referral_but_may_not_screen_it(client, clerk, made):
    client.force_login(clerk)

    page = client.get(referral_url(made))
    response = client.post(referral_url(made, "screen"), {"screen-decision": "eligible"})

    assert page.status_code == 200 and "Screen the referral" not in text(page)
    assert response.status_code == 403
    assert denied(clerk)
    assert not Screening.objects.exists()


def test_needs_review_asks_for_a_decision_with_its_code(client, coordinator, made):
    # The drug court's consent criterion fails "to review": no consent recorded yet.
    client.force_login(coordinator)

    response = client.post(referral_url(made, "screen"), {})

    assert response.status_code == 422
    assert "DECISION_REQUIRED" in text(response)
    assert not Screening.objects.exists()


def test_screening_shows_each_criterion_with_its_result_and_reason(client, coordinator, made):
    client.force_login(coordinator)

    response = client.post(
        referral_url(made, "screen"),
        {
            "screen-decision": "eligible",
            "screen-decision_reason": "Consents will be taken at the offer.",
            "screen-notes": "Motivated.",
        },
        follow=True,
    )

    page = text(response)
    screening = Screening.objects.get(referral=made)
    assert screening.decision == "eligible" and screening.outcome == "needs_review"
    for result in screening.results:
        assert result["reason"] in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert "Criminal cases only" in page and "Needs review" in page and "Met" in page
    assert "The facts the screening used" in page
    made.refresh_from_db()
    assert made.status == ReferralStatus.SCREENED
    assert "Offer the program" in page


def test_consent_offer_and_enroll_lead_to_the_participant_page(client, coordinator, made, case):
    client.force_login(coordinator)
    client.post(
        referral_url(made, "screen"),
        {"screen-decision": "eligible", "screen-decision_reason": "Consents pending."},
    )

    offered = client.post(referral_url(made, "offer"))
    consent = client.post(referral_url(made, "consents"), {"consent-kind": "participant"})
    enrolled = client.post(referral_url(made, "enroll"), {})

    assert offered.status_code == consent.status_code == 302
    enrollment = Enrollment.objects.get(referral=made)
    assert enrolled.status_code == 302
    assert enrolled["Location"] == reverse("programs:enrollment", args=[enrollment.pk])
    assert enrollment.status == EnrollmentStatus.ACTIVE
    case.refresh_from_db()
    assert case.status == CaseStatus.INACTIVE


def test_enrolling_without_the_participants_consent_is_refused_with_its_code(
    client, coordinator, made
):
    Referral.objects.filter(pk=made.pk).update(status=ReferralStatus.OFFERED)
    client.force_login(coordinator)

    response = client.post(referral_url(made, "enroll"), {})

    assert response.status_code == 422 and "CONSENT_REQUIRED" in text(response)
    assert not Enrollment.objects.exists()


def test_a_full_program_waitlists_with_a_message(
    client, coordinator, court_a, cr_type, clerk, make_case
):
    small = drug_court(court_a, code="SMALL", capacity=1, criteria=False)
    enroll(small, make_case(), by=coordinator)
    waiting = referral(small, make_case(), by=coordinator)
    Referral.objects.filter(pk=waiting.pk).update(status=ReferralStatus.OFFERED)
    Consent.objects.create(
        referral=waiting,
        kind="participant",
        given_on=court_local_date(court_a),
        recorded_by=coordinator,
    )
    client.force_login(coordinator)

    response = client.post(referral_url(waiting, "enroll"), {}, follow=True)

    assert "is waitlisted" in text(response)
    assert Enrollment.objects.get(referral=waiting).status == EnrollmentStatus.WAITLISTED


@pytest.mark.parametrize(
    "step, data",
    [
        ("consents", {"consent-kind": "stranger"}),
        ("consents", {"consent-kind": "participant", "consent-given_on": "2026-13-45"}),
        ("consents", {"consent-kind": "participant", "consent-given_on": "2999-01-01"}),
        ("screen", {"screen-decision": "maybe"}),
        ("decline", {"decline-reason": ""}),
        ("withdraw", {}),
        ("enroll", {"enroll-enrolled_on": "yesterday"}),
    ],
)
def test_screening_page_bad_input_is_422_never_500(client, coordinator, made, step, data):
    client.force_login(coordinator)
    response = client.post(referral_url(made, step), data)
    assert response.status_code == 422
    assert "usa-alert--error" in text(response)


def test_offering_an_unscreened_referral_is_refused_with_its_code(client, coordinator, made):
    client.force_login(coordinator)
    response = client.post(referral_url(made, "offer"))
    assert response.status_code == 422 and "REFERRAL_NOT_SCREENED" in text(response)


def test_withdraw_a_referral(client, coordinator, made):
    client.force_login(coordinator)
    response = client.post(referral_url(made, "withdraw"), {"withdraw-reason": "Case dismissed."})
    made.refresh_from_db()
    assert response.status_code == 302 and made.status == ReferralStatus.WITHDRAWN


def test_the_referral_list_filters_by_status(client, coordinator, made):
    client.force_login(coordinator)
    assert [r.pk for r in client.get("/programs/referrals/").context["page"]] == [made.pk]
    closed = client.get("/programs/referrals/", {"status": "declined"})
    assert list(closed.context["page"]) == []
    assert client.get("/programs/referrals/", {"status": "<x>", "page": "x"}).status_code == 200


# --- the participant page -------------------------------------------------------------------


def enrollment_url(enrollment, name="enrollment", *args):
    return reverse(f"programs:{name}", args=[enrollment.pk, *args])


def test_participant_page_shows_header_progress_and_next_due(client, coordinator, active, case):
    client.force_login(coordinator)

    response = client.get(enrollment_url(active))

    page = text(response)
    assert response.status_code == 200
    assert "John Doe" in page and case.number in page and "Adult Drug Court" in page
    assert "Stabilization" in page and "20 (enrolled" in page
    # Accessible bars: a labelled <progress> and the words
    assert '<progress id="req-' in page
    assert "of 2 negative tests" in page
    assert "Next due" in page and "Log the test" in page


def test_participant_page_is_404_for_those_who_may_not_see_it(
    client, active, coordinator_b, attorney
):
    for user in (coordinator_b, attorney):
        client.force_login(user)
        assert client.get(enrollment_url(active)).status_code == 404
        url = enrollment_url(active, "enrollment_event", "drug_test")
        assert client.post(url, {"drug_test-result": "negative"}).status_code == 404


def test_a_clerk_reads_the_participant_page_but_may_not_log(client, clerk, active):
    client.force_login(clerk)
    page = client.get(enrollment_url(active))
    url = enrollment_url(active, "enrollment_event", "drug_test")
    response = client.post(url, {"drug_test-occurred_on": "2026-01-01"})
    assert page.status_code == 200 and "Log the test" not in text(page)
    assert response.status_code == 403 and denied(clerk)
    assert not ServiceEvent.objects.exists()


def test_logging_a_test_by_htmx_updates_the_progress_in_place(client, coordinator, active):
    client.force_login(coordinator)
    today = court_local_date(active.case.court)
    url = enrollment_url(active, "enrollment_event", "drug_test")

    response = client.post(
        url,
        {"drug_test-occurred_on": today.isoformat(), "drug_test-result": "negative"},
        **HTMX,
    )

    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="participant-live">')  # no page around it
    assert "Logged: drug tests on" in body
    assert 'hx-swap-oob="true"' in body  # the timeline too
    event = ServiceEvent.objects.get(enrollment=active)
    assert (event.kind, event.drug_test_result) == ("drug_test", "negative")


def test_a_positive_test_must_name_the_substance(client, coordinator, active):
    client.force_login(coordinator)
    url = enrollment_url(active, "enrollment_event", "drug_test")
    today = court_local_date(active.case.court).isoformat()

    response = client.post(
        url, {"drug_test-occurred_on": today, "drug_test-result": "positive"}, **HTMX
    )

    assert response.status_code == 200  # htmx swaps the form back with its errors
    assert "Name what the test found." in text(response)
    assert not ServiceEvent.objects.exists()


def test_logging_hours_shows_them_against_the_phase_requirement(
    client, coordinator, program, make_case, court_a
):
    second = enroll(program, make_case(), by=coordinator, phase=2, days_ago=30)
    site = service_site(court_a)
    client.force_login(coordinator)
    url = enrollment_url(second, "enrollment_event", "community_service")
    today = court_local_date(court_a).isoformat()

    response = client.post(
        url,
        {
            "community_service-occurred_on": today,
            "community_service-hours": "12",
            "community_service-site": site.pk,
            "community_service-supervisor_name": "Dana Lee",
        },
        **HTMX,
    )

    assert "12 of 40 hours" in text(response)
    assert ServiceEvent.objects.get(enrollment=second).hours == Decimal("12.00")


def test_without_htmx_logging_redirects_back(client, coordinator, active):
    client.force_login(coordinator)
    url = enrollment_url(active, "enrollment_event", "session")
    today = court_local_date(active.case.court).isoformat()
    response = client.post(
        url,
        {
            "session-occurred_on": today,
            "session-session": "counseling",
            "session-attendance": "attended",
        },
    )
    assert response.status_code == 302 and response["Location"] == enrollment_url(active)


@pytest.mark.parametrize(
    "kind, data",
    [
        ("community_service", {"community_service-hours": "abc"}),
        ("community_service", {"community_service-hours": "-4", "community_service-site": "x"}),
        ("drug_test", {"drug_test-occurred_on": "2999-01-01", "drug_test-result": "negative"}),
        ("session", {"session-session": "karaoke"}),
    ],
)
def test_logging_bad_input_is_422_never_500(client, coordinator, active, kind, data):
    client.force_login(coordinator)
    response = client.post(enrollment_url(active, "enrollment_event", kind), data)
    assert response.status_code == 422 and "usa-error-message" in text(response)
    assert not ServiceEvent.objects.exists()


def test_an_unknown_kind_of_event_is_404(client, coordinator, active):
    client.force_login(coordinator)
    assert client.post(enrollment_url(active, "enrollment_event", "party")).status_code == 404


def test_resolve_a_flag(client, coordinator, active):
    raised = flag(active)
    client.force_login(coordinator)
    page = text(client.get(enrollment_url(active)))

    response = client.post(
        enrollment_url(active, "flag_resolve", raised.pk), {"resolve-note": "Excused by judge."}
    )

    assert "Missed counseling" in page and "Resolve the flag" in page
    raised.refresh_from_db()
    assert response.status_code == 302 and raised.status == FlagStatus.RESOLVED


def test_resolving_needs_a_note_and_a_flag_of_this_enrollment(
    client, coordinator, active, program, make_case
):
    raised = flag(active)
    other = flag(enroll(program, make_case(), by=coordinator), key="event:9")
    client.force_login(coordinator)

    empty = client.post(enrollment_url(active, "flag_resolve", raised.pk), {})
    elsewhere = client.post(enrollment_url(active, "flag_resolve", other.pk), {"resolve-note": "x"})

    assert empty.status_code == 422
    assert elsewhere.status_code == 404
    assert ComplianceFlag.objects.filter(status=FlagStatus.OPEN).count() == 2


def test_record_a_sanction_for_a_flag(client, coordinator, active):
    raised = flag(active)
    client.force_login(coordinator)

    response = client.post(
        enrollment_url(active, "enrollment_response", "sanction"),
        {
            "sanction-flag": raised.pk,
            "sanction-action": "Essay on relapse triggers",
            "sanction-reason": "Missed counseling.",
        },
    )

    sanction = ProgramResponse.objects.get(enrollment=active)
    assert response.status_code == 302
    assert (sanction.kind, sanction.flag, sanction.action) == (
        "sanction",
        raised,
        "Essay on relapse triggers",
    )


def test_record_an_incentive_needs_a_reason(client, coordinator, active):
    client.force_login(coordinator)
    url = enrollment_url(active, "enrollment_response", "incentive")

    refused = client.post(url, {"incentive-action": "Praise from the bench"})
    done = client.post(
        url, {"incentive-action": "Praise from the bench", "incentive-reason": "30 clean days."}
    )

    assert refused.status_code == 422
    assert done.status_code == 302
    assert ProgramResponse.objects.get(enrollment=active).kind == "incentive"


def test_advancing_too_early_is_refused_with_the_blockers(client, coordinator, active):
    client.force_login(coordinator)

    response = client.post(enrollment_url(active, "enrollment_advance"), {})

    assert response.status_code == 422
    assert "PHASE_REQUIREMENTS_NOT_MET" in text(response)
    active.refresh_from_db()
    assert active.phase.number == 1


def test_advance_with_an_override_and_a_reason(client, coordinator, active):
    client.force_login(coordinator)
    response = client.post(
        enrollment_url(active, "enrollment_advance"),
        {"advance-override": "on", "advance-reason": "Judge's order of 2026-01-05."},
    )
    active.refresh_from_db()
    assert response.status_code == 302 and active.phase.number == 2


def test_terminate_makes_the_case_active_again(client, coordinator, active, case):
    from cases.services import case_transition

    case_transition(
        case=case, to=CaseStatus.INACTIVE, actor=coordinator, inactive_reason="diversion"
    )
    client.force_login(coordinator)

    refused = client.post(
        enrollment_url(active, "enrollment_terminate"), {"terminate-reason": "other"}
    )
    response = client.post(
        enrollment_url(active, "enrollment_terminate"),
        {"terminate-reason": "absconded", "terminate-note": "No contact for 30 days."},
    )

    assert refused.status_code == 422
    active.refresh_from_db()
    case.refresh_from_db()
    assert response.status_code == 302
    assert active.status == EnrollmentStatus.TERMINATED and case.status == CaseStatus.ACTIVE


def test_decisions_by_a_clerk_are_403(client, clerk, active):
    raised = flag(active)
    client.force_login(clerk)
    for url in (
        enrollment_url(active, "enrollment_advance"),
        enrollment_url(active, "enrollment_complete"),
        enrollment_url(active, "enrollment_terminate"),
        enrollment_url(active, "enrollment_admit"),
        enrollment_url(active, "enrollment_response", "incentive"),
        enrollment_url(active, "flag_resolve", raised.pk),
        enrollment_url(active, "flag_hearing", raised.pk),
    ):
        assert client.post(url, {}).status_code == 403, url


def test_the_timeline_lists_what_happened(client, coordinator, active):
    flag(active)
    client.force_login(coordinator)
    page = text(client.get(enrollment_url(active)))
    assert 'id="timeline"' in page
    assert "Missed counseling" in page


def test_an_ended_enrollment_has_no_forms(client, coordinator, program, make_case):
    ended = enroll(program, make_case(), by=coordinator, status="completed")
    client.force_login(coordinator)
    page = text(client.get(enrollment_url(ended)))
    assert "Log the test" not in page and "Terminate" not in page
    assert "Completed" in page


def test_schedule_a_review_hearing_bad_input_is_422(client, coordinator, active):
    raised = flag(active)
    client.force_login(coordinator)
    response = client.post(
        enrollment_url(active, "flag_hearing", raised.pk),
        {"hearing-date": "2026-02-30", "hearing-time": "25:00", "hearing-courtroom": "x"},
    )
    assert response.status_code == 422


def test_dates_in_the_log_default_to_the_courts_today(client, coordinator, active):
    client.force_login(coordinator)
    today = court_local_date(active.case.court)
    page = text(client.get(enrollment_url(active)))
    assert f'value="{today.isoformat()}"' in page
    assert today - dt.timedelta(days=20) == active.enrolled_on


def test_a_coordinator_schedules_a_review_hearing_about_a_flag(
    client, coordinator, active, court_a
):
    from casemgmt.core.selectors import court_days_off
    from docket.models import Hearing, Session
    from tests.docket.factories import courtroom

    room = courtroom(court_a, name="Courtroom 5")
    raised = flag(active)
    day = court_a.local_today() + dt.timedelta(weeks=3)
    while day.weekday() >= 5 or court_days_off(court=court_a, start=day, end=day):
        day += dt.timedelta(days=1)
    when = dt.datetime.combine(day, dt.time(14), tzinfo=court_a.tzinfo)
    Session.objects.create(  # the docket sets review hearings in a review session
        court=court_a,
        name="Drug court reviews",
        hearing_type="review",
        courtroom=room,
        date=day,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=2),
        capacity_cases=30,
    )
    data = {"hearing-date": day.isoformat(), "hearing-time": "14:00", "hearing-courtroom": room.pk}
    url = enrollment_url(active, "flag_hearing", raised.pk)

    # The program's coordinator sets review hearings (the docket lets them set that kind).
    client.force_login(coordinator)
    assert "Schedule the hearing" in text(client.get(enrollment_url(active)))
    done = client.post(url, data)

    assert done.status_code == 302, [
        line for line in text(done).splitlines() if "alert__text" in line or "error-message" in line
    ]
    hearing = Hearing.objects.get(case=active.case)
    assert hearing.hearing_type == "review"


def test_a_waitlisted_participant_is_admitted_when_a_place_is_free(
    client, coordinator, court_a, make_case
):
    small = drug_court(court_a, code="SMALL", capacity=1, criteria=False)
    first = enroll(small, make_case(), by=coordinator)
    waiting = enroll(small, make_case(), by=coordinator, status="waitlisted")
    Enrollment.objects.filter(pk=waiting.pk).update(phase=None, enrolled_on=None)
    client.force_login(coordinator)
    url = enrollment_url(waiting, "enrollment_admit")

    page = text(client.get(enrollment_url(waiting)))
    full = client.post(url, follow=True)
    Enrollment.objects.filter(pk=first.pk).update(
        status="completed", ended_on=court_local_date(court_a)
    )
    admitted = client.post(url, follow=True)

    assert "Admit now" in page and "Log the test" not in page
    assert "PROGRAM_FULL" in text(full)
    assert "Admitted from the waitlist" in text(admitted)
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.ACTIVE


@pytest.mark.parametrize("extra", [0, 10])
def test_participant_page_queries_do_not_grow_with_the_record(
    client, coordinator, active, extra, court_a, django_assert_max_num_queries
):
    site = service_site(court_a)
    for i in range(extra):
        flag(active, key=f"event:{i + 100}")
        hours_event = ServiceEvent.objects.create(
            enrollment=active,
            kind="community_service",
            occurred_on=active.enrolled_on,
            hours=Decimal("1"),
            site=site,
            recorded_by=coordinator,
        )
        assert hours_event.pk
    client.force_login(coordinator)

    # 20: the courtrooms of the review-hearing form (read once, offered under every flag).
    with django_assert_max_num_queries(20):
        response = client.get(enrollment_url(active))

    assert response.status_code == 200
