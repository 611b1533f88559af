"""Case packets (trial binders): services and selectors.

A user picks documents of a case; `packet_request` records the choice and the
worker (`filings.tasks.packet_build`) binds them into one PDF: a cover page, an
index giving each document's first page, then every document, with a bookmark
for the cover, the index and each document. The PDF is stored as a document of
the case (`filings.services.document_store`, kind "issued"), as restricted as the
most restricted document in it.

Visibility: a packet is seen only by users who can see its case and every
document in it (anything else answers 404, like a missing packet); a document the
requester may not see is refused as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.jobs import TRANSIENT_DB_ERRORS, ClaimedBuild
from casemgmt.core.models import User
from cases.models import Case, court_local_date
from cases.policies import case_access_level

from .models import CasePacket, Document, DocumentKind, PacketItem, PacketStatus
from .pdf import html_to_pdf
from .policies import confidentiality_max
from .selectors import case_document_list, document_list_visible
from .services import document_store, max_upload_bytes
from .storage import files_removed_on_failure

logger = logging.getLogger(__name__)

MAX_PACKET_DOCUMENTS = 200
# A build still "building" after this long lost its worker (killed, machine gone): the
# next run of the task — a redelivery, or the periodic packets_stale_requeue — claims it
# again. Generous: binding MAX_PACKET_DOCUMENTS documents takes well under a minute.
PACKET_BUILD_STALE_AFTER = dt.timedelta(minutes=15)
BUILD = ClaimedBuild(
    model=CasePacket,
    pending=PacketStatus.PENDING,
    running=PacketStatus.BUILDING,
    failed=PacketStatus.FAILED,
    stale_after=PACKET_BUILD_STALE_AFTER,
    failed_action="packet.build_failed",
    audit_on="case",
)
TITLE_MAX = 200
COVER_BOOKMARK = "Cover page"
INDEX_BOOKMARK = "Index"


def _can_request(user) -> bool:
    """Court staff (and superusers): the packet becomes a document the court issued."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.is_court_staff)
    )


def _not_found() -> DomainError:
    return DomainError(
        "DOCUMENT_NOT_FOUND",
        "One of the chosen documents does not exist.",
        field="documents",
        status=404,
    )


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def packet_request(
    *,
    case: Case,
    documents: Iterable[Document | int],
    title: str,
    requested_by: User,
) -> CasePacket:
    """Record a packet of `documents` (in this order) of `case`; the worker builds it after commit.

    Raises:
        Http404: the case is not visible to the requester.
        DomainError: PACKET_NOT_ALLOWED (403; court staff only), PACKET_TITLE_REQUIRED,
            PACKET_EMPTY, PACKET_TOO_LARGE (more than MAX_PACKET_DOCUMENTS documents, or
            more bytes than a stored document may have), DOCUMENT_NOT_FOUND (404: a
            document that is not one of the case's, or that the requester may not see).
    """
    if not Case.objects.visible_to(requested_by).filter(pk=case.pk).exists():
        raise Http404("No such case.")
    if not _can_request(requested_by):
        raise DomainError(
            "PACKET_NOT_ALLOWED", "Only court staff put together case packets.", status=403
        )
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("PACKET_TITLE_REQUIRED", "Give the packet a title.", field="title")
    try:
        ids = list(dict.fromkeys(int(getattr(d, "pk", d)) for d in documents))
    except (TypeError, ValueError):
        raise _not_found() from None
    if not ids:
        raise DomainError("PACKET_EMPTY", "Choose at least one document.", field="documents")
    if len(ids) > MAX_PACKET_DOCUMENTS:
        raise DomainError(
            "PACKET_TOO_LARGE",
            f"A packet holds at most {MAX_PACKET_DOCUMENTS} documents.",
            field="documents",
        )
    found = {
        d.pk: d
        for d in document_list_visible(requested_by)
        .filter(case=case, pk__in=ids)
        .select_related(None)
        .only("pk", "size_bytes", "confidentiality")
    }
    if len(found) != len(ids):
        raise _not_found()
    limit = max_upload_bytes()
    if sum(d.size_bytes for d in found.values()) > limit:
        raise DomainError(
            "PACKET_TOO_LARGE",
            f"The chosen documents are larger than {limit / (1024 * 1024):g} MB together.",
            field="documents",
        )
    packet = CasePacket.objects.create(
        case=case, title=title[:TITLE_MAX], requested_by=requested_by, total=len(ids)
    )
    PacketItem.objects.bulk_create(
        PacketItem(packet=packet, document_id=pk, position=n) for n, pk in enumerate(ids, 1)
    )
    audit_record(
        action="packet.request",
        actor=requested_by,
        obj=packet,
        case=case,
        details={
            "documents": ids,
            "confidentiality": confidentiality_max(*(d.confidentiality for d in found.values())),
        },
    )
    from . import tasks

    transaction.on_commit(partial(tasks.packet_build.delay, packet.pk))
    return packet


@dataclass(frozen=True)
class _Part:
    title: str
    pdf: bytes
    pages: int


def _front_matter(packet: CasePacket, parts: Sequence[_Part], *, today) -> tuple[bytes, int, int]:
    """The cover and the index as one PDF; returns (pdf, cover pages, index pages).

    A document's first page depends on how long the index is, so the index is laid
    out again until the page count it assumed is the one it has.
    """
    case = packet.case
    requested_by = packet.requested_by
    common = {
        "packet": packet,
        "case": case,
        "court": case.court,
        "date": today,
        "requested_by": requested_by.get_full_name() or requested_by.get_username(),
    }
    cover = render_to_string("filings/packets/pdf_cover.html", common)
    cover_pages, index_pages = 1, 1
    for _attempt in range(4):
        first, entries = cover_pages + index_pages + 1, []
        for position, part in enumerate(parts, 1):
            entries.append({"position": position, "title": part.title, "first_page": first})
            first += part.pages
        index = render_to_string(
            "filings/packets/pdf_index.html",
            {**common, "entries": entries, "total_pages": first - 1},
        )
        rendered = html_to_pdf([cover, index], title=f"{packet.title} — {case.number}")
        (_s1, got_cover), (_s2, got_index) = rendered.parts
        if (got_cover, got_index) == (cover_pages, index_pages):
            return rendered.content, cover_pages, index_pages
        cover_pages, index_pages = got_cover, got_index
    raise RuntimeError("the index of the packet does not settle on a page count")


def _progress(packet_id: int, done: int) -> None:
    """Record progress in its own (short) transaction, so the progress page sees it."""
    with transaction.atomic():
        CasePacket.objects.filter(pk=packet_id, status=PacketStatus.BUILDING).update(done=done)


def _bind(packet: CasePacket, items: list[PacketItem]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    parts: list[_Part] = []
    readers = []
    for item in items:
        with item.document.file.open("rb") as handle:
            data = handle.read()
        reader = PdfReader(io.BytesIO(data))
        readers.append(reader)
        parts.append(_Part(item.document.title, data, len(reader.pages)))
    front, cover_pages, _index_pages = _front_matter(
        packet, parts, today=court_local_date(packet.case.court)
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), import_outline=False)
    writer.add_outline_item(title=COVER_BOOKMARK, page_number=0)
    writer.add_outline_item(title=INDEX_BOOKMARK, page_number=cover_pages)
    for done, (part, reader) in enumerate(zip(parts, readers, strict=True), 1):
        writer.append(reader, outline_item=part.title, import_outline=False)
        _progress(packet.pk, done)
    writer.add_metadata({"/Title": f"{packet.title} — {packet.case.number}"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_build(*, packet_id: int) -> CasePacket:
    """Build the packet's PDF and store it: exactly once.

    The packet row is locked to claim it (pending -> building); a second run finds
    it claimed (or over) and returns it unchanged — unless the claim is stale (older
    than PACKET_BUILD_STALE_AFTER: its worker died), which it takes over. Progress
    (`done`) is committed after each document. The PDF is stored, and the packet marked done, in one
    transaction: if that fails, no file is left behind. A build that cannot succeed
    (a document unreadable, no longer visible to the requester, the PDF engine
    failing) marks the packet failed, with the reason. A transient database error
    puts the packet back to pending and is raised, so the task retries it.

    Raises:
        CasePacket.DoesNotExist: no such packet.
    """
    claim = BUILD.claim(packet_id)
    if claim.at is None:
        return claim.obj
    try:
        packet = CasePacket.objects.select_related("case__court", "requested_by").get(pk=packet_id)
        items = list(packet.items.select_related("document").order_by("position"))
        visible = set(
            document_list_visible(packet.requested_by)
            .filter(pk__in=[i.document_id for i in items])
            .values_list("pk", flat=True)
        )
        if not items or len(visible) != len(items):
            raise _not_found()
        content = _bind(packet, items)
        with files_removed_on_failure(), transaction.atomic():
            packet = (
                CasePacket.objects.select_for_update(of=("self",))
                .select_related("case__court", "requested_by")
                .get(pk=packet_id)
            )
            if not BUILD.holds(packet, claim.at):
                return packet  # taken over meanwhile: that claim finishes it
            safe_number = "".join(
                c if c.isalnum() or c in "-_" else "-" for c in packet.case.number
            )
            stored = document_store(
                case=packet.case,
                upload=ContentFile(content, name=f"{safe_number}-packet.pdf"),
                uploaded_by=packet.requested_by,
                title=f"Case packet: {packet.title}",
                kind=DocumentKind.PACKET,
                confidentiality=confidentiality_max(*(i.document.confidentiality for i in items)),
            )
            packet.status = PacketStatus.DONE
            packet.document = stored
            packet.done = packet.total
            packet.error = ""
            packet.finished_at = timezone.now()
            packet.save(update_fields=["status", "document", "done", "error", "finished_at"])
            audit_record(
                action="packet.build",
                actor_username="system",
                obj=packet,
                case=packet.case,
                details={
                    "document": stored.pk,
                    "pages": stored.page_count,
                    "documents": [i.document_id for i in items],
                    "confidentiality": stored.confidentiality,
                },
            )
            return packet
    except TRANSIENT_DB_ERRORS:
        BUILD.release(packet_id, claim.at)
        raise
    except Exception as exc:  # anything else would fail the same way again
        return BUILD.fail(packet_id, claim.at, exc)


# --- selectors ------------------------------------------------------------------------------


def packet_documents_choosable(user, case: Case) -> QuerySet[Document]:
    """The documents of record of `case` that `user` may put in a packet, oldest first.

    Earlier packets are left out (a binder of binders helps nobody).
    """
    return (
        case_document_list(case=case, level=case_access_level(user, case))
        .filter(pk__in=document_list_visible(user).filter(case=case).values("pk"))
        .filter(packet__isnull=True)
    )


def packet_get_visible(user, pk: int) -> CasePacket:
    """The packet `pk` if `user` can see its case and every document in it, else Http404."""
    packet = (
        CasePacket.objects.filter(pk=pk, case__in=Case.objects.visible_to(user))
        .select_related("case__court", "requested_by", "document")
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    ids = set(PacketItem.objects.filter(packet=packet).values_list("document_id", flat=True))
    if packet.document_id:
        ids.add(packet.document_id)
    seen = document_list_visible(user).filter(pk__in=ids).count()
    if seen != len(ids):
        raise Http404("No such packet.")
    return packet


def packet_items(packet: CasePacket) -> list[PacketItem]:
    """The packet's documents, in order (for a packet the caller may see)."""
    return list(packet.items.select_related("document").order_by("position"))


def packets_stale_list() -> list[int]:
    """Ids of packets whose build was claimed longer ago than PACKET_BUILD_STALE_AFTER."""
    return BUILD.stale_list()
