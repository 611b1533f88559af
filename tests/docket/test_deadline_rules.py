"""Deadline rules as data (docket.models.DeadlineRuleSet / DeadlineRule): every court gets
the default rule set ("frcp", FRCP 6(a)) and rules, and each court counts with its own.

Default rules (docket.deadline_services.DEFAULT_DEADLINE_RULES):
* SRVC, civil: answer due 21 days after service (FRCP 12(a)(1)(A)(i));
* MOTN: response due 14 days after (a typical local rule);
* HRGS of a trial: pretrial motions due 14 days before the trial starts;
* JDGM: notice of appeal due 30 days after in civil cases (FRAP 4(a)(1)(A)), 14 days
  after in criminal and traffic cases (FRAP 4(b)(1)(A)).
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from cases.models import CaseCategory
from cases.services import docket_entry_record
from docket.deadline_services import (
    DEFAULT_DEADLINE_RULES,
    DEFAULT_RULE_SET,
    deadline_rules_install_defaults,
)
from docket.models import Deadline, DeadlineRule, DeadlineRuleSet
from tests.cases.factories import CaseTypeFactory, open_case
from tests.core.factories import CourtFactory

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def types(court_a):
    return {
        category: CaseTypeFactory(court=court_a, code=code, category=category)
        for code, category in [
            ("CV", CaseCategory.CIVIL),
            ("CR", CaseCategory.CRIMINAL),
            ("TR", CaseCategory.TRAFFIC),
            ("DR", CaseCategory.DOMESTIC),
        ]
    }


def opened(case_type, clerk, code, on):
    case = open_case(case_type=case_type, opened_by=clerk)
    docket_entry_record(case=case, event_code=code, text=code, recorded_by=clerk, entry_date=on)
    return [(d.name, d.due_on) for d in Deadline.objects.filter(case=case).order_by("id")]


def test_a_new_court_gets_the_default_rule_set_and_rules(db):
    # When a court is created
    court = CourtFactory(code="newcourt")

    # Then it counts by FRCP 6 by default and has the default rules
    rule_set = DeadlineRuleSet.objects.get(court=court)
    assert (rule_set.code, rule_set.is_default) == ("frcp", True)
    assert rule_set.mail_extra_methods == ["mail", "clerk", "consent"]
    assert rule_set.state_holidays == "forward"
    rules = DeadlineRule.objects.filter(court=court)
    assert sorted((r.event_code, r.case_category) for r in rules) == sorted(
        (r["event_code"], r["case_category"]) for r in DEFAULT_DEADLINE_RULES
    )
    # and installing again adds nothing
    assert deadline_rules_install_defaults(court=court) == 0


def test_a_court_with_its_own_default_keeps_it(db):
    court = CourtFactory(code="own")
    DeadlineRuleSet.objects.filter(court=court).delete()
    mine = DeadlineRuleSet.objects.create(court=court, code="state", name="State", is_default=True)
    deadline_rules_install_defaults(court=court)
    assert DeadlineRuleSet.objects.get(court=court, is_default=True) == mine
    assert DeadlineRuleSet.objects.filter(court=court, code="frcp", is_default=False).exists()


def test_the_migration_installs_a_frozen_copy_of_the_same_defaults():
    migration = importlib.import_module("docket.migrations.0007_default_deadline_rules")
    assert migration.RULE_SET == DEFAULT_RULE_SET
    frozen = {(*rule[:9], tuple(rule[9]), tuple(rule[10])) for rule in migration.RULES}
    current = {
        (
            r["event_code"],
            r["case_category"],
            r["name"],
            r["period_days"],
            r["direction"],
            r["trigger"],
            r["responsible_role"],
            r["is_statutory"],
            r["citation"],
            tuple(r.get("hearing_types", [])),
            tuple(r.get("meets_event_codes", [])),
        )
        for r in DEFAULT_DEADLINE_RULES
    }
    assert frozen == current


@pytest.mark.parametrize(
    "category, code, on, expected",
    [
        # FRCP 12(a)(1)(A)(i): 21 days after service, Sat 2025-03-01 -> Sat 03-22 -> Mon 03-24
        (CaseCategory.CIVIL, "SRVC", "2025-03-01", [("Answer due", "2025-03-24")]),
        # service in a criminal case calls for no answer
        (CaseCategory.CRIMINAL, "SRVC", "2025-03-01", []),
        # a motion in any kind of case: 14 days to respond
        (CaseCategory.CRIMINAL, "MOTN", "2025-03-03", [("Response to motion due", "2025-03-17")]),
        (CaseCategory.DOMESTIC, "MOTN", "2025-03-03", [("Response to motion due", "2025-03-17")]),
        # FRAP 4(a)(1)(A): 30 days after judgment in civil cases; Mon 2025-03-03 -> Wed 04-02
        (CaseCategory.CIVIL, "JDGM", "2025-03-03", [("Notice of appeal due", "2025-04-02")]),
        # FRAP 4(b)(1)(A): 14 days for a criminal defendant, traffic too
        (
            CaseCategory.CRIMINAL,
            "JDGM",
            "2025-03-03",
            [("Notice of appeal due (defendant)", "2025-03-17")],
        ),
        (
            CaseCategory.TRAFFIC,
            "JDGM",
            "2025-03-03",
            [("Notice of appeal due (defendant)", "2025-03-17")],
        ),
        # no default rule for judgments in domestic cases (state rules vary: admin adds)
        (CaseCategory.DOMESTIC, "JDGM", "2025-03-03", []),
    ],
)
def test_the_default_rules_by_event_code_and_case_category(
    types, clerk, category, code, on, expected
):
    assert opened(types[category], clerk, code, D(on)) == [(n, D(d)) for n, d in expected]


def test_each_court_counts_with_its_own_default_rule_set(make_user, court_a, court_b, clerk):
    # Given court B counting court days only (a state variant, as data)
    DeadlineRuleSet.objects.filter(court=court_b).update(is_default=False)
    DeadlineRuleSet.objects.create(
        court=court_b,
        code="court-days",
        name="Court days only",
        count_court_days_only=True,
        is_default=True,
    )
    clerk_b = make_user("clerk", [court_b])
    cr_a = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    cr_b = CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)

    # When a motion is filed the same Monday in both courts
    in_a = opened(cr_a, clerk, "MOTN", D("2025-03-03"))
    in_b = opened(cr_b, clerk_b, "MOTN", D("2025-03-03"))

    # Then A counts calendar days (Mon 03-17), B fourteen court days (Fri 03-21)
    assert in_a == [("Response to motion due", D("2025-03-17"))]
    assert in_b == [("Response to motion due", D("2025-03-21"))]


def test_a_rule_may_name_its_own_rule_set_and_case_type(court_a, clerk, types):
    # Given a rule for CV cases only, counted in court days
    court_days = DeadlineRuleSet.objects.create(
        court=court_a, code="court-days", name="Court days only", count_court_days_only=True
    )
    DeadlineRule.objects.create(
        court=court_a,
        event_code="ORDR",
        case_type=types[CaseCategory.CIVIL],
        name="Compliance report due",
        period_days=5,
        responsible_role="parties",
        rule_set=court_days,
    )

    # Then an order in a CV case opens it, five court days after Fri 2025-03-07 (Fri 03-14)
    assert opened(types[CaseCategory.CIVIL], clerk, "ORDR", D("2025-03-07")) == [
        ("Compliance report due", D("2025-03-14"))
    ]
    # and an order in a DR case opens nothing
    assert opened(types[CaseCategory.DOMESTIC], clerk, "ORDR", D("2025-03-07")) == []


def test_a_rule_in_hours_is_due_at_a_time(court_a, clerk, types):
    DeadlineRule.objects.create(
        court=court_a,
        event_code="NOTC",
        name="Objection due",
        period_hours=48,
        responsible_role="parties",
    )
    case = open_case(case_type=types[CaseCategory.CIVIL], opened_by=clerk)
    entry = docket_entry_record(case=case, event_code="NOTC", text="Notice", recorded_by=clerk)

    deadline = Deadline.objects.get(case=case)

    assert deadline.due_at is not None and deadline.due_at > entry.entered_at
    assert deadline.due_on == deadline.due_at.astimezone(court_a.tzinfo).date()


def test_rules_and_rule_sets_are_edited_in_admin(client, make_user, court_a):
    admin_user = make_user("supervisor", [court_a], is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    rule = DeadlineRule.objects.filter(court=court_a).first()
    for url in (
        "/admin/docket/deadlinerule/",
        f"/admin/docket/deadlinerule/{rule.pk}/change/",
        "/admin/docket/deadlineruleset/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_rule_the_engine_cannot_count_does_not_stop_the_entry(court_a, clerk, types, caplog):
    # Given a rule set up wrong in admin (a period of 0 days: the engine refuses it)
    DeadlineRule.objects.create(
        court=court_a, event_code="ORDR", name="Broken", period_days=0, responsible_role="court"
    )
    # When an order is recorded, the entry stands and the failure is logged
    case = open_case(case_type=types[CaseCategory.CIVIL], opened_by=clerk)
    entry = docket_entry_record(case=case, event_code="ORDR", text="Order", recorded_by=clerk)
    assert entry.pk is not None
    assert not Deadline.objects.filter(case=case).exists()
    assert "PERIOD_NOT_POSITIVE" in caplog.text
