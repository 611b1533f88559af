"""Drill-downs: behind every number of the dashboard, the list of what it counted.

Each list is built from the very selector its figure counts (cases.measures,
docket.measures, payments.measures, filings.measures, programs.measures, the speedy-trial
clocks), so its total is the figure; the cases are then narrowed to those the reader may
see (`Case.objects.visible_to`); a program participant's name is shown only to one who may
see the program record (`Enrollment.objects.visible_to`). A list is read a page at a time
(the HTML page) or streamed in chunks (the CSV export): never whole in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.measures import DEFAULT_AGE_BANDS, DEFAULT_STANDARDS, age_bands, clearance_changes
from cases.models import Case, CaseStatus, Confidentiality
from docket.measures import (
    SETTING_BANDS,
    deadlines_at_risk,
    deadlines_missed,
    hearings_continued_often,
    trials_held,
)
from filings.measures import LAST_BAND, WAIT_BANDS, review_queue
from payments.measures import drawers_not_closed, obligations_ordered
from payments.models import ObligationKind
from payments.selectors import obligation_balances
from programs.measures import (
    days_in_program,
    enrollments_current,
    enrollments_ended,
    flags_open,
    flags_raised,
)
from programs.models import Enrollment, EnrollmentStatus, FlagKind, FlagStatus, TerminationReason

from .selectors import (
    AT_RISK_HORIZON_DAYS,
    DashboardScope,
    disposition_figure,
    pending_age_figure,
    speedy_trial_clocks,
)

PER_PAGE = 50
ENDED_OUTCOME_VALUES = (EnrollmentStatus.COMPLETED.value, EnrollmentStatus.TERMINATED.value)
CURRENT_STATUS_VALUES = (EnrollmentStatus.ACTIVE.value, EnrollmentStatus.WAITLISTED.value)
CHUNK = 1000
_AUDITED = Q(confidentiality=Confidentiality.SEALED) | Q(is_juvenile=True)


# --- columns and rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    # case (a Case: its number, linked), text, number, money (Decimal), date, datetime
    kind: str = "text"


CASE = Column("case", "Case", "case")
CAPTION = Column("caption", "Caption")


def _case_cells(case: Case) -> dict[str, Any]:
    return {"case": case, "caption": case.caption}


# --- listings: a page to show, chunks to stream, the sealed or juvenile cases in it --------


class Listing:
    def count(self) -> int:
        raise NotImplementedError

    def page(self, number) -> Page:
        """The `number`-th page (a bad or too large number gives the first or last page);
        its object_list are rows (dicts by column key)."""
        raise NotImplementedError

    def rows(self) -> Iterator[dict]:
        raise NotImplementedError

    def audited_case_numbers(self) -> list[str]:
        """Numbers of the sealed or juvenile cases in the whole list (reads of them are
        audited)."""
        raise NotImplementedError


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class QuerySetListing(Listing):
    """Rows of an ordered queryset; `to_rows` turns a batch of objects into rows (one
    batch per page or chunk, so a row needing other tables costs one query per batch)."""

    def __init__(
        self,
        queryset: QuerySet,
        to_rows: Callable[[list], list[dict]],
        *,
        user,
        case_field: str | None = "case",
    ):
        self.case_field = case_field
        if case_field is not None:
            queryset = queryset.filter(
                **{f"{case_field}__in": Case.objects.visible_to(user)}
            ).select_related(f"{case_field}__court")  # the case's link names its court
        self.queryset = queryset
        self.to_rows = to_rows

    def count(self) -> int:
        return self.queryset.count()

    def page(self, number) -> Page:
        page = Paginator(self.queryset, PER_PAGE).get_page(number)
        page.object_list = self.to_rows(list(page.object_list))
        return page

    def rows(self) -> Iterator[dict]:
        for chunk in _chunks(self.queryset.iterator(chunk_size=CHUNK)):
            yield from self.to_rows(chunk)

    def audited_case_numbers(self) -> list[str]:
        if self.case_field is None:
            return []
        return list(
            Case.objects.filter(pk__in=self.queryset.values(f"{self.case_field}_id"))
            .filter(_AUDITED)
            .order_by("number")
            .values_list("number", flat=True)
        )


class CaseItemsListing(Listing):
    """Rows of items a measure computed in memory (case id and a value each), in order;
    cases the reader may not see are left out, and each page or chunk loads its cases in
    one query."""

    def __init__(self, items: list, case_id: Callable[[Any], int], to_row, *, user):
        self.user = user
        self.case_id = case_id
        self.to_row = to_row
        ids = {case_id(item) for item in items}
        visible = set()
        for chunk in _chunks(ids, 10_000):
            visible.update(
                Case.objects.visible_to(user).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        self.items = [item for item in items if case_id(item) in visible]

    def _rows_of(self, items: list) -> list[dict]:
        cases = (
            Case.objects.filter(pk__in={self.case_id(i) for i in items})
            .select_related("court")
            .in_bulk()
        )
        return [self.to_row(item, cases[self.case_id(item)]) for item in items]

    def count(self) -> int:
        return len(self.items)

    def page(self, number) -> Page:
        page = Paginator(self.items, PER_PAGE).get_page(number)
        page.object_list = self._rows_of(list(page.object_list))
        return page

    def rows(self) -> Iterator[dict]:
        for chunk in _chunks(self.items):
            yield from self._rows_of(chunk)

    def audited_case_numbers(self) -> list[str]:
        numbers: list[str] = []
        for chunk in _chunks({self.case_id(i) for i in self.items}, 10_000):
            numbers += (
                Case.objects.filter(pk__in=chunk).filter(_AUDITED).values_list("number", flat=True)
            )
        return sorted(numbers)


# --- the drill-downs ------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillDown:
    slug: str
    title: str
    measure: str  # selectors.MEASURES key: the definition shown, the dashboard section
    columns: tuple[Column, ...]
    build: Callable[[DashboardScope, Any, dict], Listing]
    # Query parameters narrowing the list (a part of the figure): name -> allowed values.
    params: dict[str, Callable[[str], bool]] = field(default_factory=dict)
    subtitle: Callable[[dict], str] = lambda params: ""


def drilldown_params(drilldown: DrillDown, query) -> dict[str, str]:
    """The list's own parameters from the query string; a value it does not know is 404
    (like a list that does not exist)."""
    params = {}
    for name, allowed in drilldown.params.items():
        value = query.get(name, "")
        if value == "":
            continue
        if not allowed(value):
            raise Http404(f"No such list: {name}={value[:20]}")
        params[name] = value
    return params


def _one_of(*values) -> Callable[[str], bool]:
    allowed = {str(v) for v in values}
    return lambda value: value in allowed


def _owner_id(value: str) -> bool:
    return value == "none" or (value.isdigit() and len(value) < 10)


# measure 2 -----------------------------------------------------------------------------------

# Within a side, the status it moved to says which part a change counted in.
CLEARANCE_PARTS = {
    "incoming": {
        "filed": ("New filings", CaseStatus.FILED),
        "reopened": ("Reopened", CaseStatus.REOPENED),
        "reactivated": ("Reactivated", CaseStatus.ACTIVE),
    },
    "outgoing": {
        "disposed": ("Dispositions", CaseStatus.DISPOSED),
        "inactivated": ("Placed inactive", CaseStatus.INACTIVE),
    },
}
_PART_LABEL = {to: label for parts in CLEARANCE_PARTS.values() for label, to in parts.values()}


def _clearance(scope, user, params) -> Listing:
    side = params.get("side", "incoming")
    changes = clearance_changes(scope.measure, side)
    part = params.get("part")
    if part:
        if part not in CLEARANCE_PARTS[side]:
            raise Http404("No such part of the clearance rate.")
        changes = changes.filter(to_status=CLEARANCE_PARTS[side][part][1])

    def rows(objects):
        return [
            {
                "date": c.effective_on,
                **_case_cells(c.case),
                "change": (
                    f"{CaseStatus(c.from_status).label} → {CaseStatus(c.to_status).label}"
                    if c.from_status
                    else CaseStatus(c.to_status).label
                ),
                "counted_as": _PART_LABEL[c.to_status],
            }
            for c in objects
        ]

    return QuerySetListing(changes, rows, user=user)


def _clearance_subtitle(params) -> str:
    side = params.get("side", "incoming")
    part = params.get("part")
    what = "Incoming cases" if side == "incoming" else "Outgoing cases"
    if part and part in CLEARANCE_PARTS[side]:
        what += f": {CLEARANCE_PARTS[side][part][0].lower()}"
    return what


# measures 3 and 4 ----------------------------------------------------------------------------


def _dispositions(scope, user, params) -> Listing:
    items = list(disposition_figure(scope).dispositions)
    within = params.get("within")
    if within:
        items = [(case, days) for case, days in items if days <= int(within)]

    def row(item, case):
        return {**_case_cells(case), "status": case.get_status_display(), "days": item[1]}

    return CaseItemsListing(items, lambda item: item[0], row, user=user)


AGE_BANDS = age_bands(DEFAULT_AGE_BANDS)


def _pending(scope, user, params) -> Listing:
    days = pending_age_figure(scope).days_by_case
    items = sorted(days.items(), key=lambda item: (-item[1], item[0]))  # oldest first
    band = params.get("band")
    if band:
        _label, low, high = AGE_BANDS[int(band)]
        items = [(c, d) for c, d in items if d >= low and (high is None or d <= high)]

    def row(item, case):
        return {
            **_case_cells(case),
            "status": case.get_status_display(),
            "filed_on": case.filed_on,
            "age": item[1],
        }

    return CaseItemsListing(items, lambda item: item[0], row, user=user)


# measure 5 and hearings continued ------------------------------------------------------------


def _trials(scope, user, params) -> Listing:
    trials = trials_held(scope.measure)
    settings = params.get("settings")
    if settings:
        n = int(settings)
        last = SETTING_BANDS[-1] + 1
        trials = (
            trials.filter(setting_number__gte=n) if n == last else trials.filter(setting_number=n)
        )
    return QuerySetListing(trials, _hearing_rows, user=user)


def _hearing_rows(objects) -> list[dict]:
    return [
        {
            "date": h.date,
            **_case_cells(h.case),
            "hearing": h.get_hearing_type_display(),
            "settings": h.setting_number,
        }
        for h in objects
    ]


def _continued(scope, user, params) -> Listing:
    hearings = hearings_continued_often(scope.measure, more_than=scope.continued_more_than)
    return QuerySetListing(hearings, _hearing_rows, user=user)


# measure 7 -----------------------------------------------------------------------------------


def _obligation_rows(objects) -> list[dict]:
    # What each obligation was ordered, waived and paid: its ledger balance, as
    # payments.measures.collection_rate sums it (one query a batch).
    rows = []
    for balance in obligation_balances(list(objects)):
        o = balance.obligation
        rows.append(
            {
                "date": o.ordered_on,
                **_case_cells(o.case),
                "kind": o.get_kind_display(),
                "description": o.description,
                "ordered": balance.assessed,
                "waived": balance.waived,
                "collected": balance.paid,
                "outstanding": balance.balance,
            }
        )
    return rows


def _obligations(scope, user, params) -> Listing:
    obligations = obligations_ordered(scope.measure)
    if params.get("kind"):
        obligations = obligations.filter(kind=params["kind"])
    return QuerySetListing(obligations, _obligation_rows, user=user)


# compliance ----------------------------------------------------------------------------------


def _deadline_rows(objects) -> list[dict]:
    return [
        {
            "date": d.due_on,
            **_case_cells(d.case),
            "deadline": d.name,
            "owner": (d.owner.get_full_name() or d.owner.username) if d.owner else "Nobody named",
        }
        for d in objects
    ]


def _by_owner(deadlines: QuerySet, params) -> QuerySet:
    owner = params.get("owner")
    if owner == "none":
        return deadlines.filter(owner__isnull=True)
    if owner:
        return deadlines.filter(owner_id=int(owner))
    return deadlines


def _missed(scope, user, params) -> Listing:
    return QuerySetListing(
        _by_owner(deadlines_missed(scope.measure), params), _deadline_rows, user=user
    )


def _at_risk(scope, user, params) -> Listing:
    deadlines = deadlines_at_risk(
        scope.measure, as_of=scope.today, horizon_days=AT_RISK_HORIZON_DAYS
    )
    return QuerySetListing(_by_owner(deadlines, params), _deadline_rows, user=user)


def _speedy_trial(scope, user, params) -> Listing:
    clocks = speedy_trial_clocks(scope)
    state = params.get("state")
    if state == "expired":
        clocks = [c for c in clocks if c.days_remaining < 0]
    elif state == "running":
        clocks = [c for c in clocks if c.days_remaining >= 0]

    def row(clock, case):
        return {
            **_case_cells(case),
            "days_remaining": clock.days_remaining,
            "trial_by": clock.trial_by,
            "paused": "yes" if clock.paused else "no",
        }

    return CaseItemsListing(clocks, lambda clock: clock.case_id, row, user=user)


QUEUE_BANDS = [(low, high, label) for low, high, label in WAIT_BANDS] + [
    (WAIT_BANDS[-1][1], None, LAST_BAND)
]


def _review_queue(scope, user, params) -> Listing:
    filings = review_queue(scope.court_ids).select_related("document")
    band = params.get("band")
    if band:
        # The bands of filings.measures.review_queue_age, counted back from now as it does.
        low, high, _label = QUEUE_BANDS[int(band)]
        filings = filings.filter(submitted_at__lte=scope.now - dt.timedelta(hours=low))
        if high is not None:
            filings = filings.filter(submitted_at__gt=scope.now - dt.timedelta(hours=high))
    tz = scope.court.tzinfo

    def rows(objects):
        return [
            {
                "received": timezone.localtime(f.submitted_at, tz),
                **_case_cells(f.case),
                "filing": f"{f.filing_type.name}: {f.document.title}",
                "filed_by": f.filed_by.get_full_name() or f.filed_by.username,
                "hours": int((scope.now - f.submitted_at).total_seconds() // 3600),
            }
            for f in objects
        ]

    return QuerySetListing(filings, rows, user=user)


def _open_drawers(scope, user, params) -> Listing:
    drawers = drawers_not_closed(scope.court_ids, today=scope.today)
    tz = scope.court.tzinfo

    def rows(objects):
        return [
            {
                "business_date": d.business_date,
                "clerk": d.clerk.get_full_name() or d.clerk.username,
                "opened_at": timezone.localtime(d.opened_at, tz),
                "opening_float": d.opening_float,
                "days_open": (scope.today - d.business_date).days,
            }
            for d in objects
        ]

    # Drawers belong to the court, not to a case: the court of the scope is the user's.
    return QuerySetListing(drawers, rows, user=user, case_field=None)


# diversion programs --------------------------------------------------------------------------

NOT_SHOWN = "(not shown)"


def _participant_shown(user, enrollment_field: str) -> Exists:
    # The participant's name is a program record's: shown only to one who may see the
    # enrollment (programs.querysets), asked in the list's own query.
    return Exists(Enrollment.objects.visible_to(user).filter(pk=OuterRef(enrollment_field)))


def _participant(enrollment: Enrollment, shown: bool) -> str:
    return enrollment.participant.person.display_name if shown else NOT_SHOWN


def _program_id(params) -> int | None:
    return int(params["program"]) if params.get("program") else None


def _program_flags(scope, user, params) -> Listing:
    select = flags_open if params.get("state") == "open" else flags_raised
    flags = select(
        scope.measure, program_id=_program_id(params), kind=params.get("kind", "")
    ).annotate(participant_shown=_participant_shown(user, "enrollment_id"))

    def rows(objects):
        return [
            {
                "raised_on": f.raised_on,
                "case": f.enrollment.case,
                "participant": _participant(f.enrollment, f.participant_shown),
                "program": f.enrollment.program.name,
                "kind": f.get_kind_display(),
                "status": (
                    f"Resolved {f.resolved_on:%Y-%m-%d}"
                    if f.status == FlagStatus.RESOLVED
                    else f.get_status_display()
                ),
            }
            for f in objects
        ]

    return QuerySetListing(flags, rows, user=user, case_field="enrollment__case")


def _program_flags_subtitle(params) -> str:
    what = "Open today" if params.get("state") == "open" else "Raised in the period"
    if params.get("kind"):
        what += f": {FlagKind(params['kind']).label.lower()}"
    return what


def _enrollment_rows(scope, objects) -> list[dict]:
    return [
        {
            "enrolled_on": e.enrolled_on,
            "ended_on": e.ended_on,
            "case": e.case,
            "participant": _participant(e, e.participant_shown),
            "program": e.program.name,
            "status": e.get_status_display(),
            "phase": f"{e.phase.number}: {e.phase.name}" if e.phase_id else "",
            "days": days_in_program(e, today=scope.today),
            "reason": e.get_termination_reason_display(),
        }
        for e in objects
    ]


def _program_ended(scope, user, params) -> Listing:
    enrollments = enrollments_ended(
        scope.measure,
        outcome=params.get("outcome", ""),
        program_id=_program_id(params),
        reason=params.get("reason", ""),
    ).annotate(participant_shown=_participant_shown(user, "pk"))
    return QuerySetListing(enrollments, lambda objects: _enrollment_rows(scope, objects), user=user)


def _program_ended_subtitle(params) -> str:
    if params.get("reason"):
        return f"Terminated: {TerminationReason(params['reason']).label.lower()}"
    return EnrollmentStatus(params["outcome"]).label if params.get("outcome") else ""


def _program_participants(scope, user, params) -> Listing:
    enrollments = enrollments_current(
        scope.measure,
        status=params.get("status", EnrollmentStatus.ACTIVE),
        program_id=_program_id(params),
    ).annotate(participant_shown=_participant_shown(user, "pk"))
    return QuerySetListing(enrollments, lambda objects: _enrollment_rows(scope, objects), user=user)


def _digits(value: str) -> bool:
    return value.isdigit() and len(value) < 10


PARTICIPANT = Column("participant", "Participant")
PROGRAM = Column("program", "Program")

DRILLDOWNS: dict[str, DrillDown] = {
    d.slug: d
    for d in (
        DrillDown(
            "clearance",
            "Cases counted in the clearance rate",
            "clearance-rate",
            (
                Column("date", "Effective", "date"),
                CASE,
                CAPTION,
                Column("change", "Status change"),
                Column("counted_as", "Counted as"),
            ),
            _clearance,
            params={
                "side": _one_of(*CLEARANCE_PARTS),
                "part": _one_of(*(k for parts in CLEARANCE_PARTS.values() for k in parts)),
            },
            subtitle=_clearance_subtitle,
        ),
        DrillDown(
            "dispositions",
            "Cases disposed in the period",
            "time-to-disposition",
            (CASE, CAPTION, Column("status", "Status now"), Column("days", "Days", "number")),
            _dispositions,
            params={"within": _one_of(*DEFAULT_STANDARDS)},
            subtitle=lambda p: f"Disposed within {p['within']} days" if p.get("within") else "",
        ),
        DrillDown(
            "pending",
            "Active pending cases",
            "pending-age",
            (
                CASE,
                CAPTION,
                Column("status", "Status"),
                Column("filed_on", "Filed", "date"),
                Column("age", "Age (days)", "number"),
            ),
            _pending,
            params={"band": _one_of(*range(len(AGE_BANDS)))},
            subtitle=lambda p: f"Aged {AGE_BANDS[int(p['band'])][0]}" if p.get("band") else "",
        ),
        DrillDown(
            "trials",
            "Trials held in the period",
            "trial-date-certainty",
            (
                Column("date", "Held on", "date"),
                CASE,
                CAPTION,
                Column("hearing", "Hearing"),
                Column("settings", "Times set", "number"),
            ),
            _trials,
            params={"settings": _one_of(*SETTING_BANDS, SETTING_BANDS[-1] + 1)},
            subtitle=lambda p: (
                (
                    f"Set {p['settings']} or more times"
                    if int(p["settings"]) > SETTING_BANDS[-1]
                    else f"Set {p['settings']} time{'s' if p['settings'] != '1' else ''}"
                )
                if p.get("settings")
                else ""
            ),
        ),
        DrillDown(
            "obligations",
            "Monetary penalties ordered in the period",
            "collection-rate",
            (
                Column("date", "Ordered on", "date"),
                CASE,
                CAPTION,
                Column("kind", "Kind"),
                Column("description", "Description"),
                Column("ordered", "Ordered", "money"),
                Column("waived", "Waived", "money"),
                Column("collected", "Collected", "money"),
                Column("outstanding", "Outstanding", "money"),
            ),
            _obligations,
            params={"kind": _one_of(*ObligationKind.values)},
            subtitle=lambda p: ObligationKind(p["kind"]).label if p.get("kind") else "",
        ),
        DrillDown(
            "deadlines-missed",
            "Deadlines missed",
            "deadline-compliance",
            (
                Column("date", "Was due", "date"),
                CASE,
                CAPTION,
                Column("deadline", "Deadline"),
                Column("owner", "Responsible"),
            ),
            _missed,
            params={"owner": _owner_id},
        ),
        DrillDown(
            "deadlines-at-risk",
            "Deadlines at risk",
            "deadline-compliance",
            (
                Column("date", "Due", "date"),
                CASE,
                CAPTION,
                Column("deadline", "Deadline"),
                Column("owner", "Responsible"),
            ),
            _at_risk,
            params={"owner": _owner_id},
        ),
        DrillDown(
            "speedy-trial",
            "Speedy-trial clocks running out",
            "speedy-trial",
            (
                CASE,
                CAPTION,
                Column("days_remaining", "Days left", "number"),
                Column("trial_by", "Trial by", "date"),
                Column("paused", "Paused today"),
            ),
            _speedy_trial,
            params={"state": _one_of("expired", "running")},
            subtitle=lambda p: {"expired": "Run out", "running": "Still running"}.get(
                p.get("state", ""), ""
            ),
        ),
        DrillDown(
            "continued-hearings",
            "Hearings continued again and again",
            "continued-hearings",
            (
                Column("date", "Set for", "date"),
                CASE,
                CAPTION,
                Column("hearing", "Hearing"),
                Column("settings", "Times set", "number"),
            ),
            _continued,
        ),
        DrillDown(
            "review-queue",
            "Filings waiting for review",
            "review-queue-age",
            (
                Column("received", "Received", "datetime"),
                CASE,
                CAPTION,
                Column("filing", "Filing"),
                Column("filed_by", "Filed by"),
                Column("hours", "Waiting (hours)", "number"),
            ),
            _review_queue,
            params={"band": _one_of(*range(len(QUEUE_BANDS)))},
            subtitle=lambda p: f"Waiting {QUEUE_BANDS[int(p['band'])][2]}" if p.get("band") else "",
        ),
        DrillDown(
            "open-drawers",
            "Cash drawers not closed",
            "open-drawers",
            (
                Column("business_date", "Business day", "date"),
                Column("clerk", "Clerk"),
                Column("opened_at", "Opened at", "datetime"),
                Column("opening_float", "Opening float", "money"),
                Column("days_open", "Days open", "number"),
            ),
            _open_drawers,
        ),
        DrillDown(
            "program-flags",
            "Program non-compliance flags",
            "program-noncompliance",
            (
                Column("raised_on", "Raised on", "date"),
                CASE,
                PARTICIPANT,
                PROGRAM,
                Column("kind", "Flag"),
                Column("status", "Status"),
            ),
            _program_flags,
            params={
                "program": _digits,
                "kind": _one_of(*FlagKind.values),
                "state": _one_of("raised", "open"),
            },
            subtitle=_program_flags_subtitle,
        ),
        DrillDown(
            "program-ended",
            "Participants who left a program in the period",
            "program-outcomes",
            (
                Column("ended_on", "Left on", "date"),
                CASE,
                PARTICIPANT,
                PROGRAM,
                Column("status", "Outcome"),
                Column("reason", "Reason for termination"),
                Column("enrolled_on", "Enrolled on", "date"),
                Column("days", "Days in program", "number"),
            ),
            _program_ended,
            params={
                "program": _digits,
                "outcome": _one_of(*ENDED_OUTCOME_VALUES),
                "reason": _one_of(*TerminationReason.values),
            },
            subtitle=_program_ended_subtitle,
        ),
        DrillDown(
            "program-participants",
            "Program participants today",
            "program-outcomes",
            (
                Column("enrolled_on", "Enrolled on", "date"),
                CASE,
                PARTICIPANT,
                PROGRAM,
                Column("status", "Status"),
                Column("phase", "Phase"),
                Column("days", "Days in program", "number"),
            ),
            _program_participants,
            params={"program": _digits, "status": _one_of(*CURRENT_STATUS_VALUES)},
            subtitle=lambda p: EnrollmentStatus(p.get("status", "active")).label,
        ),
    )
}
