"""The speedy-trial engine (docket.speedy_trial), from the text of 18 U.S.C. 3161.

Pure: no database. Each table row is a case's dates, its excludable periods and a
`today`, and what the Act makes of them. Dates are in 2026; 2026-01-10 is a Saturday.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docket.speedy_trial import (
    ClockDates,
    ClockStatus,
    Exclusion,
    IndictmentStatus,
    Limits,
    merge_exclusions,
    nth_countable_day,
    speedy_trial_compute,
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def excl(kind: str, starts: str, ends: str | None = None) -> Exclusion:
    return Exclusion(kind=kind, starts_on=d(starts), ends_on=d(ends) if ends else None)


# Indicted 2026-01-05, first appearance 2026-01-09: the 70 days run from 2026-01-10.
INDICTED = ClockDates(
    arrest_or_summons_on=d("2026-01-02"),
    indictment_on=d("2026-01-05"),
    first_appearance_on=d("2026-01-09"),
    counsel_appearance_on=d("2026-01-09"),
)


# --- the 70-day clock, 3161(c)(1) --------------------------------------------------------

TRIAL_TABLE = [
    # (name, dates, periods, today, trial_due, days_used, days_excluded, days_remaining, status)
    #
    # 3161(c)(1): trial "within seventy days from the filing date ... of the ... indictment,
    # or from the date the defendant has appeared before a judicial officer ..., whichever
    # date last occurs"; Fed. R. Crim. P. 45(a)(1)(A): the day of that event is not counted.
    # 2026-01-10 is day 1, 2026-03-20 day 70.
    ("no exclusions", INDICTED, [], "2026-02-15", "2026-03-20", 37, 0, 33, "running"),
    # 3161(h)(1)(D): "delay resulting from any pretrial motion, from the filing of the motion
    # through the conclusion of the hearing on ... such motion" — both ends excluded.
    (
        "one pretrial motion",
        INDICTED,
        [excl("pretrial_motion", "2026-02-01", "2026-02-10")],
        "2026-02-15",
        "2026-03-30",
        27,
        10,
        43,
        "running",
    ),
    # A motion pending (02-01..02-10) while an ends-of-justice continuance (3161(h)(7)(A))
    # runs 02-05..02-20: the days 02-05..02-10 are excludable twice over but excluded once;
    # 20 days, not 10 + 16.
    (
        "overlapping periods counted once",
        INDICTED,
        [
            excl("ends_of_justice", "2026-02-05", "2026-02-20"),
            excl("pretrial_motion", "2026-02-01", "2026-02-10"),
        ],
        "2026-03-01",
        "2026-04-09",
        31,
        20,
        39,
        "running",
    ),
    # A period inside another one adds nothing.
    (
        "a period inside another",
        INDICTED,
        [
            excl("competency", "2026-02-01", "2026-02-28"),
            excl("under_advisement", "2026-02-10", "2026-02-12"),
        ],
        "2026-03-01",
        "2026-04-17",
        23,
        28,
        47,
        "running",
    ),
    # Adjacent periods are one span: 02-01..02-10 and 02-11..02-15, 15 days.
    (
        "adjacent periods",
        INDICTED,
        [
            excl("pretrial_motion", "2026-02-01", "2026-02-10"),
            excl("pretrial_motion", "2026-02-11", "2026-02-15"),
        ],
        "2026-02-15",
        "2026-04-04",
        22,
        15,
        48,
        "running",
    ),
    # A motion still pending (no end date) is excluded through today; the clock is paused
    # and the trial-by date is the one if it were decided today.
    (
        "an open period",
        INDICTED,
        [excl("pretrial_motion", "2026-02-01")],
        "2026-02-15",
        "2026-04-04",
        22,
        15,
        48,
        "running",
    ),
    # An open period that has not begun counts nothing yet.
    (
        "an open period not begun",
        INDICTED,
        [excl("pretrial_motion", "2026-03-01")],
        "2026-02-15",
        "2026-03-20",
        37,
        0,
        33,
        "running",
    ),
    # A period ordered ahead (a continuance to a later date) moves the trial-by date now.
    (
        "a continuance ordered ahead",
        INDICTED,
        [excl("ends_of_justice", "2026-03-01", "2026-03-31")],
        "2026-02-15",
        "2026-04-20",
        37,
        0,
        33,
        "running",
    ),
    # A motion filed before the clock started counts only from the clock's first day:
    # 01-06..01-12 excludes 01-10..01-12, 3 days.
    (
        "a period begun before the clock",
        INDICTED,
        [excl("pretrial_motion", "2026-01-06", "2026-01-12")],
        "2026-02-15",
        "2026-03-23",
        34,
        3,
        36,
        "running",
    ),
    # 3161(h)(1)(H): under advisement "not to exceed thirty days": 02-01..03-15 (43 days)
    # excludes 02-01..03-02.
    (
        "under advisement capped at 30 days",
        INDICTED,
        [excl("under_advisement", "2026-02-01", "2026-03-15")],
        "2026-03-15",
        "2026-04-19",
        35,
        30,
        35,
        "running",
    ),
    # The later event starts the clock: first appearance (01-09) before indictment (01-12).
    (
        "first appearance before indictment",
        ClockDates(indictment_on=d("2026-01-12"), first_appearance_on=d("2026-01-09")),
        [],
        "2026-01-20",
        "2026-03-23",
        8,
        0,
        62,
        "running",
    ),
    # Today is the 70th day: none remain, trial must begin today; still running.
    ("the last day", INDICTED, [], "2026-03-20", "2026-03-20", 70, 0, 0, "running"),
    # 3162(a)(2): past the limit with no trial; five days over.
    ("expired", INDICTED, [], "2026-03-25", "2026-03-20", 75, 0, -5, "expired"),
    # Trial began 2026-03-02 (day 52): the clock stopped; later days count nothing.
    (
        "trial started stops the clock",
        ClockDates(
            indictment_on=d("2026-01-05"),
            first_appearance_on=d("2026-01-09"),
            trial_started_on=d("2026-03-02"),
        ),
        [],
        "2026-04-30",
        "2026-03-20",
        52,
        0,
        18,
        "stopped",
    ),
    # No first appearance yet: the clock has not started.
    (
        "no first appearance",
        ClockDates(indictment_on=d("2026-01-05")),
        [],
        "2026-02-15",
        None,
        0,
        0,
        None,
        "not_started",
    ),
]


@pytest.mark.parametrize(
    "dates,periods,today,due,used,excluded,remaining,status",
    [row[1:] for row in TRIAL_TABLE],
    ids=[row[0] for row in TRIAL_TABLE],
)
def test_seventy_day_clock(dates, periods, today, due, used, excluded, remaining, status):
    result = speedy_trial_compute(dates=dates, periods=periods, today=d(today))

    assert result.trial_due == (d(due) if due else None)
    assert (result.days_used, result.days_excluded, result.days_remaining) == (
        used,
        excluded,
        remaining,
    )
    assert result.status == status


def test_steps_explain_the_trial_by_date():
    # Given a motion and a continuance that overlap
    periods = [
        excl("pretrial_motion", "2026-02-01", "2026-02-10"),
        excl("ends_of_justice", "2026-02-05", "2026-02-20"),
    ]

    # When the clock is computed
    result = speedy_trial_compute(dates=INDICTED, periods=periods, today=d("2026-03-01"))

    # Then its steps say where it starts, what was excluded once, and where 70 days end
    assert result.trial_steps[0] == (
        "Clock starts the day after the later of indictment (2026-01-05) and first "
        "appearance (2026-01-09): 2026-01-10 (3161(c)(1); Fed. R. Crim. P. 45(a)(1)(A))."
    )
    assert result.trial_steps[1] == (
        "Excluded 2026-02-01..2026-02-20 (pretrial motion, 3161(h)(1)(D); ends-of-justice "
        "continuance, 3161(h)(7)(A); overlapping periods counted once): 20 days"
    )
    assert result.trial_steps[2] == (
        "70 non-excludable days from 2026-01-10, plus 20 days excluded, end on "
        "Thu 2026-04-09: trial must begin by then."
    )
    assert result.trial_steps[3] == (
        "Today 2026-03-01: 31 days used (51 elapsed, 20 excluded), 39 days remain."
    )
    assert len(result.excluded) == 1 and result.excluded[0].merged


def test_an_open_period_pauses_the_clock_and_says_so():
    result = speedy_trial_compute(
        dates=INDICTED, periods=[excl("pretrial_motion", "2026-02-01")], today=d("2026-02-15")
    )

    assert result.paused
    assert "ongoing, counted through today 2026-02-15" in result.trial_steps[1]
    assert any("paused" in s for s in result.trial_steps)
    # A day later the trial-by date is a day later, the days remaining the same.
    later = speedy_trial_compute(
        dates=INDICTED, periods=[excl("pretrial_motion", "2026-02-01")], today=d("2026-02-16")
    )
    assert later.trial_due == result.trial_due + dt.timedelta(days=1)
    assert later.days_remaining == result.days_remaining


def test_a_trial_by_date_on_a_weekend_is_not_rolled_but_noted():
    # 3 days excluded put day 70 on Mon 2026-03-23; 1 day puts it on Sat 2026-03-21.
    result = speedy_trial_compute(
        dates=INDICTED,
        periods=[excl("pretrial_motion", "2026-02-02", "2026-02-02")],
        today=d("2026-02-15"),
    )

    assert result.trial_due == d("2026-03-21")
    assert "a Saturday" in result.trial_steps[2] and "45(a)(1)(C)" in result.trial_steps[2]


def test_a_trial_begun_late_is_stopped_and_named_late():
    dates = ClockDates(
        indictment_on=d("2026-01-05"),
        first_appearance_on=d("2026-01-09"),
        trial_started_on=d("2026-03-21"),
    )

    result = speedy_trial_compute(dates=dates, today=d("2026-04-01"))

    assert result.status == ClockStatus.STOPPED
    assert result.days_used == 71 and result.days_remaining == -1
    assert "1 day past the limit" in result.trial_steps[-1]
    assert not result.alert


# --- the 30-day indictment clock, 3161(b) ---------------------------------------------------

INDICTMENT_TABLE = [
    # (name, dates, periods, today, status, due, used, remaining)
    #
    # 3161(b): an indictment "within thirty days from the date on which such individual was
    # arrested or served with a summons"; arrested 01-02, day 1 is 01-03, day 30 is 02-01.
    (
        "pending, no exclusions",
        ClockDates(arrest_or_summons_on=d("2026-01-02")),
        [],
        "2026-01-20",
        "pending",
        "2026-02-01",
        18,
        12,
    ),
    # 3161(h) applies to "the time within which an information or an indictment must be
    # filed" too: a competency examination 01-10..01-19 (10 days) moves it to 02-11.
    (
        "pending, with exclusions",
        ClockDates(arrest_or_summons_on=d("2026-01-02")),
        [excl("competency", "2026-01-10", "2026-01-19")],
        "2026-01-20",
        "pending",
        "2026-02-11",
        8,
        22,
    ),
    # Overlapping periods count once for this clock too.
    (
        "overlapping exclusions",
        ClockDates(arrest_or_summons_on=d("2026-01-02")),
        [
            excl("competency", "2026-01-10", "2026-01-19"),
            excl("transfer", "2026-01-15", "2026-01-24"),
        ],
        "2026-01-25",
        "pending",
        "2026-02-16",
        8,
        22,
    ),
    (
        "filed on the last day",
        ClockDates(arrest_or_summons_on=d("2026-01-02"), indictment_on=d("2026-02-01")),
        [],
        "2026-02-15",
        "filed",
        "2026-02-01",
        30,
        0,
    ),
    # 3162(a)(1): filed a day late.
    (
        "filed late",
        ClockDates(arrest_or_summons_on=d("2026-01-02"), indictment_on=d("2026-02-02")),
        [],
        "2026-02-15",
        "late",
        "2026-02-01",
        31,
        -1,
    ),
    (
        "overdue, no indictment",
        ClockDates(arrest_or_summons_on=d("2026-01-02")),
        [],
        "2026-02-04",
        "overdue",
        "2026-02-01",
        33,
        -3,
    ),
    # Indicted before the arrest (a sealed indictment, then the arrest): 3161(b) times
    # nothing.
    (
        "indicted before arrest",
        ClockDates(arrest_or_summons_on=d("2026-01-12"), indictment_on=d("2026-01-05")),
        [],
        "2026-02-04",
        "not_applicable",
        None,
        None,
        None,
    ),
    ("no arrest recorded", ClockDates(), [], "2026-02-04", "unknown", None, None, None),
]


@pytest.mark.parametrize(
    "dates,periods,today,status,due,used,remaining",
    [row[1:] for row in INDICTMENT_TABLE],
    ids=[row[0] for row in INDICTMENT_TABLE],
)
def test_indictment_clock(dates, periods, today, status, due, used, remaining):
    result = speedy_trial_compute(dates=dates, periods=periods, today=d(today))

    assert result.indictment_status == status
    assert result.indictment_due == (d(due) if due else None)
    assert (result.indictment_days_used, result.indictment_days_remaining) == (used, remaining)


def test_indictment_steps_name_the_rule():
    result = speedy_trial_compute(
        dates=ClockDates(arrest_or_summons_on=d("2026-01-02")),
        periods=[excl("competency", "2026-01-10", "2026-01-19")],
        today=d("2026-01-20"),
    )

    assert result.indictment_steps == (
        "Indictment clock starts the day after the arrest or summons (2026-01-02): "
        "2026-01-03 (Fed. R. Crim. P. 45(a)(1)(A)).",
        "Excluded 2026-01-10..2026-01-19 (competency examination or hearing, "
        "3161(h)(1)(A)): 10 days",
        "30 non-excludable days from 2026-01-03, plus 10 days excluded, end on "
        "Wed 2026-02-11: indictment or information due by then (3161(b)).",
        "Today 2026-01-20: 8 days used, 22 days remain.",
    )
    assert result.indictment_status == IndictmentStatus.PENDING


# --- the 30-day minimum, 3161(c)(2) -----------------------------------------------------------

EARLIEST_TABLE = [
    # 3161(c)(2): "the trial shall not commence less than thirty days from the date on which
    # the defendant first appears through counsel", "unless the defendant consents in
    # writing to the contrary".
    ("counsel appeared", d("2026-01-09"), False, d("2026-02-08")),
    ("consented to an earlier trial", d("2026-01-09"), True, None),
    ("no counsel yet", None, False, None),
]


@pytest.mark.parametrize(
    "counsel,consented,earliest",
    [r[1:] for r in EARLIEST_TABLE],
    ids=[r[0] for r in EARLIEST_TABLE],
)
def test_thirty_day_minimum(counsel, consented, earliest):
    dates = ClockDates(
        indictment_on=d("2026-01-05"),
        first_appearance_on=d("2026-01-09"),
        counsel_appearance_on=counsel,
        earlier_trial_consented=consented,
    )

    result = speedy_trial_compute(dates=dates, today=d("2026-01-20"))

    assert result.earliest_trial_on == earliest
    assert result.earlier_trial_consented is consented


def test_the_minimum_is_not_moved_by_exclusions():
    # A floor measured in calendar days: 3161(h) excludes time from the periods "within
    # which" an indictment or trial must come, not from the 30-day minimum.
    result = speedy_trial_compute(
        dates=INDICTED,
        periods=[excl("pretrial_motion", "2026-01-15", "2026-01-25")],
        today=d("2026-01-20"),
    )

    assert result.earliest_trial_on == d("2026-02-08")


# --- settings, alerts, words -------------------------------------------------------------------


def test_a_states_limits_and_citation():
    # A state rule of 90 days, cited as the court records it.
    limits = Limits(trial_days=90, citation="Fla. R. Crim. P. 3.191", alert_days_remaining=30)

    result = speedy_trial_compute(dates=INDICTED, limits=limits, today=d("2026-02-15"))

    assert result.trial_due == d("2026-04-09")
    assert result.days_remaining == 53
    assert "(Fla. R. Crim. P. 3.191; Fed. R. Crim. P. 45(a)(1)(A))" in result.trial_steps[0]


@pytest.mark.parametrize(
    "today,alert",
    [("2026-03-06", False), ("2026-03-07", True), ("2026-03-25", True)],
    ids=["14 remain", "13 remain", "expired"],
)
def test_alert_under_the_courts_threshold(today, alert):
    # alert_days_remaining 14: fewer than 14 remaining alerts (SpeedyTrialSettings).
    result = speedy_trial_compute(dates=INDICTED, today=d(today))

    assert result.alert is alert


def test_kinds_can_be_left_undescribed():
    result = speedy_trial_compute(
        dates=INDICTED,
        periods=[excl("competency", "2026-02-01", "2026-02-10")],
        today=d("2026-02-15"),
        describe_kinds=False,
    )

    assert "competency" not in " ".join(result.steps)
    assert "(excludable delay, 3161(h)): 10 days" in result.trial_steps[1]


# --- the counting itself, against a day-by-day count -------------------------------------------

BASE = d("2026-01-01")


@st.composite
def periods_strategy(draw):
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["pretrial_motion", "ends_of_justice", "under_advisement"]),
                st.integers(0, 150),
                st.one_of(st.none(), st.integers(0, 60)),
            ),
            max_size=6,
        )
    )
    return [
        Exclusion(
            kind=k,
            starts_on=BASE + dt.timedelta(days=s),
            ends_on=None if n is None else BASE + dt.timedelta(days=s + n),
        )
        for k, s, n in rows
    ]


@settings(max_examples=200, deadline=None)
@given(
    periods=periods_strategy(),
    start=st.integers(0, 60),
    n=st.integers(1, 90),
    today=st.integers(0, 200),
)
def test_nth_countable_day_agrees_with_counting_day_by_day(periods, start, n, today):
    today_d = BASE + dt.timedelta(days=today)
    start_d = BASE + dt.timedelta(days=start)
    spans = merge_exclusions(periods, today_d)
    excluded = set()
    for p in periods:
        end = p.ends_on or today_d
        if p.ends_on is None and p.starts_on > today_d:
            continue
        if p.kind == "under_advisement":
            end = min(end, p.starts_on + dt.timedelta(days=29))
        day = p.starts_on
        while day <= end:
            excluded.add(day)
            day += dt.timedelta(days=1)
    count, day = 0, start_d - dt.timedelta(days=1)
    while count < n:
        day += dt.timedelta(days=1)
        if day not in excluded:
            count += 1

    assert nth_countable_day(spans, start_d, n) == day
    assert sum(s.days for s in spans) == len(excluded)


def test_a_closed_period_covering_today_pauses_the_clock_through_its_end():
    # A continuance from 02-10 through 02-28 (3161(h)(7)(A)), read on 02-15.
    result = speedy_trial_compute(
        dates=INDICTED,
        periods=[excl("ends_of_justice", "2026-02-10", "2026-02-28")],
        today=d("2026-02-15"),
    )

    assert result.paused
    assert result.trial_steps[-1] == "The clock is paused through 2026-02-28 (excluded time)."
    assert result.days_used == 31  # 01-10..02-09
