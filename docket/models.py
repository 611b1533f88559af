"""Calendars: courtrooms, judge assignments, sessions, hearings and iCal feed tokens.

Conflicts the database enforces (so that concurrent requests cannot double-book):

* two exclusive hearings (trial, evidentiary) that occupy their slot never overlap in
  the same courtroom, nor for the same judge (exclusion constraints over
  ``tstzrange(starts_at, ends_at)`` with btree_gist);
* two live sessions never overlap in the same courtroom.

Session capacity and attorney/party clashes are checked by `docket.services` under a
lock on the session (capacity) and reported as overridable warnings (clashes).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone

from casemgmt.core.models import Court
from cases.models import Case, CaseCategory


class TsTzRange(Func):
    """``tstzrange(start, end)`` — half-open, so back-to-back hearings do not overlap."""

    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside constraints


class Courtroom(models.Model):
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="courtrooms")
    name = models.CharField(max_length=100)
    location = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="docket_courtroom_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.court.code})"


class JudgeAssignment(models.Model):
    """A judge presiding in a courtroom from `starts_on` until `ends_on` (inclusive; open
    when null). Sessions and hearings in the room default to the judge assigned that day."""

    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="assignments")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="courtroom_assignments",
        limit_choices_to={"role": "judge"},
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["courtroom", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="docket_assignment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge} in {self.courtroom} from {self.starts_on}"


class HearingType(models.TextChoices):
    ARRAIGNMENT = "arraignment", "Arraignment"
    PRETRIAL = "pretrial", "Pretrial conference"
    MOTION = "motion", "Motion hearing"
    EVIDENTIARY = "evidentiary", "Evidentiary hearing"
    TRIAL = "trial", "Trial"
    SENTENCING = "sentencing", "Sentencing"
    REVIEW = "review", "Review hearing"
    STATUS = "status", "Status conference"


# Hearings that take the courtroom and the judge for themselves (never stacked).
EXCLUSIVE_TYPES = (HearingType.TRIAL, HearingType.EVIDENTIARY)


class SessionTemplate(models.Model):
    """A recurring calendar block, e.g. "Arraignments, Mon-Fri 09:00-11:00, Courtroom 2,
    capacity 40 cases"; `docket.services.session_generate` turns it into sessions on the
    court's working days (never on legal holidays or declared closures)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="session_templates")
    name = models.CharField(max_length=120)
    hearing_type = models.CharField(
        max_length=20,
        choices=HearingType.choices,
        blank=True,
        help_text="The kind of hearing the block is for; blank takes any non-exclusive kind.",
    )
    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="templates")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "judge"},
        help_text="Blank: the judge assigned to the courtroom that day.",
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        help_text="ISO weekdays the block runs on: 1 = Monday ... 7 = Sunday.",
    )
    start_time = models.TimeField(help_text="Court-local.")
    end_time = models.TimeField(help_text="Court-local.")
    capacity_cases = models.PositiveIntegerField(null=True, blank=True)
    capacity_minutes = models.PositiveIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="docket_template_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity_cases__isnull=False) | Q(capacity_minutes__isnull=False),
                name="docket_template_has_capacity",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]) & ~Q(weekdays=[]),
                name="docket_template_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=~Q(hearing_type__in=EXCLUSIVE_TYPES),
                name="docket_template_not_exclusive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CANCELLED = "cancelled", "Cancelled"


class Session(models.Model):
    """One block of a calendar on one day, into which stacked hearings are set."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="sessions")
    template = models.ForeignKey(
        SessionTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    name = models.CharField(max_length=120)
    hearing_type = models.CharField(max_length=20, choices=HearingType.choices, blank=True)
    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="sessions")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    date = models.DateField(help_text="Court-local date.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity_cases = models.PositiveIntegerField(null=True, blank=True)
    capacity_minutes = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "courtroom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="docket_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity_cases__isnull=False) | Q(capacity_minutes__isnull=False),
                name="docket_session_has_capacity",
            ),
            models.UniqueConstraint(
                fields=["template", "date"],
                condition=Q(template__isnull=False),
                name="docket_session_once_per_day",
            ),
            ExclusionConstraint(
                name="docket_session_no_room_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("courtroom", RangeOperators.EQUAL),
                ],
                condition=Q(status="open"),
            ),
        ]
        indexes = [
            models.Index(fields=["court", "date"], name="docket_session_court_date"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.date} {self.courtroom.name}"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CONTINUED = "continued", "Continued"
    VACATED = "vacated", "Vacated"
    CANCELLED = "cancelled", "Cancelled"


# A hearing in these states occupies its time: it counts against capacity and clashes.
OCCUPYING_STATUSES = (HearingStatus.SCHEDULED, HearingStatus.HELD)


class ContinuanceReason(models.Model):
    """Why hearings are continued (per court, data): e.g. "Defense not ready"."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="continuance_reasons")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    requires_note = models.BooleanField(
        default=False, help_text="The clerk must explain in a note (e.g. for 'Other')."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "label"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="docket_contreason_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Hearing(models.Model):
    """A hearing on a case. Continuing a hearing closes it (status continued) and creates
    the next one, linked by `continued_from`; the chain shares `feed_uid` so that a
    calendar client sees one event moved (higher `sequence`), not two events."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hearings")
    # Denormalised from the case so that calendars and constraints need no join.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="hearings")
    hearing_type = models.CharField(max_length=20, choices=HearingType.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    date = models.DateField(help_text="Court-local date of `starts_at`.")
    courtroom = models.ForeignKey(Courtroom, on_delete=models.PROTECT, related_name="hearings")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings",
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="hearings"
    )
    status = models.CharField(
        max_length=10, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    outcome = models.TextField(blank=True)
    interpreter_language = models.CharField(
        max_length=40,
        blank=True,
        help_text="Derived from the parties who need an interpreter: their preferred "
        "languages, comma-separated (e.g. 'es' or 'es,vi').",
    )
    continued_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="continued_to"
    )
    continuance_reason = models.ForeignKey(
        ContinuanceReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings",
        help_text="Why this hearing was continued (set when its status becomes continued).",
    )
    status_reason = models.TextField(
        blank=True, help_text="Why it was continued, vacated or cancelled, in words."
    )
    # How many times this hearing's date has been set (1 = first setting); a trial held
    # at setting n was set n times (NCSC CourTools measure 5, trial date certainty).
    setting_number = models.PositiveSmallIntegerField(default=1)
    conflict_override_reason = models.TextField(
        blank=True, help_text="Why a clerk scheduled it despite an attorney or party clash."
    )
    feed_uid = models.UUIDField(default=uuid.uuid4, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE.")
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="docket_hearing_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="continued") | Q(continuance_reason__isnull=False),
                name="docket_hearing_continued_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(hearing_type__in=EXCLUSIVE_TYPES) | Q(session__isnull=True),
                name="docket_hearing_exclusive_not_stacked",
            ),
            # One live hearing per feed event; continued links are history.
            models.UniqueConstraint(
                fields=["feed_uid"],
                condition=~Q(status="continued"),
                name="docket_hearing_one_live_per_uid",
            ),
            ExclusionConstraint(
                name="docket_hearing_no_room_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("courtroom", RangeOperators.EQUAL),
                ],
                condition=Q(hearing_type__in=EXCLUSIVE_TYPES, status__in=OCCUPYING_STATUSES),
            ),
            ExclusionConstraint(
                name="docket_hearing_no_judge_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("judge", RangeOperators.EQUAL),
                ],
                condition=Q(
                    hearing_type__in=EXCLUSIVE_TYPES,
                    status__in=OCCUPYING_STATUSES,
                    judge__isnull=False,
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["courtroom", "date", "starts_at"], name="docket_hearing_room_day"),
            models.Index(fields=["court", "date", "starts_at"], name="docket_hearing_court_day"),
            models.Index(fields=["judge", "date", "starts_at"], name="docket_hearing_judge_day"),
            models.Index(fields=["case", "starts_at"], name="docket_hearing_case"),
            models.Index(fields=["feed_uid"], name="docket_hearing_feed_uid"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_hearing_type_display()} {self.case.number} {self.starts_at:%Y-%m-%d %H:%M}"
        )

    @property
    def is_exclusive(self) -> bool:
        return self.hearing_type in EXCLUSIVE_TYPES

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING_STATUSES


class HearingChangeKind(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CONTINUED = "continued", "Continued"
    VACATED = "vacated", "Vacated"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"
    OVERRIDDEN = "overridden", "Scheduled over a conflict"


class HearingChange(models.Model):
    """The history of a hearing, one row per change (append-only: database trigger)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=12, choices=HearingChangeKind.choices)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["hearing", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.changed_at:%Y-%m-%d %H:%M}"


class CalendarFeedToken(models.Model):
    """A secret iCal feed URL for one user. Only the SHA-256 of the secret is kept; the
    URL is shown once, when made. Rotating revokes the old token and makes a new one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="docket_feedtoken_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"feed token of {self.user} ({'revoked' if self.revoked_at else 'active'})"


# --- deadlines (issue: deadlines that explain themselves) -----------------------------------


class DeadlineRuleSet(models.Model):
    """How a court counts time (data, per court; `court` blank = available to every court).

    The default follows FRCP 6(a) / Fed. R. Crim. P. 45(a): exclude the trigger day, count
    every day, include the last; a last day on a weekend or legal holiday (or a day the
    clerk's office is closed) rolls to the next day that is none of those — forward for
    periods after an event, backward for periods before one (6(a)(5)). Mail, leaving with
    the clerk and consented means add 3 days after the period would otherwise end (6(d)).
    A state variant or a "court days only" rule set is another row, not code.
    """

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, null=True, blank=True, related_name="deadline_rule_sets"
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200)
    count_court_days_only = models.BooleanField(
        default=False, help_text="Count only days that are not weekends, holidays or closures."
    )
    roll_weekends = models.BooleanField(default=True)
    roll_federal_holidays = models.BooleanField(default=True)
    state_holidays = models.CharField(
        max_length=10,
        choices=[
            ("never", "Never"),
            ("forward", "Forward-counted periods only"),
            ("always", "Always"),
        ],
        default="forward",
        help_text="Whether the court's state holidays are legal holidays for this count.",
    )
    roll_court_closures = models.BooleanField(default=True)
    mail_extra_days = models.PositiveSmallIntegerField(default=3)
    mail_extra_methods = ArrayField(
        models.CharField(max_length=12),
        default=list,
        blank=True,
        help_text="Service methods that add mail_extra_days, e.g. mail, clerk, consent.",
    )
    roll_citation = models.CharField(max_length=100, default="FRCP 6(a)(1)(C)")
    mail_citation = models.CharField(max_length=100, default="FRCP 6(d)")
    is_default = models.BooleanField(default=False, help_text="The court's rule set by default.")

    class Meta:
        ordering = ["court", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "code"], name="docket_ruleset_unique_code", nulls_distinct=False
            ),
            models.UniqueConstraint(
                fields=["court"],
                condition=Q(is_default=True),
                name="docket_ruleset_one_default",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeadlineDirection(models.TextChoices):
    AFTER = "after", "After the event"
    BEFORE = "before", "Before the event"


class DeadlineTrigger(models.TextChoices):
    ENTRY_DATE = "entry_date", "Date of the docket entry"
    HEARING_START = "hearing_start", "Start of the hearing the entry sets"


class DeadlineRule(models.Model):
    """Recording a docket entry with `event_code` on a case of `case_type` (any type when
    blank) opens a deadline `period` days (or hours) `direction` the trigger.

    `case_category` narrows a rule to a kind of case (notice of appeal: 30 days civil,
    14 days criminal) without naming each court's case types; `hearing_types` narrows a
    rule on a hearing entry to the hearings it is about (pretrial motions before a
    trial, not before a status conference). A later entry with one of
    `meets_event_codes` (an answer for "Answer due") meets the deadline.
    """

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="deadline_rules")
    event_code = models.CharField(max_length=10)
    case_type = models.ForeignKey(
        "cases.CaseType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_category = models.CharField(
        max_length=20,
        choices=CaseCategory.choices,
        blank=True,
        help_text="Blank: cases of every category.",
    )
    hearing_types = ArrayField(
        models.CharField(max_length=20, choices=HearingType.choices),
        default=list,
        blank=True,
        help_text="For entries that record a hearing: the hearing types that open the "
        "deadline (blank: every type).",
    )
    meets_event_codes = ArrayField(
        models.CharField(max_length=8),
        default=list,
        blank=True,
        help_text="Event codes whose entry meets an open deadline of this rule (e.g. ANSW "
        "for an answer due); blank: the clerk marks it met.",
    )
    name = models.CharField(max_length=200, help_text="e.g. Answer due.")
    period_days = models.PositiveIntegerField(null=True, blank=True)
    period_hours = models.PositiveIntegerField(null=True, blank=True)
    direction = models.CharField(
        max_length=6, choices=DeadlineDirection.choices, default=DeadlineDirection.AFTER
    )
    trigger = models.CharField(
        max_length=14, choices=DeadlineTrigger.choices, default=DeadlineTrigger.ENTRY_DATE
    )
    responsible_role = models.CharField(
        max_length=20,
        help_text="Who must act: a party role (defendant, plaintiff, ...), 'prosecution', "
        "'court' or 'clerk'.",
    )
    is_statutory = models.BooleanField(default=False)
    citation = models.CharField(max_length=200, blank=True, help_text="e.g. FRCP 12(a)(1)(A)(i).")
    rule_set = models.ForeignKey(
        DeadlineRuleSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        help_text="Blank: the court's default rule set.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "event_code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_days__isnull=False, period_hours__isnull=True)
                | Q(period_days__isnull=True, period_hours__isnull=False),
                name="docket_rule_one_period",
            ),
        ]
        indexes = [models.Index(fields=["court", "event_code"], name="docket_rule_event")]

    def __str__(self) -> str:
        return f"{self.event_code}: {self.name}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    WAIVED = "waived", "Waived"
    VACATED = "vacated", "Vacated"


class Deadline(models.Model):
    """A date by which someone must act on a case, with the steps that computed it."""

    # Foreign keys without their own index where another index or nothing reads them:
    # the nightly UPDATE rewrites every index of each row it marks (see the indexes below).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="deadlines", db_index=False
    )
    # Denormalised from the case so that the nightly monitor needs no join to filter.
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+", db_index=False)
    rule = models.ForeignKey(
        DeadlineRule,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="deadlines",
        help_text="Blank: set by hand (e.g. from an order).",
    )
    name = models.CharField(max_length=200)
    trigger_entry = models.ForeignKey(
        "cases.DocketEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    trigger_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(help_text="Court-local date the act is due (end of that day).")
    due_at = models.DateTimeField(null=True, blank=True, help_text="For periods in hours.")
    service_method = models.CharField(max_length=12, blank=True)
    steps = models.JSONField(default=list, blank=True, help_text="The computation, in words.")
    responsible_role = models.CharField(max_length=20, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_deadlines",
        help_text="Who is alerted (an attorney of record, the assigned clerk, ...).",
        # Read through docket_deadline_owner (open ones) and the case and missed-on
        # indexes; a plain index on it cost the nightly marking a third of its time (half
        # the rows have no owner: one long run of equal keys to insert into).
        db_index=False,
    )
    is_statutory = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    status_date = models.DateField(null=True, blank=True)
    met_by = models.ForeignKey(
        "cases.DocketEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # A docket entry opens a rule's deadline once, however often its handler runs.
            models.UniqueConstraint(
                fields=["trigger_entry", "rule"],
                condition=Q(rule__isnull=False, trigger_entry__isnull=False),
                name="docket_deadline_once_per_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="met") | Q(met_by__isnull=False) | ~Q(status_reason=""),
                name="docket_deadline_met_says_how",
            ),
        ]
        indexes = [
            # The nightly monitor: open deadlines by due date.
            models.Index(
                fields=["due_on"], condition=Q(status="open"), name="docket_deadline_open_due"
            ),
            models.Index(fields=["case", "due_on"], name="docket_deadline_case"),
            # The digests read the night's missed deadlines.
            models.Index(
                fields=["status_date"],
                condition=Q(status="missed"),
                name="docket_deadline_missed_on",
            ),
            models.Index(
                fields=["owner", "due_on"], condition=Q(status="open"), name="docket_deadline_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} due {self.due_on} ({self.case.number})"


class SpeedyTrialSettings(models.Model):
    """The speedy-trial limits a court applies: 18 U.S.C. 3161 by default, or a state's."""

    court = models.OneToOneField(Court, on_delete=models.PROTECT, related_name="speedy_trial")
    indictment_days = models.PositiveSmallIntegerField(
        default=30, help_text="From arrest or summons to indictment/information (3161(b))."
    )
    trial_days = models.PositiveSmallIntegerField(
        default=70,
        help_text="From the later of indictment and first appearance to trial (3161(c)(1)).",
    )
    earliest_trial_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="No trial sooner than this after first appearance with counsel, without "
        "the defendant's consent (3161(c)(2)).",
    )
    citation = models.CharField(max_length=100, default="18 U.S.C. 3161")
    alert_days_remaining = models.PositiveSmallIntegerField(
        default=14, help_text="The nightly monitor alerts when fewer days than this remain."
    )

    class Meta:
        verbose_name_plural = "speedy trial settings"

    def __str__(self) -> str:
        return f"Speedy trial ({self.citation}) of {self.court}"


class SpeedyTrialClock(models.Model):
    """The dates a case's speedy-trial clock runs from (one per criminal case)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="speedy_trial")
    arrest_or_summons_on = models.DateField(null=True, blank=True)
    indictment_on = models.DateField(null=True, blank=True)
    first_appearance_on = models.DateField(null=True, blank=True)
    counsel_appearance_on = models.DateField(null=True, blank=True)
    trial_started_on = models.DateField(null=True, blank=True)
    earlier_trial_consented = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Speedy-trial clock of {self.case.number}"


class ExcludableKind(models.TextChoices):
    # 18 U.S.C. 3161(h)
    PRETRIAL_MOTION = "pretrial_motion", "Pretrial motion pending (3161(h)(1)(D))"
    COMPETENCY = "competency", "Competency examination or hearing (3161(h)(1)(A))"
    INTERLOCUTORY_APPEAL = "interlocutory_appeal", "Interlocutory appeal (3161(h)(1)(C))"
    UNDER_ADVISEMENT = "under_advisement", "Matter under advisement (3161(h)(1)(H))"
    TRANSFER = "transfer", "Transfer or transportation (3161(h)(1)(E), (F))"
    DEFERRED_PROSECUTION = "deferred_prosecution", "Deferred prosecution (3161(h)(2))"
    DEFENDANT_UNAVAILABLE = "defendant_unavailable", "Defendant or witness unavailable (3161(h)(3))"
    INCOMPETENT = "incompetent", "Defendant incompetent (3161(h)(4))"
    CODEFENDANT = "codefendant", "Joined with a codefendant (3161(h)(6))"
    ENDS_OF_JUSTICE = "ends_of_justice", "Ends-of-justice continuance (3161(h)(7)(A))"
    OTHER = "other", "Other (state rule)"


class ExcludablePeriod(models.Model):
    """Time that does not count against the speedy-trial clock, with inclusive dates
    (`ends_on` blank while it lasts, e.g. a motion not yet decided)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="excludable_periods")
    kind = models.CharField(max_length=24, choices=ExcludableKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.TextField(
        blank=True, help_text="Required for an ends-of-justice continuance (3161(h)(7)(A))."
    )
    docket_entry = models.ForeignKey(
        "cases.DocketEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="docket_excludable_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ends_of_justice") | ~Q(reason=""),
                name="docket_excludable_eoj_has_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on} to {self.ends_on or 'now'}"


class DigestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DeadlineDigest(models.Model):
    """One alert e-mail per recipient per court-local day: the unique key that makes a
    rerun, a duplicated task or a retried worker send it exactly once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deadline_digests"
    )
    digest_date = models.DateField()
    status = models.CharField(
        max_length=8, choices=DigestStatus.choices, default=DigestStatus.PENDING
    )
    items = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-digest_date", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "digest_date"], name="docket_digest_once_per_day"
            )
        ]
        indexes = [
            # Every hourly tick re-queues the night's digests still pending.
            models.Index(
                fields=["digest_date"],
                condition=Q(status="pending"),
                name="docket_digest_pending",
            )
        ]

    def __str__(self) -> str:
        return f"Digest for {self.recipient} on {self.digest_date} ({self.status})"


class DeadlineMonitorRun(models.Model):
    """One night's run of the deadline monitor (unique per date: exactly one)."""

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    marked_missed = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    speedy_trial_alerts = models.PositiveIntegerField(default=0)
    digests = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"Deadline monitor {self.run_date}"
