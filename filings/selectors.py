"""Reads of documents and filings. Every one starts from the visibility rules (policies)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import JSONObject
from django.http import Http404

from casemgmt.core.models import Court
from cases.models import Case, Confidentiality
from cases.policies import RECORD_KEEPERS

from .models import (
    Document,
    DocumentKind,
    Filing,
    FilingStatus,
    FilingType,
    RejectionReason,
)
from .models.notices import Notice
from .policies import (
    Reader,
    can_file_type,
    confidentiality_allowed,
    document_visibility_q,
    filing_visibility_q,
    reader_for,
    record_keeper_q,
)

QUEUE_PAGE_SIZE = 50
ISSUED_CHOICE = ("issued", "Issued by the court")


def document_list_visible(user) -> QuerySet[Document]:
    """Documents `user` may see (any case), with their case and court."""
    return Document.objects.filter(document_visibility_q(user)).select_related("case__court")


def document_get_visible(user, pk: int) -> Document:
    """The document `pk` if `user` may see it, else Http404 (also when it exists)."""
    document = document_list_visible(user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def filing_list_visible(user, *, reader: Reader | None = None) -> QuerySet[Filing]:
    """Filings `user` may see, with what their representation shows."""
    return Filing.objects.filter(filing_visibility_q(user, reader=reader)).select_related(
        "case__court",
        "filing_type",
        "document",
        "stamped_document",
        "filed_by",
        "reviewed_by",
        "rejection_reason",
        "docket_entry",
    )


def filing_get_visible(user, pk: int) -> Filing:
    """The filing `pk` if `user` may see it, else Http404 (also when it exists)."""
    filing = filing_list_visible(user).filter(pk=pk).first()
    if filing is None:
        raise Http404("No such filing.")
    return filing


def case_filing_list(user, case: Case) -> QuerySet[Filing]:
    """The filings of `case` that `user` may see: accepted by document number, then pending."""
    return (
        filing_list_visible(user)
        .filter(case=case)
        .order_by("doc_number", "submitted_at", "id")  # NULLs (not yet numbered) last
    )


@dataclass(frozen=True)
class QueueFilter:
    court: str = ""  # court code
    filing_type: str = ""  # filing type code


def review_queue(user, criteria: QueueFilter | None = None) -> QuerySet[Filing]:
    """Submissions waiting for `user`'s review (courts whose records they keep), oldest first."""
    criteria = criteria or QueueFilter()
    reader = reader_for(user)
    filings = filing_list_visible(user, reader=reader).filter(
        record_keeper_q(user, reader=reader), status=FilingStatus.SUBMITTED
    )
    if criteria.court:
        filings = filings.filter(case__court__code=criteria.court)
    if criteria.filing_type:
        filings = filings.filter(filing_type__code=criteria.filing_type)
    return filings.order_by("submitted_at", "id")


def review_queue_next(user, after: Filing, criteria: QueueFilter | None = None) -> Filing | None:
    """The pending filing that follows `after` in `user`'s queue (else the first one left)."""
    queue = review_queue(user, criteria).exclude(pk=after.pk)
    later = queue.filter(
        Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
    )
    return later.first() or queue.first()


def reviewer_courts(user) -> QuerySet[Court]:
    """Courts whose submissions `user` reviews (for the queue's court filter)."""
    if not (user.is_authenticated and user.is_active):
        return Court.objects.none()
    courts = Court.objects.filter(is_active=True).order_by("name")
    if user.is_superuser:
        return courts
    if user.role not in RECORD_KEEPERS:
        return Court.objects.none()
    return courts.filter(memberships__user=user)


def filing_types_for(*, courts) -> QuerySet[FilingType]:
    return FilingType.objects.filter(court__in=courts, is_active=True).order_by("name", "court_id")


def filing_types_for_case(user, case: Case) -> list[FilingType]:
    """Types `user` may file on `case`: active, of its court; court-only types for the office."""
    types = FilingType.objects.filter(court_id=case.court_id, is_active=True).order_by("name")
    return [t for t in types if can_file_type(user, case, t)]


def rejection_reasons_for(*, courts) -> QuerySet[RejectionReason]:
    return RejectionReason.objects.filter(court__in=courts, is_active=True).order_by("text")


def case_document_list(*, case: Case, level: str, filing_type: str = "") -> QuerySet[Document]:
    """The documents of record of a case the caller can see, read at `level`, oldest first.

    Documents of record are the stamped copies of accepted filings, what the court
    issued, and documents stored without a filing; what was received for review
    (pending, rejected, or superseded by its stamped copy) is not listed.
    `filing_type` narrows to a filing type code, or "issued" for the court's own.
    """
    documents = (
        Document.objects.filter(case=case, confidentiality__in=confidentiality_allowed(level))
        .filter(
            Q(kind__in=[DocumentKind.STAMPED, DocumentKind.ISSUED])
            | Q(kind=DocumentKind.FILED, filing__isnull=True)
        )
        .select_related("stamped_filing__filing_type")
    )
    if filing_type == "issued":
        documents = documents.filter(kind=DocumentKind.ISSUED)
    elif filing_type:
        documents = documents.filter(stamped_filing__filing_type__code=filing_type)
    return documents.order_by("created_at", "id")


def case_document_type_choices(*, case: Case) -> list[tuple[str, str]]:
    """(code, name) of the filing types used on the case's documents of record, plus 'issued'."""
    used = (
        FilingType.objects.filter(filings__case=case, filings__status=FilingStatus.ACCEPTED)
        .values_list("code", "name")
        .distinct()
        .order_by("name")
    )
    return [*used, ISSUED_CHOICE]


def case_notice_list(*, case: Case, level: str, limit: int) -> list[Notice]:
    """The notices of `case` a reader at `level` may see, newest first, with their recipients.

    Visible by the rules of the notice's document: once rendered, the document's own
    confidentiality; before that, the one it will be stored with (confidential, sealed
    on a sealed case; ``filings.notices``). One query; at most `limit` notices, each
    with `recipient_rows`: [{name, role, delivery_status}] in the order of the copies.
    """
    allowed = confidentiality_allowed(level)
    pending_conf = Confidentiality.SEALED if case.is_sealed else Confidentiality.CONFIDENTIAL
    seen = Q(document__confidentiality__in=allowed)
    if pending_conf in allowed:
        seen |= Q(document__isnull=True)
    # One query: the recipients come aggregated (position order) with their notice.
    return list(
        Notice.objects.filter(seen, case=case)
        .annotate(
            recipient_rows=ArrayAgg(
                JSONObject(
                    name="recipients__name",
                    role="recipients__role",
                    delivery_status="recipients__delivery_status",
                ),
                filter=Q(recipients__isnull=False),
                order_by="recipients__position",
                default=Value([]),
            )
        )
        .order_by("-issued_at", "-id")[:limit]
    )
