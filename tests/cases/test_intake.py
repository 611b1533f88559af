"""Intake at the counter (cases.services.case_open) and the later edits of the case file:
parties, attorneys of record, charges, pleas, dispositions, confidentiality.

Every act writes its docket entry and audit row in one transaction; every refusal
writes nothing at all (no case, person, party, entry, audit row, and no number used).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases import registry
from cases.models import (
    Appearance,
    Case,
    CaseCategory,
    CaseNumberSequence,
    CaseParty,
    CaseStatus,
    CaseStatusChange,
    Charge,
    Confidentiality,
    DocketEntry,
    Person,
    PersonKind,
)
from cases.services import (
    AppearanceInput,
    IntakeInput,
    PartyInput,
    appearance_enter,
    appearance_withdraw,
    case_confidentiality_set,
    case_open,
    case_party_add,
    charge_add,
    charge_dispose,
    charge_plea_enter,
)
from tests.cases.factories import CaseTypeFactory, PersonFactory, charge, defendant, open_case
from tests.core.factories import AttorneyProfileFactory


def person(role: str, first: str, last: str, **kwargs) -> PartyInput:
    return PartyInput(role=role, first_name=first, last_name=last, **kwargs)


def organization(role: str, name: str, **kwargs) -> PartyInput:
    return PartyInput(role=role, kind=PersonKind.ORGANIZATION, organization_name=name, **kwargs)


def written() -> dict:
    """Everything an intake or edit could write, for 'nothing was written' assertions."""
    return {
        "cases": Case.objects.count(),
        "people": Person.objects.count(),
        "parties": CaseParty.objects.count(),
        "appearances": Appearance.objects.count(),
        "charges": Charge.objects.count(),
        "docket_entries": DocketEntry.objects.count(),
        "status_changes": CaseStatusChange.objects.count(),
        "audit": AuditEvent.objects.count(),
        "sequences": sorted(
            CaseNumberSequence.objects.values_list("court_id", "case_type_id", "year", "last_value")
        ),
        "case_rows": sorted(
            Case.objects.values_list("pk", "last_docket_seq", "confidentiality", "caption")
        ),
    }


def error_codes(exc: ValidationError) -> dict[str, list[str]]:
    return {key: [e.code for e in errors] for key, errors in exc.error_dict.items()}


def latest_entry(case: Case) -> DocketEntry:
    return DocketEntry.objects.filter(case=case).latest("seq")


@pytest.fixture
def judge_b(make_user, court_b):
    return make_user(Role.JUDGE, [court_b], username="judge_b")


@pytest.fixture
def defense_attorney(attorney):
    AttorneyProfileFactory(user=attorney, bar_number="0123456")
    return attorney


@pytest.fixture
def fa_type(court_a):
    return CaseTypeFactory(
        court=court_a,
        code="FA",
        name="Dissolution of marriage",
        category=CaseCategory.DOMESTIC,
        initial_event_code="PETN",
    )


# --- a full criminal intake ---------------------------------------------------------------


def test_a_full_criminal_intake_writes_the_whole_case_file(
    cr_type, clerk, judge, defense_attorney, court_a
):
    # Given a defendant, a victim, two counts, defense counsel and the assigned judge
    today = court_a.local_today()
    data = IntakeInput(
        court=court_a,
        case_type=cr_type,
        parties=[
            defendant("Doe", "John", email="jdoe@example.com"),
            person("victim", "Vera", "Vance"),
        ],
        charges=[
            charge("812.014(2)(c)", "Grand theft", "felony_3", days_ago=12),
            charge("810.02(4)", "Burglary of an unoccupied structure", "felony_3", days_ago=12),
        ],
        appearances=[AppearanceInput(attorney=defense_attorney, party_index=0)],
        judge=judge,
    )

    # When the clerk opens the case
    case = case_open(data=data, opened_by=clerk)

    # Then the case is numbered, captioned and filed today
    case.refresh_from_db()
    assert case.number == f"{today.year}-CR-000001"
    assert case.caption == "State v. Doe"
    assert (case.status, case.filed_on, case.status_date) == (CaseStatus.FILED, today, today)
    assert (case.judge, case.opened_by, case.court) == (judge, clerk, court_a)
    assert (case.confidentiality, case.is_juvenile) == (Confidentiality.PUBLIC, False)
    # the parties are new people, in order within their roles
    parties = {p.role: p for p in CaseParty.objects.filter(case=case).select_related("person")}
    assert set(parties) == {"defendant", "victim"}
    doe = parties["defendant"]
    assert (doe.person.first_name, doe.person.last_name, doe.position) == ("John", "Doe", 1)
    assert doe.person.date_of_birth == dt.date(1990, 5, 17)
    assert doe.person.search_name == "john doe"
    assert doe.added_on == today
    assert parties["victim"].person.display_name == "Vera Vance"
    # the counts are numbered 1..2 in the order given
    charges = list(Charge.objects.filter(case=case).order_by("count_number"))
    assert [(c.count_number, c.statute_code) for c in charges] == [
        (1, "812.014(2)(c)"),
        (2, "810.02(4)"),
    ]
    assert all(c.plea == "" and c.disposition == "" for c in charges)
    # defense counsel appears for the defendant
    appearance = Appearance.objects.get(case=case)
    assert (appearance.attorney, appearance.party, appearance.entered_by) == (
        defense_attorney,
        doe,
        clerk,
    )
    assert (appearance.entered_on, appearance.withdrawn_on) == (today, None)
    # one docket entry: the type's initial event
    entry = DocketEntry.objects.get(case=case)
    assert (entry.seq, entry.event_code, entry.entry_date) == (1, "CHRG", today)
    assert entry.text == "Criminal felony case opened: State v. Doe."
    assert (entry.object_type, entry.object_id, entry.recorded_by) == (
        "cases.case",
        str(case.pk),
        clerk,
    )
    assert case.last_docket_seq == 1
    # the history starts with "filed", tied to that entry
    change = CaseStatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status, change.effective_on) == ("", "filed", today)
    assert (change.changed_by, change.docket_entry) == (clerk, entry)
    # and the act is audited
    audit = AuditEvent.objects.get(action="case.open", case_id=case.pk)
    assert (audit.actor, audit.court, audit.case_number) == (clerk, court_a, case.number)
    assert (audit.object_type, audit.object_id) == ("cases.case", str(case.pk))
    assert audit.details == {"number": case.number, "parties": 2, "charges": 2, "appearances": 1}
    assert AuditEvent.objects.filter(action="docket.record", case_id=case.pk).count() == 1


# --- captions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parties", "caption"),
    [
        pytest.param(
            [person("plaintiff", "Ann", "Smith"), person("defendant", "Bob", "Jones")],
            "Smith v. Jones",
            id="one-v-one",
        ),
        pytest.param(
            [
                person("plaintiff", "Ann", "Smith"),
                person("plaintiff", "Carl", "Brown"),
                person("defendant", "Bob", "Jones"),
            ],
            "Smith, et al. v. Jones",
            id="plaintiffs-et-al",
        ),
        pytest.param(
            [
                organization("plaintiff", "Acme Lending LLC"),
                person("defendant", "Bob", "Jones"),
                organization("defendant", "Sunshine Realty Inc."),
            ],
            "Acme Lending LLC v. Jones, et al.",
            id="organization-and-defendants-et-al",
        ),
        pytest.param(
            [person("petitioner", "Ann", "Smith")],
            "In re Smith",
            id="one-sided",
        ),
    ],
)
def test_civil_captions(cv_type, clerk, parties, caption):
    case = open_case(case_type=cv_type, opened_by=clerk, parties=parties)

    assert case.caption == caption
    assert latest_entry(case).text == f"Civil case opened: {caption}."


def test_an_organization_party_is_stored_as_an_organization(cv_type, clerk):
    case = open_case(
        case_type=cv_type,
        opened_by=clerk,
        parties=[
            organization("plaintiff", "Acme Lending LLC"),
            person("defendant", "Bob", "Jones"),
        ],
    )

    acme = CaseParty.objects.get(case=case, role="plaintiff").person
    assert (acme.kind, acme.organization_name, acme.last_name) == (
        PersonKind.ORGANIZATION,
        "Acme Lending LLC",
        "",
    )
    assert acme.search_name == "acme lending llc"


def test_a_criminal_caption_names_the_defendant_against_the_state(cr_type, clerk):
    case = open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant("Doe"), defendant("Roe", "Richard"), person("victim", "Vera", "V")],
    )

    assert case.caption == "State v. Doe, et al."


def test_a_domestic_caption_is_in_re_the_marriage(fa_type, clerk):
    case = open_case(
        case_type=fa_type,
        opened_by=clerk,
        parties=[person("petitioner", "Ann", "Smith"), person("respondent", "Bob", "Smith")],
    )

    assert case.caption == "In re the Marriage of Ann Smith and Bob Smith"
    assert latest_entry(case).event_code == "PETN"


def test_a_juvenile_case_is_captioned_by_initials_and_confidential(jv_type, clerk):
    # Fla. Stat. 39.202 / 985.04: juvenile records are confidential; captions carry initials.
    case = open_case(
        case_type=jv_type,
        opened_by=clerk,
        parties=[
            person("child", "Amy", "Roe", date_of_birth=dt.date(2015, 1, 2)),
            person("guardian", "Rita", "Roe"),
        ],
    )

    assert case.caption == "In the Interest of A.R."
    assert "Roe" not in latest_entry(case).text
    assert case.is_juvenile is True
    assert case.confidentiality == Confidentiality.CONFIDENTIAL
    assert latest_entry(case).event_code == "PETN"


def test_the_clerk_may_set_the_confidentiality_at_intake(cr_type, clerk):
    case = open_case(case_type=cr_type, opened_by=clerk, confidentiality=Confidentiality.SEALED)

    assert case.confidentiality == Confidentiality.SEALED
    assert case.is_juvenile is False


# --- linking a known person ---------------------------------------------------------------


def test_linking_an_existing_person_creates_no_new_person(cr_type, clerk):
    # Given John Doe is already known from an earlier case
    known = PersonFactory(first_name="John", last_name="Doe")
    people = Person.objects.count()

    # When a new case names him by reference
    case = open_case(
        case_type=cr_type, opened_by=clerk, parties=[PartyInput(role="defendant", person=known)]
    )

    # Then no new person is created and the case points at him
    assert Person.objects.count() == people
    assert CaseParty.objects.get(case=case).person == known
    assert case.caption == "State v. Doe"


# --- refusals: nothing is written ---------------------------------------------------------


@pytest.fixture
def an_open_case(criminal_case):
    """A case already opened, so the number sequence exists and must stay where it is."""
    assert CaseNumberSequence.objects.get().last_value == 1
    return criminal_case


def intake(case_type, **kwargs) -> IntakeInput:
    return IntakeInput(court=case_type.court, case_type=case_type, **kwargs)


@pytest.mark.parametrize(
    ("make_input", "expected"),
    [
        pytest.param(
            lambda t: intake(t["cv"], parties=[]),
            {"parties": ["PARTY_REQUIRED"]},
            id="no-parties",
        ),
        pytest.param(
            lambda t: intake(t["cr"], parties=[person("victim", "Vera", "V")], charges=[charge()]),
            {"parties": ["DEFENDANT_REQUIRED"]},
            id="criminal-without-defendant",
        ),
        pytest.param(
            lambda t: intake(t["cr"], parties=[defendant()]),
            {"charges": ["CHARGE_REQUIRED"]},
            id="criminal-without-charges",
        ),
        pytest.param(
            lambda t: intake(
                t["cv"],
                parties=[person("plaintiff", "A", "Smith"), person("defendant", "B", "Jones")],
                charges=[charge()],
            ),
            {"charges": ["CHARGES_NOT_ALLOWED"]},
            id="charges-on-civil",
        ),
        pytest.param(
            lambda t: intake(
                t["cr"],
                parties=[defendant(date_of_birth=t["today"] + dt.timedelta(days=1))],
                charges=[charge()],
            ),
            {"parties.0.date_of_birth": ["DATE_IN_FUTURE"]},
            id="dob-in-future",
        ),
        pytest.param(
            lambda t: intake(
                t["cr"],
                parties=[defendant()],
                charges=[charge()],
                filed_on=t["today"] + dt.timedelta(days=1),
            ),
            {"filed_on": ["DATE_IN_FUTURE"]},
            id="filed-in-future",
        ),
        pytest.param(
            lambda t: intake(t["cr"], parties=[defendant()], charges=[charge(days_ago=-1)]),
            {"charges.0.offense_date": ["DATE_IN_FUTURE"]},
            id="offense-in-future",
        ),
        pytest.param(
            lambda t: IntakeInput(
                court=t["court_a"],
                case_type=t["cr_b"],
                parties=[defendant()],
                charges=[charge()],
            ),
            {"case_type": ["CASE_TYPE_OTHER_COURT"]},
            id="case-type-of-other-court",
        ),
        pytest.param(
            lambda t: intake(
                t["cr"], parties=[defendant()], charges=[charge()], judge=t["judge_b"]
            ),
            {"judge": ["NOT_A_JUDGE_OF_COURT"]},
            id="judge-of-other-court",
        ),
        pytest.param(
            lambda t: intake(t["cr"], parties=[defendant()], charges=[charge()], judge=t["clerk"]),
            {"judge": ["NOT_A_JUDGE_OF_COURT"]},
            id="judge-who-is-not-a-judge",
        ),
        pytest.param(
            lambda t: intake(
                t["cr"],
                parties=[defendant()],
                charges=[charge()],
                appearances=[AppearanceInput(attorney=t["clerk"], party_index=0)],
            ),
            {"appearances.0.attorney": ["NOT_AN_ATTORNEY"]},
            id="non-attorney-appearance",
        ),
        pytest.param(
            lambda t: intake(
                t["cr"],
                parties=[defendant()],
                charges=[charge()],
                appearances=[AppearanceInput(attorney=t["attorney"], party_index=3)],
            ),
            {"appearances.0.party": ["invalid_choice"]},
            id="appearance-for-missing-party",
        ),
        pytest.param(
            lambda t: intake(
                t["cv"],
                parties=[
                    PartyInput(role="plaintiff", first_name="Ann"),
                    PartyInput(role="defendant", kind=PersonKind.ORGANIZATION),
                    person("landlord", "Lee", "Lord"),
                ],
            ),
            {
                "parties.0.last_name": ["required"],
                "parties.1.organization_name": ["required"],
                "parties.2.role": ["invalid_choice"],
            },
            id="nameless-parties-and-unknown-role",
        ),
    ],
)
def test_bad_intake_is_refused_by_field_and_writes_nothing(
    an_open_case,
    cr_type,
    cv_type,
    cr_type_b,
    court_a,
    clerk,
    attorney,
    judge_b,
    make_input,
    expected,
):
    # Given a court with one case already open
    things = {
        "cr": cr_type,
        "cv": cv_type,
        "cr_b": cr_type_b,
        "court_a": court_a,
        "clerk": clerk,
        "attorney": attorney,
        "judge_b": judge_b,
        "today": court_a.local_today(),
    }
    before = written()

    # When the clerk submits the bad intake
    with pytest.raises(ValidationError) as refused:
        case_open(data=make_input(things), opened_by=clerk)

    # Then every fault is reported against its field with its code, and nothing was written
    assert error_codes(refused.value) == expected
    assert written() == before


def test_an_inactive_case_type_is_refused(cr_type, clerk):
    cr_type.is_active = False
    cr_type.save()
    before = written()

    with pytest.raises(ValidationError) as refused:
        open_case(case_type=cr_type, opened_by=clerk)

    assert error_codes(refused.value) == {"case_type": ["CASE_TYPE_INACTIVE"]}
    assert written() == before


def test_a_party_the_person_model_refuses_writes_nothing(an_open_case, cv_type, clerk):
    # A fault only the Person model catches (a malformed e-mail) surfaces after the number
    # was taken: the whole intake still rolls back.
    before = written()

    with pytest.raises(ValidationError):
        open_case(
            case_type=cv_type,
            opened_by=clerk,
            parties=[
                person("plaintiff", "Ann", "Smith"),
                person("defendant", "Bob", "Jones", email="not-an-email"),
            ],
        )

    assert written() == before


def test_a_party_the_person_model_refuses_is_reported_against_that_party(cv_type, clerk):
    with pytest.raises(ValidationError) as refused:
        open_case(
            case_type=cv_type,
            opened_by=clerk,
            parties=[
                person("plaintiff", "Ann", "Smith"),
                person("defendant", "Bob", "Jones", email="not-an-email"),
            ],
        )

    assert error_codes(refused.value) == {"parties.1.email": ["invalid"]}


# --- a repeated submission ----------------------------------------------------------------


def test_submitting_the_same_intake_twice_returns_the_first_case(cr_type, clerk):
    # Given an intake already submitted once
    key = uuid.uuid4()
    first = open_case(case_type=cr_type, opened_by=clerk, intake_key=key)
    before = written()

    # When the same form is submitted again (double click, retry after a timeout)
    again = open_case(case_type=cr_type, opened_by=clerk, intake_key=key)

    # Then it answers with the case the first submission opened and writes nothing more
    assert again.pk == first.pk
    assert again.number == first.number
    assert written() == before


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_the_first_returns_the_first_case(cr_type, clerk):
    # Given the first submission inside its transaction (case written, not yet committed)
    key = uuid.uuid4()
    first_inside = threading.Event()
    let_first_commit = threading.Event()
    second_pid: list[int] = []
    results: dict[str, object] = {}

    def hold_the_first(entry):
        if threading.current_thread().name == "first":
            first_inside.set()
            let_first_commit.wait(timeout=30)

    def submit(name: str) -> None:
        try:
            if name == "second":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    second_pid.append(cursor.fetchone()[0])
            results[name] = open_case(case_type=cr_type, opened_by=clerk, intake_key=key)
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    registry.subscribe("*", "test.hold_first_intake", hold_the_first)
    try:
        first = threading.Thread(target=submit, args=("first",), name="first")
        first.start()
        assert first_inside.wait(timeout=30)

        # When the same intake is submitted again before the first commits
        second = threading.Thread(target=submit, args=("second",), name="second")
        second.start()
        deadline = time.monotonic() + 30
        waiting = False
        while not waiting and time.monotonic() < deadline:  # until it queues on a lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [second_pid[0] if second_pid else 0],
                )
                row = cursor.fetchone()
            waiting = row is not None and row[0] == "Lock"
            time.sleep(0.02)
        let_first_commit.set()
        first.join(timeout=30)
        second.join(timeout=30)
    finally:
        let_first_commit.set()
        registry.unsubscribe("*", "test.hold_first_intake")

    # Then both answers are the one case, and only one case exists
    assert waiting, "the second submission never queued behind the first"
    assert isinstance(results["first"], Case), results["first"]
    assert isinstance(results["second"], Case), results["second"]
    assert results["second"].pk == results["first"].pk
    assert Case.objects.filter(intake_key=key).count() == 1
    assert CaseNumberSequence.objects.get(case_type=cr_type).last_value == 1


# --- adding a party -----------------------------------------------------------------------


def test_adding_a_party_records_the_party_a_docket_entry_and_an_audit_row(civil_case, clerk):
    # Given Smith v. Jones
    seq = civil_case.last_docket_seq

    # When the clerk adds a second defendant
    party = case_party_add(case=civil_case, party=person("defendant", "Dana", "Doe"), actor=clerk)

    # Then the party is placed after Jones, and the act is on the docket and audited
    assert (party.role, party.position, party.added_on) == (
        "defendant",
        2,
        civil_case.court.local_today(),
    )
    entry = latest_entry(civil_case)
    assert (entry.seq, entry.event_code) == (seq + 1, "PRTY")
    assert entry.text == "Defendant added: Dana Doe."
    assert (entry.object_type, entry.object_id) == ("cases.caseparty", str(party.pk))
    audit = AuditEvent.objects.get(action="case.party_add", case_id=civil_case.pk)
    assert (audit.actor, audit.object_id) == (clerk, str(party.pk))


def test_adding_the_same_person_in_the_same_role_twice_is_refused(civil_case, clerk):
    jones = CaseParty.objects.get(case=civil_case, role="defendant").person
    before = written()

    with pytest.raises(DomainError) as refused:
        case_party_add(
            case=civil_case, party=PartyInput(role="defendant", person=jones), actor=clerk
        )

    assert (refused.value.code, refused.value.status) == ("PARTY_ALREADY_ON_CASE", 409)
    assert written() == before


def test_adding_a_party_with_bad_details_is_refused_by_field(civil_case, clerk):
    tomorrow = civil_case.court.local_today() + dt.timedelta(days=1)
    before = written()

    with pytest.raises(ValidationError) as refused:
        case_party_add(
            case=civil_case,
            party=PartyInput(role="witness", first_name="Wes", date_of_birth=tomorrow),
            actor=clerk,
        )

    assert error_codes(refused.value) == {
        "last_name": ["required"],
        "date_of_birth": ["DATE_IN_FUTURE"],
    }
    assert written() == before


# --- attorneys of record ------------------------------------------------------------------


@pytest.fixture
def defendant_party(criminal_case):
    return CaseParty.objects.get(case=criminal_case, role="defendant")


def test_an_appearance_is_entered_docketed_and_audited(
    criminal_case, defendant_party, defense_attorney, clerk
):
    appearance = appearance_enter(
        case=criminal_case, attorney=defense_attorney, party=defendant_party, actor=clerk
    )

    assert (appearance.attorney, appearance.party, appearance.entered_by) == (
        defense_attorney,
        defendant_party,
        clerk,
    )
    assert appearance.is_active
    entry = latest_entry(criminal_case)
    assert entry.event_code == "APPR"
    assert entry.text == (
        f"Notice of appearance: {defense_attorney.get_full_name()} (Bar 0123456) for John Doe."
    )
    assert AuditEvent.objects.filter(
        action="case.appearance_enter", case_id=criminal_case.pk, object_id=str(appearance.pk)
    ).exists()


def test_a_second_active_appearance_for_the_same_party_is_refused(
    criminal_case, defendant_party, attorney, clerk
):
    appearance_enter(case=criminal_case, attorney=attorney, party=defendant_party, actor=clerk)
    before = written()

    with pytest.raises(DomainError) as refused:
        appearance_enter(case=criminal_case, attorney=attorney, party=defendant_party, actor=clerk)

    assert (refused.value.code, refused.value.status) == ("APPEARANCE_ALREADY_ACTIVE", 409)
    assert written() == before


def test_a_non_attorney_cannot_appear(criminal_case, defendant_party, clerk):
    before = written()

    with pytest.raises(DomainError) as refused:
        appearance_enter(case=criminal_case, attorney=clerk, party=defendant_party, actor=clerk)

    assert refused.value.code == "NOT_AN_ATTORNEY"
    assert written() == before


def test_an_attorney_cannot_appear_for_a_party_of_another_case(
    criminal_case, civil_case, attorney, clerk
):
    other_party = CaseParty.objects.get(case=civil_case, role="plaintiff")
    before = written()

    with pytest.raises(DomainError) as refused:
        appearance_enter(case=criminal_case, attorney=attorney, party=other_party, actor=clerk)

    assert refused.value.code == "PARTY_OF_OTHER_CASE"
    assert written() == before


def test_withdrawal_is_recorded_once_and_the_attorney_may_appear_again(
    criminal_case, defendant_party, attorney, clerk
):
    # Given an attorney of record
    appearance = appearance_enter(
        case=criminal_case, attorney=attorney, party=defendant_party, actor=clerk
    )

    # When the attorney withdraws
    withdrawn = appearance_withdraw(appearance=appearance, actor=clerk)

    # Then the appearance is closed, docketed and audited
    assert withdrawn.withdrawn_on == criminal_case.court.local_today()
    assert not withdrawn.is_active
    entry = latest_entry(criminal_case)
    assert (entry.event_code, entry.object_id) == ("WDRW", str(appearance.pk))
    assert AuditEvent.objects.filter(
        action="case.appearance_withdraw", object_id=str(appearance.pk)
    ).exists()

    # and a second withdrawal is refused without writing anything
    before = written()
    with pytest.raises(DomainError) as refused:
        appearance_withdraw(appearance=appearance, actor=clerk)
    assert (refused.value.code, refused.value.status) == ("APPEARANCE_ALREADY_WITHDRAWN", 409)
    assert written() == before

    # while a new appearance may be entered
    again = appearance_enter(
        case=criminal_case, attorney=attorney, party=defendant_party, actor=clerk
    )
    assert again.pk != appearance.pk and again.is_active


def test_a_withdrawal_dated_before_the_appearance_is_refused(cr_type, clerk, attorney, court_a):
    today = court_a.local_today()
    case = open_case(case_type=cr_type, opened_by=clerk, filed_on=today - dt.timedelta(days=30))
    appearance = appearance_enter(
        case=case, attorney=attorney, party=None, actor=clerk, entered_on=today
    )
    before = written()

    with pytest.raises(DomainError) as refused:
        appearance_withdraw(
            appearance=appearance, actor=clerk, withdrawn_on=today - dt.timedelta(days=1)
        )

    assert refused.value.code == "DATE_BEFORE_APPEARANCE"
    assert written() == before


# --- charges ------------------------------------------------------------------------------


def test_a_charge_added_later_takes_the_next_count_number(criminal_case, clerk):
    count = charge_add(
        case=criminal_case,
        charge=charge("843.02", "Resisting an officer without violence", "misdemeanor_a"),
        actor=clerk,
    )

    assert count.count_number == 2
    entry = latest_entry(criminal_case)
    assert (entry.event_code, entry.text) == (
        "CHGA",
        "Count 2 added: 843.02 Resisting an officer without violence.",
    )
    assert AuditEvent.objects.filter(action="case.charge_add", object_id=str(count.pk)).exists()


def test_charges_cannot_be_added_to_a_civil_case(civil_case, clerk):
    before = written()

    with pytest.raises(DomainError) as refused:
        charge_add(case=civil_case, charge=charge(), actor=clerk)

    assert refused.value.code == "CHARGES_NOT_ALLOWED"
    assert written() == before


def test_a_charge_with_a_future_offense_date_is_refused(criminal_case, clerk):
    before = written()

    with pytest.raises(DomainError) as refused:
        charge_add(case=criminal_case, charge=charge(days_ago=-1), actor=clerk)

    assert refused.value.code == "DATE_IN_FUTURE"
    assert written() == before


@pytest.fixture
def count_1(criminal_case):
    return Charge.objects.get(case=criminal_case, count_number=1)


def test_a_plea_is_entered_docketed_and_audited(count_1, clerk):
    day = count_1.case.court.local_today()

    count = charge_plea_enter(charge=count_1, plea="not_guilty", plea_date=day, actor=clerk)

    count.refresh_from_db()
    assert (count.plea, count.plea_date) == ("not_guilty", day)
    entry = latest_entry(count.case)
    assert (entry.event_code, entry.text) == ("PLEA", "Count 1: plea of not guilty.")
    audit = AuditEvent.objects.get(action="case.charge_plea", object_id=str(count.pk))
    assert audit.details == {"from": "", "to": "not_guilty"}


def test_an_unknown_plea_is_refused(count_1, clerk):
    before = written()

    with pytest.raises(DomainError) as refused:
        charge_plea_enter(charge=count_1, plea="maybe", plea_date=count_1.offense_date, actor=clerk)

    assert refused.value.code == "UNKNOWN_PLEA"
    assert written() == before


def test_a_charge_is_disposed_once(count_1, clerk):
    day = count_1.case.court.local_today()

    count = charge_dispose(
        charge=count_1, disposition="nolle_prosequi", disposition_date=day, actor=clerk
    )

    count.refresh_from_db()
    assert (count.disposition, count.disposition_date) == ("nolle_prosequi", day)
    entry = latest_entry(count.case)
    assert (entry.event_code, entry.text) == ("CDSP", "Count 1 disposed: nolle prosequi.")
    assert AuditEvent.objects.get(
        action="case.charge_dispose", object_id=str(count.pk)
    ).details == {"disposition": "nolle_prosequi"}

    # A second disposition is refused: the record is corrected, not overwritten.
    before = written()
    with pytest.raises(DomainError) as refused:
        charge_dispose(charge=count_1, disposition="convicted", disposition_date=day, actor=clerk)
    assert (refused.value.code, refused.value.status) == ("CHARGE_ALREADY_DISPOSED", 409)
    assert written() == before
    count.refresh_from_db()
    assert count.disposition == "nolle_prosequi"


# --- confidentiality ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to", "event_code"),
    [
        ("public", "sealed", "SEAL"),
        ("confidential", "sealed", "SEAL"),
        ("sealed", "public", "UNSL"),
        ("sealed", "confidential", "UNSL"),
        ("public", "confidential", "CONF"),
        ("confidential", "public", "CONF"),
    ],
)
def test_confidentiality_changes_are_docketed_and_audited(
    cr_type, clerk, supervisor, start, to, event_code
):
    case = open_case(case_type=cr_type, opened_by=clerk, confidentiality=start)

    changed = case_confidentiality_set(
        case=case, confidentiality=to, reason="Order of 2026-03-02", actor=supervisor
    )

    case.refresh_from_db()
    assert changed.confidentiality == case.confidentiality == to
    entry = latest_entry(case)
    assert (entry.event_code, entry.text) == (event_code, f"Case made {to}: Order of 2026-03-02")
    audit = AuditEvent.objects.get(action="case.confidentiality", case_id=case.pk)
    assert audit.actor == supervisor
    assert audit.details == {"from": start, "to": to, "reason": "Order of 2026-03-02"}


@pytest.mark.parametrize(
    ("confidentiality", "reason", "code"),
    [
        ("sealed", "", "REASON_REQUIRED"),
        ("sealed", "   ", "REASON_REQUIRED"),
        ("public", "Order of 2026-03-02", "CONFIDENTIALITY_UNCHANGED"),
        ("secret", "Order of 2026-03-02", "UNKNOWN_CONFIDENTIALITY"),
    ],
)
def test_confidentiality_refusals_write_nothing(
    criminal_case, supervisor, confidentiality, reason, code
):
    before = written()

    with pytest.raises(DomainError) as refused:
        case_confidentiality_set(
            case=criminal_case, confidentiality=confidentiality, reason=reason, actor=supervisor
        )

    assert refused.value.code == code
    assert written() == before


def test_a_juvenile_case_cannot_be_made_public(jv_type, clerk, supervisor):
    # Fla. Stat. 39.202 / 985.04: juvenile records are confidential.
    case = open_case(case_type=jv_type, opened_by=clerk)
    before = written()

    with pytest.raises(DomainError) as refused:
        case_confidentiality_set(
            case=case, confidentiality="public", reason="Order of 2026-03-02", actor=supervisor
        )

    assert refused.value.code == "JUVENILE_CANNOT_BE_PUBLIC"
    assert written() == before
