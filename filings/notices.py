"""Notices and orders the court issues: templates, issue, render (PDF), delivery, batches.

The flow (DESIGN.md "How data flows", step 4):

1. `notice_issue` records the notice, its recipients (each active party, in their
   preferred language when the court has the template in it, else English) and
   the context, with an audit record, and on commit enqueues
   `filings.tasks.notice_render`.
2. `notice_render` (in the worker) locks the notice and, unless that was done
   already, renders one PDF, stores it as a Document, records the docket entry
   and, on commit, enqueues `filings.tasks.notice_deliver` per recipient with an
   e-mail address. A task delivered twice finds the notice rendered and stops.
3. `notice_recipient_deliver` locks the recipient and, unless that was done
   already, e-mails them their own copy; transient SMTP errors are retried by the
   task with a bound and backoff, permanent ones mark the delivery failed.

One PDF per notice, with one copy per recipient, each in the recipient's own
language. The court's record of what it sent is that one document (one Document,
one docket entry, whatever the mix of languages), and each copy is what one person
was sent: their name and address in the address block, the wording in their
language, its own page numbers. Each e-mail carries only that recipient's copy
(its pages cut from the PDF), because a copy shows the recipient's mailing
address and a party must not receive another's (a victim's, say). For the same
reason the stored Document is confidential (sealed on a sealed case): party
addresses are never shown to the public (cases.policies.CONTACT_FIELDS).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Max
from django.template import Context
from django.template.loader import render_to_string
from django.utils import dateformat, formats, timezone, translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError, error_parts
from casemgmt.core.mail import smtp_error_is_transient
from casemgmt.core.models import Court, User
from cases.models import (
    PROSECUTION_CATEGORIES,
    Case,
    CaseParty,
    Confidentiality,
    EventCode,
    PartyRole,
    Person,
    court_local_date,
)
from cases.services import docket_entry_record

from .models import Document, DocumentKind
from .models.notices import (
    KIND_FIELDS,
    NOTICE_FALLBACK_LANGUAGE,
    DeliveryStatus,
    Notice,
    NoticeBatch,
    NoticeBatchStatus,
    NoticeField,
    NoticeKind,
    NoticeRecipient,
    NoticeStatus,
    NoticeTemplate,
    notice_template_engine,
)
from .pdf import PdfRenderError, html_to_pdf, pdf_pages
from .services import document_store
from .storage import files_removed_on_failure

logger = logging.getLogger(__name__)

# The register-of-actions event each kind records: orders are entered (ORDR),
# everything else is a notice issued (NOTC).
EVENT_CODES = {NoticeKind.ORDER: "ORDR"}
DEFAULT_EVENT_CODE = "NOTC"

MAX_TEXT_LENGTH = 10_000
MAX_BATCH_CASES = 5_000
# The first refusals of a batch are listed; the count of failures is always exact.
MAX_BATCH_ERRORS_KEPT = 500

# Words of the PDF layout and the e-mail around the template's own wording. A
# language without an entry here uses English for them.
LAYOUT_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "case_no": "Case No.",
        "to": "To",
        "date": "Date",
        "page": "Page",
        "of": "of",
        "copy_for": "Copy for",
        "notice": "Notice",
        "email_attached": "The notice is attached as a PDF document.",
        "email_unattended": (
            "This mailbox is not monitored. For questions, call the clerk's office at {phone}."
        ),
    },
    "es": {
        "case_no": "Caso n.º",
        "to": "Para",
        "date": "Fecha",
        "page": "Página",
        "of": "de",
        "copy_for": "Copia para",
        "notice": "Aviso",
        "email_attached": "El aviso se adjunta como documento PDF.",
        "email_unattended": (
            "Este buzón no es atendido. Si tiene preguntas, llame a la secretaría del "
            "tribunal al {phone}."
        ),
    },
}

ROLE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "plaintiff": "Plaintiff",
        "defendant": "Defendant",
        "petitioner": "Petitioner",
        "respondent": "Respondent",
        "prosecution": "Prosecution",
        "victim": "Victim",
        "witness": "Witness",
        "guardian": "Guardian",
        "guardian_ad_litem": "Guardian ad litem",
        "child": "Child",
        "interested_party": "Interested party",
    },
    "es": {
        "plaintiff": "Demandante",
        "defendant": "Demandado(a)",
        "petitioner": "Peticionario(a)",
        "respondent": "Demandado(a)",
        "prosecution": "Fiscalía",
        "victim": "Víctima",
        "witness": "Testigo",
        "guardian": "Tutor(a)",
        "guardian_ad_litem": "Tutor(a) ad litem",
        "child": "Menor",
        "interested_party": "Parte interesada",
    },
}
# In criminal and traffic cases the defendant is the accused.
ROLE_WORDS_PROSECUTION = {"es": {"defendant": "Acusado(a)"}}


def layout_words(language: str) -> dict[str, str]:
    return LAYOUT_WORDS.get(language, LAYOUT_WORDS[NOTICE_FALLBACK_LANGUAGE])


def role_word(role: str, language: str, *, prosecution: bool) -> str:
    if prosecution and role in ROLE_WORDS_PROSECUTION.get(language, {}):
        return ROLE_WORDS_PROSECUTION[language][role]
    words = ROLE_WORDS.get(language, ROLE_WORDS[NOTICE_FALLBACK_LANGUAGE])
    return words.get(role, role.replace("_", " ").capitalize())


def normalize_language(code: str | None) -> str:
    """'es-US' -> 'es'; empty -> the fallback language."""
    code = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return code or NOTICE_FALLBACK_LANGUAGE


# --- values in the recipient's language ---------------------------------------------


def format_date(value: dt.date, language: str, *, weekday: bool = False) -> str:
    """ "Monday, March 2, 2026" / "lunes, 2 de marzo de 2026"."""
    with translation.override(language):
        if language == "en":
            return dateformat.format(value, "l, F j, Y" if weekday else "F j, Y")
        if language == "es":
            fmt = r"l, j \d\e F \d\e Y" if weekday else r"j \d\e F \d\e Y"
            return dateformat.format(value, fmt)
        return formats.date_format(value, "DATE_FORMAT")


def format_time(value: dt.time, language: str) -> str:
    """ "9:30 a.m." / "9:30 a. m."."""
    hour = value.hour % 12 or 12
    if language == "es":
        suffix = "a. m." if value.hour < 12 else "p. m."
    elif language == "en":
        suffix = "a.m." if value.hour < 12 else "p.m."
    else:
        with translation.override(language):
            return formats.time_format(value, "TIME_FORMAT")
    return f"{hour}:{value.minute:02d} {suffix}"


def format_money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _clean_value(field: NoticeField, value: Any) -> Any:
    """The JSON form of a context value given to notice_issue; ValueError when invalid."""
    if field.type == "date":
        if isinstance(value, dt.datetime):
            raise ValueError("a date, not a date and time")
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()
    if field.type == "time":
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        return dt.time.fromisoformat(str(value)).strftime("%H:%M")
    if field.type == "money":
        if isinstance(value, float):
            raise ValueError("an amount as a decimal or a string, never a float")
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
        if amount < 0:
            raise ValueError("a negative amount")
        return str(amount)
    if field.type == "int":
        if isinstance(value, bool) or int(value) != value or int(value) < 0:
            raise ValueError("a whole number")
        return int(value)
    # text: a string, or {"en": ..., "es": ...} for wording given per language.
    texts = value if isinstance(value, dict) else {NOTICE_FALLBACK_LANGUAGE: value}
    cleaned = {}
    for language, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError("empty text")
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"more than {MAX_TEXT_LENGTH} characters")
        cleaned[normalize_language(language)] = text.strip()
    if NOTICE_FALLBACK_LANGUAGE not in cleaned:
        raise ValueError(f"no {NOTICE_FALLBACK_LANGUAGE!r} text")
    return cleaned if isinstance(value, dict) else cleaned[NOTICE_FALLBACK_LANGUAGE]


def notice_context_clean(*, kind: str, context: dict[str, Any] | None) -> dict[str, Any]:
    """Check the caller's context against the kind's fields; return its JSON form.

    Raises:
        DomainError: NOTICE_CONTEXT_UNKNOWN, NOTICE_CONTEXT_MISSING, NOTICE_CONTEXT_INVALID.
    """
    context = dict(context or {})
    fields = {f.name: f for f in KIND_FIELDS[kind]}
    unknown = sorted(set(context) - set(fields))
    if unknown:
        raise DomainError(
            "NOTICE_CONTEXT_UNKNOWN",
            f"A {NoticeKind(kind).label.lower()} does not use: {', '.join(unknown)}.",
            field=unknown[0],
        )
    cleaned: dict[str, Any] = {}
    for name, field in fields.items():
        value = context.get(name)
        if value is None or value == "":
            if field.required:
                raise DomainError(
                    "NOTICE_CONTEXT_MISSING", f"Give the {name.replace('_', ' ')}.", field=name
                )
            continue
        try:
            cleaned[name] = _clean_value(field, value)
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise DomainError(
                "NOTICE_CONTEXT_INVALID",
                f"The {name.replace('_', ' ')} is not valid ({exc}).",
                field=name,
            ) from exc
    return cleaned


def _display_value(field: NoticeField, value: Any, language: str) -> str:
    if value is None or value == "":
        return ""
    if field.type == "date":
        return format_date(dt.date.fromisoformat(value), language, weekday=field.weekday)
    if field.type == "time":
        return format_time(dt.time.fromisoformat(value), language)
    if field.type == "money":
        return format_money(Decimal(value))
    if field.type == "int":
        return str(value)
    if isinstance(value, dict):
        return value.get(language) or value[NOTICE_FALLBACK_LANGUAGE]
    return value


def mailing_address(person: Person) -> str:
    city_line = " ".join(
        p for p in [f"{person.city}," if person.city else "", person.state, person.postal_code] if p
    )
    lines = [person.address_line1, person.address_line2, city_line.strip(" ,")]
    return "\n".join(line for line in lines if line)


# --- templates ----------------------------------------------------------------------------


def notice_template_active(*, court: Court, kind: str, language: str) -> NoticeTemplate | None:
    return NoticeTemplate.objects.filter(
        court=court, kind=kind, language=language, is_active=True
    ).first()


@transaction.atomic
def notice_template_revise(
    *,
    court: Court,
    kind: str,
    language: str,
    subject: str,
    body: str,
    revised_by: User | None,
) -> NoticeTemplate:
    """Save new wording for a kind of notice as the next version, and make it the active one.

    Earlier versions stay as they are (notices that used them keep pointing at them).

    Raises:
        ValidationError: the subject or body names something a notice of this kind
            does not have, uses a tag that is not allowed, or is not valid syntax.
    """
    language = normalize_language(language)
    # Serialise revisions of the same template: lock the court row (cheap, rare).
    Court.objects.select_for_update().filter(pk=court.pk).first()
    latest = NoticeTemplate.objects.filter(court=court, kind=kind, language=language).aggregate(
        v=Max("version")
    )["v"]
    template = NoticeTemplate(
        court=court,
        kind=kind,
        language=language,
        version=(latest or 0) + 1,
        subject=subject.strip(),
        body=body.strip(),
        is_active=True,
        created_by=revised_by,
    )
    NoticeTemplate.objects.filter(court=court, kind=kind, language=language, is_active=True).update(
        is_active=False
    )
    template.full_clean(exclude=["created_by"])
    template.save()
    audit_record(
        action="notice_template.revise",
        actor=revised_by,
        actor_username="" if revised_by else "system",
        obj=template,
        court=court,
        details={"kind": kind, "language": language, "version": template.version},
    )
    return template


def notice_templates_install_defaults(*, court: Court) -> int:
    """Give `court` the default wording (English and Spanish) of every kind it lacks.

    Like the default event codes, this is configuration, not an act on a case: no
    audit record. Returns how many templates were added.
    """
    from .notice_defaults import DEFAULT_TEMPLATES

    have = set(
        NoticeTemplate.objects.filter(court=court).values_list("kind", "language").distinct()
    )
    missing = []
    for (kind, language), (subject, body) in DEFAULT_TEMPLATES.items():
        if (kind, language) in have:
            continue
        template = NoticeTemplate(
            court=court, kind=kind, language=language, version=1, subject=subject, body=body
        )
        template.full_clean(exclude=["created_by"], validate_constraints=False)
        missing.append(template)
    NoticeTemplate.objects.bulk_create(missing)
    return len(missing)


def _court_default_notice_templates(sender, instance: Court, created: bool, raw=False, **kwargs):
    if created and not raw:
        notice_templates_install_defaults(court=instance)


def connect_notice_signals() -> None:
    """Call from FilingsConfig.ready(): every new court gets the default notice wording."""
    from django.db.models.signals import post_save

    post_save.connect(
        _court_default_notice_templates,
        sender=Court,
        dispatch_uid="filings.court_default_notice_templates",
    )


DEMO_COURT_CODES = ("sarasota", "denver")


def seed_notice_templates(*, log: Callable[[str], None]) -> None:
    for court in Court.objects.filter(code__in=DEMO_COURT_CODES).order_by("code"):
        added = notice_templates_install_defaults(court=court)
        if added:
            log(f"notice templates {court.code}: {added}")


def register_notice_seeders() -> None:
    """Call from FilingsConfig.ready(): the demo courts get the default notice wording."""
    from casemgmt.core.demo import register_seeder

    register_seeder("filings.notice_templates", seed_notice_templates, order=30)


def register_notice_nav() -> None:
    """Call from FilingsConfig.ready() once filings.notice_urls is included as "notices"."""
    from casemgmt.core.shell import NavItem, register_nav
    from cases.policies import RECORD_KEEPERS

    register_nav(NavItem("Issue notices", "notices:batch_new", RECORD_KEEPERS, order=60))


# --- issue --------------------------------------------------------------------------------


def _recipient_parties(case: Case, recipients: Iterable[CaseParty] | None) -> list[CaseParty]:
    # Copies in the order of the roles (PartyRole: the parties, then the State,
    # victims, witnesses...), then as the parties were entered.
    rank = {role: i for i, role in enumerate(PartyRole.values)}
    parties = CaseParty.objects.filter(case=case, removed_on__isnull=True).select_related("person")
    active = {
        p.pk: p
        for p in sorted(parties, key=lambda p: (rank.get(p.role, len(rank)), p.position, p.pk))
    }
    if recipients is None:
        chosen = list(active.values())
    else:
        chosen = []
        for party in recipients:
            if party.pk not in active:
                raise DomainError(
                    "NOTICE_RECIPIENT_NOT_PARTY",
                    f"{party} is not an active party of this case.",
                    field="recipients",
                )
            chosen.append(active[party.pk])
    # One copy per person, even if they hold two roles in the case.
    seen, unique = set(), []
    for party in chosen:
        if party.person_id not in seen:
            seen.add(party.person_id)
            unique.append(party)
    return unique


@transaction.atomic
def notice_issue(
    *,
    case: Case,
    kind: str,
    context: dict[str, Any] | None,
    issued_by: User,
    recipients: Iterable[CaseParty] | None = None,
    batch: NoticeBatch | None = None,
) -> Notice:
    """Record a notice to send on a case; the worker renders and delivers it after commit.

    Args:
        case: the case.
        kind: a NoticeKind.
        context: the kind's fields (KIND_FIELDS); dates, times and amounts as
            objects or ISO strings; text may be {"en": ..., "es": ...}.
        issued_by: the user issuing it (recorded on the docket entry).
        recipients: parties of the case; default every active party.
        batch: the batch issuing it, if one is.

    Returns:
        The pending notice with its recipients; `filings.tasks.notice_render` is
        enqueued when the transaction commits.

    Raises:
        DomainError: NOTICE_KIND_UNKNOWN, NOTICE_CONTEXT_UNKNOWN, NOTICE_CONTEXT_MISSING,
            NOTICE_CONTEXT_INVALID, NOTICE_RECIPIENT_NOT_PARTY, NOTICE_NO_RECIPIENTS,
            NOTICE_TEMPLATE_MISSING, NOTICE_EVENT_CODE_MISSING.
    """
    if kind not in NoticeKind.values:
        raise DomainError("NOTICE_KIND_UNKNOWN", f"{kind} is not a kind of notice.", field="kind")
    cleaned = notice_context_clean(kind=kind, context=context)
    parties = _recipient_parties(case, recipients)
    if not parties:
        raise DomainError(
            "NOTICE_NO_RECIPIENTS", "The notice has nobody to go to.", field="recipients"
        )
    templates = {
        t.language: t
        for t in NoticeTemplate.objects.filter(court_id=case.court_id, kind=kind, is_active=True)
    }
    fallback = templates.get(NOTICE_FALLBACK_LANGUAGE)
    if fallback is None:
        raise DomainError(
            "NOTICE_TEMPLATE_MISSING",
            f"The court has no {NoticeKind(kind).label.lower()} template "
            f"in {NOTICE_FALLBACK_LANGUAGE!r}.",
            field="kind",
        )
    event_code = EVENT_CODES.get(kind, DEFAULT_EVENT_CODE)
    if not EventCode.objects.filter(
        court_id=case.court_id, code=event_code, is_active=True
    ).exists():
        raise DomainError(
            "NOTICE_EVENT_CODE_MISSING",
            f"The court has no active {event_code} event code to docket the notice with.",
            field="kind",
        )
    notice = Notice.objects.create(
        case=case,
        kind=kind,
        template=fallback,
        context=cleaned,
        issued_by=issued_by,
        issued_at=timezone.now(),
        batch=batch,
    )
    rows = []
    for position, party in enumerate(parties, start=1):
        person = party.person
        language = normalize_language(person.preferred_language)
        template = templates.get(language, fallback)
        rows.append(
            NoticeRecipient(
                notice=notice,
                position=position,
                party=party,
                person=person,
                name=person.display_name[:300],
                role=party.role,
                mailing_address=mailing_address(person),
                email=person.email,
                language=template.language,
                template=template,
                delivery_status=(
                    DeliveryStatus.PENDING if person.email else DeliveryStatus.NO_ADDRESS
                ),
            )
        )
    NoticeRecipient.objects.bulk_create(rows)
    audit_record(
        action="notice.issue",
        actor=issued_by,
        obj=notice,
        case=case,
        details={
            "kind": kind,
            "recipients": len(rows),
            "languages": sorted({r.language for r in rows}),
            "template_versions": sorted({r.template.version for r in rows}),
            "batch": batch.pk if batch else None,
        },
    )
    from . import tasks

    transaction.on_commit(partial(tasks.notice_render.delay, notice.pk))
    return notice


# --- render --------------------------------------------------------------------------------


def _copy_context(notice: Notice, recipient: NoticeRecipient, issued_on: dt.date) -> dict:
    case, court, language = notice.case, notice.case.court, recipient.language
    values = {
        "case_number": case.number,
        "caption": case.caption,
        "court_name": court.name,
        "court_address": court.address,
        "court_phone": court.phone,
        "recipient_name": recipient.name,
        "recipient_role": role_word(
            recipient.role,
            language,
            prosecution=case.case_type.category in PROSECUTION_CATEGORIES,
        ),
        "date": format_date(issued_on, language),
    }
    for field in KIND_FIELDS[notice.kind]:
        values[field.name] = _display_value(field, notice.context.get(field.name), language)
    return values


def _render_text(source: str, values: dict, cache: dict) -> str:
    compiled = cache.get(source)
    if compiled is None:
        compiled = cache[source] = notice_template_engine.from_string(source)
    return compiled.render(Context(values, autoescape=False))


def notice_copy_text(
    notice: Notice, recipient: NoticeRecipient, *, cache: dict | None = None
) -> tuple[str, str, dict]:
    """(subject, plain text, values) of one recipient's copy, in their language."""
    cache = {} if cache is None else cache
    issued_on = court_local_date(notice.case.court, notice.issued_at)
    values = _copy_context(notice, recipient, issued_on)
    template = recipient.template
    subject = " ".join(_render_text(template.subject, values, cache).split())
    text = _render_text(template.body, values, cache).strip()
    return subject, text, values


def notice_copy_render(
    notice: Notice, recipient: NoticeRecipient, *, cache: dict | None = None
) -> tuple[str, str, str]:
    """(subject, plain text, HTML page) of one recipient's copy, in their language."""
    subject, text, values = notice_copy_text(notice, recipient, cache=cache)
    words = layout_words(recipient.language)
    html = render_to_string(
        "filings/notices/base.html",
        {
            "lang": recipient.language,
            "words": words,
            "court": notice.case.court,
            "case": notice.case,
            "title": subject,
            # Every character of the text is escaped here; only <p> and <br> are added.
            "body": mark_safe(linebreaks(text, autoescape=True)),  # noqa: S308
            "recipient": recipient,
            "recipient_role": values["recipient_role"],
            "date": values["date"],
            "notice": notice,
        },
    )
    return subject, text, html


def _record_title(notice: Notice, recipient: NoticeRecipient) -> str:
    """The title of the court's record (Document, PDF metadata): in the fallback language."""
    record_copy = copy.copy(recipient)
    record_copy.language, record_copy.template = NOTICE_FALLBACK_LANGUAGE, notice.template
    return notice_copy_text(notice, record_copy)[0]


def _document_confidentiality(case: Case) -> str:
    return Confidentiality.SEALED if case.is_sealed else Confidentiality.CONFIDENTIAL


def store_issued_pdf(
    *,
    case: Case,
    pdf_bytes: bytes,
    title: str,
    issued_by: User,
    confidentiality: str | None = None,
) -> Document:
    """Store a PDF the court issued on `case` as a Document of kind "issued"; return it.

    Goes through `filings.services.document_store` (verified like any document,
    audited); inside `files_removed_on_failure()` the file is deleted if the
    caller's transaction rolls back. Confidential by default (sealed on a sealed
    case): a copy shows its recipient's mailing address.
    """
    safe_number = "".join(c if c.isalnum() or c in "-_" else "-" for c in case.number)
    return document_store(
        case=case,
        upload=ContentFile(pdf_bytes, name=f"{safe_number}-issued.pdf"),
        uploaded_by=issued_by,
        title=title,
        kind=DocumentKind.ISSUED,
        confidentiality=confidentiality or _document_confidentiality(case),
    )


def notice_render(*, notice_id: int) -> Notice:
    """Render a notice to one PDF, store it, docket it, and queue the e-mails: exactly once.

    The notice row is locked for the whole act, so a second delivery of the task
    waits, then finds the notice rendered and returns it unchanged. A rendering
    that cannot succeed (the PDF engine or the template refuses, or the event code
    was withdrawn since issue) marks the notice failed instead, with the reason.

    Returns:
        The notice (rendered, failed, or as it was when it was not pending).

    Raises:
        Notice.DoesNotExist: no such notice.
        Database and storage errors: transient, the task retries them.
    """
    try:
        # The PDF file is deleted if anything below fails (the rows roll back).
        with files_removed_on_failure(), transaction.atomic():
            notice = (
                Notice.objects.select_for_update(of=("self",))
                .select_related("case__court", "case__case_type", "issued_by")
                .get(pk=notice_id)
            )
            if notice.status != NoticeStatus.PENDING:
                return notice
            recipients = list(notice.recipients.select_related("template").order_by("position"))
            cache: dict = {}
            copies = [notice_copy_render(notice, r, cache=cache) for r in recipients]
            title = f"{_record_title(notice, recipients[0])} — {notice.case.number}"
            rendered = html_to_pdf([html for _s, _t, html in copies], title=title)
            stored = store_issued_pdf(
                case=notice.case,
                pdf_bytes=rendered.content,
                title=title,
                issued_by=notice.issued_by,
            )
            names = "; ".join(
                f"{r.name} ({role_word(r.role, 'en', prosecution=False).lower()})"
                for r in recipients
            )
            entry = docket_entry_record(
                case=notice.case,
                event_code=EVENT_CODES.get(notice.kind, DEFAULT_EVENT_CODE),
                text=f"{notice.get_kind_display()} issued to {names}."[:2000],
                recorded_by=notice.issued_by,
                obj=notice,
            )
            for recipient, (first_page, page_count) in zip(recipients, rendered.parts, strict=True):
                recipient.first_page, recipient.page_count = first_page, page_count
            NoticeRecipient.objects.bulk_update(recipients, ["first_page", "page_count"])
            notice.status = NoticeStatus.RENDERED
            notice.document = stored
            notice.docket_entry = entry
            notice.rendered_at = timezone.now()
            notice.error = ""
            notice.save(
                update_fields=["status", "document", "docket_entry", "rendered_at", "error"]
            )
            audit_record(
                action="notice.render",
                actor_username="system",
                obj=notice,
                case=notice.case,
                details={
                    "document": stored.pk,
                    "pages": rendered.page_count,
                    "docket_seq": entry.seq,
                    "languages": sorted({r.language for r in recipients}),
                },
            )
            from . import tasks

            for recipient in recipients:
                if recipient.delivery_status == DeliveryStatus.PENDING:
                    transaction.on_commit(partial(tasks.notice_deliver.delay, recipient.pk))
            return notice
    except (PdfRenderError, DomainError, ValidationError) as exc:
        return _notice_mark_failed(notice_id=notice_id, error=exc)


@transaction.atomic
def _notice_mark_failed(*, notice_id: int, error: Exception) -> Notice:
    notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
    if notice.status != NoticeStatus.PENDING:
        return notice
    code, message = error_parts(error)
    notice.status = NoticeStatus.FAILED
    notice.error = f"{code}: {message}"[:2000]
    notice.save(update_fields=["status", "error"])
    audit_record(
        action="notice.render_failed",
        actor_username="system",
        obj=notice,
        case=notice.case,
        details={"code": code, "message": message[:500]},
    )
    logger.warning("notice %s not rendered: %s", notice_id, notice.error)
    return notice


# --- delivery ----------------------------------------------------------------------------------


class TransientDeliveryError(Exception):
    """The mail server may accept the message later: the task retries."""


def notice_email_build(recipient: NoticeRecipient, pdf: bytes) -> EmailMessage:
    """The e-mail of one copy: subject and text in the recipient's language, their PDF."""
    notice = recipient.notice
    subject, text, _values = notice_copy_text(notice, recipient)
    court = notice.case.court
    words = layout_words(recipient.language)
    body = "\n\n".join(
        [
            text,
            words["email_attached"],
            "— \n" + "\n".join(p for p in [court.name, court.address, court.phone] if p),
            words["email_unattended"].format(phone=court.phone or court.name),
        ]
    )
    message = EmailMessage(
        subject=f"{subject} — {notice.case.number}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            # The same id on every attempt, so a receiving system can drop a duplicate.
            "Message-ID": f"<notice-{notice.pk}.{recipient.pk}@{DNS_NAME}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": recipient.language,
        },
    )
    safe_number = "".join(c if c.isalnum() or c in "-_" else "-" for c in notice.case.number)
    message.attach(f"{safe_number}-{notice.kind}-{recipient.language}.pdf", pdf, "application/pdf")
    return message


def notice_recipient_deliver(*, recipient_id: int) -> NoticeRecipient:
    """E-mail one recipient their copy of a rendered notice: at most once when it succeeds.

    The recipient row stays locked while the message is handed to the mail server,
    so a duplicate task waits and then finds it sent. (If the server accepts the
    message but the commit fails right after, the retry sends it again, with the
    same Message-ID: mail delivery is at least once.)

    Returns:
        The recipient, sent or failed or as it was when there was nothing to do.

    Raises:
        TransientDeliveryError: the server may accept it later; the attempt is counted.
    """
    transient: Exception | None = None
    with transaction.atomic():
        recipient = NoticeRecipient.objects.select_for_update().get(pk=recipient_id)
        if recipient.delivery_status != DeliveryStatus.PENDING:
            return recipient
        notice = Notice.objects.select_related("case__court", "case__case_type", "document").get(
            pk=recipient.notice_id
        )
        if notice.status != NoticeStatus.RENDERED:
            return recipient
        recipient.notice = notice
        if not recipient.email:
            recipient.delivery_status = DeliveryStatus.NO_ADDRESS
            recipient.save(update_fields=["delivery_status"])
            return recipient
        with notice.document.file.open("rb") as fh:
            content = fh.read()
        pdf = pdf_pages(content, first_page=recipient.first_page, page_count=recipient.page_count)
        message = notice_email_build(recipient, pdf)
        recipient.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:
            if not smtp_error_is_transient(exc):
                recipient.delivery_status = DeliveryStatus.FAILED
            else:
                transient = exc
            recipient.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            recipient.delivery_status = DeliveryStatus.SENT
            recipient.sent_at = timezone.now()
            recipient.error = ""
        recipient.save(update_fields=["delivery_status", "attempts", "sent_at", "error"])
        if transient is None:
            audit_record(
                action="notice.deliver",
                actor_username="system",
                obj=notice,
                case=notice.case,
                details={
                    "recipient": recipient.pk,
                    "status": recipient.delivery_status,
                    "attempts": recipient.attempts,
                    "error": recipient.error[:300],
                },
            )
    if transient is not None:
        raise TransientDeliveryError(str(transient)) from transient
    return recipient


@transaction.atomic
def notice_recipient_delivery_give_up(*, recipient_id: int, error: str) -> NoticeRecipient:
    """Mark a delivery failed after the last retry of a transient error."""
    recipient = NoticeRecipient.objects.select_for_update().get(pk=recipient_id)
    if recipient.delivery_status != DeliveryStatus.PENDING:
        return recipient
    recipient.delivery_status = DeliveryStatus.FAILED
    recipient.error = f"gave up after {recipient.attempts} attempts: {error}"[:2000]
    recipient.save(update_fields=["delivery_status", "error"])
    notice = Notice.objects.select_related("case").get(pk=recipient.notice_id)
    audit_record(
        action="notice.deliver",
        actor_username="system",
        obj=notice,
        case=notice.case,
        details={
            "recipient": recipient.pk,
            "status": recipient.delivery_status,
            "attempts": recipient.attempts,
            "error": recipient.error[:300],
        },
    )
    return recipient


# --- batches --------------------------------------------------------------------------------


@transaction.atomic
def notice_batch_create(
    *,
    court: Court,
    kind: str,
    case_ids: Sequence[int],
    context: dict[str, Any] | None,
    created_by: User,
) -> NoticeBatch:
    """Record a batch of notices (one kind, many cases); the worker issues them after commit.

    The context is checked once here, so a batch with a mistake in it is refused
    before any notice goes out; each case may still be refused on its own (no
    parties, ...), which the batch counts as failed and lists.

    Raises:
        DomainError: NOTICE_KIND_UNKNOWN, NOTICE_BATCH_EMPTY, NOTICE_BATCH_TOO_LARGE,
            NOTICE_BATCH_OTHER_COURT, NOTICE_TEMPLATE_MISSING and the context errors
            of notice_issue.
    """
    if kind not in NoticeKind.values:
        raise DomainError("NOTICE_KIND_UNKNOWN", f"{kind} is not a kind of notice.", field="kind")
    ids = list(dict.fromkeys(int(i) for i in case_ids))
    if not ids:
        raise DomainError("NOTICE_BATCH_EMPTY", "Choose at least one case.", field="cases")
    if len(ids) > MAX_BATCH_CASES:
        raise DomainError(
            "NOTICE_BATCH_TOO_LARGE",
            f"At most {MAX_BATCH_CASES:,} cases in one batch.",
            field="cases",
        )
    found = set(Case.objects.filter(court=court, pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(
            "NOTICE_BATCH_OTHER_COURT",
            f"{len(missing)} of the cases are not cases of {court.name}.",
            field="cases",
        )
    cleaned = notice_context_clean(kind=kind, context=context)
    if not NoticeTemplate.objects.filter(
        court=court, kind=kind, language=NOTICE_FALLBACK_LANGUAGE, is_active=True
    ).exists():
        raise DomainError(
            "NOTICE_TEMPLATE_MISSING",
            f"The court has no {NoticeKind(kind).label.lower()} template.",
            field="kind",
        )
    batch = NoticeBatch.objects.create(
        court=court,
        kind=kind,
        context=cleaned,
        case_ids=ids,
        total=len(ids),
        created_by=created_by,
    )
    audit_record(
        action="notice_batch.create",
        actor=created_by,
        obj=batch,
        court=court,
        details={"kind": kind, "cases": len(ids)},
    )
    from . import tasks

    transaction.on_commit(partial(tasks.notice_batch_issue_task.delay, batch.pk))
    return batch


def notice_batch_issue(*, batch_id: int) -> NoticeBatch:
    """Issue the notices of a batch, one case per transaction, counting progress as it goes.

    Resumable and safe to run twice: each case is issued in the same transaction
    that advances the batch's count (under the batch row's lock), and a batch
    issues at most one notice per case (unique constraint), so a second run
    carries on where the first stopped.

    Returns:
        The batch, finished (or failed, with the error, if something unexpected
        stopped it: the error is re-raised after it is recorded).
    """
    with transaction.atomic():
        batch = NoticeBatch.objects.select_for_update().get(pk=batch_id)
        if batch.is_over:
            return batch
        if batch.status == NoticeBatchStatus.PENDING:
            batch.status = NoticeBatchStatus.RUNNING
            batch.started_at = timezone.now()
            batch.save(update_fields=["status", "started_at"])
    try:
        while _notice_batch_step(batch_id):
            pass
    except Exception as exc:
        with transaction.atomic():
            batch = NoticeBatch.objects.select_for_update().get(pk=batch_id)
            batch.status = NoticeBatchStatus.FAILED
            batch.error = f"{type(exc).__name__}: {exc}"[:2000]
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "error", "finished_at"])
        raise
    return NoticeBatch.objects.get(pk=batch_id)


@transaction.atomic
def _notice_batch_step(batch_id: int) -> bool:
    """Issue the next case of the batch; False when there is none left."""
    batch = NoticeBatch.objects.select_for_update().select_related("created_by").get(pk=batch_id)
    if batch.is_over:
        return False
    index = batch.processed
    if index >= batch.total:
        batch.status = NoticeBatchStatus.FINISHED
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "finished_at"])
        audit_record(
            action="notice_batch.finish",
            actor_username="system",
            obj=batch,
            court=batch.court,
            details={"done": batch.done, "failed": batch.failed},
        )
        return False
    case_id = batch.case_ids[index]
    case = Case.objects.select_related("court").filter(pk=case_id).first()
    try:
        if case is None:
            raise DomainError("CASE_NOT_FOUND", "The case no longer exists.")
        with transaction.atomic():
            notice_issue(
                case=case,
                kind=batch.kind,
                context=batch.context,
                issued_by=batch.created_by,
                batch=batch,
            )
        batch.done += 1
    except DomainError as exc:
        batch.failed += 1
        if len(batch.errors) < MAX_BATCH_ERRORS_KEPT:
            batch.errors = [
                *batch.errors,
                {
                    "case_id": case_id,
                    "case_number": case.number if case else "",
                    "code": exc.code,
                    "message": exc.message,
                },
            ]
    batch.save(update_fields=["done", "failed", "errors"])
    return True


# --- selectors -------------------------------------------------------------------------------


def notice_batch_get_visible(*, user, pk: int) -> NoticeBatch | None:
    """The batch, if `user` is court staff of its court (or a superuser); else None (404)."""
    from cases.querysets import user_court_ids

    if not (user.is_authenticated and user.is_active):
        return None
    batches = NoticeBatch.objects.select_related("court", "created_by")
    if not user.is_superuser:
        if not user.is_court_staff:
            return None
        batches = batches.filter(court_id__in=user_court_ids(user))
    return batches.filter(pk=pk).first()


def notice_batch_errors_visible(*, user, batch: NoticeBatch) -> list[dict]:
    """The batch's refused cases that `user` may see (a sealed case's number stays hidden)."""
    ids = [e["case_id"] for e in batch.errors]
    visible = set(Case.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = sum(1 for e in batch.errors if e["case_id"] not in visible)
    rows = [e for e in batch.errors if e["case_id"] in visible]
    if hidden:
        rows.append({"case_number": "", "code": "", "message": f"{hidden} other case(s)."})
    return rows


def notice_recipients_for_case(*, case: Case) -> list[NoticeRecipient]:
    """The notices of a case with each recipient's delivery status, newest first."""
    return list(
        NoticeRecipient.objects.filter(notice__case=case)
        .select_related("notice")
        .order_by("-notice__issued_at", "-notice_id", "position")
    )


__all__ = [
    "TransientDeliveryError",
    "connect_notice_signals",
    "notice_batch_create",
    "notice_batch_get_visible",
    "notice_batch_issue",
    "notice_copy_render",
    "notice_copy_text",
    "notice_issue",
    "notice_recipient_deliver",
    "notice_recipient_delivery_give_up",
    "notice_render",
    "notice_template_revise",
    "notice_templates_install_defaults",
    "register_notice_nav",
    "register_notice_seeders",
    "store_issued_pdf",
]
