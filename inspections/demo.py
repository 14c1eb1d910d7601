"""The demo of inspections (issue 13 §9), loaded by `manage.py seed_inspections`, which `seed_demo`
calls after the demo complaints (one of which the problem ledger takes).

- A quarter's random check (随机抽查) of three demo departments by a joint inspection team
  (联合督查组, seed 002 联合督查办法 第二条: 法制、编办、政务服务、数字办) of four: one member
  declares a conflict (回避), the commitment is published, then the draw. Its first two
  inspections go through the procedure of seed 004 二(三) — the written notice, the unit's
  report, a meeting, interviews with people served, the materials reviewed and the oral
  feedback — and their findings enter the ledger; the first one's result is published, the
  second one's publication is due.
- The problem ledger: the findings; a substantiated demo complaint (complaints.demo,
  “review-fee”) taken with one click; a problem a people's congress deputy (人大代表) reported
  about 管城回族区城市管理执法局.
- Three rectification notices: one rectified, reported with evidence and a milestone, and
  accepted; one overdue, escalated by the deadline sweep (seed 002 管理办法 第十九条); one
  closed as not fixed under 管城回族区's policy, which follows seed 001 第十六条 (一票否决).
- Three more users: two inspectors of the joint team and a clerk of 管城回族区城市管理执法局.

Everything goes through inspections.services, dated in the past with services.as_of (from some
60 days back, each action moved to a working day and never before the one it follows), so that
every period is counted as it was and the one open step (the second inspection's publication)
is still within its period when `make run` starts. The people are invented.

Idempotent: the demo plan is known by its basis; when it exists nothing is added. Users by
their names, the policy by its jurisdiction.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from complaints.demo import COMPLAINTS
from complaints.models import Complaint
from core import calendar
from core import services as core_services
from core.choices import Role
from core.management.commands.seed_demo import DEMO_PASSWORD, DemoUser
from core.models import Department, Jurisdiction, User

from . import services
from .choices import Material, PlanMode, RecordKind, Reporter, Severity
from .models import Inspection, InspectionContent, InspectionPolicy, Plan, Step
from .services import ledger

CITY = "410100"
GUANCHENG = "410104"

# The README lists these next to seed_demo's users; they share its password.
DEMO_USERS = [
    DemoUser("bianban-inspector", Role.REVIEWER, CITY, "市编办", "章", "立诚"),
    DemoUser("zhengwu-inspector", Role.REVIEWER, CITY, "市政务服务中心", "欧阳", "敏"),
    DemoUser("guancheng-clerk", Role.CLERK, GUANCHENG, "管城回族区城市管理执法局", "简", "宁远"),
]
# The joint team: 法制办 and 数字办 (seed_demo's reviewer and digital) with the two above.
TEAM = ("reviewer", "digital", "bianban-inspector", "zhengwu-inspector")
# The departments drawn from: each has a demo clerk to answer a notice.
SCOPE = ("市盐业管理局", "市园林局", "市民政局")
CHECKLIST = ("J1", "J4", "J6", "S4", "S7", "R1", "R5")

BASIS = (
    "刘政〔2016〕44号《“五单一网”运行联合督查办法》第五条（二）随机抽查；"
    "《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# What the first two drawn units were found to do (any of the scope's departments).
FINDINGS = [
    [
        {
            "title": "门户网站公开的责任清单不是最新版本",
            "description": "检查发现该单位门户网站公开的责任清单仍为上一次动态调整前的版本，"
            "与清单系统中的现行版本不一致。",
            "content": "R1",
            "severity": Severity.ORDINARY,
        },
        {
            "title": "服务窗口办事指南的承诺时限与清单不一致",
            "description": "访谈办事群众和查阅办事指南发现，窗口办事指南载明的承诺时限长于清单"
            "公布的时限，群众反映强烈。",
            "content": "J4",
            "severity": Severity.SERIOUS,
            "hot": True,
        },
    ],
    [
        {
            "title": "未建立清单学习培训记录",
            "description": "查阅材料发现，该单位未组织权责清单专题学习，无学习记录。",
            "content": "J1",
            "severity": Severity.MINOR,
        },
    ],
]


class _Clock:
    """Moments `days_ago` before today at `hour` (Shanghai), moved back to a working day, each
    after the one before it."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.last: datetime.datetime | None = None

    def at(self, days_ago: int, hour: int = 10) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=days_ago)
        while not calendar.is_working_day(day):
            day -= datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=calendar.SHANGHAI)
        if self.last is not None and moment <= self.last:
            moment = self.last + datetime.timedelta(minutes=30)
        self.last = moment
        return moment


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _users() -> int:
    created = 0
    for demo in DEMO_USERS:
        if User.objects.filter(username=demo.username).exists():
            continue
        jurisdiction = Jurisdiction.objects.get(code=demo.jurisdiction)
        core_services.user_create(
            actor=None,
            username=demo.username,
            password=DEMO_PASSWORD,
            role=demo.role,
            jurisdiction=jurisdiction,
            department=Department.objects.get(jurisdiction=jurisdiction, name=demo.department),
            last_name=demo.last_name,
            first_name=demo.first_name,
            email=f"{demo.username}@example.invalid",
        )
        created += 1
    return created


def _veto_policy() -> None:
    """管城回族区 follows seed 001 第十六条: 逾期未整改或整改不到位的，记入考核台账，实行一票否决.
    Its own row (an administrator may have changed it since)."""
    guancheng = Jurisdiction.objects.get(code=GUANCHENG)
    if InspectionPolicy.objects.filter(jurisdiction=guancheng).exists():
        return
    core_services.jurisdiction_policy_save(
        actor=_user("admin"), model=InspectionPolicy, jurisdiction=guancheng, values={"veto": True}
    )


def _quarter(day: datetime.date) -> tuple[int, int, datetime.date, datetime.date]:
    quarter = (day.month - 1) // 3 + 1
    start = datetime.date(day.year, 3 * quarter - 2, 1)
    end = (
        datetime.date(day.year + 1, 1, 1)
        if quarter == 4
        else datetime.date(day.year, 3 * quarter + 1, 1)
    ) - datetime.timedelta(days=1)
    return day.year, quarter, start, end


def _plan(clock: _Clock, supervisor: User) -> Plan:
    city = Jurisdiction.objects.get(code=CITY)
    created = clock.at(62, 9)
    with services.as_of(created):
        year, quarter, start, end = _quarter(calendar.local_date(created))
        plan = services.plan_create(
            actor=supervisor,
            jurisdiction=city,
            title=f"{year}年第{quarter}季度“五单一网”运行随机抽查",
            mode=PlanMode.RANDOM,
            basis=BASIS,
            period_start=start,
            period_end=end,
            scope=list(Department.objects.filter(jurisdiction=city, name__in=SCOPE)),
            contents=list(InspectionContent.objects.filter(code__in=CHECKLIST)),
            team=[_user(name) for name in TEAM],
            frequency="quarterly",
            ratio=50,
            raised_ratio=100,
            per_target=2,
        )
    digital = _user("digital")
    with services.as_of(clock.at(61, 15)):
        services.conflict_declare(
            actor=digital,
            plan=plan,
            user=digital,
            department=Department.objects.get(jurisdiction=city, name="市民政局"),
            reason="本人配偶在市民政局社会救助处工作。",
        )
    with services.as_of(clock.at(60, 10)):
        services.draw_commit(actor=supervisor, plan=plan)
    with services.as_of(clock.at(58, 10)):
        services.plan_draw(actor=supervisor, plan=plan)
    return plan


def _visit(clock: _Clock, inspection: Inspection, *, days_ago: int, findings: list) -> list:
    """The procedure of seed 004 二(三) from the written notice to the oral feedback, `days_ago`
    the notice; the findings recorded by the lead inspector."""
    lead, second = [m.user for m in inspection.members.order_by("-lead", "pk")][:2]
    notified = clock.at(days_ago, 9)
    with services.as_of(notified):
        meet = calendar.local_date(notified) + datetime.timedelta(days=5)
        while not calendar.is_working_day(meet):
            meet += datetime.timedelta(days=1)
        services.inspection_notify(actor=lead, inspection=inspection, meet_on=meet)
    moment = clock.at(days_ago - 5, 9)
    day = calendar.local_date(moment)
    unit = inspection.department.name
    steps = [
        (lead, RecordKind.REPORT, f"听取{unit}负责同志关于清单运行情况的汇报。", {}),
        (second, RecordKind.MEETING, "召开座谈会，与业务科室负责人和窗口工作人员座谈。", {}),
        (
            second,
            RecordKind.INTERVIEW,
            "在服务窗口随机访谈办事群众，了解办事指南、承诺时限和收费情况。",
            {"people_served": 4},
        ),
        (
            lead,
            RecordKind.MATERIALS,
            "查阅清单学习记录、落实文件、门户网站公开情况和投诉处理台账。",
            {
                "materials": [Material.STUDY, Material.DOCUMENTS, Material.PUBLICITY],
                "files": [SimpleUploadedFile("查阅材料目录.pdf", PDF, "application/pdf")],
            },
        ),
    ]
    for index, (actor, kind, text, more) in enumerate(steps):
        with services.as_of(moment + datetime.timedelta(minutes=45 * index)):
            services.inspection_record(
                actor=actor, inspection=inspection, kind=kind, held_on=day, text=text, **more
            )
    problems = []
    with services.as_of(clock.at(days_ago - 5, 15)):
        for finding in findings:
            problems.append(
                ledger.problem_record(
                    actor=lead,
                    jurisdiction=inspection.plan.jurisdiction,
                    department=inspection.department,
                    title=finding["title"],
                    description=finding["description"],
                    source="inspection",
                    found_on=day,
                    severity=finding["severity"],
                    content=InspectionContent.objects.get(code=finding["content"]),
                    inspection=inspection,
                    hot=finding.get("hot", False),
                )
            )
    with services.as_of(clock.at(days_ago - 7, 16)):
        services.inspection_finish(
            actor=lead,
            inspection=inspection,
            feedback="；".join(f["title"] for f in findings) + "。请对照问题逐项整改。",
        )
    return problems


def _issue(clock: _Clock, days_ago: int, supervisor: User, problems: list, **values):
    with services.as_of(clock.at(days_ago, 10)):
        notice = services.notice_draft(actor=supervisor, problems=problems, **values)
        return services.notice_issue(actor=supervisor, notice=notice)


def _clerk(department: Department) -> User:
    return User.objects.filter(department=department, role=Role.CLERK, is_active=True).first()


def _sweep_overdue(notice) -> None:
    """The deadline sweep as it ran on the day before due (the reminder) and when the period
    ended (overdue: escalated, seed 002 管理办法 第十九条)."""
    step = Step.objects.get(notice=notice, finished_at=None)
    for moment in (step.remind_at, step.due_at + datetime.timedelta(minutes=5)):
        with services.as_of(moment):
            services.inspection_deadlines_sweep(now_=moment)


@transaction.atomic
def inspections_seed() -> dict[str, int]:
    """Issue 13 §9: the demo (see the module's docstring), all through inspections.services.
    Needs the organisation, the calendar and the demo complaints (`seed_demo`). Returns what it
    created."""
    created = {"users": _users(), "plans": 0}
    _veto_policy()
    if Plan.objects.filter(basis=BASIS).exists():
        return created
    review_fee = next(demo for demo in COMPLAINTS if demo.key == "review-fee")
    complaint = Complaint.objects.filter(facts=review_fee.facts).first()
    if complaint is None:
        raise LookupError("The demo complaint “review-fee” is missing (manage.py seed_complaints).")
    clock = _Clock(timezone.localdate(timezone=calendar.SHANGHAI))
    supervisor, office = _user("supervisor"), _user("office")

    plan = _plan(clock, supervisor)
    first, second = list(plan.inspections.order_by("pk"))[:2]
    found = _visit(clock, first, days_ago=55, findings=FINDINGS[0])

    # Rectified, with a milestone and evidence, and accepted.
    rectified = _issue(
        clock,
        45,
        supervisor,
        found[:1],
        title="关于责任清单公开问题的整改通知书",
        requirements="在门户网站公开现行版本的责任清单，建立清单动态调整后同步更新公开的工作机制。",
        deadline_days=10,
        milestones=[("更新门户网站公开的责任清单", clock.today - datetime.timedelta(days=40))],
    )
    # 人大代表 (seed 002 管理办法 第十七条: 六位一体).
    guancheng = Jurisdiction.objects.get(code=GUANCHENG)
    reported = clock.at(42, 11)
    with services.as_of(reported):
        deputy_problem = ledger.problem_record(
            actor=office,
            jurisdiction=guancheng,
            department=Department.objects.get(
                jurisdiction=guancheng, name="管城回族区城市管理执法局"
            ),
            title="执法人员检查时未出示执法证件",
            description="区人大代表反映，城市管理执法人员在对沿街商户检查时未出示执法证件，"
            "也未告知检查依据。",
            source="social",
            reporter=Reporter.DEPUTY,
            reporter_name="程晓阳",
            reported_how="区人大代表视察城市管理执法工作座谈会上口头反映",
            found_on=calendar.local_date(reported),
            content=InspectionContent.objects.get(code="S3"),
            severity=Severity.SERIOUS,
            sensitive=True,
        )
    with services.as_of(clock.at(40, 10)):
        services.inspection_publish(
            actor=supervisor,
            inspection=first,
            result="发现门户网站公开的责任清单未及时更新、办事指南承诺时限与清单不一致等问题，"
            "已下发整改通知书。",
        )
    not_fixed = _issue(
        clock,
        40,
        supervisor,
        [deputy_problem],
        title="关于执法人员未出示执法证件问题的整改通知书",
        requirements="组织执法人员学习行政执法程序规定，执法检查时一律出示执法证件并告知依据。",
        deadline_days=10,
    )
    unit_clerk = _clerk(first.department)
    with services.as_of(clock.at(38, 9)):
        services.milestone_progress(
            actor=unit_clerk,
            milestone=rectified.milestones.get(),
            progress=100,
            note="门户网站已更新为现行版本。",
        )
    with services.as_of(clock.at(38, 10)):
        services.rectification_report(
            actor=unit_clerk,
            notice=rectified,
            text="已在门户网站公开现行版本的责任清单，并明确清单调整后3个工作日内同步更新。",
            files=[SimpleUploadedFile("整改情况报告.pdf", PDF, "application/pdf")],
        )
    with services.as_of(clock.at(35, 10)):
        services.notice_accept(
            actor=supervisor, notice=rectified, opinion="经核查，门户网站已公开现行版本，整改到位。"
        )

    # A substantiated complaint taken with one click, then left overdue.
    with services.as_of(clock.at(30, 9)):
        from_complaint = ledger.problem_from_complaint(actor=office, code=complaint.code)
    overdue = _issue(
        clock,
        30,
        supervisor,
        [from_complaint],
        title="关于变相实施已取消行政审批事项问题的整改通知书",
        requirements="立即停止要求企业办理已取消的初审事项，清退违规收取的费用，并对相关人员"
        "进行批评教育。",
        deadline_days=10,
    )
    with services.as_of(clock.at(28, 10)):
        services.rectification_report(
            actor=_user("guancheng-clerk"),
            notice=not_fixed,
            text="已组织执法人员学习执法程序规定。",
        )
    with services.as_of(clock.at(25, 10)):
        services.notice_close_not_fixed(
            actor=supervisor,
            notice=not_fixed,
            reasons="经回访商户，执法人员检查时仍有未出示执法证件的情况，整改不到位。",
        )
    _visit(clock, second, days_ago=20, findings=FINDINGS[1])
    _sweep_overdue(overdue)
    created["plans"] = 1
    return created
