"""CSV exports of the dashboard: each measure's table, and each drill-down list.

A list is streamed row by row from its listing (chunks of CHUNK rows from the database),
so a long list never sits in memory. Every export is audited; an export naming sealed or
juvenile cases is also a read of them (`case.read`), as on every other surface.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from casemgmt.core.audit import audit_record
from cases.measures import percent
from programs.models import FlagKind, TerminationReason

from .drilldowns import Column, DrillDown, Listing
from .selectors import (
    DashboardScope,
    clearance_figure,
    collections_figure,
    deadlines_figure,
    disposition_figure,
    pending_age_figure,
    programs_figure,
    review_queue_figure,
    trial_certainty_figure,
)


class _Echo:
    """A file-like object whose write returns the line (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "case":
        return value.number
    if column.kind == "money":
        return f"{value:.2f}"
    if column.kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if column.kind == "number":
        return str(value)
    return csv_safe(str(value))


def list_csv(drilldown: DrillDown, listing: Listing) -> Iterator[str]:
    """A drill-down list as CSV lines, streamed."""
    columns = drilldown.columns
    rows = ([_cell(c, row.get(c.key)) for c in columns] for row in listing.rows())
    return csv_lines([c.header for c in columns], rows)


# --- the measures' tables -------------------------------------------------------------------


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}"


def _clearance(scope: DashboardScope) -> Iterator[list]:
    c = clearance_figure(scope)
    yield from (
        ["incoming", "new filings", c.filed],
        ["incoming", "reopened", c.reopened],
        ["incoming", "reactivated", c.reactivated],
        ["incoming", "total", c.incoming],
        ["outgoing", "dispositions", c.disposed],
        ["outgoing", "placed inactive", c.inactivated],
        ["outgoing", "total", c.outgoing],
        ["clearance rate (%)", "", _pct(c.rate)],
    )


def _disposition(scope: DashboardScope) -> Iterator[list]:
    d = disposition_figure(scope)
    for days, n in d.within.items():
        yield [f"within {days} days", n, _pct(d.percent_within[days])]
    yield ["disposed in the period", d.disposed, ""]
    yield ["median days", "" if d.median_days is None else d.median_days, ""]


def _pending_age(scope: DashboardScope) -> Iterator[list]:
    p = pending_age_figure(scope)
    for band in p.bands:
        yield [band.label, band.count, _pct(percent(band.count, p.pending))]
    yield ["active pending cases", p.pending, ""]


def _trial_certainty(scope: DashboardScope) -> Iterator[list]:
    t = trial_certainty_figure(scope)
    last = max(t.by_settings)
    for n, trials in t.by_settings.items():
        label = f"set {n} or more times" if n == last else f"set {n} time{'s' if n > 1 else ''}"
        yield [label, trials, _pct(percent(trials, t.held))]
    yield ["trials held", t.held, ""]
    yield [
        "average settings per trial",
        "" if t.average_settings is None else t.average_settings,
        "",
    ]


def _collections(scope: DashboardScope) -> Iterator[list]:
    c = collections_figure(scope)
    for k in [*c.by_kind, c.total]:
        yield [
            k.label,
            f"{k.ordered:.2f}",
            f"{k.waived:.2f}",
            f"{k.collected:.2f}",
            f"{k.outstanding:.2f}",
            _pct(k.rate),
        ]


def _deadlines(scope: DashboardScope) -> Iterator[list]:
    for row in deadlines_figure(scope):
        yield [csv_safe(row.owner_name), row.missed, row.at_risk]


def _review_queue(scope: DashboardScope) -> Iterator[list]:
    q = review_queue_figure(scope)
    for label, n in q.bands:
        yield [label, n]
    yield ["waiting", q.waiting]


def _program_outcomes(scope: DashboardScope) -> Iterator[list]:
    for f in programs_figure(scope).rows:
        yield [
            csv_safe(f.name),
            f.active,
            f.waitlisted,
            f.completed,
            f.terminated,
            _pct(f.completion_rate),
            "" if f.average_days is None else f.average_days,
        ]


def _program_terminations(scope: DashboardScope) -> Iterator[list]:
    for f in programs_figure(scope).rows:
        yield [
            csv_safe(f.name),
            f.terminated,
            *(f.terminated_by_reason.get(reason, 0) for reason in TerminationReason.values),
        ]


def _program_flags(scope: DashboardScope) -> Iterator[list]:
    for f in programs_figure(scope).rows:
        yield [
            csv_safe(f.name),
            f.open_flags,
            f.flags_raised,
            *(f.raised_by_kind.get(kind, 0) for kind in FlagKind.values),
        ]


@dataclass(frozen=True)
class FigureExport:
    header: list[str]
    rows: Callable[[DashboardScope], Iterator[list]]


FIGURE_EXPORTS: dict[str, FigureExport] = {
    "clearance-rate": FigureExport(["side", "part", "cases"], _clearance),
    "time-to-disposition": FigureExport(["standard", "cases", "percent"], _disposition),
    "pending-age": FigureExport(["age", "cases", "percent"], _pending_age),
    "trial-date-certainty": FigureExport(["times set", "trials", "percent"], _trial_certainty),
    "collection-rate": FigureExport(
        ["obligation kind", "ordered", "waived", "collected", "outstanding", "rate (%)"],
        _collections,
    ),
    "deadline-compliance": FigureExport(["responsible", "missed", "at risk"], _deadlines),
    "review-queue-age": FigureExport(["waiting", "filings"], _review_queue),
    "program-outcomes": FigureExport(
        [
            "program",
            "active today",
            "waitlisted today",
            "completed",
            "terminated",
            "completion rate (%)",
            "average days in program",
        ],
        _program_outcomes,
    ),
    "program-terminations": FigureExport(
        ["program", "terminated", *(label.lower() for label in TerminationReason.labels)],
        _program_terminations,
    ),
    "program-noncompliance": FigureExport(
        [
            "program",
            "open today",
            "raised in the period",
            *(f"raised: {label.lower()}" for label in FlagKind.labels),
        ],
        _program_flags,
    ),
}


def figure_csv(export: FigureExport, scope: DashboardScope) -> Iterator[str]:
    return csv_lines(export.header, export.rows(scope))


# --- the audit --------------------------------------------------------------------------------


@transaction.atomic
def export_record(
    *, user, scope: DashboardScope, export: str, params: dict, audited_cases: list[str]
) -> None:
    """Audit an export of the dashboard: what was exported, with which filters; and, when
    the export names sealed or juvenile cases, a read of them (one event naming them)."""
    audit_record(
        action="dashboard.export",
        actor=user,
        court=scope.court,
        details={
            "export": export,
            "court": scope.court.code,
            "case_type": scope.case_type.code if scope.case_type else None,
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "params": params,
        },
    )
    if audited_cases:
        audit_record(
            action="case.read",
            actor=user,
            court=scope.court,
            details={"surface": f"dashboard.export.{export}", "cases": audited_cases},
        )
