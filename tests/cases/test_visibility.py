"""Who may see which case, at the queryset / policy level (cases.querysets, cases.policies).

The rules (cases/querysets.py):
* The public sees public, non-juvenile cases.
* Attorneys see what the public sees, plus the cases where they have an active
  appearance (confidential and juvenile included); sealed ones only with a grant.
* Court staff (clerk, courtroom clerk, judge, program coordinator) see what the
  public sees, plus every case of their courts; sealed ones only with an explicit
  grant (django-guardian ``cases.view_sealed_case``) or, for a judge, when
  assigned to the case.
* Supervisors see what the public sees, plus every case of their courts, sealed
  included. Signing in never hides a case the public may see.
* Superusers see everything.

The HTML and API surfaces are tested with their apps; here, the one rule they all use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from casemgmt.core.errors import DomainError
from casemgmt.core.roles import Role
from cases.models import Case, CaseCategory, CaseParty, Confidentiality, DocketEntry
from cases.policies import case_access_level
from cases.selectors import CaseSearch, case_search
from cases.services import PartyInput, appearance_enter, appearance_withdraw, docket_entry_record
from tests.cases.factories import CaseTypeFactory, defendant, open_case

KINDS = ("public", "confidential", "sealed", "juvenile")
ROLES = (
    "clerk",
    "courtroom_clerk",
    "judge",
    "supervisor",
    "attorney",
    "program_coordinator",
    "public",
    "superuser",
)


def both(*kinds: str) -> set[tuple[str, str]]:
    return {(court, kind) for court in ("a", "b") for kind in kinds}


def own(*kinds: str) -> set[tuple[str, str]]:
    return {("a", kind) for kind in kinds}


# Every user below works in (or is admitted in) court A only.
EXPECTED_VISIBLE = {
    # Court B's public case is public: staff of court A see it as the public does.
    "clerk": own("confidential", "juvenile") | both("public"),
    "courtroom_clerk": own("confidential", "juvenile") | both("public"),
    "judge": own("confidential", "juvenile") | both("public"),  # not assigned to the sealed case
    "program_coordinator": own("confidential", "juvenile") | both("public"),
    "supervisor": own(*KINDS) | both("public"),
    "attorney": both("public"),  # no appearance anywhere yet
    "public": both("public"),
    "superuser": both(*KINDS),
}

# How deep each may read the court-A cases they can see.
EXPECTED_LEVEL = {
    "clerk": "confidential",
    "courtroom_clerk": "confidential",
    "judge": "confidential",
    "program_coordinator": "confidential",
    "supervisor": "sealed",
    "attorney": "public",
    "public": "public",
    "superuser": "sealed",
}


@dataclass
class World:
    cases: dict[tuple[str, str], Case]
    users: dict[str, object]

    def label(self, case: Case) -> tuple[str, str]:
        return next(key for key, c in self.cases.items() if c.pk == case.pk)

    def visible(self, user) -> set[tuple[str, str]]:
        ids = [c.pk for c in self.cases.values()]
        return {self.label(c) for c in Case.objects.visible_to(user).filter(pk__in=ids)}


@pytest.fixture
def jv_type_b(court_b):
    return CaseTypeFactory(
        court=court_b,
        code="JV",
        name="Juvenile dependency",
        category=CaseCategory.JUVENILE,
        default_confidentiality=Confidentiality.CONFIDENTIAL,
        initial_event_code="PETN",
    )


@pytest.fixture
def world(court_a, court_b, cr_type, jv_type, cr_type_b, jv_type_b, clerk, judge, make_user):
    """A public, a confidential, a sealed and a juvenile case in each of courts A and B."""
    cases = {}
    for court, cr, jv in (("a", cr_type, jv_type), ("b", cr_type_b, jv_type_b)):
        for kind in ("public", "confidential", "sealed"):
            cases[(court, kind)] = open_case(
                case_type=cr,
                opened_by=clerk,
                parties=[defendant(f"{kind.title()}{court.upper()}")],
                confidentiality=kind,
            )
        cases[(court, "juvenile")] = open_case(case_type=jv, opened_by=clerk)
    users = {
        "clerk": clerk,
        "courtroom_clerk": make_user(Role.COURTROOM_CLERK, [court_a], username="cclerk_a"),
        "judge": judge,
        "supervisor": make_user(Role.SUPERVISOR, [court_a], username="supervisor_a"),
        "attorney": make_user(Role.ATTORNEY, [court_a], username="attorney_a"),
        "program_coordinator": make_user(
            Role.PROGRAM_COORDINATOR, [court_a], username="coordinator_a"
        ),
        "public": AnonymousUser(),
        "superuser": make_user(Role.CLERK, [], username="root", is_superuser=True),
    }
    return World(cases=cases, users=users)


def test_the_world_is_what_the_matrix_assumes(world):
    for (_, kind), case in world.cases.items():
        if kind == "juvenile":
            assert (case.is_juvenile, case.confidentiality) == (True, "confidential")
        else:
            assert (case.is_juvenile, case.confidentiality) == (False, kind)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_cases(world, role):
    # Given a public, confidential, sealed and juvenile case in the user's court and another
    user = world.users[role]

    # When the one visibility rule is applied
    visible = world.visible(user)

    # Then exactly the expected cases are visible
    assert visible == EXPECTED_VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_its_visible_cases_at_its_level(world, role):
    user = world.users[role]

    levels = {
        world.label(case): case_access_level(user, case)
        for case in Case.objects.visible_to(user).filter(court__code="alpha")
    }

    assert levels == dict.fromkeys(EXPECTED_VISIBLE[role] & own(*KINDS), EXPECTED_LEVEL[role])


def test_a_juvenile_case_stays_hidden_from_the_public_even_if_marked_public(world):
    # Visibility does not rest on the confidentiality flag alone: is_juvenile hides it.
    juvenile = world.cases[("a", "juvenile")]
    Case.objects.filter(pk=juvenile.pk).update(confidentiality="public")

    assert world.visible(AnonymousUser()) == both("public")
    assert world.visible(world.users["attorney"]) == both("public")


def test_an_inactive_account_sees_nothing(world):
    supervisor = world.users["supervisor"]
    supervisor.is_active = False
    supervisor.save()

    assert world.visible(supervisor) == set()


def test_staff_of_two_courts_see_both_courts(world, court_b):
    clerk = world.users["clerk"]
    clerk.memberships.create(court=court_b)

    assert world.visible(clerk) == both("public", "confidential", "juvenile")


def test_a_supervisor_sees_sealed_cases_of_their_own_court_only(world, supervisor_b):
    assert world.visible(world.users["supervisor"]) == own(*KINDS) | both("public")
    assert world.visible(supervisor_b) == {("b", kind) for kind in KINDS} | both("public")


# --- sealed cases: assignment and grants --------------------------------------------------


def test_the_assigned_judge_sees_the_sealed_case_and_other_judges_do_not(
    world, cr_type, clerk, judge, make_user, court_a
):
    # Given a sealed case assigned to Judge A, and another judge of the same court
    sealed = open_case(case_type=cr_type, opened_by=clerk, confidentiality="sealed", judge=judge)
    other_judge = make_user(Role.JUDGE, [court_a], username="judge_a2")

    # Then the assigned judge sees it and reads it at the sealed level; the other does not
    assert Case.objects.visible_to(judge).filter(pk=sealed.pk).exists()
    assert case_access_level(judge, sealed) == "sealed"
    assert not Case.objects.visible_to(other_judge).filter(pk=sealed.pk).exists()
    # (assignment is to this case only: Judge A still does not see the other sealed case)
    assert ("a", "sealed") not in world.visible(judge)


@pytest.mark.parametrize("role", ["clerk", "courtroom_clerk", "judge", "program_coordinator"])
def test_a_grant_lets_court_staff_see_one_sealed_case(world, role):
    # Given an explicit grant on court A's sealed case
    user = world.users[role]
    sealed = world.cases[("a", "sealed")]
    assign_perm("cases.view_sealed_case", user, sealed)

    # Then exactly that sealed case becomes visible, at the sealed level
    assert world.visible(user) == own(*KINDS) | both("public")
    assert case_access_level(user, sealed) == "sealed"


def test_an_attorney_sees_the_cases_they_appear_in(world, clerk):
    # Given the attorney appears in A's confidential case and in B's juvenile case
    attorney = world.users["attorney"]
    confidential, juvenile = world.cases[("a", "confidential")], world.cases[("b", "juvenile")]
    for case in (confidential, juvenile):
        appearance_enter(
            case=case,
            attorney=attorney,
            party=CaseParty.objects.filter(case=case).first(),
            actor=clerk,
        )

    # Then those become visible (juvenile and another court included), read as confidential
    assert world.visible(attorney) == both("public") | {("a", "confidential"), ("b", "juvenile")}
    assert case_access_level(attorney, confidential) == "confidential"
    assert case_access_level(attorney, juvenile) == "confidential"
    assert case_access_level(attorney, world.cases[("a", "public")]) == "public"


def test_an_appearance_on_a_sealed_case_is_not_enough_a_grant_is(world, clerk):
    # Given the attorney appears in A's sealed case
    attorney = world.users["attorney"]
    sealed = world.cases[("a", "sealed")]
    appearance_enter(case=sealed, attorney=attorney, party=None, actor=clerk)

    # Then it stays hidden
    assert ("a", "sealed") not in world.visible(attorney)

    # until the court grants access to that case
    assign_perm("cases.view_sealed_case", attorney, sealed)
    assert world.visible(attorney) == both("public") | {("a", "sealed")}
    assert case_access_level(attorney, sealed) == "sealed"


def test_a_withdrawn_appearance_no_longer_gives_access(world, clerk):
    # Given the attorney appeared in A's confidential case
    attorney = world.users["attorney"]
    confidential = world.cases[("a", "confidential")]
    appearance = appearance_enter(case=confidential, attorney=attorney, party=None, actor=clerk)
    assert ("a", "confidential") in world.visible(attorney)

    # When the attorney withdraws
    appearance_withdraw(appearance=appearance, actor=clerk)

    # Then the case is hidden again, and would be read at the public level
    assert world.visible(attorney) == both("public")
    assert case_access_level(attorney, confidential) == "public"


def test_a_grant_to_one_attorney_gives_nothing_to_another(world, make_user, court_a):
    sealed = world.cases[("a", "sealed")]
    assign_perm("cases.view_sealed_case", world.users["attorney"], sealed)
    colleague = make_user(Role.ATTORNEY, [court_a], username="attorney_a2")

    assert world.visible(colleague) == both("public")


# --- docket entries by level --------------------------------------------------------------


@pytest.fixture
def entries(criminal_case, clerk):
    """Besides the public intake entry (#1): one public, one confidential, one sealed."""
    for text, confidentiality in (
        ("Motion to continue.", "public"),
        ("Competency evaluation filed.", "confidential"),
        ("Sealed order entered.", "sealed"),
    ):
        docket_entry_record(
            case=criminal_case,
            event_code="MOTN",
            text=text,
            recorded_by=clerk,
            confidentiality=confidentiality,
        )
    return criminal_case


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("public", [1, 2]),
        ("confidential", [1, 2, 3]),
        ("sealed", [1, 2, 3, 4]),
    ],
)
def test_docket_entries_are_filtered_by_the_readers_level(entries, level, expected):
    visible = DocketEntry.objects.filter(case=entries).visible_at(level).order_by("seq")

    assert list(visible.values_list("seq", flat=True)) == expected


def test_an_attorney_of_record_reads_confidential_entries_but_not_sealed_ones(
    entries, attorney, clerk
):
    appearance_enter(case=entries, attorney=attorney, party=None, actor=clerk)

    level = case_access_level(attorney, entries)
    seen = DocketEntry.objects.filter(case=entries).visible_at(level)

    assert level == "confidential"
    assert set(seen.values_list("confidentiality", flat=True)) == {"public", "confidential"}


def test_an_unknown_level_is_an_error(entries):
    with pytest.raises(KeyError):
        DocketEntry.objects.visible_at("secret")


# --- search respects visibility -----------------------------------------------------------


@pytest.fixture
def johnsons(cr_type, jv_type, clerk, court_a):
    """Mary Johnson is the defendant of a public, a confidential and a sealed case."""
    made = {}
    for kind in ("public", "confidential", "sealed"):
        made[kind] = open_case(
            case_type=cr_type,
            opened_by=clerk,
            parties=[defendant("Johnson", "Mary", date_of_birth=dt.date(1985, 3, 9))],
            confidentiality=kind,
        )
    # An unrelated public case, nothing like "Johnson" (not even a first name "John").
    made["other"] = open_case(
        case_type=cr_type, opened_by=clerk, parties=[defendant("Smith", "Bob")]
    )
    return made


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("public", {"public"}),
        ("clerk", {"public", "confidential"}),
        ("supervisor", {"public", "confidential", "sealed"}),
    ],
)
def test_party_search_finds_only_visible_cases(johnsons, make_user, court_a, role, expected):
    user = (
        AnonymousUser()
        if role == "public"
        else make_user(role, [court_a], username=f"{role}_search")
    )
    by_pk = {case.pk: kind for kind, case in johnsons.items()}

    found = case_search(user, CaseSearch(party="Johnson"))

    assert {by_pk[c.pk] for c in found} == expected
    assert found.count() == len(expected)


def test_a_hidden_case_is_not_found_by_its_number(johnsons):
    sealed = johnsons["sealed"]

    found = case_search(AnonymousUser(), CaseSearch(q=sealed.number))

    assert list(found) == []
    assert found.count() == 0


def test_a_number_prefix_finds_only_visible_cases(johnsons, court_a):
    prefix = f"{court_a.local_today().year}-CR-"

    found = case_search(AnonymousUser(), CaseSearch(q=prefix))

    assert {c.pk for c in found} == {johnsons["public"].pk, johnsons["other"].pk}
    assert found.count() == 2


def test_a_case_with_two_matching_parties_is_listed_once(cv_type, clerk):
    case = open_case(
        case_type=cv_type,
        opened_by=clerk,
        parties=[
            PartyInput(role="plaintiff", first_name="Ann", last_name="Johnson"),
            PartyInput(role="defendant", first_name="Bob", last_name="Johnson"),
        ],
    )

    found = case_search(AnonymousUser(), CaseSearch(party="Johnson"))

    assert [c.pk for c in found] == [case.pk]
    assert found.count() == 1


def test_the_public_may_not_search_by_date_of_birth(johnsons):
    with pytest.raises(DomainError) as refused:
        case_search(AnonymousUser(), CaseSearch(party="Johnson", date_of_birth=dt.date(1985, 3, 9)))

    assert (refused.value.code, refused.value.status) == ("DOB_SEARCH_NOT_ALLOWED", 403)


def test_staff_may_search_by_date_of_birth_within_what_they_see(johnsons, clerk):
    found = case_search(clerk, CaseSearch(date_of_birth=dt.date(1985, 3, 9)))

    assert {c.pk for c in found} == {johnsons["public"].pk, johnsons["confidential"].pk}


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("Johnsen", id="wrong-letter"),
        pytest.param("Jonson", id="missing-letter"),  # word similarity 0.5
        pytest.param("  JOHNSON ", id="case-and-spaces"),
    ],
)
def test_fuzzy_party_search_tolerates_a_typo_and_still_hides_what_it_must(johnsons, typed):
    found = case_search(AnonymousUser(), CaseSearch(party=typed))

    assert [c.pk for c in found] == [johnsons["public"].pk]
    assert found.count() == 1


def test_fuzzy_party_search_finds_a_name_with_swapped_letters(johnsons):
    # "Jonhson" must find Mary Johnson's public case, and still not her sealed one.
    found = case_search(AnonymousUser(), CaseSearch(party="Jonhson"))

    assert [c.pk for c in found] == [johnsons["public"].pk]
