"""Diversion programs: the program as data (criteria, phases, requirements), the participant's
path (referral -> screening -> enrollment -> completion or termination), what they do
(service events, drug-test calls) and how the court responds (compliance flags, sanctions
and incentives).

Program records are the case's records: they are seen through the case's visibility
(`visible_to`, sealed and juvenile rules included) and only by the program's court staff and
the attorneys of record. What happened is never edited: events, screenings, consents, status
and phase changes, responses and drug-test selections are append-only (database triggers);
a wrong event is voided by a new one.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from casemgmt.core.models import Court

from .querysets import ProgramQuerySet, ProgramRecordQuerySet


def _new_seed() -> str:
    return secrets.token_hex(16)


class ProgramKind(models.TextChoices):
    PRETRIAL_DIVERSION = "pretrial_diversion", "Pretrial diversion"
    DRUG_COURT = "drug_court", "Drug court"
    MENTAL_HEALTH_COURT = "mental_health_court", "Mental-health court"
    VETERANS_COURT = "veterans_court", "Veterans treatment court"
    JUVENILE_DIVERSION = "juvenile_diversion", "Juvenile diversion"
    TRAFFIC_SCHOOL = "traffic_school", "Traffic school"


class Program(models.Model):
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="programs")
    code = models.SlugField(max_length=20, help_text="Short name, unique in the court: PTD, DRUG.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=ProgramKind.choices)
    description = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Participants active at once."
    )
    duration_days = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Expected length of the program in days."
    )
    fee_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Program fee assessed on the case at enrollment (0: none).",
    )
    fee_due_days = models.PositiveIntegerField(
        default=90, help_text="The fee is due this many days after enrollment."
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_programs",
        limit_choices_to={"role": "program_coordinator"},
    )
    # Secret of the random drug-test selection: with the date it gives the day's seed, so a
    # selection can be reproduced and checked, but not predicted by participants.
    selection_secret = models.CharField(max_length=64, default=_new_seed, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="programs_program_unique_code"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="programs_capacity_positive"),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1), name="programs_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(fee_amount__gte=0), name="programs_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- eligibility criteria (data; evaluated by programs.eligibility) --------------------------


class CriterionKind(models.TextChoices):
    """What a criterion looks at, and the `params` it takes (programs.eligibility validates):

    case_type        {"case_types": ["CR", "TR"]}  the case's type code is one of these
    charge_class     {"allowed": ["misdemeanor_a", ...], "label": "..."}  every pending charge is
                     of these classes
    excluded_charge  {"statutes": ["784.021", "784.*"], "classes": ["felony_1"], "label": "..."}
                     no pending charge matches (statute prefix with *, or class)
    prior_record     {"max_convictions": 0, "classes": [...] (optional), "lookback_years": 10,
                      "max_prior_diversions": 0}  convictions on the participant's other cases
    age              {"min": 18, "max": 25, "as_of": "offense" | "referral"}
    residency        {"states": ["FL"], "cities": ["Sarasota"], "postal_codes": ["342"]}
                     (postal codes as prefixes; each list optional)
    consent          {"required": ["participant", "prosecutor", "victim"]}
    """

    CASE_TYPE = "case_type", "Case type"
    CHARGE_CLASS = "charge_class", "Charge classes allowed"
    EXCLUDED_CHARGE = "excluded_charge", "Excluded charges"
    PRIOR_RECORD = "prior_record", "Prior record"
    AGE = "age", "Age"
    RESIDENCY = "residency", "Residency"
    CONSENT = "consent", "Required consents"


class OnFail(models.TextChoices):
    INELIGIBLE = "ineligible", "Makes the person ineligible"
    REVIEW = "review", "Needs the coordinator's review"


class EligibilityCriterion(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=CriterionKind.choices)
    params = models.JSONField(default=dict, blank=True)
    on_fail = models.CharField(max_length=12, choices=OnFail.choices, default=OnFail.INELIGIBLE)
    description = models.CharField(
        max_length=200,
        blank=True,
        help_text="The rule in the program's words, e.g. 'Program excludes felonies'.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "position", "id"]
        verbose_name_plural = "eligibility criteria"

    def __str__(self) -> str:
        return self.description or self.get_kind_display()

    def clean(self) -> None:
        from .eligibility import criterion_params_errors

        errors = criterion_params_errors(self.kind, self.params)
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError({"params": errors})


# --- phases and requirements ----------------------------------------------------------------


class ProgramPhase(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=100)
    min_days = models.PositiveIntegerField(
        default=0, help_text="Shortest time in the phase before advancing."
    )
    clean_days_required = models.PositiveIntegerField(
        default=0, help_text="Days since the last positive or diluted test needed to advance."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number"], name="programs_phase_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"Phase {self.number}: {self.name}"


class RequirementKind(models.TextChoices):
    DRUG_TEST = "drug_test", "Drug tests"
    COUNSELING = "counseling", "Counseling sessions"
    COMMUNITY_SERVICE = "community_service", "Community service hours"
    CLASS = "class", "Classes"
    REVIEW_HEARING = "review_hearing", "Court review hearings"


class PhaseRequirement(models.Model):
    """What a phase asks: `quantity` tests / sessions / hours / classes / hearings, either
    per `period_days` (2 drug tests every 7 days) or in total over the phase (40 hours)."""

    phase = models.ForeignKey(ProgramPhase, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=RequirementKind.choices)
    name = models.CharField(max_length=200, help_text="e.g. Outpatient counseling, MRT class.")
    quantity = models.DecimalField(max_digits=8, decimal_places=2)
    period_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="When set, the quantity is due in every period of this many days; "
        "otherwise it is due in total over the phase.",
    )

    class Meta:
        ordering = ["phase", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="programs_requirement_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_days__isnull=True) | Q(period_days__gte=1),
                name="programs_requirement_period_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceSite(models.Model):
    """Where participants serve hours or attend counseling and classes (data per court)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="service_sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="programs_site_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# --- referral and screening -----------------------------------------------------------------


class ReferralSource(models.TextChoices):
    PROSECUTOR = "prosecutor", "Prosecutor"
    JUDGE = "judge", "Judge"
    CLERK = "clerk", "Clerk"
    DEFENSE = "defense", "Defense counsel"
    PROBATION = "probation", "Probation / pretrial services"
    OTHER = "other", "Other"


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    SCREENED = "screened", "Screened, eligible"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waitlisted"
    ENROLLED = "enrolled", "Enrolled"
    INELIGIBLE = "ineligible", "Not eligible"
    DECLINED = "declined", "Declined by the participant"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_REFERRAL_STATUSES = (
    ReferralStatus.REFERRED,
    ReferralStatus.SCREENED,
    ReferralStatus.OFFERED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.WAITLISTED,
)


class Referral(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    participant = models.ForeignKey(
        "cases.CaseParty", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=12, choices=ReferralSource.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_on = models.DateField(help_text="Court-local date of the referral.")
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    status_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProgramRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            # One open referral of a participant to a program at a time.
            models.UniqueConstraint(
                fields=["program", "participant"],
                condition=Q(status__in=[s.value for s in OPEN_REFERRAL_STATUSES]),
                name="programs_referral_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="programs_referral_status"),
            models.Index(fields=["case"], name="programs_referral_case"),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.participant_id} to {self.program_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"
    NEEDS_REVIEW = "needs_review", "Needs review"


class ScreeningDecision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    INELIGIBLE = "ineligible", "Ineligible"


class Screening(models.Model):
    """One screening of a referral: the engine's result per criterion, the facts it used,
    and the coordinator's decision. Append-only; screening again adds a row."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="screenings")
    outcome = models.CharField(max_length=12, choices=EligibilityOutcome.choices)
    # [{"criterion": id, "kind": ..., "description": ..., "outcome": "met" | "not_met" |
    #   "needs_review", "on_fail": ..., "reason": "..."}, ...] in criterion order.
    results = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    decision = models.CharField(
        max_length=12,
        choices=ScreeningDecision.choices,
        help_text="The coordinator's decision: the engine's outcome, or a review's.",
    )
    decision_reason = models.TextField(
        blank=True, help_text="Required when the decision is not the engine's outcome."
    )
    notes = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral", "screened_at", "id"]

    def __str__(self) -> str:
        return f"Screening {self.pk}: {self.decision}"


class ConsentKind(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    PROSECUTOR = "prosecutor", "Prosecutor"
    VICTIM = "victim", "Victim"
    DEFENSE_COUNSEL = "defense_counsel", "Defense counsel"
    GUARDIAN = "guardian", "Parent or guardian"


class Consent(models.Model):
    """A consent the program requires, given on a date. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    given_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["referral", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="programs_consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consented on {self.given_on}"


# --- enrollment -----------------------------------------------------------------------------


class EnrollmentStatus(models.TextChoices):
    WAITLISTED = "waitlisted", "Waitlisted"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrawn from the waitlist"


class TerminationReason(models.TextChoices):
    NONCOMPLIANCE = "noncompliance", "Non-compliance"
    NEW_OFFENSE = "new_offense", "New offense"
    ABSCONDED = "absconded", "Absconded"
    VOLUNTARY = "voluntary", "Voluntary withdrawal"
    FOUND_INELIGIBLE = "found_ineligible", "Found ineligible"
    OTHER = "other", "Other"


class Enrollment(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="enrollment")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="enrollments")
    participant = models.ForeignKey(
        "cases.CaseParty", on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    waitlisted_at = models.DateTimeField(null=True, blank=True, help_text="Order of the waitlist.")
    enrolled_on = models.DateField(null=True, blank=True)
    phase = models.ForeignKey(
        ProgramPhase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phase_started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(
        max_length=20, choices=TerminationReason.choices, blank=True
    )
    outcome_note = models.TextField(blank=True)
    fee_obligation = models.ForeignKey(
        "payments.Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProgramRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "participant"],
                condition=Q(status__in=["waitlisted", "active"]),
                name="programs_enrollment_one_current",
            ),
            models.CheckConstraint(
                condition=~Q(status="active")
                | Q(enrolled_on__isnull=False, phase__isnull=False, phase_started_on__isnull=False),
                name="programs_active_enrollment_has_phase",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "terminated", "withdrawn"])
                | Q(ended_on__isnull=False),
                name="programs_ended_enrollment_dated",
            ),
            models.CheckConstraint(
                condition=Q(status="terminated", termination_reason__gt="")
                | (~Q(status="terminated") & Q(termination_reason="")),
                name="programs_termination_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"], name="programs_enrollment_status"),
            models.Index(fields=["case"], name="programs_enrollment_case"),
            models.Index(
                fields=["program", "waitlisted_at"],
                condition=Q(status="waitlisted"),
                name="programs_enrollment_waitlist",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrollment {self.pk} in {self.program_id}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE


class EnrollmentStatusChange(models.Model):
    """History of an enrollment's status (time in program, outcomes). Append-only."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    effective_on = models.DateField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["enrollment", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status} on {self.effective_on}"


class PhaseChange(models.Model):
    """The participant moved into `phase` (enrollment, advancement, or a demotion as a
    sanction). Append-only."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="phase_changes"
    )
    from_phase = models.ForeignKey(
        ProgramPhase, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phase = models.ForeignKey(ProgramPhase, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["enrollment", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"Phase {self.phase_id} from {self.started_on}"


# --- what the participant does --------------------------------------------------------------


class DrugTestResult(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    DILUTED = "diluted", "Diluted"
    MISSED = "missed", "Missed"


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Excused"


class ServiceEvent(models.Model):
    """Something the participant did or failed to do: a drug test and its result, a
    counseling session or class attended or missed, hours of community service at a site.
    Append-only: a wrong entry is voided by a new event (`voids`)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    requirement = models.ForeignKey(
        PhaseRequirement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=RequirementKind.choices)
    occurred_on = models.DateField()
    drug_test_result = models.CharField(max_length=10, choices=DrugTestResult.choices, blank=True)
    substances = models.CharField(
        max_length=200, blank=True, help_text="Positive tests: what was found, comma-separated."
    )
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    site = models.ForeignKey(
        ServiceSite, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    supervisor_name = models.CharField(max_length=200, blank=True)
    completed = models.BooleanField(default=False, help_text="Classes: the class was completed.")
    notes = models.TextField(blank=True)
    voids = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="voided_by"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["enrollment", "occurred_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="drug_test")
                | Q(drug_test_result__gt="")
                | Q(voids__isnull=False),
                name="programs_event_drug_test_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(drug_test_result="positive") | Q(substances__gt=""),
                name="programs_event_positive_names_substance",
            ),
            models.CheckConstraint(
                condition=~Q(kind="community_service") | Q(hours__gt=0) | Q(voids__isnull=False),
                name="programs_event_service_has_hours",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["counseling", "class", "review_hearing"])
                | Q(attendance__gt="")
                | Q(voids__isnull=False),
                name="programs_event_session_has_attendance",
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrollment", "kind", "occurred_on"], name="programs_event_enrollment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class DrugTestSelection(models.Model):
    """One day's random drug-test selection for a program: reproducible from the program's
    secret and the date (programs.drug_tests), kept with its pool so it can be audited.
    Append-only; one per program and day."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="selections")
    selection_date = models.DateField()
    seed = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=40)
    pool = models.JSONField(default=list, help_text="[[enrollment id, probability], ...] sorted.")
    selected = models.JSONField(default=list, help_text="Enrollment ids selected, sorted.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["program", "-selection_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "selection_date"], name="programs_selection_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Selection of {self.selection_date}"


class DrugTestCall(models.Model):
    """A participant called to test on a date (by the random selection or by hand). A call
    with no test recorded by the end of its day is a missed test."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="test_calls")
    test_date = models.DateField()
    selection = models.ForeignKey(
        DrugTestSelection, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["enrollment", "test_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "test_date"], name="programs_call_unique_day"
            ),
        ]
        indexes = [models.Index(fields=["test_date"], name="programs_call_date")]

    def __str__(self) -> str:
        return f"Test call on {self.test_date}"


# --- compliance and the court's responses ---------------------------------------------------


class FlagKind(models.TextChoices):
    MISSED_TEST = "missed_test", "Missed drug test"
    POSITIVE_TEST = "positive_test", "Positive drug test"
    DILUTED_TEST = "diluted_test", "Diluted drug test"
    MISSED_SESSION = "missed_session", "Missed session"
    HOURS_BEHIND = "hours_behind", "Community service behind schedule"
    FEE_UNPAID = "fee_unpaid", "Program fee unpaid"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ComplianceRun(models.Model):
    """The nightly compliance evaluation of one court-local date (one row per night)."""

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    flags_raised = models.PositiveIntegerField(default=0)
    notices_issued = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"Compliance run of {self.run_date}"


class ComplianceFlag(models.Model):
    """Non-compliance for the coordinator to review. `key` names what it is about (an event,
    a test call, a week, an obligation) so that the same lapse is flagged exactly once."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=16, choices=FlagKind.choices)
    key = models.CharField(max_length=64)
    detail = models.CharField(max_length=300)
    raised_on = models.DateField()
    event = models.ForeignKey(
        ServiceEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    run = models.ForeignKey(
        ComplianceRun, on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    notice = models.ForeignKey(
        "filings.Notice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind", "key"], name="programs_flag_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True)
                | Q(status="resolved", resolved_on__isnull=False),
                name="programs_flag_resolved_dated",
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrollment"], condition=Q(status="open"), name="programs_flag_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class ResponseKind(models.TextChoices):
    SANCTION = "sanction", "Sanction"
    INCENTIVE = "incentive", "Incentive"


class ProgramResponse(models.Model):
    """A sanction or incentive the court or program ordered, with its reason. Append-only."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=10, choices=ResponseKind.choices)
    action = models.CharField(
        max_length=200, help_text="e.g. Two days of jail, Praise from the bench."
    )
    reason = models.TextField()
    flag = models.ForeignKey(
        ComplianceFlag, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    ordered_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["enrollment", "ordered_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="programs_response_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.action}"
