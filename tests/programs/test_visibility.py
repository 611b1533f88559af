"""Who sees program records (issue 8, done when: "A coordinator sees only participants of
their programs' courts; sealed and juvenile rules of the case apply to program records too
(404 for others)").

Program records are treatment information: never public. The negative cases (STYLE.md):
another court's coordinator, an attorney not of record, the public, and a clerk of the
court on a sealed case without a grant each get nothing (404). The court's coordinator
sees; an attorney of record sees but does not write.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.services import appearance_enter
from programs.models import Enrollment, Referral
from programs.selectors import enrollment_get_visible, referral_get_visible
from programs.services import event_record, referral_withdraw
from tests.cases.factories import CaseTypeFactory, open_case

from .factories import defendant_party
from .steps import enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(program, case, coordinator):
    return enrolled(program, case, by=coordinator)


def sees(user, enrollment) -> bool:
    """Whether `user` sees the enrollment and its referral, by every way in."""
    listed = Enrollment.objects.visible_to(user).filter(pk=enrollment.pk).exists()
    referral_listed = Referral.objects.visible_to(user).filter(pk=enrollment.referral_id).exists()
    try:
        enrollment_get_visible(user, enrollment.pk)
        referral_get_visible(user, enrollment.referral_id)
        got = True
    except Http404:
        got = False
    assert listed == referral_listed == got
    return got


def test_the_court_coordinator_sees(participant, coordinator):
    assert sees(coordinator, participant)


@pytest.mark.parametrize("who", ["coordinator_b", "supervisor_b", "attorney", "public"])
def test_others_see_nothing(participant, who, request):
    user = AnonymousUser() if who == "public" else request.getfixturevalue(who)
    assert not sees(user, participant)
    # ...and a write answers 404 as for a record that does not exist
    with pytest.raises(Http404):
        event_record(
            enrollment=participant,
            kind="counseling",
            occurred_on=participant.enrolled_on,
            attendance="attended",
            by=user,
        )


def test_a_sealed_case_hides_its_program_records_from_a_coordinator_without_a_grant(
    participant, coordinator, clerk, supervisor
):
    participant.case.confidentiality = "sealed"
    participant.case.save(update_fields=["confidentiality"])

    assert not sees(coordinator, participant)
    assert not sees(clerk, participant)
    # The court's supervisor sees sealed cases of the court, as for the case itself.
    assert sees(supervisor, participant)


def test_a_grant_on_the_sealed_case_lets_the_coordinator_see(participant, coordinator):
    from guardian.shortcuts import assign_perm

    participant.case.confidentiality = "sealed"
    participant.case.save(update_fields=["confidentiality"])
    assign_perm("cases.view_sealed_case", coordinator, participant.case)
    fresh = type(coordinator).objects.get(pk=coordinator.pk)  # no memoized grants

    assert sees(fresh, participant)


def test_juvenile_program_records_follow_the_case(court_a, coordinator, make_user, clerk):
    from .factories import drug_court

    jv = CaseTypeFactory(court=court_a, code="JV", category=CaseCategory.JUVENILE)
    case = open_case(case_type=jv, opened_by=clerk)
    program = drug_court(court_a, code="JDC", criteria=False)
    participant = enrolled(program, case, by=coordinator)
    lawyer = make_user(Role.ATTORNEY, [court_a], username="jv_lawyer")

    assert sees(coordinator, participant)
    assert not sees(lawyer, participant)
    assert not sees(AnonymousUser(), participant)


def test_an_attorney_of_record_sees_but_does_not_write(participant, clerk, make_user):
    lawyer = make_user(Role.ATTORNEY, [], username="counsel_of_record")
    case = participant.case
    appearance_enter(case=case, attorney=lawyer, party=defendant_party(case), actor=clerk)

    assert sees(lawyer, participant)
    with pytest.raises(DomainError) as err:
        event_record(
            enrollment=participant,
            kind="counseling",
            occurred_on=participant.enrolled_on,
            attendance="attended",
            by=lawyer,
        )
    assert (err.value.code, err.value.status) == ("PROGRAM_STAFF_ONLY", 403)
    with pytest.raises(DomainError) as err:
        referral_withdraw(referral=participant.referral, reason="Client asks", by=lawyer)
    assert err.value.code == "PROGRAM_STAFF_ONLY"


def test_a_withdrawn_attorney_no_longer_sees(participant, clerk, make_user):
    from cases.services import appearance_withdraw

    lawyer = make_user(Role.ATTORNEY, [], username="former_counsel")
    case = participant.case
    appearance = appearance_enter(
        case=case, attorney=lawyer, party=defendant_party(case), actor=clerk
    )
    appearance_withdraw(appearance=appearance, actor=clerk)

    assert not sees(lawyer, participant)
