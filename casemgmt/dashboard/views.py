"""The supervisor's dashboard (thin: selectors, drilldowns, tables and exports do the work).

- `/dashboard/`: court performance (CourTools 2, 3, 4, 5, 7), compliance and the diversion
  programs for one of the supervisor's courts, a case type and a period, all in the URL.
- `/dashboard/<list>/`: the cases behind a number, 50 to a page, with the same filters.
- `/dashboard/<measure or list>.csv`: the measure's table or the whole list, streamed; a
  list longer than DASHBOARD_EXPORT_INLINE_MAX_ROWS is written by the worker instead
  (`export_jobs`, pages in `export_views`: progress, then the download).

Supervisors (and superusers) only: the public is sent to sign in, everyone else 403.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.core.audit import audit_record
from casemgmt.core.policies import role_required
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_active_for, court_list_for_request

from .drilldowns import DRILLDOWNS, drilldown_params
from .export_jobs import export_inline_max_rows, export_job_request
from .exports import FIGURE_EXPORTS, export_record, figure_csv, list_csv
from .forms import DashboardFilterForm, scope_query
from .selectors import MEASURES, dashboard_figures
from .tables import compliance_sections, performance_sections, programs_sections

SUPERVISORS = (Role.SUPERVISOR,)


def _filter_form(request: HttpRequest) -> DashboardFilterForm:
    # The user's courts (every court for a superuser), loaded once with the active court.
    default = court_active_for(request)
    return DashboardFilterForm(
        request.GET, courts=court_list_for_request(request), default_court=default
    )


@require_GET
@role_required(*SUPERVISORS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return render(request, "dashboard/index.html", {"form": form}, status=400)
    scope = form.scope()
    figures = dashboard_figures(scope)
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "scope": scope,
            "performance": performance_sections(figures, scope),
            "compliance": compliance_sections(figures, scope),
            "programs": programs_sections(figures, scope),
        },
    )


def _cells(drilldown, row: dict) -> list[dict]:
    cells = []
    for column in drilldown.columns:
        value = row.get(column.key)
        cell = {"kind": column.kind, "value": value, "href": ""}
        if column.kind == "case":
            cell["href"] = reverse("cases:detail", args=[value.court.code, value.number])
        cells.append(cell)
    return cells


@require_GET
@role_required(*SUPERVISORS)
def drilldown(request: HttpRequest, slug: str) -> HttpResponse:
    drilldown = DRILLDOWNS.get(slug)
    if drilldown is None:
        raise Http404("No such list.")
    form = _filter_form(request)
    context = {"form": form, "drilldown": drilldown, "measure": MEASURES[drilldown.measure]}
    if not form.is_valid():
        return render(request, "dashboard/drilldown.html", context, status=400)
    params = drilldown_params(drilldown, request.GET)
    scope = form.scope()
    listing = drilldown.build(scope, request.user, params)
    page = listing.page(request.GET.get("page"))
    shown = sorted(
        {
            row["case"].number
            for row in page.object_list
            if row.get("case") is not None and row["case"].reads_are_audited
        }
    )
    if shown:
        # Sealed and juvenile cases named on a list are reads of them, as on a calendar.
        audit_record(
            action="case.read",
            actor=request.user,
            court=scope.court,
            details={"surface": f"dashboard.{slug}", "cases": shown},
        )
    query = scope_query(scope, **params)
    return render(
        request,
        "dashboard/drilldown.html",
        {
            **context,
            "scope": scope,
            "subtitle": drilldown.subtitle(params),
            "params": params,
            "page": page,
            "total": page.paginator.count,
            "csv_in_worker": page.paginator.count > export_inline_max_rows(),
            "rows": [_cells(drilldown, row) for row in page.object_list],
            "query": query,
            "csv_href": f"{reverse('dashboard:export', args=[slug])}?{query}",
            "back_href": f"{reverse('dashboard:index')}?{scope_query(scope)}#{drilldown.measure}",
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """A measure's table (`FIGURE_EXPORTS`) or a whole drill-down list as CSV, streamed; a
    list longer than DASHBOARD_EXPORT_INLINE_MAX_ROWS is asked of the worker instead.

    Asking the worker makes a job (audited), so it takes a POST (the list page's button,
    CSRF-checked); the answer is a redirect to the job's page (the same job while it is
    being written). A GET of a long list answers with a page that says so and offers the
    button. The filters are the query string's, whatever the method."""
    figure = FIGURE_EXPORTS.get(slug)
    drilldown = DRILLDOWNS.get(slug)
    if figure is None and drilldown is None:
        raise Http404("No such export.")
    form = _filter_form(request)
    if not form.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in form.errors.items()
        )
        return HttpResponse(
            f"The filters are not valid: {errors}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    scope = form.scope()
    if figure is not None:
        params: dict = {}
        lines = list(figure_csv(figure, scope))  # a handful of rows, computed before sending
        audited: list[str] = []
    else:
        params = drilldown_params(drilldown, request.GET)
        listing = drilldown.build(scope, request.user, params)
        total = listing.count()
        if total > export_inline_max_rows():
            # Too long for the request: the worker writes it (export_jobs), with progress.
            if request.method != "POST":
                return render(
                    request,
                    "dashboard/exports/ask.html",
                    {
                        "title": drilldown.title,
                        "subtitle": drilldown.subtitle(params),
                        "scope": scope,
                        "total": total,
                        "action": request.get_full_path(),
                    },
                )
            job = export_job_request(
                user=request.user, scope=scope, export=slug, params=params, total=total
            )
            return redirect(reverse("dashboard:export_job", args=[job.pk]))
        audited = listing.audited_case_numbers()
        lines = list_csv(drilldown, listing)
    export_record(user=request.user, scope=scope, export=slug, params=params, audited_cases=audited)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = f"{slug}-{scope.court.code}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
