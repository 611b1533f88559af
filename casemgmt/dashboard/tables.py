"""The dashboard's sections as the page shows them: for each measure its headline figure,
its definition, a chart and the table with the same numbers, every count linked to the
list behind it (with the same filters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from cases.measures import percent
from programs.models import FlagKind, TerminationReason

from .drilldowns import CLEARANCE_PARTS
from .exports import FIGURE_EXPORTS
from .forms import scope_query
from .selectors import MEASURES, DashboardFigures, DashboardScope


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    header: str  # the row's <th scope="row">
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    caption: str
    columns: list[str]  # after the row header's column
    rows: list[Row]
    row_header: str = ""
    empty: str = ""

    @property
    def labelled(self) -> list[tuple[Row, list[tuple[Cell, str]]]]:
        """Each row with its cells, each cell with words saying what it counts (for a
        link read out of its table: "Reopened, Cases")."""
        return [
            (
                row,
                [
                    (cell, f"{row.header}, {column}")
                    for cell, column in zip(row.cells, self.columns, strict=True)
                ],
            )
            for row in self.rows
        ]


@dataclass
class Section:
    key: str
    title: str
    definition: str
    courtools: int | None
    headline: str
    headline_label: str
    headline_href: str
    table: Table
    chart: dict | None = None
    csv_href: str = ""
    notes: list[str] = field(default_factory=list)


class Links:
    def __init__(self, scope: DashboardScope):
        self.scope = scope

    def list(self, slug: str, **params) -> str:
        return f"{reverse('dashboard:list', args=[slug])}?{scope_query(self.scope, **params)}"

    def csv(self, slug: str) -> str:
        return f"{reverse('dashboard:export', args=[slug])}?{scope_query(self.scope)}"


def _n(value: int, href: str) -> Cell:
    return Cell(f"{value:,}", href)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _section(key: str, links: Links, **kwargs) -> Section:
    measure = MEASURES[key]
    return Section(
        key=key,
        title=measure.title,
        definition=measure.definition,
        courtools=measure.courtools,
        csv_href=links.csv(key) if key in FIGURE_EXPORTS else "",
        **kwargs,
    )


def _number(value) -> float:
    return float(value) if value is not None else 0.0


# --- court performance ----------------------------------------------------------------------


def _clearance(figures: DashboardFigures, links: Links) -> Section:
    c = figures.clearance
    counts = {
        "filed": c.filed,
        "reopened": c.reopened,
        "reactivated": c.reactivated,
        "disposed": c.disposed,
        "inactivated": c.inactivated,
    }
    rows = []
    for side, parts in CLEARANCE_PARTS.items():
        for part, (label, _to) in parts.items():
            rows.append(
                Row(label, [_n(counts[part], links.list("clearance", side=side, part=part))])
            )
        total = c.incoming if side == "incoming" else c.outgoing
        rows.append(
            Row(
                f"{side.capitalize()}, all",
                [_n(total, links.list("clearance", side=side))],
                total=True,
            )
        )
    rows.append(Row("Clearance rate", [Cell(_pct(c.rate))], total=True))
    datasets = []
    for side, parts in CLEARANCE_PARTS.items():
        for part, (label, _to) in parts.items():
            data = [counts[part], 0] if side == "incoming" else [0, counts[part]]
            datasets.append({"label": label, "data": data})
    return _section(
        "clearance-rate",
        links,
        headline=_pct(c.rate),
        headline_label=f"{c.outgoing:,} out for {c.incoming:,} in",
        headline_href=links.list("clearance", side="incoming"),
        table=Table("Clearance rate: cases in and out in the period", ["Cases"], rows, "Counted"),
        chart={
            "labels": ["Incoming", "Outgoing"],
            "datasets": datasets,
            "stacked": True,
            "y_label": "Cases",
        },
    )


def _disposition(figures: DashboardFigures, links: Links) -> Section:
    d = figures.disposition
    rows = [
        Row(
            f"Within {days} days",
            [
                _n(n, links.list("dispositions", within=days)),
                Cell(_pct(d.percent_within[days])),
            ],
        )
        for days, n in d.within.items()
    ]
    rows.append(
        Row(
            "Disposed in the period",
            [_n(d.disposed, links.list("dispositions")), Cell("100%" if d.disposed else "—")],
            total=True,
        )
    )
    rows.append(
        Row(
            "Median days to disposition",
            [Cell("—" if d.median_days is None else f"{d.median_days:,}"), Cell("", numeric=False)],
            total=True,
        )
    )
    first = min(d.standards)
    return _section(
        "time-to-disposition",
        links,
        headline=_pct(d.percent_within[first]),
        headline_label=f"of {d.disposed:,} dispositions within {first} days",
        headline_href=links.list("dispositions", within=first),
        table=Table(
            "Time to disposition: cases disposed within each time standard",
            ["Cases", "Percent"],
            rows,
            "Time standard",
        ),
        chart={
            "labels": [f"Within {days} days" for days in d.standards],
            "datasets": [
                {
                    "label": "Percent disposed",
                    "data": [_number(d.percent_within[days]) for days in d.standards],
                }
            ],
            "max": 100,
            "y_label": "Percent of dispositions",
        },
    )


def _pending_age(figures: DashboardFigures, links: Links) -> Section:
    p = figures.pending_age
    rows = [
        Row(
            band.label,
            [
                _n(band.count, links.list("pending", band=i)),
                Cell(_pct(percent(band.count, p.pending))),
            ],
        )
        for i, band in enumerate(p.bands)
    ]
    rows.append(
        Row(
            "Active pending, all",
            [_n(p.pending, links.list("pending")), Cell("100%" if p.pending else "—")],
            total=True,
        )
    )
    return _section(
        "pending-age",
        links,
        headline=f"{p.pending:,}",
        headline_label=f"active pending cases on {links.scope.end:%Y-%m-%d}",
        headline_href=links.list("pending"),
        table=Table(
            "Age of active pending caseload, by age band", ["Cases", "Percent"], rows, "Age"
        ),
        chart={
            "labels": [band.label for band in p.bands],
            "datasets": [{"label": "Cases", "data": [band.count for band in p.bands]}],
            "y_label": "Cases",
        },
    )


def _settings_label(n: int, last: int) -> str:
    if n == last:
        return f"Set {n} or more times"
    return "Set once" if n == 1 else f"Set {n} times"


def _trial_certainty(figures: DashboardFigures, links: Links) -> Section:
    t = figures.trial_certainty
    last = max(t.by_settings)
    rows = [
        Row(
            _settings_label(n, last),
            [_n(trials, links.list("trials", settings=n)), Cell(_pct(percent(trials, t.held)))],
        )
        for n, trials in t.by_settings.items()
    ]
    rows.append(
        Row(
            "Trials held",
            [_n(t.held, links.list("trials")), Cell("100%" if t.held else "—")],
            total=True,
        )
    )
    rows.append(
        Row(
            "Average settings per trial",
            [
                Cell("—" if t.average_settings is None else f"{t.average_settings}"),
                Cell("", numeric=False),
            ],
            total=True,
        )
    )
    return _section(
        "trial-date-certainty",
        links,
        headline=_pct(t.percent_first_setting),
        headline_label=f"of {t.held:,} trials held on the first date set",
        headline_href=links.list("trials", settings=1),
        table=Table(
            "Trial date certainty: trials held by the number of times set",
            ["Trials", "Percent"],
            rows,
            "Times set for trial",
        ),
        chart={
            "labels": [_settings_label(n, last) for n in t.by_settings],
            "datasets": [{"label": "Trials held", "data": list(t.by_settings.values())}],
            "y_label": "Trials",
        },
    )


def _collections(figures: DashboardFigures, links: Links) -> Section:
    c = figures.collections
    rows = []
    for k in [*c.by_kind, c.total]:
        href = links.list("obligations", kind=k.kind) if k.kind else links.list("obligations")
        rows.append(
            Row(
                k.label,
                [
                    Cell(_money(k.ordered), href),
                    Cell(_money(k.waived), href),
                    Cell(_money(k.collected), href),
                    Cell(_money(k.outstanding), href),
                    Cell(_pct(k.rate)),
                ],
                total=not k.kind,
            )
        )
    total = c.total
    return _section(
        "collection-rate",
        links,
        headline=_pct(total.rate),
        headline_label=f"collected of {_money(total.collectable)} ordered and not waived",
        headline_href=links.list("obligations"),
        table=Table(
            "Collection of monetary penalties ordered in the period, by kind",
            ["Ordered", "Waived", "Collected", "Outstanding", "Collection rate"],
            rows,
            "Kind of obligation",
            empty="Nothing was ordered in the period." if not c.by_kind else "",
        ),
        chart={
            "labels": [k.label for k in c.by_kind],
            "datasets": [
                {"label": "Collected", "data": [_number(k.collected) for k in c.by_kind]},
                {"label": "Outstanding", "data": [_number(k.outstanding) for k in c.by_kind]},
            ],
            "stacked": True,
            "y_label": "Dollars",
        },
    )


def performance_sections(figures: DashboardFigures, scope: DashboardScope) -> list[Section]:
    links = Links(scope)
    return [
        _clearance(figures, links),
        _disposition(figures, links),
        _pending_age(figures, links),
        _trial_certainty(figures, links),
        _collections(figures, links),
    ]


# --- compliance -------------------------------------------------------------------------------


def _deadlines(figures: DashboardFigures, links: Links) -> Section:
    owners = figures.deadlines
    rows = []
    for o in owners:
        owner = "none" if o.owner_id is None else o.owner_id
        rows.append(
            Row(
                o.owner_name,
                [
                    _n(o.missed, links.list("deadlines-missed", owner=owner)),
                    _n(o.at_risk, links.list("deadlines-at-risk", owner=owner)),
                ],
            )
        )
    missed = sum(o.missed for o in owners)
    at_risk = sum(o.at_risk for o in owners)
    rows.append(
        Row(
            "All",
            [
                _n(missed, links.list("deadlines-missed")),
                _n(at_risk, links.list("deadlines-at-risk")),
            ],
            total=True,
        )
    )
    return _section(
        "deadline-compliance",
        links,
        headline=f"{missed:,}",
        headline_label=f"deadlines missed in the period; {at_risk:,} at risk now",
        headline_href=links.list("deadlines-missed"),
        table=Table(
            "Deadlines missed in the period and at risk now, by the person responsible",
            ["Missed", "At risk"],
            rows,
            "Responsible",
        ),
    )


def _speedy_trial(figures: DashboardFigures, links: Links) -> Section:
    s = figures.speedy_trial
    rows = [
        Row("Run out", [_n(s.expired, links.list("speedy-trial", state="expired"))]),
        Row(
            "Under the threshold, still running",
            [_n(s.running, links.list("speedy-trial", state="running"))],
        ),
        Row("All", [_n(s.under_threshold, links.list("speedy-trial"))], total=True),
    ]
    return _section(
        "speedy-trial",
        links,
        headline=f"{s.under_threshold:,}",
        headline_label=f"clocks under the threshold today, {s.expired:,} run out",
        headline_href=links.list("speedy-trial"),
        table=Table(
            "Speedy-trial clocks under the alert threshold today", ["Cases"], rows, "Clock"
        ),
    )


def _continued(figures: DashboardFigures, links: Links) -> Section:
    n = links.scope.continued_more_than
    count = figures.continued_hearings
    return _section(
        "continued-hearings",
        links,
        headline=f"{count:,}",
        headline_label=f"hearings set more than {n} times",
        headline_href=links.list("continued-hearings"),
        table=Table(
            f"Scheduled hearings set more than {n} times",
            ["Hearings"],
            [Row(f"Set more than {n} times", [_n(count, links.list("continued-hearings"))])],
            "Hearings",
        ),
    )


def _review_queue(figures: DashboardFigures, links: Links) -> Section:
    q = figures.review_queue
    rows = [
        Row(label, [_n(n, links.list("review-queue", band=i))])
        for i, (label, n) in enumerate(q.bands)
    ]
    rows.append(Row("Waiting, all", [_n(q.waiting, links.list("review-queue"))], total=True))
    oldest = q.oldest_hours(links.scope.now)
    return _section(
        "review-queue-age",
        links,
        headline=f"{q.waiting:,}",
        headline_label="filings waiting"
        + (f"; the oldest for {oldest:,} hours" if oldest is not None else ""),
        headline_href=links.list("review-queue"),
        table=Table("Filings waiting for review, by time waited", ["Filings"], rows, "Waiting"),
    )


def _open_drawers(figures: DashboardFigures, links: Links) -> Section:
    count = figures.open_drawers
    return _section(
        "open-drawers",
        links,
        headline=f"{count:,}",
        headline_label="cash drawers open from an earlier day",
        headline_href=links.list("open-drawers"),
        table=Table(
            "Cash drawers not closed",
            ["Drawers"],
            [Row("Open from an earlier day", [_n(count, links.list("open-drawers"))])],
            "Drawers",
        ),
    )


def compliance_sections(figures: DashboardFigures, scope: DashboardScope) -> list[Section]:
    links = Links(scope)
    return [
        _deadlines(figures, links),
        _speedy_trial(figures, links),
        _continued(figures, links),
        _review_queue(figures, links),
        _open_drawers(figures, links),
    ]


# --- diversion programs -----------------------------------------------------------------------

NO_PROGRAMS = "The court has no diversion programs."


def _days(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,}"


def _program_outcomes(figures: DashboardFigures, links: Links) -> Section:
    p = figures.programs
    total = p.total
    rows = []
    for f in p.rows:
        program = f.program_id
        rows.append(
            Row(
                f.name,
                [
                    _n(
                        f.active,
                        links.list("program-participants", status="active", program=program),
                    ),
                    _n(
                        f.waitlisted,
                        links.list("program-participants", status="waitlisted", program=program),
                    ),
                    _n(
                        f.completed,
                        links.list("program-ended", outcome="completed", program=program),
                    ),
                    _n(
                        f.terminated,
                        links.list("program-ended", outcome="terminated", program=program),
                    ),
                    Cell(_pct(f.completion_rate)),
                    Cell(_days(f.average_days)),
                ],
                total=f.program_id is None,
            )
        )
    return _section(
        "program-outcomes",
        links,
        headline=_pct(total.completion_rate),
        headline_label=f"of {total.ended:,} participants leaving a program completed it",
        headline_href=links.list("program-ended"),
        table=Table(
            "Diversion programs: participants today and who left in the period, by program",
            [
                "Active today",
                "Waitlisted today",
                "Completed",
                "Terminated",
                "Completion rate",
                "Average days in program",
            ],
            rows,
            "Program",
            empty=NO_PROGRAMS if not p.programs else "",
        ),
        chart=(
            {
                "labels": [f.name for f in p.programs],
                "datasets": [
                    {"label": "Completed", "data": [f.completed for f in p.programs]},
                    {"label": "Terminated", "data": [f.terminated for f in p.programs]},
                ],
                "stacked": True,
                "y_label": "Participants who left",
            }
            if p.programs
            else None
        ),
    )


def _program_terminations(figures: DashboardFigures, links: Links) -> Section:
    p = figures.programs
    total = p.total
    rows = [
        Row(
            f.name,
            [
                _n(
                    f.terminated,
                    links.list("program-ended", outcome="terminated", program=f.program_id),
                ),
                *(
                    _n(
                        f.terminated_by_reason.get(reason, 0),
                        links.list("program-ended", reason=reason, program=f.program_id),
                    )
                    for reason in TerminationReason.values
                ),
            ],
            total=f.program_id is None,
        )
        for f in p.rows
    ]
    top = max(total.terminated_by_reason.items(), key=lambda kv: kv[1], default=None)
    return _section(
        "program-terminations",
        links,
        headline=f"{total.terminated:,}",
        headline_label=(
            f"terminated in the period; most often: {TerminationReason(top[0]).label.lower()}"
            if top
            else "terminated in the period"
        ),
        headline_href=links.list("program-ended", outcome="terminated"),
        table=Table(
            "Participants terminated in the period, by program and reason for termination",
            ["Terminated", *TerminationReason.labels],
            rows,
            "Program",
            empty=NO_PROGRAMS if not p.programs else "",
        ),
        chart=None,
    )


def _program_flags(figures: DashboardFigures, links: Links) -> Section:
    p = figures.programs
    total = p.total
    rows = []
    for f in p.rows:
        program = f.program_id
        rows.append(
            Row(
                f.name,
                [
                    _n(f.open_flags, links.list("program-flags", state="open", program=program)),
                    _n(f.flags_raised, links.list("program-flags", program=program)),
                    *(
                        _n(
                            f.raised_by_kind.get(kind, 0),
                            links.list("program-flags", program=program, kind=kind),
                        )
                        for kind in FlagKind.values
                    ),
                ],
                total=f.program_id is None,
            )
        )
    return _section(
        "program-noncompliance",
        links,
        headline=f"{total.open_flags:,}",
        headline_label=f"flags open today; {total.flags_raised:,} raised in the period",
        headline_href=links.list("program-flags", state="open"),
        table=Table(
            "Program non-compliance flags open today and raised in the period, by program and kind",
            ["Open today", "Raised, all", *(f"Raised: {label}" for label in FlagKind.labels)],
            rows,
            "Program",
            empty=NO_PROGRAMS if not p.programs else "",
        ),
        chart=(
            {
                "labels": [f.name for f in p.programs],
                "datasets": [
                    {
                        "label": label,
                        "data": [f.raised_by_kind.get(kind, 0) for f in p.programs],
                    }
                    for kind, label in FlagKind.choices
                ],
                "stacked": True,
                "y_label": "Flags raised in the period",
            }
            if p.programs
            else None
        ),
    )


def programs_sections(figures: DashboardFigures, scope: DashboardScope) -> list[Section]:
    links = Links(scope)
    return [
        _program_outcomes(figures, links),
        _program_terminations(figures, links),
        _program_flags(figures, links),
    ]
