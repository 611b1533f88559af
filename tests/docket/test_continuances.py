"""Changing a hearing: reschedule, continue, vacate, cancel, record the outcome.

The rules:
* only a scheduled hearing is changed (HEARING_NOT_SCHEDULED, 409);
* a continuance closes the hearing as continued, with a reason from the court's list
  (some need a note), and sets the next hearing, linked (`continued_from`), with the
  same feed UID, the next SEQUENCE and the next setting number: how many times the
  date was set before it was held (NCSC CourTools measure 5, trial date certainty);
* a reschedule moves the same hearing (SEQUENCE + 1; another setting if the date moves);
* vacating or cancelling needs a reason and bumps SEQUENCE (the feed cancels the event);
* the outcome is recorded on or after the day (status held);
* every change writes the hearing's history, an audit record and a register entry, and
  a new setting notices the parties again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import DocketEntry, EventCode
from docket.models import ContinuanceReason, Hearing, HearingChange
from docket.services import (
    DEFAULT_CONTINUANCE_REASONS,
    continuance_reasons_install_defaults,
    hearing_cancel,
    hearing_continue,
    hearing_record_outcome,
    hearing_reschedule,
    hearing_schedule,
    hearing_vacate,
)
from filings.models import Notice
from tests.core.factories import CourtFactory
from tests.docket import factories

from .conftest import at, court_day

pytestmark = pytest.mark.django_db


def reason(court, code="defense-not-ready") -> ContinuanceReason:
    return ContinuanceReason.objects.get(court=court, code=code)


@pytest.fixture
def trial(make_case, room, clerk, day):
    case = make_case("Ames")
    return hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(case.court, day, 9),
        minutes=180,
        courtroom=room,
        scheduled_by=clerk,
    )


@pytest.fixture
def later(court_a):
    return court_day(court_a, weeks=6)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


# --- continuances -----------------------------------------------------------------------


def test_a_continuance_links_the_new_setting_and_counts_it(trial, clerk, court_a, later):
    # Given a trial set for the first time
    assert (trial.setting_number, trial.sequence) == (1, 0)

    # When the defense is not ready and it is continued to a later date
    new = hearing_continue(
        hearing=trial,
        reason=reason(court_a),
        note="Expert report outstanding.",
        starts_at=at(court_a, later, 9),
        by=clerk,
    )

    # Then the old hearing is closed as continued, with its reason
    trial.refresh_from_db()
    assert trial.status == "continued"
    assert trial.continuance_reason.code == "defense-not-ready"
    assert trial.status_reason == "Expert report outstanding."
    # ...and the new one is linked, the same feed event one SEQUENCE later, the 2nd setting
    assert new.continued_from == trial
    assert trial.continued_to == new
    assert new.feed_uid == trial.feed_uid
    assert (new.sequence, new.setting_number) == (1, 2)
    assert (new.status, new.date, new.courtroom) == ("scheduled", later, trial.courtroom)
    assert new.ends_at - new.starts_at == dt.timedelta(minutes=180)  # the old length
    # ...with history on both, a register entry, a notice of the new date and an audit
    assert list(trial.changes.values_list("kind", flat=True)) == ["scheduled", "continued"]
    assert list(new.changes.values_list("kind", flat=True)) == ["scheduled"]
    entry = DocketEntry.objects.filter(case=trial.case, event_code="HRGS").last()
    assert "continued (Defense not ready: Expert report outstanding.)" in entry.text
    assert f"{later:%Y-%m-%d}" in entry.text
    notices = Notice.objects.filter(case=trial.case).order_by("id")
    assert [n.context["hearing_date"] for n in notices] == [
        trial.date.isoformat(),
        later.isoformat(),
    ]
    event = AuditEvent.objects.get(action="hearing.continue")
    assert (event.details["reason"], event.details["new_hearing"]) == ("defense-not-ready", new.pk)


def test_trial_date_certainty_counts_every_setting(trial, clerk, court_a, later):
    # Given a trial continued twice, then held
    second = hearing_continue(
        hearing=trial, reason=reason(court_a), starts_at=at(court_a, later, 9), by=clerk
    )
    third_day = court_day(court_a, weeks=9)
    third = hearing_continue(
        hearing=second,
        reason=reason(court_a, "witness-unavailable"),
        starts_at=at(court_a, third_day, 9),
        by=clerk,
    )

    # Then the chain is one feed event, three settings deep
    chain = Hearing.objects.filter(feed_uid=trial.feed_uid).order_by("setting_number")
    assert [(h.setting_number, h.sequence, h.status) for h in chain] == [
        (1, 0, "continued"),
        (2, 1, "continued"),
        (3, 2, "scheduled"),
    ]
    assert third.continued_from.continued_from == trial


def test_a_continued_trial_may_take_an_overlapping_time(trial, clerk, court_a):
    # Rule: the continued setting no longer holds the room, so 10:00 the same day is free
    new = hearing_continue(
        hearing=trial,
        reason=reason(court_a, "court-calendar"),
        starts_at=at(court_a, trial.date, 10),
        by=clerk,
    )
    assert new.date == trial.date


def test_continuance_refusals(trial, clerk, court_a, court_b, later):
    other_court_reason = reason(court_b)
    cases = [
        (
            "a reason of the hearing's court",
            dict(reason=other_court_reason),
            ("CONTINUANCE_REASON_INVALID", "reason"),
        ),
        (
            "'Other' needs a note",
            dict(reason=reason(court_a, "other")),
            ("CONTINUANCE_NOTE_REQUIRED", "note"),
        ),
    ]
    for rule, kwargs, expected in cases:
        error = refused(
            lambda kwargs=kwargs: hearing_continue(
                hearing=trial, starts_at=at(court_a, later, 9), by=clerk, **kwargs
            )
        )
        assert (error.code, error.field) == expected, rule
    inactive = reason(court_a, "negotiations")
    inactive.is_active = False
    inactive.save()
    error = refused(
        lambda: hearing_continue(
            hearing=trial, reason=inactive, starts_at=at(court_a, later, 9), by=clerk
        )
    )
    assert error.code == "CONTINUANCE_REASON_INVALID"
    assert Hearing.objects.count() == 1


def test_a_continued_hearing_is_not_changed_again(trial, clerk, court_a, later):
    hearing_continue(
        hearing=trial, reason=reason(court_a), starts_at=at(court_a, later, 9), by=clerk
    )
    for call in (
        lambda: hearing_continue(
            hearing=trial, reason=reason(court_a), starts_at=at(court_a, later, 13), by=clerk
        ),
        lambda: hearing_vacate(hearing=trial, reason="No", by=clerk),
        lambda: hearing_reschedule(hearing=trial, starts_at=at(court_a, later, 13), by=clerk),
        lambda: hearing_record_outcome(hearing=trial, outcome="Held", by=clerk),
    ):
        error = refused(call)
        assert (error.code, error.status) == ("HEARING_NOT_SCHEDULED", 409)


def test_a_continuance_into_a_clash_needs_a_reason(
    trial, make_case, room2, clerk, attorney, court_a, later
):
    # Given the attorney of record has a trial in 5B on the later date
    from cases.services import appearance_enter

    appearance_enter(case=trial.case, attorney=attorney, party=None, actor=clerk)
    busy = make_case("Boyd", attorneys=[attorney])
    hearing_schedule(
        case=busy,
        hearing_type="trial",
        starts_at=at(court_a, later, 9),
        minutes=120,
        courtroom=room2,
        scheduled_by=clerk,
    )

    # When the trial is continued to that morning: refused, then allowed with a reason
    def go(**kw):
        return hearing_continue(
            hearing=trial, reason=reason(court_a), starts_at=at(court_a, later, 9), by=clerk, **kw
        )

    assert refused(go).code == "HEARING_CLASH"
    trial.refresh_from_db()
    assert trial.status == "scheduled"  # nothing changed
    new = go(override_reason="Counsel confirmed availability.")
    assert new.conflict_override_reason == "Counsel confirmed availability."


# --- reschedule ------------------------------------------------------------------------------


def test_a_reschedule_moves_the_same_hearing(trial, clerk, court_a, room2, later):
    # When the trial moves to 5B at 13:00 the same day, then to a later date
    moved = hearing_reschedule(
        hearing=trial, starts_at=at(court_a, trial.date, 13), courtroom=room2, by=clerk
    )
    assert (moved.pk, moved.courtroom, moved.sequence, moved.setting_number) == (
        trial.pk,
        room2,
        1,
        1,  # the same date: the same setting
    )
    moved = hearing_reschedule(hearing=moved, starts_at=at(court_a, later, 9), by=clerk)

    # Then it is the same hearing and feed event, a higher SEQUENCE, a second setting
    assert (moved.pk, moved.feed_uid, moved.sequence, moved.setting_number) == (
        trial.pk,
        trial.feed_uid,
        2,
        2,
    )
    assert list(moved.changes.values_list("kind", flat=True)) == [
        "scheduled",
        "rescheduled",
        "rescheduled",
    ]
    assert Notice.objects.filter(case=trial.case).count() == 3
    entry = DocketEntry.objects.filter(case=trial.case, event_code="HRGS").last()
    assert entry.text.startswith("Trial reset from ")
    assert AuditEvent.objects.filter(action="hearing.reschedule").count() == 2


def test_a_reschedule_into_another_trial_is_409(trial, make_case, room, clerk, court_a, later):
    other = hearing_schedule(
        case=make_case("Boyd"),
        hearing_type="trial",
        starts_at=at(court_a, later, 9),
        minutes=120,
        courtroom=room,
        scheduled_by=clerk,
    )
    error = refused(
        lambda: hearing_reschedule(hearing=trial, starts_at=at(court_a, later, 10), by=clerk)
    )
    assert (error.code, error.status) == ("HEARING_ROOM_CONFLICT", 409)
    assert other.case.number in error.message
    trial.refresh_from_db()
    assert (trial.date, trial.sequence) != (later, 1)


def test_a_stacked_hearing_moves_within_its_full_session(
    make_case, make_session, room, clerk, court_a, day
):
    # Given a full calendar (1 case)
    make_session(day, capacity_cases=1)
    hearing = hearing_schedule(
        case=make_case(),
        hearing_type="status",
        starts_at=at(court_a, day, 9),
        minutes=10,
        courtroom=room,
        scheduled_by=clerk,
    )
    # When it moves to 10:00 in the same session, it does not count against itself
    moved = hearing_reschedule(hearing=hearing, starts_at=at(court_a, day, 10), by=clerk)
    assert moved.session_id == hearing.session_id


# --- vacate, cancel, outcome ----------------------------------------------------------------


def test_vacating_needs_a_reason_and_cancels_the_feed_event(trial, clerk):
    # Without a reason: refused
    error = refused(lambda: hearing_vacate(hearing=trial, reason="  ", by=clerk))
    assert (error.code, error.field) == ("REASON_REQUIRED", "reason")

    # With one: vacated, SEQUENCE + 1, history, register and audit
    vacated = hearing_vacate(hearing=trial, reason="Defendant entered a plea.", by=clerk)
    assert (vacated.status, vacated.status_reason, vacated.sequence) == (
        "vacated",
        "Defendant entered a plea.",
        1,
    )
    assert vacated.changes.last().kind == "vacated"
    entry = DocketEntry.objects.filter(case=trial.case).order_by("seq").last()
    assert entry.event_code == "HRGV"
    assert entry.text.endswith("vacated: Defendant entered a plea.")
    event = AuditEvent.objects.get(action="hearing.vacate")
    assert event.details["reason"] == "Defendant entered a plea."
    # the parties are told the hearing is off, and the audit names the notice
    notice = Notice.objects.get(case=trial.case, kind="hearing_cancelled")
    assert notice.context["reason"] == "Defendant entered a plea."
    assert event.details["notice"] == notice.pk
    # ...and it cannot be vacated twice
    assert refused(lambda: hearing_vacate(hearing=trial, reason="Again", by=clerk)).status == 409


def test_a_court_without_the_hrgv_code_records_hrgs_in_words(trial, clerk, court_a):
    EventCode.objects.filter(court=court_a, code="HRGV").delete()
    hearing_vacate(hearing=trial, reason="Case dismissed.", by=clerk)
    entry = DocketEntry.objects.filter(case=trial.case).order_by("seq").last()
    assert entry.event_code == "HRGS"
    assert entry.text.endswith("vacated: Case dismissed.")


def test_cancelling(trial, clerk):
    cancelled = hearing_cancel(hearing=trial, reason="Set in error.", by=clerk)
    assert (cancelled.status, cancelled.sequence) == ("cancelled", 1)
    assert AuditEvent.objects.filter(action="hearing.cancel").count() == 1


def test_the_outcome_is_recorded_on_the_day(make_case, room, clerk, court_a):
    # Given a trial today and one next week (made directly: today may be a day off)
    today = court_a.local_today()
    case = make_case()
    held_today = factories.hearing(
        case, scheduled_by=clerk, day=today, hearing_type="trial", room=room
    )
    future = factories.hearing(
        case, scheduled_by=clerk, day=today + dt.timedelta(days=7), hearing_type="trial", room=room
    )

    # When the outcomes are recorded
    error = refused(lambda: hearing_record_outcome(hearing=future, outcome="Held", by=clerk))
    held = hearing_record_outcome(hearing=held_today, outcome="Jury verdict: not guilty.", by=clerk)

    # Then a future hearing is refused, today's is held with its outcome
    assert (error.code, error.field) == ("HEARING_NOT_YET", "outcome")
    assert (held.status, held.outcome) == ("held", "Jury verdict: not guilty.")
    assert held.changes.last().kind == "held"
    entry = DocketEntry.objects.filter(case=case).order_by("seq").last()
    assert entry.text == "Trial held in Courtroom 2A: Jury verdict: not guilty."
    assert AuditEvent.objects.filter(action="hearing.outcome").count() == 1
    assert refused(lambda: hearing_record_outcome(hearing=held, outcome="x", by=clerk)).code == (
        "HEARING_NOT_SCHEDULED"
    )


def test_changes_need_a_record_keeper(trial, attorney, court_a, later):
    error = refused(lambda: hearing_vacate(hearing=trial, reason="No", by=attorney))
    assert (error.code, error.status) == ("NOT_A_RECORD_KEEPER", 403)
    error = refused(
        lambda: hearing_continue(
            hearing=trial, reason=reason(court_a), starts_at=at(court_a, later, 9), by=attorney
        )
    )
    assert error.status == 403


# --- the history is append-only; the reasons are data -----------------------------------------


def test_hearing_history_is_append_only(trial):
    change = trial.changes.get()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE docket_hearingchange SET reason = 'x' WHERE id = %s", [change.pk])


def test_every_new_court_gets_the_default_continuance_reasons():
    court = CourtFactory(code="newcourt")
    codes = set(ContinuanceReason.objects.filter(court=court).values_list("code", flat=True))
    assert codes == {code for code, _label, _note in DEFAULT_CONTINUANCE_REASONS}
    assert ContinuanceReason.objects.get(court=court, code="other").requires_note
    # ...and installing them again adds nothing
    assert continuance_reasons_install_defaults(court=court) == 0
    assert HearingChange.objects.count() == 0


# --- the hearing's page ---------------------------------------------------------------------


def detail_url(hearing) -> str:
    return reverse("hearings:detail", args=[hearing.pk])


def test_the_page_shows_the_hearing_and_its_forms_to_the_clerk(client, trial, clerk):
    client.force_login(clerk)
    page = client.get(detail_url(trial))
    assert page.status_code == 200
    body = page.content.decode()
    assert trial.case.number in body and "Courtroom 2A" in body
    for heading in ("Continue", "Move", "Vacate", "History"):
        assert f">{heading}</h2>" in body
    assert "Record the outcome" not in body  # its day has not come


def test_the_clerk_continues_from_the_page(client, trial, clerk, court_a, later):
    # When the clerk continues the trial with a reason from the list
    client.force_login(clerk)
    response = client.post(
        reverse("hearings:continue", args=[trial.pk]),
        {
            "continue-reason": reason(court_a, "witness-unavailable").pk,
            "continue-note": "Officer on leave.",
            "continue-date": later.isoformat(),
            "continue-time": "09:00",
            "continue-minutes": "180",
            "continue-courtroom": trial.courtroom_id,
            "continue-judge": "",
            "continue-override_reason": "",
        },
    )

    # Then the new hearing's page opens, linked back to the continued one
    new = Hearing.objects.get(continued_from=trial)
    assert response.status_code == 302
    assert response.url == detail_url(new)
    page = client.get(response.url).content.decode()
    assert "Continued from" in page and "Setting 2" in page
    old = client.get(detail_url(trial)).content.decode()
    assert "Witness unavailable" in old and "Officer on leave." in old
    assert ">Continue</h2>" not in old  # no more changes to a continued hearing


def test_a_refused_continuance_shows_the_field_error(client, trial, clerk, court_a, later):
    client.force_login(clerk)
    response = client.post(
        reverse("hearings:continue", args=[trial.pk]),
        {
            "continue-reason": reason(court_a, "other").pk,
            "continue-note": "",
            "continue-date": later.isoformat(),
            "continue-time": "09:00",
            "continue-minutes": "60",
            "continue-courtroom": trial.courtroom_id,
        },
    )
    assert response.status_code == 200
    assert response.context["continue_form"].errors["note"] == [
        "“Other (explained in the note)” needs a note."
    ]
    trial.refresh_from_db()
    assert trial.status == "scheduled"


def test_the_clerk_vacates_from_the_page(client, trial, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("hearings:vacate", args=[trial.pk]), {"vacate-reason": "Plea entered."}
    )
    assert response.status_code == 302
    trial.refresh_from_db()
    assert (trial.status, trial.status_reason) == ("vacated", "Plea entered.")


def test_the_continue_form_checks_clashes_live(
    client, trial, make_case, room2, clerk, attorney, court_a, later
):
    from cases.services import appearance_enter

    appearance_enter(case=trial.case, attorney=attorney, party=None, actor=clerk)
    busy = make_case("Boyd", attorneys=[attorney])
    hearing_schedule(
        case=busy,
        hearing_type="trial",
        starts_at=at(court_a, later, 9),
        minutes=120,
        courtroom=room2,
        scheduled_by=clerk,
    )
    client.force_login(clerk)
    check = client.post(
        reverse("hearings:change_check", args=[trial.pk, "continue"]),
        {
            "continue-reason": reason(court_a).pk,
            "continue-date": later.isoformat(),
            "continue-time": "10:00",
            "continue-minutes": "60",
            "continue-courtroom": trial.courtroom_id,
        },
    )
    assert check.status_code == 200
    assert busy.number in check.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("clerk_b", 404), ("outsider", 404), ("public", 404), ("attorney", 200)]
)
def test_the_page_of_a_confidential_case_is_404_to_those_who_may_not_see_it(
    client, make_case, room, clerk, day, who, status, clerk_b, outsider, attorney
):
    # Rule: Case.objects.visible_to; an attorney of record sees it, without the forms
    case = make_case("Ames", confidentiality="confidential", attorneys=[attorney])
    hearing = hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(case.court, day, 9),
        minutes=60,
        courtroom=room,
        scheduled_by=clerk,
    )
    if who != "public":
        client.force_login({"clerk_b": clerk_b, "outsider": outsider, "attorney": attorney}[who])
    response = client.get(detail_url(hearing))
    assert response.status_code == status
    if status == 200:
        assert ">Continue</h2>" not in response.content.decode()
        assert ">History</h2>" not in response.content.decode()
        forbidden = client.post(
            reverse("hearings:vacate", args=[hearing.pk]), {"vacate-reason": "x"}
        )
        assert forbidden.status_code == 403


def test_the_interpreter_need_is_not_shown_to_the_public(client, make_case, room, clerk, day):
    case = make_case("Ames", interpreter="es")
    hearing = hearing_schedule(
        case=case,
        hearing_type="trial",
        starts_at=at(case.court, day, 9),
        minutes=60,
        courtroom=room,
        scheduled_by=clerk,
    )
    assert ">Interpreter</dt>" not in client.get(detail_url(hearing)).content.decode()
    client.force_login(clerk)
    assert ">Interpreter</dt>" in client.get(detail_url(hearing)).content.decode()
