"""The demo of complaints (issue 12 §14), loaded by `manage.py seed_complaints`, which `seed_demo`
calls after the demo adjustments (whose clerks of 市园林局 and 市民政局 answer some of them).

Thirteen complaints about the demo departments, each walked through the services by the people
of each step and left at another stage, so that each office and clerk of the demo finds work and
the tracking and statistics pages have something to show: received; accepted and being handled;
a repeat merged into an open complaint; answered and waiting on the office; closed as
substantiated with its finding, and rated; closed as not substantiated; a repeat of it refused
as a repeat; refused because the matter is in reconsideration; transferred to the district;
answered "not ours" and passed on to the body named; extended with a reason; a review asked for;
a review answered. Their history is dated in the past (services.as_of: receipt a few days to a
few months back), so that each period is counted as it would have been and every open step is
still within its period when `make run` starts.

Everyone is invented: complainants' names, the companies (示例 in their names), phone numbers
(0371-0…, which no real Zhengzhou number is), e-mail addresses (example.invalid) and identity
numbers (region 410199, which is no district's code). The officials named in the seeds are real
persons and are never copied (SPEC §2).

Idempotent: a demo complaint is known by its facts; what exists is left as it is.
"""

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core import calendar
from core.models import Department, Jurisdiction, User
from registry import selectors as registry_selectors
from registry.choices import ListKind

from . import services
from .choices import (
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    Transition,
)
from .models import Complaint

CITY = "410100"
SHANGJIE = "410106"
X = Transition
S = ComplaintState


@dataclass(frozen=True)
class Complainant:
    name: str
    kind: str = ComplainantKind.CITIZEN
    phone: str = ""
    email: str = ""
    address: str = ""
    anonymous: bool = False


@dataclass(frozen=True)
class Act:
    """One transition: `days_ago` (and the hour, Shanghai time) it happened; `actor` a demo
    user's name (None: the complainant, with the secret); `text` the opinion, reason or
    answer; `options` what else the service takes (a ground, a department as (jurisdiction
    code, name), another demo complaint by its key, items by basic code)."""

    days_ago: int
    transition: str
    actor: str | None
    text: str = ""
    options: dict = field(default_factory=dict)
    hour: int = 10


@dataclass(frozen=True)
class DemoComplaint:
    key: str  # how the other demo complaints name it
    department: tuple[str, str]  # (jurisdiction code, name)
    ground: str
    facts: str
    complainant: Complainant
    received_days_ago: int
    walk: tuple[Act, ...]
    state: str  # where the walk leaves it
    items: tuple[str, ...] = ()  # basic codes of the department's power items
    reasons: str = ""
    channel: str = Channel.ONLINE
    recorded_by: str = ""  # a demo user, for the channels other than online
    id_type: str = ""
    id_number: str = ""
    representatives: tuple[dict, ...] = ()
    evidence: tuple[str, ...] = ()  # names of small PDF files attached
    received_hour: int = 9


SALT = (CITY, "市盐业管理局")
PARKS = (CITY, "市园林局")
CIVIL = (CITY, "市民政局")

# Answers and findings are the office's and departments' words, as they would write them.
COMPLAINTS = [
    DemoComplaint(
        "initial-review",
        SALT,
        Ground.CANCELLED_CONTINUED,
        "我公司申请从事食盐批发业务，市盐业管理局盐政处要求先办理“食盐批发许可证核发（初审）”，"
        "提交仓储设施证明等材料并等待现场核查。该初审事项已于2018年取消，清单中也显示为已取消，"
        "仍要求办理属于变相继续实施已取消的权力。",
        Complainant(
            "郑州示例调味品商贸有限公司",
            ComplainantKind.LEGAL_PERSON,
            phone="0371-09920001",
            email="demo-tiaoweipin@example.invalid",
        ),
        2,
        (),
        S.RECEIVED,
        items=("0100004000",),
        reasons="请求停止要求企业办理已取消的初审事项。",
    ),
    DemoComplaint(
        "tree-certificates",
        PARKS,
        Ground.NEEDLESS_FORMALITIES,
        "本人所在小区一棵枯死的行道树存在倒伏危险，向市园林局申请砍伐时，除清单列明的材料外，"
        "还被要求提供社区、街道和派出所三方出具的安全证明，清单中并无此项材料。",
        Complainant("宋卫东", phone="0371-09920002"),
        12,
        (Act(10, X.ACCEPT, "office", "属于受理范围，转市园林局调查答复。"),),
        S.HANDLING,
        items=("0100006000",),
        channel=Channel.PHONE,
        recorded_by="office",
    ),
    DemoComplaint(
        "tree-certificates-again",
        PARKS,
        Ground.NEEDLESS_FORMALITIES,
        "本人小区一棵枯死的行道树存在倒伏危险，向市园林局申请砍伐时，被要求另外提供社区、街道"
        "和派出所三方出具的安全证明，清单中没有列明此项材料，至今未能办理。",
        Complainant("宋卫东", phone="037109920002"),
        5,
        (
            Act(
                4,
                X.MERGE,
                "office",
                "与此前电话投诉系同一事项，合并办理。",
                {"into": "tree-certificates"},
            ),
        ),
        S.MERGED,
        items=("0100006000",),
    ),
    DemoComplaint(
        "relief-late",
        CIVIL,
        Ground.RESPONSIBILITY_NOT_PERFORMED,
        "我们是同一小区的几户困难家庭，因家庭成员突发重病申请临时救助，市民政局窗口受理后超过"
        "承诺时限仍未作出决定，也未告知办理进度。",
        Complainant("马秀英", phone="0371-09920004"),
        25,
        (
            Act(23, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                3,
                X.ANSWER,
                "minzheng-clerk",
                "经核查，因入户调查安排延误导致超过承诺时限，现已完成审批并发放救助金，"
                "对相关经办人员进行了批评教育。",
            ),
        ),
        S.ANSWERED,
        items=("0400002000",),
        channel=Channel.IN_PERSON,
        recorded_by="office",
        id_type=IdType.RESIDENT_ID,
        id_number="410199195907040155",
        representatives=(
            {"name": "马秀英", "id_type": IdType.RESIDENT_ID, "id_number": "410199195907040155"},
            {
                "name": "田建民",
                "id_type": IdType.RESIDENT_ID,
                "id_number": "410199196803120219",
                "phone": "0371-09920014",
            },
            {"name": "黄玉兰", "id_type": IdType.RESIDENT_ID, "id_number": "410199197508260328"},
        ),
    ),
    DemoComplaint(
        "review-fee",
        SALT,
        Ground.FEE_BEYOND_LIST,
        "我公司办理食盐批发相关手续时，市盐业管理局要求先办理已取消的初审，并收取“审查费”"
        "800元，收费清单中没有此项收费。",
        Complainant(
            "郑州示例食品配送有限公司",
            ComplainantKind.LEGAL_PERSON,
            phone="0371-09920005",
            email="demo-peisong@example.invalid",
        ),
        80,
        (
            Act(78, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                50,
                X.ANSWER,
                "clerk",
                "经调查，盐政处个别工作人员仍按旧规定要求企业办理初审并收取审查费，已责令立即"
                "停止，审查费已全额退还企业。",
            ),
            Act(
                45,
                X.CLOSE,
                "office",
                options={
                    "outcome": Outcome.SUBSTANTIATED,
                    "finding": "食盐批发许可证核发（初审）已于2018年取消，盐政处仍要求企业办理"
                    "并收取收费清单外的审查费800元。",
                    "items": ("0100004000",),
                },
            ),
            Act(40, X.RATE, None, options={"rating": Rating.SATISFIED}),
        ),
        S.CLOSED,
        items=("0100004000",),
        evidence=("审查费收据.pdf",),
    ),
    DemoComplaint(
        "inspection-card",
        SALT,
        Ground.NOT_AS_LISTED,
        "市盐业管理局执法人员到我店检查食盐进货台账时，未出示执法证件，检查结束后也未给检查记录。",
        Complainant("何志强", email="demo-hezhiqiang@example.invalid"),
        70,
        (
            Act(69, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                40,
                X.ANSWER,
                "clerk",
                "经调阅执法记录仪视频，两名执法人员进店时已出示执法证件，检查记录已由店主签字"
                "确认并留存副本。",
            ),
            Act(35, X.CLOSE, "office", options={"outcome": Outcome.NOT_SUBSTANTIATED}),
        ),
        S.CLOSED,
        items=("0900001000",),
        channel=Channel.EMAIL,
        recorded_by="clerk",
    ),
    DemoComplaint(
        "inspection-card-again",
        SALT,
        Ground.NOT_AS_LISTED,
        "市盐业管理局执法人员来我店检查食盐进货台账，没有出示执法证件，检查完也没有给检查记录，"
        "请求调查。",
        Complainant("何志强", email="demo-hezhiqiang@example.invalid"),
        20,
        (
            Act(
                18,
                X.REFUSE,
                "office",
                "您反映的执法人员未出示执法证件问题已于此前作出答复，本次投诉未提出新的事实和"
                "理由，依照规定不予受理。",
                {"ground": RefusalGround.REPEAT, "repeat_of": "inspection-card"},
            ),
        ),
        S.REFUSED,
        items=("0900001000",),
    ),
    DemoComplaint(
        "parks-penalty",
        PARKS,
        Ground.NOT_AS_LISTED,
        "市园林局以本人擅自占用绿地堆放建材为由作出罚款决定，处罚依据和裁量标准不清楚。",
        Complainant("冯国庆", address="郑州市示例路1号"),
        15,
        (
            Act(
                13,
                X.REFUSE,
                "office",
                "您反映的行政处罚决定，您已申请行政复议，复议机关正在审理，依照规定不予受理，"
                "请等待复议结果。",
                {"ground": RefusalGround.IN_LEGAL_PROCEDURE},
            ),
        ),
        S.REFUSED,
        channel=Channel.LETTER,
        recorded_by="office",
    ),
    DemoComplaint(
        "grain-district",
        (CITY, "市粮食局"),
        Ground.CANCELLED_VIA_SUBORDINATE,
        "市级已于2021年取消粮食收购资格核准，但上街区仍要求粮食收购企业办理该核准，"
        "并按原流程提交材料。",
        Complainant("高建军", phone="0371-09920009"),
        8,
        (
            Act(
                6,
                X.TRANSFER,
                "office",
                "投诉对象为上街区粮食局，转上街区改革办受理。",
                {"jurisdiction": SHANGJIE, "department": (SHANGJIE, "上街区粮食局")},
            ),
        ),
        S.RECEIVED,
    ),
    DemoComplaint(
        "relief-district",
        CIVIL,
        Ground.RESPONSIBILITY_NOT_PERFORMED,
        "本人户籍在上街区，申请临时救助已提交材料一个多月，至今没有结果，也无人告知原因。",
        Complainant("罗春梅", phone="0371-09920010"),
        22,
        (
            Act(20, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                17,
                X.DECLINE,
                "minzheng-clerk",
                "申请人户籍在上街区，临时救助由户籍所在地区民政局审批，应由上街区民政局办理。",
                {"responsible": (SHANGJIE, "上街区民政局")},
            ),
            Act(
                16,
                X.REASSIGN,
                "office",
                "经核实，转上街区民政局调查答复。",
                {"responsible": (SHANGJIE, "上街区民政局")},
            ),
        ),
        S.HANDLING,
        items=("0400002000",),
    ),
    DemoComplaint(
        "supplier-proofs",
        SALT,
        Ground.NEEDLESS_FORMALITIES,
        "市盐业管理局要求我公司采购食盐时必须提供供货企业的多项证明并逐页加盖公章，"
        "这些证明没有法律依据，增加了企业负担。",
        Complainant(
            "郑州示例餐饮管理有限公司", ComplainantKind.LEGAL_PERSON, phone="0371-09920011"
        ),
        52,
        (
            Act(50, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                5,
                X.EXTEND,
                "office",
                "需向省级盐业主管机构核实相关规定，办理期限延长30日。",
                {"days": 30},
            ),
        ),
        S.HANDLING,
        channel=Channel.PHONE,
        recorded_by="office",
    ),
    DemoComplaint(
        "green-space-late",
        PARKS,
        Ground.NOT_AS_LISTED,
        "申请临时占用城市绿地审批，超过清单公布的承诺时限仍未办结，也未说明原因。",
        Complainant("谢文涛", phone="0371-09920012"),
        60,
        (
            Act(58, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                30,
                X.ANSWER,
                "yuanlin-clerk",
                "因需补充现场勘查，该申请超出承诺时限2个工作日办结，已向申请人说明情况并致歉。",
            ),
            Act(
                25,
                X.CLOSE,
                "office",
                options={
                    "outcome": Outcome.PARTLY,
                    "finding": "临时占用城市绿地审批超出承诺时限办结，未及时告知申请人。",
                    "items": ("0100005000",),
                },
            ),
            Act(15, X.RATE, None, options={"rating": Rating.NOT_SATISFIED}),
            Act(10, X.REVIEW_REQUEST, None, "超期原因说明不充分，请求复查。"),
        ),
        S.REVIEWING,
        items=("0100005000",),
    ),
    DemoComplaint(
        "subsistence-proof",
        CIVIL,
        Ground.NEEDLESS_FORMALITIES,
        "申请最低生活保障时，窗口工作人员要求提供无犯罪记录证明，清单列明的申请材料中没有此项。",
        Complainant("孔丽华", email="demo-konglihua@example.invalid"),
        75,
        (
            Act(73, X.ACCEPT, "office", "属于受理范围。"),
            Act(
                50,
                X.ANSWER,
                "minzheng-clerk",
                "经核查，窗口未要求提供无犯罪记录证明，系申请人对告知单内容的误解，已重新一次性"
                "告知所需材料。",
            ),
            Act(45, X.CLOSE, "office", options={"outcome": Outcome.NOT_SUBSTANTIATED}),
            Act(30, X.REVIEW_REQUEST, None, "窗口工作人员确实口头要求提供该证明，请求复查。"),
            Act(
                12,
                X.REVIEW,
                "office",
                "经复查，窗口工作人员曾口头要求提供清单外的证明材料，投诉部分属实，已责令整改。",
                {
                    "decision": ReviewDecision.CHANGED,
                    "outcome": Outcome.PARTLY,
                    "finding": "窗口工作人员口头要求申请人提供清单外的无犯罪记录证明。",
                    "items": ("0400001000",),
                },
            ),
        ),
        S.CLOSED,
        items=("0400001000",),
    ),
]

# A one-page PDF: what the demo's evidence files hold.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _moment(today: datetime.date, days_ago: int, hour: int) -> datetime.datetime:
    day = today - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=calendar.SHANGHAI)


def _department(place: tuple[str, str]) -> Department:
    code, name = place
    return Department.objects.get(jurisdiction__code=code, name=name)


def _entries(department: Department, codes) -> list:
    found = []
    for code in codes:
        entry = (
            registry_selectors.published_entries(user=None)
            .filter(department=department, list_kind=ListKind.POWER, basic_code=code)
            .first()
        )
        if entry is None:
            raise LookupError(
                f"The demo register has no power item {code} of {department} "
                "(manage.py seed_register)."
            )
        found.append(entry)
    return found


def _found(complaint: Complaint, codes) -> list:
    """The complaint's own items with these basic codes (a finding names only those)."""
    items = complaint.items.select_related("entry").order_by("pk")
    return [item.entry for item in items if item.entry.basic_code in codes]


def _receive(
    demo: DemoComplaint, department: Department, entries: list, received: datetime.datetime
) -> services.Filed:
    person = demo.complainant
    values = {
        "department": department,
        "entries": entries,
        "ground": demo.ground,
        "facts": demo.facts,
        "reasons": demo.reasons,
        "complainant_kind": person.kind,
        "anonymous": person.anonymous,
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "files": [SimpleUploadedFile(name, _PDF, "application/pdf") for name in demo.evidence],
    }
    if demo.channel == Channel.ONLINE:
        return services.complaint_file(actor=None, truthful=True, **values)
    return services.complaint_record(
        actor=User.objects.get(username=demo.recorded_by),
        channel=demo.channel,
        received_at=received,
        id_type=demo.id_type,
        id_number=demo.id_number,
        representatives=demo.representatives,
        **values,
    )


def _perform(act: Act, filed: services.Filed, known: dict[str, Complaint]) -> Complaint:
    complaint, options = filed.complaint, act.options
    actor = User.objects.get(username=act.actor) if act.actor else None
    if act.transition == X.ACCEPT:
        return services.complaint_accept(actor=actor, complaint=complaint, opinion=act.text)
    if act.transition == X.REFUSE:
        return services.complaint_refuse(
            actor=actor,
            complaint=complaint,
            ground=options["ground"],
            reason=act.text,
            repeat_of=known.get(options.get("repeat_of", "")),
        )
    if act.transition == X.MERGE:
        return services.complaint_merge(
            actor=actor, complaint=complaint, into=known[options["into"]], opinion=act.text
        )
    if act.transition == X.TRANSFER:
        return services.complaint_transfer(
            actor=actor,
            complaint=complaint,
            jurisdiction=Jurisdiction.objects.get(code=options["jurisdiction"]),
            department=_department(options["department"]),
            reason=act.text,
        )
    if act.transition == X.ANSWER:
        return services.complaint_answer(actor=actor, complaint=complaint, answer=act.text)
    if act.transition == X.DECLINE:
        return services.complaint_decline(
            actor=actor,
            complaint=complaint,
            responsible=_department(options["responsible"]),
            reason=act.text,
        )
    if act.transition == X.REASSIGN:
        return services.complaint_reassign(
            actor=actor,
            complaint=complaint,
            responsible=_department(options["responsible"]),
            reason=act.text,
        )
    if act.transition == X.EXTEND:
        return services.complaint_extend(
            actor=actor, complaint=complaint, days=options["days"], reason=act.text
        )
    if act.transition == X.CLOSE:
        return services.complaint_close(
            actor=actor,
            complaint=complaint,
            outcome=options["outcome"],
            finding=options.get("finding", ""),
            found_entries=_found(complaint, options.get("items", ())),
        )
    if act.transition == X.RATE:
        return services.complaint_rate(
            actor=None, complaint=complaint, secret=filed.secret, rating=options["rating"]
        )
    if act.transition == X.REVIEW_REQUEST:
        return services.complaint_review_request(
            actor=None, complaint=complaint, secret=filed.secret, reasons=act.text
        )
    if act.transition == X.REVIEW:
        return services.complaint_review(
            actor=actor,
            complaint=complaint,
            decision=options["decision"],
            answer=act.text,
            outcome=options.get("outcome", ""),
            finding=options.get("finding", ""),
            found_entries=_found(complaint, options.get("items", ())),
        )
    raise ValueError(f"The demo does not walk {act.transition}.")


def _complaint(demo: DemoComplaint, today: datetime.date, known: dict) -> services.Filed:
    department = _department(demo.department)
    entries = _entries(department, demo.items)
    received = _moment(today, demo.received_days_ago, demo.received_hour)
    with services.as_of(received):
        filed = _receive(demo, department, entries, received)
    for act in demo.walk:
        with services.as_of(_moment(today, act.days_ago, act.hour)):
            complaint = _perform(act, filed, known)
        filed = services.Filed(complaint, filed.secret)
    return filed


@transaction.atomic
def complaints_seed() -> list[services.Filed]:
    """Issue 12 §14: the demo complaints (see the module's docstring), all through
    complaints.services. Needs the organisation, the register and the demo adjustments' users
    (`seed_demo`). Returns the complaints it created, each with its secret (shown once)."""
    today = timezone.localdate(timezone=calendar.SHANGHAI)
    known: dict[str, Complaint] = {}
    created = []
    for demo in COMPLAINTS:
        existing = Complaint.objects.filter(facts=demo.facts).first()
        if existing is None:
            filed = _complaint(demo, today, known)
            created.append(filed)
            existing = filed.complaint
        known[demo.key] = existing
    return created
