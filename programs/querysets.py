"""Who sees program records: the one rule, used by every page, API, export and task.

Program records (referrals, enrollments and what hangs off them: screenings, events,
flags, responses) hold treatment information, so they are never public:

* court staff of the program's court (coordinators, clerks, courtroom clerks, judges,
  supervisors) see the records of cases they may see (sealed and juvenile rules of the
  case apply: a sealed case needs its grant, except for supervisors and the assigned judge);
* attorneys see the records of cases where they are of record (active appearance) and may
  see the case;
* superusers see everything; the public and inactive accounts see nothing.

Anything outside this set answers 404, like a record that does not exist.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef

from casemgmt.core.roles import Role


def program_record_filter(user, prefix: str = "") -> models.Q | None:
    """The filter for records whose case is `<prefix>case` and program `<prefix>program`;
    None when `user` sees every record, `Q(pk__in=[])` when none."""
    from cases.models import Appearance, Case
    from cases.querysets import user_court_ids

    if user is None or not user.is_authenticated or not user.is_active:
        return models.Q(pk__in=[])
    if user.is_superuser:
        return None
    visible_cases = Case.objects.visible_to(user).values("pk")
    case_ok = models.Q(**{f"{prefix}case__in": visible_cases})
    if user.role == Role.ATTORNEY:
        of_record = Appearance.objects.filter(
            case_id=OuterRef(f"{prefix}case_id"), attorney=user, withdrawn_on__isnull=True
        )
        return case_ok & models.Q(Exists(of_record))
    if not user.is_court_staff:
        return models.Q(pk__in=[])
    return case_ok & models.Q(**{f"{prefix}program__court_id__in": user_court_ids(user)})


class ProgramRecordQuerySet(models.QuerySet):
    """Referrals and enrollments (they carry `case` and `program`)."""

    def visible_to(self, user):
        condition = program_record_filter(user)
        return self if condition is None else self.filter(condition)


class ProgramQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Programs are public information (what they are and who is eligible); staff also
        see their courts' inactive programs."""
        from cases.querysets import user_court_ids

        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        active = models.Q(is_active=True)
        if user is not None and user.is_authenticated and user.is_court_staff:
            return self.filter(active | models.Q(court_id__in=user_court_ids(user)))
        return self.filter(active)

    def managed_by(self, user):
        """Programs whose participants `user` may serve: log events, screen, enroll
        (coordinators and supervisors of the program's court)."""
        from cases.querysets import user_court_ids

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.role not in (Role.PROGRAM_COORDINATOR, Role.SUPERVISOR):
            return self.none()
        return self.filter(court_id__in=user_court_ids(user))
