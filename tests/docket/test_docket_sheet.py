"""The PDF docket sheet (/calendar/sheet.pdf): every hearing of the day in order, the
header, page numbers, and no sealed caption for those not entitled (read with pypdf)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from tests.core.factories import AttorneyProfileFactory
from tests.docket.factories import case_types, case_with_people, courtroom, hearing, hearings_bulk

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 4)


@pytest.fixture
def types(court_a):
    return case_types(court_a)


def sheet(client, court, day=DAY, **params):
    query = "&".join(f"{k}={v}" for k, v in {"court": court.code, "date": day, **params}.items())
    return client.get(f"/calendar/sheet.pdf?{query}")


def text_of(response) -> tuple[str, PdfReader]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_sheet_lists_every_hearing_of_the_day_in_order_on_numbered_pages(
    client, clerk, court_a, types
):
    # given 60 hearings in two rooms (enough for several pages), entered out of order
    room_a, room_b = courtroom(court_a, "Courtroom A"), courtroom(court_a, "Courtroom B")
    cases = [
        case_with_people(types["CR"], opened_by=clerk, last_name=f"Party{i:02d}") for i in range(30)
    ]
    hearings_bulk(list(reversed(cases)), scheduled_by=clerk, day=DAY, room=room_b)
    hearings_bulk(cases, scheduled_by=clerk, day=DAY, room=room_a)
    hearing(cases[0], scheduled_by=clerk, day=DAY + dt.timedelta(days=1), room=room_a)
    client.force_login(clerk)

    # when the clerk prints the day's docket sheet
    text, reader = text_of(sheet(client, court_a))

    # then every case number appears, room A's in time order, then room B's
    numbers = re.findall(r"\d{4}-CR-\d{6}", text)
    expected = [c.number for c in cases] + [c.number for c in reversed(cases)]
    assert numbers == expected
    assert text.index("Courtroom A") < text.index("Courtroom B")
    assert "DOCKET SHEET" in text and "Alpha County Court" in text
    assert "Wednesday, March 4, 2026" in text
    pages = len(reader.pages)
    assert pages >= 2
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert reader.metadata.title.startswith("Docket sheet — Alpha County Court — 2026-03-04")


def test_one_courtroom_and_its_judge_head_the_sheet(client, clerk, court_a, types, make_user):
    judge = make_user(Role.JUDGE, [court_a], first_name="Eva", last_name="Ames")
    room = courtroom(court_a, "Courtroom 7", location="Annex, 2nd floor")
    other = courtroom(court_a, "Courtroom 8")
    mine = case_with_people(types["CR"], opened_by=clerk, last_name="Mine")
    theirs = case_with_people(types["CR"], opened_by=clerk, last_name="Theirs")
    hearing(mine, scheduled_by=clerk, day=DAY, room=room, judge=judge)
    hearing(theirs, scheduled_by=clerk, day=DAY, room=other, judge=judge)
    client.force_login(clerk)

    text, _ = text_of(sheet(client, court_a, courtroom=room.pk, judge=judge.pk))

    assert "Courtroom 7, Annex, 2nd floor" in text
    assert "Judge Eva Ames" in text
    assert mine.number in text and theirs.number not in text
    assert "1 hearing" in text


def test_by_judge_each_row_names_its_courtroom(client, clerk, court_a, types, make_user):
    judge = make_user(Role.JUDGE, [court_a], first_name="Eva", last_name="Ames")
    east, west = courtroom(court_a, "East Hall"), courtroom(court_a, "West Hall")
    first = case_with_people(types["CR"], opened_by=clerk, last_name="First")
    second = case_with_people(types["CR"], opened_by=clerk, last_name="Second")
    hearing(second, scheduled_by=clerk, day=DAY, hour=10, room=east, judge=judge)
    hearing(first, scheduled_by=clerk, day=DAY, hour=9, room=west, judge=judge)
    client.force_login(clerk)

    text, _ = text_of(sheet(client, court_a, group="judge"))

    assert text.index("Judge Eva Ames") < text.index(first.number) < text.index(second.number)
    assert text.index("West Hall") < text.index("East Hall")


@pytest.mark.parametrize("reader", ["public", "other_court_clerk", "attorney_not_of_record"])
def test_a_sealed_case_shows_only_the_placeholder_to_those_not_entitled(
    client, clerk, court_a, court_b, types, make_user, reader
):
    # given a sealed case and a juvenile one between two public cases
    court_a.sealed_caption_placeholder = "Confidential matter"
    court_a.save()
    first = case_with_people(types["CR"], opened_by=clerk, last_name="First")
    sealed = case_with_people(
        types["CR"], opened_by=clerk, last_name="Secretive", confidentiality="sealed"
    )
    juvenile = case_with_people(types["JV"], opened_by=clerk, last_name="Younger")
    last = case_with_people(types["CR"], opened_by=clerk, last_name="Last")
    for hour, case in enumerate([first, sealed, juvenile, last], start=9):
        hearing(case, scheduled_by=clerk, day=DAY, hour=hour)
    if reader == "other_court_clerk":
        client.force_login(make_user(Role.CLERK, [court_b]))
    elif reader == "attorney_not_of_record":
        client.force_login(AttorneyProfileFactory(user__courts=[court_a]).user)

    # when they fetch the sheet
    text, _ = text_of(sheet(client, court_a))

    # then the hidden rows keep their place and time, under the court's placeholder
    assert re.findall(r"\d{4}-(?:CR|JV)-\d{6}", text) == [first.number, last.number]
    assert text.count("Confidential matter") >= 2
    for hidden in (sealed, juvenile):
        assert hidden.number not in text
        assert hidden.caption not in text
    assert "Secretive" not in text and "Younger" not in text
    assert text.index("9:00 AM") < text.index("10:00 AM") < text.index("11:00 AM")


def test_an_entitled_reader_sees_the_sealed_caption_and_the_read_is_audited(
    client, clerk, supervisor, court_a, types
):
    sealed = case_with_people(
        types["CR"], opened_by=clerk, last_name="Secretive", confidentiality="sealed"
    )
    hearing(sealed, scheduled_by=clerk, day=DAY)
    client.force_login(supervisor)

    text, _ = text_of(sheet(client, court_a))

    assert sealed.number in text and "State v. Secretive" in text and "(SEALED)" in text
    event = AuditEvent.objects.get(action="calendar.read")
    assert event.details["surface"] == "calendar.pdf"
    assert event.details["cases"] == [sealed.number]


def test_an_empty_day_still_gives_a_sheet(client, court_a):
    text, reader = text_of(sheet(client, court_a))

    assert "No hearings on this day." in text
    assert len(reader.pages) == 1


def test_bad_filters_are_a_400_and_an_unknown_court_a_404(client, court_a, court_b):
    assert sheet(client, court_a, day="2026-02-31").status_code == 400
    assert client.get("/calendar/sheet.pdf?court=nowhere").status_code == 404
    # two courts and nobody signed in: which court's sheet is not for us to guess
    assert client.get("/calendar/sheet.pdf").status_code == 400


def test_the_sheet_is_never_cached_by_the_browser_or_a_proxy(client, court_a):
    response = sheet(client, court_a)

    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'inline; filename="docket-alpha-2026-03-04.pdf"'
