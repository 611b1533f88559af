"""Allocation of a payment across what a defendant owes: pure rules, no models, no database.

The payments services read the outstanding balances, call `allocate`, and ledger the result.
The default policy is the statute:

- 18 U.S.C. 3612(c): special assessments first, then restitution, then fines, fees and costs
  (interest and penalty obligations ordered on their own share that last tier).
- 18 U.S.C. 3664(i): within restitution, other victims are paid in full before the United
  States and its agencies; 3664(j)(1): victims before insurers and others who compensated them.
  Victims of the same class are paid pro rata unless the court sets another schedule
  (3664(i)): oldest first, or a priority it configures.
- 18 U.S.C. 3612(i): within one obligation, principal, then costs, then interest, then
  penalties.

A court may configure its own policy (stored as JSON, read with `policy_from_dict`).

Choices made here:
- Kinds of obligation missing from the configured tiers are paid after every tier, oldest
  first (then by obligation id) rather than refused: a court that lists only part of the kinds
  still has every payment applied, and nothing owed is skipped in favour of a credit.
- Restitution must have a tier of its own, because its order inside the tier (payee classes,
  pro rata) differs from the oldest-first order of every other tier.
- Money is handled in whole cents (integers) inside; pro rata shares are exact by the
  largest-remainder method, so the parts always add up to what was available.
- An amount is judged by its value: 10.100 is ten dollars ten cents; 10.005 is refused.
- Owed items with a zero balance are accepted and skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

KINDS = ("special_assessment", "restitution", "fine", "fee", "cost", "interest", "penalty")
COMPONENTS = ("principal", "costs", "interest", "penalties")
PAYEE_CLASSES = ("individual", "government", "insurer")
RESTITUTION_MODES = ("pro_rata", "oldest_first", "priority")
POLICY_KEYS = ("tiers", "payee_class_order", "restitution_mode", "component_order")


@dataclass(frozen=True)
class OwedItem:
    """One outstanding component of one obligation, as read from the ledger."""

    obligation_id: int
    kind: str  # one of KINDS
    component: str  # one of COMPONENTS; 18 U.S.C. 3612(i) order within an obligation
    balance: Decimal  # >= 0, at most 2 places
    ordered_on: date
    payee_class: str = ""  # restitution only: one of PAYEE_CLASSES (3664(i), (j))
    priority: int = 0  # restitution order set by the court (lower first), "priority" mode


@dataclass(frozen=True)
class AllocationPolicy:
    """A court's order of payment. Validated on construction (ValueError naming the field)."""

    tiers: tuple[tuple[str, ...], ...]
    payee_class_order: tuple[str, ...]
    restitution_mode: str
    component_order: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_policy(self)


def _check_policy(policy: AllocationPolicy) -> None:
    """ValueError naming the field unless the policy is complete and consistent."""
    tiers = policy.tiers
    if not isinstance(tiers, tuple) or not tiers:
        raise ValueError("tiers: must be a non-empty list of tiers")
    for tier in tiers:
        if not isinstance(tier, tuple) or not tier or not all(isinstance(k, str) for k in tier):
            raise ValueError("tiers: each tier must be a non-empty list of kinds")
    kinds = [kind for tier in tiers for kind in tier]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"tiers: unknown kinds {unknown}; known kinds are {KINDS}")
    if len(kinds) != len(set(kinds)):
        raise ValueError("tiers: a kind may appear in one tier only")
    if ("restitution",) not in tiers:
        raise ValueError("tiers: restitution must have a tier of its own")
    _check_order(policy.payee_class_order, PAYEE_CLASSES, "payee_class_order")
    if policy.restitution_mode not in RESTITUTION_MODES:
        raise ValueError(
            f"restitution_mode: must be one of {RESTITUTION_MODES}, got {policy.restitution_mode!r}"
        )
    _check_order(policy.component_order, COMPONENTS, "component_order")


def _check_order(order: tuple, known: tuple[str, ...], name: str) -> None:
    if not isinstance(order, tuple) or sorted(order, key=str) != sorted(known):
        raise ValueError(f"{name}: must list each of {known} once, got {order!r}")


DEFAULT_POLICY = AllocationPolicy(
    # 18 U.S.C. 3612(c)
    tiers=(
        ("special_assessment",),
        ("restitution",),
        ("fine", "fee", "cost", "interest", "penalty"),
    ),
    # 18 U.S.C. 3664(i): victims before the United States; 3664(j)(1): insurers after both
    payee_class_order=("individual", "government", "insurer"),
    # 18 U.S.C. 3664(i): victims of the same class share pro rata by default
    restitution_mode="pro_rata",
    # 18 U.S.C. 3612(i)
    component_order=("principal", "costs", "interest", "penalties"),
)


@dataclass(frozen=True)
class Allocation:
    """Part of a payment applied to one component of one obligation."""

    obligation_id: int
    component: str
    amount: Decimal


@dataclass(frozen=True)
class AllocationResult:
    """Allocations in the order applied (each > 0) and the overpayment held as credit."""

    allocations: tuple[Allocation, ...]
    credit: Decimal


@dataclass(frozen=True)
class _Obligation:
    """The owed items of one obligation, gathered; balances in cents, components in order."""

    obligation_id: int
    kind: str
    ordered_on: date
    payee_class: str
    priority: int
    components: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(cents for _, cents in self.components)


def allocate(
    amount: Decimal, owed: Sequence[OwedItem], policy: AllocationPolicy = DEFAULT_POLICY
) -> AllocationResult:
    """Apply a payment to what is owed, in the policy's order.

    Args:
        amount: the payment; a positive Decimal with at most two decimal places.
        owed: outstanding components of the defendant's obligations, in any order.
        policy: the court's order of payment (default: the statute).

    Returns:
        The allocations in the order applied and the credit left over. The allocations plus
        the credit always equal `amount`; no allocation exceeds its balance; the same input
        (in any order) gives the same result.

    Raises:
        ValueError: the amount is not a positive Decimal of whole cents, or the owed items are
            inconsistent (unknown kind or component, bad balance, a component listed twice,
            restitution without a known payee class, one obligation described two ways).
    """
    remaining = _cents(amount, "amount", positive=True)
    allocations: list[Allocation] = []
    for group, mode in _groups_in_order(_gather(owed, policy), policy):
        if remaining == 0:
            break
        shares = _pro_rata(remaining, group) if mode == "pro_rata" else _in_turn(remaining, group)
        for obligation, share in zip(group, shares, strict=True):
            allocations.extend(_within_obligation(obligation, share))
            remaining -= share
    return AllocationResult(allocations=tuple(allocations), credit=_money(remaining))


def _by_date(o: _Obligation) -> tuple:
    return (o.ordered_on, o.obligation_id)


def _by_priority(o: _Obligation) -> tuple:
    return (o.priority, o.ordered_on, o.obligation_id)


def _groups_in_order(obligations: list[_Obligation], policy: AllocationPolicy):
    """Yield (obligations, mode) in the order they are paid: tier by tier, and within the
    restitution tier one group per payee class. Each group is sorted for its mode."""
    for tier in policy.tiers:
        if tier == ("restitution",):
            mode = policy.restitution_mode
            key = _by_priority if mode == "priority" else _by_date
            for payee_class in policy.payee_class_order:
                members = [o for o in obligations if o.kind == "restitution"]
                yield sorted((o for o in members if o.payee_class == payee_class), key=key), mode
        else:
            yield sorted((o for o in obligations if o.kind in tier), key=_by_date), "in_turn"
    # Kinds the court left out of its tiers: last, oldest first (see module docstring).
    listed = {kind for tier in policy.tiers for kind in tier}
    yield sorted((o for o in obligations if o.kind not in listed), key=_by_date), "in_turn"


def _in_turn(available: int, group: list[_Obligation]) -> list[int]:
    """Each obligation paid in full before the next, in the group's order."""
    shares = []
    for obligation in group:
        share = min(available, obligation.total)
        shares.append(share)
        available -= share
    return shares


def _pro_rata(available: int, group: list[_Obligation]) -> list[int]:
    """Shares in proportion to each obligation's balance, exact to the cent.

    Largest-remainder method: everyone gets the floor of their exact share; the cents left
    over go one each to the largest remainders, ties to the earlier in the group (older
    ordered_on, then lower obligation id). Since `available` is below the group's total, an
    exact share is below the balance, so floor + 1 cent never exceeds what is owed.
    """
    total = sum(o.total for o in group)
    if available >= total:
        return [o.total for o in group]
    floors = [available * o.total // total for o in group]
    remainders = [available * o.total % total for o in group]
    leftover = available - sum(floors)
    by_remainder = sorted(range(len(group)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return floors


def _within_obligation(obligation: _Obligation, share: int) -> list[Allocation]:
    """18 U.S.C. 3612(i): the share goes to the components in the policy's component order."""
    allocations = []
    for component, balance in obligation.components:
        part = min(share, balance)
        if part:
            allocations.append(Allocation(obligation.obligation_id, component, _money(part)))
            share -= part
    return allocations


def _gather(owed: Sequence[OwedItem], policy: AllocationPolicy) -> list[_Obligation]:
    """Check the owed items and gather them by obligation; obligations owing nothing drop out."""
    seen: dict[int, OwedItem] = {}
    components: dict[int, dict[str, int]] = {}
    for item in owed:
        oid = item.obligation_id
        if item.kind not in KINDS:
            raise ValueError(f"obligation {oid}: unknown kind {item.kind!r}")
        if item.component not in COMPONENTS:
            raise ValueError(f"obligation {oid}: unknown component {item.component!r}")
        if item.kind == "restitution" and item.payee_class not in PAYEE_CLASSES:
            raise ValueError(
                f"obligation {oid}: restitution needs a payee_class in {PAYEE_CLASSES}, "
                f"got {item.payee_class!r}"
            )
        cents = _cents(item.balance, f"obligation {oid} {item.component} balance")
        first = seen.setdefault(oid, item)
        if _describes(first) != _describes(item):
            raise ValueError(
                f"obligation {oid}: items disagree on kind, ordered_on, payee_class or priority"
            )
        if item.component in components.setdefault(oid, {}):
            raise ValueError(f"obligation {oid}: component {item.component!r} listed twice")
        components[oid][item.component] = cents

    rank = {component: i for i, component in enumerate(policy.component_order)}
    obligations = []
    for oid, first in seen.items():
        ordered = sorted(components[oid].items(), key=lambda kv: rank[kv[0]])
        obligation = _Obligation(
            obligation_id=oid,
            kind=first.kind,
            ordered_on=first.ordered_on,
            payee_class=first.payee_class,
            priority=first.priority,
            components=tuple((c, cents) for c, cents in ordered if cents),
        )
        if obligation.total:
            obligations.append(obligation)
    return obligations


def _describes(item: OwedItem) -> tuple:
    return (item.kind, item.ordered_on, item.payee_class, item.priority)


def _cents(value: Decimal, name: str, *, positive: bool = False) -> int:
    """Whole cents of a money value; ValueError naming it unless a finite Decimal of whole
    cents, positive (or, for balances, not negative)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'positive' if positive else 'zero or more'}: {value}")
    cents = value.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{name} must have at most two decimal places: {value}")
    return int(cents)


def _money(cents: int) -> Decimal:
    """Cents as a two-place Decimal (400 -> Decimal('4.00'))."""
    return Decimal(cents).scaleb(-2)


# --- the court's configured policy ------------------------------------------------------------


def _as_tuple(value, name: str) -> tuple:
    """A JSON list as a tuple; ValueError naming the key for anything else (a string too)."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name}: must be a list, got {value!r}")
    return tuple(value)


def policy_from_dict(data: dict) -> AllocationPolicy:
    """Read a court's configured policy (JSON object); missing keys take the default.

    Raises:
        ValueError: not a dict, an unknown key, or a bad value; the message names the key.
    """
    if not isinstance(data, dict):
        raise ValueError(f"policy must be a JSON object, got {data!r}")
    for key in data:
        if key not in POLICY_KEYS:
            raise ValueError(f"unknown policy key {key!r}; known keys are {POLICY_KEYS}")
    default = policy_to_dict(DEFAULT_POLICY)
    merged = {**default, **data}
    tiers = tuple(_as_tuple(tier, "tiers") for tier in _as_tuple(merged["tiers"], "tiers"))
    return AllocationPolicy(
        tiers=tiers,
        payee_class_order=_as_tuple(merged["payee_class_order"], "payee_class_order"),
        restitution_mode=merged["restitution_mode"],
        component_order=_as_tuple(merged["component_order"], "component_order"),
    )


def policy_to_dict(policy: AllocationPolicy) -> dict:
    """The policy as a JSON-ready dict (lists, strings), the inverse of `policy_from_dict`."""
    return {
        "tiers": [list(tier) for tier in policy.tiers],
        "payee_class_order": list(policy.payee_class_order),
        "restitution_mode": policy.restitution_mode,
        "component_order": list(policy.component_order),
    }
