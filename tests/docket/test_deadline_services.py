"""Deadlines on cases (docket.deadline_services): opened by the court's rules when an entry
is recorded, set by hand from an order, closed as met, waived or vacated.

The rules (the court's defaults, docket.deadline_services.DEFAULT_DEADLINE_RULES):
* a docket entry opens each matching rule's deadline once, however often its handler
  runs (a unique key per entry and rule);
* the trigger is the entry's date, or for "hearing_start" the start of the hearing it
  records, counted backward for periods before it (FRCP 6(a)(5));
* the owner is the attorney of record for the responsible party, else no one;
* a later entry with a code the rule names meets the earliest open deadline of it;
  resetting, continuing or vacating a hearing vacates what was counted from it;
* every act is audited; closed deadlines stay closed (409); only the clerk's office
  sets and closes them (403); a case out of sight is 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.services import (
    AppearanceInput,
    PartyInput,
    appearance_withdraw,
    docket_entry_record,
)
from docket.deadline_services import (
    HandDeadline,
    deadline_mark_met,
    deadline_open_from_entry,
    deadline_set_by_hand,
    deadline_vacate,
    deadline_waive,
    deadlines_on_docket_entry,
)
from docket.models import ContinuanceReason, Deadline, DeadlineRule, DeadlineStatus
from docket.services import hearing_continue, hearing_reschedule, hearing_schedule, hearing_vacate
from tests.cases.factories import CaseTypeFactory, open_case

from .conftest import at, court_day

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def make_civil_type(court):
    return CaseTypeFactory(court=court, code="CV", category=CaseCategory.CIVIL)


def make_defense(make_user, court):
    """The defendant's attorney (Pat Defense) in the tests of this and sibling modules."""
    return make_user(Role.ATTORNEY, [court], username="defense_a", last_name="Defense")


@pytest.fixture
def cv_type(court_a):
    return make_civil_type(court_a)


@pytest.fixture
def defense(make_user, court_a):
    return make_defense(make_user, court_a)


@pytest.fixture
def plaintiffs_attorney(make_user, court_a):
    return make_user(Role.ATTORNEY, [court_a], username="plaintiff_a", last_name="Plaintiff")


def civil_case(cv_type, clerk, *, for_defendant=(), for_plaintiff=(), **kwargs):
    """A civil case: plaintiff (party 0) v. defendant (party 1), with attorneys of record."""
    return open_case(
        case_type=cv_type,
        opened_by=clerk,
        parties=[
            PartyInput(role="plaintiff", first_name="Ann", last_name="Smith"),
            PartyInput(role="defendant", first_name="Bob", last_name="Jones"),
        ],
        appearances=[AppearanceInput(attorney=a, party_index=1) for a in for_defendant]
        + [AppearanceInput(attorney=a, party_index=0) for a in for_plaintiff],
        **kwargs,
    )


def record(case, code, clerk, *, on=None, obj=None, text=None):
    return docket_entry_record(
        case=case,
        event_code=code,
        text=text or f"{code} entry",
        recorded_by=clerk,
        entry_date=on,
        obj=obj,
    )


def deadlines_of(case, **filters):
    return list(Deadline.objects.filter(case=case, **filters).order_by("due_on", "id"))


# --- opening from the register -----------------------------------------------------------------


def test_service_returned_opens_the_answer_due_with_its_steps_and_owner(
    cv_type, clerk, defense, plaintiffs_attorney
):
    # Given a civil case with an attorney of record for each side
    case = civil_case(cv_type, clerk, for_defendant=[defense], for_plaintiff=[plaintiffs_attorney])

    # When service is returned on Saturday 2025-03-01
    entry = record(case, "SRVC", clerk, on=D("2025-03-01"))

    # Then the answer is due 21 days later, Sat 2025-03-22 rolled to Mon 2025-03-24
    # (FRCP 12(a)(1)(A)(i); FRCP 6(a)(1)(C)), owned by the defendant's attorney
    (answer,) = deadlines_of(case)
    assert answer.name == "Answer due"
    assert answer.due_on == D("2025-03-24")
    assert answer.due_at is None
    assert answer.trigger_entry == entry and answer.trigger_on == D("2025-03-01")
    assert answer.rule.citation == "FRCP 12(a)(1)(A)(i)"
    assert answer.responsible_role == "defendant"
    assert answer.owner == defense
    assert answer.status == DeadlineStatus.OPEN
    assert answer.steps[0] == f"Docket entry #{entry.seq} (SRVC) on Sat 2025-03-01."
    assert any("2025-03-24" in s and "6(a)(1)(C)" in s for s in answer.steps[1:])
    audit = AuditEvent.objects.get(action="deadline.open", object_id=str(answer.pk))
    assert audit.actor == clerk and audit.case_number == case.number
    assert audit.details["due_on"] == "2025-03-24"


def test_a_docket_entry_opens_a_rules_deadline_once_however_often_the_handler_runs(cv_type, clerk):
    # Given a motion recorded (the subscriber opened "Response to motion due")
    case = civil_case(cv_type, clerk)
    entry = record(case, "MOTN", clerk, on=D("2025-03-03"))
    assert len(deadlines_of(case)) == 1

    # When the handler runs again for the same entry, twice, by both ways in
    deadlines_on_docket_entry(entry)
    again = deadline_open_from_entry(entry=entry)

    # Then nothing more is opened, and the database refuses a second row outright
    assert again == []
    (response,) = deadlines_of(case)
    assert response.due_on == D("2025-03-17")  # 14 days after Mon 2025-03-03
    assert AuditEvent.objects.filter(action="deadline.open").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            case=case,
            court=case.court,
            rule=response.rule,
            trigger_entry=entry,
            name="again",
            due_on=response.due_on,
        )


def test_an_entry_no_rule_cares_about_opens_nothing(cv_type, clerk):
    case = civil_case(cv_type, clerk)
    record(case, "NOTC", clerk)
    assert deadlines_of(case) == []


@pytest.mark.parametrize(
    "defendant_attorney, withdrawn, owner",
    [
        (True, False, "defense"),  # the attorney of record for the defendant
        (False, False, None),  # only the plaintiff has an attorney: no one
        (True, True, None),  # the defendant's attorney withdrew: no one
    ],
)
def test_the_owner_is_the_responsible_partys_attorney_else_no_one(
    cv_type, clerk, defense, plaintiffs_attorney, defendant_attorney, withdrawn, owner
):
    # Given a civil case, the defendant represented or not
    case = civil_case(
        cv_type,
        clerk,
        for_defendant=[defense] if defendant_attorney else [],
        for_plaintiff=[plaintiffs_attorney],
    )
    if withdrawn:
        appearance = case.appearances.get(attorney=defense)
        appearance_withdraw(appearance=appearance, actor=clerk, withdrawn_on=case.filed_on)

    # When service is returned
    record(case, "SRVC", clerk)

    # Then the answer due alerts the defendant's attorney, never the plaintiff's
    (answer,) = deadlines_of(case)
    assert answer.owner == (defense if owner else None)


# --- counted from a hearing's start ----------------------------------------------------------


TRIAL_DAY = D("2027-06-14")  # a Monday


@pytest.fixture
def trial(make_case, defense, room, clerk):
    case = make_case("Ames", attorneys=[defense])
    return hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(case.court, TRIAL_DAY, 9),
        minutes=480,
        courtroom=room,
        scheduled_by=clerk,
    )


def test_setting_a_trial_opens_pretrial_motions_due_counted_backward(trial):
    # When a trial is set for Mon 2027-06-14 at 09:00
    (motions,) = deadlines_of(trial.case)

    # Then pretrial motions are due 14 days before: Mon 2027-05-31 is Memorial Day, so
    # the count continues backward past Sunday and Saturday to Fri 2027-05-28
    # (FRCP 6(a)(5), 6(a)(1)(C))
    assert motions.name == "Pretrial motions due"
    assert motions.due_on == D("2027-05-28")
    assert motions.trigger_on == TRIAL_DAY
    assert motions.rule.trigger == "hearing_start" and motions.rule.direction == "before"
    assert motions.steps[0].startswith("Trial set to start Mon 2027-06-14 09:00")
    assert any("Memorial Day" in s for s in motions.steps)
    assert motions.owner is None  # the parties must act: nobody in particular


def test_only_the_hearing_types_a_rule_names_open_it(make_case, room, clerk):
    # A status conference is a hearing too, but the rule is about trials
    case = make_case("Bell")
    hearing_schedule(
        case=case,
        hearing_type="evidentiary",
        starts_at=at(case.court, TRIAL_DAY, 9),
        minutes=60,
        courtroom=room,
        scheduled_by=clerk,
    )
    assert deadlines_of(case) == []


def test_a_trial_set_too_soon_to_meet_a_period_before_it_opens_nothing(
    make_case, room, clerk, court_a
):
    # Given a trial set about ten days out: 14 days before it is already past
    case = make_case("Soon")
    day = court_day(court_a, weeks=1)
    hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(court_a, day, 9),
        minutes=120,
        courtroom=room,
        scheduled_by=clerk,
    )
    # Then no deadline nobody could meet is opened (the court sets one by hand)
    assert deadlines_of(case) == []


def test_resetting_the_trial_vacates_the_old_deadline_and_opens_the_new_one(trial, clerk):
    (old,) = deadlines_of(trial.case)

    # When the trial moves a week later, to Mon 2027-06-21
    hearing_reschedule(
        hearing=trial, starts_at=at(trial.court, D("2027-06-21"), 9), by=clerk, reason="Room"
    )

    # Then the old deadline is vacated (audited) and a new one counts from the new start
    old.refresh_from_db()
    assert old.status == DeadlineStatus.VACATED
    assert "reset" in old.status_reason
    (new,) = deadlines_of(trial.case, status=DeadlineStatus.OPEN)
    assert new.due_on == D("2027-06-07")  # Mon 2027-06-21 - 14 days, a Monday
    assert AuditEvent.objects.filter(action="deadline.vacate", object_id=str(old.pk)).exists()


def test_continuing_the_trial_moves_its_deadline_to_the_new_setting(trial, clerk):
    (old,) = deadlines_of(trial.case)

    # When the trial is continued to Mon 2027-07-12
    new_trial = hearing_continue(
        hearing=trial,
        reason=ContinuanceReason.objects.get(court=trial.court, code="defense-not-ready"),
        starts_at=at(trial.court, D("2027-07-12"), 9),
        by=clerk,
    )

    # Then the deadline of the old setting is vacated; the new setting opened its own
    old.refresh_from_db()
    assert old.status == DeadlineStatus.VACATED
    (new,) = deadlines_of(trial.case, status=DeadlineStatus.OPEN)
    assert new.trigger_entry.object_id == str(new_trial.pk)
    assert new.due_on == D("2027-06-28")


def test_vacating_the_trial_vacates_its_deadline(trial, clerk):
    (motions,) = deadlines_of(trial.case)
    hearing_vacate(hearing=trial, reason="Plea entered.", by=clerk)
    motions.refresh_from_db()
    assert motions.status == DeadlineStatus.VACATED
    assert "vacated" in motions.status_reason
    assert deadlines_of(trial.case, status=DeadlineStatus.OPEN) == []


# --- met by a later entry ----------------------------------------------------------------


def test_an_answer_meets_the_earliest_answer_due_one_at_a_time(cv_type, clerk):
    # Given service returned twice (two defendants), two answers due
    case = civil_case(cv_type, clerk)
    record(case, "SRVC", clerk, on=D("2025-03-03"))
    record(case, "SRVC", clerk, on=D("2025-03-10"))
    first, second = deadlines_of(case)

    # When one answer is filed
    answer = record(case, "ANSW", clerk, on=D("2025-03-20"))

    # Then it meets the earlier one only, by that entry, on its date (audited)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.met_by, first.status_date) == ("met", answer, D("2025-03-20"))
    assert second.status == DeadlineStatus.OPEN
    assert AuditEvent.objects.get(action="deadline.met").details["met_by"] == answer.seq

    # And a second answer meets the other
    record(case, "ANSW", clerk, on=D("2025-03-28"))
    second.refresh_from_db()
    assert second.status == DeadlineStatus.MET


def test_a_rule_without_meeting_codes_waits_for_the_clerk(trial, clerk):
    record(trial.case, "MOTN", clerk, text="Motion in limine")
    motions = Deadline.objects.get(case=trial.case, name="Pretrial motions due")
    assert motions.status == DeadlineStatus.OPEN


# --- by hand ---------------------------------------------------------------------------------


def test_a_clerk_sets_a_deadline_by_hand_with_a_due_date(cv_type, clerk, defense):
    case = civil_case(cv_type, clerk, for_defendant=[defense])
    order = record(case, "ORDR", clerk, text="Scheduling order")

    deadline = deadline_set_by_hand(
        case=case,
        data=HandDeadline(
            name="Discovery closes",
            reason="Scheduling order.",
            due_on=D("2027-02-01"),
            responsible_role="parties",
            owner=defense,
            order_entry=order,
        ),
        set_by=clerk,
    )

    assert deadline.rule is None and deadline.trigger_entry == order
    assert deadline.due_on == D("2027-02-01") and deadline.owner == defense
    assert deadline.steps[-1] == "Due Mon 2027-02-01, as ordered."
    audit = AuditEvent.objects.get(action="deadline.set")
    assert (
        audit.details["reason"] == "Scheduling order." and audit.details["order_entry"] == order.seq
    )


def test_a_period_set_by_hand_is_counted_with_mail_service_after_rolling(cv_type, clerk):
    case = civil_case(cv_type, clerk)

    # 14 days after Sat 2025-03-08 is Sat 2025-03-22 -> Mon 2025-03-24 (6(a)(1)(C));
    # served by mail, +3 after rolling -> Thu 2025-03-27 (FRCP 6(d))
    deadline = deadline_set_by_hand(
        case=case,
        data=HandDeadline(
            name="Reply due",
            reason="Order on briefing.",
            days=14,
            trigger_on=D("2025-03-08"),
            service="mail",
        ),
        set_by=clerk,
    )

    assert deadline.due_on == D("2025-03-27")
    assert deadline.service_method == "mail"
    assert any("6(d)" in s for s in deadline.steps)


@pytest.mark.parametrize(
    "data, code",
    [
        (dict(name="", reason="Order.", due_on=D("2027-01-04")), "DEADLINE_NAME_REQUIRED"),
        (dict(name="X due", reason=" ", due_on=D("2027-01-04")), "REASON_REQUIRED"),
        (dict(name="X due", reason="Order."), "DEADLINE_DUE_OR_PERIOD"),
        (
            dict(name="X due", reason="Order.", due_on=D("2027-01-04"), days=3),
            "DEADLINE_DUE_OR_PERIOD",
        ),
        (dict(name="X due", reason="Order.", days=10), "DEADLINE_TRIGGER_REQUIRED"),
        (
            dict(name="X due", reason="Order.", days=10, trigger_on=D("2025-01-02"), service="owl"),
            "SERVICE_METHOD_UNKNOWN",
        ),
    ],
)
def test_setting_by_hand_refuses_what_is_missing(cv_type, clerk, data, code):
    case = civil_case(cv_type, clerk)
    with pytest.raises(DomainError) as refused:
        deadline_set_by_hand(case=case, data=HandDeadline(**data), set_by=clerk)
    assert refused.value.code == code and refused.value.status == 422
    assert deadlines_of(case) == []


def test_only_the_clerks_office_of_the_court_sets_deadlines(
    cv_type, clerk, defense, make_user, court_b, outsider
):
    case = civil_case(cv_type, clerk, for_defendant=[defense], confidentiality="confidential")
    data = HandDeadline(name="X due", reason="Order.", due_on=D("2027-01-04"))
    # an attorney of record sees the case but does not keep its record: 403
    with pytest.raises(DomainError) as refused:
        deadline_set_by_hand(case=case, data=data, set_by=defense)
    assert (refused.value.code, refused.value.status) == ("NOT_A_RECORD_KEEPER", 403)
    # another court's clerk does not see this confidential case: 404
    with pytest.raises(Http404):
        deadline_set_by_hand(case=case, data=data, set_by=make_user(Role.CLERK, [court_b]))
    # the alert goes to someone on the case only
    with pytest.raises(DomainError) as refused:
        deadline_set_by_hand(
            case=case,
            data=HandDeadline(name="X", reason="Order.", due_on=D("2027-01-04"), owner=outsider),
            set_by=clerk,
        )
    assert refused.value.code == "OWNER_NOT_ON_CASE"


# --- met, waived, vacated -----------------------------------------------------------------


@pytest.fixture
def answer_due(cv_type, clerk):
    case = civil_case(cv_type, clerk)
    record(case, "SRVC", clerk, on=D("2025-03-03"))
    return Deadline.objects.get(case=case)


def test_the_clerk_marks_a_deadline_met_by_an_entry(answer_due, clerk):
    case = answer_due.case
    filed = record(case, "NOTC", clerk, on=D("2025-03-20"), text="Answer received by mail")

    met = deadline_mark_met(deadline=answer_due, by=clerk, met_by=filed)

    assert (met.status, met.met_by, met.status_date) == ("met", filed, D("2025-03-20"))
    audit = AuditEvent.objects.get(action="deadline.met")
    assert audit.details == {
        "from": "open",
        "to": "met",
        "on": "2025-03-20",
        "reason": "",
        "met_by": filed.seq,
        "due_on": "2025-03-24",
        "late": False,
    }


def test_met_says_how_and_closed_deadlines_stay_closed(answer_due, clerk, cv_type):
    with pytest.raises(DomainError) as refused:
        deadline_mark_met(deadline=answer_due, by=clerk)
    assert refused.value.code == "DEADLINE_MET_HOW"

    other = civil_case(cv_type, clerk)
    elsewhere = record(other, "NOTC", clerk)
    with pytest.raises(DomainError) as refused:
        deadline_mark_met(deadline=answer_due, by=clerk, met_by=elsewhere)
    assert refused.value.code == "ENTRY_OF_OTHER_CASE"

    deadline_mark_met(deadline=answer_due, by=clerk, reason="Answered in open court.")
    for close in (deadline_waive, deadline_vacate):
        with pytest.raises(DomainError) as refused:
            close(deadline=answer_due, by=clerk, reason="Too late.")
        assert (refused.value.code, refused.value.status) == ("DEADLINE_CLOSED", 409)


@pytest.mark.parametrize(
    "close, status, action",
    [
        (deadline_waive, DeadlineStatus.WAIVED, "deadline.waive"),
        (deadline_vacate, DeadlineStatus.VACATED, "deadline.vacate"),
    ],
)
def test_waiving_and_vacating_need_a_reason_and_are_audited(
    answer_due, clerk, close, status, action
):
    with pytest.raises(DomainError) as refused:
        close(deadline=answer_due, by=clerk, reason="")
    assert refused.value.code == "REASON_REQUIRED"

    closed = close(deadline=answer_due, by=clerk, reason="Stipulated extension by order.")

    assert closed.status == status
    assert closed.status_reason == "Stipulated extension by order."
    assert closed.status_date == answer_due.case.court.local_today()
    audit = AuditEvent.objects.get(action=action)
    assert audit.actor == clerk and audit.details["reason"] == "Stipulated extension by order."


def test_a_missed_deadline_may_still_be_met_late_and_the_audit_says_so(answer_due, clerk):
    Deadline.objects.filter(pk=answer_due.pk).update(status=DeadlineStatus.MISSED)
    late = record(answer_due.case, "NOTC", clerk, on=D("2025-04-02"), text="Answer, with leave")

    deadline_mark_met(deadline=answer_due, by=clerk, met_by=late)

    assert AuditEvent.objects.get(action="deadline.met").details["late"] is True


def test_closing_is_the_clerks_office_s(answer_due, make_user, court_a):
    judge = make_user(Role.JUDGE, [court_a])
    with pytest.raises(DomainError) as refused:
        deadline_waive(deadline=answer_due, by=judge, reason="Excused.")
    assert refused.value.code == "NOT_A_RECORD_KEEPER"
    answer_due.refresh_from_db()
    assert answer_due.status == DeadlineStatus.OPEN


def test_an_inactive_rule_opens_nothing(cv_type, clerk, court_a):
    DeadlineRule.objects.filter(court=court_a, event_code="SRVC").update(is_active=False)
    case = civil_case(cv_type, clerk)
    record(case, "SRVC", clerk)
    assert deadlines_of(case) == []
