"""Properties of the working-day arithmetic (hypothesis), on the seeded calendar: 2024–2026
confirmed from the bundled official schedules, 2027 on computed from the statutory rule."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import calendar as working_days
from core.choices import DeadlineUnit

SH = working_days.SHANGHAI
ONE_DAY = datetime.timedelta(days=1)
LAST_CONFIRMED_YEAR = 2026

starts = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime.datetime(2028, 6, 30, 23, 59),  # noqa: DTZ001
    timezones=st.just(SH),
)
periods = st.integers(min_value=1, max_value=400)
# Periods of days: hours and months count no days (core.calendar._add_hours, _add_months).
DAY_UNITS = [DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS]
units = st.sampled_from(DAY_UNITS)
# The calendar does not change between examples; the fixture's rows are shared by all of them.
examples = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def window(calendar):
    """The seeded calendar over 2024–2030, loaded once for all examples."""
    return working_days.CalendarWindow(datetime.date(2024, 1, 1), datetime.date(2030, 12, 31))


def add(start, days, unit=DeadlineUnit.WORKING_DAYS, *, window):
    return working_days.add(start, days, unit, window=window)


@examples
@given(start=starts, days=periods)
def test_due_is_the_end_of_a_working_day(window, start, days):
    deadline = add(start, days, window=window)
    assert deadline.due.tzinfo == SH
    assert deadline.due.timetz() == working_days.END_OF_DAY.replace(tzinfo=SH)
    assert window.status(deadline.due_date).working
    assert deadline.due_date > working_days.local_date(start)


@examples
@given(start=starts, days=periods)
def test_exactly_n_working_days_lie_in_the_period(window, start, days):
    deadline = add(start, days, window=window)
    span = working_days.working_days_between(start, deadline.due, window=window)
    assert span.days == days
    # ... and not one day earlier: the due date is the N-th working day itself.
    before = working_days.working_days_between(start, deadline.due - ONE_DAY, window=window)
    assert before.days == days - 1
    # Every day of the period is either counted or listed as skipped.
    length = (deadline.due_date - working_days.local_date(start)).days
    assert length == days + len(deadline.skipped)
    assert span.confirmed == deadline.confirmed


@examples
@given(start=starts, first=st.integers(1, 200), second=st.integers(1, 200))
def test_adding_a_then_b_is_adding_a_plus_b(window, start, first, second):
    step = add(start, first, window=window)
    assert add(step.due, second, window=window).due == add(start, first + second, window=window).due


@examples
@given(
    start=starts, later=st.timedeltas(min_value=ONE_DAY * 0, max_value=ONE_DAY * 60), days=periods
)
def test_monotonic_in_the_start(window, start, later, days):
    for unit in DAY_UNITS:
        assert (
            add(start, days, unit, window=window).due
            <= add(start + later, days, unit, window=window).due
        )


@examples
@given(start=starts, days=periods, more=st.integers(1, 100))
def test_monotonic_in_the_period(window, start, days, more):
    assert add(start, days, window=window).due < add(start, days + more, window=window).due
    calendar_days = DeadlineUnit.CALENDAR_DAYS
    assert (
        add(start, days, calendar_days, window=window).due
        <= add(start, days + more, calendar_days, window=window).due
    )


@examples
@given(start=starts, days=periods)
def test_calendar_days_never_end_on_a_day_off(window, start, days):
    deadline = add(start, days, DeadlineUnit.CALENDAR_DAYS, window=window)
    target = working_days.local_date(start) + datetime.timedelta(days=days)
    assert window.status(deadline.due_date).working
    assert deadline.due_date >= target
    # Moved only over days off, and only as far as the first working day.
    assert [skip.date for skip in deadline.skipped] == [
        target + offset * ONE_DAY for offset in range((deadline.due_date - target).days)
    ]


@examples
@given(start=starts, days=periods, unit=units)
def test_confirmed_iff_the_period_touches_no_unconfirmed_year(window, start, days, unit):
    deadline = add(start, days, unit, window=window)
    first_counted = working_days.local_date(start) + ONE_DAY
    touched = range(first_counted.year, deadline.due_date.year + 1)
    assert deadline.confirmed == all(year <= LAST_CONFIRMED_YEAR for year in touched)
    assert deadline.unconfirmed_years == tuple(y for y in touched if y > LAST_CONFIRMED_YEAR)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=starts, days=st.integers(1, 1000), unit=units)
def test_the_shared_window_and_a_fresh_load_agree(window, start, days, unit):
    fresh = working_days.add(start, days, unit)
    assert fresh == add(start, days, unit, window=window)


# --- clock stops (退回补正): the period does not run while the request is with its department ---

offsets = st.integers(min_value=0, max_value=60)


def stopped(start, days, stop_after: int, stopped_for: int, *, window):
    """A stop `stop_after` days after the start, restarted `stopped_for` days later (10:00)."""
    stop = datetime.datetime.combine(
        working_days.local_date(start) + datetime.timedelta(days=stop_after),
        datetime.time(10),
        tzinfo=SH,
    )
    restart = stop + datetime.timedelta(days=stopped_for)
    deadline = working_days.add_with_stops(start, days, stops=[(stop, restart)], window=window)
    return stop, restart, deadline


@examples
@given(start=starts, days=periods, stop_after=offsets, stopped_for=offsets)
def test_a_stop_gives_back_exactly_the_working_days_it_lasted(
    window, start, days, stop_after, stopped_for
):
    """Days used before the stop plus days after the restart make the whole period: the
    period resumes where it stood, however long the department kept the request."""
    stop, restart, deadline = stopped(start, days, stop_after, stopped_for, window=window)
    plain = add(start, days, window=window)
    if working_days.local_date(stop) > plain.due_date:
        # Stopped after the period had lapsed: the lapse stays.
        assert deadline.due == plain.due
        return
    if working_days.local_date(stop) == plain.due_date:
        # Stopped on its last day: that day is given back, ending with the restart's day or,
        # if that is a day off, the next working day.
        day = working_days.local_date(restart)
        while not window.status(day).working:
            day += ONE_DAY
        assert deadline.due_date == day
        return
    used = working_days.working_days_between(start, stop, window=window).days
    assert 0 <= used < days
    expected = add(restart, days - used, window=window)
    assert deadline.due == expected.due
    assert deadline.due >= plain.due


@examples
@given(start=starts, days=periods, stop_after=offsets)
def test_a_clock_still_stopped_has_no_due_moment_unless_the_period_had_ended(
    window, start, days, stop_after
):
    stop = datetime.datetime.combine(
        working_days.local_date(start) + datetime.timedelta(days=stop_after),
        datetime.time(10),
        tzinfo=SH,
    )
    deadline = working_days.add_with_stops(start, days, stops=[(stop, None)], window=window)
    plain = add(start, days, window=window)
    if working_days.local_date(stop) <= plain.due_date:
        assert deadline is None
    else:
        assert deadline.due == plain.due
