"""Issue 14 §8 (seed 004 一(二)3: 各环节的办理时限和人员): the flow steps of an item carry their
post and time limit — edited in the draft form, imported from Excel, shown on the item page —
a decision records its steps' dates against the limits of the item as it stood on the decision
date, and the item page shows how often each step kept its limit."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core.models import AuditEvent
from core.services import DomainError
from decisions import services
from decisions.models import FlowStepTime
from registry import importer
from registry.choices import ImportJobState, ListKind
from registry.forms import FlowRowForm
from registry.models import FLOW_KEYS, Entry
from tests import registry_builders
from tests.decision_builders import CREDIT_CODES, build_decision_org, record_penalty

D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, whatever the site's language."""
    with translation.override("en"):
        yield


@pytest.fixture
def built(calendar):
    with at(D(2026, 8, 1)):
        return build_decision_org()


def _decision(built, n: int = 1, **overrides):
    values = {
        "number": f"郑盐罚〔2026〕{n}号",
        "party_credit_code": CREDIT_CODES[n % len(CREDIT_CODES)],
        "served_on": D(2026, 9, 21),
    }
    values.update(overrides)
    with at(D(2026, 9, 22)):
        return record_penalty(built, **values)


# September 2026 up to the 18th has no holiday: (09-01, 09-04] is 3 working days, (09-04,
# 09-18] 10 and (09-03, 09-18] 11. The item's limits: 立案 5, 调查 30, 决定 10.
KEPT_ALL = [(D(2026, 9, 1), D(2026, 9, 4)), (D(2026, 9, 4), D(2026, 9, 18)), None]
ON_THE_LIMIT = (D(2026, 9, 4), D(2026, 9, 18))
OVER_THE_LIMIT = (D(2026, 9, 3), D(2026, 9, 18))


def _dates(decide) -> list:
    return [KEPT_ALL[0], KEPT_ALL[1], decide]


@pytest.mark.django_db
def test_step_times_kept_and_missed_against_the_working_day_limits(built):
    decision = _decision(built)
    with at(D(2026, 10, 20)):
        rows = services.flow_step_times_record(
            actor=built.clerk, decision=decision, dates=_dates(OVER_THE_LIMIT)
        )
    found = [(r.order, r.step, r.post, r.limit_days, r.days_used, r.kept) for r in rows]
    assert found == [
        (1, "立案", "执法岗", 5, 3, True),
        (2, "调查", "执法岗", 30, 10, True),
        (3, "决定", "负责人", 10, 11, False),
    ]
    # Recording again replaces the rows: finishing on the limit's last day keeps it.
    with at(D(2026, 10, 21)):
        services.flow_step_times_record(
            actor=built.clerk, decision=decision, dates=_dates(ON_THE_LIMIT)
        )
    last = FlowStepTime.objects.get(decision=decision, order=3)
    assert (last.days_used, last.kept) == (10, True)
    assert FlowStepTime.objects.filter(decision=decision).count() == 3
    audit = AuditEvent.objects.filter(object_id=str(decision.pk)).order_by("-pk").first()
    assert audit.detail["replaced"][2] == [3, "2026-09-03", "2026-09-18"]


@pytest.mark.django_db
def test_a_step_that_did_not_happen_and_a_step_without_a_limit(built):
    decision = _decision(built)
    with at(D(2026, 10, 20)):
        rows = services.flow_step_times_record(
            actor=built.clerk,
            decision=decision,
            dates=[(None, None), KEPT_ALL[1], (D(2026, 9, 18), D(2026, 9, 18))],
        )
    assert [(r.order, r.days_used) for r in rows] == [(2, 10), (3, 0)]


@pytest.mark.django_db
def test_the_limits_are_those_of_the_item_on_the_decision_date(built):
    decision = _decision(built)
    with at(D(2026, 9, 25)):
        flow = [dict(row) for row in built.penalty_item.flow]
        flow[2]["limit_days"] = 20
        registry_builders.republish(built.penalty_item, flow=flow)
    with at(D(2026, 10, 20)):
        rows = services.flow_step_times_record(
            actor=built.clerk, decision=decision, dates=_dates(OVER_THE_LIMIT)
        )
    assert (rows[2].limit_days, rows[2].kept) == (10, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ([KEPT_ALL[0]], "each of the 3 steps"),
        ([(None, None)] * 3, "at least one step"),
        ([(D(2026, 9, 4), D(2026, 9, 1)), (None, None), (None, None)], "cannot end before"),
        ([(D(2026, 9, 4), None), (None, None), (None, None)], "both the day"),
        ([(D(2026, 9, 4), D(2026, 12, 1)), (None, None), (None, None)], "in the future"),
    ],
)
def test_refused_dates_save_nothing(built, dates, message):
    decision = _decision(built)
    with at(D(2026, 10, 20)), pytest.raises(DomainError, match=message):
        services.flow_step_times_record(actor=built.clerk, decision=decision, dates=dates)
    assert not FlowStepTime.objects.exists()


@pytest.mark.django_db
def test_only_the_departments_clerks_record_step_times(built):
    decision = _decision(built)
    for user in (built.org.users["supervisor"], built.org.district_users["clerk"]):
        with at(D(2026, 10, 20)), pytest.raises(DomainError, match="outside your responsibility"):
            services.flow_step_times_record(
                actor=user, decision=decision, dates=_dates(ON_THE_LIMIT)
            )


def _published(built, n: int):
    decision = _decision(built, n)
    with at(D(2026, 9, 23)):
        return services.decision_publish(actor=built.clerk, decision=decision)


@pytest.mark.django_db
def test_the_item_page_shows_how_often_each_step_kept_its_limit(built, client):
    kept, missed = _published(built, 1), _published(built, 2)
    unpublished = _decision(built, 3)
    with at(D(2026, 10, 20)):
        for decision, decide in ((kept, ON_THE_LIMIT), (missed, OVER_THE_LIMIT)):
            services.flow_step_times_record(
                actor=built.clerk, decision=decision, dates=_dates(decide)
            )
        # Not published: not counted on the public page.
        services.flow_step_times_record(
            actor=built.clerk, decision=unpublished, dates=_dates(OVER_THE_LIMIT)
        )
    with at(D(2026, 10, 21)):
        response = client.get(reverse("registry:entry", args=[built.penalty_item.code]))
    page = response.content.decode()
    section = page[page.index('id="entry-step-record-heading"') :]
    section = section[: section.index("</section>")]
    rows = [row for row in section.split("<tr>")[2:]]
    assert len(rows) == 3
    # 决定: two decisions with dates, one kept its 10 working days: 50%.
    assert "3. 决定" in rows[2] and ">2<" in rows[2] and ">1<" in rows[2] and "50%" in rows[2]
    assert "1. 立案" in rows[0] and "100%" in rows[0]
    # The flow table states each step's post and time limit.
    limits = page[page.index('id="entry-limits-heading"') :]
    assert "负责人" in limits and "10" in limits[: limits.index("</table>")]


@pytest.mark.django_db
def test_the_item_page_costs_the_same_queries_however_many_decisions(built, client):
    url = reverse("registry:entry", args=[built.penalty_item.code])

    def queries() -> int:
        with at(D(2026, 10, 21)), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = _published(built, 1)
    with at(D(2026, 10, 20)):
        services.flow_step_times_record(
            actor=built.clerk, decision=first, dates=_dates(ON_THE_LIMIT)
        )
    one = queries()
    for n in range(2, 7):
        decision = _published(built, n)
        with at(D(2026, 10, 20)):
            services.flow_step_times_record(
                actor=built.clerk, decision=decision, dates=_dates(OVER_THE_LIMIT)
            )
    assert queries() == one


@pytest.mark.django_db
def test_the_clerk_records_the_dates_on_the_step_times_page(built, client):
    decision = _decision(built)
    url = reverse("decisions:step-times", args=[decision.pk])
    client.force_login(built.clerk)
    with at(D(2026, 10, 20)):
        page = client.get(url)
        assert page.status_code == 200 and "负责人" in page.content.decode()
        refused = client.post(url, {"started_1": "2026-09-01"})
        assert refused.status_code == 200
        assert (
            "Give both days" in refused.content.decode() or "两个日期" in refused.content.decode()
        )
        done = client.post(
            url,
            {
                "started_1": "2026-09-01",
                "finished_1": "2026-09-04",
                "started_3": "2026-09-03",
                "finished_3": "2026-09-18",
            },
        )
    assert done.status_code == 302
    assert list(decision.step_times.values_list("order", "kept")) == [(1, True), (3, False)]
    with at(D(2026, 10, 20)):
        again = client.get(url).content.decode()
    assert 'value="2026-09-03"' in again
    client.force_login(built.org.users["supervisor"])
    assert client.get(url).status_code == 403
    # Another department's clerk: not found, as every record they may not see.
    client.force_login(built.org.district_users["clerk"])
    assert client.get(url).status_code == 404


def test_the_time_limit_is_edited_in_the_draft_form():
    form = FlowRowForm({"step": "审核", "post": "审核岗", "limit_days": "5"})
    assert form.is_valid() and form.row() == {"step": "审核", "post": "审核岗", "limit_days": 5}
    assert not FlowRowForm({"step": "审核", "limit_days": "0"}).is_valid()
    assert not FlowRowForm({"step": "审核", "limit_days": "366"}).is_valid()
    assert FlowRowForm({"step": "审核"}).is_valid()


@pytest.mark.django_db
def test_the_time_limit_is_imported_last_on_the_flow_line(org):
    from tests.test_registry_import import client_for, job_of, problems, row, upload, xlsx

    salt, admin = org.departments["salt"], client_for(org.users["administrator"])
    flow = "受理|窗口受理岗|接收材料|不一次性告知|低|一次性告知单|2\n审核|审核岗||||| 5\n发证"
    bad = row(salt, name="盐业检查", basic_code="0700002000", flow="审核|审核岗|||||三天")
    refused = upload(admin, xlsx({ListKind.POWER: [row(salt, flow=flow), bad]}), dry_run=True)
    assert [(number, column) for _s, number, column, _m in problems(refused)] == [
        (3, importer.column_label("flow"))
    ]
    assert "三天" in problems(refused)[0][3]

    done = upload(admin, xlsx({ListKind.POWER: [row(salt, flow=flow)]}), dry_run=False)
    assert job_of(done).state == ImportJobState.DONE
    entry = Entry.objects.get(department=salt, basic_code="0700001000")
    assert [(r["step"], r.get("limit_days")) for r in entry.flow] == [
        ("受理", 2),
        ("审核", 5),
        ("发证", None),
    ]
    assert entry.flow[0]["control_measure"] == "一次性告知单"
    # The template's notes and example say where the limit goes.
    assert set(importer._FLOW_LINE_KEYS) == set(FLOW_KEYS)
