"""Every write to program records: the participant's path from referral to completion or
termination, what they do (service events) and how the court responds.

Each service is atomic and writes its audit record in the same transaction. Refusals are
DomainErrors with stable codes (`field=` names the input at fault); form-ish input that is
wrong in several fields at once is a field-keyed ValidationError.

Locks, in one order everywhere: the case row (cases.services.case_row_lock, the lock the
register takes for every docket entry), then the program row (capacity), then the
referral / enrollment row.

Program details are treatment information: the DV* docket entries are recorded
confidential; the case's status entries (INAC, REAC, DISP) are what they always are.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import User
from cases.models import (
    Case,
    CaseParty,
    CaseStatus,
    Confidentiality,
    InactiveReason,
    PartyRole,
    court_local_date,
)
from cases.services import case_row_lock, case_transition, docket_entry_record

from .models import (
    OPEN_REFERRAL_STATUSES,
    Consent,
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    PhaseChange,
    Program,
    ProgramPhase,
    Referral,
    ReferralSource,
    ReferralStatus,
    Screening,
    ScreeningDecision,
)
from .policies import can_refer, require_program_staff

logger = logging.getLogger(__name__)

# Who may be a participant: the accused (criminal, traffic), a respondent, a child.
PARTICIPANT_ROLES = (PartyRole.DEFENDANT, PartyRole.RESPONDENT, PartyRole.CHILD)
# Program details are treatment information (42 CFR Part 2 for substance-use treatment).
PROGRAM_ENTRY_CONFIDENTIALITY = Confidentiality.CONFIDENTIAL


# --- helpers -------------------------------------------------------------------------------


def _today(case: Case) -> dt.date:
    return court_local_date(case.court)


def _required_text(value: str, *, code: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message, field=field)
    return value


def _not_in_future(day: dt.date, today: dt.date, *, field: str, what: str) -> None:
    if day > today:
        raise DomainError("DATE_IN_FUTURE", f"{what} cannot be in the future.", field=field)


def _lock_program(program_id: int) -> Program:
    # FOR NO KEY UPDATE: serialises capacity decisions without blocking the key-share
    # locks that inserting referrals and enrollments of the program take.
    return Program.objects.select_for_update(no_key=True).get(pk=program_id)


def _lock_referral(referral: Referral) -> Referral:
    """Lock the case, then the referral; the fresh referral with its case and program."""
    case_row_lock(case_id=referral.case_id)
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__court", "program", "participant__person")
        .get(pk=referral.pk)
    )


def _lock_enrollment(enrollment: Enrollment, *, program: bool = False) -> Enrollment:
    """Lock the case, (the program,) then the enrollment; the fresh enrollment."""
    case_row_lock(case_id=enrollment.case_id)
    if program:
        _lock_program(enrollment.program_id)
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("case__court", "program", "phase", "participant__person", "referral")
        .get(pk=enrollment.pk)
    )


def _set_referral_status(referral: Referral, status: str, on: dt.date) -> None:
    referral.status = status
    referral.status_date = on
    referral.save(update_fields=["status", "status_date"])


def _program_entry(*, case: Case, code: str, text: str, by: User, obj, on: dt.date | None = None):
    return docket_entry_record(
        case=case,
        event_code=code,
        text=text,
        recorded_by=by,
        obj=obj,
        confidentiality=PROGRAM_ENTRY_CONFIDENTIALITY,
        entry_date=on,
    )


def _status_change(enrollment: Enrollment, *, from_status: str, on: dt.date, reason: str, by):
    EnrollmentStatusChange.objects.create(
        enrollment=enrollment,
        from_status=from_status,
        to_status=enrollment.status,
        effective_on=on,
        reason=reason,
        changed_by=by,
    )


def _require_active(enrollment: Enrollment, what: str) -> None:
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise DomainError(
            "ENROLLMENT_NOT_ACTIVE",
            f"The enrollment is {enrollment.get_status_display().lower()}; {what}",
            status=409,
        )


# --- referral and screening ----------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    program: Program,
    case: Case,
    participant: CaseParty,
    source: str,
    reason: str = "",
    by: User,
) -> Referral:
    """Refer a participant of a pending case to a program of the case's court.

    Records a DVRF entry (confidential) in the register.

    Raises:
        Http404: `by` may not see the case.
        DomainError: REFERRAL_NOT_ALLOWED (403: court staff of the court or an attorney of
            record refer); PROGRAM_OTHER_COURT, PROGRAM_INACTIVE, PARTICIPANT_NOT_ON_CASE,
            PARTICIPANT_ROLE, UNKNOWN_SOURCE (422); CASE_NOT_PENDING,
            REFERRAL_ALREADY_OPEN (409).
    """
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise Http404("No such case.")
    if not can_refer(by, case):
        raise DomainError(
            "REFERRAL_NOT_ALLOWED",
            "Only the court's staff and the attorneys of record may refer a case to a program.",
            status=403,
        )
    if program.court_id != case.court_id:
        raise DomainError(
            "PROGRAM_OTHER_COURT", "The program is not one of this court's.", field="program"
        )
    if not program.is_active:
        raise DomainError(
            "PROGRAM_INACTIVE", "The program does not take referrals.", field="program"
        )
    if participant.case_id != case.pk or participant.removed_on is not None:
        raise DomainError(
            "PARTICIPANT_NOT_ON_CASE",
            "That person is not a party of this case.",
            field="participant",
        )
    if participant.role not in PARTICIPANT_ROLES:
        raise DomainError(
            "PARTICIPANT_ROLE",
            "Only a defendant, a respondent or a child may take part in a program.",
            field="participant",
        )
    if source not in ReferralSource.values:
        raise DomainError("UNKNOWN_SOURCE", f"{source} is not a referral source.", field="source")
    case_row_lock(case_id=case.pk)
    case = Case.objects.select_related("court").get(pk=case.pk)
    if not case.is_pending:
        raise DomainError(
            "CASE_NOT_PENDING",
            f"The case is {case.get_status_display().lower()}; only a pending case is referred.",
            status=409,
        )
    open_exists = Referral.objects.filter(
        program=program, participant=participant, status__in=OPEN_REFERRAL_STATUSES
    ).exists()
    already = DomainError(
        "REFERRAL_ALREADY_OPEN",
        f"{participant.person} already has an open referral to {program.name}.",
        status=409,
    )
    if open_exists:
        raise already
    today = _today(case)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                program=program,
                case=case,
                participant=participant,
                source=source,
                referred_by=by,
                referred_on=today,
                reason=(reason or "").strip(),
                status=ReferralStatus.REFERRED,
                status_date=today,
            )
    except IntegrityError as exc:  # made meanwhile (programs_referral_one_open)
        raise already from exc
    _program_entry(
        case=case,
        code="DVRF",
        text=f"Referred to {program.name} ({ReferralSource(source).label.lower()}): "
        f"{participant.person.display_name}.",
        by=by,
        obj=referral,
    )
    audit_record(
        action="referral.create",
        actor=by,
        obj=referral,
        case=case,
        details={"program": program.pk, "participant": participant.pk, "source": source},
    )
    return referral


@transaction.atomic
def referral_screen(
    *,
    referral: Referral,
    by: User,
    decision: str | None = None,
    decision_reason: str = "",
    notes: str = "",
) -> Screening:
    """Screen a referral: the engine's result per criterion (programs.screening) and the
    coordinator's decision, kept as a Screening; the referral becomes `screened` (eligible)
    or `ineligible`.

    The decision defaults to the engine's outcome when that is eligible or ineligible.
    'Needs review' is decided by the coordinator, with a reason; a decision other than the
    engine's needs a reason too.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403); REFERRAL_NOT_SCREENABLE (409);
            UNKNOWN_DECISION, DECISION_REQUIRED, DECISION_REASON_REQUIRED (422).
    """
    from .screening import screen_referral

    require_program_staff(by, referral)
    referral = _lock_referral(referral)
    if referral.status not in (ReferralStatus.REFERRED, ReferralStatus.SCREENED):
        raise DomainError(
            "REFERRAL_NOT_SCREENABLE",
            f"The referral is {referral.get_status_display().lower()}; "
            "only a new or screened referral is screened.",
            status=409,
        )
    if decision and decision not in ScreeningDecision.values:
        raise DomainError("UNKNOWN_DECISION", "Decide eligible or ineligible.", field="decision")
    today = _today(referral.case)
    result, facts = screen_referral(referral=referral, as_of=today)
    decision_reason = (decision_reason or "").strip()
    if not decision:
        if result.outcome not in ScreeningDecision.values:
            raise DomainError(
                "DECISION_REQUIRED",
                "The screening needs review: decide eligible or ineligible, and say why.",
                field="decision",
            )
        decision = result.outcome
    if decision != result.outcome and not decision_reason:
        raise DomainError(
            "DECISION_REASON_REQUIRED",
            "Say why the decision differs from the screening's outcome.",
            field="decision_reason",
        )
    screening = Screening.objects.create(
        referral=referral,
        outcome=result.outcome,
        results=result.as_json(),
        facts=facts.as_json(),
        decision=decision,
        decision_reason=decision_reason,
        notes=(notes or "").strip(),
        screened_by=by,
    )
    before = referral.status
    _set_referral_status(
        referral,
        ReferralStatus.SCREENED
        if decision == ScreeningDecision.ELIGIBLE
        else ReferralStatus.INELIGIBLE,
        today,
    )
    audit_record(
        action="referral.screen",
        actor=by,
        obj=referral,
        case=referral.case,
        details={
            "screening": screening.pk,
            "outcome": result.outcome,
            "decision": decision,
            "from": before,
            "to": referral.status,
        },
    )
    return screening


@transaction.atomic
def consent_record(
    *,
    referral: Referral,
    kind: str,
    given_on: dt.date | None = None,
    note: str = "",
    by: User,
) -> Consent:
    """Record a consent the program requires. The participant's consent to an offer
    accepts it (offered -> accepted).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403); REFERRAL_NOT_OPEN,
            CONSENT_ALREADY_RECORDED (409); UNKNOWN_CONSENT_KIND, DATE_IN_FUTURE (422).
    """
    require_program_staff(by, referral)
    referral = _lock_referral(referral)
    if not referral.is_open:
        raise DomainError(
            "REFERRAL_NOT_OPEN",
            f"The referral is {referral.get_status_display().lower()}.",
            status=409,
        )
    if kind not in ConsentKind.values:
        raise DomainError("UNKNOWN_CONSENT_KIND", f"{kind} is not a consent.", field="kind")
    today = _today(referral.case)
    given_on = given_on or today
    _not_in_future(given_on, today, field="given_on", what="The date of the consent")
    if Consent.objects.filter(referral=referral, kind=kind).exists():
        raise DomainError(
            "CONSENT_ALREADY_RECORDED",
            f"The {ConsentKind(kind).label.lower()}'s consent is already recorded.",
            field="kind",
            status=409,
        )
    consent = Consent.objects.create(
        referral=referral,
        kind=kind,
        given_on=given_on,
        note=(note or "").strip()[:300],
        recorded_by=by,
    )
    if kind == ConsentKind.PARTICIPANT and referral.status == ReferralStatus.OFFERED:
        _set_referral_status(referral, ReferralStatus.ACCEPTED, given_on)
    audit_record(
        action="referral.consent",
        actor=by,
        obj=consent,
        case=referral.case,
        details={"referral": referral.pk, "kind": kind, "given_on": given_on.isoformat()},
    )
    return consent


def _referral_step(
    referral: Referral, *, by: User, allowed: tuple, to: str, code: str, what: str
) -> tuple[str, Referral]:
    require_program_staff(by, referral)
    referral = _lock_referral(referral)
    if referral.status not in allowed:
        raise DomainError(
            code,
            f"The referral is {referral.get_status_display().lower()}; {what}",
            status=409,
        )
    before = referral.status
    _set_referral_status(referral, to, _today(referral.case))
    return before, referral


@transaction.atomic
def referral_offer(*, referral: Referral, by: User) -> Referral:
    """Offer the program to a participant found eligible (screened -> offered).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), REFERRAL_NOT_SCREENED (409).
    """
    before, referral = _referral_step(
        referral,
        by=by,
        allowed=(ReferralStatus.SCREENED,),
        to=ReferralStatus.OFFERED,
        code="REFERRAL_NOT_SCREENED",
        what="only a referral screened eligible is offered.",
    )
    audit_record(
        action="referral.offer",
        actor=by,
        obj=referral,
        case=referral.case,
        details={"from": before, "to": referral.status},
    )
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, reason: str, by: User) -> Referral:
    """The participant declines the offer (offered/accepted -> declined).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), REFERRAL_NOT_OFFERED (409),
            REASON_REQUIRED (422).
    """
    reason = _required_text(
        reason, code="REASON_REQUIRED", field="reason", message="Say why the offer is declined."
    )
    before, referral = _referral_step(
        referral,
        by=by,
        allowed=(ReferralStatus.OFFERED, ReferralStatus.ACCEPTED),
        to=ReferralStatus.DECLINED,
        code="REFERRAL_NOT_OFFERED",
        what="only an offer is declined.",
    )
    audit_record(
        action="referral.decline",
        actor=by,
        obj=referral,
        case=referral.case,
        details={"from": before, "to": referral.status, "reason": reason},
    )
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, reason: str, by: User) -> Referral:
    """Withdraw an open referral; a waitlisted participant leaves the waitlist.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), REFERRAL_NOT_OPEN (409),
            REASON_REQUIRED (422).
    """
    reason = _required_text(
        reason, code="REASON_REQUIRED", field="reason", message="Say why it is withdrawn."
    )
    before, referral = _referral_step(
        referral,
        by=by,
        allowed=OPEN_REFERRAL_STATUSES,
        to=ReferralStatus.WITHDRAWN,
        code="REFERRAL_NOT_OPEN",
        what="only an open referral is withdrawn.",
    )
    waiting = (
        Enrollment.objects.select_for_update()
        .filter(referral=referral, status=EnrollmentStatus.WAITLISTED)
        .first()
    )
    if waiting is not None:
        waiting.status = EnrollmentStatus.WITHDRAWN
        waiting.ended_on = referral.status_date
        waiting.outcome_note = reason
        waiting.save(update_fields=["status", "ended_on", "outcome_note"])
        _status_change(
            waiting,
            from_status=EnrollmentStatus.WAITLISTED,
            on=waiting.ended_on,
            reason=reason,
            by=by,
        )
    audit_record(
        action="referral.withdraw",
        actor=by,
        obj=referral,
        case=referral.case,
        details={
            "from": before,
            "to": referral.status,
            "reason": reason,
            "waitlisted_enrollment": waiting.pk if waiting else None,
        },
    )
    return referral


# --- enrollment ----------------------------------------------------------------------------


def _first_phase(program: Program) -> ProgramPhase:
    phase = ProgramPhase.objects.filter(program=program).order_by("number").first()
    if phase is None:
        raise DomainError(
            "PROGRAM_HAS_NO_PHASES", "The program has no phases yet; add them in admin."
        )
    return phase


def _activate(enrollment: Enrollment, *, program: Program, on: dt.date, by: User, reason: str):
    """Make `enrollment` active in phase 1: history, the case inactive (diversion), the
    DVEN entry and the program fee. The case and program rows are locked by the caller."""
    phase = _first_phase(program)
    from_status = enrollment.status or ""
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.enrolled_on = on
    enrollment.phase = phase
    enrollment.phase_started_on = on
    enrollment.save()
    _status_change(enrollment, from_status=from_status, on=on, reason=reason, by=by)
    PhaseChange.objects.create(
        enrollment=enrollment,
        from_phase=None,
        phase=phase,
        started_on=on,
        reason=reason,
        changed_by=by,
    )
    referral = enrollment.referral
    _set_referral_status(referral, ReferralStatus.ENROLLED, on)
    case = Case.objects.select_related("court").get(pk=enrollment.case_id)
    if case.is_pending:
        case = case_transition(
            case=case,
            to=CaseStatus.INACTIVE,
            actor=by,
            effective_on=on,
            inactive_reason=InactiveReason.DIVERSION,
        )
    _program_entry(
        case=case,
        code="DVEN",
        text=f"Enrolled in {program.name}, phase {phase.number} ({phase.name}): "
        f"{enrollment.participant.person.display_name}.",
        by=by,
        obj=enrollment,
        on=on,
    )
    if program.fee_amount > 0:
        from payments.services import obligation_create

        enrollment.fee_obligation = obligation_create(
            case=case,
            kind="fee",
            amount=program.fee_amount,
            description="Diversion program fee",
            ordered_on=on,
            due_on=on + dt.timedelta(days=program.fee_due_days),
            created_by=by,
        )
        enrollment.save(update_fields=["fee_obligation"])
    enrollment.case = case
    return enrollment


@transaction.atomic
def enrollment_enroll(
    *, referral: Referral, by: User, enrolled_on: dt.date | None = None
) -> Enrollment:
    """Enroll a participant who accepted the offer, with their consent.

    With a free place (active enrollments < capacity, counted under the program row's
    lock) the enrollment is active in phase 1, the case becomes inactive (diversion) when
    pending, a DVEN entry is recorded and the program fee assessed (due `fee_due_days`
    later). A full program waitlists the participant (enrollment and referral
    `waitlisted`, in order of `waitlisted_at`).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403); REFERRAL_NOT_OFFERED,
            CASE_NOT_PENDING (409); CONSENT_REQUIRED, DATE_IN_FUTURE, DATE_BEFORE_REFERRAL,
            PROGRAM_HAS_NO_PHASES (422); those of case_transition and obligation_create.
    """
    require_program_staff(by, referral)
    case_row_lock(case_id=referral.case_id)
    program = _lock_program(referral.program_id)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case__court", "participant__person")
        .get(pk=referral.pk)
    )
    if referral.status not in (ReferralStatus.OFFERED, ReferralStatus.ACCEPTED):
        raise DomainError(
            "REFERRAL_NOT_OFFERED",
            f"The referral is {referral.get_status_display().lower()}; "
            "only an offer the participant accepted is enrolled.",
            status=409,
        )
    if not Consent.objects.filter(referral=referral, kind=ConsentKind.PARTICIPANT).exists():
        raise DomainError(
            "CONSENT_REQUIRED",
            "Record the participant's consent before enrolling them.",
            field="consent",
        )
    case = referral.case
    if not (case.is_pending or case.status == CaseStatus.INACTIVE):
        raise DomainError(
            "CASE_NOT_PENDING",
            f"The case is {case.get_status_display().lower()}.",
            status=409,
        )
    today = _today(case)
    enrolled_on = enrolled_on or today
    _not_in_future(enrolled_on, today, field="enrolled_on", what="The enrollment date")
    if enrolled_on < referral.referred_on:
        raise DomainError(
            "DATE_BEFORE_REFERRAL",
            "The enrollment date is before the referral.",
            field="enrolled_on",
        )
    active = Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACTIVE).count()
    enrollment = Enrollment(
        program=program,
        referral=referral,
        case=case,
        participant=referral.participant,
        status="",
    )
    if active < program.capacity:
        _activate(enrollment, program=program, on=enrolled_on, by=by, reason="Enrolled.")
        action = "enrollment.enroll"
    else:
        enrollment.status = EnrollmentStatus.WAITLISTED
        enrollment.waitlisted_at = timezone.now()
        enrollment.save()
        _status_change(
            enrollment,
            from_status="",
            on=enrolled_on,
            reason=f"The program is full ({active} of {program.capacity}).",
            by=by,
        )
        _set_referral_status(referral, ReferralStatus.WAITLISTED, enrolled_on)
        action = "enrollment.waitlist"
    audit_record(
        action=action,
        actor=by,
        obj=enrollment,
        case=case,
        details={
            "program": program.pk,
            "referral": referral.pk,
            "status": enrollment.status,
            "active_before": active,
            "capacity": program.capacity,
            "fee_obligation": enrollment.fee_obligation_id,
        },
    )
    return enrollment


@transaction.atomic
def enrollment_admit(*, enrollment: Enrollment, by: User) -> Enrollment:
    """Admit a waitlisted participant when a place is free (as enrollment_enroll does for
    a free place, dated today).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_WAITLISTED,
            PROGRAM_FULL (409).
    """
    require_program_staff(by, enrollment)
    enrollment = _lock_enrollment(enrollment, program=True)
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        raise DomainError(
            "ENROLLMENT_NOT_WAITLISTED",
            f"The enrollment is {enrollment.get_status_display().lower()}, not waitlisted.",
            status=409,
        )
    admitted = _admit_locked(enrollment, by=by, reason="Admitted from the waitlist.")
    if admitted is None:
        program = enrollment.program
        raise DomainError(
            "PROGRAM_FULL",
            f"{program.name} is full ({program.capacity} active participants).",
            status=409,
        )
    return admitted


def _admit_locked(enrollment: Enrollment, *, by: User, reason: str) -> Enrollment | None:
    """Admit `enrollment` (waitlisted; its case and program rows locked) if a place is
    free; None when the program is full."""
    program = enrollment.program
    active = Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACTIVE).count()
    if active >= program.capacity:
        return None
    today = _today(enrollment.case)
    enrollment = _activate(enrollment, program=program, on=today, by=by, reason=reason)
    audit_record(
        action="enrollment.admit",
        actor=by,
        obj=enrollment,
        case=enrollment.case,
        details={
            "program": program.pk,
            "active_before": active,
            "capacity": program.capacity,
            "fee_obligation": enrollment.fee_obligation_id,
        },
    )
    return enrollment
