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
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import User
from cases.models import (
    PENDING_STATUSES,
    Case,
    CaseParty,
    CaseStatus,
    ChargeDisposition,
    Confidentiality,
    InactiveReason,
    PartyRole,
    court_local_date,
)
from cases.services import case_row_lock, case_transition, charge_dispose, docket_entry_record
from docket.models import HearingType
from docket.services import hearing_schedule

from .models import (
    OPEN_REFERRAL_STATUSES,
    Attendance,
    ComplianceFlag,
    Consent,
    ConsentKind,
    DrugTestResult,
    Enrollment,
    EnrollmentStatus,
    EnrollmentStatusChange,
    FlagStatus,
    PhaseChange,
    PhaseRequirement,
    Program,
    ProgramPhase,
    ProgramResponse,
    Referral,
    ReferralSource,
    ReferralStatus,
    RequirementKind,
    ResponseKind,
    Screening,
    ScreeningDecision,
    ServiceEvent,
    ServiceSite,
    TerminationReason,
)
from .policies import can_refer, require_program_staff
from .progress import enrollment_progress
from .screening import screen_referral

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


# --- what the participant does -------------------------------------------------------------

MAX_HOURS_PER_EVENT = Decimal("24")


def _lock_enrollment_only(enrollment: Enrollment) -> Enrollment:
    """Lock the enrollment row alone (writes that record no docket entry)."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("case__court", "program", "phase")
        .get(pk=enrollment.pk)
    )


def _hours(value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["hours"] = ValidationError("Give the hours as a number, e.g. 2.5.", code="invalid")
        return None
    if not hours.is_finite() or hours <= 0:
        errors["hours"] = ValidationError("Hours must be more than 0.", code="HOURS_NOT_POSITIVE")
    elif hours > MAX_HOURS_PER_EVENT:
        errors["hours"] = ValidationError(
            "At most 24 hours in one entry; log each day separately.", code="HOURS_TOO_MANY"
        )
    elif hours != hours.quantize(Decimal("0.01")):
        errors["hours"] = ValidationError("Hours to the hundredth at most.", code="invalid")
    return hours


@transaction.atomic
def event_record(
    *,
    enrollment: Enrollment,
    kind: str,
    occurred_on: dt.date,
    by: User,
    requirement: PhaseRequirement | None = None,
    drug_test_result: str = "",
    substances: str = "",
    attendance: str = "",
    hours=None,
    site: ServiceSite | None = None,
    supervisor_name: str = "",
    completed: bool = False,
    notes: str = "",
) -> ServiceEvent:
    """Log what an active participant did or failed to do: a drug test and its result, a
    counseling session, class or review hearing attended or missed, hours of community
    service at a site.

    Without `requirement`, the event is tied to the current phase's first requirement of
    its kind (if any); progress counts it there.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_ACTIVE (409);
        ValidationError keyed by field: kind, occurred_on, requirement, drug_test_result,
            substances, attendance, hours, site, completed.
    """
    require_program_staff(by, enrollment)
    enrollment = _lock_enrollment_only(enrollment)
    _require_active(enrollment, "events are logged for active participants only.")
    errors: dict[str, ValidationError] = {}

    def error(key: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(key, ValidationError(message, code=code))

    if kind not in RequirementKind.values:
        raise ValidationError(
            {"kind": ValidationError(f"{kind} is not a kind of event.", code="invalid")}
        )
    today = _today(enrollment.case)
    if occurred_on is None:
        error("occurred_on", "Give the date.", "required")
    elif occurred_on > today:
        error("occurred_on", "The date cannot be in the future.", "DATE_IN_FUTURE")
    elif occurred_on < enrollment.enrolled_on:
        error("occurred_on", "The date is before the enrollment.", "DATE_BEFORE_ENROLLMENT")
    if requirement is not None:
        if requirement.phase.program_id != enrollment.program_id:
            error("requirement", "That requirement is another program's.")
        elif requirement.kind != kind:
            error(
                "requirement", f"That requirement is not for {RequirementKind(kind).label.lower()}."
            )
    else:
        requirement = (
            PhaseRequirement.objects.filter(phase_id=enrollment.phase_id, kind=kind)
            .order_by("position", "id")
            .first()
        )
    substances = (substances or "").strip()
    attendance = attendance or ""
    drug_test_result = drug_test_result or ""
    is_test = kind == RequirementKind.DRUG_TEST
    is_session = kind in (
        RequirementKind.COUNSELING,
        RequirementKind.CLASS,
        RequirementKind.REVIEW_HEARING,
    )
    is_service = kind == RequirementKind.COMMUNITY_SERVICE
    if is_test:
        if drug_test_result not in DrugTestResult.values:
            error("drug_test_result", "Choose negative, positive, diluted or missed.", "required")
        elif drug_test_result == DrugTestResult.POSITIVE and not substances:
            error("substances", "Name what the test found.", "required")
    elif drug_test_result:
        error("drug_test_result", "Only a drug test has a result.")
    if substances and drug_test_result != DrugTestResult.POSITIVE:
        error("substances", "Only a positive test names substances.")
    if is_session:
        if attendance not in Attendance.values:
            error("attendance", "Choose attended, absent or excused.", "required")
    elif attendance:
        error("attendance", "Attendance is for sessions, classes and hearings.")
    if completed and kind != RequirementKind.CLASS:
        error("completed", "Only a class is completed.")
    elif completed and attendance != Attendance.ATTENDED:
        error("completed", "A class is completed only when attended.")
    parsed_hours = _hours(hours, errors)
    if is_service and parsed_hours is None and "hours" not in errors:
        error("hours", "Give the hours served.", "required")
    elif not is_service and parsed_hours is not None:
        error("hours", "Hours are for community service.")
    if site is not None:
        if site.court_id != enrollment.program.court_id:
            error("site", "That site is another court's.")
        elif not site.is_active:
            error("site", "That site is no longer in use.")
    if errors:
        raise ValidationError(errors)
    event = ServiceEvent.objects.create(
        enrollment=enrollment,
        requirement=requirement,
        kind=kind,
        occurred_on=occurred_on,
        drug_test_result=drug_test_result,
        substances=substances[:200],
        attendance=attendance,
        hours=parsed_hours,
        site=site,
        supervisor_name=(supervisor_name or "").strip()[:200],
        completed=bool(completed),
        notes=(notes or "").strip(),
        recorded_by=by,
    )
    audit_record(
        action="program_event.record",
        actor=by,
        obj=event,
        case=enrollment.case,
        details={
            "enrollment": enrollment.pk,
            "kind": kind,
            "occurred_on": occurred_on.isoformat(),
            "result": drug_test_result or attendance or (str(parsed_hours) if parsed_hours else ""),
        },
    )
    return event


@transaction.atomic
def event_void(*, event: ServiceEvent, reason: str, by: User) -> ServiceEvent:
    """Void a wrong event by recording a new one that names it (events are never edited).
    Open flags raised about the voided event are resolved with the reason.

    Returns:
        The voiding event.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), EVENT_IS_VOID,
            EVENT_ALREADY_VOIDED (409), REASON_REQUIRED (422).
    """
    require_program_staff(by, event)
    reason = _required_text(
        reason, code="REASON_REQUIRED", field="reason", message="Say why the entry is voided."
    )
    enrollment = _lock_enrollment_only(event.enrollment)
    event = ServiceEvent.objects.select_for_update().get(pk=event.pk)
    if event.voids_id is not None:
        raise DomainError(
            "EVENT_IS_VOID", "This entry voids another; it cannot be voided.", status=409
        )
    if ServiceEvent.objects.filter(voids=event).exists():
        raise DomainError("EVENT_ALREADY_VOIDED", "This entry is already voided.", status=409)
    today = _today(enrollment.case)
    void = ServiceEvent.objects.create(
        enrollment=enrollment,
        requirement=event.requirement,
        kind=event.kind,
        occurred_on=max(today, event.occurred_on),
        voids=event,
        notes=reason,
        recorded_by=by,
    )
    resolved = []
    for flag in ComplianceFlag.objects.select_for_update().filter(
        event=event, status=FlagStatus.OPEN
    ):
        _resolve(flag, note=f"The entry was voided: {reason}", on=today, by=by)
        resolved.append(flag.pk)
    audit_record(
        action="program_event.void",
        actor=by,
        obj=event,
        case=enrollment.case,
        details={"void": void.pk, "reason": reason, "flags_resolved": resolved},
    )
    return void


# --- compliance: flags and the court's responses -------------------------------------------


def _resolve(flag: ComplianceFlag, *, note: str, on: dt.date, by: User) -> None:
    flag.status = FlagStatus.RESOLVED
    flag.resolved_on = on
    flag.resolved_by = by
    flag.resolution_note = note
    flag.save(update_fields=["status", "resolved_on", "resolved_by", "resolution_note"])


@transaction.atomic
def flag_resolve(*, flag: ComplianceFlag, note: str, by: User) -> ComplianceFlag:
    """Close a compliance flag after review, saying how it was resolved.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), FLAG_ALREADY_RESOLVED (409),
            NOTE_REQUIRED (422).
    """
    require_program_staff(by, flag)
    note = _required_text(
        note, code="NOTE_REQUIRED", field="note", message="Say how the flag was resolved."
    )
    flag = (
        ComplianceFlag.objects.select_for_update(of=("self",))
        .select_related("enrollment__case__court")
        .get(pk=flag.pk)
    )
    if flag.status != FlagStatus.OPEN:
        raise DomainError("FLAG_ALREADY_RESOLVED", "This flag is already resolved.", status=409)
    _resolve(flag, note=note, on=_today(flag.enrollment.case), by=by)
    audit_record(
        action="compliance_flag.resolve",
        actor=by,
        obj=flag,
        case=flag.enrollment.case,
        details={"enrollment": flag.enrollment_id, "kind": flag.kind, "note": note},
    )
    return flag


@transaction.atomic
def flag_review_hearing_schedule(
    *,
    flag: ComplianceFlag,
    starts_at: dt.datetime,
    courtroom,
    session=None,
    by: User,
    minutes: int = 15,
):
    """Set a review hearing on the participant's case about a flag (docket.services
    hearing_schedule, type review: HRGS entry, notices to the parties).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403); those of hearing_schedule
            (NOT_A_RECORD_KEEPER 403 for a user who is not also a record keeper of the
            court, e.g. a coordinator; conflicts 409; ...).
    """

    require_program_staff(by, flag)
    flag = ComplianceFlag.objects.select_related("enrollment__case__court").get(pk=flag.pk)
    hearing = hearing_schedule(
        case=flag.enrollment.case,
        hearing_type=HearingType.REVIEW,
        starts_at=starts_at,
        minutes=minutes,
        courtroom=courtroom,
        session=session,
        scheduled_by=by,
    )
    audit_record(
        action="compliance_flag.review_hearing",
        actor=by,
        obj=flag,
        case=flag.enrollment.case,
        details={"enrollment": flag.enrollment_id, "hearing": hearing.pk},
    )
    return hearing


def _phase_change(
    enrollment: Enrollment, *, to: ProgramPhase, on: dt.date, reason: str, by: User, verb: str
) -> None:
    """Move the participant into `to` from `on`: history, DVPH entry (confidential)."""
    before = enrollment.phase
    enrollment.phase = to
    enrollment.phase_started_on = on
    enrollment.save(update_fields=["phase", "phase_started_on"])
    PhaseChange.objects.create(
        enrollment=enrollment,
        from_phase=before,
        phase=to,
        started_on=on,
        reason=reason,
        changed_by=by,
    )
    _program_entry(
        case=enrollment.case,
        code="DVPH",
        text=f"{enrollment.program.name}: {verb} phase {to.number} ({to.name}).",
        by=by,
        obj=enrollment,
        on=on,
    )


@transaction.atomic
def response_record(
    *,
    enrollment: Enrollment,
    kind: str,
    action: str,
    reason: str,
    by: User,
    flag: ComplianceFlag | None = None,
    ordered_on: dt.date | None = None,
    demote_to_phase: int | None = None,
) -> ProgramResponse:
    """Record a sanction or an incentive with its reason. A response to an open flag
    resolves it; a sanction may move the participant back to an earlier phase (DVPH).

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_ACTIVE (409);
        ValidationError keyed by field: kind, action, reason, ordered_on, flag,
            demote_to_phase.
    """
    require_program_staff(by, enrollment)
    enrollment = _lock_enrollment(enrollment)
    _require_active(enrollment, "responses are for active participants.")
    today = _today(enrollment.case)
    ordered_on = ordered_on or today
    action = (action or "").strip()
    reason = (reason or "").strip()
    errors: dict[str, ValidationError] = {}
    if kind not in ResponseKind.values:
        errors["kind"] = ValidationError("Choose sanction or incentive.", code="invalid")
    if not action:
        errors["action"] = ValidationError("Say what was ordered.", code="required")
    elif len(action) > 200:
        errors["action"] = ValidationError("At most 200 characters.", code="max_length")
    if not reason:
        errors["reason"] = ValidationError("Say why.", code="required")
    if ordered_on > today:
        errors["ordered_on"] = ValidationError(
            "The date cannot be in the future.", code="DATE_IN_FUTURE"
        )
    elif ordered_on < enrollment.enrolled_on:
        errors["ordered_on"] = ValidationError(
            "The date is before the enrollment.", code="DATE_BEFORE_ENROLLMENT"
        )
    if flag is not None and flag.enrollment_id != enrollment.pk:
        errors["flag"] = ValidationError("That flag is another participant's.", code="invalid")
    demote_to = None
    if demote_to_phase is not None:
        if kind != ResponseKind.SANCTION:
            errors["demote_to_phase"] = ValidationError(
                "Only a sanction moves a participant back.", code="invalid"
            )
        elif demote_to_phase >= enrollment.phase.number:
            errors["demote_to_phase"] = ValidationError(
                f"Choose a phase before phase {enrollment.phase.number}.", code="invalid"
            )
        else:
            demote_to = ProgramPhase.objects.filter(
                program_id=enrollment.program_id, number=demote_to_phase
            ).first()
            if demote_to is None:
                errors["demote_to_phase"] = ValidationError("No such phase.", code="invalid")
    if errors:
        raise ValidationError(errors)
    response = ProgramResponse.objects.create(
        enrollment=enrollment,
        kind=kind,
        action=action,
        reason=reason,
        flag=flag,
        ordered_on=ordered_on,
        recorded_by=by,
    )
    if flag is not None:
        flag = ComplianceFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.status == FlagStatus.OPEN:
            _resolve(
                flag,
                note=f"{ResponseKind(kind).label}: {action}",
                on=ordered_on,
                by=by,
            )
    from_phase = enrollment.phase.number
    if demote_to is not None:
        _phase_change(
            enrollment,
            to=demote_to,
            on=ordered_on,
            reason=f"Sanction: {action}. {reason}",
            by=by,
            verb="moved back to",
        )
    audit_record(
        action="program_response.record",
        actor=by,
        obj=response,
        case=enrollment.case,
        details={
            "enrollment": enrollment.pk,
            "kind": kind,
            "action": action,
            "reason": reason,
            "flag": flag.pk if flag is not None else None,
            "demoted": [from_phase, demote_to.number] if demote_to is not None else None,
        },
    )
    return response


# --- phases, completion, termination -------------------------------------------------------


def _requirements_met(enrollment: Enrollment, *, on: dt.date, override: bool, reason: str, what):
    """The blockers of the current phase, refused unless overridden with a reason."""

    progress = enrollment_progress(enrollment, as_of=on)
    if progress.ready_to_advance:
        return []
    if not override:
        raise DomainError(
            "PHASE_REQUIREMENTS_NOT_MET",
            f"Phase {enrollment.phase.number} is not finished, so {what}: "
            + " ".join(progress.blockers),
            details={"blockers": progress.blockers},
        )
    if not reason:
        raise DomainError(
            "OVERRIDE_REASON_REQUIRED",
            "Say why the phase's requirements are set aside.",
            field="reason",
        )
    return progress.blockers


@transaction.atomic
def enrollment_phase_advance(
    *, enrollment: Enrollment, by: User, reason: str = "", override: bool = False
) -> Enrollment:
    """Move an active participant to the next phase, from today, when the current phase's
    requirements are met (programs.progress) — or, with `override`, for a stated reason.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_ACTIVE,
            PHASE_IS_LAST (409), PHASE_REQUIREMENTS_NOT_MET (422, details.blockers),
            OVERRIDE_REASON_REQUIRED (422).
    """
    require_program_staff(by, enrollment)
    enrollment = _lock_enrollment(enrollment)
    _require_active(enrollment, "only an active participant advances.")
    reason = (reason or "").strip()
    current = enrollment.phase
    following = (
        ProgramPhase.objects.filter(program_id=enrollment.program_id, number__gt=current.number)
        .order_by("number")
        .first()
    )
    if following is None:
        raise DomainError(
            "PHASE_IS_LAST",
            f"Phase {current.number} is the program's last; complete the program instead.",
            status=409,
        )
    today = _today(enrollment.case)
    waived = _requirements_met(
        enrollment,
        on=today,
        override=override,
        reason=reason,
        what="the participant cannot advance",
    )
    _phase_change(
        enrollment,
        to=following,
        on=today,
        reason=reason or "Requirements met.",
        by=by,
        verb="advanced to",
    )
    audit_record(
        action="enrollment.phase_advance",
        actor=by,
        obj=enrollment,
        case=enrollment.case,
        details={
            "from": current.number,
            "to": following.number,
            "override": bool(waived),
            "blockers_waived": waived,
            "reason": reason,
        },
    )
    return enrollment


def _admit_first_waitlisted(program: Program, *, locked_case_ids: set[int], by: User):
    """Admit the first of the program's waitlist (the program row is locked) if their case
    row is one this transaction holds; None otherwise (the coordinator admits them)."""
    first = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("case__court", "program", "participant__person", "referral")
        .filter(program=program, status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if first is None:
        return None
    if first.case_id not in locked_case_ids:
        # Taking another case's row after the program's would invert the lock order
        # (case, then program); it was read before the locks, so this is a rare race.
        logger.info("waitlist head %s changed meanwhile; left for the coordinator", first.pk)
        return None
    return _admit_locked(first, by=by, reason="Admitted from the waitlist: a place came free.")


def _lock_for_ending(enrollment: Enrollment) -> tuple[Enrollment, set[int]]:
    """Lock, in order, the enrollment's case and the waitlist head's case (by id), the
    program, then the enrollment. Returns the fresh enrollment and the locked case ids."""
    head_case = (
        Enrollment.objects.filter(
            program_id=enrollment.program_id, status=EnrollmentStatus.WAITLISTED
        )
        .order_by("waitlisted_at", "id")
        .values_list("case_id", flat=True)
        .first()
    )
    case_ids = {enrollment.case_id} | ({head_case} if head_case else set())
    for case_id in sorted(case_ids):
        case_row_lock(case_id=case_id)
    _lock_program(enrollment.program_id)
    fresh = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("case__court", "program", "phase", "participant__person", "referral")
        .get(pk=enrollment.pk)
    )
    return fresh, case_ids


@transaction.atomic
def enrollment_complete(
    *,
    enrollment: Enrollment,
    by: User,
    completed_on: dt.date | None = None,
    note: str = "",
    override: bool = False,
) -> Enrollment:
    """The participant completed the program: every pending charge is disposed
    "dismissed after diversion" (cases.services.charge_dispose), the case disposed, a DVCP
    entry recorded, and the first waitlisted participant admitted into the free place.

    Requires the last phase with its requirements met; `override` sets them aside for the
    reason given in `note`.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_ACTIVE (409),
            NOT_IN_LAST_PHASE, PHASE_REQUIREMENTS_NOT_MET, OVERRIDE_REASON_REQUIRED,
            DATE_IN_FUTURE, DATE_BEFORE_ENROLLMENT (422); those of charge_dispose and
            case_transition.
    """
    from cases.models import Charge

    require_program_staff(by, enrollment)
    enrollment, locked = _lock_for_ending(enrollment)
    _require_active(enrollment, "only an active participant completes the program.")
    note = (note or "").strip()
    case = enrollment.case
    today = _today(case)
    completed_on = completed_on or today
    _not_in_future(completed_on, today, field="completed_on", what="The completion date")
    if completed_on < enrollment.enrolled_on:
        raise DomainError(
            "DATE_BEFORE_ENROLLMENT",
            "The completion date is before the enrollment.",
            field="completed_on",
        )
    last = ProgramPhase.objects.filter(program_id=enrollment.program_id).order_by("-number").first()
    waived: list[str] = []
    if enrollment.phase_id != last.pk:
        if not override:
            raise DomainError(
                "NOT_IN_LAST_PHASE",
                f"The participant is in phase {enrollment.phase.number} of {last.number}.",
            )
        waived.append(f"In phase {enrollment.phase.number} of {last.number}.")
        if not note:
            raise DomainError(
                "OVERRIDE_REASON_REQUIRED",
                "Say why the program's requirements are set aside.",
                field="note",
            )
    waived += _requirements_met(
        enrollment,
        on=completed_on,
        override=override,
        reason=note,
        what="the program cannot be completed",
    )
    for charge in Charge.objects.filter(case=case, disposition="").order_by("count_number"):
        charge_dispose(
            charge=charge,
            disposition=ChargeDisposition.DIVERTED,
            disposition_date=completed_on,
            actor=by,
        )
    from_status = enrollment.status
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.ended_on = completed_on
    enrollment.outcome_note = note
    enrollment.save(update_fields=["status", "ended_on", "outcome_note"])
    _status_change(
        enrollment, from_status=from_status, on=completed_on, reason=note or "Completed.", by=by
    )
    _program_entry(
        case=case,
        code="DVCP",
        text=f"{enrollment.program.name} completed: {enrollment.participant.person.display_name}.",
        by=by,
        obj=enrollment,
        on=completed_on,
    )
    case = Case.objects.select_related("court").get(pk=case.pk)
    if case.status in (CaseStatus.INACTIVE, *PENDING_STATUSES):
        case = case_transition(
            case=case,
            to=CaseStatus.DISPOSED,
            actor=by,
            effective_on=completed_on,
            reason="Charges dismissed after diversion.",
        )
    enrollment.case = case
    admitted = _admit_first_waitlisted(enrollment.program, locked_case_ids=locked, by=by)
    audit_record(
        action="enrollment.complete",
        actor=by,
        obj=enrollment,
        case=case,
        details={
            "completed_on": completed_on.isoformat(),
            "override": bool(waived),
            "blockers_waived": waived,
            "note": note,
            "admitted": admitted.pk if admitted else None,
        },
    )
    return enrollment


@transaction.atomic
def enrollment_terminate(
    *,
    enrollment: Enrollment,
    reason: str,
    note: str,
    by: User,
    terminated_on: dt.date | None = None,
) -> Enrollment:
    """End an active participant's program unsuccessfully: the case, inactive for the
    diversion, is reactivated (REAC) for prosecution, a DVTM entry recorded, and the first
    waitlisted participant admitted into the free place.

    Raises:
        Http404; DomainError: PROGRAM_STAFF_ONLY (403), ENROLLMENT_NOT_ACTIVE (409),
            UNKNOWN_TERMINATION_REASON, NOTE_REQUIRED (reason "other"), DATE_IN_FUTURE,
            DATE_BEFORE_ENROLLMENT (422); those of case_transition.
    """
    require_program_staff(by, enrollment)
    if reason not in TerminationReason.values:
        raise DomainError(
            "UNKNOWN_TERMINATION_REASON",
            "Choose why the participant leaves the program.",
            field="reason",
        )
    note = (note or "").strip()
    if reason == TerminationReason.OTHER and not note:
        raise DomainError("NOTE_REQUIRED", "Say why the participant leaves.", field="note")
    enrollment, locked = _lock_for_ending(enrollment)
    _require_active(enrollment, "only an active participant is terminated.")
    case = enrollment.case
    today = _today(case)
    terminated_on = terminated_on or today
    _not_in_future(terminated_on, today, field="terminated_on", what="The termination date")
    if terminated_on < enrollment.enrolled_on:
        raise DomainError(
            "DATE_BEFORE_ENROLLMENT",
            "The termination date is before the enrollment.",
            field="terminated_on",
        )
    label = TerminationReason(reason).label
    from_status = enrollment.status
    enrollment.status = EnrollmentStatus.TERMINATED
    enrollment.ended_on = terminated_on
    enrollment.termination_reason = reason
    enrollment.outcome_note = note
    enrollment.save(update_fields=["status", "ended_on", "termination_reason", "outcome_note"])
    _status_change(
        enrollment,
        from_status=from_status,
        on=terminated_on,
        reason=f"{label}. {note}".strip() if note else f"{label}.",
        by=by,
    )
    _program_entry(
        case=case,
        code="DVTM",
        text=f"{enrollment.program.name} terminated ({label.lower()}): "
        f"{enrollment.participant.person.display_name}.",
        by=by,
        obj=enrollment,
        on=terminated_on,
    )
    case = Case.objects.select_related("court").get(pk=case.pk)
    if case.status == CaseStatus.INACTIVE and case.inactive_reason == InactiveReason.DIVERSION:
        case = case_transition(
            case=case,
            to=CaseStatus.ACTIVE,
            actor=by,
            effective_on=terminated_on,
            reason="Diversion ended; the case returns to the calendar.",
        )
    enrollment.case = case
    admitted = _admit_first_waitlisted(enrollment.program, locked_case_ids=locked, by=by)
    audit_record(
        action="enrollment.terminate",
        actor=by,
        obj=enrollment,
        case=case,
        details={
            "terminated_on": terminated_on.isoformat(),
            "reason": reason,
            "note": note,
            "admitted": admitted.pk if admitted else None,
        },
    )
    return enrollment
