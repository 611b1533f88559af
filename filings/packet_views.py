"""Pages for case packets: choose documents of a case, then watch the packet being built.

The packet is built in the worker (`filings.tasks.packet_build`); its page polls a
small status partial every 2 seconds (htmx) until it is over, announces progress
politely to screen readers (role="status"), and links to the PDF when it is ready.
A packet the user may not see (its case, or any document in it) answers 404.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import STAFF_ROLES
from cases.selectors import case_get_visible

from .packets import (
    MAX_PACKET_DOCUMENTS,
    TITLE_MAX,
    packet_documents_choosable,
    packet_get_visible,
    packet_items,
    packet_request,
)

POLL_EVERY = "2s"


class PacketForm(forms.Form):
    title = forms.CharField(
        label="Title of the packet",
        max_length=TITLE_MAX,
        help_text="Printed on the cover page, e.g. Trial binder — jury trial.",
    )
    documents = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Documents",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one document."},
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.document_list = list(documents)
        self.fields["documents"].choices = [(d.pk, d.title) for d in self.document_list]

    def clean_documents(self):
        chosen = self.cleaned_data["documents"]
        if len(chosen) > MAX_PACKET_DOCUMENTS:
            raise forms.ValidationError(f"Choose at most {MAX_PACKET_DOCUMENTS} documents.")
        return chosen


@role_required(*STAFF_ROLES)
def packet_new(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """Choose documents of the case (only those the user may see) and a title."""
    case = case_get_visible(request.user, number, court_code=court)
    documents = packet_documents_choosable(request.user, case)
    form = PacketForm(request.POST or None, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            packet = packet_request(
                case=case,
                documents=form.cleaned_data["documents"],
                title=form.cleaned_data["title"],
                requested_by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                audit_denied(request, reason=exc.code, case=case.number)
                raise PermissionDenied(exc.message) from exc
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            return redirect(reverse("packets:detail", args=[packet.pk]))
    chosen = {str(v) for v in (form["documents"].value() or [])}
    return render(
        request,
        "filings/packets/new.html",
        {
            "case": case,
            "form": form,
            "documents": form.document_list,
            "chosen": chosen,
            "max_documents": MAX_PACKET_DOCUMENTS,
        },
    )


def _context(request: HttpRequest, pk: int) -> dict:
    packet = packet_get_visible(request.user, pk)  # Http404 for missing and forbidden alike
    return {"packet": packet, "poll_every": POLL_EVERY}


@require_GET
@role_required(*STAFF_ROLES)
def packet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = _context(request, pk)
    context["items"] = packet_items(context["packet"])
    return render(request, "filings/packets/detail.html", context)


@require_GET
@role_required(*STAFF_ROLES)
def packet_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (htmx); also a plain page without htmx."""
    return render(request, "filings/packets/_progress.html", _context(request, pk))
