"""Allocation of a payment across a defendant's obligations (issue 7, item 2).

Pure rules, no database. The statute behind the default policy:

- 18 U.S.C. 3612(c): a payment goes first to special assessments, then to restitution,
  then to fines, fees and costs (interest and penalties on them share that last tier).
- 18 U.S.C. 3664(i): within restitution, individual victims are paid in full before the
  United States and its agencies, and the court may set a different schedule per victim
  (the default here: victims of the same class share pro rata).
- 18 U.S.C. 3664(j)(1): insurers and others who compensated a victim are paid after all
  victims.
- 18 U.S.C. 3612(i): within one obligation a payment is applied to principal first, then
  costs, then interest, then penalties.

Tests read given / when / then; amounts are the court's (Decimal, two places).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from payments.allocation import (
    DEFAULT_POLICY,
    Allocation,
    AllocationPolicy,
    AllocationResult,
    OwedItem,
    allocate,
    policy_from_dict,
    policy_to_dict,
)

D = Decimal
JAN = date(2024, 1, 10)
FEB = date(2024, 2, 10)
MAR = date(2024, 3, 10)


def item(oid, kind, balance, *, component="principal", on=JAN, payee="", priority=0):
    return OwedItem(
        obligation_id=oid,
        kind=kind,
        component=component,
        balance=D(balance),
        ordered_on=on,
        payee_class=payee,
        priority=priority,
    )


def victim(oid, balance, payee="individual", *, on=JAN, priority=0, component="principal"):
    return item(
        oid, "restitution", balance, component=component, on=on, payee=payee, priority=priority
    )


def paid(result: AllocationResult) -> list[tuple[int, str, Decimal]]:
    """The allocations as (obligation id, component, amount), in the order applied."""
    return [(a.obligation_id, a.component, a.amount) for a in result.allocations]


def per_obligation(result: AllocationResult) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for a in result.allocations:
        totals[a.obligation_id] = totals.get(a.obligation_id, D("0")) + a.amount
    return totals


def pay_down(owed: list[OwedItem], result: AllocationResult) -> list[OwedItem]:
    """The balances left after a visit: what the payments service would read next time."""
    applied = {(a.obligation_id, a.component): a.amount for a in result.allocations}
    left = []
    for o in owed:
        rest = o.balance - applied.get((o.obligation_id, o.component), D("0"))
        if rest > 0:
            left.append(replace(o, balance=rest))
    return left


# --- 3612(c): the order of the tiers ---------------------------------------------------------

TIER_CASES = [
    # (amount, expected per obligation, expected credit)
    # 3612(c): the special assessment (1) is paid before anything else.
    ("100.00", {1: D("100.00")}, D("0.00")),
    # 3612(c): then restitution (2) before the fine (3), fee (4) and cost (5).
    ("150.00", {1: D("100.00"), 2: D("50.00")}, D("0.00")),
    ("400.00", {1: D("100.00"), 2: D("250.00"), 5: D("50.00")}, D("0.00")),
    # 3612(c): fines, fees and costs share one tier, oldest order first (cost 5 is oldest).
    ("700.00", {1: D("100.00"), 2: D("250.00"), 5: D("75.00"), 3: D("275.00")}, D("0.00")),
]


@pytest.mark.parametrize(("amount", "expected", "credit"), TIER_CASES)
def test_3612c_special_assessment_then_restitution_then_fines_fees_costs(amount, expected, credit):
    # given a judgment with every kind of obligation
    owed = [
        item(3, "fine", "1000.00", on=FEB),
        item(4, "fee", "40.00", on=MAR),
        item(5, "cost", "75.00", on=JAN),
        victim(2, "250.00", on=MAR),
        item(1, "special_assessment", "100.00", on=MAR),
    ]
    # when a payment is taken
    result = allocate(D(amount), owed)
    # then it follows the statutory tiers
    assert per_obligation(result) == expected
    assert list(per_obligation(result)) == list(expected)  # in the order applied
    assert result.credit == credit


def test_3612c_interest_and_penalty_obligations_are_paid_with_fines_oldest_first():
    # given a fine and separately ordered interest and penalty obligations
    owed = [
        item(7, "penalty", "30.00", on=MAR),
        item(6, "interest", "20.00", on=FEB),
        item(5, "fine", "100.00", on=JAN),
    ]
    # when a payment covers all but part of the penalty
    result = allocate(D("130.00"), owed)
    # then the oldest obligation in the last tier is paid first
    assert paid(result) == [
        (5, "principal", D("100.00")),
        (6, "principal", D("20.00")),
        (7, "principal", D("10.00")),
    ]


def test_same_ordered_date_is_broken_by_the_lower_obligation_id():
    # given two fines ordered on the same day
    owed = [item(9, "fine", "50.00"), item(8, "fine", "50.00")]
    # when a payment covers one of them
    result = allocate(D("50.00"), owed)
    # then the lower obligation id is paid
    assert paid(result) == [(8, "principal", D("50.00"))]


# --- 3664(i), (j)(1): classes of restitution payees ---------------------------------------


def test_3664ij_individual_victims_before_government_before_insurers():
    # given an insurer, an agency and an individual victim, the insurer's order being oldest
    owed = [
        victim(1, "300.00", "insurer", on=JAN),
        victim(2, "200.00", "government", on=FEB),
        victim(3, "100.00", "individual", on=MAR),
    ]
    # when a payment covers the victim and part of the agency's loss
    result = allocate(D("250.00"), owed)
    # then the individual is paid in full first, then the United States (3664(i));
    # the insurer last (3664(j)(1))
    assert paid(result) == [(3, "principal", D("100.00")), (2, "principal", D("150.00"))]


def test_3664i_several_classes_at_once_each_class_shared_pro_rata():
    # given two individual victims, two agencies and one insurer
    owed = [
        victim(1, "300.00", "individual"),
        victim(2, "100.00", "individual"),
        victim(3, "600.00", "government"),
        victim(4, "200.00", "government"),
        victim(5, "500.00", "insurer"),
    ]
    # when a payment pays the individuals in full and part of the government's share
    result = allocate(D("500.00"), owed)
    # then the individuals are whole and the agencies share the remaining 100.00 as 600:200
    assert per_obligation(result) == {1: D("300.00"), 2: D("100.00"), 3: D("75.00"), 4: D("25.00")}
    assert result.credit == D("0.00")


def test_3664i_restitution_tier_still_waits_for_the_special_assessment():
    owed = [victim(2, "100.00"), item(1, "special_assessment", "100.00")]
    result = allocate(D("120.00"), owed)
    # 3612(c) before 3664(i): the assessment comes first whatever the payee
    assert per_obligation(result) == {1: D("100.00"), 2: D("20.00")}


# --- 3664(i): pro rata among victims of one class, exact cents --------------------------------

PRO_RATA_CASES = [
    # (amount, balances by obligation id (all ordered on the same day), expected shares)
    # three equal victims: one cent left over goes to the lowest id (tie-break)
    ("100.00", {1: "100.00", 2: "100.00", 3: "100.00"}, {1: "33.34", 2: "33.33", 3: "33.33"}),
    # two cents left over: the two lowest ids
    ("200.00", {1: "100.00", 2: "100.00", 3: "100.00"}, {1: "66.67", 2: "66.67", 3: "66.66"}),
    # unequal losses 1:2 — shares 1:2, the leftover cent to the largest remainder
    ("100.00", {1: "50.00", 2: "100.00"}, {1: "33.33", 2: "66.67"}),
    # one cent among three: the tie-break decides who gets it
    ("0.01", {1: "10.00", 2: "10.00", 3: "10.00"}, {1: "0.01"}),
    # losses 7 : 3 with an odd amount
    ("0.99", {1: "70.00", 2: "30.00"}, {1: "0.69", 2: "0.30"}),
    # exactly enough for everyone
    ("60.00", {1: "10.00", 2: "20.00", 3: "30.00"}, {1: "10.00", 2: "20.00", 3: "30.00"}),
    # six victims, amounts that do not divide evenly: floors sum to 9.97, the three cents
    # go to the largest remainders (victims 2, 1, 3)
    (
        "10.00",
        {1: "1.00", 2: "2.00", 3: "3.00", 4: "5.00", 5: "7.00", 6: "11.00"},
        {1: "0.35", 2: "0.69", 3: "1.04", 4: "1.72", 5: "2.41", 6: "3.79"},
    ),
]


@pytest.mark.parametrize(("amount", "balances", "expected"), PRO_RATA_CASES)
def test_3664i_pro_rata_among_victims_of_one_class(amount, balances, expected):
    # given individual victims of the same class
    owed = [victim(oid, bal) for oid, bal in balances.items()]
    # when a payment does not cover them all
    result = allocate(D(amount), owed)
    # then each gets a share in proportion to the loss, to the cent, summing to the payment
    assert per_obligation(result) == {oid: D(v) for oid, v in expected.items()}
    assert sum(a.amount for a in result.allocations) == D(amount)


def test_pro_rata_leftover_cent_goes_to_the_older_order_before_the_lower_id():
    # given three equal victims, the one with the highest id ordered first
    owed = [victim(1, "100.00", on=MAR), victim(2, "100.00", on=FEB), victim(3, "100.00", on=JAN)]
    # when 100.00 is shared
    result = allocate(D("100.00"), owed)
    # then the extra cent goes to the oldest order; allocations listed oldest first
    assert paid(result) == [
        (3, "principal", D("33.34")),
        (2, "principal", D("33.33")),
        (1, "principal", D("33.33")),
    ]


def test_pro_rata_is_in_proportion_to_the_whole_obligation_and_3612i_within_it():
    # given victim 1 owed 60.00 principal and 40.00 interest, victim 2 owed 100.00 principal
    owed = [
        victim(1, "40.00", component="interest"),
        victim(1, "60.00", component="principal"),
        victim(2, "100.00"),
    ]
    # when 100.00 is shared between them (100 : 100)
    result = allocate(D("100.00"), owed)
    # then each obligation gets 50.00; within victim 1, principal first (3612(i))
    assert paid(result) == [
        (1, "principal", D("50.00")),
        (2, "principal", D("50.00")),
    ]


def test_pro_rata_result_does_not_depend_on_the_order_of_the_input():
    owed = [victim(i, f"{i * 7}.13", on=JAN + timedelta(days=i % 3)) for i in range(1, 9)]
    first = allocate(D("97.05"), owed)
    for seed in range(5):
        shuffled = owed[:]
        random.Random(seed).shuffle(shuffled)
        assert allocate(D("97.05"), shuffled) == first


# --- partial payments over several visits ---------------------------------------------------


def test_partial_payments_over_several_visits_add_up_to_the_judgment():
    # given a judgment: assessment, two individual victims, an insurer, a fine with interest
    owed = [
        item(1, "special_assessment", "100.00"),
        victim(2, "1000.00", "individual", on=FEB),
        victim(3, "500.00", "individual", on=JAN),
        victim(4, "800.00", "insurer"),
        item(5, "fine", "250.00"),
        item(5, "fine", "12.34", component="interest"),
    ]
    total_owed = sum(o.balance for o in owed)
    visits = [D("33.33"), D("250.00"), D("0.01"), D("1000.00"), D("777.77"), D("950.00")]
    # when the defendant pays visit after visit, each against the balances left by the last
    applied: dict[tuple[int, str], Decimal] = {}
    credit = D("0")
    for amount in visits:
        result = allocate(amount, owed)
        assert sum(a.amount for a in result.allocations) + result.credit == amount
        for a in result.allocations:
            applied[(a.obligation_id, a.component)] = (
                applied.get((a.obligation_id, a.component), D("0")) + a.amount
            )
        credit += result.credit
        owed = pay_down(owed, result)
    # then every cent paid is either applied or held as credit, and the judgment is paid
    assert sum(applied.values()) + credit == sum(visits)
    assert sum(applied.values()) == total_owed
    assert owed == []
    assert credit == sum(visits) - total_owed == D("348.77")
    # and no obligation received more than it was owed
    assert applied[(2, "principal")] == D("1000.00")
    assert applied[(5, "interest")] == D("12.34")


def test_second_visit_picks_up_where_the_first_left_off():
    owed = [item(1, "special_assessment", "100.00"), victim(2, "300.00"), item(3, "fine", "50.00")]
    first = allocate(D("150.00"), owed)
    assert per_obligation(first) == {1: D("100.00"), 2: D("50.00")}
    second = allocate(D("300.00"), pay_down(owed, first))
    assert per_obligation(second) == {2: D("250.00"), 3: D("50.00")}
    assert second.credit == D("0.00")


# --- 3612(i): within an obligation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        # 3612(i): principal first
        ("50.00", [("principal", "50.00")]),
        # then costs
        ("110.00", [("principal", "100.00"), ("costs", "10.00")]),
        # then interest
        ("125.00", [("principal", "100.00"), ("costs", "20.00"), ("interest", "5.00")]),
        # then penalties last
        (
            "135.00",
            [
                ("principal", "100.00"),
                ("costs", "20.00"),
                ("interest", "8.00"),
                ("penalties", "7.00"),
            ],
        ),
    ],
)
def test_3612i_principal_then_costs_interest_penalties(amount, expected):
    # given one fine with all four components, listed in the wrong order
    owed = [
        item(1, "fine", "9.00", component="penalties"),
        item(1, "fine", "8.00", component="interest"),
        item(1, "fine", "20.00", component="costs"),
        item(1, "fine", "100.00", component="principal"),
    ]
    result = allocate(D(amount), owed)
    assert paid(result) == [(1, c, D(v)) for c, v in expected]


def test_3612i_an_older_obligation_is_paid_whole_before_the_next_obligations_principal():
    owed = [
        item(2, "fine", "100.00", on=FEB),
        item(1, "fine", "10.00", on=JAN),
        item(1, "fine", "5.00", on=JAN, component="interest"),
    ]
    result = allocate(D("20.00"), owed)
    assert paid(result) == [
        (1, "principal", D("10.00")),
        (1, "interest", D("5.00")),
        (2, "principal", D("5.00")),
    ]


# --- configured restitution modes (3664(i): "the court may provide for a different payment
# schedule"; some courts pay oldest first, some by an ordered priority) ----------------------


def test_oldest_first_mode_pays_each_victim_in_full_by_ordered_date():
    policy = replace(DEFAULT_POLICY, restitution_mode="oldest_first")
    owed = [victim(1, "100.00", on=MAR), victim(2, "100.00", on=JAN), victim(3, "100.00", on=JAN)]
    result = allocate(D("150.00"), owed, policy)
    # ordered_on, then obligation id
    assert paid(result) == [(2, "principal", D("100.00")), (3, "principal", D("50.00"))]


def test_oldest_first_mode_still_puts_individuals_before_insurers():
    policy = replace(DEFAULT_POLICY, restitution_mode="oldest_first")
    owed = [victim(1, "100.00", "insurer", on=JAN), victim(2, "100.00", "individual", on=MAR)]
    result = allocate(D("120.00"), owed, policy)
    assert per_obligation(result) == {2: D("100.00"), 1: D("20.00")}


def test_priority_mode_pays_by_configured_priority_then_date_then_id():
    policy = replace(DEFAULT_POLICY, restitution_mode="priority")
    owed = [
        victim(1, "100.00", on=JAN, priority=2),
        victim(2, "100.00", on=MAR, priority=1),
        victim(3, "100.00", on=FEB, priority=1),
        victim(4, "100.00", on=FEB, priority=1),
    ]
    result = allocate(D("250.00"), owed, policy)
    assert paid(result) == [
        (3, "principal", D("100.00")),
        (4, "principal", D("100.00")),
        (2, "principal", D("50.00")),
    ]


def test_a_court_may_reorder_the_tiers_and_the_payee_classes():
    policy = policy_from_dict(
        {
            "tiers": [["restitution"], ["special_assessment"], ["fine", "fee", "cost"]],
            "payee_class_order": ["government", "individual", "insurer"],
        }
    )
    owed = [
        item(1, "special_assessment", "100.00"),
        victim(2, "50.00", "individual"),
        victim(3, "50.00", "government"),
    ]
    result = allocate(D("120.00"), owed, policy)
    assert paid(result) == [
        (3, "principal", D("50.00")),
        (2, "principal", D("50.00")),
        (1, "principal", D("20.00")),
    ]


def test_kinds_left_out_of_the_configured_tiers_are_paid_last_oldest_first():
    # given a court that lists only assessments, restitution and fines; fees, costs go last
    policy = policy_from_dict(
        {"tiers": [["special_assessment"], ["restitution"], ["fine"]]},
    )
    owed = [
        item(4, "fee", "30.00", on=FEB),
        item(3, "cost", "30.00", on=JAN),
        item(2, "fine", "30.00", on=MAR),
        victim(1, "30.00"),
    ]
    result = allocate(D("80.00"), owed, policy)
    assert paid(result) == [
        (1, "principal", D("30.00")),
        (2, "principal", D("30.00")),
        (3, "principal", D("20.00")),
    ]


# --- overpayment ----------------------------------------------------------------------------


def test_overpayment_is_held_as_credit_never_absorbed():
    owed = [item(1, "special_assessment", "100.00"), victim(2, "33.33"), item(3, "fine", "0.67")]
    result = allocate(D("200.00"), owed)
    assert per_obligation(result) == {1: D("100.00"), 2: D("33.33"), 3: D("0.67")}
    assert result.credit == D("66.00")


def test_payment_with_nothing_owed_is_all_credit():
    result = allocate(D("25.00"), [])
    assert result == AllocationResult(allocations=(), credit=D("25.00"))


def test_zero_balances_are_skipped():
    owed = [item(1, "fine", "0.00"), item(2, "fine", "5.00")]
    assert paid(allocate(D("5.00"), owed)) == [(2, "principal", D("5.00"))]


def test_amounts_come_back_with_two_places():
    result = allocate(D("10"), [item(1, "fine", "4")])
    assert result.allocations == (Allocation(1, "principal", D("4.00")),)
    assert str(result.allocations[0].amount) == "4.00"
    assert str(result.credit) == "6.00"


# --- exact cents: invariants over many random cases -----------------------------------------

KINDS = ("special_assessment", "restitution", "fine", "fee", "cost", "interest", "penalty")
COMPONENTS = ("principal", "costs", "interest", "penalties")
CLASSES = ("individual", "government", "insurer")


def random_owed(rng: random.Random) -> list[OwedItem]:
    owed = []
    for oid in range(1, rng.randint(2, 12)):
        # restitution half the time, so that victims of one class often share a payment
        kind = "restitution" if rng.random() < 0.5 else rng.choice(KINDS)
        on = date(2020, 1, 1) + timedelta(days=rng.randint(0, 5))  # many ties on purpose
        payee = rng.choice(CLASSES) if kind == "restitution" else ""
        priority = rng.randint(0, 2)
        for comp in rng.sample(COMPONENTS, rng.randint(1, 4)):
            cents = rng.choice([1, 2, 3, 7, 99, 100, 333, rng.randint(1, 500_000)])
            balance = D(cents) / 100
            owed.append(
                item(oid, kind, balance, component=comp, on=on, payee=payee, priority=priority)
            )
    rng.shuffle(owed)
    return owed


def random_policy(rng: random.Random) -> AllocationPolicy:
    kinds = list(KINDS)
    rng.shuffle(kinds)
    tiers, rest = [], [k for k in kinds if k != "restitution"]
    while rest:
        n = rng.randint(1, len(rest))
        tiers.append(tuple(rest[:n]))
        rest = rest[n:]
    tiers.insert(rng.randint(0, len(tiers)), ("restitution",))
    if rng.random() < 0.3:
        tiers.pop()  # leave some kinds out: they are paid last
        if ("restitution",) not in tiers:
            tiers.append(("restitution",))
    return AllocationPolicy(
        tiers=tuple(tiers),
        payee_class_order=tuple(rng.sample(CLASSES, 3)),
        restitution_mode=rng.choice(["pro_rata", "oldest_first", "priority"]),
        component_order=tuple(rng.sample(COMPONENTS, 4)),
    )


def test_invariants_hold_for_many_random_cases():
    rng = random.Random(3612)
    for _ in range(3000):
        owed = random_owed(rng)
        policy = random_policy(rng) if rng.random() < 0.5 else DEFAULT_POLICY
        total = sum((o.balance for o in owed), D("0"))
        total_cents = max(int(total * 100), 1)
        amount = rng.choice(
            [
                D("0.01"),
                D(rng.randint(1, total_cents)) / 100,  # a partial payment, most of the time
                D(rng.randint(1, total_cents)) / 100,
                max(total, D("0.01")),  # exactly what is owed
                total + D("0.01"),  # one cent over: credit
                D(rng.randint(1, 2_000_000)) / 100,
            ]
        )

        result = allocate(amount, owed, policy)

        # no cent invented or lost
        assert sum((a.amount for a in result.allocations), D("0")) + result.credit == amount
        assert result.credit >= 0
        # credit only once everything owed is paid
        assert result.credit == max(amount - total, D("0"))
        balances = {(o.obligation_id, o.component): o.balance for o in owed}
        seen = set()
        for a in result.allocations:
            # positive, whole cents, never more than owed, one allocation per component
            assert a.amount > 0
            assert a.amount == a.amount.quantize(D("0.01"))
            assert a.amount.as_tuple().exponent == -2
            assert a.amount <= balances[(a.obligation_id, a.component)]
            assert (a.obligation_id, a.component) not in seen
            seen.add((a.obligation_id, a.component))
        # deterministic: the same input in another order gives the same result
        shuffled = owed[:]
        rng.shuffle(shuffled)
        assert allocate(amount, shuffled, policy) == result
        check_tiers_respected(owed, result, policy)
        if policy.restitution_mode == "pro_rata":
            check_pro_rata_within_a_cent(owed, result, policy)


def rank(o: OwedItem, policy: AllocationPolicy) -> tuple[int, int]:
    """(tier, payee class) of an owed item under a policy; unlisted kinds rank last."""
    tier = next((i for i, t in enumerate(policy.tiers) if o.kind in t), len(policy.tiers))
    cls = policy.payee_class_order.index(o.payee_class) if o.kind == "restitution" else 0
    return tier, cls


def check_tiers_respected(owed, result, policy):
    """3612(c), 3664(i), (j): nothing reaches a later tier or payee class while an earlier one is
    still owed."""
    reached_ids = {a.obligation_id for a in result.allocations}
    reached = [rank(o, policy) for o in owed if o.obligation_id in reached_ids]
    if reached:
        assert all(rank(o, policy) >= max(reached) for o in pay_down(owed, result))


def check_pro_rata_within_a_cent(owed, result, policy):
    """3664(i) pro rata: a victim's share differs from its exact proportion by under a cent."""
    got = per_obligation(result)
    for cls in policy.payee_class_order:
        by_obligation: dict[int, Decimal] = {}
        for o in owed:
            if o.kind == "restitution" and o.payee_class == cls:
                by_obligation[o.obligation_id] = by_obligation.get(o.obligation_id, 0) + o.balance
        class_total = sum(by_obligation.values(), D("0"))
        given = sum((got.get(oid, D("0")) for oid in by_obligation), D("0"))
        if not by_obligation or given == class_total:
            continue
        for oid, bal in by_obligation.items():
            exact = given * bal / class_total
            assert abs(got.get(oid, D("0")) - exact) < D("0.01")


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [D("0"), D("0.00"), D("-1.00"), D("-0.01"), D("10.005"), D("0.001"), D("NaN"), D("Infinity")],
)
def test_invalid_amounts_are_refused(amount):
    with pytest.raises(ValueError, match="amount"):
        allocate(amount, [item(1, "fine", "10.00")])


@pytest.mark.parametrize("amount", [10, 10.5, "10.00", None])
def test_amounts_that_are_not_decimals_are_refused(amount):
    with pytest.raises(ValueError, match="amount"):
        allocate(amount, [item(1, "fine", "10.00")])


def test_trailing_zeros_beyond_cents_are_the_same_amount():
    # 10.100 is ten dollars and ten cents: no third decimal to lose
    assert allocate(D("10.100"), []).credit == D("10.10")


@pytest.mark.parametrize(
    ("owed", "match"),
    [
        ([item(1, "tax", "1.00")], "kind"),
        ([item(1, "fine", "1.00", component="surcharge")], "component"),
        ([item(1, "fine", "-1.00")], "balance"),
        ([item(1, "fine", "1.001")], "balance"),
        ([victim(1, "1.00", payee="")], "payee_class"),
        ([victim(1, "1.00", payee="bank")], "payee_class"),
        ([item(1, "fine", "1.00"), item(1, "fine", "2.00")], "twice"),
        ([item(1, "fine", "1.00"), item(1, "fee", "2.00", component="costs")], "obligation 1"),
        (
            [item(1, "fine", "1.00"), item(1, "fine", "2.00", component="costs", on=FEB)],
            "obligation 1",
        ),
    ],
)
def test_inconsistent_owed_items_are_refused(owed, match):
    with pytest.raises(ValueError, match=match):
        allocate(D("1.00"), owed)


def test_default_policy_is_the_statute():
    statute = AllocationPolicy(
        tiers=(
            ("special_assessment",),
            ("restitution",),
            ("fine", "fee", "cost", "interest", "penalty"),
        ),
        payee_class_order=("individual", "government", "insurer"),
        restitution_mode="pro_rata",
        component_order=("principal", "costs", "interest", "penalties"),
    )
    assert statute == DEFAULT_POLICY


def test_policy_round_trips_through_json_shaped_dicts():
    policy = AllocationPolicy(
        tiers=(("restitution",), ("special_assessment", "fine")),
        payee_class_order=("government", "individual", "insurer"),
        restitution_mode="priority",
        component_order=("principal", "interest", "costs", "penalties"),
    )
    data = policy_to_dict(policy)
    assert data == {
        "tiers": [["restitution"], ["special_assessment", "fine"]],
        "payee_class_order": ["government", "individual", "insurer"],
        "restitution_mode": "priority",
        "component_order": ["principal", "interest", "costs", "penalties"],
    }
    assert policy_from_dict(data) == policy
    assert policy_from_dict({}) == DEFAULT_POLICY
    assert policy_from_dict(policy_to_dict(DEFAULT_POLICY)) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("data", "bad_key"),
    [
        ("not a dict", "policy"),
        ({"tier": [["fine"]]}, "tier"),
        ({"tiers": "special_assessment"}, "tiers"),
        ({"tiers": []}, "tiers"),
        ({"tiers": [[]]}, "tiers"),
        ({"tiers": [["restitution"], ["parking"]]}, "tiers"),
        ({"tiers": [["restitution"], ["fine"], ["fine"]]}, "tiers"),
        ({"tiers": [["special_assessment"], ["fine"]]}, "tiers"),  # restitution must have a tier
        ({"tiers": [["restitution", "fine"]]}, "tiers"),  # and a tier of its own
        ({"tiers": [[1]]}, "tiers"),
        ({"payee_class_order": ["individual", "government"]}, "payee_class_order"),
        ({"payee_class_order": ["individual", "individual", "insurer"]}, "payee_class_order"),
        ({"payee_class_order": ["individual", "government", "bank"]}, "payee_class_order"),
        ({"payee_class_order": "individual"}, "payee_class_order"),
        ({"restitution_mode": "largest_first"}, "restitution_mode"),
        ({"restitution_mode": None}, "restitution_mode"),
        ({"component_order": ["principal", "costs", "interest"]}, "component_order"),
        ({"component_order": ["principal", "costs", "interest", "fees"]}, "component_order"),
    ],
)
def test_invalid_policies_are_refused_naming_the_bad_key(data, bad_key):
    with pytest.raises(ValueError, match=bad_key):
        policy_from_dict(data)


def test_a_policy_built_directly_is_validated_too():
    with pytest.raises(ValueError, match="restitution_mode"):
        replace(DEFAULT_POLICY, restitution_mode="random")
