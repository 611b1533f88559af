"""The attorney's iCal feed: secret URL lifecycle (audited), one VEVENT per hearing chain
with a stable UID and a rising SEQUENCE, cancellations, and who never appears in it."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm
from icalendar import Calendar

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import Appearance, CaseCategory
from cases.services import AppearanceInput, appearance_withdraw
from docket.feeds import (
    FEED_TOUCH_EVERY,
    calendar_feed_token_create,
    calendar_feed_token_revoke,
    calendar_feed_token_rotate,
)
from docket.models import CalendarFeedToken, ContinuanceReason, Hearing, HearingStatus, HearingType
from tests.cases.factories import CaseTypeFactory, defendant, open_case
from tests.docket.factories import courtroom, hearing


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def cr_type_b(court_b):
    return CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def jv_type(court_a):
    return CaseTypeFactory(
        court=court_a,
        code="JV",
        name="Juvenile delinquency",
        category=CaseCategory.JUVENILE,
        default_confidentiality="confidential",
        initial_event_code="PETN",
    )


@pytest.fixture
def soon(court_a):
    return court_a.local_today() + dt.timedelta(days=7)


@pytest.fixture
def own_case(cr_type, clerk, attorney):
    """A public criminal case where `attorney` is of record."""
    return open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Marlowe")],
        appearances=[AppearanceInput(attorney, party_index=0)],
    )


@pytest.fixture
def feed(client):
    """GET the feed at `secret`; returns (response, parsed calendar or None)."""

    def get(secret: str):
        response = client.get(reverse("portal:feed_ics", args=[secret]))
        parsed = Calendar.from_ical(response.content) if response.status_code == 200 else None
        return response, parsed

    return get


def events(calendar: Calendar) -> dict[str, object]:
    """VEVENTs by UID (a UID appearing twice would fail the test)."""
    found: dict[str, object] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, f"UID {uid} appears twice"
        found[uid] = event
    return found


def uid_of(h: Hearing) -> str:
    return f"{h.feed_uid}@casemgmt"


def test_the_feed_lists_the_attorneys_hearing_as_one_confirmed_event(
    own_case, attorney, clerk, soon, feed
):
    # Given a hearing in a case where the attorney is of record, and their feed URL
    h = hearing(own_case, scheduled_by=clerk, day=soon, hour=9, minutes=45)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    # When the calendar application reads the feed
    response, calendar = feed(secret)
    # Then it is iCalendar with one confirmed event for the hearing
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(calendar)
    assert list(found) == [uid_of(h)]
    event = found[uid_of(h)]
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == h.starts_at
    assert event.decoded("DTEND") == h.ends_at
    assert own_case.number in event["SUMMARY"]
    assert "Marlowe" in event["SUMMARY"]
    assert "Status conference" in event["SUMMARY"]
    assert "Courtroom 1" in event["LOCATION"]
    assert "Main courthouse" in event["LOCATION"]


def test_a_rescheduled_hearing_keeps_its_uid_with_a_higher_sequence(
    own_case, attorney, clerk, soon, feed
):
    # Given an event the calendar application already holds
    h = hearing(own_case, scheduled_by=clerk, day=soon, hour=9)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    _response, before = feed(secret)
    # When the hearing moves to the afternoon (a reschedule bumps the sequence)
    new_start = h.starts_at + dt.timedelta(hours=5)
    Hearing.objects.filter(pk=h.pk).update(
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(minutes=30),
        sequence=h.sequence + 1,
        updated_at=timezone.now(),
    )
    _response, after = feed(secret)
    # Then the same UID comes back with a higher SEQUENCE and the new time
    old_event, new_event = events(before)[uid_of(h)], events(after)[uid_of(h)]
    assert new_event["SEQUENCE"] > old_event["SEQUENCE"]
    assert new_event.decoded("DTSTART") == new_start


def continue_by_hand(old: Hearing, *, to_day: dt.date, by) -> Hearing:
    """A continuance as docket.models.Hearing describes it: the old link is closed
    (status continued, with a reason); the next one shares feed_uid, sequence + 1."""
    reason, _ = ContinuanceReason.objects.get_or_create(
        court=old.court, code="defense-not-ready", defaults={"label": "Defense not ready"}
    )
    Hearing.objects.filter(pk=old.pk).update(
        status=HearingStatus.CONTINUED, continuance_reason=reason, sequence=old.sequence + 1
    )
    return hearing(
        old.case,
        scheduled_by=by,
        day=to_day,
        hour=13,
        hearing_type=old.hearing_type,
        continued_from=old,
        feed_uid=old.feed_uid,
        sequence=old.sequence + 2,
        setting_number=old.setting_number + 1,
    )


def test_a_continued_hearing_is_one_event_moved_not_two(own_case, attorney, clerk, soon, feed):
    # Given a trial the attorney's calendar holds
    first = hearing(own_case, scheduled_by=clerk, day=soon, hearing_type=HearingType.TRIAL)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    _response, before = feed(secret)
    # When it is continued three weeks
    later = continue_by_hand(first, to_day=soon + dt.timedelta(days=21), by=clerk)
    _response, after = feed(secret)
    # Then the feed holds one event under the chain's UID: the new date, a higher SEQUENCE
    found = events(after)
    assert list(found) == [uid_of(first)]
    event = found[uid_of(first)]
    assert event["SEQUENCE"] > events(before)[uid_of(first)]["SEQUENCE"]
    assert event.decoded("DTSTART") == later.starts_at
    assert event["STATUS"] == "CONFIRMED"


@pytest.mark.parametrize("status", [HearingStatus.VACATED, HearingStatus.CANCELLED])
def test_a_vacated_or_cancelled_hearing_is_cancelled_in_the_feed(
    own_case, attorney, clerk, soon, feed, status
):
    # Given a hearing that the court then vacates (or cancels)
    h = hearing(own_case, scheduled_by=clerk, day=soon)
    Hearing.objects.filter(pk=h.pk).update(
        status=status, status_reason="Plea entered", sequence=h.sequence + 1
    )
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    # When the feed is read
    _response, calendar = feed(secret)
    # Then the event is still there (so clients remove it) with STATUS:CANCELLED
    event = events(calendar)[uid_of(h)]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_a_revoked_token_answers_404_like_an_unknown_one(own_case, attorney, clerk, soon, feed):
    # Given a feed URL that worked
    hearing(own_case, scheduled_by=clerk, day=soon)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    assert feed(secret)[0].status_code == 200
    # When the attorney revokes it
    calendar_feed_token_revoke(user=attorney, actor=attorney)
    revoked, _ = feed(secret)
    unknown, _ = feed("cf_" + "x" * 43)
    malformed, _ = feed("nothing-like-a-token")
    # Then it answers 404, with the very same body as a token that never existed
    assert revoked.status_code == unknown.status_code == malformed.status_code == 404
    assert revoked.content == unknown.content == malformed.content
    assert b"BEGIN:VCALENDAR" not in revoked.content


def test_rotating_kills_the_old_url_and_the_new_one_works(own_case, attorney, clerk, soon, feed):
    h = hearing(own_case, scheduled_by=clerk, day=soon)
    _old, old_secret = calendar_feed_token_create(user=attorney, actor=attorney)
    # When the attorney rotates the URL
    _new, new_secret = calendar_feed_token_rotate(user=attorney, actor=attorney)
    # Then the old URL is 404 and the new one lists the hearing
    assert feed(old_secret)[0].status_code == 404
    response, calendar = feed(new_secret)
    assert response.status_code == 200
    assert uid_of(h) in events(calendar)
    assert CalendarFeedToken.objects.filter(user=attorney, revoked_at__isnull=True).count() == 1


def test_a_sealed_case_where_the_attorney_is_not_of_record_never_appears(
    own_case, cr_type, attorney, clerk, soon, feed, make_user
):
    # Given the attorney's own hearing, and a sealed case with a hearing the same morning
    # in which another attorney is of record
    other = make_user(Role.ATTORNEY, [own_case.court], username="attorney_other")
    sealed = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Hidden")],
        confidentiality="sealed",
        appearances=[AppearanceInput(other, party_index=0)],
    )
    mine = hearing(own_case, scheduled_by=clerk, day=soon, hour=9)
    hidden = hearing(sealed, scheduled_by=clerk, day=soon, hour=10)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    # When the attorney's feed is read
    response, calendar = feed(secret)
    # Then only their own hearing is there; nothing of the sealed case, anywhere
    assert list(events(calendar)) == [uid_of(mine)]
    assert uid_of(hidden) not in events(calendar)
    assert sealed.number.encode() not in response.content
    assert b"Hidden" not in response.content


def test_a_sealed_case_of_record_needs_a_grant_and_then_shows_the_placeholder(
    cr_type, attorney, clerk, soon, feed
):
    # Given a sealed case where the attorney is of record but holds no grant
    sealed = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Sealedname")],
        confidentiality="sealed",
        appearances=[AppearanceInput(attorney, party_index=0)],
    )
    h = hearing(sealed, scheduled_by=clerk, day=soon)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    # Then the attorney may not see the case, so the feed does not list it
    _response, calendar = feed(secret)
    assert events(calendar) == {}
    # When the court grants the attorney access to the sealed case
    assign_perm("cases.view_sealed_case", attorney, sealed)
    response, calendar = feed(secret)
    # Then the hearing appears, under the court's placeholder caption (the feed leaves
    # the court's systems), never the sealed caption
    event = events(calendar)[uid_of(h)]
    assert sealed.number in event["SUMMARY"]
    assert sealed.court.sealed_caption_placeholder in event["SUMMARY"]
    assert b"Sealedname" not in response.content


def test_a_juvenile_case_of_record_shows_the_placeholder_caption(
    jv_type, attorney, clerk, soon, feed
):
    juvenile = open_case(
        case_type=jv_type, opened_by=clerk, appearances=[AppearanceInput(attorney, party_index=0)]
    )
    h = hearing(juvenile, scheduled_by=clerk, day=soon)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    response, calendar = feed(secret)
    event = events(calendar)[uid_of(h)]
    assert juvenile.court.sealed_caption_placeholder in event["SUMMARY"]
    assert juvenile.caption.encode() not in response.content


def test_a_withdrawn_appearance_takes_the_case_out_of_the_feed(
    own_case, attorney, clerk, soon, feed
):
    h = hearing(own_case, scheduled_by=clerk, day=soon)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    assert uid_of(h) in events(feed(secret)[1])
    # When the attorney withdraws from the case
    appearance_withdraw(
        appearance=Appearance.objects.get(case=own_case, attorney=attorney), actor=clerk
    )
    # Then the feed no longer lists its hearings (the case stays public; not theirs)
    assert events(feed(secret)[1]) == {}


def test_attorneys_not_of_record_and_other_courts_get_nothing(
    own_case, cr_type_b, clerk, soon, feed, make_user, court_a, court_b
):
    # Given hearings in a public case of court A and in a case of court B, and an
    # attorney of record in neither (a member of both courts)
    other_b = open_case(case_type=cr_type_b, opened_by=clerk, parties=[defendant("Bravo")])
    hearing(own_case, scheduled_by=clerk, day=soon)
    hearing(other_b, scheduled_by=clerk, day=court_b.local_today() + dt.timedelta(days=3))
    stranger = make_user(Role.ATTORNEY, [court_a, court_b], username="attorney_stranger")
    _token, secret = calendar_feed_token_create(user=stranger, actor=stranger)
    # When their feed is read
    response, calendar = feed(secret)
    # Then it is a valid, empty calendar: public cases are not "their" hearings
    assert response.status_code == 200
    assert events(calendar) == {}
    assert own_case.number.encode() not in response.content


def test_the_attorneys_hearings_in_every_court_are_listed(
    own_case, cr_type_b, attorney, clerk, soon, feed, court_b
):
    case_b = open_case(
        case_type=cr_type_b,
        opened_by=clerk,
        parties=[defendant("Denverite")],
        appearances=[AppearanceInput(attorney, party_index=0)],
    )
    a = hearing(own_case, scheduled_by=clerk, day=soon)
    b = hearing(case_b, scheduled_by=clerk, day=soon, room=courtroom(court_b, "Division 5"))
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    found = events(feed(secret)[1])
    assert set(found) == {uid_of(a), uid_of(b)}
    assert "Division 5" in found[uid_of(b)]["LOCATION"]


def test_the_feed_is_bounded_to_its_window(own_case, attorney, clerk, court_a, feed):
    today = court_a.local_today()
    recent = hearing(own_case, scheduled_by=clerk, day=today - dt.timedelta(days=30))
    hearing(own_case, scheduled_by=clerk, day=today - dt.timedelta(days=200))
    hearing(own_case, scheduled_by=clerk, day=today + dt.timedelta(days=800))
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    assert list(events(feed(secret)[1])) == [uid_of(recent)]


def test_the_feed_answers_conditional_requests_and_is_private(
    own_case, attorney, clerk, soon, client
):
    hearing(own_case, scheduled_by=clerk, day=soon)
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    url = reverse("portal:feed_ics", args=[secret])
    first = client.get(url)
    assert "private" in first["Cache-Control"]
    assert first["ETag"]
    # An unchanged feed answers 304 to a client that has it
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # HEAD works (some clients probe first); unsafe methods do not
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_reading_the_feed_touches_last_used_at_at_most_every_few_minutes(own_case, attorney, feed):
    token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    assert token.last_used_at is None
    feed(secret)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # A second poll right away does not write again
    feed(secret)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    # After the throttle interval it does
    CalendarFeedToken.objects.filter(pk=token.pk).update(
        last_used_at=first_use - FEED_TOUCH_EVERY - dt.timedelta(seconds=1)
    )
    feed(secret)
    token.refresh_from_db()
    assert token.last_used_at > first_use - FEED_TOUCH_EVERY


def test_token_services_store_only_the_hash_and_are_audited(attorney):
    # When the attorney makes, rotates and revokes their feed URL
    created, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    rotated, new_secret = calendar_feed_token_rotate(user=attorney, actor=attorney)
    revoked = calendar_feed_token_revoke(user=attorney, actor=attorney)
    # Then only SHA-256 digests are stored
    assert created.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert rotated.token_hash == hashlib.sha256(new_secret.encode()).hexdigest()
    assert secret.startswith("cf_") and len(secret) > 40
    # And each act left one audit row, naming the token, never the secret
    rows = list(AuditEvent.objects.filter(action__startswith="calendar_feed_token.").order_by("id"))
    assert [(r.action, r.object_id, r.actor_id) for r in rows] == [
        ("calendar_feed_token.create", str(created.pk), attorney.pk),
        ("calendar_feed_token.rotate", str(rotated.pk), attorney.pk),
        ("calendar_feed_token.revoke", str(revoked.pk), attorney.pk),
    ]
    assert rows[1].details["revoked_token"] == created.pk
    for row in rows:
        assert secret not in str(row.details) and new_secret not in str(row.details)
    # Revoking again is harmless and records nothing
    assert calendar_feed_token_revoke(user=attorney, actor=attorney) is None
    assert AuditEvent.objects.filter(action="calendar_feed_token.revoke").count() == 1


def test_token_service_refusals(attorney, clerk, make_user, court_a):
    # Only attorneys have feeds
    with pytest.raises(DomainError) as refused:
        calendar_feed_token_create(user=clerk, actor=clerk)
    assert (refused.value.code, refused.value.status) == ("FEED_NOT_FOR_ROLE", 403)
    # One active URL at a time: a second "create" is refused, rotate instead
    calendar_feed_token_create(user=attorney, actor=attorney)
    with pytest.raises(DomainError) as refused:
        calendar_feed_token_create(user=attorney, actor=attorney)
    assert refused.value.code == "FEED_TOKEN_EXISTS"
    # Nobody manages another attorney's feed (a superuser may)
    other = make_user(Role.ATTORNEY, [court_a], username="attorney_two")
    with pytest.raises(DomainError) as refused:
        calendar_feed_token_revoke(user=attorney, actor=other)
    assert refused.value.code == "FEED_TOKEN_NOT_YOURS"
    root = make_user(Role.CLERK, [], username="root", is_superuser=True)
    assert calendar_feed_token_revoke(user=attorney, actor=root) is not None
    # Nothing to rotate
    with pytest.raises(DomainError) as refused:
        calendar_feed_token_rotate(user=attorney, actor=attorney)
    assert refused.value.code == "FEED_TOKEN_NONE"


def next_court_day(court, *, after_days: int) -> dt.date:
    """The first weekday that is neither a legal holiday nor a closure, `after_days` on."""
    from casemgmt.core.selectors import court_days_off

    day = court.local_today() + dt.timedelta(days=after_days)
    off = {d.date for d in court_days_off(court=court, start=day, end=day + dt.timedelta(days=14))}
    while day.isoweekday() > 5 or day in off:
        day += dt.timedelta(days=1)
    return day


def test_through_the_scheduling_services_one_event_moves_and_is_cancelled(
    own_case, attorney, clerk, court_a, feed
):
    """The same story through docket.services: set, reschedule, continue, vacate."""
    from docket.services import (
        hearing_continue,
        hearing_reschedule,
        hearing_schedule,
        hearing_vacate,
    )
    from tests.docket.factories import court_time

    room = courtroom(court_a)
    first_day = next_court_day(court_a, after_days=7)
    # Given a trial set by the clerk, in the attorney's feed
    trial = hearing_schedule(
        case=own_case,
        hearing_type=HearingType.TRIAL,
        starts_at=court_time(court_a, first_day, 9),
        minutes=120,
        courtroom=room,
        scheduled_by=clerk,
    )
    _token, secret = calendar_feed_token_create(user=attorney, actor=attorney)
    uid = uid_of(trial)
    seen = [events(feed(secret)[1])[uid]]
    # When it is moved to the afternoon
    moved = hearing_reschedule(
        hearing=trial,
        starts_at=court_time(court_a, first_day, 13),
        minutes=120,
        by=clerk,
        reason="The judge's morning docket",
    )
    seen.append(events(feed(secret)[1])[uid])
    # ... continued three weeks for a reason of the court's list
    reason, _ = ContinuanceReason.objects.get_or_create(
        court=court_a, code="witness-unavailable", defaults={"label": "Witness unavailable"}
    )
    later = hearing_continue(
        hearing=moved,
        reason=reason,
        starts_at=court_time(court_a, next_court_day(court_a, after_days=28), 9),
        minutes=120,
        by=clerk,
    )
    calendar = feed(secret)[1]
    assert list(events(calendar)) == [uid]  # one event, not two
    seen.append(events(calendar)[uid])
    # ... and finally vacated
    hearing_vacate(hearing=later, reason="Plea entered", by=clerk)
    seen.append(events(feed(secret)[1])[uid])
    # Then the attorney's calendar saw one event: same UID, SEQUENCE rising at every change,
    # following the times, and CANCELLED at the end
    sequences = [int(e["SEQUENCE"]) for e in seen]
    assert sequences == sorted(set(sequences))
    assert seen[1].decoded("DTSTART") == moved.starts_at
    assert seen[2].decoded("DTSTART") == later.starts_at
    assert [str(e["STATUS"]) for e in seen] == ["CONFIRMED"] * 3 + ["CANCELLED"]
