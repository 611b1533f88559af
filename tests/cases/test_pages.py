"""The counter's pages: case page query budget, search and intake over HTTP."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import Case, Person
from cases.services import PartyInput, case_party_add, docket_entry_record
from tests.cases.factories import open_case


def _without_csrf(content: bytes) -> str:
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def detail_url(case):
    return reverse("cases:detail", args=[case.court.code, case.number])


@pytest.mark.parametrize("extra", [0, 25])
def test_case_page_query_count_does_not_grow_with_parties_or_entries(
    client, clerk, criminal_case, extra, django_assert_max_num_queries
):
    for i in range(extra):
        case_party_add(
            case=criminal_case,
            party=PartyInput(role="witness", first_name="W", last_name=f"Witness{i}"),
            actor=clerk,
        )
        docket_entry_record(
            case=criminal_case, event_code="MOTN", text=f"Motion {i}", recorded_by=clerk
        )
    client.force_login(clerk)

    with django_assert_max_num_queries(22):
        response = client.get(detail_url(criminal_case))

    assert response.status_code == 200
    assert len(response.context["cf"].entries) == 1 + 2 * extra


def test_another_courts_case_is_404_like_a_missing_one(client, make_user, court_b, cr_type, clerk):
    criminal_case = open_case(case_type=cr_type, opened_by=clerk, confidentiality="confidential")
    outsider = make_user(Role.CLERK, [court_b])
    client.force_login(outsider)

    hidden = client.get(detail_url(criminal_case))
    missing = client.get(reverse("cases:detail", args=[criminal_case.court.code, "2026-CR-999999"]))

    assert hidden.status_code == missing.status_code == 404
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)


def test_reading_a_juvenile_case_is_audited(client, clerk, jv_type):
    case = open_case(case_type=jv_type, opened_by=clerk)
    client.force_login(clerk)

    client.get(detail_url(case))

    read = AuditEvent.objects.get(action="case.read")
    assert (read.case_id, read.actor, read.details["surface"]) == (case.pk, clerk, "page")


def test_reading_a_public_adult_case_is_not_audited(client, clerk, criminal_case):
    client.force_login(clerk)
    client.get(detail_url(criminal_case))
    assert not AuditEvent.objects.filter(action="case.read").exists()


def test_intake_post_opens_the_case_and_a_repeat_submit_returns_it(client, clerk, cr_type):
    client.force_login(clerk)
    form = {
        "intake_key": "5b0c6f44-3a43-4d6e-9d7b-2f4d8c0b1a11",
        "case_type": cr_type.pk,
        "filed_on": dt.date.today().isoformat(),
        "judge": "",
        "confidentiality": "",
        "parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1", "parties-MAX_NUM_FORMS": "40",
        "parties-0-role": "defendant", "parties-0-kind": "individual",
        "parties-0-first_name": "Rita", "parties-0-last_name": "Moreno",
        "parties-0-preferred_language": "es",
        "charges-TOTAL_FORMS": "1", "charges-INITIAL_FORMS": "0",
        "charges-MIN_NUM_FORMS": "0", "charges-MAX_NUM_FORMS": "60",
        "charges-0-statute_code": "784.03", "charges-0-statute_text": "Battery",
        "charges-0-charge_class": "misdemeanor_a",
        "charges-0-offense_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "attorneys-TOTAL_FORMS": "0", "attorneys-INITIAL_FORMS": "0",
        "attorneys-MIN_NUM_FORMS": "0", "attorneys-MAX_NUM_FORMS": "20",
    }  # fmt: skip

    first = client.post(reverse("cases:intake"), form)
    again = client.post(reverse("cases:intake"), form)

    case = Case.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == detail_url(case) + "?opened=1"
    assert case.caption == "State v. Moreno"
    assert Person.objects.count() == 1


def test_intake_refuses_a_case_type_of_another_court(client, clerk, cr_type_b):
    client.force_login(clerk)

    response = client.post(
        reverse("cases:intake"),
        {"case_type": cr_type_b.pk, "filed_on": "2026-01-05", "parties-TOTAL_FORMS": "0",
         "parties-INITIAL_FORMS": "0", "charges-TOTAL_FORMS": "0", "charges-INITIAL_FORMS": "0",
         "attorneys-TOTAL_FORMS": "0", "attorneys-INITIAL_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "case_type" in response.context["form"].errors
    assert Case.objects.count() == 0


@pytest.mark.parametrize("role", [Role.ATTORNEY, Role.JUDGE, Role.PROGRAM_COORDINATOR])
def test_only_record_keepers_open_cases(client, make_user, court_a, role):
    client.force_login(make_user(role, [court_a]))

    assert client.get(reverse("cases:intake")).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_transition_from_the_case_page(client, clerk, criminal_case):
    client.force_login(clerk)

    client.post(
        reverse("cases:transition", args=[criminal_case.court.code, criminal_case.number]),
        {"to": "active", "date": dt.date.today().isoformat()},
    )
    criminal_case.refresh_from_db()
    refused = client.post(
        reverse("cases:transition", args=[criminal_case.court.code, criminal_case.number]),
        {"to": "closed", "date": dt.date.today().isoformat()},
        follow=True,
    )

    assert criminal_case.status == "active"
    assert "CASE_NOT_DISPOSED" in refused.content.decode()


def test_attorney_cannot_change_status(client, attorney, criminal_case):
    client.force_login(attorney)
    response = client.post(
        reverse("cases:transition", args=[criminal_case.court.code, criminal_case.number]),
        {"to": "active", "date": dt.date.today().isoformat()},
    )
    assert response.status_code == 403


def test_search_by_exact_number_goes_straight_to_the_case(client, clerk, criminal_case):
    client.force_login(clerk)
    response = client.get(reverse("cases:search"), {"q": criminal_case.number})
    assert response.status_code == 302
    assert response["Location"] == detail_url(criminal_case)


def test_person_suggestions_find_a_typo(client, clerk, criminal_case):
    client.force_login(clerk)
    response = client.get(
        reverse("cases:person_suggest"),
        {"row": "0", "parties-0-first_name": "John", "parties-0-last_name": "Deo"},
    )
    assert "Use John Doe" in response.content.decode()


def test_a_long_register_shows_its_latest_entries_and_pages_the_rest(
    client, clerk, criminal_case, django_assert_max_num_queries
):
    from cases.models import DocketEntry
    from cases.selectors import CASE_PAGE_ENTRIES

    last = criminal_case.last_docket_seq
    DocketEntry.objects.bulk_create(
        DocketEntry(
            case=criminal_case, seq=last + i, entry_date=dt.date(2026, 1, 2),
            event_code="MOTN", text=f"Motion {i}", recorded_by=clerk,
        )
        for i in range(1, 231)
    )  # fmt: skip
    client.force_login(clerk)

    with django_assert_max_num_queries(22):
        page = client.get(detail_url(criminal_case))
    register = client.get(reverse("cases:register", args=["alpha", criminal_case.number]))
    second = client.get(
        reverse("cases:register", args=["alpha", criminal_case.number]), {"page": 2}
    )

    shown = [e.seq for e in page.context["cf"].entries]
    assert shown == list(range(231 - CASE_PAGE_ENTRIES + 1, 232))  # the latest, oldest first
    assert "The full register of actions" in page.content.decode()
    assert [e.seq for e in register.context["page"]][:3] == [1, 2, 3]
    assert register.context["page"].has_next
    assert [e.seq for e in second.context["page"]] == list(range(201, 232))


def test_clerk_adds_a_party_a_charge_and_an_attorney_from_the_case_page(
    client, clerk, criminal_case, court_a
):
    from tests.core.factories import AttorneyProfileFactory

    attorney = AttorneyProfileFactory(user__courts=[court_a], bar_number="0999001").user
    client.force_login(clerk)
    args = ["alpha", criminal_case.number]

    client.post(
        reverse("cases:party_add", args=args),
        {"party-role": "victim", "party-kind": "individual", "party-first_name": "Vera",
         "party-last_name": "Lind", "party-preferred_language": "en"},
    )  # fmt: skip
    client.post(
        reverse("cases:charge_add", args=args),
        {"charge-statute_code": "843.02", "charge-statute_text": "Resisting an officer",
         "charge-charge_class": "misdemeanor_a", "charge-offense_date": "2026-01-03"},
    )  # fmt: skip
    defendant = criminal_case.parties.get(role="defendant")
    client.post(
        reverse("cases:appearance_enter", args=args),
        {"appearance-bar_number": "0999001", "appearance-party": str(defendant.pk)},
    )
    bad = client.post(
        reverse("cases:appearance_enter", args=args),
        {"appearance-bar_number": "0000000", "appearance-party": ""},
        follow=True,
    )

    assert criminal_case.parties.filter(role="victim", person__last_name="Lind").exists()
    assert criminal_case.charges.get(count_number=2).statute_code == "843.02"
    assert criminal_case.appearances.get().attorney == attorney
    assert "No active attorney has that bar number" in bad.content.decode()
    codes = list(criminal_case.docket_entries.values_list("event_code", flat=True))
    assert codes[-3:] == ["PRTY", "CHGA", "APPR"]

    appearance = criminal_case.appearances.get()
    client.post(reverse("cases:appearance_withdraw", args=[*args, appearance.pk]))
    appearance.refresh_from_db()
    assert appearance.withdrawn_on is not None


def test_record_forms_are_for_record_keepers_only(client, attorney, criminal_case):
    client.force_login(attorney)
    args = ["alpha", criminal_case.number]

    page = client.get(reverse("cases:detail", args=args))
    response = client.post(
        reverse("cases:party_add", args=args),
        {"party-role": "witness", "party-kind": "individual", "party-last_name": "X"},
    )

    assert "Add to the record" not in page.content.decode()
    assert response.status_code == 403
    assert not criminal_case.parties.filter(role="witness").exists()


def test_clerk_records_a_plea_and_a_disposition_on_a_count(client, clerk, criminal_case):
    client.force_login(clerk)
    url = reverse("cases:charge_event", args=["alpha", criminal_case.number, 1])
    today = dt.date.today().isoformat()

    client.post(url, {"count1-what": "plea", "count1-value": "not_guilty", "count1-date": today})
    wrong = client.post(
        url, {"count1-what": "plea", "count1-value": "dismissed", "count1-date": today}, follow=True
    )
    client.post(
        url, {"count1-what": "disposition", "count1-value": "dismissed", "count1-date": today}
    )

    charge = criminal_case.charges.get(count_number=1)
    assert (charge.plea, charge.disposition) == ("not_guilty", "dismissed")
    assert "That is not a plea" in wrong.content.decode()
    codes = list(criminal_case.docket_entries.values_list("event_code", flat=True))
    assert codes[-2:] == ["PLEA", "CDSP"]
