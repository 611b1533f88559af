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
from cases.models import Case


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
