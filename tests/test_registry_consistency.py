"""The consistency report across levels (issue 3 §7): in-force items whose basic code a higher
level cancelled, one power held by two departments of a jurisdiction, in-force items citing a
repealed law; for the office, supervisors and administrators of the jurisdiction."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from registry import selectors, services
from registry.choices import ChangeSource, EntryStatus, LawStatus, ListKind
from tests import registry_builders as rb

CONSISTENCY = reverse("registry:consistency")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def city_salt(org):
    return org.departments["salt"]


@pytest.fixture
def district_salt(org):
    return org.district_departments["salt"]


def report_for(user):
    return selectors.consistency_report(user=user)


def test_in_force_below_but_cancelled_above(org, city_salt, district_salt):
    above = rb.publish(city_salt, basic_code="0700001000", status=EntryStatus.CANCELLED)
    below = rb.publish(district_salt, basic_code="0700001000")
    # Not findings: another code; a cancellation below an entry in force above; another list.
    rb.publish(district_salt, basic_code="0700002000", name="另一事项")
    rb.publish(city_salt, basic_code="0700003000", name="市级在用")
    rb.publish(district_salt, basic_code="0700003000", name="区级取消", status="cancelled")
    services.entries_publish(
        actor=None,
        changes=[
            services.EntryChange(
                payload=rb.entry_payload(
                    category=rb.category(ListKind.APPROVAL).pk,
                    basic_code="0700004000",
                    status=EntryStatus.CANCELLED,
                ),
                list_kind=ListKind.APPROVAL,
                jurisdiction=org.city,
                department=city_salt,
            )
        ],
        source=ChangeSource.IMPORT,
    )
    rb.publish(district_salt, basic_code="0700004000", name="权力清单事项")

    (finding,) = report_for(org.users[Role.OFFICE]).cancelled_above

    assert (finding.entry, finding.cancelled) == (below, above)
    # The district's office sees it too: the cancellation above is outside its own scope.
    (seen,) = report_for(org.district_users[Role.OFFICE]).cancelled_above
    assert seen.entry == below and seen.cancelled == above


def test_the_nearest_cancelling_level_is_shown(org, city_salt, district_salt):
    from core import services as core_services

    town_office = core_services.department_create(
        actor=None, jurisdiction=org.town, name="济源路街道办事处"
    )
    rb.publish(city_salt, basic_code="0700001000", status=EntryStatus.CANCELLED)
    district = rb.publish(district_salt, basic_code="0700001000", status=EntryStatus.CANCELLED)
    town = rb.publish(town_office, basic_code="0700001000")

    (finding,) = report_for(org.users[Role.OFFICE]).cancelled_above
    assert (finding.entry, finding.cancelled) == (town, district)


def test_one_power_held_by_two_departments(org, city_salt, district_salt):
    legal = org.departments["legal"]
    first = rb.publish(city_salt, basic_code="0700001000")
    second = rb.publish(legal, basic_code="0700001000", name="残疾人证核发（法制办）")
    # Not findings: the same code in another jurisdiction; a cancelled holder; another code.
    rb.publish(district_salt, basic_code="0700001000")
    rb.publish(city_salt, basic_code="0700002000", name="甲")
    rb.publish(legal, basic_code="0700002000", name="乙", status=EntryStatus.CANCELLED)

    (group,) = report_for(org.users[Role.SUPERVISOR]).held_twice

    assert (group.jurisdiction, group.list_kind, group.basic_code) == (
        org.city,
        ListKind.POWER,
        "0700001000",
    )
    assert {entry.pk for entry in group.entries} == {first.pk, second.pk}
    assert report_for(org.district_users[Role.OFFICE]).held_twice == []


def test_in_force_items_citing_a_repealed_law(org, city_salt, district_salt):
    repealed = rb.law("已废止条例", [("第三条", "……"), ("第四条", "……")])
    kept = rb.law()
    articles = list(repealed.provisions.order_by("order"))
    citing = rb.publish(city_salt, basis=[articles[1].pk, kept.provisions.first().pk])
    rb.publish(district_salt, basis=[articles[0].pk], name="区级引用")
    rb.publish(
        city_salt,
        basic_code="0700002000",
        basis=[articles[0].pk],
        status=EntryStatus.CANCELLED,
        name="已取消的引用",
    )
    rb.publish(city_salt, basic_code="0700003000", name="只引用现行法")
    assert report_for(org.users[Role.OFFICE]).repealed_basis == []

    services.law_status_set(
        actor=None, law=repealed, status=LawStatus.REPEALED, on=datetime.date(2024, 1, 1)
    )
    found = report_for(org.users[Role.OFFICE]).repealed_basis

    # Resting only on the repealed law first; the one with another basis in force after it.
    assert [entry.name for entry in found] == ["区级引用", citing.name]
    assert [(e.repealed_basis.wholly) for e in found] == [True, False]
    assert [p.article for p in found[1].repealed_basis.provisions] == ["第四条"]
    assert [law.name for law in found[0].repealed_basis.laws] == ["已废止条例"]
    assert [e.name for e in report_for(org.district_users[Role.OFFICE]).repealed_basis] == [
        "区级引用"
    ]


def test_the_page_for_the_office_supervisors_and_administrators(org, city_salt):
    rb.publish(city_salt, basic_code="0700001000")
    rb.publish(org.departments["legal"], basic_code="0700001000", name="重复的权力")
    for role in (Role.OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR):
        response = client_for(org.users[role]).get(CONSISTENCY)
        assert response.status_code == 200
        assert "重复的权力" in response.content.decode()
    for role in (Role.CLERK, Role.REVIEWER, Role.DIGITAL):
        assert client_for(org.users[role]).get(CONSISTENCY).status_code == 403
    assert Client().get(CONSISTENCY).status_code == 302


def test_an_empty_report(org):
    response = client_for(org.users[Role.OFFICE]).get(CONSISTENCY)
    report = response.context["report"]
    assert (report.cancelled_above, report.held_twice, report.repealed_basis) == ([], [], [])
    assert report.total == 0


def test_query_count_does_not_grow(org, city_salt, district_salt, django_assert_max_num_queries):
    repealed = rb.law("已废止条例", [("第一条", "……")])
    article = repealed.provisions.get()
    services.law_status_set(
        actor=None, law=repealed, status=LawStatus.REPEALED, on=datetime.date(2024, 1, 1)
    )
    legal = org.departments["legal"]
    office = client_for(org.users[Role.OFFICE])

    def build(start: int, count: int) -> None:
        for number in range(start, start + count):
            code = f"07{number:05d}000"
            rb.publish(city_salt, basic_code=code, name=f"市{number}", status="cancelled")
            rb.publish(district_salt, basic_code=code, name=f"区{number}", basis=[article.pk])
            rb.publish(legal, basic_code=code, name=f"法{number}", status="cancelled")
            twin = f"07{number + 500:05d}000"
            rb.publish(city_salt, basic_code=twin, name=f"甲{number}")
            rb.publish(legal, basic_code=twin, name=f"乙{number}", basis=[article.pk])

    build(1, 2)
    with django_assert_max_num_queries(100) as few:
        report = office.get(CONSISTENCY).context["report"]
    assert (len(report.cancelled_above), len(report.held_twice), len(report.repealed_basis)) == (
        2,
        2,
        4,
    )
    build(3, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        report = office.get(CONSISTENCY).context["report"]
    assert (len(report.cancelled_above), len(report.held_twice), len(report.repealed_basis)) == (
        7,
        7,
        14,
    )
