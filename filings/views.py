"""Pages: file a document (counter / e-filing), the clerk's review queue, a filing, downloads,
and the case page's Documents panel. Thin: services write, selectors read."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.pagination import paginate_without_count
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import Role
from cases.policies import RECORD_KEEPERS
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .forms import DocumentConfidentialityForm, FilingForm, QueueFilterForm, RejectForm
from .models import DocumentKind, Filing, FilingStatus
from .policies import (
    can_file_appearance,
    can_file_at_counter,
    can_review,
    can_set_document_confidentiality,
    can_submit,
    confidentiality_choices_for,
    document_confidentiality_choices,
    keeps_record_at_level,
)
from .selectors import (
    ISSUED_CHOICE,
    QUEUE_PAGE_SIZE,
    QueueFilter,
    case_document_list,
    case_document_type_choices,
    case_notice_list,
    document_get_visible,
    filing_get_visible,
    filing_list_visible,
    filing_types_for,
    filing_types_for_case,
    rejection_reasons_for,
    review_queue,
    review_queue_next,
    reviewer_courts,
)
from .services import (
    document_confidentiality_set,
    document_download_audit,
    filing_accept,
    filing_file_at_counter,
    filing_read_audit,
    filing_reject,
    filing_submit,
    max_upload_bytes,
)

logger = logging.getLogger(__name__)

MINE_PAGE_SIZE = 50
PANEL_DOCUMENTS = 200  # on the case page; a case with more shows its latest
PANEL_NOTICES = 50  # the latest notices on the case page


def _refused(request: HttpRequest, exc: DomainError, **details) -> None:
    """A 403 refusal from a service is a 403 page (audited); others become a message."""
    if exc.status == 403:
        audit_denied(request, reason=exc.code, **details)
        raise PermissionDenied(exc.message) from exc
    messages.error(request, f"{exc.message} ({exc.code})")


# --- filing a document ------------------------------------------------------------------------


@login_required
def filing_new(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """The clerk files at the counter (accepted at once); an attorney of record e-files."""
    case = case_get_visible(request.user, number, court_code=court)
    user = request.user
    counter = can_file_at_counter(user, case)
    filing_types = filing_types_for_case(user, case)
    if not counter and not can_submit(user, case):
        # Not of record: only a notice of appearance, which makes them of record.
        filing_types = [t for t in filing_types if can_file_appearance(user, case, t)]
        if not filing_types:
            audit_denied(request, reason="NOT_OF_RECORD", case=case.number)
            raise PermissionDenied("Only an attorney of record on this case can file in it.")
    form = FilingForm(
        request.POST or None,
        request.FILES or None,
        filing_types=filing_types,
        confidentiality_choices=confidentiality_choices_for(user, case),
        max_bytes=max_upload_bytes(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        args = {
            "case": case,
            "filing_type": data["filing_type"],
            "upload": data["file"],
            "title": data["title"],
            "confidentiality": data["confidentiality"] or None,
        }
        try:
            if counter:
                filing = filing_file_at_counter(clerk=user, **args)
            else:
                filing = filing_submit(filer=user, **args)
        except DomainError as exc:
            if exc.status == 403:
                _refused(request, exc, case=case.number)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if filing.status == FilingStatus.ACCEPTED:
                messages.success(
                    request, f"Filed and docketed as Doc {filing.doc_number} in {case.number}."
                )
            else:
                messages.success(request, "Submitted. The clerk's office will review it.")
            return redirect("filings:detail", filing.pk)
    return render(
        request,
        "filings/filing_form.html",
        {"form": form, "case": case, "counter": counter},
    )


# --- one filing ------------------------------------------------------------------------------


@require_GET
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get_visible(request.user, pk)
    case = filing.case
    case_read_audit(case=case, user=request.user, surface="filing")
    filing_read_audit(filing=filing, user=request.user, surface="page.filing")
    reviewer = filing.is_pending and can_review(request.user, case)
    reject_form = (
        RejectForm(reasons=rejection_reasons_for(courts=[case.court_id]), prefix="reject")
        if reviewer
        else None
    )
    seal_form = (
        DocumentConfidentialityForm(
            choices=document_confidentiality_choices(case),
            initial={"confidentiality": filing.document.confidentiality},
            prefix="conf",
        )
        if can_set_document_confidentiality(request.user, case)
        else None
    )
    return render(
        request,
        "filings/filing_detail.html",
        {
            "filing": filing,
            "case": case,
            "reviewer": reviewer,
            "reject_form": reject_form,
            "seal_form": seal_form,
        },
    )


@login_required
@require_POST
def document_confidentiality_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Seal, unseal or mark confidential a document (the filing page's form)."""
    document = document_get_visible(request.user, pk)
    case = document.case
    root_id = document.original_id or document.pk
    filing = Filing.objects.filter(document_id=root_id).only("pk").first()
    back = (
        redirect("filings:detail", filing.pk)
        if filing is not None
        else redirect("cases:detail", case.court.code, case.number)
    )
    form = DocumentConfidentialityForm(
        request.POST, choices=document_confidentiality_choices(case), prefix="conf"
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Confidentiality"
            messages.error(request, f"{label}: {' '.join(errors)}")
        return back
    try:
        changed = document_confidentiality_set(
            document=document,
            confidentiality=form.cleaned_data["confidentiality"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except DomainError as exc:
        _refused(request, exc, document=document.pk)
        return back
    messages.success(request, f"The document is now {changed.get_confidentiality_display()}.")
    return back


def _queue_criteria(data) -> QueueFilter:
    return QueueFilter(
        court=(data.get("court") or "").strip()[:20],
        filing_type=(data.get("type") or "").strip()[:12],
    )


def _after_review(request: HttpRequest, filing: Filing) -> HttpResponse:
    """Back to the queue (its filters kept, the next row focused) or to the filing."""
    if request.POST.get("back") != "queue":
        return redirect("filings:detail", filing.pk)
    criteria = _queue_criteria(request.POST)
    query = {k: v for k, v in (("court", criteria.court), ("type", criteria.filing_type)) if v}
    following = review_queue_next(request.user, filing, criteria)
    if following is not None:
        query["focus"] = str(following.pk)
    url = reverse("filings:queue")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
@require_POST
def filing_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get_visible(request.user, pk)
    try:
        accepted = filing_accept(filing=filing, clerk=request.user)
    except DomainError as exc:
        _refused(request, exc, filing=filing.pk)
    else:
        messages.success(
            request,
            f"Accepted: {accepted.case.number} Doc {accepted.doc_number} — "
            f"{accepted.document.title}.",
        )
    return _after_review(request, filing)


@login_required
@require_POST
def filing_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get_visible(request.user, pk)
    form = RejectForm(
        request.POST, reasons=rejection_reasons_for(courts=[filing.case.court_id]), prefix="reject"
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Rejection"
            messages.error(request, f"{label}: {' '.join(errors)}")
        return _after_review(request, filing)
    try:
        filing_reject(
            filing=filing,
            clerk=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        _refused(request, exc, filing=filing.pk)
    else:
        messages.success(
            request, f"Rejected: {filing.document.title} ({filing.case.number}). The filer is told."
        )
    return _after_review(request, filing)


# --- the review queue, the attorney's list -----------------------------------------------------


@role_required(*RECORD_KEEPERS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Submissions waiting for review, oldest first, filtered by court and type (in the URL)."""
    user = request.user
    courts = list(reviewer_courts(user))
    types = list(filing_types_for(courts=courts))
    form = QueueFilterForm(request.GET or None, courts=courts, filing_types=types)
    criteria = QueueFilter()
    if form.is_bound and form.is_valid():
        criteria = QueueFilter(
            court=form.cleaned_data["court"], filing_type=form.cleaned_data["type"]
        )
    page = paginate_without_count(
        review_queue(user, criteria), request.GET.get("page"), QUEUE_PAGE_SIZE
    )
    reasons: dict[int, list] = {}
    for reason in rejection_reasons_for(courts=courts):
        reasons.setdefault(reason.court_id, []).append(reason)
    for filing in page.object_list:
        filing.reasons = reasons.get(filing.case.court_id, [])
    filters = {k: v for k, v in (("court", criteria.court), ("type", criteria.filing_type)) if v}
    try:
        focus = int(request.GET.get("focus", ""))
    except ValueError:
        focus = None
    if focus not in {f.pk for f in page.object_list}:
        focus = None
    return render(
        request,
        "filings/queue.html",
        {
            "form": form,
            "page": page,
            "criteria": criteria,
            "filters": filters,
            "query": urlencode(filters),
            "focus": focus,
        },
    )


@role_required(Role.ATTORNEY)
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The attorney's own filings, newest first, with their review status."""
    filings = filing_list_visible(request.user).filter(filed_by=request.user)
    page = paginate_without_count(
        filings.order_by("-submitted_at", "-id"), request.GET.get("page"), MINE_PAGE_SIZE
    )
    return render(request, "filings/mine.html", {"page": page})


# --- documents ---------------------------------------------------------------------------------


def _document_response(request: HttpRequest, pk: int, *, inline: bool) -> FileResponse:
    document = document_get_visible(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("document %s: stored file %s is missing", document.pk, document.file.name)
        raise Http404("The document's file is missing.") from exc
    document_download_audit(
        document=document, user=request.user, surface="page.preview" if inline else "page.download"
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=document.original_filename,
        content_type=document.mime_type,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    return _document_response(request, pk, inline=False)


@require_GET
def document_preview(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF shown in the browser (the queue's preview link)."""
    return _document_response(request, pk, inline=True)


# --- the case page's Documents panel (cases.panels) ---------------------------------------------


def documents_panel_context(request: HttpRequest, case_file) -> dict:
    """The case's documents of record at the reader's level, filtered by type (?doc_type=).

    One query on the usual page (no filter, at most PANEL_DOCUMENTS documents): the
    type filter's choices come from the documents themselves.
    """
    case = case_file.case
    user = request.user
    latest = list(
        case_document_list(case=case, level=case_file.level).order_by("-created_at", "-id")[
            : PANEL_DOCUMENTS + 1
        ]
    )
    truncated = len(latest) > PANEL_DOCUMENTS
    if truncated:
        choices = case_document_type_choices(case=case)
    else:
        # A reverse one-to-one with no row raises (an AttributeError): getattr's default.
        filings_of = [f for f in (getattr(d, "stamped_filing", None) for d in latest) if f]
        used = {(f.filing_type.code, f.filing_type.name) for f in filings_of}
        choices = sorted(used, key=lambda choice: choice[1])
        if any(d.kind == DocumentKind.ISSUED for d in latest):
            choices.append(ISSUED_CHOICE)
    doc_type = request.GET.get("doc_type", "")
    if doc_type not in {code for code, _name in choices}:
        doc_type = ""
    if doc_type:
        documents = list(
            case_document_list(case=case, level=case_file.level, filing_type=doc_type).order_by(
                "-created_at", "-id"
            )[:PANEL_DOCUMENTS]
        )
    else:
        documents = latest[:PANEL_DOCUMENTS]
    documents.reverse()  # oldest first, like the register
    file_label = ""
    if keeps_record_at_level(user, case_file.level):
        file_label = "File a document"
    elif (
        user.is_authenticated
        and user.role == Role.ATTORNEY
        and any(a.attorney_id == user.pk and a.withdrawn_on is None for a in case_file.appearances)
    ):
        file_label = "E-file a document"
    elif user.is_authenticated and user.is_active and user.role == Role.ATTORNEY:
        # Not of record: the filing page offers only a notice of appearance.
        file_label = "File a notice of appearance"
    return {
        "documents": documents,
        "truncated": truncated,
        "type_choices": choices,
        "doc_type": doc_type,
        "file_label": file_label,
        "file_url": reverse("filings:new", args=[case.court.code, case.number]),
        "case_url": reverse("cases:detail", args=[case.court.code, case.number]),
        "packet_url": reverse("packets:new", args=[case.court.code, case.number]),
    }


def notices_panel_context(request: HttpRequest, case_file) -> dict:
    """The case's notices (newest first) with each recipient's delivery status.

    Seen by the rules of the notice's document (``case_notice_list``); one query.
    """
    notices = case_notice_list(case=case_file.case, level=case_file.level, limit=PANEL_NOTICES + 1)
    return {
        "notices": notices[:PANEL_NOTICES],
        "truncated": len(notices) > PANEL_NOTICES,
        "time_zone": case_file.case.court.time_zone,
    }
