"""Plans, the double-random draw, the inspection procedure and rectification notices through the
services (issue 13 §1–3, §5–6; seed 002 联合督查办法 第二条–第七条, 管理办法 第十九条; seed 004
二(三)): the plan's rules, the commitment and a draw anyone can re-run, raised departments, a pool
too small, re-draws, conflicts (回避), the procedure's records, notices numbered without gaps and
kept as issued, corrections, returns, verification, "closed, not fixed" and who may do what. The
clock is built on a Monday of the period (2026-11-16, 10:00 Shanghai)."""

import datetime
import hashlib
import json
import threading

import pytest
from django.db import connection
from django.utils import translation

from core import services as core_services
from core.choices import NotificationKind
from core.models import Notification
from core.services import DomainError
from inspections import draw as drawing
from inspections import services
from inspections.choices import (
    AssessmentKind,
    DrawState,
    InspectionState,
    NoticeState,
    PlanState,
    ProblemState,
    RecordKind,
    StepKind,
    Transition,
)
from inspections.models import (
    AssessmentRecord,
    DocumentCounter,
    Event,
    Inspection,
    InspectionRecord,
    Plan,
    RectificationNotice,
    Step,
)
from tests import complaint_builders as cb
from tests.adjustment_builders import at, end_of
from tests.complaint_builders import travel
from tests.conftest import need
from tests.inspection_builders import (
    build_inspection_org,
    plan_drawn,
    plan_random,
    problem_open,
)

NOW = at(2026, 11, 16, 10)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def built(db, calendar):
    """The clock stands at NOW for the whole test (a nested travel() moves it on)."""
    with travel(NOW):
        yield build_inspection_org()


def _members(inspection: Inspection) -> list[int]:
    return list(inspection.members.order_by("-lead", "pk").values_list("user_id", flat=True))


def _drawn_targets(draw) -> list[tuple[int, list[int]]]:
    return [(t["department"], t["inspectors"]) for t in draw.result["targets"]]


# --- the plan ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"per_target": 1}, "Each unit gets at least two inspectors."),
        ({"scope": []}, "Name the departments in scope."),
        ({"contents": []}, "Choose what the inspection checks."),
        ({"ratio": 60, "raised_ratio": 50}, "The raised ratio cannot be lower"),
        ({"ratio": 0}, "Ratios are percentages from 1 to 100."),
        (
            {"period_start": datetime.date(2026, 12, 31), "period_end": datetime.date(2026, 10, 1)},
            "The period ends before it starts.",
        ),
    ],
)
def test_a_random_check_refused_with_the_reason(built, overrides, message):
    with pytest.raises(DomainError, match=message):
        plan_random(built, **overrides)
    assert not Plan.objects.exists()


def test_a_joint_team_comes_from_several_departments(built):
    """Seed 002 联合督查办法 第二条: 联合督查组 from several departments."""
    second_salt_clerk = cb.staff(built.org, "salt-clerk-2", department=built.units["salt"])
    with pytest.raises(DomainError, match="members from at least two departments"):
        plan_random(built, team=[built.clerks["salt"], second_salt_clerk])
    # A self-inspection has no joint team.
    plan = plan_random(built, mode="self", team=[built.clerks["salt"]])
    assert plan.state == PlanState.DRAFT


def test_the_scope_lies_in_the_plans_jurisdiction_and_a_supervisor_plans(built):
    district_unit = built.org.district_departments["salt"]
    with pytest.raises(DomainError, match="Not in 上街区: 市盐业管理局"):
        plan_random(built, jurisdiction=built.org.district, scope=[built.units["salt"]])
    with pytest.raises(DomainError, match="Only a supervisor of 郑州市 plans its inspections"):
        plan_random(built, actor=built.office)
    with pytest.raises(DomainError, match="Only a supervisor of 郑州市"):
        plan_random(built, actor=built.org.district_users["supervisor"])
    # The city's supervisor plans for the district below it.
    plan = plan_random(
        built,
        jurisdiction=built.org.district,
        scope=[district_unit],
        team=[built.clerks["market"], built.clerks["labour"]],
    )
    assert list(plan.scope.all()) == [district_unit]
    assert Event.objects.get(plan=plan).transition == Transition.PLAN_CREATE


# --- commitment and draw -----------------------------------------------------------------------


def test_commit_then_draw_is_a_function_of_the_revealed_seed_and_the_published_pool(built):
    plan = plan_random(built)
    draw = services.draw_commit(actor=built.supervisor, plan=plan)
    plan.refresh_from_db()
    assert plan.state == PlanState.COMMITTED
    assert (draw.state, draw.round, draw.result, draw.revealed_seed) == (
        DrawState.COMMITTED,
        1,
        None,
        "",
    )
    assert draw.commitment == hashlib.sha256(draw.seed.encode("ascii")).hexdigest()
    assert draw.pool_hash == hashlib.sha256(draw.pool.encode("utf-8")).hexdigest()
    pool = json.loads(draw.pool)
    assert [t["id"] for t in pool["targets"]] == sorted(u.pk for u in built.units.values())
    assert pool["targets"][0]["name"] == "市盐业管理局"
    assert not any(t["raised"] for t in pool["targets"])
    assert [(i["id"], i["department"]) for i in pool["inspectors"]] == sorted(
        (u.pk, u.department_id) for u in built.team
    )
    assert pool["rules"] == {"ratio": 50, "raised_ratio": 100, "per_target": 2}
    published = draw.pool

    # The team changes after the commitment: a member renamed, a conflict declared too late.
    member = built.team[0]
    member.last_name, member.first_name = "改", "名"
    core_services.user_save(
        actor=built.org.users["administrator"], user=member, changed_fields=["last_name"]
    )
    with pytest.raises(DomainError, match="before the commitment is published"):
        services.conflict_declare(
            actor=member,
            plan=plan,
            user=member,
            department=built.units["market"],
            reason="配偶在该局工作",
        )

    with travel(at(2026, 11, 16, 11)):
        draw = services.plan_draw(actor=built.supervisor, plan=plan)
    draw.refresh_from_db()
    assert draw.pool == published
    assert "改名" not in draw.pool
    assert (draw.state, draw.drawn_at, draw.revealed_seed) == (
        DrawState.DRAWN,
        at(2026, 11, 16, 11),
        draw.seed,
    )
    # Anyone re-runs it from what was published.
    assert drawing.run(draw.seed, draw.pool) == draw.result
    assert drawing.commitment(draw.seed) == draw.commitment
    # Ratio 50 % of four departments: two, each with two inspectors of other departments.
    targets = _drawn_targets(draw)
    assert len(targets) == 2
    departments = {u.pk: u.department_id for u in built.team}
    for department, inspectors in targets:
        assert len(set(inspectors)) == 2
        assert all(departments[pk] != department for pk in inspectors)
    inspections = Inspection.objects.filter(draw=draw).order_by("pk")
    assert [(i.department_id, _members(i)) for i in inspections] == targets
    assert all(i.state == InspectionState.PLANNED for i in inspections)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN
    assert list(
        Event.objects.filter(plan=plan, inspection=None).values_list("transition", flat=True)
    ) == [Transition.PLAN_CREATE, Transition.COMMIT, Transition.DRAW]
    # The drawn inspectors are told.
    told = Notification.objects.filter(kind=NotificationKind.TASK_ASSIGNED)
    assert {n.recipient_id for n in told} <= {pk for _d, pks in targets for pk in pks}


def test_the_draw_is_refused_before_the_commitment_and_for_other_modes(built):
    plan = plan_random(built)
    with pytest.raises(services.TransitionRefused):
        services.plan_draw(actor=built.supervisor, plan=plan)
    special = plan_random(built, mode="special", occasion="holidays")
    with pytest.raises(services.TransitionRefused):
        services.draw_commit(actor=built.supervisor, plan=special)
    with pytest.raises(services.TransitionRefused):
        services.draw_commit(actor=built.office, plan=plan)
    assert not plan.draws.exists()


def test_departments_with_many_complaints_or_open_problems_are_raised(built):
    """国办发〔2015〕58号: 投诉举报多的, 加大随机抽查力度 — the policy's thresholds (this
    product's defaults: 3 complaints in 90 days, 2 open problems)."""
    for days_ago, facts in ((80, "甲"), (30, "乙"), (1, "丙")):
        with travel(NOW - datetime.timedelta(days=days_ago)):
            cb.file(built.org, facts=cb.FACTS + facts)
    # Older than 90 days: does not count towards labour's three.
    for days_ago, facts in ((120, "丁"), (10, "戊"), (5, "己")):
        with travel(NOW - datetime.timedelta(days=days_ago)):
            cb.file(built.org, department=built.units["labour"], facts=cb.FACTS + facts)
    problem_open(built, unit="market")
    problem_open(built, unit="market", title="服务指南未更新")
    problem_open(built, unit="transport")

    plan = plan_random(built, ratio=1, raised_ratio=100)
    draw = services.draw_commit(actor=built.supervisor, plan=plan)
    raised = {t["id"]: t["raised"] for t in json.loads(draw.pool)["targets"]}
    units = built.units
    assert raised == {
        units["salt"].pk: True,
        units["market"].pk: True,
        units["labour"].pk: False,
        units["transport"].pk: False,
    }
    draw = services.plan_draw(actor=built.supervisor, plan=plan)
    drawn = [department for department, _inspectors in _drawn_targets(draw)]
    # Every raised department at 100 %, then one of the other two at 1 % (rounded up).
    assert set(drawn[:2]) == {units["salt"].pk, units["market"].pk}
    assert len(drawn) == 3
    assert drawn[2] in {units["labour"].pk, units["transport"].pk}


def test_a_pool_that_cannot_satisfy_the_rules_says_why_and_keeps_the_commitment(built):
    plan = plan_random(built, scope=[built.units["salt"]], ratio=100, per_target=4)
    draw = services.draw_commit(actor=built.supervisor, plan=plan)
    with pytest.raises(
        DomainError,
        match=r"The pool cannot satisfy the rules: 市盐业管理局 needs 4 inspectors from other "
        r"departments without a declared conflict, and the team has 3\.",
    ):
        services.plan_draw(actor=built.supervisor, plan=plan)
    draw.refresh_from_db()
    plan.refresh_from_db()
    assert (plan.state, draw.state, draw.result) == (PlanState.COMMITTED, DrawState.COMMITTED, None)
    assert not Inspection.objects.exists()
    assert not Event.objects.filter(transition=Transition.DRAW).exists()


def test_a_re_draw_needs_a_reason_and_supersedes_the_earlier_draw_in_public(built):
    plan = plan_drawn(built)
    first = plan.draws.get()
    first_inspections = list(Inspection.objects.filter(draw=first))
    with pytest.raises(DomainError, match="Give the reason for the re-draw"):
        services.plan_redraw(actor=built.supervisor, plan=plan, reason="  ")
    reason = "市交通运输局机构改革，检查对象调整"
    with travel(at(2026, 11, 17, 9)):
        second = services.plan_redraw(actor=built.supervisor, plan=plan, reason=reason)
    plan.refresh_from_db()
    first.refresh_from_db()
    assert plan.state == PlanState.COMMITTED
    assert (second.round, second.state, second.reason) == (2, DrawState.COMMITTED, reason)
    assert second.seed != first.seed
    # Until the new draw, the earlier one stands.
    assert first.state == DrawState.DRAWN
    assert Event.objects.get(plan=plan, transition=Transition.REDRAW).detail["round"] == 2

    with travel(at(2026, 11, 17, 10)):
        second = services.plan_draw(actor=built.supervisor, plan=plan)
    first.refresh_from_db()
    assert first.state == DrawState.SUPERSEDED
    assert first.result is not None and first.seed
    for inspection in first_inspections:
        inspection.refresh_from_db()
        assert inspection.state == InspectionState.REPLACED
    assert drawing.run(second.seed, second.pool) == second.result
    assert [
        (i.department_id, _members(i)) for i in Inspection.objects.filter(draw=second)
    ] == _drawn_targets(second)
    assert not Inspection.objects.filter(draw=second).exclude(state=InspectionState.PLANNED)


def test_no_re_draw_once_an_inspection_was_notified(built):
    plan = plan_drawn(built)
    inspection = plan.inspections.first()
    lead = inspection.members.get(lead=True).user
    services.inspection_notify(
        actor=lead, inspection=inspection, meet_on=datetime.date(2026, 11, 20)
    )
    with pytest.raises(DomainError, match="Inspections of this draw have started"):
        services.plan_redraw(actor=built.supervisor, plan=plan, reason="重新抽取")
    assert plan.draws.count() == 1
    with pytest.raises(DomainError, match="Inspections of this plan have started"):
        services.plan_cancel(actor=built.supervisor, plan=plan, reason="取消")


def test_a_declared_conflict_is_never_drawn(built):
    """回避: the salt bureau's own clerk never inspects it, and the market clerk declared an
    interest in it: of the team of four only the labour and transport clerks may, and they do."""
    plan = plan_random(built, ratio=100)
    market, salt = built.clerks["market"], built.units["salt"]
    with pytest.raises(DomainError, match="Only the member or a supervisor declares a conflict"):
        services.conflict_declare(
            actor=built.clerks["labour"], plan=plan, user=market, department=salt, reason="亲属"
        )
    with pytest.raises(DomainError, match="is not in the plan's team"):
        services.conflict_declare(
            actor=built.supervisor,
            plan=plan,
            user=built.office,
            department=salt,
            reason="亲属",
        )
    with pytest.raises(DomainError, match="is not in the plan's scope"):
        services.conflict_declare(
            actor=market,
            plan=plan,
            user=market,
            department=built.org.departments["office"],
            reason="亲属",
        )
    services.conflict_declare(
        actor=market, plan=plan, user=market, department=salt, reason="配偶在市盐业管理局工作"
    )
    draw = services.draw_commit(actor=built.supervisor, plan=plan)
    assert json.loads(draw.pool)["conflicts"] == [[market.pk, salt.pk]]
    services.plan_draw(actor=built.supervisor, plan=plan)
    salt_inspection = Inspection.objects.get(plan=plan, department=salt)
    assert set(_members(salt_inspection)) == {
        built.clerks["labour"].pk,
        built.clerks["transport"].pk,
    }
    for inspection in Inspection.objects.filter(plan=plan).prefetch_related("members__user"):
        assert all(
            m.user.department_id != inspection.department_id for m in inspection.members.all()
        )


def test_units_named_without_a_draw_follow_the_same_rules(built):
    salt, market = built.units["salt"], built.units["market"]
    special = plan_random(built, mode="special", occasion="complaints")
    with pytest.raises(DomainError, match="cannot inspect their own department"):
        services.inspection_create(
            actor=built.supervisor,
            plan=special,
            department=salt,
            inspectors=[built.clerks["salt"], built.clerks["market"]],
        )
    with pytest.raises(DomainError, match="Each unit gets at least two inspectors"):
        services.inspection_create(
            actor=built.supervisor,
            plan=special,
            department=salt,
            inspectors=[built.clerks["market"], built.clerks["market"]],
        )
    with pytest.raises(DomainError, match="is not in the plan's scope"):
        services.inspection_create(
            actor=built.supervisor,
            plan=special,
            department=built.org.departments["legal"],
            inspectors=[built.clerks["market"], built.clerks["labour"]],
        )
    inspection = services.inspection_create(
        actor=built.supervisor,
        plan=special,
        department=salt,
        inspectors=[built.clerks["market"], built.clerks["labour"]],
    )
    assert _members(inspection) == [built.clerks["market"].pk, built.clerks["labour"].pk]
    special.refresh_from_db()
    assert special.state == PlanState.UNDER_WAY
    # 自查: the unit inspects itself.
    own = plan_random(built, mode="self", scope=[market], team=[])
    self_inspection = services.inspection_create(
        actor=built.supervisor, plan=own, department=market, inspectors=[built.clerks["market"]]
    )
    assert _members(self_inspection) == [built.clerks["market"].pk]
    with pytest.raises(services.TransitionRefused):
        services.inspection_create(
            actor=built.clerks["labour"],
            plan=special,
            department=market,
            inspectors=[built.clerks["salt"], built.clerks["labour"]],
        )


# --- the inspection procedure (seed 004 二(三)) -------------------------------------------------


def _drawn_inspection(built) -> tuple[Inspection, list]:
    plan = plan_drawn(built)
    inspection = plan.inspections.order_by("pk").first()
    members = [m.user for m in inspection.members.order_by("-lead", "pk")]
    return inspection, members


def test_the_procedure_from_the_written_notice_to_the_published_result(built):
    inspection, (lead, second) = _drawn_inspection(built)
    outsider = next(u for u in built.team if u.pk not in (lead.pk, second.pk))

    with pytest.raises(services.TransitionRefused):
        services.inspection_notify(
            actor=outsider, inspection=inspection, meet_on=datetime.date(2026, 11, 20)
        )
    with pytest.raises(services.TransitionRefused):
        services.inspection_record(
            actor=lead,
            inspection=inspection,
            kind=RecordKind.MEETING,
            held_on=datetime.date(2026, 11, 16),
            text="座谈会",
        )
    services.inspection_notify(
        actor=lead, inspection=inspection, meet_on=datetime.date(2026, 11, 20)
    )
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.NOTIFIED
    assert inspection.notice_number == "督改〔2026〕1号"
    assert inspection.notified_at == NOW
    with inspection.notice_pdf.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    (notice_record,) = InspectionRecord.objects.filter(inspection=inspection)
    assert (notice_record.kind, notice_record.held_on, notice_record.recorded_by) == (
        RecordKind.NOTICE,
        datetime.date(2026, 11, 16),
        lead,
    )
    assert "督改〔2026〕1号" in notice_record.text

    later = at(2026, 11, 20, 15)
    with travel(later):
        with pytest.raises(DomainError, match="Choose which step of the inspection"):
            services.inspection_record(
                actor=lead,
                inspection=inspection,
                kind=RecordKind.FEEDBACK,
                held_on=datetime.date(2026, 11, 20),
                text="反馈",
            )
        with pytest.raises(DomainError, match="Tick the materials reviewed"):
            services.inspection_record(
                actor=lead,
                inspection=inspection,
                kind=RecordKind.MATERIALS,
                held_on=datetime.date(2026, 11, 20),
                text="查阅材料",
            )
        with pytest.raises(DomainError, match="Unknown materials: diary"):
            services.inspection_record(
                actor=lead,
                inspection=inspection,
                kind=RecordKind.MATERIALS,
                held_on=datetime.date(2026, 11, 20),
                text="查阅材料",
                materials=["study", "diary"],
            )
        for wrong_day in (datetime.date(2026, 11, 21), datetime.date(2026, 11, 13)):
            with pytest.raises(DomainError, match="between the notice and today"):
                services.inspection_record(
                    actor=lead,
                    inspection=inspection,
                    kind=RecordKind.MEETING,
                    held_on=wrong_day,
                    text="座谈会",
                )
        with pytest.raises(services.TransitionRefused):
            services.inspection_record(
                actor=outsider,
                inspection=inspection,
                kind=RecordKind.MEETING,
                held_on=datetime.date(2026, 11, 20),
                text="座谈会",
            )
        day = datetime.date(2026, 11, 20)
        services.inspection_record(
            actor=lead, inspection=inspection, kind=RecordKind.REPORT, held_on=day, text="听取汇报"
        )
        services.inspection_record(
            actor=second, inspection=inspection, kind=RecordKind.MEETING, held_on=day, text="座谈"
        )
        interview = services.inspection_record(
            actor=second,
            inspection=inspection,
            kind=RecordKind.INTERVIEW,
            held_on=day,
            text="访谈办事群众三人",
            people_served=3,
        )
        meeting_with_people = services.inspection_record(
            actor=lead,
            inspection=inspection,
            kind=RecordKind.MEETING,
            held_on=day,
            text="与窗口人员座谈",
            people_served=5,
        )
        materials = services.inspection_record(
            actor=lead,
            inspection=inspection,
            kind=RecordKind.MATERIALS,
            held_on=day,
            text="查阅学习记录和投诉处理台账",
            materials=["complaints", "study", "study"],
        )
    assert interview.people_served == 3
    assert meeting_with_people.people_served == 0
    assert materials.materials == ["complaints", "study"]
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.UNDER_WAY

    with travel(at(2026, 11, 20, 17)):
        with pytest.raises(DomainError, match="preliminary rectification requirements"):
            services.inspection_finish(actor=lead, inspection=inspection, feedback=" ")
        services.inspection_finish(
            actor=lead, inspection=inspection, feedback="责任清单未公开，限期整改。"
        )
    inspection.refresh_from_db()
    assert (inspection.state, inspection.finished_at) == (
        InspectionState.FINISHED,
        at(2026, 11, 20, 17),
    )
    assert list(
        InspectionRecord.objects.filter(inspection=inspection).values_list("kind", flat=True)
    ) == [
        RecordKind.NOTICE,
        RecordKind.REPORT,
        RecordKind.MEETING,
        RecordKind.INTERVIEW,
        RecordKind.MEETING,
        RecordKind.MATERIALS,
        RecordKind.FEEDBACK,
    ]
    publish = Step.objects.get(inspection=inspection)
    assert (publish.kind, publish.department, publish.role, publish.deadline_days) == (
        StepKind.PUBLISH,
        built.org.departments["supervision"],
        "supervisor",
        20,
    )
    # 20 working days from Friday 11-20: Friday 12-18.
    assert publish.due_at == end_of(2026, 12, 18)

    with travel(at(2026, 12, 1, 10)):
        with pytest.raises(services.TransitionRefused):
            services.inspection_publish(actor=lead, inspection=inspection, result="已检查")
        services.inspection_publish(
            actor=built.supervisor,
            inspection=inspection,
            result="发现责任清单未在门户网站公开，已责令整改。",
        )
    inspection.refresh_from_db()
    publish.refresh_from_db()
    assert (inspection.state, inspection.published_at) == (
        InspectionState.PUBLISHED,
        at(2026, 12, 1, 10),
    )
    assert (publish.finished_at, publish.outcome) == (at(2026, 12, 1, 10), "published")
    # The other inspection of the draw is not published: the plan goes on.
    inspection.plan.refresh_from_db()
    assert inspection.plan.state == PlanState.DRAWN


def test_the_unit_is_told_of_the_written_notice(built, django_capture_on_commit_callbacks):
    inspection, (lead, _second) = _drawn_inspection(built)
    unit_clerk = next(
        c for c in built.clerks.values() if c.department_id == inspection.department_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_notify(
            actor=lead, inspection=inspection, meet_on=datetime.date(2026, 11, 20)
        )
    (told,) = Notification.objects.filter(kind=NotificationKind.PROGRESS)
    assert told.recipient == unit_clerk
    assert "督改〔2026〕1号" in told.subject
    assert told.url == inspection.get_absolute_url()


# --- rectification notices ---------------------------------------------------------------------


def _notice(built, problem, **overrides) -> RectificationNotice:
    values = {
        "actor": built.supervisor,
        "problems": [problem],
        "title": "关于责任清单公开问题的整改通知书",
        "requirements": "在门户网站公开责任清单，并报送整改情况。",
        "deadline_days": 10,
    }
    values.update(overrides)
    return services.notice_draft(**values)


def _issued(built, problem=None, **overrides) -> RectificationNotice:
    notice = _notice(built, problem or problem_open(built), **overrides)
    return services.notice_issue(actor=built.supervisor, notice=notice)


def _stored_sha256(notice: RectificationNotice) -> str:
    with notice.pdf.open("rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


def test_notice_numbers_run_without_gaps_per_issuer_and_year(built):
    """GB/T 9704-2012 7.2.4; a withdrawn notice keeps its number, never given again."""
    notices = [_issued(built, problem_open(built, unit=u)) for u in ("salt", "market", "labour")]
    assert [(n.year, n.serial, n.number) for n in notices] == [
        (2026, 1, "督改〔2026〕1号"),
        (2026, 2, "督改〔2026〕2号"),
        (2026, 3, "督改〔2026〕3号"),
    ]
    assert {n.issuer for n in notices} == {built.org.departments["supervision"]}
    withdrawn = services.notice_withdraw(
        actor=built.supervisor, notice=notices[1], reason="问题认定有误"
    )
    assert (withdrawn.state, withdrawn.number, withdrawn.serial) == (
        NoticeState.WITHDRAWN,
        "督改〔2026〕2号",
        2,
    )
    assert withdrawn.problems.get().state == ProblemState.OPEN
    assert not Step.objects.filter(notice=withdrawn, finished_at=None).exists()
    fourth = _issued(built, problem_open(built, unit="transport"))
    assert (fourth.serial, fourth.number) == (4, "督改〔2026〕4号")

    # Another issuing body counts on its own.
    district = built.org.district_users["supervisor"]
    district_problem = problem_open(
        built,
        actor=district,
        jurisdiction=built.org.district,
        department=built.org.district_departments["salt"],
    )
    district_notice = services.notice_issue(
        actor=district, notice=_notice(built, district_problem, actor=district)
    )
    assert district_notice.issuer == built.org.district_departments["supervision"]
    assert (district_notice.serial, district_notice.number) == (1, "督改〔2026〕1号")

    # A new year starts again at 1.
    with travel(at(2027, 1, 4, 10)):
        next_year = _issued(built, problem_open(built, unit="salt", title="新年问题"))
    assert (next_year.year, next_year.serial, next_year.number) == (2027, 1, "督改〔2027〕1号")
    assert sorted(DocumentCounter.objects.values_list("year", "last")) == [
        (2026, 1),
        (2026, 4),
        (2027, 1),
    ]


def test_a_draft_is_refused_with_the_reason(built):
    salt_problem = problem_open(built, unit="salt")
    market_problem = problem_open(built, unit="market")
    with pytest.raises(DomainError, match="addressed to one unit"):
        _notice(built, salt_problem, problems=[salt_problem, market_problem])
    with pytest.raises(DomainError, match="Choose the problems"):
        _notice(built, salt_problem, problems=[])
    with pytest.raises(DomainError, match="from 1 to 250 working days"):
        _notice(built, salt_problem, deadline_days=0)
    with pytest.raises(DomainError, match="Only a supervisor of 郑州市 issues its notices"):
        _notice(built, salt_problem, actor=built.clerks["salt"])
    _issued(built, salt_problem)
    with pytest.raises(DomainError, match="Not open: "):
        _notice(built, salt_problem)


def test_the_pdf_never_changes_after_issue_and_a_correction_is_a_new_notice(built):
    problem = problem_open(built)
    original = _issued(built, problem)
    issued_hash = original.pdf_sha256
    assert _stored_sha256(original) == issued_hash
    assert original.due_at == end_of(2026, 11, 30)

    with travel(at(2026, 11, 18, 10)):
        correction = services.notice_issue(
            actor=built.supervisor,
            notice=_notice(
                built,
                problem,
                corrects=original,
                requirements="在门户网站和政务服务网同时公开责任清单。",
            ),
        )
    original.refresh_from_db()
    problem.refresh_from_db()
    assert original.state == NoticeState.WITHDRAWN
    assert (original.number, original.pdf_sha256) == ("督改〔2026〕1号", issued_hash)
    assert _stored_sha256(original) == issued_hash
    assert (correction.number, correction.corrects) == ("督改〔2026〕2号", original)
    assert correction.pdf.name != original.pdf.name
    assert problem.state == ProblemState.NOTIFIED
    withdrawal = Event.objects.get(notice=original, transition=Transition.NOTICE_WITHDRAW)
    assert "督改〔2026〕2号" in withdrawal.opinion
    # Only a notice in force is corrected.
    with pytest.raises(DomainError, match="Only a notice in force can be corrected"):
        _notice(built, problem, corrects=original)

    clerk = built.clerks["salt"]
    with travel(at(2026, 11, 20, 10)):
        services.rectification_report(actor=clerk, notice=correction, text="已在两处公开。")
    with travel(at(2026, 11, 23, 10)):
        services.notice_accept(actor=built.supervisor, notice=correction, opinion="整改到位")
    correction.refresh_from_db()
    assert correction.state == NoticeState.ACCEPTED
    assert _stored_sha256(correction) == correction.pdf_sha256
    assert _stored_sha256(original) == issued_hash


def test_returned_rectification_keeps_the_original_deadline_then_accepted(built):
    problem = problem_open(built)
    notice = _issued(built, problem)
    # Ten working days from Monday 11-16: Monday 11-30.
    assert notice.due_at == end_of(2026, 11, 30)
    rectify = Step.objects.get(notice=notice)
    assert (rectify.kind, rectify.department, rectify.role) == (
        StepKind.RECTIFY,
        built.units["salt"],
        "clerk",
    )
    clerk = built.clerks["salt"]
    with travel(at(2026, 11, 19, 10)):
        services.rectification_report(actor=clerk, notice=notice, text="已公开。")
    verify = Step.objects.get(notice=notice, kind=StepKind.VERIFY)
    # The policy's 5 working days (this product's default) from Thursday 11-19.
    assert verify.due_at == end_of(2026, 11, 26)
    with travel(at(2026, 11, 24, 10)):
        with pytest.raises(DomainError, match="Give the reasons"):
            services.notice_return(actor=built.supervisor, notice=notice, reasons=" ")
        services.notice_return(
            actor=built.supervisor, notice=notice, reasons="公开的清单不是最新版本。"
        )
    notice.refresh_from_db()
    assert (notice.state, notice.verdict) == (NoticeState.ISSUED, "公开的清单不是最新版本。")
    again = Step.objects.get(notice=notice, kind=StepKind.RECTIFY, finished_at=None)
    assert again.pk != rectify.pk
    assert again.started_at == at(2026, 11, 24, 10)
    assert again.due_at == notice.due_at == end_of(2026, 11, 30)
    verify.refresh_from_db()
    assert verify.outcome == "returned"

    with travel(at(2026, 11, 26, 10)):
        services.rectification_report(actor=clerk, notice=notice, text="已公开最新版本。")
    with travel(at(2026, 11, 27, 10)):
        services.notice_accept(actor=built.supervisor, notice=notice, opinion="整改到位")
    notice.refresh_from_db()
    problem.refresh_from_db()
    assert (notice.state, notice.closed_at) == (NoticeState.ACCEPTED, at(2026, 11, 27, 10))
    assert (problem.state, problem.closed_at) == (ProblemState.RECTIFIED, at(2026, 11, 27, 10))
    assert not Step.objects.filter(notice=notice, finished_at=None).exists()
    assert notice.reports.count() == 2
    assert not AssessmentRecord.objects.exists()


def test_closed_not_fixed_is_escalated_to_the_office_and_the_ledger(
    built, django_capture_on_commit_callbacks
):
    """Seed 002 管理办法 第十九条: 整改不到位的，抄报政务服务改革管理办公室，记入单位绩效考核
    台账."""
    problem = problem_open(built)
    notice = _issued(built, problem)
    with travel(at(2026, 11, 20, 10)):
        services.rectification_report(actor=built.clerks["salt"], notice=notice, text="已整改。")
    with (
        travel(at(2026, 11, 24, 10)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notice_close_not_fixed(
            actor=built.supervisor, notice=notice, reasons="经复查，清单仍未公开。"
        )
    notice.refresh_from_db()
    problem.refresh_from_db()
    assert (notice.state, notice.verdict) == (NoticeState.NOT_FIXED, "经复查，清单仍未公开。")
    assert problem.state == ProblemState.NOT_FIXED
    assert not Step.objects.filter(notice=notice, finished_at=None).exists()
    (record,) = AssessmentRecord.objects.all()
    assert (record.department, record.year, record.kind, record.veto, record.notice) == (
        built.units["salt"],
        2026,
        AssessmentKind.NOT_FIXED,
        False,
        notice,
    )
    assert Event.objects.filter(notice=notice, transition=Transition.ESCALATE).count() == 1
    escalated = Notification.objects.filter(dedupe_key__contains="escalated")
    assert {n.recipient.username for n in escalated} == {
        "city-office",
        "city-clerk",
        "city-supervisor",
    }
    assert all("督改〔2026〕1号" in n.subject for n in escalated)


def test_who_may_act_on_a_notice(built):
    notice = _notice(built, problem_open(built))
    with pytest.raises(services.TransitionRefused):
        services.notice_issue(actor=built.clerks["salt"], notice=notice)
    with pytest.raises(services.TransitionRefused):
        services.notice_issue(actor=built.office, notice=notice)
    notice = services.notice_issue(actor=built.supervisor, notice=notice)
    # A clerk of another unit cannot report; the supervisor does not report for the unit.
    for outsider in (built.clerks["market"], built.supervisor):
        with pytest.raises(services.TransitionRefused, match="is not yours to do"):
            services.rectification_report(actor=outsider, notice=notice, text="已整改。")
    # Verification waits for a report.
    with pytest.raises(services.TransitionRefused):
        services.notice_accept(actor=built.supervisor, notice=notice, opinion="整改到位")
    services.rectification_report(actor=built.clerks["salt"], notice=notice, text="已整改。")
    # The unit does not verify its own rectification.
    with pytest.raises(services.TransitionRefused):
        services.notice_accept(actor=built.clerks["salt"], notice=notice, opinion="整改到位")
    with pytest.raises(services.TransitionRefused):
        services.notice_close_not_fixed(actor=built.clerks["salt"], notice=notice, reasons="无")


# --- races (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_notices_issued_at_once_get_consecutive_distinct_numbers(calendar):
    need(connection.vendor == "postgresql", "row-level concurrency needs PostgreSQL")
    built = build_inspection_org()
    drafts = [
        _notice(built, problem_open(built, unit=unit, content=None)) for unit in ("salt", "market")
    ]
    barrier = threading.Barrier(len(drafts))
    results: list[object] = [None] * len(drafts)

    def issue(position: int) -> None:
        try:
            barrier.wait()
            results[position] = services.notice_issue(
                actor=built.supervisor, notice=drafts[position]
            )
        except Exception as error:  # the outcome is what the test compares
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(len(drafts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, RectificationNotice) for r in results), results
    year = results[0].year
    assert sorted((r.serial, r.number) for r in results) == [
        (1, f"督改〔{year}〕1号"),
        (2, f"督改〔{year}〕2号"),
    ]
    assert DocumentCounter.objects.get().last == 2
