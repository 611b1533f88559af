"""The clerk's money pages: the counter, receipts, cash drawers and the day's deposit.

Thin: every write is a service of payments.services (payment_post through
idempotency_run, drawer_open / drawer_close / drawer_approve) or payments.receipts
(receipt_print); every figure comes from payments.selectors (the ledger). A refusal is the
service's DomainError, shown on the field it names with its code; nothing is written.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.selectors import court_active_for, court_list_for_request
from cases.models import Case, CaseParty, PartyRole, court_local_date
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .forms import (
    OTHER_PAYER,
    CaseLookupForm,
    DepositReportForm,
    DrawerApproveForm,
    DrawerCloseForm,
    DrawerOpenForm,
    PaymentForm,
)
from .models import CashDrawer, DrawerStatus, Payment, ReceiptPrint
from .policies import CASHIERS, can_see_money, can_supervise_money, can_take_payments
from .receipts import receipt_facts, receipt_for_reader, receipt_print_pdf
from .selectors import case_balance, deposit_report, drawer_expected, drawer_open_for
from .services import (
    drawer_approve,
    drawer_close,
    drawer_open,
    idempotency_run,
    payment_post,
    request_fingerprint,
)

COUNTER_SCOPE = "counter.payment"
DRAWER_PAYMENTS = 200  # a drawer's payments listed on its pages (a day at one window)


def _domain_error(form, exc: DomainError, fields: dict[str | None, str | None]) -> None:
    """Put the service's refusal on the field it names (mapped by `fields`), with its code."""
    target = fields.get(exc.field, exc.field if exc.field in form.fields else None)
    form.add_error(target, ValidationError(f"{exc.message} ({exc.code})", code=exc.code))


def _is_partial(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _receipt_url(number: str, court_code: str, **extra) -> str:
    query = urlencode({"court": court_code, **extra})
    return f"{reverse('payments:receipt', args=[number])}?{query}"


# --- the counter ---------------------------------------------------------------------------


def _payer_parties(case: Case) -> list[CaseParty]:
    """Who may pay, the defendant (or respondent) first: the case's current parties."""
    parties = list(
        CaseParty.objects.filter(case=case, removed_on__isnull=True)
        .exclude(role=PartyRole.VICTIM)
        .select_related("person")
        .order_by("role", "position", "pk")
    )
    first = ("defendant", "respondent")
    return sorted(parties, key=lambda p: p.role not in first)


def _counter_case(request: HttpRequest, number: str, court_code: str) -> Case:
    """The case to take money on: the active court's case with that number first.

    Raises Http404 (not visible, or no such case) or DomainError (CASE_NUMBER_AMBIGUOUS).
    """
    active = court_active_for(request)
    if not court_code and active is not None:
        try:
            return case_get_visible(request.user, number, court_code=active.code)
        except Http404:
            pass
    return case_get_visible(request.user, number, court_code=court_code or None)


def _counter_context(request: HttpRequest, case: Case | None, form=None) -> dict:
    context: dict = {"case": case}
    if case is None:
        return context
    user = request.user
    context["balance"] = case_balance(case)
    context["may_take"] = may_take = can_take_payments(user, case.court)
    if may_take:
        context["drawer"] = drawer = drawer_open_for(clerk=user, court=case.court)
        if form is not None and drawer is None:  # refused: the drawer closed meanwhile
            context["refused"] = form
        if drawer is not None:
            context["form"] = form or PaymentForm(
                parties=_payer_parties(case),
                initial={"court": case.court.code, "number": case.number},
            )
        else:
            back = f"{reverse('payments:counter')}?" + urlencode(
                {"number": case.number, "court": case.court.code}
            )
            context["open_drawer_url"] = f"{reverse('payments:drawers')}?" + urlencode(
                {"court": case.court.code, "next": back}
            )
    return context


@role_required(*CASHIERS)
@require_GET
def counter(request: HttpRequest) -> HttpResponse:
    """The counter: look up a case (htmx), see what it owes, take the payment."""
    lookup = CaseLookupForm(request.GET or None)
    case = None
    if lookup.is_bound and lookup.is_valid():
        try:
            case = _counter_case(
                request, lookup.cleaned_data["number"], lookup.cleaned_data["court"]
            )
        except Http404:
            lookup.add_error(
                "number",
                ValidationError(
                    "No case you can see has that number. (CASE_NOT_FOUND)", code="CASE_NOT_FOUND"
                ),
            )
        except DomainError as exc:
            _domain_error(lookup, exc, {"court": "number"})
        else:
            if not can_see_money(request.user, case):  # another court's public case
                lookup.add_error(
                    "number",
                    ValidationError(
                        f"{case.number} is kept by {case.court.name}; its money is shown to "
                        "that court's staff. (MONEY_NOT_SHOWN)",
                        code="MONEY_NOT_SHOWN",
                    ),
                )
                case = None
            else:
                case_read_audit(case=case, user=request.user, surface="page.counter")
    context = {"lookup": lookup, **_counter_context(request, case)}
    if _is_partial(request):
        return render(request, "payments/_counter_work.html", context)
    active = court_active_for(request)
    context["active_drawer"] = (
        drawer_open_for(clerk=request.user, court=active) if active is not None else None
    )
    return render(request, "payments/counter.html", context)


@role_required(*CASHIERS)
@require_POST
def counter_pay(request: HttpRequest) -> HttpResponse:
    """Post the payment into the clerk's open drawer, once per form (its token).

    A second submit of the same form (a double click, a reload, a retry after a lost
    answer) replays the first answer: the same receipt, no second payment. Refused input
    writes nothing and the form comes back with the field errors.
    """
    court_code = request.POST.get("court", "")
    number = request.POST.get("number", "")
    case = case_get_visible(request.user, number, court_code=court_code or None)
    if not can_see_money(request.user, case):
        raise PermissionDenied("The money of this case is not shown to you.")
    form = PaymentForm(request.POST, parties=_payer_parties(case))
    if form.is_valid():
        d = form.cleaned_data
        user = request.user

        def perform() -> tuple[int, dict]:
            drawer = drawer_open_for(clerk=user, court=case.court)
            if drawer is None:
                raise DomainError(
                    "DRAWER_NOT_OPEN",
                    "You have no open drawer in this court; open one first.",
                    field="drawer",
                    status=409,
                )
            payment = payment_post(
                case=case,
                amount=d["amount"],
                method=d["method"],
                payer_name=d["payer_name"],
                payer_party=d["payer_party"],
                reference=d["reference"],
                drawer=drawer,
                posted_by=user,
            )
            return 201, {"payment": payment.pk, "receipt": payment.receipt.number}

        fingerprint = request_fingerprint(
            case.pk, d["amount"], d["method"], d["payer"], d["payer_name"], d["reference"]
        )
        try:
            _status, body, replayed = idempotency_run(
                user=user,
                scope=COUNTER_SCOPE,
                key=str(d["token"]),
                request_hash=fingerprint,
                perform=perform,
            )
        except DomainError as exc:
            if exc.code == "IDEMPOTENCY_KEY_REUSED":
                # This form already posted a payment, and has been changed since: a new
                # payment needs a new form (a fresh token), never the old one re-used.
                data = request.POST.copy()
                data["token"] = str(uuid.uuid4())
                form = PaymentForm(data, parties=_payer_parties(case))
                form.is_valid()
                form.add_error(
                    None,
                    ValidationError(
                        "This form already posted a payment. Check the amounts and submit "
                        "again to take a new payment. (IDEMPOTENCY_KEY_REUSED)",
                        code=exc.code,
                    ),
                )
            else:
                payer_field = "payer_name" if d["payer"] == OTHER_PAYER else "payer"
                _domain_error(
                    form,
                    exc,
                    {"payer": payer_field, "payer_party": "payer", "drawer": None},
                )
        else:
            number = body["receipt"]
            if replayed:
                messages.info(request, f"That payment was already posted: receipt {number}.")
                return redirect(_receipt_url(number, case.court.code))
            return redirect(_receipt_url(number, case.court.code, posted=1))
    lookup = CaseLookupForm(initial={"number": case.number, "court": case.court.code})
    context = {"lookup": lookup, **_counter_context(request, case, form=form)}
    active = court_active_for(request)
    context["active_drawer"] = (
        drawer_open_for(clerk=request.user, court=active) if active is not None else None
    )
    return render(request, "payments/counter.html", context)


# --- receipts ------------------------------------------------------------------------------


@require_GET
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """A receipt as a page: its facts and allocation, its prints, and "Print receipt"."""
    found = receipt_for_reader(
        request.user, number, court_code=request.GET.get("court") or None, surface="page.receipt"
    )
    prints = list(
        ReceiptPrint.objects.filter(receipt=found).select_related("printed_by").order_by("pk")
    )
    return render(
        request,
        "payments/receipt.html",
        {
            "f": receipt_facts(found),
            "prints": prints,
            "posted": request.GET.get("posted") == "1",
            "pdf_url": f"{reverse('payments:receipt_pdf', args=[found.number])}?"
            + urlencode({"court": found.court.code}),
            "may_take": can_take_payments(request.user, found.court),
        },
    )


@require_GET
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The printable receipt (PDF). Every fetch is a print, recorded and audited; every
    print after the first says REPRINT."""
    found = receipt_for_reader(
        request.user, number, court_code=request.GET.get("court") or None, surface="pdf.receipt"
    )
    try:
        content, printed = receipt_print_pdf(receipt=found, by=request.user)
    except DomainError as exc:  # RECEIPT_PRINT_NOT_ALLOWED: not the clerk's office
        audit_denied(request, reason=exc.code, receipt=found.number)
        raise PermissionDenied(exc.message) from exc
    return receipt_pdf_response(content, found.number, reprint=printed.is_reprint)


def receipt_pdf_response(content: bytes, number: str, *, reprint: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    suffix = "-reprint" if reprint else ""
    response["Content-Disposition"] = f'inline; filename="receipt-{number}{suffix}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- drawers -------------------------------------------------------------------------------


def _drawer_payments(drawer: CashDrawer) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(drawer=drawer)
        .select_related("case__court", "receipt", "void")
        .order_by("-received_at", "-pk")[:DRAWER_PAYMENTS]
    )


def _drawer_for(request: HttpRequest, pk: int) -> CashDrawer:
    """A drawer its clerk or a supervisor of its court may see; else 404."""
    drawer = get_object_or_404(CashDrawer.objects.select_related("court", "clerk"), pk=pk)
    user = request.user
    if drawer.clerk_id != user.pk and not can_supervise_money(user, drawer.court):
        raise Http404("No such drawer.")
    return drawer


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _supervised_courts(request: HttpRequest) -> list:
    return [c for c in court_list_for_request(request) if can_supervise_money(request.user, c)]


def _drawer_court(request: HttpRequest):
    """The court whose drawer the page is about: the one asked for (`court`, e.g. from the
    counter on another court's case) when the user works there, else the active court."""
    code = request.POST.get("court") or request.GET.get("court") or ""
    if code:
        for court in court_list_for_request(request):
            if court.code == code:
                return court
    return court_active_for(request)


def _drawers_context(request: HttpRequest, *, open_form=None, close_form=None) -> dict:
    user = request.user
    court = _drawer_court(request)
    drawer = drawer_open_for(clerk=user, court=court) if court is not None else None
    context = {
        "court": court,
        "drawer": drawer,
        "may_keep": court is not None and can_take_payments(user, court),
        "next": _next_url(request),
    }
    if drawer is not None:
        context["expected"] = drawer_expected(drawer)
        context["payments"] = list(_drawer_payments(drawer))
        context["close_form"] = close_form or DrawerCloseForm()
    else:
        context["open_form"] = open_form or DrawerOpenForm(initial={"opening_float": "100.00"})
    context["recent"] = list(
        CashDrawer.objects.filter(clerk=user)
        .exclude(status=DrawerStatus.OPEN)
        .select_related("court", "closeout")
        .order_by("-opened_at")[:10]
    )
    supervised = _supervised_courts(request)
    context["supervises"] = bool(supervised)
    if supervised:
        context["awaiting"] = list(
            CashDrawer.objects.filter(court__in=supervised, status=DrawerStatus.CLOSED)
            .select_related("court", "clerk", "closeout")
            .order_by("business_date", "pk")
        )
    return context


@role_required(*CASHIERS)
@require_GET
def drawers(request: HttpRequest) -> HttpResponse:
    """My drawer (open one; what it should hold by method; close it by counting), my
    recent drawers, close-outs awaiting a supervisor's approval, the deposit report."""
    return render(request, "payments/drawers.html", _drawers_context(request))


@role_required(*CASHIERS)
@require_POST
def drawer_open_view(request: HttpRequest) -> HttpResponse:
    form = DrawerOpenForm(request.POST)
    court = _drawer_court(request)
    if court is None:
        raise Http404
    if form.is_valid():
        try:
            drawer = drawer_open(
                court=court, clerk=request.user, opening_float=form.cleaned_data["opening_float"]
            )
        except DomainError as exc:
            _domain_error(form, exc, {})
        else:
            messages.success(
                request, f"Drawer {drawer.pk} is open with a float of ${drawer.opening_float}."
            )
            return redirect(_next_url(request) or reverse("payments:drawers"))
    return render(request, "payments/drawers.html", _drawers_context(request, open_form=form))


@role_required(*CASHIERS)
@require_POST
def drawer_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    drawer = _drawer_for(request, pk)
    form = DrawerCloseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            closeout = drawer_close(
                drawer=drawer,
                counted_cash=d["counted_cash"],
                counted_checks=d["counted_checks"],
                note=d["note"],
                by=request.user,
            )
        except DomainError as exc:
            _domain_error(form, exc, {})
        else:
            if closeout.over_short < 0:
                text = f"Drawer {drawer.pk} closed ${-closeout.over_short} short."
            elif closeout.over_short > 0:
                text = f"Drawer {drawer.pk} closed ${closeout.over_short} over."
            else:
                text = f"Drawer {drawer.pk} closed and balanced."
            messages.success(request, f"{text} It awaits a supervisor's approval.")
            return redirect("payments:drawer", drawer.pk)
    if drawer.clerk_id != request.user.pk:  # a supervisor closing another clerk's drawer
        return render(
            request, "payments/drawer.html", _drawer_detail_context(request, drawer, form)
        )
    return render(request, "payments/drawers.html", _drawers_context(request, close_form=form))


def _drawer_detail_context(request, drawer: CashDrawer, close_form=None, approve_form=None):
    user = request.user
    closeout = getattr(drawer, "closeout", None)
    approval = getattr(closeout, "approval", None) if closeout else None
    supervises = can_supervise_money(user, drawer.court)
    context = {
        "drawer": drawer,
        "closeout": closeout,
        "approval": approval,
        "expected": drawer_expected(drawer) if closeout is None else None,
        "payments": list(_drawer_payments(drawer)),
        "time_zone": drawer.court.time_zone,
    }
    if closeout is not None:  # each method's difference, as counted against the close-out
        context["cash_diff"] = closeout.counted_cash - closeout.expected_cash
        context["check_diff"] = closeout.counted_checks - closeout.expected_checks
    if drawer.status == DrawerStatus.OPEN and (supervises or drawer.clerk_id == user.pk):
        context["close_form"] = close_form or DrawerCloseForm()
    if approve_form is not None:  # refused: the form comes back with the service's code
        context["approve_form"] = approve_form
    elif (
        drawer.status == DrawerStatus.CLOSED
        and closeout is not None
        and supervises
        and drawer.clerk_id != user.pk
    ):
        context["approve_form"] = DrawerApproveForm()
    return context


@role_required(*CASHIERS)
@require_GET
def drawer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One drawer: its payments, and its close-out (expected vs. counted, over/short) and
    approval; a supervisor approves it here."""
    drawer = _drawer_for(request, pk)
    return render(request, "payments/drawer.html", _drawer_detail_context(request, drawer))


@role_required(*CASHIERS)
@require_POST
def drawer_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    drawer = _drawer_for(request, pk)
    closeout = getattr(drawer, "closeout", None)
    if closeout is None:
        raise Http404
    form = DrawerApproveForm(request.POST)
    if form.is_valid():
        try:
            drawer_approve(closeout=closeout, by=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            _domain_error(form, exc, {})
        else:
            messages.success(request, f"Close-out of drawer {drawer.pk} approved.")
            return redirect("payments:drawer", drawer.pk)
    drawer.refresh_from_db()
    return render(
        request,
        "payments/drawer.html",
        _drawer_detail_context(request, drawer, approve_form=form),
    )


@role_required(*CASHIERS)
@require_GET
def deposits(request: HttpRequest) -> HttpResponse:
    """The day's deposit for a court: each drawer's takings by method, over/short, totals."""
    courts = [c for c in court_list_for_request(request) if can_take_payments(request.user, c)]
    active = court_active_for(request)
    default_court = active if active in courts else (courts[0] if courts else None)
    initial = {
        "court": default_court.code if default_court else "",
        "date": court_local_date(default_court) if default_court else None,
    }
    form = DepositReportForm(request.GET or None, courts=courts, initial=initial)
    report = None
    if form.is_bound:
        if form.is_valid():
            report = deposit_report(
                court=form.cleaned_data["court"], business_date=form.cleaned_data["date"]
            )
    elif default_court is not None:
        report = deposit_report(court=default_court, business_date=initial["date"])
    return render(request, "payments/deposits.html", {"form": form, "report": report})
