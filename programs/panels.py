"""The case file's Programs panel, and the program pages' place in the navigation
(`register_program_pages`, called from ProgramsConfig.ready()).

The case page has a query budget (tests/cases/test_pages.py). The panel costs it nothing:
whether to show it is decided from what the case page has already loaded (the reader's
role and courts, the case's attorneys of record), and its body — the case's referrals and
enrollments the reader may see, and the "Refer to a program" form — is loaded by htmx from
`programs:case` (which is also a page of its own without JavaScript).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casemgmt.core.roles import Role
from cases.models import PartyRole
from cases.querysets import user_court_ids

from .forms import ReferralForm
from .models import Program, Referral
from .policies import can_manage, can_refer

# Who may take part in a program (programs.services.PARTICIPANT_ROLES).
PARTICIPANT_ROLES = (PartyRole.DEFENDANT, PartyRole.RESPONDENT, PartyRole.CHILD)
PANEL_RECORDS = 50
# Who finds the caseload and the referrals in the menu.
PROGRAM_NAV_ROLES = (Role.PROGRAM_COORDINATOR, Role.SUPERVISOR, Role.JUDGE)


def _may_hold_program_records(user, case_file) -> bool:
    """Whether `user` can see any program record of the case (programs.querysets): court
    staff of its court, an attorney of record, a superuser. No query: the case file has
    the appearances loaded and the user's courts are memoized."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.ATTORNEY:
        return any(
            a.attorney_id == user.pk and a.withdrawn_on is None for a in case_file.appearances
        )
    return user.is_court_staff and case_file.case.court_id in user_court_ids(user)


def programs_panel_context(request: HttpRequest, case_file) -> dict | None:
    """The panel's shell: None (no panel) for readers who can see no program record."""
    if not _may_hold_program_records(request.user, case_file):
        return None
    case = case_file.case
    return {"url": reverse("programs:case", args=[case.court.code, case.number])}


def referral_form_for(case, *, data=None) -> ReferralForm:
    programs = Program.objects.filter(court_id=case.court_id, is_active=True).order_by("name")
    participants = (
        case.parties.filter(role__in=PARTICIPANT_ROLES, removed_on__isnull=True)
        .select_related("person")
        .order_by("role", "position", "id")
    )
    return ReferralForm(
        data, prefix="refer", programs=list(programs), participants=list(participants)
    )


def case_programs_context(request: HttpRequest, case, *, form=None, message: str = "") -> dict:
    """The case's referrals (with their enrollments) the reader may see, newest first, and
    the referral form for those who may refer."""
    user = request.user
    referrals = list(
        Referral.objects.visible_to(user)
        .filter(case=case)
        .select_related("program", "participant__person", "enrollment__phase")
        .order_by("-referred_on", "-id")[: PANEL_RECORDS + 1]
    )
    rows = []
    for referral in referrals[:PANEL_RECORDS]:
        enrollment = getattr(referral, "enrollment", None)
        rows.append(
            {
                "referral": referral,
                "enrollment": enrollment,
                "manager": can_manage(user, referral.program),
            }
        )
    may_refer = case.is_pending and can_refer(user, case)
    if form is None and may_refer:
        form = referral_form_for(case)
    return {
        "case": case,
        "rows": rows,
        "truncated": len(referrals) > PANEL_RECORDS,
        "form": form if may_refer else None,
        "no_programs": form is not None and not form.programs,
        "no_participants": form is not None and not form.participants,
        "message": message,
        "url": reverse("programs:case", args=[case.court.code, case.number]),
    }


def register_program_pages() -> None:
    """The caseload and referrals in the menu, the case file's Programs panel."""
    from casemgmt.core.shell import NavItem, register_nav
    from cases.panels import CasePanel, register_case_panel

    register_nav(NavItem("Programs", "programs:caseload", PROGRAM_NAV_ROLES, order=50))
    register_nav(NavItem("Referrals", "programs:referrals", PROGRAM_NAV_ROLES, order=51))
    register_case_panel(
        CasePanel(
            key="programs",
            title="Programs",
            template="programs/panel.html",
            context=programs_panel_context,
            order=50,
        )
    )
