"""The register as it stood on a date, read from the validity of each version (issue 11 §4),
gives the same rows as the anti-join it replaced, on any history."""

import datetime

import time_machine
from django.db.models import Exists, OuterRef, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import User
from registry import selectors
from registry.models import Entry
from tests import registry_builders as rb

HistoricalEntry = Entry.history.model
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
FIRST = datetime.datetime(2024, 3, 1, 9, tzinfo=SHANGHAI)
ANONYMOUS = User(username="")


def as_of_by_anti_join(day: datetime.date):
    """The reading before issue 11: for each entry its latest row up to the end of the day
    (the later row when two share a moment), unless that row is a deletion."""
    moment = selectors.end_of_day(day)
    newer = HistoricalEntry.objects.filter(id=OuterRef("id"), history_date__lte=moment).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    rows = HistoricalEntry.objects.filter(history_date__lte=moment).exclude(history_type="-")
    return rows.filter(~Exists(newer)).order_by("sort_key", "id")


def rows(queryset) -> list[tuple]:
    return list(queryset.values_list("id", "version", "name"))


# Each event: which of four entries, how many hours after the one before (0: the same
# moment), and the new name.
EVENTS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from([0, 0, 5, 20, 30, 49]), st.integers(0, 9)),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_as_of_reads_the_same_rows_as_the_anti_join(org, events):
    salt = org.departments["salt"]
    entries: dict[int, Entry] = {}
    moment = FIRST
    days = set()
    for which, hours, name in events:
        moment += datetime.timedelta(hours=hours)
        days.add(moment.astimezone(SHANGHAI).date())
        with time_machine.travel(moment, tick=False):
            if which in entries:
                entries[which] = rb.republish(entries[which], name=f"事项{which}第{name}版")
            else:
                entries[which] = rb.publish(
                    salt, name=f"事项{which}第{name}版", basic_code=f"07{which + 1:05d}000"
                )
    one_day = datetime.timedelta(days=1)
    for day in sorted(days | {min(days) - one_day, max(days) + one_day}):
        found = selectors.published_entries(user=ANONYMOUS, as_of=day)
        assert rows(selectors.order_by_path(found)) == rows(as_of_by_anti_join(day)), day
    # The next example starts from an empty register (deleting writes deletion rows: gone too).
    Entry.objects.all().delete()
    HistoricalEntry.objects.all().delete()
