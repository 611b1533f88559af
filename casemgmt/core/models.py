"""Court, users and roles, API tokens and the audit trail."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import STAFF_ROLES, Role

# Placeholders a case-number format may use; cases.numbering fills them.
CASE_NUMBER_FIELDS = {"year": 2026, "yy": 26, "type": "CR", "seq": 1, "county": "00", "office": "0"}
DEFAULT_CASE_NUMBER_FORMAT = "{year}-{type}-{seq:06d}"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not an IANA time zone.", code="invalid_time_zone", params={"value": value}
        )


def validate_case_number_format(value: str) -> None:
    try:
        sample = value.format(**CASE_NUMBER_FIELDS)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(
            "Use only {year}, {yy}, {type}, {seq}, {county} and {office} (with optional "
            "formats such as {seq:06d}).",
            code="invalid_case_number_format",
        ) from exc
    if "{seq" not in value:
        raise ValidationError("The format must contain {seq}.", code="case_number_without_seq")
    if len(sample) > 40:
        raise ValidationError(
            "Case numbers are at most 40 characters.", code="case_number_too_long"
        )


def validate_holiday_region(country: str, subdivision: str) -> None:
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError as exc:
        raise ValidationError(
            {"holiday_subdivision": str(exc)}, code="unknown_holiday_region"
        ) from exc


class Court(models.Model):
    """A court (or division) that keeps its own cases, numbers, fees and calendar."""

    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. 'cir12'.")
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    county_code = models.CharField(
        max_length=10, blank=True, help_text="Used by formats with {county}, e.g. Florida's."
    )
    office_code = models.CharField(
        max_length=10, blank=True, help_text="Used by formats with {office}, e.g. federal '1'."
    )
    case_number_format = models.CharField(
        max_length=80,
        default=DEFAULT_CASE_NUMBER_FORMAT,
        validators=[validate_case_number_format],
        help_text="Placeholders: {year} {yy} {type} {seq:06d} {county} {office}.",
    )
    holiday_country = models.CharField(
        max_length=2, default="US", help_text="ISO country for the legal-holiday calendar."
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text="State or province, e.g. 'FL', for state holidays."
    )
    sealed_caption_placeholder = models.CharField(
        max_length=100,
        default="Sealed matter",
        help_text="Shown instead of a sealed case's caption to those not entitled to it.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_holiday_region(self.holiday_country, self.holiday_subdivision)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self):
        return timezone.localtime(timezone.now(), self.tzinfo)

    def local_today(self):
        return self.local_now().date()


class CourtClosure(models.Model):
    """A day the court declares closed (weather, emergency): FRCP 6(a)(3) inaccessibility."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=200)
    declared_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["court", "date"], name="core_closure_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.court.code} closed {self.date:%Y-%m-%d}: {self.reason}"


class User(AbstractUser):
    """A person who signs in. Court staff and attorneys; the public never has an account."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CLERK)
    courts = models.ManyToManyField(
        Court, through="CourtMembership", related_name="members", blank=True
    )
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=[("en", "English"), ("es", "Español")], default="en"
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_court_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    def save(self, *args, **kwargs) -> None:
        # set_password() leaves the raw password in _password until the save;
        # a change to an existing account is an audited event.
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            from .audit import audit_record

            audit_record(action="auth.password_change", obj=self, details={})


class CourtMembership(models.Model):
    """Which courts a user works in (or, for an attorney, is admitted to practise in)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="memberships")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "court"], name="core_membership_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="core_membership_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.court.code}"


class AttorneyProfile(models.Model):
    """Bar admission and contact details of an attorney user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="attorney_profile")
    bar_number = models.CharField(max_length=30)
    bar_state = models.CharField(max_length=2, default="FL")
    firm = models.CharField(max_length=200, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True, help_text="Service address, if not the login e-mail.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bar_state", "bar_number"], name="core_attorney_bar_number_unique"
            )
        ]
        # Search by bar number alone (the unique key leads with the state).
        indexes = [models.Index(fields=["bar_number"], name="core_attorney_bar_number")]

    def __str__(self) -> str:
        return f"{self.user} ({self.bar_state} Bar {self.bar_number})"


class ApiToken(models.Model):
    """A per-user REST API token. Only its SHA-256 digest is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a key.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"


class AuditEvent(models.Model):
    """One audited act. Append-only: a database trigger refuses UPDATE and DELETE."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor_username = models.CharField(
        max_length=150, blank=True, help_text="As typed or as it was, kept even if renamed."
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    # cases sits above core, so the case is referenced by id and number, not a foreign key.
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    case_number = models.CharField(max_length=40, blank=True, db_index=True)
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["court", "-occurred_at"], name="core_audit_court_time_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="core_audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "anonymous"
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.outcome}"
