"""The demo of the adjustment procedure (issue 4), loaded by `manage.py seed_adjustments`, which
`seed_demo` calls after the demo register.

- The three policies of the seeds: 郑州市 follows seed 004 (an explicit row with its numbers),
  上街区 seed 003's two paths, 刘寨镇 seed 002's seven calendar days.
- Two more clerks, for 市园林局 and 市民政局, so that city departments other than the salt bureau
  can apply (the salt bureau's items and 残疾人证核发 are left to the browser tests).
- Seven requests, each left in another state so that every office, reviewer and clerk of the
  demo finds something in its work queue: they are walked through the services as the people
  of each step would, in real time (the services read the clock), with triggering events a
  few days back so that every deadline is live when `make run` starts. The request under
  review shows the lead reviewer and the department talking (seed 004 三(三)3).

Idempotent: a user is known by its name, a policy by its jurisdiction, and a demo request by
its department and subject, or by its entry already being in a draft or a request of that
department (a visitor may have renamed or discarded it since). What exists is left as it is.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core import calendar
from core import services as core_services
from core.choices import DeadlineUnit, Role
from core.management.commands.seed_demo import DEMO_PASSWORD, DemoUser
from core.models import Department, Jurisdiction, User
from registry import selectors as registry_selectors
from registry import services as registry_services
from registry.choices import DraftState, ListKind

from . import selectors, services
from .choices import (
    STEP_ROLE,
    AdjustmentPath,
    RequestState,
    ReviewConclusion,
    Transition,
    TriggerKind,
)
from .models import AdjustmentRequest

# The README lists these next to seed_demo's users; they share its password.
DEMO_USERS = [
    DemoUser("yuanlin-clerk", Role.CLERK, "410100", "市园林局", "邹", "明远"),
    DemoUser("minzheng-clerk", Role.CLERK, "410100", "市民政局", "钱", "思琪"),
]

# jurisdiction code → the values given to policy_save (what is not named keeps seed 004's).
POLICIES = {
    "410100": {
        "basis": (
            "郑盐局〔2016〕5号《郑州市盐业管理局权责清单运行配套机制》三（三）；郑政办〔2016〕12号"
        ),
    },
    "410106": {
        "basis": (
            "上政文〔2016〕31号《上街区创建郑州市“五单一网”制度改革示范区工作方案》三（二）5："
            "机构改革和职能调整引起的，由区政务服务改革管理办公室在清单中调整，"
            "报市政务服务改革管理办公室备案；法律法规规章立、改、废引起的，"
            "经市政务服务改革管理办公室审核后提交区政府常务会议审定"
        ),
        # 机构改革和职能调整: a change of institutions and an internal change of functions.
        "institutional_path": AdjustmentPath.FILING,
        "internal_path": AdjustmentPath.FILING,
        "new_law_path": AdjustmentPath.PARENT_REVIEW,
        "law_changed_path": AdjustmentPath.PARENT_REVIEW,
    },
    "410183100": {
        "basis": (
            "刘政〔2016〕44号《刘寨镇行政权责事项运行监督管理办法》第十条："
            "法律规范及机构职能等变化时，行政权责事项职能单位在7日内提出调整申请"
        ),
        "apply_days": 7,
        "apply_unit": DeadlineUnit.CALENDAR_DAYS,
    },
}

# The lead reviewer every demo request is forwarded to: the demo user `reviewer` works there.
REVIEWER = ("410100", "市法制办")


@dataclass(frozen=True)
class DemoRequest:
    """One demo request: who files it, which entry it changes and how, and the transitions it
    is walked through (each performed by a user of the department its open step waits on)."""

    clerk: str
    basic_code: str
    changes: dict
    trigger: str
    days_ago: int  # the triggering event, counted back from today
    summary: str
    reason: str
    walk: tuple[str, ...]
    state: str  # where the walk leaves it
    list_kind: str = ListKind.POWER
    opinions: dict[str, str] = field(default_factory=dict)
    # Seed 004 三(三)3 "主动与申请单位沟通对接": messages after the walk, (side, text), the side
    # "reviewer" (the lead reviewer the request waits on) or "applicant" (its clerk).
    talk: tuple[tuple[str, str], ...] = ()


S = RequestState
X = Transition
TO_PUBLICATION = (
    X.SUBMIT,
    X.FORWARD,
    X.REVIEW,
    X.APPROVE,
    X.CONFIRM,
    X.DIGITAL_FORWARD,
)

REQUESTS = [
    DemoRequest(
        "yuanlin-clerk",
        "0100006000",
        {"promised_limit_days": 7, "star_level": 3},
        TriggerKind.INTERNAL,
        3,
        "城市树木砍伐审批承诺时限压缩至7个工作日",
        "现场勘查与审查合并办理，承诺时限由10个工作日压缩至7个工作日，开通网上预审。",
        (X.SUBMIT,),
        S.SUBMITTED,
    ),
    DemoRequest(
        "minzheng-clerk",
        "0400002000",
        {"promised_limit_days": 5},
        TriggerKind.SIMPLIFICATION,
        6,
        "临时救助承诺时限压缩至5个工作日",
        "临时救助实行“先行救助、后补手续”，承诺时限由10个工作日压缩至5个工作日。",
        (X.SUBMIT, X.FORWARD),
        S.REVIEWING,
        talk=(
            ("reviewer", "“先行救助、后补手续”的补办时限是多少？请补充相应的事后监管措施。"),
            (
                "applicant",
                "补办时限为救助后10个工作日，事后监管措施已写入责任事项的“事后监管”环节。",
            ),
        ),
    ),
    DemoRequest(
        "yuanlin-clerk",
        "0100005000",
        {"promised_limit_days": 8, "star_level": 4},
        TriggerKind.INTERNAL,
        9,
        "临时占用城市绿地审批实行全程网办",
        "网上申报、网上审查和电子证照送达全部开通，申请人最多跑一次；"
        "承诺时限由10个工作日压缩至8个工作日。",
        (*TO_PUBLICATION, X.PUBLISH, X.SITE_UPDATE),
        S.COMPLETED,
    ),
    DemoRequest(
        "minzheng-clerk",
        "0400001000",
        {"promised_limit_days": 20, "star_level": 3},
        TriggerKind.SIMPLIFICATION,
        7,
        "最低生活保障待遇认定承诺时限压缩至20个工作日",
        "低保审核确认权限下放乡镇（街道），开通网上预审，承诺时限由30个工作日压缩至20个工作日。",
        TO_PUBLICATION,
        S.PUBLISHING,
    ),
    DemoRequest(
        "shangjie-clerk",
        "0400002000",
        {"handling_unit": "社会救助服务中心", "responsible_unit": "社会救助服务中心"},
        TriggerKind.INSTITUTIONAL,
        5,
        "机构改革后临时救助承办机构调整为区社会救助服务中心",
        "根据区机构改革方案，社会救助科的临时救助审核职责划入新设立的区社会救助服务中心，"
        "承办机构和责任单位相应调整。",
        (X.SUBMIT,),
        S.APPROVING,
    ),
    DemoRequest(
        "shangjie-clerk",
        "0700002000",
        {"promised_limit_days": 10},
        TriggerKind.INTERNAL,
        4,
        "公民民族成份确认承诺时限压缩至10个工作日",
        "材料核验改为部门间信息共享，承诺时限由15个工作日压缩至10个工作日。",
        (X.SUBMIT, X.RETURN),
        S.SUPPLEMENT,
        opinions={X.RETURN: "请补充压缩时限后的办理流程和各环节的时限分配。"},
    ),
    DemoRequest(
        "liuzhai-clerk",
        "0100003000",
        {"star_level": 4, "promised_limit_days": 7},
        TriggerKind.INTERNAL,
        2,
        "农村村民住宅用地审批开通网上预约和预审",
        "便民服务中心开通网上预约和材料预审，村民最多跑一次，承诺时限由10个工作日压缩至7个工作日。",
        (),
        S.DRAFTING,
    ),
]

# What the people of each step write when the demo walks a request on.
OPINIONS = {
    X.FORWARD: "请市法制办审核调整依据。",
    X.REVIEW: "调整依据充分，内容合法，同意调整。",
    X.APPROVE: "经审核，同意按申请内容调整。",
    X.CONFIRM: "无异议。",
    X.DIGITAL_FORWARD: "请市数字办配入政务服务网。",
    X.PUBLISH: "已配入政务服务网。",
    X.SITE_UPDATE: "部门网站和办公场所公示内容已同步更新。",
}


def _actor(request: AdjustmentRequest, transition: str) -> User:
    """A user who holds the open step the transition needs (its department, its role)."""
    kinds = services.TRANSITIONS[transition].steps
    for step in request.steps.filter(finished_at=None, kind__in=kinds).order_by("pk"):
        user = (
            User.objects.filter(
                department_id=step.department_id, role=STEP_ROLE[step.kind], is_active=True
            )
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    raise LookupError(f"Nobody of the demo can do {transition} on {request.number}.")


def _perform(request: AdjustmentRequest, transition: str, opinion: str) -> AdjustmentRequest:
    actor = _actor(request, transition)
    if transition == X.SUBMIT:
        return services.adjustment_submit(actor=actor, request=request)
    if transition == X.FORWARD:
        reviewer = Department.objects.get(jurisdiction__code=REVIEWER[0], name=REVIEWER[1])
        return services.adjustment_forward(
            actor=actor, request=request, reviewers=[reviewer], opinion=opinion
        )
    if transition == X.REVIEW:
        return services.adjustment_review(
            actor=actor, request=request, conclusion=ReviewConclusion.AGREE, opinion=opinion
        )
    if transition == X.APPROVE:
        return services.adjustment_approve(actor=actor, request=request, opinion=opinion)
    if transition == X.CONFIRM:
        return services.adjustment_confirm(actor=actor, request=request, note=opinion)
    if transition == X.DIGITAL_FORWARD:
        return services.adjustment_digital_forward(actor=actor, request=request, opinion=opinion)
    if transition == X.PUBLISH:
        return services.adjustment_publish(actor=actor, request=request, note=opinion)
    if transition == X.SITE_UPDATE:
        return services.adjustment_site_update(actor=actor, request=request, note=opinion)
    if transition == X.RETURN:
        return services.adjustment_return(actor=actor, request=request, reason=opinion)
    raise ValueError(f"The demo does not walk {transition}.")


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


def _policies() -> int:
    created = 0
    for code, values in POLICIES.items():
        jurisdiction = Jurisdiction.objects.get(code=code)
        # Its own row (not one inherited from above); an office may have changed it since.
        if services.policy_for(jurisdiction).jurisdiction_id == jurisdiction.pk:
            continue
        services.policy_save(actor=None, jurisdiction=jurisdiction, values=values)
        created += 1
    return created


def _already_there(clerk: User, demo: DemoRequest, entry) -> bool:
    if selectors.requests(user=clerk).filter(summary=demo.summary).exists():
        return True
    if selectors.requests(user=clerk).filter(items__draft__entry=entry).exists():
        return True
    return (
        registry_selectors.drafts(user=clerk)
        .filter(entry=entry, state__in=[DraftState.OPEN, DraftState.SUBMITTED])
        .exists()
    )


def _request(demo: DemoRequest, today: datetime.date) -> bool:
    clerk = User.objects.get(username=demo.clerk)
    entry = (
        registry_selectors.editable_entries(user=clerk)
        .filter(list_kind=demo.list_kind, basic_code=demo.basic_code)
        .first()
    )
    if entry is None:
        raise LookupError(
            f"The demo register has no entry {demo.basic_code} of {clerk.department} "
            "(manage.py seed_register)."
        )
    if _already_there(clerk, demo, entry):
        return False
    draft = registry_services.draft_create(actor=clerk, entry=entry)
    draft = registry_services.draft_save(
        actor=clerk, draft=draft, payload={**draft.payload, **demo.changes}
    )
    request = services.adjustment_create(
        actor=clerk,
        trigger=demo.trigger,
        event_date=today - datetime.timedelta(days=demo.days_ago),
        summary=demo.summary,
        reason=demo.reason,
        drafts=[draft],
    )
    for transition in demo.walk:
        opinion = demo.opinions.get(transition, OPINIONS.get(transition, ""))
        request = _perform(request, transition, opinion)
    for side, text in demo.talk:
        author = clerk if side == "applicant" else _actor(request, X.REVIEW)
        services.adjustment_message_send(actor=author, request=request, text=text)
    return True


@transaction.atomic
def adjustments_seed() -> dict[str, int]:
    """Issue 4: the demo users, policies and requests (see the module's docstring), all through
    core.services, registry.services and adjustments.services. Needs the organisation and the
    register of `seed_demo`. Returns how many users, policies and requests it created."""
    today = timezone.localdate(timezone=calendar.SHANGHAI)
    users = _users()
    policies = _policies()
    requests = sum(_request(demo, today) for demo in REQUESTS)
    return {"users": users, "policies": policies, "requests": requests}
