"""Every write to the case file. Each service is atomic and writes its audit record."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role

from . import registry
from .models import (
    CAPTION_FIRST,
    CAPTION_SECOND,
    PROSECUTION_CATEGORIES,
    Appearance,
    Case,
    CaseCategory,
    CaseNumberSequence,
    CaseParty,
    CaseStatus,
    CaseStatusChange,
    CaseType,
    Charge,
    ChargeDisposition,
    Confidentiality,
    DocketEntry,
    DocketEntryRestriction,
    EventCode,
    InactiveReason,
    PartyRole,
    Person,
    PersonKind,
    Plea,
    court_local_date,
)

# Event codes every court has (courts add their own in admin).
DEFAULT_EVENT_CODES = {
    "CMPL": "Complaint filed",
    "CHRG": "Charging document (information / citation) filed",
    "PETN": "Petition filed",
    "SRVC": "Service returned",
    "ANSW": "Answer filed",
    "MOTN": "Motion filed",
    "RESP": "Response filed",
    "ORDR": "Order entered",
    "JDGM": "Judgment entered",
    "HRGS": "Hearing set",
    "HRGV": "Hearing vacated",
    "HRGH": "Hearing held",
    "SUBP": "Subpoena issued",
    "NOTC": "Notice issued",
    "APPR": "Notice of appearance",
    "WDRW": "Attorney withdrawn",
    "PRTY": "Party added",
    "CHGA": "Charge added",
    "PLEA": "Plea entered",
    "CDSP": "Charge disposed",
    "ACTV": "Case active",
    "INAC": "Case inactive",
    "REAC": "Case reactivated",
    "DISP": "Case disposed",
    "CLSD": "Case closed",
    "REOP": "Case reopened",
    "SEAL": "Case sealed",
    "UNSL": "Case unsealed",
    "CONF": "Confidentiality changed",
    "JASN": "Judge assigned",
    "CORR": "Correction of entry",
    "DVRF": "Referred to a diversion program",
    "DVEN": "Enrolled in a diversion program",
    "DVPH": "Diversion phase changed",
    "DVCP": "Diversion program completed",
    "DVTM": "Diversion program terminated",
}


def event_codes_install_defaults(*, court: Court) -> int:
    """Give `court` every default event code it lacks. Returns how many were added."""
    have = set(EventCode.objects.filter(court=court).values_list("code", flat=True))
    missing = [
        EventCode(court=court, code=code, description=text)
        for code, text in DEFAULT_EVENT_CODES.items()
        if code not in have
    ]
    EventCode.objects.bulk_create(missing)
    return len(missing)


# --- numbering ----------------------------------------------------------------------


def case_number_format(case_type: CaseType) -> str:
    return case_type.number_format or case_type.court.case_number_format


def case_number_take(*, court: Court, case_type: CaseType, year: int) -> tuple[int, str]:
    """Take the next number of the court/type/year sequence. Call inside the intake transaction.

    The counter row stays locked until the transaction ends, so concurrent intakes
    queue here; a rolled-back intake rolls its increment back too, so the sequence
    is gap-free and no number is ever issued twice.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casenumbersequence (court_id, case_type_id, year, last_value) "
            "VALUES (%s, %s, %s, 0) ON CONFLICT (court_id, case_type_id, year) DO NOTHING",
            [court.pk, case_type.pk, year],
        )
    counter = CaseNumberSequence.objects.select_for_update().get(
        court=court, case_type=case_type, year=year
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    seq = counter.last_value
    number = case_number_format(case_type).format(
        year=year,
        yy=f"{year % 100:02d}",
        type=case_type.code,
        seq=seq,
        county=court.county_code,
        office=court.office_code,
    )
    return seq, number


# --- the register of actions -------------------------------------------------------------


@transaction.atomic
def docket_entry_record(
    *,
    case: Case,
    event_code: str,
    text: str,
    recorded_by: User,
    obj: Any = None,
    confidentiality: str | None = None,
    entry_date: dt.date | None = None,
    corrects: DocketEntry | None = None,
) -> DocketEntry:
    """Record an entry in the case's register of actions: the one way in.

    Numbers the entry (per case, gap-free: the case row is locked), checks the
    event code against the court's codes, writes the audit record and notifies
    the subscribers of `cases.registry` inside the same transaction.

    Raises:
        DomainError: UNKNOWN_EVENT_CODE, DOCKET_TEXT_REQUIRED, CORRECTION_OF_OTHER_CASE.
    """
    text = (text or "").strip()
    if not text:
        raise DomainError("DOCKET_TEXT_REQUIRED", "Say what happened.", field="text")
    code = EventCode.objects.filter(court_id=case.court_id, code=event_code, is_active=True).first()
    if code is None:
        raise DomainError(
            "UNKNOWN_EVENT_CODE",
            f"{event_code} is not an event code of this court.",
            field="event_code",
        )
    if corrects is not None and corrects.case_id != case.pk:
        raise DomainError(
            "CORRECTION_OF_OTHER_CASE", "A correction must be on the same case.", field="corrects"
        )
    locked = Case.objects.select_for_update().only("id", "last_docket_seq").get(pk=case.pk)
    locked.last_docket_seq += 1
    Case.objects.filter(pk=case.pk).update(last_docket_seq=locked.last_docket_seq)
    case.last_docket_seq = locked.last_docket_seq
    entry = DocketEntry.objects.create(
        case=case,
        seq=locked.last_docket_seq,
        entry_date=entry_date or court_local_date(case.court),
        event_code=event_code,
        text=text,
        recorded_by=recorded_by,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        confidentiality=confidentiality or code.default_confidentiality,
        corrects=corrects,
    )
    audit_record(
        action="docket.record",
        actor=recorded_by,
        obj=entry,
        case=case,
        details={"seq": entry.seq, "event_code": event_code},
    )
    registry.dispatch(entry)
    return entry


@transaction.atomic
def docket_entry_restrict(
    *, entry: DocketEntry, confidentiality: str, reason: str, actor: User
) -> DocketEntryRestriction:
    """Change how confidential an existing entry is, without editing it.

    Raises:
        DomainError: UNKNOWN_CONFIDENTIALITY, REASON_REQUIRED.
    """
    if confidentiality not in Confidentiality.values:
        raise DomainError(
            "UNKNOWN_CONFIDENTIALITY",
            "Choose public, confidential or sealed.",
            field="confidentiality",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "Cite the order or reason.", field="reason")
    restriction = DocketEntryRestriction.objects.create(
        entry=entry, confidentiality=confidentiality, reason=reason[:300], recorded_by=actor
    )
    audit_record(
        action="docket.restrict",
        actor=actor,
        obj=entry,
        case=entry.case,
        details={"seq": entry.seq, "confidentiality": confidentiality, "reason": reason},
    )
    return restriction


# --- intake ---------------------------------------------------------------------------


@dataclass
class PartyInput:
    role: str
    person: Person | None = None  # link an existing person, or describe a new one:
    kind: str = PersonKind.INDIVIDUAL
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    suffix: str = ""
    organization_name: str = ""
    is_government_agency: bool = False
    date_of_birth: dt.date | None = None
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    email: str = ""
    preferred_language: str = "en"
    interpreter_needed: bool = False

    PERSON_FIELDS = [
        "kind",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "organization_name",
        "is_government_agency",
        "date_of_birth",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "phone",
        "email",
        "preferred_language",
        "interpreter_needed",
    ]

    def person_data(self) -> dict:
        return {name: getattr(self, name) for name in self.PERSON_FIELDS}


@dataclass
class AppearanceInput:
    attorney: User
    party_index: int | None = None  # which of the intake's parties the attorney represents


@dataclass
class ChargeInput:
    statute_code: str
    statute_text: str
    charge_class: str
    offense_date: dt.date


@dataclass
class IntakeInput:
    court: Court
    case_type: CaseType
    parties: list[PartyInput]
    appearances: list[AppearanceInput] = field(default_factory=list)
    charges: list[ChargeInput] = field(default_factory=list)
    filed_on: dt.date | None = None
    confidentiality: str | None = None
    judge: User | None = None
    intake_key: uuid.UUID | None = None


def caption_build(*, category: str, parties: list[tuple[str, Person]]) -> str:
    """The caption built from the parties.

    `State v. Doe`, `Smith v. Jones`, `In re the Marriage of A and B`; juvenile
    captions carry the child's initials only.
    """
    first = [p for role, p in parties if role in CAPTION_FIRST]
    second = [p for role, p in parties if role in CAPTION_SECOND]

    def side(people: list[Person]) -> str:
        if not people:
            return ""
        name = people[0].caption_name
        return f"{name}, et al." if len(people) > 1 else name

    if category in PROSECUTION_CATEGORIES:
        return f"State v. {side(second) or 'Unknown'}"
    if category == CaseCategory.DOMESTIC:
        names = [p.display_name for p in first + second][:2]
        return "In re the Marriage of " + " and ".join(names) if names else "In re the Marriage"
    if category == CaseCategory.JUVENILE:
        child = next((p for role, p in parties if role == PartyRole.CHILD), None)
        subject = child or (second[0] if second else None)
        initials = (
            "".join(f"{n[0]}." for n in (subject.first_name, subject.last_name) if n)
            if subject and subject.kind == PersonKind.INDIVIDUAL
            else "a child"
        )
        return f"In the Interest of {initials}"  # juvenile captions carry initials only
    if category == CaseCategory.MENTAL_HEALTH:
        subject = (second or first or [None])[0]
        return f"In re {subject.display_name}" if subject else "In re"
    if first and second:
        return f"{side(first)} v. {side(second)}"
    return f"In re {side(first or second)}"


def _validate_intake(data: IntakeInput, today: dt.date) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}

    def add(key: str, message: str, code: str) -> None:
        errors.setdefault(key, []).append(ValidationError(message, code=code))

    if data.case_type.court_id != data.court.pk:
        add("case_type", "That case type belongs to another court.", "CASE_TYPE_OTHER_COURT")
    elif not data.case_type.is_active:
        add("case_type", "That case type is no longer used.", "CASE_TYPE_INACTIVE")
    if data.case_type.is_juvenile and data.confidentiality == Confidentiality.PUBLIC:
        add(
            "confidentiality",
            "Juvenile records are confidential by law; they cannot be public.",
            "JUVENILE_CANNOT_BE_PUBLIC",
        )
    if data.filed_on and data.filed_on > today:
        add("filed_on", "The filing date cannot be in the future.", "DATE_IN_FUTURE")
    if not data.parties:
        add("parties", "Add at least one party.", "PARTY_REQUIRED")
    for i, party in enumerate(data.parties):
        prefix = f"parties.{i}"
        if party.role not in PartyRole.values:
            add(f"{prefix}.role", "Choose a role.", "invalid_choice")
        if party.person is None:
            if party.kind == PersonKind.INDIVIDUAL and not party.last_name.strip():
                add(f"{prefix}.last_name", "Enter the last name.", "required")
            if party.kind == PersonKind.ORGANIZATION and not party.organization_name.strip():
                add(f"{prefix}.organization_name", "Enter the organization's name.", "required")
            if party.date_of_birth and party.date_of_birth > today:
                add(
                    f"{prefix}.date_of_birth",
                    "A date of birth cannot be in the future.",
                    "DATE_IN_FUTURE",
                )
            try:
                # The name rule is checked above, with its own message.
                Person(**party.person_data()).full_clean(
                    exclude=["search_name"], validate_constraints=False
                )
            except ValidationError as exc:
                for name, field_errors in exc.error_dict.items():
                    key = f"{prefix}.{name}" if name != "__all__" else prefix
                    if key not in errors:  # the checks above already explain these
                        errors.setdefault(key, []).extend(field_errors)
    roles = [p.role for p in data.parties]
    category = data.case_type.category
    if category in PROSECUTION_CATEGORIES:
        if PartyRole.DEFENDANT not in roles:
            add("parties", "A criminal or traffic case needs a defendant.", "DEFENDANT_REQUIRED")
        if not data.charges:
            add("charges", "Add at least one charge.", "CHARGE_REQUIRED")
    elif data.charges:
        add("charges", "Only criminal and traffic cases have charges.", "CHARGES_NOT_ALLOWED")
    for i, charge in enumerate(data.charges):
        prefix = f"charges.{i}"
        if not charge.statute_code.strip():
            add(f"{prefix}.statute_code", "Enter the statute.", "required")
        if not charge.statute_text.strip():
            add(f"{prefix}.statute_text", "Describe the offense.", "required")
        if charge.offense_date and charge.offense_date > today:
            add(
                f"{prefix}.offense_date",
                "The offense date cannot be in the future.",
                "DATE_IN_FUTURE",
            )
    for i, appearance in enumerate(data.appearances):
        if appearance.attorney.role != Role.ATTORNEY:
            add(f"appearances.{i}.attorney", "That user is not an attorney.", "NOT_AN_ATTORNEY")
        if appearance.party_index is not None and not 0 <= appearance.party_index < len(
            data.parties
        ):
            add(f"appearances.{i}.party", "Choose one of the case's parties.", "invalid_choice")
    if data.judge is not None and (
        data.judge.role != Role.JUDGE
        or not data.judge.memberships.filter(court=data.court).exists()
    ):
        add("judge", "Choose a judge of this court.", "NOT_A_JUDGE_OF_COURT")
    return errors


@transaction.atomic
def case_open(*, data: IntakeInput, opened_by: User) -> Case:
    """Open a case at the counter: number, parties, attorneys, charges, first docket entry.

    One transaction: on any refusal nothing is written and no number is used. A
    repeated submission with the same `intake_key` returns the case the first one
    opened.

    Raises:
        ValidationError: keyed by field (`case_type`, `parties.0.last_name`, ...), each with
            a stable code (DEFENDANT_REQUIRED, DATE_IN_FUTURE, CASE_TYPE_OTHER_COURT, ...).
    """
    if data.intake_key is not None:
        # Serialise submissions of the same intake: a double submit racing the first
        # waits here, then finds the case the first one opened.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"intake:{data.intake_key}"],
            )
        existing = Case.objects.filter(intake_key=data.intake_key).first()
        if existing is not None:
            return existing
    today = court_local_date(data.court)
    errors = _validate_intake(data, today)
    if errors:
        raise ValidationError(errors)

    filed_on = data.filed_on or today
    case_type = data.case_type
    seq, number = case_number_take(court=data.court, case_type=case_type, year=filed_on.year)
    people: list[tuple[str, Person]] = []
    for party in data.parties:
        person = party.person
        if person is None:
            person = Person.objects.create(**party.person_data())  # validated above
        people.append((party.role, person))

    case = Case(
        court=data.court,
        case_type=case_type,
        number=number,
        year=filed_on.year,
        sequence=seq,
        caption=caption_build(category=case_type.category, parties=people)[:300],
        status=CaseStatus.FILED,
        confidentiality=data.confidentiality or case_type.default_confidentiality,
        is_juvenile=case_type.is_juvenile,
        filed_on=filed_on,
        status_date=filed_on,
        judge=data.judge,
        opened_by=opened_by,
        intake_key=data.intake_key,
    )
    case.full_clean(exclude=["intake_key"])
    case.save()

    positions: dict[str, int] = {}
    case_parties = []
    for role, person in people:
        positions[role] = positions.get(role, 0) + 1
        case_parties.append(
            CaseParty(
                case=case, person=person, role=role, position=positions[role], added_on=filed_on
            )
        )
    CaseParty.objects.bulk_create(case_parties)
    Appearance.objects.bulk_create(
        Appearance(
            case=case,
            attorney=a.attorney,
            party=case_parties[a.party_index] if a.party_index is not None else None,
            entered_on=filed_on,
            entered_by=opened_by,
        )
        for a in data.appearances
    )
    Charge.objects.bulk_create(
        Charge(
            case=case,
            count_number=i,
            statute_code=c.statute_code.strip(),
            statute_text=c.statute_text.strip(),
            charge_class=c.charge_class,
            offense_date=c.offense_date,
        )
        for i, c in enumerate(data.charges, start=1)
    )
    entry = docket_entry_record(
        case=case,
        event_code=case_type.initial_event_code,
        text=f"{case_type.name} case opened: {case.caption}.",
        recorded_by=opened_by,
        obj=case,
        entry_date=filed_on,
    )
    CaseStatusChange.objects.create(
        case=case,
        from_status="",
        to_status=CaseStatus.FILED,
        effective_on=filed_on,
        changed_by=opened_by,
        docket_entry=entry,
    )
    audit_record(
        action="case.open",
        actor=opened_by,
        obj=case,
        case=case,
        details={
            "number": number,
            "parties": len(people),
            "charges": len(data.charges),
            "appearances": len(data.appearances),
        },
    )
    return case


def case_read_audit(*, case: Case, user, surface: str) -> None:
    """Record a read of a sealed or juvenile case (every surface calls this)."""
    if case.reads_are_audited:
        audit_record(
            action="case.read",
            actor=user if getattr(user, "is_authenticated", False) else None,
            obj=case,
            case=case,
            details={
                "surface": surface,
                "confidentiality": case.confidentiality,
                "juvenile": case.is_juvenile,
            },
        )


@transaction.atomic
def case_details_update(*, case: Case, actor: User, **changes: Any) -> Case:
    """Change a case's caption and/or assigned judge, with a docket entry and an audit record.

    Args:
        changes: `caption` (str) and/or `judge` (User or None to unassign).

    Raises:
        ValidationError: `caption` required, `judge` NOT_A_JUDGE_OF_COURT.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("court", "case_type", "judge")
        .get(pk=case.pk)
    )
    updated: list[str] = []
    details: dict[str, Any] = {}
    if "caption" in changes:
        caption = " ".join((changes["caption"] or "").split())
        if not caption:
            raise ValidationError(
                {"caption": ValidationError("Enter the caption.", code="required")}
            )
        if caption != case.caption:
            details["caption"] = {"from": case.caption, "to": caption}
            case.caption = caption
            updated.append("caption")
    judge_changed = False
    if "judge" in changes:
        judge = changes["judge"]
        if judge is not None and (
            judge.role != Role.JUDGE
            or not judge.is_active
            or not judge.memberships.filter(court=case.court).exists()
        ):
            raise ValidationError(
                {
                    "judge": ValidationError(
                        "Choose a judge of this court.", code="NOT_A_JUDGE_OF_COURT"
                    )
                }
            )
        if (judge.pk if judge else None) != case.judge_id:
            details["judge"] = {
                "from": case.judge.username if case.judge else None,
                "to": judge.username if judge else None,
            }
            case.judge = judge
            updated.append("judge")
            judge_changed = True
    if not updated:
        return case
    case.save(update_fields=updated)
    if judge_changed:
        judge = case.judge
        docket_entry_record(
            case=case,
            event_code="JASN",
            text=f"Judge assigned: {judge.get_full_name() or judge.username}."
            if judge
            else "Judge unassigned.",
            recorded_by=actor,
            obj=case,
        )
    audit_record(action="case.update", actor=actor, obj=case, case=case, details=details)
    return case


# --- cases/ --------------------------------------------------------------------------------


# --- lifecycle --------------------------------------------------------------------------

# (from, to) -> docket event code. After the NCSC Guide to Statistical Reporting:
# filed -> active -> inactive <-> reactivated -> disposed -> closed; disposed/closed -> reopened.
TRANSITIONS: dict[tuple[str, str], str] = {
    (CaseStatus.FILED, CaseStatus.ACTIVE): "ACTV",
    (CaseStatus.FILED, CaseStatus.INACTIVE): "INAC",
    (CaseStatus.FILED, CaseStatus.DISPOSED): "DISP",
    (CaseStatus.ACTIVE, CaseStatus.INACTIVE): "INAC",
    (CaseStatus.ACTIVE, CaseStatus.DISPOSED): "DISP",
    (CaseStatus.INACTIVE, CaseStatus.ACTIVE): "REAC",
    (CaseStatus.INACTIVE, CaseStatus.DISPOSED): "DISP",
    (CaseStatus.REOPENED, CaseStatus.ACTIVE): "ACTV",
    (CaseStatus.REOPENED, CaseStatus.INACTIVE): "INAC",
    (CaseStatus.REOPENED, CaseStatus.DISPOSED): "DISP",
    (CaseStatus.DISPOSED, CaseStatus.CLOSED): "CLSD",
    (CaseStatus.DISPOSED, CaseStatus.REOPENED): "REOP",
    (CaseStatus.CLOSED, CaseStatus.REOPENED): "REOP",
}


def transition_refusal(case: Case, to: str) -> DomainError | None:
    """Why `case` may not move to `to`, as a coded error; None when it may."""
    if to not in CaseStatus.values:
        return DomainError("UNKNOWN_STATUS", f"{to} is not a case status.", field="to")
    if (case.status, to) in TRANSITIONS:
        return None
    if case.status == to:
        code = {
            CaseStatus.DISPOSED: "CASE_ALREADY_DISPOSED",
            CaseStatus.CLOSED: "CASE_ALREADY_CLOSED",
            CaseStatus.INACTIVE: "CASE_ALREADY_INACTIVE",
            CaseStatus.ACTIVE: "CASE_ALREADY_ACTIVE",
        }.get(to, "CASE_ALREADY_IN_STATUS")
        return DomainError(
            code, f"The case is already {case.get_status_display().lower()}.", field="to"
        )
    if case.status == CaseStatus.CLOSED:
        return DomainError("CASE_ALREADY_CLOSED", "A closed case can only be reopened.", field="to")
    if case.status == CaseStatus.DISPOSED:
        return DomainError(
            "CASE_ALREADY_DISPOSED", "A disposed case can only be closed or reopened.", field="to"
        )
    if to == CaseStatus.CLOSED:
        return DomainError("CASE_NOT_DISPOSED", "Only a disposed case can be closed.", field="to")
    if to == CaseStatus.REOPENED:
        return DomainError(
            "CASE_NOT_DISPOSED", "Only a disposed or closed case can be reopened.", field="to"
        )
    return DomainError(
        "TRANSITION_NOT_ALLOWED",
        f"A {case.get_status_display().lower()} case cannot become {to}.",
        field="to",
    )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: str,
    actor: User,
    effective_on: dt.date | None = None,
    reason: str = "",
    inactive_reason: str = "",
) -> Case:
    """Move a case through its lifecycle, with history, a docket entry and an audit record.

    Raises:
        DomainError: CASE_ALREADY_DISPOSED, CASE_ALREADY_CLOSED, CASE_NOT_DISPOSED,
            CASE_ALREADY_INACTIVE, TRANSITION_NOT_ALLOWED, INACTIVE_REASON_REQUIRED,
            REOPEN_REASON_REQUIRED, DATE_IN_FUTURE, DATE_BEFORE_FILING, DATE_BEFORE_LAST_CHANGE.
    """
    case = Case.objects.select_for_update().select_related("court").get(pk=case.pk)
    refusal = transition_refusal(case, to)
    if refusal is not None:
        raise refusal
    today = court_local_date(case.court)
    effective_on = effective_on or today
    if effective_on > today:
        raise DomainError("DATE_IN_FUTURE", "The date cannot be in the future.", field="date")
    if effective_on < case.filed_on:
        raise DomainError(
            "DATE_BEFORE_FILING", "The date is before the case was filed.", field="date"
        )
    if effective_on < case.status_date:
        raise DomainError(
            "DATE_BEFORE_LAST_CHANGE",
            f"The date is before the last status change ({case.status_date:%Y-%m-%d}).",
            field="date",
        )
    inactive_reason = inactive_reason or ""
    if to == CaseStatus.INACTIVE and inactive_reason not in InactiveReason.values:
        raise DomainError(
            "INACTIVE_REASON_REQUIRED",
            "Say why the case is inactive (stayed, warrant, competency, diversion, other).",
            field="inactive_reason",
        )
    reason = (reason or "").strip()
    if to == CaseStatus.REOPENED and not reason:
        raise DomainError("REOPEN_REASON_REQUIRED", "Say why the case is reopened.", field="reason")

    event = TRANSITIONS[(case.status, to)]
    label = CaseStatus(to).label.lower()
    text = f"Case {label}" + (
        f" ({InactiveReason(inactive_reason).label.lower()})" if to == CaseStatus.INACTIVE else ""
    )
    text += f": {reason}" if reason else "."
    from_status = case.status
    case.status = to
    case.inactive_reason = inactive_reason if to == CaseStatus.INACTIVE else ""
    case.status_date = effective_on
    if to == CaseStatus.DISPOSED:
        case.disposed_on = effective_on
    elif to == CaseStatus.REOPENED:
        # The case is pending again; its earlier disposition stays in the history.
        case.disposed_on = None
    case.save(update_fields=["status", "inactive_reason", "status_date", "disposed_on"])
    entry = docket_entry_record(
        case=case, event_code=event, text=text, recorded_by=actor, obj=case, entry_date=effective_on
    )
    CaseStatusChange.objects.create(
        case=case,
        from_status=from_status,
        to_status=to,
        inactive_reason=case.inactive_reason,
        effective_on=effective_on,
        reason=reason[:300],
        changed_by=actor,
        docket_entry=entry,
    )
    audit_record(
        action="case.transition",
        actor=actor,
        obj=case,
        case=case,
        details={"from": from_status, "to": to, "date": effective_on.isoformat(), "reason": reason},
    )
    return case


# --- parties, attorneys, charges, confidentiality -----------------------------------------


@transaction.atomic
def case_party_add(*, case: Case, party: PartyInput, actor: User) -> CaseParty:
    """Add a party to an open case.

    Raises:
        ValidationError: field-keyed, as at intake.
        DomainError: PARTY_ALREADY_ON_CASE (409).
    """
    today = court_local_date(case.court)
    probe = IntakeInput(court=case.court, case_type=case.case_type, parties=[party])
    errors = {
        k.replace("parties.0.", ""): v
        for k, v in _validate_intake(probe, today).items()
        if k.startswith("parties.0.")
    }
    if errors:
        raise ValidationError(errors)
    person = party.person
    if person is None:
        person = Person(**party.person_data())
        person.full_clean()
        person.save()
    elif CaseParty.objects.filter(case=case, person=person, role=party.role).exists():
        raise DomainError(
            "PARTY_ALREADY_ON_CASE", f"{person} is already a {party.role} on this case.", status=409
        )
    position = (
        CaseParty.objects.filter(case=case, role=party.role).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    case_party = CaseParty.objects.create(
        case=case, person=person, role=party.role, position=position, added_on=today
    )
    docket_entry_record(
        case=case,
        event_code="PRTY",
        text=f"{case_party.get_role_display()} added: {person.display_name}.",
        recorded_by=actor,
        obj=case_party,
    )
    audit_record(action="case.party_add", actor=actor, obj=case_party, case=case)
    return case_party


def case_row_lock(*, case_id: int) -> None:
    """Lock the case row FOR UPDATE, first, before the rows of the case an act changes.

    The register takes this lock for every docket entry (docket_entry_record); an act
    that will record one takes it before its own rows, so that two acts on one case
    wait for each other instead of deadlocking on their foreign-key share locks. Call
    inside the act's transaction.
    """
    Case.objects.select_for_update(of=("self",)).filter(pk=case_id).only("id").first()


@transaction.atomic
def appearance_enter(
    *,
    case: Case,
    attorney: User,
    party: CaseParty | None,
    actor: User,
    entered_on: dt.date | None = None,
    recorded_in: DocketEntry | None = None,
) -> Appearance:
    """Enter an attorney's appearance for a party, recorded as an APPR docket entry.

    Args:
        recorded_in: the docket entry that already records the appearance (an accepted
            notice of appearance filing); no second APPR entry is recorded then, so the
            rules attached to APPR (fees, deadlines) fire once.

    Raises:
        DomainError: NOT_AN_ATTORNEY, PARTY_OF_OTHER_CASE, APPEARANCE_ALREADY_ACTIVE (409).
    """
    if attorney.role != Role.ATTORNEY or not attorney.is_active:
        raise DomainError(
            "NOT_AN_ATTORNEY", "That user is not an active attorney.", field="attorney"
        )
    if party is not None and party.case_id != case.pk:
        raise DomainError("PARTY_OF_OTHER_CASE", "That party is on another case.", field="party")
    if Appearance.objects.filter(
        case=case, attorney=attorney, party=party, withdrawn_on__isnull=True
    ).exists():
        raise DomainError(
            "APPEARANCE_ALREADY_ACTIVE", "That attorney already appears for that party.", status=409
        )
    entered_on = entered_on or court_local_date(case.court)
    appearance = Appearance.objects.create(
        case=case, attorney=attorney, party=party, entered_on=entered_on, entered_by=actor
    )
    if recorded_in is None:
        profile = getattr(attorney, "attorney_profile", None)
        bar = f" (Bar {profile.bar_number})" if profile else ""
        docket_entry_record(
            case=case,
            event_code="APPR",
            text=f"Notice of appearance: {attorney.get_full_name()}{bar}"
            + (f" for {party.person.display_name}." if party else "."),
            recorded_by=actor,
            obj=appearance,
            entry_date=entered_on,
        )
    elif recorded_in.case_id != case.pk:
        raise DomainError("ENTRY_OF_OTHER_CASE", "That docket entry is on another case.")
    audit_record(
        action="case.appearance_enter",
        actor=actor,
        obj=appearance,
        case=case,
        details={"docket_seq": recorded_in.seq} if recorded_in is not None else None,
    )
    return appearance


@transaction.atomic
def appearance_withdraw(
    *, appearance: Appearance, actor: User, withdrawn_on: dt.date | None = None
) -> Appearance:
    """Record an attorney's withdrawal. Raises DomainError APPEARANCE_ALREADY_WITHDRAWN."""
    appearance = (
        Appearance.objects.select_for_update().select_related("case__court").get(pk=appearance.pk)
    )
    if appearance.withdrawn_on is not None:
        raise DomainError(
            "APPEARANCE_ALREADY_WITHDRAWN", "That appearance was already withdrawn.", status=409
        )
    withdrawn_on = withdrawn_on or court_local_date(appearance.case.court)
    if withdrawn_on < appearance.entered_on:
        raise DomainError(
            "DATE_BEFORE_APPEARANCE", "Withdrawal cannot precede the appearance.", field="date"
        )
    appearance.withdrawn_on = withdrawn_on
    appearance.save(update_fields=["withdrawn_on"])
    docket_entry_record(
        case=appearance.case,
        event_code="WDRW",
        text=f"Attorney {appearance.attorney.get_full_name()} withdrawn.",
        recorded_by=actor,
        obj=appearance,
        entry_date=withdrawn_on,
    )
    audit_record(
        action="case.appearance_withdraw", actor=actor, obj=appearance, case=appearance.case
    )
    return appearance


@transaction.atomic
def charge_add(*, case: Case, charge: ChargeInput, actor: User) -> Charge:
    """Add a count to a criminal or traffic case. Raises DomainError CHARGES_NOT_ALLOWED."""
    if case.case_type.category not in PROSECUTION_CATEGORIES:
        raise DomainError(
            "CHARGES_NOT_ALLOWED", "Only criminal and traffic cases have charges.", field="charges"
        )
    if charge.offense_date > court_local_date(case.court):
        raise DomainError(
            "DATE_IN_FUTURE", "The offense date cannot be in the future.", field="offense_date"
        )
    Case.objects.select_for_update().filter(pk=case.pk).exists()  # serialise count numbers
    count = (Charge.objects.filter(case=case).aggregate(m=Max("count_number"))["m"] or 0) + 1
    obj = Charge(
        case=case,
        count_number=count,
        statute_code=charge.statute_code.strip(),
        statute_text=charge.statute_text.strip(),
        charge_class=charge.charge_class,
        offense_date=charge.offense_date,
    )
    obj.full_clean()
    obj.save()
    docket_entry_record(
        case=case,
        event_code="CHGA",
        text=f"Count {count} added: {obj.statute_code} {obj.statute_text}.",
        recorded_by=actor,
        obj=obj,
    )
    audit_record(action="case.charge_add", actor=actor, obj=obj, case=case)
    return obj


@transaction.atomic
def charge_plea_enter(*, charge: Charge, plea: str, plea_date: dt.date, actor: User) -> Charge:
    charge = Charge.objects.select_for_update().select_related("case__court").get(pk=charge.pk)
    if not plea or plea not in Plea.values:
        raise DomainError("UNKNOWN_PLEA", f"{plea} is not a plea.", field="plea")
    if plea_date > court_local_date(charge.case.court):
        raise DomainError(
            "DATE_IN_FUTURE", "The plea date cannot be in the future.", field="plea_date"
        )
    before = charge.plea
    charge.plea, charge.plea_date = plea, plea_date
    charge.save(update_fields=["plea", "plea_date"])
    docket_entry_record(
        case=charge.case,
        event_code="PLEA",
        text=f"Count {charge.count_number}: plea of {charge.get_plea_display().lower()}.",
        recorded_by=actor,
        obj=charge,
        entry_date=plea_date,
    )
    audit_record(
        action="case.charge_plea",
        actor=actor,
        obj=charge,
        case=charge.case,
        details={"from": before, "to": plea},
    )
    return charge


@transaction.atomic
def charge_dispose(
    *, charge: Charge, disposition: str, disposition_date: dt.date, actor: User
) -> Charge:
    charge = Charge.objects.select_for_update().select_related("case__court").get(pk=charge.pk)
    if not disposition or disposition not in ChargeDisposition.values:
        raise DomainError(
            "UNKNOWN_DISPOSITION", f"{disposition} is not a disposition.", field="disposition"
        )
    if charge.disposition:
        raise DomainError(
            "CHARGE_ALREADY_DISPOSED",
            f"Count {charge.count_number} is already disposed; record a correction instead.",
            status=409,
        )
    if disposition_date > court_local_date(charge.case.court):
        raise DomainError(
            "DATE_IN_FUTURE",
            "The disposition date cannot be in the future.",
            field="disposition_date",
        )
    charge.disposition, charge.disposition_date = disposition, disposition_date
    charge.save(update_fields=["disposition", "disposition_date"])
    docket_entry_record(
        case=charge.case,
        event_code="CDSP",
        text=f"Count {charge.count_number} disposed: {charge.get_disposition_display().lower()}.",
        recorded_by=actor,
        obj=charge,
        entry_date=disposition_date,
    )
    audit_record(
        action="case.charge_dispose",
        actor=actor,
        obj=charge,
        case=charge.case,
        details={"disposition": disposition},
    )
    return charge


@transaction.atomic
def case_confidentiality_set(*, case: Case, confidentiality: str, reason: str, actor: User) -> Case:
    """Seal, unseal or mark confidential (by order). Raises DomainError REASON_REQUIRED,
    CONFIDENTIALITY_UNCHANGED, JUVENILE_CANNOT_BE_PUBLIC."""
    case = Case.objects.select_for_update().select_related("court").get(pk=case.pk)
    if confidentiality not in Confidentiality.values:
        raise DomainError(
            "UNKNOWN_CONFIDENTIALITY",
            "Choose public, confidential or sealed.",
            field="confidentiality",
        )
    if case.confidentiality == confidentiality:
        raise DomainError(
            "CONFIDENTIALITY_UNCHANGED",
            "The case already has that setting.",
            field="confidentiality",
        )
    if case.is_juvenile and confidentiality == Confidentiality.PUBLIC:
        raise DomainError(
            "JUVENILE_CANNOT_BE_PUBLIC",
            "Juvenile records are confidential by law; they cannot be public.",
            field="confidentiality",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "Cite the order or reason.", field="reason")
    before = case.confidentiality
    case.confidentiality = confidentiality
    case.save(update_fields=["confidentiality"])
    code = {"sealed": "SEAL"}.get(confidentiality, "UNSL" if before == "sealed" else "CONF")
    docket_entry_record(
        case=case,
        event_code=code,
        text=f"Case made {confidentiality}: {reason}",
        recorded_by=actor,
        obj=case,
    )
    audit_record(
        action="case.confidentiality",
        actor=actor,
        obj=case,
        case=case,
        details={"from": before, "to": confidentiality, "reason": reason},
    )
    return case
