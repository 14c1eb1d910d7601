"""The demo of inspections (issue 13 §9; `seed_inspections`, called by `seed_demo`): a quarter's
random check committed and drawn, two inspections with findings (one published), problems from
the inspections, a complaint and a people's congress deputy, one notice rectified and accepted,
one overdue and escalated by the sweep, one closed not fixed under a seed-001 veto policy; all
dated in the past through the services; a second run creates nothing."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEvent, Notification, User
from inspections import draw as drawing
from inspections.choices import (
    AssessmentKind,
    DrawState,
    InspectionState,
    NoticeState,
    PlanState,
    ProblemSource,
    ProblemState,
    RecordKind,
    Reporter,
    StepKind,
    Transition,
)
from inspections.demo import BASIS, DEMO_USERS, SCOPE, TEAM
from inspections.models import (
    AssessmentRecord,
    Attachment,
    Conflict,
    Draw,
    Event,
    Inspection,
    InspectionRecord,
    Plan,
    Problem,
    RectificationNotice,
    Step,
)
from tests.test_seed_demo import REAL_PERSONS

MODELS = (
    Plan,
    Draw,
    Inspection,
    InspectionRecord,
    Problem,
    RectificationNotice,
    Step,
    Event,
    AssessmentRecord,
    Attachment,
    User,
    Notification,
    AuditEvent,
)


@pytest.fixture
def output(db, demo_output) -> str:
    """What `seed_demo` printed; what it left for after its commits (notices) ran too."""
    return demo_output


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_second_run_creates_nothing(output):
    assert "Demo inspections ready (3 new users, 1 new plans)." in output
    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", verbosity=1, stdout=out)
    assert _counts() == before
    assert "Demo inspections ready (0 new users, 0 new plans)." in out.getvalue()


def test_the_random_check_was_committed_then_drawn_and_re_runs(output):
    (plan,) = Plan.objects.filter(basis=BASIS)
    assert plan.mode == "random"
    assert sorted(plan.scope.values_list("name", flat=True)) == sorted(SCOPE)
    team = set(plan.team.values_list("user__username", flat=True))
    assert team == set(TEAM)
    assert len(set(plan.team.values_list("department_id", flat=True))) == 4
    (draw,) = plan.draws.all()
    assert draw.state == DrawState.DRAWN
    assert draw.committed_at < draw.drawn_at < timezone.now()
    assert drawing.commitment(draw.seed) == draw.commitment
    assert drawing.run(draw.seed, draw.pool) == draw.result
    (conflict,) = Conflict.objects.filter(plan=plan)
    assert [conflict.user_id, conflict.department_id] in json.loads(draw.pool)["conflicts"]
    inspections = list(plan.inspections.order_by("pk"))
    assert [
        (i.department_id, [m.user_id for m in i.members.order_by("-lead", "pk")])
        for i in inspections
    ] == [(t["department"], t["inspectors"]) for t in draw.result["targets"]]
    for inspection in inspections:
        members = inspection.members.select_related("user")
        assert all(m.user.department_id != inspection.department_id for m in members)
        if inspection.department_id == conflict.department_id:
            assert conflict.user_id not in {m.user_id for m in members}
    # Two inspected, one of them published; any further drawn unit is still planned.
    states = [i.state for i in inspections]
    assert states[:2] == [InspectionState.PUBLISHED, InspectionState.FINISHED]
    assert all(state == InspectionState.PLANNED for state in states[2:])
    assert plan.state == PlanState.DRAWN


def test_the_inspections_record_every_step_of_the_procedure(output):
    plan = Plan.objects.get(basis=BASIS)
    for inspection in plan.inspections.order_by("pk")[:2]:
        kinds = set(inspection.records.values_list("kind", flat=True))
        assert kinds == set(RecordKind.values), inspection
        assert inspection.notice_number and inspection.notice_pdf
        assert inspection.problems.filter(source=ProblemSource.INSPECTION).exists()
        assert inspection.records.get(kind=RecordKind.INTERVIEW).people_served == 4
        materials = inspection.records.get(kind=RecordKind.MATERIALS)
        assert materials.files.count() == 1
    published = plan.inspections.get(state=InspectionState.PUBLISHED)
    assert published.result and published.published_at
    # The second inspection's publication is due, and not yet overdue; the other open step is
    # the overdue rectification.
    (publish,) = Step.objects.filter(finished_at=None, kind=StepKind.PUBLISH)
    assert Step.objects.filter(finished_at=None).exclude(pk=publish.pk).get().overdue_at
    assert publish.inspection.state == InspectionState.FINISHED
    assert publish.started_at < timezone.now() < publish.due_at


def test_the_ledger_and_the_three_notices(output):
    from_complaint = Problem.objects.get(source=ProblemSource.COMPLAINT)
    assert from_complaint.complaint_code and from_complaint.department.name == "市盐业管理局"
    deputy = Problem.objects.get(source=ProblemSource.SOCIAL)
    assert (deputy.reporter, deputy.reporter_name) == (Reporter.DEPUTY, "程晓阳")
    assert deputy.reporter_name not in REAL_PERSONS
    assert Problem.objects.filter(hot=True).exists()
    assert Problem.objects.filter(state=ProblemState.OPEN).exists()

    notices = {n.state: n for n in RectificationNotice.objects.all()}
    assert set(notices) == {NoticeState.ACCEPTED, NoticeState.ISSUED, NoticeState.NOT_FIXED}
    numbers = sorted(n.serial for n in notices.values())
    assert len(set(numbers)) == 3

    accepted = notices[NoticeState.ACCEPTED]
    assert {p.state for p in accepted.problems.all()} == {ProblemState.RECTIFIED}
    assert accepted.milestones.get().progress == 100
    assert accepted.reports.get().files.count() == 1

    overdue = notices[NoticeState.ISSUED]
    assert list(overdue.problems.all()) == [from_complaint]
    assert overdue.due_at < timezone.now()
    rectify = overdue.steps.get(finished_at=None)
    assert rectify.reminded_at and rectify.overdue_at
    record = AssessmentRecord.objects.get(notice=overdue)
    assert (record.kind, record.veto) == (AssessmentKind.OVERDUE, False)
    assert Event.objects.filter(notice=overdue, transition=Transition.ESCALATE).count() == 1
    office = User.objects.get(username="office")
    assert Notification.objects.filter(
        recipient=office, dedupe_key=f"inspection-notice:{overdue.pk}:escalated:overdue"
    ).exists()

    not_fixed = notices[NoticeState.NOT_FIXED]
    assert list(not_fixed.problems.all()) == [deputy]
    assert not_fixed.addressee.name == "管城回族区城市管理执法局"
    deputy.refresh_from_db()
    assert deputy.state == ProblemState.NOT_FIXED
    record = AssessmentRecord.objects.get(notice=not_fixed)
    assert (record.kind, record.veto) == (AssessmentKind.NOT_FIXED, True)
    assert AssessmentRecord.objects.count() == 2


def test_the_history_is_dated_in_the_past_in_order(output):
    now = timezone.now()
    moments = list(Event.objects.order_by("pk").values_list("at", flat=True))
    assert moments and max(moments) < now
    plan = Plan.objects.get(basis=BASIS)
    assert (now - plan.created_at).days >= 55
    for notice in RectificationNotice.objects.all():
        timeline = list(notice.events.order_by("pk").values_list("at", flat=True))
        assert timeline == sorted(timeline), notice


def test_the_demo_users_can_work(output):
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.department.name == demo.department
        assert user.has_usable_password()
