"""The deadline engine: how many days (or hours) after or before an event, and why.

Pure: no ORM, no settings. A computation takes a `RuleSet` (how the court counts;
`docket.deadline_calendar.rule_set_from_row` makes one from a `DeadlineRuleSet` row)
and a `CourtCalendar` (the court's legal holidays and declared closures;
`docket.deadline_calendar` builds one from data, tests build one by hand).

The default rule set follows FRCP 6 (Fed. R. Crim. P. 45 is the same):

- 6(a)(1): exclude the day of the event, count every day (weekends and holidays too),
  include the last day; (C) a last day on a Saturday, Sunday or legal holiday runs
  until the end of the next day that is none of those.
- 6(a)(5): the "next day" is counted forward for a period measured after an event and
  backward for a period measured before one.
- 6(a)(6): legal holidays are the days set aside by statute for observing the federal
  holidays (an observed Friday or Monday counts), days declared by the President or
  Congress, and, for forward-counted periods only, the state's holidays.
- 6(a)(3): a day the clerk's office is inaccessible (a court-declared closure) extends
  the time to the first accessible day that is not a Saturday, Sunday or legal holiday.
- 6(a)(2): periods in hours begin at once, count every hour, and one that would end on
  a Saturday, Sunday or legal holiday runs to the same time on the next day that is not.
- 6(d): service by mail, leaving with the clerk or other consented means adds 3 days
  after the period would otherwise expire under 6(a) (so after rolling), and the
  result rolls again if it lands on a day off.

Every result carries its steps in words, e.g. "21 days after 2025-03-01 is Sat
2025-03-22", "Saturday -> Mon 2025-03-24 (FRCP 6(a)(1)(C))", "mail service +3 ->
Thu 2025-03-27 (FRCP 6(d))".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

SERVICE_METHODS: tuple[str, ...] = ("personal", "electronic", "mail", "clerk", "consent")
SERVICE_LABELS = {
    "personal": "personal service",
    "electronic": "electronic service",
    "mail": "mail service",
    "clerk": "service by leaving with the clerk",
    "consent": "service by other consented means",
}
DIRECTIONS: tuple[str, ...] = ("after", "before")
STATE_HOLIDAY_MODES: tuple[str, ...] = ("never", "forward", "always")

# Every computation is bounded: ten years of days, a year of hours.
MAX_DAYS = 3650
MAX_HOURS = 8760
# Triggers outside these years are typing mistakes, not court dates; the bound also keeps
# every date the engine touches well inside what `datetime.date` can hold.
MIN_YEAR = 1900
MAX_YEAR = 2200
# A calendar closed for more than a year in a row has no next court day worth computing.
MAX_DAYS_OFF_IN_A_ROW = 366

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKEND_NAMES = {5: "Saturday", 6: "Sunday"}

Direction = Literal["after", "before"]


class DeadlineInputError(ValueError):
    """An input the engine refuses, with a stable code and the field it is about."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RuleSet:
    """How a court counts time. The defaults are FRCP 6; other rule sets are data
    (`docket.models.DeadlineRuleSet`).

    `state_holidays`: whether the calendar's state holidays are legal holidays —
    "never", "forward" (for periods counted after an event only, FRCP 6(a)(6)(C)) or
    "always". `count_court_days_only`: count only days that are not weekends, legal
    holidays or closures (then the last counted day needs no roll).
    """

    count_court_days_only: bool = False
    roll_weekends: bool = True
    roll_federal_holidays: bool = True
    state_holidays: str = "forward"
    roll_court_closures: bool = True
    mail_extra_days: int = 3
    mail_extra_methods: tuple[str, ...] = ("mail", "clerk", "consent")
    roll_citation: str = "FRCP 6(a)(1)(C)"
    mail_citation: str = "FRCP 6(d)"
    name: str = "Federal rules (FRCP 6)"
    # Cited when a period counted before an event rolls backward (the "next day" of
    # 6(a)(5)), when a closure extends the time (6(a)(3)), and when a period in hours
    # continues to the next day (6(a)(2)(C)).
    backward_citation: str = "FRCP 6(a)(5)"
    closure_citation: str = "FRCP 6(a)(3)"
    hours_citation: str = "FRCP 6(a)(2)(C)"

    def __post_init__(self) -> None:
        if self.state_holidays not in STATE_HOLIDAY_MODES:
            raise ValueError(f"state_holidays must be one of {STATE_HOLIDAY_MODES}.")
        if (
            isinstance(self.mail_extra_days, bool)
            or not isinstance(self.mail_extra_days, int)
            or not 0 <= self.mail_extra_days <= 30
        ):
            raise ValueError("mail_extra_days must be a whole number from 0 to 30.")
        methods = tuple(self.mail_extra_methods)
        if not all(isinstance(m, str) for m in methods):
            raise ValueError("mail_extra_methods must be service method names.")
        object.__setattr__(self, "mail_extra_methods", methods)


FRCP_RULES = RuleSet()


class CourtCalendar(Protocol):
    """A court's days off, by date: each method answers the day's name, or None."""

    def federal_holiday(self, day: dt.date) -> str | None:
        """The federal legal holiday on `day` as observed (e.g. "Independence Day
        (observed)" on Friday July 3, 2020), or None."""

    def state_holiday(self, day: dt.date) -> str | None:
        """The court's state holiday on `day`, or None."""

    def closure(self, day: dt.date) -> str | None:
        """The reason the court declared itself closed on `day`, or None."""


@dataclass(frozen=True)
class FixedCalendar:
    """A `CourtCalendar` from plain mappings of date -> name (tests, small uses)."""

    federal_holidays: Mapping[dt.date, str] = field(default_factory=dict)
    state_holidays: Mapping[dt.date, str] = field(default_factory=dict)
    closures: Mapping[dt.date, str] = field(default_factory=dict)
    name: str = ""

    def federal_holiday(self, day: dt.date) -> str | None:
        return self.federal_holidays.get(day)

    def state_holiday(self, day: dt.date) -> str | None:
        return self.state_holidays.get(day)

    def closure(self, day: dt.date) -> str | None:
        return self.closures.get(day)


@dataclass(frozen=True)
class DeadlineResult:
    """When it is due (a date; an aware datetime for periods in hours) and why."""

    due: dt.date | dt.datetime
    steps: tuple[str, ...]
    citations: tuple[str, ...]


# --- days off -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DayOff:
    day: dt.date
    kind: str  # weekend / federal / state / closure
    name: str

    def words(self) -> str:
        if self.kind == "weekend":
            return self.name
        if self.kind == "state":
            return f"{self.name} (state holiday) on {_day(self.day)}"
        if self.kind == "closure":
            return f"court closed on {_day(self.day)} ({self.name})"
        return f"{self.name} on {_day(self.day)}"


def _day_off(
    day: dt.date,
    *,
    rules: RuleSet,
    calendar: CourtCalendar,
    forward: bool,
    closures: bool,
) -> _DayOff | None:
    """Why `day` is not a day to end a period on under `rules`, or None.

    `forward`: the period is counted after an event (state holidays count then under
    "forward"). `closures`: whether declared closures count here.
    """
    if rules.roll_weekends and day.weekday() in _WEEKEND_NAMES:
        return _DayOff(day, "weekend", _WEEKEND_NAMES[day.weekday()])
    if rules.roll_federal_holidays and (name := calendar.federal_holiday(day)):
        return _DayOff(day, "federal", name)
    states_count = rules.state_holidays == "always" or (
        rules.state_holidays == "forward" and forward
    )
    if states_count and (name := calendar.state_holiday(day)):
        return _DayOff(day, "state", name)
    if closures and rules.roll_court_closures and (name := calendar.closure(day)):
        return _DayOff(day, "closure", name)
    return None


def _roll(
    day: dt.date,
    *,
    step: int,
    rules: RuleSet,
    calendar: CourtCalendar,
    forward: bool,
    closures: bool,
) -> tuple[dt.date, list[_DayOff]]:
    """Move `day` by `step` (+1 or -1) until it is not a day off; the days passed."""
    passed: list[_DayOff] = []
    while (
        off := _day_off(day, rules=rules, calendar=calendar, forward=forward, closures=closures)
    ) is not None:
        passed.append(off)
        if len(passed) > MAX_DAYS_OFF_IN_A_ROW:
            raise DeadlineInputError(
                "NO_COURT_DAY",
                f"The calendar has no court day within {MAX_DAYS_OFF_IN_A_ROW} days of "
                f"{off.day.isoformat()}.",
            )
        day += dt.timedelta(days=step)
    return day, passed


def _passed_words(passed: list[_DayOff]) -> str:
    # The day the count landed on says why it rolls; after it, the weekend days passed
    # go without saying, the holidays and closures do not.
    return ", ".join([passed[0].words()] + [p.words() for p in passed[1:] if p.kind != "weekend"])


def _day(day: dt.date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.isoformat()}"


def _moment(moment: dt.datetime) -> str:
    return f"{_WEEKDAYS[moment.weekday()]} {moment:%Y-%m-%d %H:%M} {moment.tzname()}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _cite(*citations: str) -> str:
    return "; ".join(c for c in citations if c)


class _Steps:
    """The steps in words and the citations in the order they were first used."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.citations: list[str] = []

    def add(self, words: str, *citations: str) -> None:
        cited = [c for c in citations if c]
        self.steps.append(f"{words} ({_cite(*cited)})" if cited else words)
        for c in cited:
            if c not in self.citations:
                self.citations.append(c)

    def result(self, due: dt.date | dt.datetime) -> DeadlineResult:
        return DeadlineResult(due=due, steps=tuple(self.steps), citations=tuple(self.citations))


def _roll_forward(
    day: dt.date,
    *,
    rules: RuleSet,
    calendar: CourtCalendar,
    steps: _Steps,
    show: Callable[[dt.date], str] | None = None,
    citation: str = "",
) -> dt.date:
    """FRCP 6(a)(1)(C) (6(a)(2)(C) for hours) and 6(a)(3): on to the next day that is not
    a weekend, legal holiday or closure, with its step (none when `day` is one already)."""
    show = show or _day
    due, passed = _roll(day, step=1, rules=rules, calendar=calendar, forward=True, closures=True)
    if passed:
        steps.add(
            f"{_passed_words(passed)} -> {show(due)}",
            (citation or rules.roll_citation) if any(p.kind != "closure" for p in passed) else "",
            rules.closure_citation if any(p.kind == "closure" for p in passed) else "",
        )
    return due


def _roll_backward(
    day: dt.date,
    *,
    rules: RuleSet,
    calendar: CourtCalendar,
    steps: _Steps,
    show: Callable[[dt.date], str] | None = None,
    citation: str = "",
) -> dt.date:
    """6(a)(1)(C) with 6(a)(5): back to the previous day that is not a weekend or legal
    holiday (state holidays only if the rule set says "always"); then 6(a)(3): a closure
    on that day extends the time forward, to the first accessible day that is not a
    weekend or legal holiday — the rule extends, whichever way the period was counted."""
    show = show or _day
    due, passed = _roll(day, step=-1, rules=rules, calendar=calendar, forward=False, closures=False)
    if passed:
        steps.add(
            f"{_passed_words(passed)} -> back to {show(due)}",
            citation or rules.roll_citation,
            rules.backward_citation,
        )
    if rules.roll_court_closures and calendar.closure(due):
        extended, passed = _roll(
            due, step=1, rules=rules, calendar=calendar, forward=False, closures=True
        )
        steps.add(
            f"{_passed_words(passed)} -> extended to {show(extended)}", rules.closure_citation
        )
        due = extended
    return due


def _serve(
    due: dt.date,
    *,
    service: str,
    forward: bool,
    rules: RuleSet,
    calendar: CourtCalendar,
    steps: _Steps,
    show: Callable[[dt.date], str] | None = None,
    unit: str = "",
    citation: str = "",
) -> dt.date:
    """FRCP 6(d): the days a service method adds, after the period would otherwise
    expire under 6(a) — so after the roll — and the new last day rolls again."""
    show = show or _day
    label = SERVICE_LABELS[service]
    extra = rules.mail_extra_days if service in rules.mail_extra_methods else 0
    if extra and forward:
        due += dt.timedelta(days=extra)
        steps.add(f"{label} +{extra}{unit} -> {show(due)}", rules.mail_citation)
        return _roll_forward(
            due, rules=rules, calendar=calendar, steps=steps, show=show, citation=citation
        )
    if extra:
        # 6(d) extends the time to act after being served; a period counted back from an
        # event is not one.
        steps.add(f"{label} adds no days to a period counted before an event", rules.mail_citation)
    elif service != "personal" and rules.mail_extra_days:
        steps.add(f"{label} adds no days", rules.mail_citation)
    return due


# --- validation -----------------------------------------------------------------------------


def _check_period(value: object, *, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeadlineInputError(
            "PERIOD_NOT_A_NUMBER", f"The number of {field} must be a whole number.", field=field
        )
    if value < 1:
        raise DeadlineInputError(
            "PERIOD_NOT_POSITIVE", f"The number of {field} must be at least 1.", field=field
        )
    if value > maximum:
        raise DeadlineInputError(
            "PERIOD_TOO_LONG", f"The number of {field} must be at most {maximum}.", field=field
        )
    return value


def _check_direction_and_service(direction: object, service: object) -> str:
    if direction not in DIRECTIONS:
        raise DeadlineInputError(
            "DIRECTION_UNKNOWN", "The direction must be 'after' or 'before'.", field="direction"
        )
    service = "personal" if service is None else service
    if service not in SERVICE_METHODS:
        raise DeadlineInputError(
            "SERVICE_UNKNOWN",
            f"The service method must be one of: {', '.join(SERVICE_METHODS)}.",
            field="service",
        )
    return service  # type: ignore[return-value]


def _check_year(day: dt.date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DeadlineInputError(
            "TRIGGER_OUT_OF_RANGE",
            f"The trigger must fall between {MIN_YEAR} and {MAX_YEAR}.",
            field="trigger",
        )


# --- periods in days ------------------------------------------------------------------------


def compute_days(
    *,
    trigger: dt.date,
    days: int,
    direction: Direction = "after",
    service: str | None = "personal",
    rules: RuleSet = FRCP_RULES,
    calendar: CourtCalendar,
) -> DeadlineResult:
    """The last day of a period of `days` after (or before) `trigger`, and its steps.

    Args:
        trigger: the date of the event (court-local); the day itself is not counted.
        days: the period, 1 to MAX_DAYS.
        direction: "after" the event (counted forward) or "before" it (backward).
        service: how the paper that starts the period was served (SERVICE_METHODS);
            the rule set says which methods add days (6(d)), after the period and only
            for periods counted after an event. None: personal.
        rules: how to count (FRCP 6 by default).
        calendar: the court's legal holidays and closures.

    Returns:
        DeadlineResult with `due` a date.

    Raises:
        DeadlineInputError: a bad trigger, period, direction or service (`field` names
            it), or no court day within a year of where the count lands (NO_COURT_DAY).
    """
    if isinstance(trigger, dt.datetime) or not isinstance(trigger, dt.date):
        raise DeadlineInputError(
            "TRIGGER_NOT_A_DATE", "A period in days runs from a date.", field="trigger"
        )
    _check_year(trigger)
    _check_period(days, field="days", maximum=MAX_DAYS)
    service = _check_direction_and_service(direction, service)

    forward = direction == "after"
    steps = _Steps()
    if rules.count_court_days_only:
        due = _count_court_days(
            trigger, days, forward=forward, rules=rules, calendar=calendar, steps=steps
        )
    else:
        # 6(a)(1)(A)-(B): exclude the trigger day, count every day, include the last.
        last = trigger + dt.timedelta(days=days if forward else -days)
        steps.add(f"{_plural(days, 'day')} {direction} {trigger.isoformat()} is {_day(last)}")
        roll = _roll_forward if forward else _roll_backward
        due = roll(last, rules=rules, calendar=calendar, steps=steps)
    due = _serve(due, service=service, forward=forward, rules=rules, calendar=calendar, steps=steps)
    return steps.result(due)


_NAMED_DAYS_OFF_LIMIT = 6


def _count_court_days(
    trigger: dt.date,
    days: int,
    *,
    forward: bool,
    rules: RuleSet,
    calendar: CourtCalendar,
    steps: _Steps,
) -> dt.date:
    """Count `days` court days from `trigger`, skipping weekends, legal holidays and
    closures as the rule set says; the last counted day is a court day already."""
    step = 1 if forward else -1
    day, counted, in_a_row = trigger, 0, 0
    passed: list[_DayOff] = []
    while counted < days:
        day += dt.timedelta(days=step)
        off = _day_off(day, rules=rules, calendar=calendar, forward=forward, closures=True)
        if off is None:
            counted += 1
            in_a_row = 0
            continue
        passed.append(off)
        in_a_row += 1
        if in_a_row > MAX_DAYS_OFF_IN_A_ROW:
            raise DeadlineInputError(
                "NO_COURT_DAY",
                f"The calendar has no court day within {MAX_DAYS_OFF_IN_A_ROW} days of "
                f"{day.isoformat()}.",
            )
    words = f"{_plural(days, 'court day')} {'after' if forward else 'before'} "
    words += f"{trigger.isoformat()} is {_day(day)}"
    weekend = sum(1 for p in passed if p.kind == "weekend")
    named = [p.words() for p in passed if p.kind != "weekend"]
    skipped = [_plural(weekend, "weekend day")] if weekend else []
    if len(named) > _NAMED_DAYS_OFF_LIMIT:
        rest = len(named) - _NAMED_DAYS_OFF_LIMIT
        named = [*named[:_NAMED_DAYS_OFF_LIMIT], _plural(rest, "other day") + " off"]
    skipped += named
    if skipped:
        words += f", not counting {_and(skipped)}"
    steps.add(words, rules.roll_citation)
    return day


# --- periods in hours -----------------------------------------------------------------------


def compute_hours(
    *,
    trigger: dt.datetime,
    hours: int,
    direction: Direction = "after",
    service: str | None = "personal",
    rules: RuleSet = FRCP_RULES,
    calendar: CourtCalendar,
    tz: dt.tzinfo | None = None,
) -> DeadlineResult:
    """The end of a period of `hours` after (or before) `trigger` (FRCP 6(a)(2)), and its
    steps.

    Counting begins at once and every hour counts (a daylight-saving change included:
    24 hours are 24 elapsed hours). A period that would end on a weekend, legal holiday
    or closure (a day on the court's clock, `tz`) continues to the same time on the next
    day that is none of those (6(a)(2)(C); backward for a period before an event,
    6(a)(5); a closure extends forward, 6(a)(3)(B)). A service method that adds days
    (6(d)) adds them after that, at the same time of day, and the result rolls again.

    Args:
        trigger: an aware datetime, read on the court's clock `tz`.
        hours: the period, 1 to MAX_HOURS.
        direction: "after" the event or "before" it.
        service: as for `compute_days`. None: personal.
        rules: how to count (FRCP 6 by default).
        calendar: the court's legal holidays and closures.
        tz: the court's time zone; None: the trigger's own.

    Returns:
        DeadlineResult with `due` an aware datetime on the court's clock.

    Raises:
        DeadlineInputError: a naive or non-datetime trigger, a bad period, direction or
            service, or no court day within a year (NO_COURT_DAY).
    """
    if not isinstance(trigger, dt.datetime):
        raise DeadlineInputError(
            "TRIGGER_NOT_A_DATETIME",
            "A period in hours runs from a date and time.",
            field="trigger",
        )
    if trigger.tzinfo is None or trigger.utcoffset() is None:
        raise DeadlineInputError(
            "TRIGGER_NOT_AWARE", "The trigger needs its time zone or UTC offset.", field="trigger"
        )
    _check_year(trigger)
    _check_period(hours, field="hours", maximum=MAX_HOURS)
    service = _check_direction_and_service(direction, service)

    forward = direction == "after"
    tz = tz or trigger.tzinfo
    start = trigger.astimezone(tz)
    # Elapsed hours: arithmetic in UTC, then back on the court's clock.
    elapsed = dt.timedelta(hours=hours if forward else -hours)
    end = (start.astimezone(dt.UTC) + elapsed).astimezone(tz)
    clock = end.time()

    def at(day: dt.date) -> dt.datetime:
        # The same wall-clock time on `day`; a time the clock skips (a DST gap) becomes
        # the moment just after it.
        return dt.datetime.combine(day, clock, tzinfo=tz).astimezone(dt.UTC).astimezone(tz)

    def show(day: dt.date) -> str:
        return _moment(at(day))

    steps = _Steps()
    steps.add(f"{_plural(hours, 'hour')} {direction} {_moment(start)} is {_moment(end)}")
    roll = _roll_forward if forward else _roll_backward
    day = roll(
        end.date(),
        rules=rules,
        calendar=calendar,
        steps=steps,
        show=show,
        citation=rules.hours_citation,
    )
    day = _serve(
        day,
        service=service,
        forward=forward,
        rules=rules,
        calendar=calendar,
        steps=steps,
        show=show,
        unit=" days",
        citation=rules.hours_citation,
    )
    return steps.result(end if day == end.date() else at(day))
