"""Issue 4 §6 (seed 004 三(二)2, 三(三)1): a law marked amended or repealed opens, for every
department whose in-force entries cite it, a request with its application period running from
the date of the change; the department finds it in its work queue, the sweep escalates it when
nobody applies, and the department fulfils it or withdraws it with reasons."""

import datetime

import pytest
import time_machine
from django.utils import translation

from adjustments import services
from adjustments.choices import RequestOrigin, RequestState, StepKind, Transition, TriggerKind
from adjustments.models import AdjustmentRequest, Step
from core import workqueue
from core.choices import NotificationKind, Role
from core.models import Notification
from core.services import DomainError
from registry import services as registry_services
from registry.choices import EntryStatus, LawStatus
from tests import registry_builders
from tests.adjustment_builders import at, draft_of, end_of, open_step

D = datetime.date
AMENDED_ON = D(2026, 11, 2)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def entry(department, number: int, law=None, **overrides):
    """A published entry of `department` citing `law` (the default law of the builders)."""
    cited = law or registry_builders.law()
    return registry_builders.publish(
        department,
        basic_code=f"07{number:05d}000",
        name=f"事项{number}",
        basis=[cited.provisions.first().pk],
        **overrides,
    )


@pytest.fixture
def register(org):
    """The law and who cites it: the city's salt bureau twice in force and once cancelled, the
    district's salt bureau once; the city's 编办 only by a cancelled entry; the city's 法制办
    cites another law."""
    law = registry_builders.law()
    other_law = registry_builders.law(
        name="中华人民共和国行政许可法", articles=[("第十二条", "下列事项可以设定行政许可……")]
    )
    city, district = org.departments, org.district_departments
    with travel(at(2026, 10, 20, 9)):
        entries = {
            "salt-1": entry(city["salt"], 1),
            "salt-2": entry(city["salt"], 2),
            "salt-cancelled": entry(city["salt"], 3, status=EntryStatus.CANCELLED),
            "district-salt": entry(district["salt"], 4),
            "establishment-cancelled": entry(
                city["establishment"], 5, status=EntryStatus.CANCELLED
            ),
            "legal-other-law": entry(city["legal"], 6, law=other_law),
        }
    return law, entries


def amend(law, on: D = AMENDED_ON, moment: datetime.datetime | None = None):
    with travel(moment or at(2026, 11, 3, 9)):
        registry_services.law_status_set(actor=None, law=law, status=LawStatus.AMENDED, on=on)


def obligations(law):
    return AdjustmentRequest.objects.filter(law=law, origin=RequestOrigin.LAW_CHANGE)


def test_a_law_amended_opens_one_request_per_department_citing_it(org, calendar, register):
    law, entries = register
    amend(law)
    opened = {r.department: r for r in obligations(law).prefetch_related("affected_entries")}
    assert set(opened) == {org.departments["salt"], org.district_departments["salt"]}
    city = opened[org.departments["salt"]]
    assert (city.trigger, city.event_date, city.law, city.state, city.created_by) == (
        TriggerKind.LAW_CHANGED,
        AMENDED_ON,
        law,
        RequestState.DRAFTING,
        None,
    )
    assert law.name in city.summary
    # In force and citing it: the cancelled entry is not one to adjust.
    assert set(city.affected_entries.all()) == {entries["salt-1"], entries["salt-2"]}
    district = opened[org.district_departments["salt"]]
    assert set(district.affected_entries.all()) == {entries["district-salt"]}
    assert district.jurisdiction == org.district
    for request in opened.values():
        apply = open_step(request, StepKind.APPLY)
        # 10 working days after Monday 11-02: 11-03..06, 11-09..13, 11-16.
        assert (apply.started_at, apply.due_at) == (
            datetime.datetime(2026, 11, 2, tzinfo=services.calendar.SHANGHAI),
            end_of(2026, 11, 16),
        )
        assert apply.department == request.department
    # The clerks are told at once.
    for people in (org.users, org.district_users):
        assert Notification.objects.filter(
            recipient=people[Role.CLERK], kind=NotificationKind.TASK_ASSIGNED
        ).exists()
    assert not Notification.objects.filter(
        recipient__department__in=[
            org.departments["establishment"],
            org.departments["legal"],
        ]
    ).exists()


def test_marking_the_law_again_on_the_same_date_adds_nothing(org, calendar, register):
    law, entries = register
    amend(law)
    before = {r.pk: set(r.affected_entries.values_list("pk", flat=True)) for r in obligations(law)}
    steps = Step.objects.count()
    amend(law, moment=at(2026, 11, 4, 9))
    after = {r.pk: set(r.affected_entries.values_list("pk", flat=True)) for r in obligations(law)}
    assert after == before
    assert Step.objects.count() == steps

    # An entry published since is added to the department's open request, not a new one.
    with travel(at(2026, 11, 4, 10)):
        newer = entry(org.departments["salt"], 7)
    amend(law, moment=at(2026, 11, 4, 11))
    city = obligations(law).get(department=org.departments["salt"])
    assert set(city.affected_entries.all()) == {entries["salt-1"], entries["salt-2"], newer}
    assert obligations(law).count() == 2
    assert Step.objects.count() == steps


def test_a_law_repealed_opens_the_obligations_too(org, calendar, register):
    law, _entries = register
    with travel(at(2026, 11, 3, 9)):
        registry_services.law_status_set(
            actor=None, law=law, status=LawStatus.REPEALED, on=AMENDED_ON
        )
    assert set(obligations(law).values_list("department", flat=True)) == {
        org.departments["salt"].pk,
        org.district_departments["salt"].pk,
    }
    assert all(str(LawStatus.REPEALED.label) in r.summary for r in obligations(law))


def test_the_obligation_is_in_the_clerks_work_queue(org, calendar, register):
    law, _entries = register
    amend(law)
    city_request = obligations(law).get(department=org.departments["salt"])
    with travel(at(2026, 11, 5, 9)):
        items = workqueue.items_for(org.users[Role.CLERK])
        district_items = workqueue.items_for(org.district_users[Role.CLERK])
        [item] = [i for i in items if i.reference == city_request.number]
        assert (item.action, item.due_at, item.overdue) == (
            str(StepKind.APPLY.label),
            end_of(2026, 11, 16),
            False,
        )
    assert item.url.endswith(f"/{city_request.number}/")
    assert city_request.number not in {i.reference for i in district_items}
    assert {i.reference for i in district_items} == {
        obligations(law).get(department=org.district_departments["salt"]).number
    }


def test_nobody_applying_is_escalated_after_the_due_moment(org, calendar, register):
    law, _entries = register
    amend(law)
    city_request = obligations(law).get(department=org.departments["salt"])
    with travel(at(2026, 11, 16, 23)):
        assert services.deadlines_sweep().overdue == 0
    with travel(at(2026, 11, 17, 9)):
        result = services.deadlines_sweep()
    assert result.overdue == 2
    escalated = Notification.objects.filter(
        kind=NotificationKind.DEADLINE_OVERDUE, subject__contains=city_request.number
    )
    assert {n.recipient for n in escalated} == {
        org.users[Role.CLERK],
        org.users[Role.OFFICE],
        org.users[Role.SUPERVISOR],
    }
    assert open_step(city_request, StepKind.APPLY).overdue_at == at(2026, 11, 17, 9)
    # The district's goes to the district's own office and supervisors.
    district = Notification.objects.filter(kind=NotificationKind.DEADLINE_OVERDUE).exclude(
        pk__in=escalated
    )
    assert {n.recipient for n in district} == {
        org.district_users[Role.CLERK],
        org.district_users[Role.OFFICE],
        org.district_users[Role.SUPERVISOR],
    }


def test_the_clerk_fulfils_it_with_a_draft_and_submits(org, calendar, register):
    law, entries = register
    amend(law)
    clerk = org.users[Role.CLERK]
    request = obligations(law).get(department=org.departments["salt"])
    with travel(at(2026, 11, 10, 9)):
        with pytest.raises(DomainError, match="at least one proposed change"):
            services.adjustment_submit(actor=clerk, request=request)
        draft = draft_of(entries["salt-1"], clerk, promised_limit_days=7)
        request = services.adjustment_update(
            actor=clerk,
            request=request,
            trigger=request.trigger,
            event_date=request.event_date,
            summary=request.summary,
            reason="依修订后的条款调整承诺时限。",
            law=law,
            drafts=[draft],
        )
        request = services.adjustment_submit(actor=clerk, request=request)
    assert request.state == RequestState.SUBMITTED
    apply = Step.objects.get(request=request, kind=StepKind.APPLY)
    assert (apply.finished_at, apply.finished_by, apply.is_overdue) == (
        at(2026, 11, 10, 9),
        clerk,
        False,
    )
    assert [item.draft for item in request.items.all()] == [draft]
    assert open_step(request, StepKind.FORWARD).department == org.departments["office"]


def test_the_clerk_withdraws_it_stating_why_no_change_is_needed(org, calendar, register):
    law, _entries = register
    amend(law)
    clerk = org.district_users[Role.CLERK]
    request = obligations(law).get(department=org.district_departments["salt"])
    with travel(at(2026, 11, 4, 9)):
        with pytest.raises(DomainError, match="reasons"):
            services.adjustment_withdraw(actor=clerk, request=request, reason=" ")
        request = services.adjustment_withdraw(
            actor=clerk, request=request, reason="修订条款不涉及本部门事项，无需调整。"
        )
    assert request.state == RequestState.WITHDRAWN
    assert Step.objects.filter(request=request, finished_at=None).count() == 0
    event = request.events.order_by("-pk").first()
    assert (event.transition, event.opinion) == (
        Transition.WITHDRAW,
        "修订条款不涉及本部门事项，无需调整。",
    )
    # Told to the office that watches the obligations.
    assert Notification.objects.filter(
        recipient=org.district_users[Role.OFFICE], body="修订条款不涉及本部门事项，无需调整。"
    ).exists()
    # Nothing is due any more: the sweep stays silent about it.
    with travel(at(2026, 11, 17, 9)):
        services.deadlines_sweep()
    assert not Notification.objects.filter(
        kind=NotificationKind.DEADLINE_OVERDUE, subject__contains=request.number
    ).exists()
