"""What a user may see and do on a case they can see (see querysets.CaseQuerySet.visible_to)."""

from __future__ import annotations

from casemgmt.core.roles import Role

from .models import Appearance, Case, Confidentiality
from .querysets import sealed_grant_case_ids, user_court_ids

PUBLIC, CONFIDENTIAL, SEALED = "public", "confidential", "sealed"

# Who keeps the case file: open cases, add parties, record docket entries.
RECORD_KEEPERS = (Role.CLERK, Role.COURTROOM_CLERK, Role.SUPERVISOR)
# Who may seal or unseal a case (by order of the court, entered by its staff).
SEALERS = (Role.SUPERVISOR, Role.JUDGE)


def _is_court_staff_of(user, case: Case) -> bool:
    return user.is_court_staff and case.court_id in user_court_ids(user)


def case_access_level(user, case: Case) -> str:
    """How deep `user` may read a case they can see: public, confidential or sealed.

    Decides which docket entries and which party details are shown.
    """
    if user is None or not user.is_authenticated:
        return PUBLIC
    if user.is_superuser:
        return SEALED
    granted = case.pk in sealed_grant_case_ids(user)
    if user.role == Role.ATTORNEY:
        of_record = Appearance.objects.filter(
            case=case, attorney=user, withdrawn_on__isnull=True
        ).exists()
        if granted:
            return SEALED
        return CONFIDENTIAL if of_record else PUBLIC
    if not _is_court_staff_of(user, case):
        return PUBLIC
    if (
        user.role == Role.SUPERVISOR
        or granted
        or (user.role == Role.JUDGE and case.judge_id == user.pk)
    ):
        return SEALED
    return CONFIDENTIAL


# Party details the public (and an attorney not of record) never sees; the API leaves
# the keys out of its answer rather than sending them as null.
CONTACT_FIELDS = (
    "date_of_birth",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
)


def can_see_contact_details(level: str) -> bool:
    """Addresses, dates of birth, phone numbers and e-mail are never shown to the public."""
    return level != PUBLIC


def can_keep_record(user, case: Case | None = None, court=None) -> bool:
    """May open cases, add parties, attorneys and charges, record entries and transitions."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    court_id = case.court_id if case is not None else getattr(court, "pk", None)
    return user.role in RECORD_KEEPERS and court_id in user_court_ids(user)


def require_record_keeper(user, case: Case, *, what: str) -> None:
    """Refuse a write on `case` by anyone but its court's record keepers: a case `user`
    may not see is 404 (like a missing one), one they may see but not keep is 403.

    Args:
        what: the act, completing "Only the clerk's office of the court ...".

    Raises:
        Http404; DomainError NOT_A_RECORD_KEEPER (403).
    """
    from django.http import Http404

    from casemgmt.core.errors import DomainError

    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise Http404("No such case.")
    if not can_keep_record(user, case):
        raise DomainError(
            "NOT_A_RECORD_KEEPER", f"Only the clerk's office of the court {what}.", status=403
        )


def can_seal(user, case: Case) -> bool:
    if user.is_superuser:
        return True
    return user.role in SEALERS and _is_court_staff_of(user, case)


def entry_confidentiality_allowed(level: str, confidentiality: str) -> bool:
    order = [Confidentiality.PUBLIC, Confidentiality.CONFIDENTIAL, Confidentiality.SEALED]
    return order.index(confidentiality) <= order.index(level)
