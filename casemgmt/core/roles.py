"""The roles a court gives its users. The public is the anonymous user, not a role."""

from django.db import models


class Role(models.TextChoices):
    CLERK = "clerk", "Clerk"
    COURTROOM_CLERK = "courtroom_clerk", "Courtroom clerk"
    JUDGE = "judge", "Judge"
    SUPERVISOR = "supervisor", "Supervisor"
    ATTORNEY = "attorney", "Attorney"
    PROGRAM_COORDINATOR = "program_coordinator", "Program coordinator"


# Court staff act for the court; attorneys and the public act on their own behalf.
STAFF_ROLES = frozenset(
    {Role.CLERK, Role.COURTROOM_CLERK, Role.JUDGE, Role.SUPERVISOR, Role.PROGRAM_COORDINATOR}
)
