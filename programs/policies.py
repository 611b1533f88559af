"""Who may do what with program records (who may *see* them is programs.querysets).

* Serving participants — screening, consents, offers, enrollment, events, responses,
  phases, completion and termination — is for the program's staff: its court's program
  coordinators and supervisors (`Program.objects.managed_by`).
* Referring a case to a program is for the court's staff (a judge, a clerk, a coordinator)
  and for an attorney of record on the case.
* A record one may not see answers 404, like one that does not exist; a record one may see
  but not serve (an attorney of record, a clerk of the court) answers 403.
"""

from __future__ import annotations

from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.roles import Role
from cases.models import Appearance, Case
from cases.querysets import user_court_ids

PROGRAM_STAFF_ROLES = (Role.PROGRAM_COORDINATOR, Role.SUPERVISOR)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can_manage(user, program) -> bool:
    """May serve `program`'s participants: a coordinator or supervisor of its court."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return user.role in PROGRAM_STAFF_ROLES and program.court_id in user_court_ids(user)


def can_refer(user, case: Case) -> bool:
    """May refer `case` to a program: court staff of its court who may see it, or an
    attorney of record on it."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return False
    if user.role == Role.ATTORNEY:
        return Appearance.objects.filter(
            case_id=case.pk, attorney=user, withdrawn_on__isnull=True
        ).exists()
    return user.is_court_staff and case.court_id in user_court_ids(user)


def _record_model(record):
    """The referral or enrollment a program record hangs on, and its queryset model."""
    from .models import Enrollment, Referral

    if isinstance(record, Referral | Enrollment):
        return record
    enrollment = getattr(record, "enrollment", None)
    if isinstance(enrollment, Enrollment):
        return enrollment
    referral = getattr(record, "referral", None)
    if isinstance(referral, Referral):
        return referral
    raise TypeError(f"{type(record).__name__} is not a program record")


def require_visible(user, record) -> None:
    """404 unless `user` may see the program record (a referral, an enrollment, or what
    hangs off one: an event, a flag, a screening, a consent)."""
    root = _record_model(record)
    if not type(root).objects.visible_to(user).filter(pk=root.pk).exists():
        raise Http404("No such program record.")


def require_program_staff(user, record) -> None:
    """Refuse a write on a program record by anyone but the program's staff.

    Raises:
        Http404: `user` may not see the record.
        DomainError: PROGRAM_STAFF_ONLY (403) when they see it but do not serve the program.
    """
    require_visible(user, record)
    root = _record_model(record)
    if not can_manage(user, root.program):
        raise DomainError(
            "PROGRAM_STAFF_ONLY",
            "Only the program's coordinators and the court's supervisors may do this.",
            status=403,
        )
