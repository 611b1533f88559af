"""The day's calendar of a court: the page (printable) and the PDF docket sheet.

Open to everyone, the public included: hearing dates of public cases are public
record. What each reader sees of a case follows `docket.calendar` (a case the reader
may not see keeps its time, room and type, under the court's placeholder caption).
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from casemgmt.core.models import Court
from casemgmt.core.selectors import court_active_for, court_public_list

from .calendar import (
    GROUP_BY_COURTROOM,
    GROUP_BY_JUDGE,
    calendar_courtrooms,
    calendar_day,
    calendar_judges,
    calendar_read_audit,
    judge_name,
)


class CalendarFilterForm(forms.Form):
    court = forms.ChoiceField(label="Court")
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    courtroom = forms.TypedChoiceField(
        label="Courtroom", coerce=int, required=False, empty_value=None
    )
    judge = forms.TypedChoiceField(label="Judge", coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(
        label="Group by",
        required=False,
        choices=[(GROUP_BY_COURTROOM, "Courtroom"), (GROUP_BY_JUDGE, "Judge")],
    )

    def __init__(self, *args, courts, courtrooms, judges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = [(c.code, c.name) for c in courts]
        self.fields["courtroom"].choices = [("", "All courtrooms")] + [
            (r.pk, r.name) for r in courtrooms
        ]
        self.fields["judge"].choices = [("", "All judges")] + [
            (j.pk, judge_name(j)) for j in judges
        ]
        self.courtrooms = {r.pk: r for r in courtrooms}
        self.judges = {j.pk: j for j in judges}


def _resolve(request: HttpRequest):
    """(court or None, the bound filter form or None, courts) from the query string.

    The court defaults to the signed-in user's active court; the date to the court's
    today. An unknown court code is 404.
    """
    courts = list(court_public_list())
    code = request.GET.get("court", "")
    if code:
        court = next((c for c in courts if c.code == code), None)
        if court is None:
            raise Http404("No such court.")
    else:
        active = court_active_for(request)
        court = next((c for c in courts if active and c.pk == active.pk), None)
        if court is None and len(courts) == 1:
            court = courts[0]
    if court is None:
        return None, None, courts
    data = {
        "court": court.code,
        "date": request.GET.get("date") or court.local_today().isoformat(),
        "courtroom": request.GET.get("courtroom", ""),
        "judge": request.GET.get("judge", ""),
        "group": request.GET.get("group") or GROUP_BY_COURTROOM,
    }
    form = CalendarFilterForm(
        data, courts=courts, courtrooms=calendar_courtrooms(court), judges=calendar_judges(court)
    )
    return court, form, courts


def _day_of(request: HttpRequest, court: Court, form: CalendarFilterForm):
    d = form.cleaned_data
    return calendar_day(
        request.user,
        court=court,
        day=d["date"],
        courtroom=form.courtrooms.get(d["courtroom"]) if d["courtroom"] else None,
        judge=form.judges.get(d["judge"]) if d["judge"] else None,
        group_by=d["group"] or GROUP_BY_COURTROOM,
    )


def _query(form: CalendarFilterForm, **changes) -> str:
    d = {**form.cleaned_data, **changes}
    params = {"court": d["court"], "date": d["date"].isoformat()}
    if d.get("courtroom"):
        params["courtroom"] = d["courtroom"]
    if d.get("judge"):
        params["judge"] = d["judge"]
    if d.get("group") and d["group"] != GROUP_BY_COURTROOM:
        params["group"] = d["group"]
    return urlencode(params)


@require_GET
def day(request: HttpRequest) -> HttpResponse:
    """The day's calendar: by courtroom (or judge), in time order, printable."""
    court, form, courts = _resolve(request)
    if court is None:
        return render(request, "docket/calendar_choose.html", {"courts": courts})
    calendar = None
    links = {}
    if form.is_valid():
        calendar = _day_of(request, court, form)
        calendar_read_audit(calendar=calendar, user=request.user, surface="calendar.page")
        here = reverse("calendar:day")
        links = {
            "previous": f"{here}?{_query(form, date=calendar.previous_court_day)}",
            "next": f"{here}?{_query(form, date=calendar.next_court_day)}",
            "today": f"{here}?{_query(form, date=court.local_today())}",
            "pdf": f"{reverse('calendar:sheet_pdf')}?{_query(form)}",
        }
    response = render(
        request,
        "docket/calendar.html",
        {
            "court": court,
            "form": form,
            "calendar": calendar,
            "by_judge": calendar is not None and calendar.group_by == GROUP_BY_JUDGE,
            "links": links,
            "printed_at": timezone.localtime(timezone.now(), court.tzinfo),
        },
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def sheet_pdf(request: HttpRequest) -> HttpResponse:
    """The day's docket sheet as a PDF (WeasyPrint), same filters and rules as the page."""
    from .pdf import docket_sheet_pdf

    court, form, _courts = _resolve(request)
    if court is None:
        return HttpResponseBadRequest("Say which court (?court=CODE).")
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
    calendar = _day_of(request, court, form)
    calendar_read_audit(calendar=calendar, user=request.user, surface="calendar.pdf")
    content = docket_sheet_pdf(
        calendar, printed_at=timezone.localtime(timezone.now(), court.tzinfo)
    )
    name = f"docket-{court.code}-{calendar.date:%Y-%m-%d}"
    if calendar.courtroom is not None:
        name += f"-room{calendar.courtroom.pk}"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response
