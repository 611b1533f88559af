"""The case file: case types, numbering, people and parties, attorneys of record,
charges, the lifecycle and its history, and the register of actions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone

from casemgmt.core.models import Court

from .querysets import CaseQuerySet, DocketEntryQuerySet


class CaseCategory(models.TextChoices):
    """NCSC State Court Guide to Statistical Reporting case categories."""

    CRIMINAL = "criminal", "Criminal"
    CIVIL = "civil", "Civil"
    DOMESTIC = "domestic", "Domestic relations"
    JUVENILE = "juvenile", "Juvenile"
    TRAFFIC = "traffic", "Traffic"
    MENTAL_HEALTH = "mental_health", "Mental health / probate"


# Categories where the State prosecutes and a defendant must be named.
PROSECUTION_CATEGORIES = frozenset({CaseCategory.CRIMINAL, CaseCategory.TRAFFIC})


class Confidentiality(models.TextChoices):
    PUBLIC = "public", "Public"
    CONFIDENTIAL = "confidential", "Confidential"
    SEALED = "sealed", "Sealed"


class CaseType(models.Model):
    """A kind of case a court hears (data per court, in admin)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="case_types")
    code = models.CharField(max_length=8, help_text="CR, CV, FA, JV, TR, MH, ...")
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=CaseCategory.choices)
    default_confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    number_format = models.CharField(
        max_length=80,
        blank=True,
        help_text="Overrides the court's case-number format for this type; blank uses the court's.",
    )
    initial_event_code = models.CharField(
        max_length=8,
        default="CMPL",
        help_text="Docket event recorded at intake (CMPL, CHRG, PETN).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "code"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="cases_casetype_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from casemgmt.core.models import validate_case_number_format

        if self.number_format:
            try:
                validate_case_number_format(self.number_format)
            except ValidationError as exc:
                raise ValidationError({"number_format": exc.messages}) from exc

    @property
    def is_juvenile(self) -> bool:
        return self.category == CaseCategory.JUVENILE


class CaseNumberSequence(models.Model):
    """The last number issued per court, case type and year. Locked during intake."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["court", "case_type", "year"], name="cases_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.court_id}/{self.case_type_id}/{self.year}: {self.last_value}"


class EventCode(models.Model):
    """A docket event code (data per court): CMPL complaint filed, SRVC service returned, ..."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="event_codes")
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=200)
    default_confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["court", "code"]
        constraints = [
            models.UniqueConstraint(fields=["court", "code"], name="cases_eventcode_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.description}"


class NameKeys(Func):
    """casemgmt_name_keys(first, middle, last) -> text[]: the search keys of a name."""

    function = "casemgmt_name_keys"
    output_field = ArrayField(models.TextField())


class PersonKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ORGANIZATION = "organization", "Organization"


class Person(models.Model):
    """Someone who is a party to cases: an individual or an organization."""

    kind = models.CharField(
        max_length=12, choices=PersonKind.choices, default=PersonKind.INDIVIDUAL
    )
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    suffix = models.CharField(max_length=20, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)
    is_government_agency = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=8, default="en")
    interpreter_needed = models.BooleanField(default=False)
    # Lower-cased "first middle last suffix" or the organization's name: what fuzzy
    # search (pg_trgm) compares against. Kept by save().
    search_name = models.CharField(max_length=400, editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "organization_name"]
        indexes = [
            GinIndex(
                fields=["search_name"], name="cases_person_name_trgm", opclasses=["gin_trgm_ops"]
            ),
            # Organizations are few; their own trigram index keeps their search small.
            GinIndex(
                fields=["search_name"],
                name="cases_person_org_trgm",
                opclasses=["gin_trgm_ops"],
                condition=Q(kind="organization"),
            ),
            models.Index(fields=["date_of_birth"], name="cases_person_dob_idx"),
            # Name keys of individuals: per name word its double metaphone and its letters
            # sorted, so "Jonhson" and "Smtih" meet "Johnson" and "Smith" (see the
            # casemgmt_name_keys() SQL function, migration 0003).
            GinIndex(
                NameKeys(F("first_name"), F("middle_name"), F("last_name")),
                name="cases_person_name_keys",
                condition=Q(kind="individual"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="individual") & ~Q(last_name=""))
                | (Q(kind="organization") & ~Q(organization_name="")),
                name="cases_person_has_a_name",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.search_name = self.compute_search_name()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if self.kind == PersonKind.ORGANIZATION:
            return self.organization_name
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)

    @property
    def caption_name(self) -> str:
        """The name as a caption uses it: the surname of an individual."""
        if self.kind == PersonKind.ORGANIZATION:
            return self.organization_name
        return self.last_name

    def compute_search_name(self) -> str:
        return " ".join(self.display_name.lower().split())


class CaseStatus(models.TextChoices):
    """After the NCSC State Court Guide to Statistical Reporting."""

    FILED = "filed", "Filed"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DISPOSED = "disposed", "Disposed"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


PENDING_STATUSES = frozenset({CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.REOPENED})


class InactiveReason(models.TextChoices):
    STAYED = "stayed", "Stayed"
    WARRANT = "warrant", "Warrant outstanding"
    COMPETENCY = "competency", "Competency proceedings"
    DIVERSION = "diversion", "Diversion program"
    OTHER = "other", "Other"


class Case(models.Model):
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="cases")
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    # "C" collation: a plain btree serves both equality and prefix (LIKE 'x%') searches
    # and orders numbers bytewise, whatever the database's locale.
    number = models.CharField(max_length=40, db_collation="C")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    caption = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.FILED)
    inactive_reason = models.CharField(max_length=12, choices=InactiveReason.choices, blank=True)
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    # Denormalised from the type so that visibility never needs a join.
    is_juvenile = models.BooleanField(default=False)
    filed_on = models.DateField()
    status_date = models.DateField(help_text="Court-local date of the last status change.")
    disposed_on = models.DateField(null=True, blank=True)
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        limit_choices_to={"role": "judge"},
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    intake_key = models.UUIDField(null=True, blank=True, editable=False)
    last_docket_seq = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        permissions = [("view_sealed_case", "May see this sealed case")]
        constraints = [
            models.UniqueConstraint(fields=["court", "number"], name="cases_case_unique_number"),
            models.UniqueConstraint(
                fields=["court", "case_type", "year", "sequence"], name="cases_case_unique_seq"
            ),
            models.UniqueConstraint(fields=["intake_key"], name="cases_case_unique_intake_key"),
            models.CheckConstraint(
                condition=Q(status="inactive", inactive_reason__gt="")
                | (~Q(status="inactive") & Q(inactive_reason="")),
                name="cases_case_inactive_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["number"], name="cases_case_number"),
            models.Index(fields=["court", "status", "filed_on"], name="cases_case_court_status"),
            models.Index(fields=["court", "-filed_on", "-id"], name="cases_case_court_recent"),
            # Newest first across courts (public cases are visible in every court).
            models.Index(fields=["-filed_on", "-id"], name="cases_case_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.caption}"

    @property
    def is_sealed(self) -> bool:
        return self.confidentiality == Confidentiality.SEALED

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def reads_are_audited(self) -> bool:
        """Reads of sealed and juvenile cases are audited on every surface."""
        return self.is_sealed or self.is_juvenile


class CaseStatusChange(models.Model):
    """One step of the lifecycle: the milestones time-to-disposition and age are measured from.

    Append-only (database trigger)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CaseStatus.choices)
    inactive_reason = models.CharField(max_length=12, choices=InactiveReason.choices, blank=True)
    effective_on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    docket_entry = models.OneToOneField(
        "DocketEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "recorded_at", "id"]
        indexes = [models.Index(fields=["to_status", "effective_on"], name="cases_statuschange_to")]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} -> {self.to_status} on {self.effective_on}"


class PartyRole(models.TextChoices):
    PLAINTIFF = "plaintiff", "Plaintiff"
    DEFENDANT = "defendant", "Defendant"
    PETITIONER = "petitioner", "Petitioner"
    RESPONDENT = "respondent", "Respondent"
    PROSECUTION = "prosecution", "Prosecution (State)"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    GUARDIAN = "guardian", "Guardian"
    GUARDIAN_AD_LITEM = "guardian_ad_litem", "Guardian ad litem"
    CHILD = "child", "Child"
    INTERESTED_PARTY = "interested_party", "Interested party"


# Roles that appear in a caption, first side then second side.
CAPTION_FIRST = (PartyRole.PROSECUTION, PartyRole.PLAINTIFF, PartyRole.PETITIONER)
CAPTION_SECOND = (PartyRole.DEFENDANT, PartyRole.RESPONDENT)


class CaseParty(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    position = models.PositiveSmallIntegerField(default=1, help_text="Order within the role.")
    added_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case", "role", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "role"], name="cases_party_unique_role"
            )
        ]
        indexes = [models.Index(fields=["person", "case"], name="cases_party_person_case")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Appearance(models.Model):
    """An attorney of record for a party; active until withdrawn."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appearances")
    attorney = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appearances"
    )
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, null=True, blank=True, related_name="appearances"
    )
    entered_on = models.DateField()
    withdrawn_on = models.DateField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "entered_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "attorney", "party"],
                condition=Q(withdrawn_on__isnull=True),
                name="cases_appearance_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True)
                | Q(withdrawn_on__gte=models.F("entered_on")),
                name="cases_appearance_withdrawn_after_entered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["attorney", "case"],
                condition=Q(withdrawn_on__isnull=True),
                name="cases_appearance_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attorney} for {self.party or 'the case'}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


class ChargeClass(models.TextChoices):
    FELONY_CAPITAL = "felony_capital", "Capital felony"
    FELONY_1 = "felony_1", "Felony, first degree"
    FELONY_2 = "felony_2", "Felony, second degree"
    FELONY_3 = "felony_3", "Felony, third degree"
    MISDEMEANOR_A = "misdemeanor_a", "Misdemeanor, class A"
    MISDEMEANOR_B = "misdemeanor_b", "Misdemeanor, class B"
    MISDEMEANOR_C = "misdemeanor_c", "Misdemeanor, class C"
    INFRACTION = "infraction", "Infraction"


FELONY_CLASSES = frozenset(
    {ChargeClass.FELONY_CAPITAL, ChargeClass.FELONY_1, ChargeClass.FELONY_2, ChargeClass.FELONY_3}
)


class Plea(models.TextChoices):
    NONE = "", "No plea"
    NOT_GUILTY = "not_guilty", "Not guilty"
    GUILTY = "guilty", "Guilty"
    NOLO = "nolo_contendere", "Nolo contendere"
    NOT_GUILTY_INSANITY = "ngri", "Not guilty by reason of insanity"


class ChargeDisposition(models.TextChoices):
    NONE = "", "Pending"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    DISMISSED = "dismissed", "Dismissed"
    NOLLE_PROSEQUI = "nolle_prosequi", "Nolle prosequi"
    DIVERTED = "diverted", "Dismissed after diversion"
    ADJUDICATION_WITHHELD = "adjudication_withheld", "Adjudication withheld"
    REDUCED = "reduced", "Reduced / amended"


class Charge(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="charges")
    count_number = models.PositiveSmallIntegerField()
    statute_code = models.CharField(max_length=40)
    statute_text = models.CharField(max_length=300)
    charge_class = models.CharField(max_length=20, choices=ChargeClass.choices)
    offense_date = models.DateField()
    plea = models.CharField(max_length=20, choices=Plea.choices, blank=True, default="")
    plea_date = models.DateField(null=True, blank=True)
    disposition = models.CharField(
        max_length=24, choices=ChargeDisposition.choices, blank=True, default=""
    )
    disposition_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case", "count_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "count_number"], name="cases_charge_unique_count"
            ),
            models.CheckConstraint(
                condition=Q(disposition="") | Q(disposition_date__isnull=False),
                name="cases_charge_disposition_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Count {self.count_number}: {self.statute_code} {self.statute_text}"

    @property
    def is_felony(self) -> bool:
        return self.charge_class in FELONY_CLASSES


class DocketEntry(models.Model):
    """The register of actions. Append-only: a correction is a new entry pointing back."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="docket_entries")
    seq = models.PositiveIntegerField()
    entered_at = models.DateTimeField(default=timezone.now)
    entry_date = models.DateField(help_text="Court-local date of the act.")
    event_code = models.CharField(max_length=8)
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.PUBLIC
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )

    objects = DocketEntryQuerySet.as_manager()

    class Meta:
        ordering = ["case", "seq"]
        verbose_name_plural = "docket entries"
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="cases_docketentry_unique_seq")
        ]
        indexes = [
            models.Index(fields=["event_code", "entry_date"], name="cases_docket_event_date")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.event_code}"


class DocketEntryRestriction(models.Model):
    """A later change to how confidential an entry is (say, the document it records was
    sealed). Entries are never edited, so the entry's effective confidentiality is that
    of its latest restriction, or its own. Append-only (database trigger)."""

    entry = models.ForeignKey(DocketEntry, on_delete=models.PROTECT, related_name="restrictions")
    confidentiality = models.CharField(max_length=12, choices=Confidentiality.choices)
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["entry", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["entry", "-recorded_at", "-id"], name="cases_restriction_latest")
        ]

    def __str__(self) -> str:
        return f"entry {self.entry_id} -> {self.confidentiality}"


def court_local_date(court: Court, when: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(when or timezone.now(), court.tzinfo).date()
