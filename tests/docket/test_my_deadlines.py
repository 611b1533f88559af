""" "My deadlines" (/deadlines/mine/, docket.deadline_selectors.my_deadline_list): the open
and missed deadlines a user looks after, soonest first, paged without COUNT.

* An attorney: every open deadline of the cases where they hold an active appearance
  and which they may see. Not a case they are not of record on (even a public one), not
  after they withdrew, not a sealed case without a grant.
* The clerk's office (clerk, courtroom clerk, supervisor): their courts' open deadlines
  that they own or nobody owns. Never another court's.
* Anyone else: 403. Reads of sealed and juvenile cases are audited.
Also the demo deadlines (docket.deadline_demo) and the attorney portal's next deadline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from casemgmt.core.models import AuditEvent, Court, User
from casemgmt.core.roles import Role
from cases.services import appearance_withdraw
from docket.deadline_selectors import MY_DEADLINES_PER_PAGE, my_deadline_list
from docket.deadline_services import HandDeadline, deadline_set_by_hand, deadline_waive
from docket.models import Deadline, DeadlineStatus

from .test_deadline_services import civil_case, make_civil_type, make_defense

pytestmark = pytest.mark.django_db


@pytest.fixture
def cv_type(court_a):
    return make_civil_type(court_a)


@pytest.fixture
def defense(make_user, court_a):
    return make_defense(make_user, court_a)


def set_deadline(case, clerk, name, days, *, owner=None):
    return deadline_set_by_hand(
        case=case,
        data=HandDeadline(
            name=name,
            reason="Order.",
            due_on=case.court.local_today() + dt.timedelta(days=days),
            owner=owner,
        ),
        set_by=clerk,
    )


def names(user, **kwargs) -> list[str]:
    return [d.name for d in my_deadline_list(user, **kwargs)]


@pytest.fixture
def own_case(cv_type, clerk, defense):
    case = civil_case(cv_type, clerk, for_defendant=[defense])
    set_deadline(case, clerk, "Later", 9, owner=defense)
    set_deadline(case, clerk, "Sooner", 2)
    set_deadline(case, clerk, "Overdue", -1)
    deadline_waive(
        deadline=set_deadline(case, clerk, "Waived", 1), by=clerk, reason="Excused by order."
    )
    return case


def test_an_attorney_sees_the_open_deadlines_of_their_cases_soonest_first(own_case, defense):
    assert names(defense) == ["Overdue", "Sooner", "Later"]


def test_missed_deadlines_stay_on_the_list(own_case, defense):
    Deadline.objects.filter(case=own_case, name="Overdue").update(status=DeadlineStatus.MISSED)
    assert names(defense) == ["Overdue", "Sooner", "Later"]


def test_an_attorney_not_of_record_sees_nothing_even_of_a_public_case(own_case, outsider):
    assert own_case.confidentiality == "public"
    assert names(outsider) == []


def test_a_withdrawn_attorney_sees_nothing_any_more(own_case, defense, clerk):
    appearance = own_case.appearances.get(attorney=defense)
    appearance_withdraw(appearance=appearance, actor=clerk, withdrawn_on=own_case.filed_on)
    assert names(defense) == []


def test_a_sealed_case_leaks_nothing_without_a_grant(client, own_case, defense, sealed):
    # Given the attorney's case sealed
    sealed(own_case)
    client.force_login(defense)

    # Then neither the list nor the page names it or its deadlines
    assert names(defense) == []
    page = client.get(reverse("case_deadlines:mine")).content.decode()
    assert own_case.number not in page and "Sooner" not in page

    # With a grant it is theirs again, and the read is audited
    assign_perm("cases.view_sealed_case", defense, own_case)
    page = client.get(reverse("case_deadlines:mine")).content.decode()
    assert own_case.number in page
    audit = AuditEvent.objects.get(action="calendar.read", actor=defense)
    assert audit.details == {"surface": "deadlines.mine", "cases": [own_case.number]}


def test_the_clerks_office_sees_its_courts_deadlines_it_owns_or_nobody_owns(
    own_case, clerk, defense, make_user, court_a
):
    # Given one deadline owned by the clerk, one by another clerk, one by the attorney
    other_clerk = make_user(Role.CLERK, [court_a], username="clerk_a2")
    set_deadline(own_case, clerk, "Clerk's own", 3, owner=clerk)
    set_deadline(own_case, clerk, "Someone else's", 4, owner=other_clerk)

    # Then the clerk sees theirs and the unassigned ones, not the others'
    assert names(clerk) == ["Overdue", "Sooner", "Clerk's own"]
    assert "Later" not in names(clerk)  # the attorney's


def test_another_courts_clerk_and_supervisor_see_nothing(own_case, make_user, court_b):
    assert names(make_user(Role.CLERK, [court_b])) == []
    assert names(make_user(Role.SUPERVISOR, [court_b])) == []


def test_the_list_filters_by_due_date(own_case, defense):
    today = own_case.court.local_today()
    assert names(defense, due_by=today + dt.timedelta(days=2)) == ["Overdue", "Sooner"]


def test_the_page_is_for_attorneys_and_the_clerks_office(client, make_user, court_a, own_case):
    assert client.get(reverse("case_deadlines:mine")).status_code == 302  # to sign in
    client.force_login(make_user(Role.JUDGE, [court_a]))
    assert client.get(reverse("case_deadlines:mine")).status_code == 403


def test_the_page_lists_soonest_first_with_the_case(client, own_case, defense):
    client.force_login(defense)
    response = client.get(reverse("case_deadlines:mine"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Overdue") < page.index("Sooner") < page.index("Later")
    assert own_case.number in page and "1 day overdue" in page
    assert "My deadlines" in page  # in the navigation
    within = client.get(reverse("case_deadlines:mine"), {"within": "7"}).content.decode()
    assert "Sooner" in within and "Later" not in within


def test_the_page_costs_the_same_queries_for_few_or_many(
    client,
    cv_type,
    clerk,
    defense,
    django_assert_max_num_queries,
):
    def add(n):
        for i in range(n):
            case = civil_case(cv_type, clerk, for_defendant=[defense])
            set_deadline(case, clerk, f"Due {i}", i)

    client.force_login(defense)
    add(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("case_deadlines:mine"))
    add(MY_DEADLINES_PER_PAGE)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("case_deadlines:mine"))
    assert response.context["page"].has_next
    assert len(response.context["page"].object_list) == MY_DEADLINES_PER_PAGE


def test_my_cases_shows_each_cases_next_open_deadline(client, own_case, defense):
    client.force_login(defense)
    page = client.get(reverse("portal:cases")).content.decode()
    assert "Overdue" in page  # the soonest still open
    assert "Waived" not in page


# --- the demo -------------------------------------------------------------------------------


def _quiet(line: str) -> None:
    return None


def test_the_demo_gives_every_list_something_and_a_second_run_adds_nothing():
    from casemgmt.core.demo import seed_courts_and_users
    from cases.demo import seed_case_types
    from cases.models import CaseType
    from docket.deadline_demo import seed_deadlines
    from tests.docket.factories import case_with_people

    # Given the demo courts, users and a few cases, half with the demo attorney of record
    seed_courts_and_users(log=_quiet)
    seed_case_types(log=_quiet)
    attorney = User.objects.get(username="attorney")
    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        clerk = User.objects.get(username="clerk" if court.code == "sarasota" else "clerk.denver")
        for i in range(10):
            case_with_people(
                CaseType.objects.get(court=court, code="CA"),
                opened_by=clerk,
                last_name=f"D{i}",
                attorneys=[attorney] if i % 2 else [],
            )

    # When the seeder runs twice
    seed_deadlines(log=_quiet)
    first = Deadline.objects.count()
    seed_deadlines(log=_quiet)

    # Then the second run added nothing, and the demo attorney has deadlines overdue,
    # due tomorrow and due in a week; the clerk's office has unassigned ones of its court
    assert Deadline.objects.count() == first > 0
    due = {(d.due_on - d.court.local_today()).days for d in my_deadline_list(attorney)}
    assert {-2, 1, 7} <= due
    assert Deadline.objects.filter(status=DeadlineStatus.MISSED).exists()
    sarasota_clerk = User.objects.get(username="clerk")
    theirs = list(my_deadline_list(sarasota_clerk))
    assert any(d.owner_id is None for d in theirs)
    assert {d.court.code for d in theirs} == {"sarasota"}
