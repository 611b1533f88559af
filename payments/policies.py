"""Who may see and do what with a case's money.

Money follows the case: a case the user may not see is not found (404) on every money
surface. On a case they may see, the public (and an attorney not of record) gets no
money details: payers are often third parties, and restitution names victims.
"""

from __future__ import annotations

from casemgmt.core.roles import Role
from cases.models import Case
from cases.policies import PUBLIC, RECORD_KEEPERS, case_access_level
from cases.querysets import user_court_ids

# Who takes payments at the counter and keeps a cash drawer.
CASHIERS = RECORD_KEEPERS
# Who voids payments and approves drawer close-outs (segregation of duties: not the clerk).
MONEY_SUPERVISORS = (Role.SUPERVISOR,)


def _works_in(user, court_id: int) -> bool:
    return court_id in user_court_ids(user)


def can_see_money(user, case: Case) -> bool:
    """Obligations, payments, balance and receipts of a case the user can see: court
    staff of the court and attorneys of record (anyone reading past the public level)."""
    return case_access_level(user, case) != PUBLIC


def can_take_payments(user, court) -> bool:
    """Open a drawer and post payments in `court` (clerk's office of the court)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role in CASHIERS and _works_in(user, court.pk)


def can_assess(user, case: Case) -> bool:
    """Enter obligations, waivers and adjustments (as ordered) on the case."""
    return can_take_payments(user, case.court)


def can_supervise_money(user, court) -> bool:
    """Void payments and approve drawer close-outs in `court`."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.role in MONEY_SUPERVISORS and _works_in(user, court.pk)
