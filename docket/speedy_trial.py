"""The speedy-trial clock (18 U.S.C. 3161), pure: dates in, dates and steps out.

No database, no clock of its own: the caller passes the case's dates, the court's
limits, the excludable periods and `today` (court-local). The selectors in
``docket.speedy_trial_selectors`` load those and call :func:`speedy_trial_compute`;
the nightly monitor's set-wise SQL (``speedy_trial_at_risk``) follows the same
conventions and is tested to agree with this module.

Day-counting conventions (each is a decision; the steps say which one applied):

* **The day of the triggering event is not counted.** A clock runs from the day
  after the arrest or summons (3161(b)) and from the day after the later of the
  indictment's filing and the first appearance (3161(c)(1)). Fed. R. Crim. P.
  45(a)(1)(A) ("exclude the day of the event that triggers the period") applies to
  "any statute that does not specify a method of computing time", and the courts
  of appeals count the Act's periods that way (e.g. United States v. Yunis, 723
  F.2d 795, 797 (11th Cir. 1984); United States v. Daychild, 357 F.3d 1082, 1091
  n.10 (9th Cir. 2004)).
* **The last day is counted**: an indictment filed, or a trial begun, on the 30th
  or 70th countable day is timely ("within thirty/seventy days").
* **Excludable periods are inclusive of both ends**: the day a motion is filed
  and the day it is decided are both excluded (3161(h)(1)(D) "from the filing of
  the motion through the conclusion of the hearing on ... such motion"; Yunis, at
  797, and the Speedy Trial Act guidelines of the Judicial Conference).
* **Overlapping or adjacent periods are counted once**: a day is excludable or it
  is not; two reasons for the same day do not exclude it twice. Periods are merged
  before counting, and the steps say when that happened.
* **An ongoing period** (no end date, e.g. a motion not yet decided) is counted
  through `today`; the clock is *paused*, and the trial-by date shown is the one it
  would be if the period ended today (it moves a day later for each further day).
  An ongoing period that has not begun yet is not counted.
* **Matters under advisement** count at most 30 days (3161(h)(1)(H), "not to
  exceed thirty days").
* **Calendar days, no weekend roll.** The Act counts every day. Courts differ on
  whether Rule 45(a)(1)(C) carries a last day that falls on a weekend or legal
  holiday to the next court day; the clock shows the unrolled (earlier, safe) date
  and says in its steps when it falls on a weekend.
* **Days used** count through today (or through the day trial began, which is
  then the last day used); **days remaining** are the countable days after today
  up to the limit, so on the trial-by date 0 remain and the trial must begin that
  day. Past the limit, days remaining is negative (the days over).
* **The 30-day minimum** (3161(c)(2)) is a floor, not a deadline: trial may begin
  on the 30th calendar day after the first appearance through counsel (or the
  election to proceed pro se), with no exclusions, unless the defendant consented
  to an earlier trial.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ONE_DAY = dt.timedelta(days=1)

FEDERAL_CITATION = "18 U.S.C. 3161"

# The kinds of excludable delay (docket.models.ExcludableKind), in words, with the
# subsection of 3161(h) that excludes them.
KIND_TEXT: dict[str, tuple[str, str]] = {
    "pretrial_motion": ("pretrial motion", "(h)(1)(D)"),
    "competency": ("competency examination or hearing", "(h)(1)(A)"),
    "interlocutory_appeal": ("interlocutory appeal", "(h)(1)(C)"),
    "under_advisement": ("under advisement", "(h)(1)(H)"),
    "transfer": ("transfer or transportation", "(h)(1)(E), (F)"),
    "deferred_prosecution": ("deferred prosecution", "(h)(2)"),
    "defendant_unavailable": ("defendant or essential witness unavailable", "(h)(3)"),
    "incompetent": ("defendant incompetent to stand trial", "(h)(4)"),
    "codefendant": ("joined with a codefendant", "(h)(6)"),
    "ends_of_justice": ("ends-of-justice continuance", "(h)(7)(A)"),
    "other": ("other excludable delay", "(h)"),
}

# The words for a reader who may not learn why time was excluded (the public reading
# a case whose excluded periods include, say, a competency examination).
UNDESCRIBED_KIND = ("excludable delay", "(h)")

# Periods the statute caps, in days (3161(h)(1)(H): under advisement at most 30 days).
KIND_CAP_DAYS: dict[str, int] = {"under_advisement": 30}


class ClockStatus:
    NOT_STARTED = "not_started"  # no indictment or no first appearance yet
    RUNNING = "running"
    STOPPED = "stopped"  # trial began
    EXPIRED = "expired"  # the limit passed with no trial


class IndictmentStatus:
    UNKNOWN = "unknown"  # no arrest or summons recorded
    NOT_APPLICABLE = "not_applicable"  # indicted before the arrest: 3161(b) has nothing to time
    PENDING = "pending"
    OVERDUE = "overdue"
    FILED = "filed"  # within the limit
    LATE = "late"  # filed after the limit


@dataclass(frozen=True)
class ClockDates:
    """The dates a clock runs from (the fields of docket.models.SpeedyTrialClock)."""

    arrest_or_summons_on: dt.date | None = None
    indictment_on: dt.date | None = None
    first_appearance_on: dt.date | None = None
    counsel_appearance_on: dt.date | None = None
    trial_started_on: dt.date | None = None
    earlier_trial_consented: bool = False


@dataclass(frozen=True)
class Limits:
    """The court's limits (the fields of docket.models.SpeedyTrialSettings)."""

    indictment_days: int = 30
    trial_days: int = 70
    earliest_trial_days: int = 30
    citation: str = FEDERAL_CITATION
    alert_days_remaining: int = 14


@dataclass(frozen=True)
class Exclusion:
    """One excludable period as recorded (the fields of docket.models.ExcludablePeriod)."""

    kind: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    id: int | None = None


@dataclass(frozen=True)
class ExcludedSpan:
    """Excluded days counted once: one or more recorded periods merged."""

    starts_on: dt.date
    through: dt.date  # the last day counted (inclusive)
    ongoing: bool  # a period in it has no end yet (counted through today)
    kinds: tuple[str, ...]  # the kinds merged into it, in order of their start
    period_ids: tuple[int, ...]
    merged: bool  # more than one recorded period
    capped: bool  # a period in it was cut to its statutory cap

    @property
    def days(self) -> int:
        return (self.through - self.starts_on).days + 1


@dataclass(frozen=True)
class SpeedyTrialResult:
    today: dt.date
    citation: str
    # 3161(b): arrest or summons to indictment
    indictment_status: str
    indictment_due: dt.date | None
    indictment_days_used: int | None
    indictment_days_remaining: int | None
    # 3161(c)(1): to trial
    status: str
    paused: bool  # today is excluded: the count does not grow (clock started, no trial)
    clock_starts_on: dt.date | None
    trial_due: dt.date | None
    days_used: int
    days_excluded: int  # excluded days from the clock's start through today (or trial)
    days_remaining: int | None  # negative: days over the limit
    trial_days: int
    # 3161(c)(2)
    earliest_trial_on: dt.date | None
    earlier_trial_consented: bool
    excluded: tuple[ExcludedSpan, ...]
    steps: tuple[str, ...]
    alert: bool  # running with fewer days remaining than the court's alert threshold
    alert_days_remaining: int = 14
    indictment_steps: tuple[str, ...] = field(default=())
    trial_steps: tuple[str, ...] = field(default=())


# --- counting ---------------------------------------------------------------------------


def day_words(day: dt.date) -> str:
    """'Mon 2026-03-30': the weekday helps a reader check the count."""
    return f"{day:%a} {day.isoformat()}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def kind_words(kind: str, citation: str, *, describe: bool = True) -> str:
    """'pretrial motion, 18 U.S.C. 3161(h)(1)(D)' (or the court's own citation)."""
    words, sub = (
        KIND_TEXT.get(kind, (kind.replace("_", " "), "(h)")) if describe else UNDESCRIBED_KIND
    )
    return f"{words}, {cite(citation, sub)}"


def cite(citation: str, subsection: str) -> str:
    """A subsection of the federal Act ('18 U.S.C. 3161(c)(1)'); a state's rule is cited
    as the court records it, since its numbering is its own."""
    if citation.strip() == FEDERAL_CITATION:
        return f"3161{subsection}"
    return citation


def full_citation(citation: str, subsection: str) -> str:
    """'18 U.S.C. 3161(h)(1)(D)', or a state's rule as the court records it."""
    if citation.strip() == FEDERAL_CITATION:
        return f"{FEDERAL_CITATION}{subsection}"
    return citation


def effective_end(period: Any, today: dt.date) -> tuple[dt.date | None, bool]:
    """The last day a recorded period excludes, and whether its cap cut it.

    An ongoing period counts through `today`; one that has not begun counts nothing
    (None). A capped kind counts at most its cap (3161(h)(1)(H)).
    """
    end = period.ends_on
    if end is None:
        if period.starts_on > today:
            return None, False
        end = today
    cap = KIND_CAP_DAYS.get(period.kind)
    if cap is not None and (end - period.starts_on).days + 1 > cap:
        return period.starts_on + dt.timedelta(days=cap - 1), True
    return end, False


def merge_exclusions(periods, today: dt.date) -> list[ExcludedSpan]:
    """The periods as spans of days, each day once: overlapping or adjacent periods merged."""
    spans: list[dict] = []
    items = []
    for p in periods:
        end, capped = effective_end(p, today)
        if end is None:
            continue
        items.append((p.starts_on, end, p, capped))
    items.sort(key=lambda t: (t[0], t[1]))
    for start, end, p, capped in items:
        ongoing = p.ends_on is None
        pid = getattr(p, "id", None) or getattr(p, "pk", None)
        if spans and start <= spans[-1]["through"] + ONE_DAY:
            span = spans[-1]
            span["through"] = max(span["through"], end)
            span["ongoing"] = span["ongoing"] or ongoing
            if p.kind not in span["kinds"]:
                span["kinds"].append(p.kind)
            if pid is not None:
                span["ids"].append(pid)
            span["count"] += 1
            span["capped"] = span["capped"] or capped
        else:
            spans.append(
                {
                    "start": start,
                    "through": end,
                    "ongoing": ongoing,
                    "kinds": [p.kind],
                    "ids": [pid] if pid is not None else [],
                    "count": 1,
                    "capped": capped,
                }
            )
    return [
        ExcludedSpan(
            starts_on=s["start"],
            through=s["through"],
            ongoing=s["ongoing"],
            kinds=tuple(s["kinds"]),
            period_ids=tuple(s["ids"]),
            merged=s["count"] > 1,
            capped=s["capped"],
        )
        for s in spans
    ]


def excluded_days_between(spans: list[ExcludedSpan], first: dt.date, last: dt.date) -> int:
    """Excluded days in [first, last], both inclusive."""
    total = 0
    for s in spans:
        lo, hi = max(s.starts_on, first), min(s.through, last)
        if lo <= hi:
            total += (hi - lo).days + 1
    return total


def countable_days_between(spans: list[ExcludedSpan], first: dt.date, last: dt.date) -> int:
    """Days in [first, last] that count against the clock (0 if last < first)."""
    if last < first:
        return 0
    return (last - first).days + 1 - excluded_days_between(spans, first, last)


def nth_countable_day(spans: list[ExcludedSpan], start: dt.date, n: int) -> dt.date:
    """The day on which the n-th countable day from `start` (day 1 = `start`) falls."""
    count = 0
    cursor = start
    for s in spans:
        if s.through < cursor:
            continue
        lo = max(s.starts_on, cursor)
        gap = (lo - cursor).days  # countable days before this span
        if count + gap >= n:
            break
        count += gap
        cursor = s.through + ONE_DAY
    return cursor + dt.timedelta(days=n - count - 1)


# --- the clocks ------------------------------------------------------------------------------


def _span_step(
    span: ExcludedSpan, first: dt.date, last: dt.date, citation: str, describe: bool
) -> str | None:
    """'Excluded 2026-02-01..2026-02-10 (pretrial motion, 3161(h)(1)(D)): 10 days', for the
    part of a span inside [first, last]; None when none of it is."""
    lo, hi = max(span.starts_on, first), min(span.through, last)
    if lo > hi:
        return None
    if describe:
        kinds = "; ".join(kind_words(k, citation) for k in span.kinds)
    else:
        kinds = kind_words("", citation, describe=False)
    notes = []
    if span.merged:
        notes.append("overlapping periods counted once")
    if span.ongoing and not span.capped:
        notes.append(f"ongoing, counted through today {span.through.isoformat()}")
    if span.capped:
        notes.append("under advisement counted at most 30 days, 3161(h)(1)(H)")
    if lo > span.starts_on:
        notes.append(f"from {span.starts_on.isoformat()}, before the clock started")
    note = f"; {'; '.join(notes)}" if notes else ""
    return (
        f"Excluded {lo.isoformat()}..{hi.isoformat()} ({kinds}{note}): {_days((hi - lo).days + 1)}"
    )


def _weekend_note(day: dt.date) -> str:
    if day.weekday() < 5:
        return ""
    return (
        f" (a {day:%A}: the Act counts calendar days; Fed. R. Crim. P. 45(a)(1)(C) may carry "
        "it to the next court day, but the date shown is the safe one)"
    )


def _indictment_clock(
    dates, limits, spans, today: dt.date, citation: str, describe: bool
) -> tuple[str, dt.date | None, int | None, int | None, list[str]]:
    arrest = dates.arrest_or_summons_on
    indicted = dates.indictment_on
    n = limits.indictment_days
    sub = cite(citation, "(b)")
    if arrest is None:
        steps = ["No arrest or summons recorded: the indictment clock has not started."]
        return IndictmentStatus.UNKNOWN, None, None, None, steps
    if indicted is not None and indicted <= arrest:
        steps = [
            f"Indicted ({indicted.isoformat()}) on or before the arrest or summons "
            f"({arrest.isoformat()}): no indictment clock runs ({sub})."
        ]
        return IndictmentStatus.NOT_APPLICABLE, None, None, None, steps
    start = arrest + ONE_DAY
    due = nth_countable_day(spans, start, n)
    steps = [
        f"Indictment clock starts the day after the arrest or summons "
        f"({arrest.isoformat()}): {start.isoformat()} (Fed. R. Crim. P. 45(a)(1)(A))."
    ]
    for span in spans:
        words = _span_step(span, start, due, citation, describe)
        if words:
            steps.append(words)
    excluded = excluded_days_between(spans, start, due)
    extra = f", plus {_days(excluded)} excluded," if excluded else ""
    steps.append(
        f"{n} non-excludable days from {start.isoformat()}{extra} end on {day_words(due)}: "
        f"indictment or information due by then ({sub})."
    )
    if indicted is not None:
        used = countable_days_between(spans, start, indicted)
        if used > n:
            steps.append(
                f"Indictment filed {indicted.isoformat()}, on day {used}: "
                f"{_days(used - n)} late ({sub}; 3162(a)(1))."
            )
            return IndictmentStatus.LATE, due, used, n - used, steps
        steps.append(f"Indictment filed {indicted.isoformat()}, on day {used} of {n}: in time.")
        return IndictmentStatus.FILED, due, used, n - used, steps
    used = countable_days_between(spans, start, today)
    if used > n:
        steps.append(
            f"Today {today.isoformat()} is day {used}: no indictment, "
            f"{_days(used - n)} past the limit ({sub}; 3162(a)(1))."
        )
        return IndictmentStatus.OVERDUE, due, used, n - used, steps
    steps.append(f"Today {today.isoformat()}: {_days(used)} used, {_days(n - used)} remain.")
    return IndictmentStatus.PENDING, due, used, n - used, steps


def _earliest_trial(dates, limits, citation: str) -> tuple[dt.date | None, list[str]]:
    counsel = dates.counsel_appearance_on
    sub = cite(citation, "(c)(2)")
    if counsel is None:
        return None, [
            "No first appearance through counsel recorded: the earliest trial date "
            f"({sub}) is not known yet."
        ]
    if dates.earlier_trial_consented:
        return None, [
            f"First appearance through counsel {counsel.isoformat()}; the defendant consented "
            f"to an earlier trial, so the {limits.earliest_trial_days}-day minimum ({sub}) "
            "does not apply."
        ]
    earliest = counsel + dt.timedelta(days=limits.earliest_trial_days)
    return earliest, [
        f"First appearance through counsel {counsel.isoformat()}: no trial before "
        f"{day_words(earliest)} without the defendant's consent "
        f"({limits.earliest_trial_days} days, {sub})."
    ]


def speedy_trial_compute(
    *,
    dates,
    limits=None,
    periods=(),
    today: dt.date,
    describe_kinds: bool = True,
) -> SpeedyTrialResult:
    """Compute both clocks of the Act for one case.

    Args:
        dates: the case's dates (a ClockDates, a SpeedyTrialClock, or None for none).
        limits: the court's limits (a Limits, a SpeedyTrialSettings; None = the Act's).
        periods: the excludable periods (Exclusion or ExcludablePeriod), any order,
            overlapping or not.
        today: the court-local date to count to.
        describe_kinds: False to write every period as "excludable delay" (a reader who
            may not learn why, e.g. the public and a competency examination).

    Returns:
        A SpeedyTrialResult with its steps in words.
    """
    dates = dates or ClockDates()
    limits = limits or Limits()
    citation = limits.citation or FEDERAL_CITATION
    spans = merge_exclusions(periods, today)
    n = limits.trial_days
    c1 = cite(citation, "(c)(1)")

    ind_status, ind_due, ind_used, ind_left, ind_steps = _indictment_clock(
        dates, limits, spans, today, citation, describe_kinds
    )
    earliest, earliest_steps = _earliest_trial(dates, limits, citation)

    indicted, appeared = dates.indictment_on, dates.first_appearance_on
    trial_steps: list[str] = []
    start = trial_due = None
    used = excluded = 0
    remaining: int | None = None
    paused = False
    if indicted is None or appeared is None:
        status = ClockStatus.NOT_STARTED
        missing = " and ".join(
            w for w, d in (("indictment", indicted), ("first appearance", appeared)) if d is None
        )
        trial_steps.append(
            f"No {missing} recorded: the {n}-day clock ({c1}) starts the day after the "
            "later of the indictment and the first appearance."
        )
    else:
        later = max(indicted, appeared)
        start = later + ONE_DAY
        trial_steps.append(
            f"Clock starts the day after the later of indictment ({indicted.isoformat()}) "
            f"and first appearance ({appeared.isoformat()}): {start.isoformat()} "
            f"({c1}; Fed. R. Crim. P. 45(a)(1)(A))."
        )
        trial_due = nth_countable_day(spans, start, n)
        for span in spans:
            words = _span_step(span, start, trial_due, citation, describe_kinds)
            if words:
                trial_steps.append(words)
        extended = excluded_days_between(spans, start, trial_due)
        extra = f", plus {_days(extended)} excluded," if extended else ""
        trial_steps.append(
            f"{n} non-excludable days from {start.isoformat()}{extra} end on "
            f"{day_words(trial_due)}: trial must begin by then{_weekend_note(trial_due)}."
        )
        through = dates.trial_started_on or today
        used = countable_days_between(spans, start, through)
        excluded = excluded_days_between(spans, start, through)
        remaining = n - used
        if dates.trial_started_on is not None:
            status = ClockStatus.STOPPED
            began = dates.trial_started_on
            if used > n:
                trial_steps.append(
                    f"Trial began {began.isoformat()}, on day {used}: {_days(used - n)} past "
                    f"the limit (3162(a)(2): dismissal on the defendant's motion)."
                )
            else:
                trial_steps.append(
                    f"Trial began {began.isoformat()}, on day {used} of {n}: the clock stopped."
                )
        elif used > n:
            status = ClockStatus.EXPIRED
            trial_steps.append(
                f"Today {today.isoformat()} is day {used}: the {n} days ran out on "
                f"{trial_due.isoformat()}, {_days(used - n)} ago, with no trial "
                "(3162(a)(2): dismissal on the defendant's motion)."
            )
        else:
            status = ClockStatus.RUNNING
            if today < start:
                trial_steps.append(f"Today {today.isoformat()}: the clock has not begun to run.")
            else:
                elapsed = (today - start).days + 1
                trial_steps.append(
                    f"Today {today.isoformat()}: {_days(used)} used ({elapsed} elapsed, "
                    f"{excluded} excluded), {_days(remaining)} remain."
                )
        covering = next((s for s in spans if s.starts_on <= today <= s.through), None)
        if status != ClockStatus.STOPPED and today >= start and covering is not None:
            # Today is excluded: the count does not grow until the period ends.
            paused = True
            if covering.ongoing and covering.through == today:
                trial_steps.append(
                    "The clock is paused while an excludable period lasts: the trial-by date "
                    "above assumes it ends today and moves a day later for each further day."
                )
            else:
                trial_steps.append(
                    f"The clock is paused through {covering.through.isoformat()} (excluded time)."
                )
        if earliest is not None and earliest > trial_due and status != ClockStatus.STOPPED:
            trial_steps.append(
                f"The earliest trial date without consent ({earliest.isoformat()}) is after "
                f"the trial-by date: the court must act (consent, or an exclusion)."
            )

    alert = (
        status in (ClockStatus.RUNNING, ClockStatus.EXPIRED)
        and remaining is not None
        and remaining < limits.alert_days_remaining
    )
    return SpeedyTrialResult(
        today=today,
        citation=citation,
        indictment_status=ind_status,
        indictment_due=ind_due,
        indictment_days_used=ind_used,
        indictment_days_remaining=ind_left,
        status=status,
        paused=paused,
        clock_starts_on=start,
        trial_due=trial_due,
        days_used=used,
        days_excluded=excluded,
        days_remaining=remaining,
        trial_days=n,
        earliest_trial_on=earliest,
        earlier_trial_consented=bool(dates.earlier_trial_consented),
        excluded=tuple(spans),
        steps=tuple(ind_steps + trial_steps + earliest_steps),
        alert=alert,
        alert_days_remaining=limits.alert_days_remaining,
        indictment_steps=tuple(ind_steps),
        trial_steps=tuple(trial_steps),
    )
