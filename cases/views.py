"""The counter's pages: open a case, find a case, the case file."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.pagination import paginate_without_count
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.selectors import court_active_for, court_list_for_user

from .forms import (
    AppearanceFormSet,
    CaseAppearanceForm,
    CaseSearchForm,
    ChargeEventForm,
    ChargeForm,
    ChargeFormSet,
    IntakeForm,
    PartyForm,
    PartyFormSet,
    TransitionForm,
)
from .models import PROSECUTION_CATEGORIES, Appearance, CaseStatus, Charge, Person, court_local_date
from .panels import case_panels_for
from .policies import RECORD_KEEPERS, can_keep_record, can_see_contact_details
from .selectors import (
    CaseSearch,
    case_file_get,
    case_get_visible,
    case_search,
    docket_entry_list_visible,
    person_suggest,
)
from .services import (
    TRANSITIONS,
    AppearanceInput,
    ChargeInput,
    IntakeInput,
    PartyInput,
    appearance_enter,
    appearance_withdraw,
    case_open,
    case_party_add,
    case_read_audit,
    case_transition,
    charge_add,
    charge_dispose,
    charge_plea_enter,
)

SEARCH_PAGE_SIZE = 50


def _intake_courts(user):
    return [c for c in court_list_for_user(user) if can_keep_record(user, court=c)]


def _filled(formset) -> list[tuple[int, dict]]:
    """(form index, cleaned data) of the rows the clerk filled in."""
    return [
        (i, f.cleaned_data)
        for i, f in enumerate(formset.forms)
        if f.has_changed() and f.cleaned_data
    ]


@role_required(*RECORD_KEEPERS)
def intake(request: HttpRequest) -> HttpResponse:
    """Open a case: one page, one submit, one transaction."""
    courts = _intake_courts(request.user)
    active = court_active_for(request)
    today = court_local_date(active or courts[0]) if (active or courts) else None
    if request.method == "POST":
        form = IntakeForm(request.POST, courts=courts)
        parties = PartyFormSet(request.POST, prefix="parties")
        attorneys = AppearanceFormSet(request.POST, prefix="attorneys")
        charges = ChargeFormSet(request.POST, prefix="charges")
        if form.is_valid() and parties.is_valid() and attorneys.is_valid() and charges.is_valid():
            case = _open_from_forms(request, form, parties, attorneys, charges)
            if case is not None:
                return redirect(
                    reverse("cases:detail", args=[case.court.code, case.number]) + "?opened=1"
                )
    else:
        form = IntakeForm(courts=courts, initial={"filed_on": today})
        parties = PartyFormSet(prefix="parties", initial=[{"role": "defendant"}])
        attorneys = AppearanceFormSet(prefix="attorneys")
        charges = ChargeFormSet(prefix="charges")
    categories = json.dumps({str(t.pk): t.category for t in form.fields["case_type"].queryset})
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "parties": parties,
            "attorneys": attorneys,
            "charges": charges,
            "type_categories": categories,
            "no_courts": not courts,
        },
    )


def _open_from_forms(request, form, parties, attorneys, charges):
    data = form.cleaned_data
    case_type = data["case_type"]
    party_rows = _filled(parties)
    position = {form_index: n for n, (form_index, _row) in enumerate(party_rows)}
    party_inputs = []
    for _i, row in party_rows:
        person = (
            Person.objects.filter(pk=row["person_id"]).first() if row.get("person_id") else None
        )
        fields = {k: v for k, v in row.items() if k in PartyInput.PERSON_FIELDS and v is not None}
        party_inputs.append(PartyInput(role=row["role"], person=person, **fields))
    appearance_inputs = []
    for i, row in _filled(attorneys):
        party_index = position.get(row["party_index"] - 1)
        if party_index is None:
            attorneys.forms[i].add_error("party_index", "There is no party with that number.")
            return None
        appearance_inputs.append(AppearanceInput(attorney=row["attorney"], party_index=party_index))
    charge_inputs = [
        ChargeInput(r["statute_code"], r["statute_text"], r["charge_class"], r["offense_date"])
        for _i, r in _filled(charges)
    ]
    try:
        return case_open(
            data=IntakeInput(
                court=case_type.court,
                case_type=case_type,
                parties=party_inputs,
                appearances=appearance_inputs,
                charges=charge_inputs,
                filed_on=data["filed_on"],
                confidentiality=data["confidentiality"] or None,
                judge=data["judge"],
                intake_key=data["intake_key"],
            ),
            opened_by=request.user,
        )
    except ValidationError as exc:
        _apply_errors(
            exc,
            form,
            parties,
            attorneys,
            charges,
            [i for i, _ in party_rows],
            [i for i, _ in _filled(charges)],
        )
        return None


def _apply_errors(exc, form, parties, attorneys, charges, party_rows, charge_rows):
    """Put the service's field-keyed errors next to the fields they are about."""
    sets = {
        "parties": (parties, party_rows),
        "charges": (charges, charge_rows),
        "appearances": (attorneys, None),
    }
    for key, errors in exc.error_dict.items():
        head, _, rest = key.partition(".")
        if head in sets:
            formset, rows = sets[head]
            if not rest:
                formset._non_form_errors = formset._non_form_errors or ErrorList()
                formset._non_form_errors.extend(e.message for e in errors)
                continue
            index, _, field = rest.partition(".")
            form_index = rows[int(index)] if rows is not None else int(index)
            target = formset.forms[form_index]
            target.add_error(field if field in target.fields else None, errors)
        else:
            form.add_error(key if key in form.fields else None, errors)


@role_required(*RECORD_KEEPERS)
@require_GET
def intake_party_row(request: HttpRequest) -> HttpResponse:
    """An empty party row for the intake page (htmx)."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 39))
    except ValueError:
        index = 0
    form = PartyForm(prefix=f"parties-{index}")
    return render(
        request, "cases/_party_row.html", {"pform": form, "index": index, "number": index + 1}
    )


@role_required(*RECORD_KEEPERS)
@require_GET
def intake_row(request: HttpRequest, kind: str) -> HttpResponse:
    """An empty attorney or charge row for the intake page (htmx)."""
    formset = {"attorneys": AppearanceFormSet, "charges": ChargeFormSet}[kind]
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 59))
    except ValueError:
        index = 0
    form = formset(prefix=kind).empty_form
    form.prefix = f"{kind}-{index}"
    return render(
        request, f"cases/_{kind}_row.html", {"rform": form, "index": index, "number": index + 1}
    )


@role_required(*RECORD_KEEPERS)
@require_GET
def person_suggestions(request: HttpRequest) -> HttpResponse:
    """People already on file who look like the one being typed (duplicate detection)."""
    row = request.GET.get("row", "0")
    prefix = f"parties-{row}-"
    name = " ".join(
        request.GET.get(prefix + f, "").strip()
        for f in ("first_name", "last_name", "organization_name")
    )
    try:
        dob = forms.DateField(required=False).clean(request.GET.get(prefix + "date_of_birth", ""))
    except ValidationError:
        dob = None
    people = person_suggest(name=name, date_of_birth=dob)
    return render(request, "cases/_suggestions.html", {"people": people, "row": row})


def search(request: HttpRequest) -> HttpResponse:
    """Find a case by number, party name (fuzzy), DOB, attorney, status, type or dates."""
    public = not request.user.is_authenticated
    form = CaseSearchForm(request.GET or None, public=public)
    page = None
    if form.is_bound and form.is_valid() and form.has_criteria:
        d = form.cleaned_data
        criteria = CaseSearch(
            q=d["q"],
            date_of_birth=d.get("date_of_birth"),
            bar_number=d["bar_number"],
            status=d["status"],
            case_type=d["case_type"],
            filed_from=d["filed_from"],
            filed_to=d["filed_to"],
        )
        try:
            results = case_search(request.user, criteria)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            page = paginate_without_count(results, request.GET.get("page"), SEARCH_PAGE_SIZE)
            only = page.object_list[0] if len(page.object_list) == 1 else None
            if only is not None and d["q"].strip().upper() == only.number:
                return redirect("cases:detail", only.court.code, only.number)  # exact number
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "cases/search.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def detail(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """The case file: header, parties, attorneys, charges, register of actions, panels."""
    case = case_get_visible(request.user, number, court_code=court)
    case_read_audit(case=case, user=request.user, surface="page")
    case_file = case_file_get(request.user, case)
    keeper = can_keep_record(request.user, case)
    today = court_local_date(case.court)
    transition_form = None
    record_forms = None
    if keeper:
        for charge in case_file.charges:  # a plea / disposition form on each count
            charge.event_form = ChargeEventForm(
                prefix=f"count{charge.count_number}", initial={"date": today}
            )
        record_forms = {
            "party": PartyForm(prefix="party"),
            "charge": ChargeForm(prefix="charge")
            if case.case_type.category in PROSECUTION_CATEGORIES
            else None,
            "appearance": CaseAppearanceForm(parties=case_file.parties, prefix="appearance"),
        }
        transition_form = TransitionForm(initial={"date": today})
        allowed = [to for (frm, to) in TRANSITIONS if frm == case.status]
        transition_form.fields["to"].choices = [(s, CaseStatus(s).label) for s in allowed]
    return render(
        request,
        "cases/detail.html",
        {
            "cf": case_file,
            "case": case,
            "keeper": keeper,
            "transition_form": transition_form,
            "record_forms": record_forms,
            "show_contact": can_see_contact_details(case_file.level),
            "opened": request.GET.get("opened") == "1",
            "panels": case_panels_for(request, case_file),
        },
    )


def _record_keeper_case(request, court: str, number: str):
    """The visible case, if the user keeps its record; else 404 (not visible) or 403."""
    case = case_get_visible(request.user, number, court_code=court)
    if not can_keep_record(request.user, case):
        audit_denied(request, reason="not_record_keeper", case=case.number)
        raise PermissionDenied
    return case


def _report(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label or 'Form'}: {' '.join(errors)}")


@require_POST
def party_add(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """Add a party after intake (case page)."""
    case = _record_keeper_case(request, court, number)
    form = PartyForm(request.POST, prefix="party")
    if form.is_valid():
        row = form.cleaned_data
        person = (
            Person.objects.filter(pk=row["person_id"]).first() if row.get("person_id") else None
        )
        fields = {k: v for k, v in row.items() if k in PartyInput.PERSON_FIELDS and v is not None}
        try:
            added = case_party_add(
                case=case,
                party=PartyInput(role=row["role"], person=person, **fields),
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                messages.error(request, f"{field.replace('_', ' ')}: {' '.join(errors)}")
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(
                request, f"{added.person} added as {added.get_role_display().lower()}."
            )
    else:
        _report(request, form)
    return redirect(reverse("cases:detail", args=[case.court.code, case.number]) + "#h-parties")


@require_POST
def charge_add_view(request: HttpRequest, court: str, number: str) -> HttpResponse:
    case = _record_keeper_case(request, court, number)
    form = ChargeForm(request.POST, prefix="charge")
    if form.is_valid():
        d = form.cleaned_data
        try:
            charge = charge_add(
                case=case,
                charge=ChargeInput(
                    d["statute_code"], d["statute_text"], d["charge_class"], d["offense_date"]
                ),
                actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(request, f"Count {charge.count_number} added.")
    else:
        _report(request, form)
    return redirect(reverse("cases:detail", args=[case.court.code, case.number]) + "#h-charges")


@require_POST
def appearance_enter_view(request: HttpRequest, court: str, number: str) -> HttpResponse:
    case = _record_keeper_case(request, court, number)
    parties = list(case.parties.select_related("person"))
    form = CaseAppearanceForm(request.POST, parties=parties, prefix="appearance")
    if form.is_valid():
        party = next((p for p in parties if p.pk == form.cleaned_data["party"]), None)
        try:
            appearance_enter(
                case=case, attorney=form.cleaned_data["attorney"], party=party, actor=request.user
            )
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(request, "Appearance entered.")
    else:
        _report(request, form)
    return redirect(reverse("cases:detail", args=[case.court.code, case.number]) + "#h-attorneys")


@require_POST
def appearance_withdraw_view(
    request: HttpRequest, court: str, number: str, pk: int
) -> HttpResponse:
    case = _record_keeper_case(request, court, number)
    appearance = get_object_or_404(Appearance, pk=pk, case=case)
    try:
        appearance_withdraw(appearance=appearance, actor=request.user)
    except DomainError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
    else:
        messages.success(request, "Withdrawal recorded.")
    return redirect(reverse("cases:detail", args=[case.court.code, case.number]) + "#h-attorneys")


@require_POST
def charge_event(request: HttpRequest, court: str, number: str, count: int) -> HttpResponse:
    """Enter a plea or a disposition on one count."""
    case = _record_keeper_case(request, court, number)
    charge = get_object_or_404(Charge, case=case, count_number=count)
    form = ChargeEventForm(request.POST, prefix=f"count{count}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["what"] == "plea":
                charge_plea_enter(
                    charge=charge, plea=d["value"], plea_date=d["date"], actor=request.user
                )
            else:
                charge_dispose(
                    charge=charge,
                    disposition=d["value"],
                    disposition_date=d["date"],
                    actor=request.user,
                )
        except DomainError as exc:
            messages.error(request, f"Count {count}: {exc.message} ({exc.code})")
        else:
            messages.success(request, f"Count {count}: {d['what']} recorded.")
    else:
        _report(request, form)
    return redirect(reverse("cases:detail", args=[case.court.code, case.number]) + "#h-charges")


REGISTER_PAGE_SIZE = 200


@require_GET
def register(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """The full register of actions, oldest first, 200 entries to a page."""
    case = case_get_visible(request.user, number, court_code=court)
    case_read_audit(case=case, user=request.user, surface="register")
    entries = docket_entry_list_visible(request.user, case)
    page = paginate_without_count(entries, request.GET.get("page"), REGISTER_PAGE_SIZE)
    return render(request, "cases/register.html", {"case": case, "page": page, "query": ""})


@require_POST
def transition(request: HttpRequest, court: str, number: str) -> HttpResponse:
    case = _record_keeper_case(request, court, number)
    form = TransitionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            case_transition(
                case=case,
                to=d["to"],
                actor=request.user,
                effective_on=d["date"],
                reason=d["reason"],
                inactive_reason=d["inactive_reason"],
            )
        except DomainError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
        else:
            messages.success(request, f"The case is now {CaseStatus(d['to']).label.lower()}.")
    else:
        _report(request, form)
    return redirect("cases:detail", case.court.code, case.number)
