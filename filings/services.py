"""Every write about documents and filings: atomic, audited, and no file outlives a rollback.

Filing at the counter and e-filing review (filing_*), storing documents (document_*),
and the court's configuration defaults. Notices live in ``filings.notices``.

Settings:
    FILINGS_MAX_UPLOAD_BYTES: the largest document accepted, in bytes (default 25 MB).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import sys
import unicodedata
from collections.abc import Callable
from functools import partial, wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent, Court, User
from casemgmt.core.roles import Role
from cases.models import Appearance, Case, Confidentiality, EventCode
from cases.services import appearance_enter, docket_entry_record, docket_entry_restrict

from .models import (
    Document,
    DocumentKind,
    Filing,
    FilingChannel,
    FilingStatus,
    FilingType,
    RejectionReason,
)
from .policies import (
    can_file_appearance,
    can_file_at_counter,
    can_file_type,
    can_review,
    can_set_document_confidentiality,
    can_submit,
    confidentiality_choices_for,
    confidentiality_max,
    document_confidentiality_choices,
    is_appearance_type,
)
from .selectors import document_list_visible
from .stamp import PdfFacts, PdfRefused, pdf_inspect, pdf_stamp
from .storage import (
    DOCUMENTS_PREFIX,
    document_file_name,
    document_file_write,
    document_storage,
    files_removed_on_failure,
)

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES_DEFAULT = 25 * 1024 * 1024
FILENAME_MAX = 255

F = TypeVar("F", bound=Callable[..., Any])


def max_upload_bytes() -> int:
    """`settings.FILINGS_MAX_UPLOAD_BYTES`, default 25 MB: the largest document accepted."""
    return int(getattr(settings, "FILINGS_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES_DEFAULT))


def _atomic_with_files(func: F) -> F:
    """`transaction.atomic`, and the files written inside are deleted if it rolls back."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with files_removed_on_failure(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _require_visible(user, case: Case) -> None:
    """A case the user may not see is answered like a missing one."""
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        raise Http404("No such case.")


def _clean_filename(name: str | None) -> str:
    """The uploader's file name, for display only: no path, no control characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base:
        base = "document.pdf"
    if len(base) > FILENAME_MAX:
        stem, ext = os.path.splitext(base)
        base = stem[: FILENAME_MAX - len(ext)] + ext
    return base


# --- documents ------------------------------------------------------------------------------


def _inspect(upload: File, *, max_bytes: int) -> PdfFacts:
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes:
        # Refused before a byte is read.
        raise DomainError(
            "DOCUMENT_TOO_LARGE",
            f"The file is larger than the limit of {max_bytes / (1024 * 1024):g} MB.",
            field="file",
        )
    try:
        return pdf_inspect(upload, max_bytes=max_bytes)
    except PdfRefused as refusal:
        raise DomainError(refusal.code, refusal.message, field="file") from refusal


def _document_create(
    *,
    case: Case,
    content: File,
    facts: PdfFacts,
    kind: str,
    title: str,
    confidentiality: str,
    uploaded_by: User,
    original_filename: str,
    original: Document | None = None,
) -> Document:
    """Write the (already verified) bytes, then the row. Inside a files guard only."""
    name = document_file_write(name=document_file_name(court_code=case.court.code), content=content)
    document = Document(
        case=case,
        kind=kind,
        title=title,
        file=name,
        original_filename=_clean_filename(original_filename),
        mime_type=facts.mime_type,
        size_bytes=facts.size_bytes,
        sha256=facts.sha256,
        page_count=facts.page_count,
        confidentiality=confidentiality,
        original=original,
        uploaded_by=uploaded_by,
    )
    document.full_clean()
    document.save()
    return document


@_atomic_with_files
def document_store(
    *,
    case: Case,
    upload: File,
    uploaded_by: User,
    title: str,
    kind: str = DocumentKind.FILED,
    confidentiality: str | None = None,
) -> Document:
    """Store a PDF as a document of `case`, after checking what it really is.

    The content decides, not the name or the declared type: it must be a PDF that
    pypdf can parse, not encrypted, not empty, within ``FILINGS_MAX_UPLOAD_BYTES``.
    The bytes are written only once they pass, and if this act (or the act it is
    part of) fails, the file is deleted with the rolled-back row. Who may store is
    the caller's decision (filing_*, notices).

    Args:
        upload: an uploaded file, or any django File (e.g. ContentFile with a name).
        kind: filed (received), issued (by the court) or packet (a compiled copy);
            stamped copies come only from acceptance.
        confidentiality: default the case's.

    Raises:
        DomainError (field "file"): DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE, DOCUMENT_NOT_PDF,
            DOCUMENT_ENCRYPTED, DOCUMENT_CORRUPT; DOCUMENT_TITLE_REQUIRED (field "title"),
            UNKNOWN_CONFIDENTIALITY, DOCUMENT_KIND_NOT_ALLOWED.
    """
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("DOCUMENT_TITLE_REQUIRED", "Give the document a title.", field="title")
    if kind not in (DocumentKind.FILED, DocumentKind.ISSUED, DocumentKind.PACKET):
        raise DomainError(
            "DOCUMENT_KIND_NOT_ALLOWED",
            "Only filed, issued or packet documents are stored directly.",
            field="kind",
        )
    confidentiality = confidentiality or case.confidentiality
    if confidentiality not in Confidentiality.values:
        raise DomainError(
            "UNKNOWN_CONFIDENTIALITY",
            "Choose public, confidential or sealed.",
            field="confidentiality",
        )
    facts = _inspect(upload, max_bytes=max_upload_bytes())
    document = _document_create(
        case=case,
        content=upload,
        facts=facts,
        kind=kind,
        title=title[:300],
        confidentiality=confidentiality,
        uploaded_by=uploaded_by,
        original_filename=getattr(upload, "name", "") or "",
    )
    audit_record(
        action="document.store",
        actor=uploaded_by,
        obj=document,
        case=case,
        details={
            "kind": kind,
            "sha256": facts.sha256,
            "size_bytes": facts.size_bytes,
            "page_count": facts.page_count,
            "confidentiality": confidentiality,
        },
    )
    return document


def document_download_audit(*, document: Document, user, surface: str) -> None:
    """Record a download of a non-public document, or of any document of a
    confidential, sealed or juvenile case."""
    case = document.case
    if (
        document.confidentiality != Confidentiality.PUBLIC
        or case.confidentiality != Confidentiality.PUBLIC
        or case.is_juvenile
    ):
        audit_record(
            action="document.download",
            actor=user if getattr(user, "is_authenticated", False) else None,
            obj=document,
            case=case,
            details={
                "surface": surface,
                "document_confidentiality": document.confidentiality,
                "case_confidentiality": case.confidentiality,
                "juvenile": case.is_juvenile,
                "sha256": document.sha256,
            },
        )


def filing_read_audit(*, filing: Filing, user, surface: str) -> None:
    """Record a read of a filing whose document is sealed (its case's reads are audited
    by ``case_read_audit`` already). Every surface showing a filing calls this."""
    if filing.document.confidentiality == Confidentiality.SEALED and not filing.case.is_sealed:
        audit_record(
            action="document.read",
            actor=user if getattr(user, "is_authenticated", False) else None,
            obj=filing.document,
            case=filing.case,
            details={"surface": surface, "filing": filing.pk, "document_confidentiality": "sealed"},
        )


@transaction.atomic
def document_confidentiality_set(
    *, document: Document, confidentiality: str, reason: str, actor: User
) -> Document:
    """Seal, unseal or mark confidential an existing document, by order of the court.

    The document goes with its family: the filing as received and its stamped copy
    share one setting (else the filing page would still show what was sealed). A
    docket entry (SEAL, or CONF) and an audit record are written. The register is
    append-only, so the filing's own earlier entry keeps its confidentiality.

    Raises:
        Http404: the document or its case is not visible to `actor`.
        DomainError: NOT_A_SEALER (403), UNKNOWN_CONFIDENTIALITY, CONFIDENTIALITY_BELOW_CASE,
            REASON_REQUIRED, CONFIDENTIALITY_UNCHANGED.
    """
    if not document_list_visible(actor).filter(pk=document.pk).exists():
        raise Http404("No such document.")
    locked = (
        Document.objects.select_for_update(of=("self",))
        .select_related("case__court")
        .get(pk=document.pk)
    )
    case = locked.case
    if not can_set_document_confidentiality(actor, case):
        raise DomainError(
            "NOT_A_SEALER",
            "Only a judge or supervisor of the court seals or unseals a document.",
            status=403,
        )
    if confidentiality not in Confidentiality.values:
        raise DomainError(
            "UNKNOWN_CONFIDENTIALITY",
            "Choose public, confidential or sealed.",
            field="confidentiality",
        )
    if confidentiality not in document_confidentiality_choices(case):
        raise DomainError(
            "CONFIDENTIALITY_BELOW_CASE",
            f"A document cannot be less restricted than its case ({case.confidentiality}).",
            field="confidentiality",
        )
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("REASON_REQUIRED", "Cite the order or reason.", field="reason")
    if locked.confidentiality == confidentiality:
        raise DomainError(
            "CONFIDENTIALITY_UNCHANGED",
            "The document already has that setting.",
            field="confidentiality",
        )
    before = locked.confidentiality
    root_id = locked.original_id or locked.pk
    family = list(
        Document.objects.select_for_update(of=("self",))
        .filter(Q(pk=root_id) | Q(original_id=root_id))
        .order_by("pk")
    )
    Document.objects.filter(pk__in=[d.pk for d in family]).update(confidentiality=confidentiality)
    filing = (
        Filing.objects.filter(document_id=root_id)
        .select_related("docket_entry")
        .only("pk", "doc_number", "docket_entry")
        .first()
    )
    label = f"Doc {filing.doc_number}" if filing and filing.doc_number else f"Document {root_id}"
    if filing is not None and filing.docket_entry is not None:
        # The entry that recorded the filing names the document: it follows it.
        docket_entry_restrict(
            entry=filing.docket_entry, confidentiality=confidentiality, reason=reason, actor=actor
        )
    entry = docket_entry_record(
        case=case,
        event_code="SEAL" if confidentiality == Confidentiality.SEALED else "CONF",
        text=f"{label} made {confidentiality}: {reason}",
        recorded_by=actor,
        obj=locked,
    )
    audit_record(
        action="document.confidentiality",
        actor=actor,
        obj=locked,
        case=case,
        details={
            "from": before,
            "to": confidentiality,
            "reason": reason,
            "documents": [d.pk for d in family],
            "docket_seq": entry.seq,
        },
    )
    locked.refresh_from_db()
    return locked


def document_orphans_sweep(
    *, older_than: dt.timedelta = dt.timedelta(hours=24), dry_run: bool = False
) -> list[str]:
    """Delete stored document files that no document row names (left by a crash or by a
    caller's rolled-back transaction). Only files older than `older_than` are touched,
    so an act still in flight keeps its file. Returns the names found.
    """
    storage = document_storage()
    cutoff = timezone.now() - older_than
    found: list[str] = []

    def walk(path: str) -> None:
        try:
            dirs, files = storage.listdir(path)
        except FileNotFoundError:
            return
        names = [f"{path}/{f}" for f in files]
        known = set(Document.objects.filter(file__in=names).values_list("file", flat=True))
        for name in names:
            if name not in known and storage.get_modified_time(name) < cutoff:
                found.append(name)
                if not dry_run:
                    storage.delete(name)
        for d in dirs:
            walk(f"{path}/{d}")

    walk(DOCUMENTS_PREFIX)
    if found and not dry_run:
        logger.warning("deleted %d orphaned document files", len(found))
    return found


# --- filings --------------------------------------------------------------------------------


def _check_filing_type(user, case: Case, filing_type: FilingType) -> None:
    if filing_type.court_id != case.court_id or not filing_type.is_active:
        raise DomainError(
            "UNKNOWN_FILING_TYPE", "Choose a filing type of this court.", field="filing_type"
        )
    if not can_file_type(user, case, filing_type):
        raise DomainError(
            "FILING_TYPE_NOT_ALLOWED",
            f"{filing_type.name} is entered by the court; it cannot be e-filed.",
            field="filing_type",
            status=403,
        )


def _check_confidentiality(user, case: Case, confidentiality: str | None) -> str:
    allowed = confidentiality_choices_for(user, case)
    if confidentiality is None or confidentiality == "":
        return case.confidentiality
    if confidentiality not in allowed:
        raise DomainError(
            "CONFIDENTIALITY_NOT_ALLOWED",
            "A document cannot be less restricted than its case, and only a judge or "
            "supervisor seals one.",
            field="confidentiality",
        )
    return confidentiality


def _receive(
    *,
    case: Case,
    filing_type: FilingType,
    upload: File,
    by: User,
    title: str,
    confidentiality: str | None,
    channel: str,
) -> Filing:
    """What every filing starts with: the type and confidentiality checked, the document
    stored, the filing row and its audit record. Called inside the service's transaction."""
    _check_filing_type(by, case, filing_type)
    confidentiality = _check_confidentiality(by, case, confidentiality)
    document = document_store(
        case=case, upload=upload, uploaded_by=by, title=title, confidentiality=confidentiality
    )
    filing = Filing.objects.create(
        case=case, filing_type=filing_type, channel=channel, document=document, filed_by=by
    )
    audit_record(
        action="filing.submit",
        actor=by,
        obj=filing,
        case=case,
        details={"channel": filing.channel, "filing_type": filing_type.code},
    )
    return filing


@_atomic_with_files
def filing_file_at_counter(
    *,
    case: Case,
    filing_type: FilingType,
    upload: File,
    clerk: User,
    title: str,
    confidentiality: str | None = None,
) -> Filing:
    """File a document at the counter: stored, accepted at once, stamped and docketed.

    Raises:
        Http404: the case is not visible to the clerk.
        DomainError: NOT_A_RECORD_KEEPER (403), UNKNOWN_FILING_TYPE,
            CONFIDENTIALITY_NOT_ALLOWED, the document refusals of `document_store`,
            and those of the docket (UNKNOWN_EVENT_CODE).
    """
    _require_visible(clerk, case)
    if not can_file_at_counter(clerk, case):
        raise DomainError(
            "NOT_A_RECORD_KEEPER",
            "Only the clerk's office of the court files at the counter.",
            status=403,
        )
    filing = _receive(
        case=case, filing_type=filing_type, upload=upload, by=clerk, title=title,
        confidentiality=confidentiality, channel=FilingChannel.COUNTER,
    )  # fmt: skip
    return _accept(filing, reviewer=clerk, recorded_by=clerk)


@_atomic_with_files
def filing_submit(
    *,
    case: Case,
    filing_type: FilingType,
    upload: File,
    filer: User,
    title: str,
    confidentiality: str | None = None,
) -> Filing:
    """E-file a document for the clerk's review (or accepted at once when its type needs none).

    The filer is an attorney with an active appearance on the case, or the clerk's
    office of the court (e.g. a filing received by mail, queued for a second clerk).
    An attorney not yet of record may file a notice of appearance (type with event
    APPR): its acceptance enters their appearance.

    Raises:
        Http404: the case is not visible to the filer (an attorney not of record on a
            confidential or sealed case).
        DomainError: NOT_OF_RECORD (403), UNKNOWN_FILING_TYPE, FILING_TYPE_NOT_ALLOWED
            (403), CONFIDENTIALITY_NOT_ALLOWED, and the document refusals of `document_store`.
    """
    _require_visible(filer, case)
    if not can_submit(filer, case) and not can_file_appearance(filer, case, filing_type):
        raise DomainError(
            "NOT_OF_RECORD",
            "Only an attorney of record on this case can file in it.",
            status=403,
        )
    filing = _receive(
        case=case, filing_type=filing_type, upload=upload, by=filer, title=title,
        confidentiality=confidentiality, channel=FilingChannel.EFILING,
    )  # fmt: skip
    if not filing_type.needs_review:
        return _accept(filing, reviewer=None, recorded_by=filer)
    return filing


def _lock_for_review(filing: Filing, clerk: User) -> Filing:
    """Lock the filing row (a second reviewer waits here), then check who reviews."""
    locked = (
        Filing.objects.select_for_update(of=("self",))
        .select_related("case__court", "filing_type", "document", "filed_by")
        .get(pk=filing.pk)
    )
    _require_visible(clerk, locked.case)
    if not can_review(clerk, locked.case):
        raise DomainError(
            "NOT_A_RECORD_KEEPER",
            "Only the clerk's office of the court reviews filings.",
            status=403,
        )
    if locked.status != FilingStatus.SUBMITTED:
        raise DomainError(
            "FILING_ALREADY_REVIEWED",
            f"This filing was already {locked.get_status_display().lower()}.",
            status=409,
        )
    return locked


@_atomic_with_files
def filing_accept(*, filing: Filing, clerk: User) -> Filing:
    """Accept a submitted filing: number it, stamp it, docket it, tell the filer.

    Two clerks accepting the same filing at once: the filing row is locked, so the
    second waits and then finds it reviewed. Nothing is docketed twice.

    Raises:
        Http404: the case is not visible to the clerk.
        DomainError: NOT_A_RECORD_KEEPER (403), FILING_ALREADY_REVIEWED (409),
            DOCUMENT_STAMP_FAILED, UNKNOWN_EVENT_CODE (and whatever a docket subscriber
            refuses: the whole acceptance rolls back, stamped file included).
    """
    locked = _lock_for_review(filing, clerk)
    return _accept(locked, reviewer=clerk, recorded_by=clerk)


def _accept(filing: Filing, *, reviewer: User | None, recorded_by: User) -> Filing:
    # The case row is the lock of the case's numbers: Doc n here, docket seq inside
    # docket_entry_record (same lock, same transaction).
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("court").get(pk=filing.case_id)
    )
    number = (Filing.objects.filter(case=case).aggregate(n=Max("doc_number"))["n"] or 0) + 1
    court: Court = case.court
    # The date and time of filing is when the court received the document (e-filing
    # rules count it from receipt, not from the clerk's review).
    filed_local = timezone.localtime(filing.submitted_at, court.tzinfo)
    original = filing.document
    stamp_text = f"FILED {court.name} {filed_local:%Y-%m-%d %H:%M} {case.number} Doc {number}"
    try:
        with original.file.open("rb") as source:
            stamped = pdf_stamp(source, stamp_text)
        facts = pdf_inspect(io.BytesIO(stamped), max_bytes=sys.maxsize)
    except Exception as exc:  # pypdf's many errors, or the storage's
        logger.exception("stamping document %s failed", original.pk)
        raise DomainError(
            "DOCUMENT_STAMP_FAILED",
            "The document could not be stamped; ask the filer for a new copy.",
            field="file",
        ) from exc
    if facts.page_count != original.page_count:
        raise DomainError("DOCUMENT_STAMP_FAILED", "Stamping changed the page count.", field="file")
    stamped_document = _document_create(
        case=case,
        content=ContentFile(stamped),
        facts=facts,
        kind=DocumentKind.STAMPED,
        title=original.title,
        confidentiality=original.confidentiality,
        uploaded_by=recorded_by,
        original_filename=f"{case.number} Doc {number} - {original.original_filename}",
        original=original,
    )
    filing_type = filing.filing_type
    event = EventCode.objects.filter(
        court_id=case.court_id, code=filing_type.event_code, is_active=True
    ).first()
    entry_confidentiality = (
        confidentiality_max(original.confidentiality, event.default_confidentiality)
        if event is not None
        else None
    )
    filer = filing.filed_by
    entry = docket_entry_record(
        case=case,
        event_code=filing_type.event_code,
        text=f"{filing_type.name}: {original.title} (Doc {number}). "
        f"Filed by {filer.get_full_name() or filer.username}.",
        recorded_by=recorded_by,
        obj=filing,
        confidentiality=entry_confidentiality,
        entry_date=filed_local.date(),
    )
    if (
        is_appearance_type(filing_type)
        and filer.role == Role.ATTORNEY
        and not Appearance.objects.filter(
            case=case, attorney=filer, withdrawn_on__isnull=True
        ).exists()
    ):
        # The notice of appearance makes its filer of record (for no particular party:
        # the filing does not say which); the clerk's office sees the entry.
        appearance_enter(
            case=case,
            attorney=filer,
            party=None,
            actor=recorded_by,
            entered_on=filed_local.date(),
            recorded_in=entry,
        )
    filing.case = case
    filing.status = FilingStatus.ACCEPTED
    filing.reviewed_by = reviewer
    filing.reviewed_at = timezone.now()
    filing.stamped_document = stamped_document
    filing.docket_entry = entry
    filing.doc_number = number
    filing.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "stamped_document",
            "docket_entry",
            "doc_number",
        ]
    )
    audit_record(
        action="filing.accept",
        actor=reviewer or recorded_by,
        obj=filing,
        case=case,
        details={
            "doc_number": number,
            "event_code": filing_type.event_code,
            "docket_seq": entry.seq,
            "original_sha256": original.sha256,
            "stamped_sha256": stamped_document.sha256,
            "automatic": reviewer is None,
        },
    )
    if filer.pk != recorded_by.pk or reviewer is None:
        _filing_notify_enqueue(filing.pk, FilingStatus.ACCEPTED)
    return filing


def _rejection_reason(case: Case, reason: RejectionReason | str | None) -> RejectionReason:
    if isinstance(reason, RejectionReason):
        found = reason if reason.court_id == case.court_id and reason.is_active else None
    else:
        found = RejectionReason.objects.filter(
            court_id=case.court_id, code=(reason or "").strip(), is_active=True
        ).first()
    if found is None:
        raise DomainError(
            "UNKNOWN_REJECTION_REASON", "Choose a rejection reason of this court.", field="reason"
        )
    return found


@_atomic_with_files
def filing_reject(
    *, filing: Filing, clerk: User, reason: RejectionReason | str, note: str = ""
) -> Filing:
    """Reject a submitted filing with a reason from the court's list; tell the filer.

    The received document is kept (never docketed, seen only by the filer and the
    clerk's office).

    Raises:
        Http404: the case is not visible to the clerk.
        DomainError: NOT_A_RECORD_KEEPER (403), FILING_ALREADY_REVIEWED (409),
            UNKNOWN_REJECTION_REASON, REJECTION_NOTE_REQUIRED.
    """
    locked = _lock_for_review(filing, clerk)
    found = _rejection_reason(locked.case, reason)
    note = (note or "").strip()
    if found.requires_note and not note:
        raise DomainError(
            "REJECTION_NOTE_REQUIRED", "Explain the rejection to the filer.", field="note"
        )
    locked.status = FilingStatus.REJECTED
    locked.reviewed_by = clerk
    locked.reviewed_at = timezone.now()
    locked.rejection_reason = found
    locked.rejection_note = note
    locked.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "rejection_reason",
            "rejection_note",
        ]
    )
    audit_record(
        action="filing.reject",
        actor=clerk,
        obj=locked,
        case=locked.case,
        details={"reason": found.code, "note": note},
    )
    if locked.filed_by_id != clerk.pk:
        _filing_notify_enqueue(locked.pk, FilingStatus.REJECTED)
    return locked


FILING_NOTIFY_ACTION = "filing.notify"
FILING_NOTIFY_EVENTS = (FilingStatus.ACCEPTED, FilingStatus.REJECTED)


def _filing_notify_enqueue(filing_id: int, event: str) -> None:
    """On commit, queue `filings.tasks.filing_notify` (a broker failure is logged, not raised:
    the review stands)."""
    from . import tasks

    transaction.on_commit(partial(tasks.filing_notify.delay, filing_id, str(event)), robust=True)


def _filer_message(filing: Filing, event: str) -> tuple[str, str]:
    case, title = filing.case, filing.document.title
    if event == FilingStatus.ACCEPTED:
        subject = f"Filing accepted: {case.number} Doc {filing.doc_number}"
        body = (
            f"{case.court.name} accepted your filing in case {case.number}.\n\n"
            f"{filing.filing_type.name}: {title}\n"
            f"Document number: Doc {filing.doc_number}\n"
        )
    else:
        subject = f"Filing rejected: {case.number} — {title}"
        body = (
            f"{case.court.name} did not accept your filing in case {case.number}.\n\n"
            f"{filing.filing_type.name}: {title}\n"
            f"Reason: {filing.rejection_reason.text}\n"
            + (f"Note from the clerk: {filing.rejection_note}\n" if filing.rejection_note else "")
            + "\nYou may correct the document and file it again.\n"
        )
    return subject, body


def filing_notify(*, filing_id: int, event: str) -> bool:
    """E-mail the filer the outcome of the review (``accepted`` or ``rejected``): once.

    Run by `filings.tasks.filing_notify`. The filing row is locked, so a second
    delivery of the task waits, then finds the marker (an audit event
    ``filing.notify`` for this filing and event) and stops. A mail error rolls
    back (no marker) and propagates, for the task to retry.

    Returns True when an e-mail was sent.
    """
    if event not in FILING_NOTIFY_EVENTS:
        raise ValueError(f"unknown filing notification {event!r}")
    with transaction.atomic():
        filing = (
            Filing.objects.select_for_update(of=("self",))
            .select_related(
                "case__court", "filing_type", "document", "filed_by", "rejection_reason"
            )
            .filter(pk=filing_id)
            .first()
        )
        if filing is None:
            logger.warning("filing %s does not exist; no notification", filing_id)
            return False
        if filing.status != event:
            logger.warning(
                "filing %s is %s, not %s; no notification", filing_id, filing.status, event
            )
            return False
        already = AuditEvent.objects.filter(
            action=FILING_NOTIFY_ACTION,
            object_type=Filing._meta.label_lower,
            object_id=str(filing.pk),
            details__event=event,
        ).exists()
        if already:
            return False
        email = filing.filed_by.email
        if email:
            subject, body = _filer_message(filing, event)
            send_mail(subject, body, None, [email])
        audit_record(
            action=FILING_NOTIFY_ACTION,
            actor=None,
            actor_username="worker",
            obj=filing,
            case=filing.case,
            details={"event": event, "sent": bool(email)},
        )
        return bool(email)


# --- the court's configuration ---------------------------------------------------------------

# (code, name, docket event code, needs review, attorneys may e-file)
DEFAULT_FILING_TYPES = [
    ("CMPL", "Complaint", "CMPL", True, True),
    ("PETN", "Petition", "PETN", True, True),
    ("ANSW", "Answer", "ANSW", True, True),
    ("MOTN", "Motion", "MOTN", True, True),
    ("RESP", "Response", "RESP", True, True),
    ("SUBP", "Subpoena", "SUBP", True, True),
    ("SRVC", "Return of service", "SRVC", True, True),
    ("APPR", "Notice of appearance", "APPR", True, True),
    ("ORDR", "Order", "ORDR", True, False),
    ("JDGM", "Judgment", "JDGM", True, False),
]

# (code, text, a note is required)
DEFAULT_REJECTION_REASONS = [
    ("WRONG_CASE", "Filed in the wrong case", False),
    ("WRONG_TYPE", "Wrong filing type chosen", False),
    ("ILLEGIBLE", "Illegible, incomplete or missing pages", False),
    ("UNSIGNED", "Not signed", False),
    ("CONFIDENTIAL_INFO", "Contains confidential information that is not redacted", False),
    ("FEE_UNPAID", "Filing fee not paid", False),
    ("DUPLICATE", "Duplicate of a document already filed", False),
    ("OTHER", "Other (see the clerk's note)", True),
]


def filing_types_install_defaults(*, court: Court) -> int:
    """Give `court` the default filing types it lacks, for the event codes it has.

    Returns how many were added.
    """
    have = set(FilingType.objects.filter(court=court).values_list("code", flat=True))
    codes = set(
        EventCode.objects.filter(court=court, is_active=True).values_list("code", flat=True)
    )
    missing = [
        FilingType(
            court=court,
            code=code,
            name=name,
            event_code=event,
            needs_review=review,
            efiling_allowed=efile,
        )
        for code, name, event, review, efile in DEFAULT_FILING_TYPES
        if code not in have and event in codes
    ]
    FilingType.objects.bulk_create(missing)
    return len(missing)


def rejection_reasons_install_defaults(*, court: Court) -> int:
    """Give `court` the default rejection reasons it lacks. Returns how many were added."""
    have = set(RejectionReason.objects.filter(court=court).values_list("code", flat=True))
    missing = [
        RejectionReason(court=court, code=code, text=text, requires_note=note)
        for code, text, note in DEFAULT_REJECTION_REASONS
        if code not in have
    ]
    RejectionReason.objects.bulk_create(missing)
    return len(missing)
