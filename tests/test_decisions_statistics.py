"""Issue 14 §9: the figures by department and period for the rankings — published on time and
late (an unpublished decision past its 10 days counted late), decisions by uncertified officers
or unpublished bodies, items not in force or of another body, late case records and flow steps
over their limit — built from facts made through the services, counted by the database in the
same few queries however many departments."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core import services as core_services
from core.choices import Role
from decisions import selectors, services
from decisions.models import Decision
from tests import registry_builders
from tests.decision_builders import (
    CREDIT_CODES,
    build_decision_org,
    penalty_values,
    record_penalty,
)

D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC), tick=False
    )


# The moment the figures are read: Sept 7's publication (due Sept 17) is overdue, Sept 29's
# (due Oct 9, after National Day) is still awaited.
READ_AT = datetime.datetime(2026, 10, 5, 2, tzinfo=datetime.UTC)
START, END = D(2026, 9, 1), D(2026, 9, 30)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def penalty(built, n: int, *, recorded: datetime.date, **values) -> Decision:
    values = {
        "number": f"郑盐罚〔2026〕{n}号",
        "party_credit_code": CREDIT_CODES[n % len(CREDIT_CODES)],
        **values,
    }
    with at(recorded):
        return record_penalty(built, **values)


@pytest.fixture
def facts(calendar):
    """The salt bureau's September, one fact per figure."""
    with at(D(2026, 8, 1)):
        built = build_decision_org()
        org = built.org
        unconfirmed = services.body_save(
            actor=built.clerk,
            department=built.department,
            values={"name": "市盐业稽查支队", "kind": "own", "basis": "《食盐专营办法》第四条"},
        )
        # The reform office's item: a decision under it is of another body.
        foreign_item = registry_builders.publish(
            org.departments["office"],
            name="对擅自设立机构的处罚",
            basic_code="0200009000",
            category=registry_builders.category(name="行政处罚").pk,
        )
        # A district department with a body and no decision: listed with zeros.
        district = org.district_departments["salt"]
        district_body = services.body_save(
            actor=org.district_users["clerk"],
            department=district,
            values={"name": "上街区盐业管理局", "kind": "own", "basis": "《食盐专营办法》第四条"},
        )
        services.body_confirm(actor=org.district_users["office"], body=district_body)

    on_time = penalty(built, 1, recorded=D(2026, 9, 22), served_on=D(2026, 9, 21))
    with at(D(2026, 9, 23)):
        services.decision_publish(actor=built.clerk, decision=on_time)
    late = penalty(
        built,
        2,
        recorded=D(2026, 9, 4),
        decided_on=D(2026, 9, 2),
        served_on=D(2026, 9, 3),
    )
    with at(D(2026, 9, 20)):
        services.decision_publish(actor=built.clerk, decision=late)
    penalty(built, 3, recorded=D(2026, 9, 8), decided_on=D(2026, 9, 5), served_on=D(2026, 9, 7))
    penalty(built, 4, recorded=D(2026, 9, 30), decided_on=D(2026, 9, 28), served_on=D(2026, 9, 29))
    penalty(
        built,
        5,
        recorded=D(2026, 9, 11),
        decided_on=D(2026, 9, 10),
        officers=[built.expired, built.officers[0]],
    )
    with at(D(2026, 9, 12)):
        services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=unconfirmed,
                item=built.penalty_item,
                officers=built.officers,
                values=_values(6, decided_on=D(2026, 9, 11)),
            ),
        )
        services.decision_record(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=foreign_item,
                officers=built.officers,
                values=_values(7, decided_on=D(2026, 9, 11)),
            ),
        )
    # Decided in August: outside the period.
    penalty(built, 8, recorded=D(2026, 9, 1), filed_on=D(2026, 8, 20), decided_on=D(2026, 8, 28))
    # A case handled here: its record made on Sept 14 is not uploaded within 24 hours.
    with at(D(2026, 9, 14)):
        case = services.case_file(
            actor=built.clerk,
            department=built.department,
            given=services.DecisionValues(
                body=built.body,
                item=built.penalty_item,
                officers=built.officers,
                values=_values(9, number="", decided_on=None, penalty_kinds=[], fine_amount=None),
            ),
        )
        services.case_record_upload(
            actor=built.clerk,
            decision=case,
            title="现场检查笔录",
            made_at=datetime.datetime(2026, 9, 14, 1, tzinfo=datetime.UTC),
        )
    # The first decision's 决定 took 11 working days against 10.
    with at(D(2026, 9, 25)):
        services.flow_step_times_record(
            actor=built.clerk,
            decision=on_time,
            dates=[
                (D(2026, 9, 1), D(2026, 9, 4)),
                (D(2026, 9, 4), D(2026, 9, 18)),
                (D(2026, 9, 3), D(2026, 9, 18)),
            ],
        )
    return built


def _values(n: int, **more) -> dict:
    values = {"number": f"郑盐罚〔2026〕{n}号", "party_credit_code": CREDIT_CODES[n % 3], **more}
    return penalty_values(**values)


def figures(built, user=None, jurisdiction=None):
    with time_machine.travel(READ_AT, tick=False):
        return selectors.decision_statistics(
            user=user or built.org.users["supervisor"],
            jurisdiction=jurisdiction or built.org.city,
            start=START,
            end=END,
        )


@pytest.mark.django_db
def test_the_figures_of_a_department_come_from_its_facts(facts):
    rows = {row.department.pk: row for row in figures(facts)}
    salt = rows[facts.department.pk]
    assert (salt.decisions, salt.served) == (7, 4)
    assert (salt.published_on_time, salt.published_late) == (1, 1)
    # Sept 7's decision is unpublished past its due moment: late, not left out.
    assert (salt.overdue, salt.awaiting, salt.late) == (1, 1, 2)
    assert salt.on_time_share == 33
    assert (salt.officer_uncertified, salt.body_unpublished) == (1, 1)
    assert (salt.item_not_in_force, salt.body_mismatch) == (0, 1)
    assert salt.records_late == 1
    assert (salt.steps_measured, salt.steps_missed) == (3, 1)
    district = rows[facts.org.district_departments["salt"].pk]
    assert (district.decisions, district.late, district.records_late) == (0, 0, 0)
    assert district.on_time_share is None
    # Departments without a body or a decision (the supervision office) are not listed.
    assert facts.org.departments["supervision"].pk not in rows


@pytest.mark.django_db
def test_the_period_and_the_jurisdiction_narrow_the_figures(facts):
    with time_machine.travel(READ_AT, tick=False):
        august = selectors.decision_statistics(
            user=facts.org.users["office"],
            jurisdiction=facts.org.city,
            start=D(2026, 8, 1),
            end=D(2026, 8, 31),
        )
    salt = next(row for row in august if row.department == facts.department)
    assert (salt.decisions, salt.records_late, salt.steps_missed) == (1, 0, 0)
    district = figures(facts, jurisdiction=facts.org.district)
    assert [row.department for row in district] == [facts.org.district_departments["salt"]]


@pytest.mark.django_db
def test_only_the_overseers_of_the_jurisdiction_read_its_figures(facts):
    org = facts.org
    assert figures(facts, user=org.users["administrator"])
    assert figures(facts, user=org.users["clerk"]) == []
    assert figures(facts, user=org.users["reviewer"]) == []
    assert figures(facts, user=org.district_users["supervisor"]) == []
    assert figures(facts, user=org.district_users["supervisor"], jurisdiction=org.district)


def _departments(built, count: int) -> None:
    """`count` more departments of the city, each with a confirmed body."""
    org = built.org
    with at(D(2026, 8, 2)):
        for n in range(count):
            department = core_services.department_create(
                actor=None, jurisdiction=org.city, name=f"市执法局{n}"
            )
            clerk = core_services.user_create(
                actor=None,
                username=f"clerk-{n}",
                password="pw",
                role=Role.CLERK,
                jurisdiction=org.city,
                department=department,
                email=f"clerk-{n}@example.invalid",
            )
            body = services.body_save(
                actor=clerk,
                department=department,
                values={"name": f"执法局{n}", "kind": "own", "basis": "《行政处罚法》"},
            )
            services.body_confirm(actor=org.users["office"], body=body)


@pytest.mark.django_db
@pytest.mark.parametrize("departments", [3, 30])
def test_the_figures_cost_one_query_however_many_departments(facts, departments):
    _departments(facts, departments)
    with CaptureQueriesContext(connection) as captured:
        rows = figures(facts)
    assert len(rows) == departments + 2
    # The scope check and the one aggregate query.
    assert len(captured) == 2


@pytest.mark.django_db
def test_the_statistics_page(facts, client):
    url = reverse("decisions:statistics")
    client.force_login(facts.org.users["supervisor"])
    query = {"jurisdiction": facts.org.city.pk, "start": "2026-09-01", "end": "2026-09-30"}

    def page():
        with time_machine.travel(READ_AT, tick=False), CaptureQueriesContext(connection) as c:
            response = client.get(url, query)
        assert response.status_code == 200
        return response, len(c)

    response, before = page()
    html = response.content.decode()
    row = html[html.index(facts.department.name) :]
    row = row[: row.index("</tr>")]
    # The overdue figure links to the staff list filtered to those decisions.
    assert f"department={facts.department.pk}" in row and "overdue=on" in row
    _departments(facts, 5)
    assert page()[1] == before
    bad = client.get(url, {"start": "2026-09-30", "end": "2026-09-01"})
    assert bad.status_code == 200 and "end" in bad.context["form"].errors
    assert bad.context["rows"] is None
    client.force_login(facts.org.users["clerk"])
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
