"""The complaints' part of a generated province (core.scale, issue 11 §1; issue 12): complaints
received over the last two years about the general departments of every jurisdiction with a
reform office, some departments drawing many more than others, on every channel and ground.

Each complaint is walked through the procedure as the services would have walked it (received,
accepted or refused or merged, handled, perhaps passed on, extended or returned, answered,
closed with its outcome, rated, reviewed), each step with its due moment counted by the
calendar in calendar days (SPEC §9) and its event rows; a complaint whose next step lies after
now stays open at it, so every step has open complaints, and the sweep's marks are set on the
open steps already past (as the sweep would have left them), so that a sweep finds only what a
benchmark makes due. Texts come from a few templates with many variations: most are distinct,
and a few complainants file the same matter again (the repeats are merged or refused as
repeats); the repeat keys are services.signature of each text.

Tracking codes have the issued form; each complaint's secret is derived from the run's seed
and its code (`scale_secret`), so that a benchmark can track real complaints. Complainants are
invented (投诉人000001, phones 139…, e-mails @example.invalid), never real people."""

import datetime
import hashlib
import io
import json
import operator
import random
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import connection
from django.db.models import JSONField

from core import calendar
from core.choices import DeadlineUnit
from core.scale import DepartmentRow, Run, indexes_deferred, next_ids
from core.search import pairs
from registry.choices import EntryStatus

from . import services
from .choices import (
    FOUND_OUTCOMES,
    AcceptanceBy,
    Channel,
    ComplainantKind,
    ComplaintState,
    Ground,
    IdType,
    Outcome,
    Rating,
    RefusalGround,
    ReviewDecision,
    StepKind,
    StepOutcome,
    Transition,
)
from .models import (
    Complaint,
    ComplaintEvent,
    ComplaintItem,
    ComplaintPolicy,
    ComplaintStep,
    RepeatKey,
    step_role,
)

S = ComplaintState
K = StepKind
T = Transition
DAY = datetime.timedelta(days=1)
HISTORY_DAYS = 730
# Complaints per COPY round: the rows of one round are held in memory, not the whole preset.
CHUNK = 20_000

CHANNELS = {
    Channel.ONLINE: 52,
    Channel.PHONE: 20,
    Channel.LETTER: 8,
    Channel.EMAIL: 9,
    Channel.FAX: 2,
    Channel.IN_PERSON: 9,
}
GROUNDS = {
    Ground.UNLISTED_POWER: 5,
    Ground.CANCELLED_VIA_SUBORDINATE: 4,
    Ground.CANCELLED_CONTINUED: 8,
    Ground.DISGUISED_APPROVAL: 6,
    Ground.UNLAWFUL_BODY: 3,
    Ground.NEEDLESS_FORMALITIES: 18,
    Ground.NOT_AS_LISTED: 22,
    Ground.RESPONSIBILITY_NOT_PERFORMED: 20,
    Ground.FEE_BEYOND_LIST: 8,
    Ground.OTHER: 6,
}
KINDS = {
    ComplainantKind.CITIZEN: 75,
    ComplainantKind.LEGAL_PERSON: 20,
    ComplainantKind.ORGANISATION: 5,
}
OUTCOMES = {Outcome.SUBSTANTIATED: 25, Outcome.PARTLY: 20, Outcome.NOT_SUBSTANTIATED: 55}
RATINGS = {
    Outcome.SUBSTANTIATED: {Rating.SATISFIED: 70, Rating.BASICALLY: 25, Rating.NOT_SATISFIED: 5},
    Outcome.PARTLY: {Rating.SATISFIED: 45, Rating.BASICALLY: 40, Rating.NOT_SATISFIED: 15},
    Outcome.NOT_SUBSTANTIATED: {
        Rating.SATISFIED: 30,
        Rating.BASICALLY: 40,
        Rating.NOT_SATISFIED: 30,
    },
}
# Shares of the paths through the procedure (this generator's choice, not a regulation's).
REPEAT_SHARE = 0.04
REFUSED_SHARE = 0.05
DECLINED_SHARE = 0.03
EXTENDED_SHARE = 0.06
RETURNED_SHARE = 0.04
LATE_SHARE = 0.08
RATED_SHARE = 0.65
ITEMS_SHARE = 0.3
ANONYMOUS_SHARE = 0.1
# The departments' draw: a department's weight is its level's times a log-normal factor, so
# that a few draw many complaints and most a few.
LEVEL_WEIGHT = {"province": 4.0, "city": 2.0, "district": 1.0}
SKEW = 1.1

# --- the texts -------------------------------------------------------------------------------

# Each detail that varies stands in a clause of its own (between punctuation): a clause that
# recurs is hashed once (Signatures).
OPENINGS = (
    "{date}，我到{place}，办理{matter}，",
    "{date}，我单位向{department}申请{matter}，",
    "本人于{date}，在{place}，第{window}号窗口，咨询{matter}，",
    "{date}起，我公司先后{times}次，到{department}办理{matter}，",
    "{date}，我通过网上办事大厅，提交了{matter}申请，",
    "我是在{place}附近经营的个体户，{date}，前往办理{matter}，",
    "{date}，村委会帮{count}户村民，代办{matter}，",
    "{date}，我委托代理人到{department}，递交{matter}的材料，",
    "为了{purpose}，{date}，我去{place}申办{matter}，",
    "{date}上午，我们合作社的负责人，在{place}排队{hours}个小时，办理{matter}，",
    "{date}下午，我拨打{department}的咨询电话，询问{matter}，",
    "我们小区的{count}户业主，{date}，联名向{department}申请{matter}，",
    "{date}，我在手机上预约了{matter}，按约定时间到了{place}，",
    "我厂从{year}年起，每年都要办理{matter}，{date}，再次去{place}，",
    "{date}，经朋友介绍，我第一次到{place}办理{matter}，",
    "{date}，我把{matter}的申请材料，寄到了{department}，",
)
PURPOSES = (
    "开一家小餐馆",
    "给孩子办理入学",
    "扩建厂房",
    "给老人申请补贴",
    "办理退休手续",
    "开办培训学校",
    "承包鱼塘",
    "装修门面",
    "改建自家老房",
    "开展户外促销活动",
    "新建仓库",
    "给车辆办理营运手续",
)
# Details a complaint may add, drawn freely: the more there are, the fewer two unrelated
# complaints have in common.
EPISODES = (
    "接待我的工作人员说这是{department}的内部规定。",
    "工作人员只说系统里就是这么设置的。",
    "我要求对方出示依据，对方拿不出来。",
    "窗口贴出的办事指南和网上公布的不一样。",
    "同一份材料，前后被要求修改了{times}遍。",
    "我当场打了{hotline}，接线员也说不清楚。",
    "旁边的群众也遇到了同样的情况。",
    "科室负责人一直不在，让我等通知。",
    "网上的办理进度显示审核中，已经停了{days}天。",
    "后来又要求我去{unit}盖章，盖完章还是不给办。",
    "交材料时没有给我出具收件回执。",
    "对方说要等领导签字，领导出差了。",
    "我按要求补齐了材料，对方又提出新的要求。",
    "咨询时说不需要{doc}，办理时却说必须提供。",
    "听说给中介交钱就能很快办下来。",
    "工作人员让我找{agency}代办，收费{amount}元。",
    "我提出书面申请，对方拒绝接收。",
    "一次性告知单上没有写这一项。",
    "窗口下午四点就不再受理了。",
    "对方让我先签一份自愿承诺书。",
    "我前后找了{count}个人，互相推来推去。",
    "办理现场没有公示收费依据。",
    "材料交上去之后，说原件丢失了，让重新提交。",
    "我要求说明不予办理的理由，对方不愿书面答复。",
    "到现在都没有人给我打电话说明情况。",
    "{department}的网站上查不到这个事项的办事指南。",
    "排队叫号系统坏了，只能现场登记。",
    "同样的事，邻县只要{promised}天就能办完。",
)
HOTLINES = ("12345热线", "政务服务热线", "市长热线", "投诉举报电话")
AGENCIES = ("中介公司", "咨询公司", "代办点", "设计院", "评估机构", "律师事务所")
ISSUES = {
    Ground.UNLISTED_POWER: (
        "工作人员要求先办理清单上没有的{extra}，否则不予受理。",
        "{department}另设了一道{extra}程序，权力清单中查不到这项权力。",
        "对方要求先取得他们发的准入证明，清单里没有这项审批。",
    ),
    Ground.CANCELLED_VIA_SUBORDINATE: (
        "该事项已经取消，但{department}让{unit}继续审批，还要我们交材料。",
        "窗口说事项已取消，却让我们到{unit}，去办同样的手续并盖章。",
    ),
    Ground.CANCELLED_CONTINUED: (
        "该事项已于{year}年取消，可{department}仍以{form}的形式审批。",
        "清单显示该事项已下放到区县，市里还是要求先出具同意意见。",
    ),
    Ground.DISGUISED_APPROVAL: (
        "本来是备案事项，却被要求先取得{extra}，实际上变成了审批。",
        "公共服务事项被改成要逐级审核，{days}天了，都没有结果。",
    ),
    Ground.UNLAWFUL_BODY: (
        "{unit}没有法律依据，却对我们作出罚款决定，罚款{amount}元。",
        "本应由机关实施的许可，交给{unit}办理，它没有这个权限。",
    ),
    Ground.NEEDLESS_FORMALITIES: (
        "被要求提供{doc}，还有{doc2}，清单和办事指南都没有这个要求。",
        "窗口要我开具{doc}，跑了{times}趟，才知道这份证明是多余的。",
    ),
    Ground.NOT_AS_LISTED: (
        "清单承诺{promised}个工作日办结，实际用了{actual}天。",
        "办理流程和清单公布的不一致，多了{extra}环节，时限也超了，超了{late}天。",
    ),
    Ground.RESPONSIBILITY_NOT_PERFORMED: (
        "工作人员推诿，没有一次性告知所需材料，让我补正了{times}次。",
        "窗口人员态度生硬，对{matter}的办理要求解释不清，{days}天没有下文。",
    ),
    Ground.FEE_BEYOND_LIST: (
        "被收取了{fee}，共{amount}元，收费清单里没有这个项目。",
        "{fee}的收费标准，比清单公布的高出{percent}%，共多收{amount}元。",
    ),
    Ground.OTHER: (
        "{department}的处理方式让我们无所适从，{days}天了，仍没有结论。",
        "反映的问题一直没有人联系我们，打了{times}次电话，都没人接。",
    ),
}
CONSEQUENCES = (
    "导致项目开工推迟了{days}天。",
    "我为此多跑了{times}趟，耽误了生意。",
    "造成经济损失，约{amount}元。",
    "影响了{count}户居民的正常生活。",
    "企业的招投标因此错过了截止时间。",
    "{count}名员工的社保办理，也被耽搁。",
    "至今没有任何书面答复。",
    "合同约定的交房日期只能往后拖。",
    "银行的贷款审批也因此暂停了。",
    "门面空置，每个月租金损失{amount}元。",
    "孩子的入学报名险些错过。",
    "老人行动不便，来回折腾了{times}次。",
    "货物积压在仓库里，已经有{days}天。",
    "",
)
REQUESTS = (
    "请求责令改正并退还已收取的费用。",
    "希望相关部门核实处理并给予书面答复。",
    "请依照清单规定的时限办理。",
    "要求取消多余的证明材料。",
    "请求对相关工作人员依规处理。",
    "希望公开处理结果。",
    "请上级部门督促整改。",
    "请尽快给我们一个明确的说法。",
    "请按一次性告知的要求规范窗口服务。",
    "建议把这项要求从办事指南中删除。",
    "请公开这项收费的依据。",
    "希望尽快恢复正常办理。",
    "请对中介代办的问题一并调查。",
    "请给出不予办理的书面理由。",
)
DOCUMENTS = (
    "无犯罪记录证明",
    "房产证复印件",
    "社区出具的居住证明",
    "单位介绍信",
    "验资报告",
    "户籍证明",
    "婚姻状况证明",
    "营业执照副本原件",
    "消防验收意见",
    "环评批复",
    "银行资信证明",
    "纳税证明",
    "亲属关系证明",
    "健康证明",
    "学历证明",
)
EXTRAS = (
    "初审意见",
    "预审登记",
    "现场踏勘",
    "专家评审",
    "联合会审",
    "部门会签",
    "街道盖章",
    "技术审查",
)
UNITS = ("下属事业单位", "所属协会", "中介服务机构", "街道办事处", "执法大队", "服务中心")
FEES = ("审查费", "工本费", "咨询服务费", "评估费", "登记费", "技术服务费", "加急费")
FORMS = ("备案", "核准", "年检", "登记", "审核", "确认")
MATTERS = (
    "食品经营许可",
    "城市树木砍伐许可",
    "建筑工程施工许可",
    "户外广告设置审批",
    "排水许可",
    "残疾人证办理",
    "最低生活保障审批",
    "教师资格认定",
    "社会组织登记",
    "道路运输经营许可",
    "医疗机构执业登记",
    "不动产登记",
    "个体工商户登记",
    "民办学校办学许可",
    "公共场所卫生许可",
    "临时占用城市绿地审批",
    "城市道路挖掘许可",
    "燃气经营许可",
    "养老机构备案",
    "娱乐场所经营许可",
)
REFUSALS = {
    RefusalGround.IN_LEGAL_PROCEDURE: "所反映的事项已进入行政复议程序，依规不予受理。",
    RefusalGround.HIGHER_GOVERNMENT: "所反映的事项已由上级政府部门受理，依规不予受理。",
    RefusalGround.OTHER_BODY: "所反映的事项已由纪检监察机关受理，依规不予受理。",
    RefusalGround.OTHER_LAWFUL: "投诉缺少明确的投诉对象和事实，依规不予受理。",
}
REPEAT_REASON = "该事项已作出答复，本次投诉没有新的事实和理由，依规不予受理。"
MERGED_NOTE = "与此前同一事项的投诉合并办理。"
FINDINGS = {
    Ground.UNLISTED_POWER: "实施清单外权力",
    Ground.CANCELLED_VIA_SUBORDINATE: "通过下属单位变相实施已取消事项",
    Ground.CANCELLED_CONTINUED: "继续实施已取消事项",
    Ground.DISGUISED_APPROVAL: "将备案变相为审批",
    Ground.UNLAWFUL_BODY: "违法交由无权单位实施",
    Ground.NEEDLESS_FORMALITIES: "索要清单外的证明材料",
    Ground.NOT_AS_LISTED: "未按清单规定的流程和时限办理",
    Ground.RESPONSIBILITY_NOT_PERFORMED: "未履行清单规定的责任",
    Ground.FEE_BEYOND_LIST: "超出收费清单收费",
    Ground.OTHER: "工作作风问题",
}


class _Details(dict):
    """The details a template names, each drawn when it is first asked for: a template names
    a few of them."""

    def __init__(self, rng: random.Random, values: dict) -> None:
        super().__init__(values)
        self.rng = rng

    def __missing__(self, name: str):
        draw = DETAILS[name]
        value = self[name] = draw(self.rng)
        return value


DETAILS = {
    "times": lambda rng: rng.randint(2, 9),
    "count": lambda rng: rng.randint(3, 300),
    "days": lambda rng: rng.randint(5, 90),
    "amount": lambda rng: rng.randint(2, 600) * 10,
    "percent": lambda rng: rng.randint(10, 200),
    "promised": lambda rng: rng.choice((3, 5, 7, 10, 15, 20)),
    "actual": lambda rng: rng.randint(21, 75),
    "late": lambda rng: rng.randint(2, 40),
    "window": lambda rng: rng.randint(1, 40),
    "year": lambda rng: rng.randint(2015, 2024),
    "doc": lambda rng: rng.choice(DOCUMENTS[:8]),
    "doc2": lambda rng: rng.choice(DOCUMENTS[8:]),
    "extra": lambda rng: rng.choice(EXTRAS),
    "unit": lambda rng: rng.choice(UNITS),
    "fee": lambda rng: rng.choice(FEES),
    "form": lambda rng: rng.choice(FORMS),
    "purpose": lambda rng: rng.choice(PURPOSES),
    "hours": lambda rng: rng.randint(2, 6),
    "hotline": lambda rng: rng.choice(HOTLINES),
    "agency": lambda rng: rng.choice(AGENCIES),
}


def complaint_text(
    rng: random.Random,
    *,
    department: str,
    place: str,
    ground: str,
    received: datetime.date,
    matter: str = "",
) -> tuple[str, str]:
    """The facts and the reasons of a complaint about `department` (of jurisdiction `place`)
    on `ground`: an opening, what happened on that ground, one to three episodes, what it
    caused and what is asked, each drawn from a few templates and filled with varied
    details."""
    when = received - datetime.timedelta(days=rng.randint(1, 60))
    values = {
        "date": f"{when.year}年{when.month}月{when.day}日",
        "place": rng.choice(
            (f"{place}政务服务中心", f"{department}办事大厅", f"{place}便民服务站")
        ),
        "department": department,
        "matter": matter or rng.choice(MATTERS),
    }
    details = _Details(rng, values)
    templates = (
        rng.choice(OPENINGS),
        rng.choice(ISSUES[ground]),
        *rng.sample(EPISODES, rng.randint(1, 3)),
        rng.choice(CONSEQUENCES),
    )
    facts = "".join(template.format_map(details) for template in templates)
    asked = rng.sample(REQUESTS, rng.choice((1, 1, 2)))
    return facts, "".join(asked)


def scale_secret(seed: int, code: str) -> str:
    """The tracking secret of a generated complaint, in the issued form (XXXXX-XXXXX): derived
    from the run's seed and the code, so that a benchmark recomputes it. 256 is a multiple of
    the alphabet's 32 letters: each byte picks a letter evenly."""
    digest = hashlib.sha256(f"qingdan-scale:{seed}:{code}".encode()).digest()
    raw = "".join(ALPHABET[byte % len(ALPHABET)] for byte in digest[: services.SECRET_LENGTH])
    return f"{raw[:5]}-{raw[5:]}"


# The issued codes' letters (complaints.services.intake: no I, L, O, U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        raw = "".join(rng.choices(ALPHABET, k=services.CODE_LENGTH))
        code = f"TS-{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if code not in taken:
            taken.add(code)
            return code


class Signatures:
    """services.signature of many texts, faster. A MinHash of a set is, slot by slot, the
    least over its members, and a text's character pairs never run across punctuation or a
    line break (core.search.pairs): so a text's signature is the least of its clauses'
    signatures, and the clauses that recur (most of a template's) are hashed once. The cache
    is emptied when it holds CACHED clauses: memory stays bounded."""

    CACHED = 300_000

    def __init__(self) -> None:
        self.by_pair: dict[str, list[int]] = {}
        self.by_clause: dict[str, list[int]] = {}

    def _clause(self, clause: str) -> list[int]:
        tokens = {token for token in pairs(clause) if len(token) == 2}
        if not tokens:
            return []
        for token in tokens.difference(self.by_pair):
            self.by_pair[token] = services.signature(token)
        return list(map(min, zip(*map(self.by_pair.__getitem__, tokens), strict=True)))

    def of(self, text: str) -> list[int]:
        found = []
        for clause in CLAUSE_BREAKS.split(text):
            signature = self.by_clause.get(clause)
            if signature is None:
                if len(self.by_clause) >= self.CACHED:
                    self.by_clause.clear()
                signature = self.by_clause[clause] = self._clause(clause)
            if signature:
                found.append(signature)
        if not found:
            return []
        return list(map(min, zip(*found, strict=True)))


# Characters that are neither letters nor digits: no character pair runs across them.
CLAUSE_BREAKS = re.compile(r"[，。：；！？、,.:;!?\s]+")


# --- the procedure, walked -------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A jurisdiction with a reform office: the office, the office that reviews its answers
    (the one above, or its own at the top) and its general departments."""

    office: DepartmentRow
    reviewer: DepartmentRow
    general: list[DepartmentRow]


@dataclass(frozen=True)
class Earlier:
    """What a repeat takes from an earlier complaint about the same department."""

    id: int
    code: str
    ground: str
    facts: str
    reasons: str
    complainant: dict
    closed_at: datetime.datetime | None


@dataclass
class Case:
    """One complaint being walked: its row, where it is, who handles it, its items' rows."""

    row: dict
    place: Place
    department: DepartmentRow
    items: list[dict]
    handler: DepartmentRow | None = None

    @property
    def state(self) -> str:
        return self.row["state"]


@dataclass
class Rows:
    """One round's rows; steps are numbered from 0 within the round, their ids reserved when
    the round is written."""

    complaints: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    keys: list[tuple[int, int, list[int]]] = field(default_factory=list)


def _places(departments: Sequence[DepartmentRow]) -> dict[int, Place]:
    offices = {d.jurisdiction.id: d for d in departments if d.function == "reform_office"}
    places: dict[int, Place] = {}
    for department in departments:
        jurisdiction = department.jurisdiction
        if department.function != "general" or jurisdiction.id not in offices:
            continue
        if jurisdiction.id not in places:
            reviewer = offices.get(jurisdiction.parent_id, offices[jurisdiction.id])
            places[jurisdiction.id] = Place(offices[jurisdiction.id], reviewer, [])
        places[jurisdiction.id].general.append(department)
    return places


def _entries(departments: Sequence[DepartmentRow]) -> dict[int, list[tuple]]:
    """Up to twelve entries in force of each department, with their published versions:
    (entry id, code, name, [(version, published at), …]). Two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, department_id, code, name FROM (
                SELECT id, department_id, code, name,
                       row_number() OVER (PARTITION BY department_id ORDER BY id) AS n
                FROM registry_entry WHERE status = %s AND department_id = ANY(%s)
            ) AS ranked WHERE n <= 12 ORDER BY id
            """,
            [EntryStatus.IN_FORCE, [d.id for d in departments]],
        )
        entries = cursor.fetchall()
        cursor.execute(
            "SELECT id, version, history_date FROM registry_historicalentry "
            "WHERE id = ANY(%s) ORDER BY id, version",
            [[row[0] for row in entries]],
        )
        versions: dict[int, list] = {}
        for entry_id, version, moment in cursor.fetchall():
            versions.setdefault(entry_id, []).append((version, moment))
    found: dict[int, list[tuple]] = {}
    for entry_id, department_id, code, name in entries:
        found.setdefault(department_id, []).append((entry_id, code, name, versions[entry_id]))
    return found


class Generator:
    """Draws the complaints and walks each through the procedure into Rows, a round at a
    time."""

    def __init__(self, run: Run) -> None:
        self.run, self.now = run, run.now
        self.rng = run.random("complaints")
        self.policy = ComplaintPolicy()
        self.places = _places(run.made["departments"])
        self.users = run.made["users"]
        self.departments = [d for place in self.places.values() for d in place.general]
        # Cumulative, as random.choices takes them without adding them up on every draw.
        self.weights = list(
            accumulate(
                LEVEL_WEIGHT[d.jurisdiction.level] * self.rng.lognormvariate(0, SKEW)
                for d in self.departments
            )
        )
        self.draws: dict[int, tuple[list, list]] = {}
        self.entries = _entries(self.departments)
        self.signatures = Signatures()
        self.taken: set[str] = set()
        self.earlier: dict[int, list[Earlier]] = {}
        self.complainants = 0
        today = calendar.local_date(run.now)
        self.window = calendar.CalendarWindow(
            today - datetime.timedelta(days=HISTORY_DAYS + 2), today + 200 * DAY
        )
        self.deadlines: dict[tuple[datetime.date, int], tuple] = {}
        self.rows = Rows()

    # --- the parts of the recipe (complaints.services.procedure) ---------------------------

    def _deadline(self, start: datetime.datetime, days: int) -> dict:
        key = (calendar.local_date(start), days)
        found = self.deadlines.get(key)
        if found is None:
            deadline = calendar.add(start, days, DeadlineUnit.CALENDAR_DAYS, window=self.window)
            found = self.deadlines[key] = {
                "deadline_days": days,
                "due_at": deadline.due,
                "due_confirmed": deadline.confirmed,
                "calendar_revision": deadline.calendar_version,
                "remind_at": calendar.reminder_moment(deadline.due, window=self.window),
            }
        return found

    def _marks(self, step: dict) -> None:
        """The sweep's marks as it would have left them: by now on an open step, by its end on
        a finished one."""
        until = step.get("finished_at") or self.now
        step["reminded_at"] = step["remind_at"] if step["remind_at"] <= until else None
        late = step["due_at"] < until
        step["overdue_at"] = (
            (self.now if step.get("finished_at") is None else until) if late else None
        )

    def start(
        self,
        case: Case,
        kind: str,
        department: DepartmentRow,
        at: datetime.datetime,
        days: int,
        *,
        period_from: datetime.datetime | None = None,
        round: int = 1,
    ) -> dict:
        step = {
            "number": len(self.rows.steps),
            "complaint_id": case.row["id"],
            "kind": kind,
            "department_id": department.id,
            "role": step_role(kind, AcceptanceBy.OFFICE),
            "started_at": at,
            "period_from": period_from,
            "deadline_unit": DeadlineUnit.CALENDAR_DAYS,
            "round": round,
            **self._deadline(period_from or at, days),
        }
        self._marks(step)
        self.rows.steps.append(step)
        return step

    def retime(self, step: dict, days: int) -> None:
        """An extension: the step's period is longer, its due moment counted again."""
        step.update(self._deadline(step["period_from"] or step["started_at"], days))
        self._marks(step)

    def finish(
        self, step: dict, at: datetime.datetime, outcome: str, by: int, opinion: str = ""
    ) -> None:
        step.update(finished_at=at, outcome=outcome, opinion=opinion, finished_by_id=by)
        self._marks(step)

    def event(
        self,
        case: Case,
        transition: str,
        at: datetime.datetime,
        before: str,
        *,
        actor: int | None = None,
        step: dict | None = None,
        opinion: str = "",
        note: str = "",
        detail: dict | None = None,
    ) -> None:
        self.rows.events.append(
            {
                "complaint_id": case.row["id"],
                "step_number": step["number"] if step else None,
                "at": at,
                "actor_id": actor,
                "transition": transition,
                "from_state": before,
                "to_state": case.state,
                "opinion": opinion,
                "public_note": note,
                "detail": detail or {},
            }
        )

    def days(self, low: float, high: float) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.uniform(low, high))

    def user(self, department: DepartmentRow) -> int:
        return self.users[department.id][0]

    def pick(self, weights: dict):
        drawn = self.draws.get(id(weights))
        if drawn is None:
            drawn = self.draws[id(weights)] = (list(weights), list(accumulate(weights.values())))
        return self.rng.choices(drawn[0], cum_weights=drawn[1])[0]

    # --- drawing a complaint --------------------------------------------------------------

    def complainant(self, channel: str) -> dict:
        rng = self.rng
        self.complainants += 1
        n = self.complainants
        kind = self.pick(KINDS)
        if channel != Channel.IN_PERSON and rng.random() < ANONYMOUS_SHARE:
            return {"complainant_kind": kind, "anonymous": True}
        phone = f"139{n:08d}" if rng.random() < 0.9 else ""
        email = f"complainant{n:06d}@example.invalid" if not phone or rng.random() < 0.4 else ""
        found = {
            "complainant_kind": kind,
            "anonymous": False,
            "name": {
                ComplainantKind.CITIZEN: f"投诉人{n:06d}",
                ComplainantKind.LEGAL_PERSON: f"示例企业{n:06d}有限公司",
                ComplainantKind.ORGANISATION: f"示例协会{n:06d}",
            }[kind],
            "phone": phone,
            "email": email,
            "address": f"示例市示例路{n % 999 + 1}号" if rng.random() < 0.3 else "",
            "contact_key": services.contact_key(phone, email),
        }
        if channel == Channel.IN_PERSON:
            # "Another document" with an invented number: never a real person's.
            found.update(id_type=IdType.OTHER, id_number=f"SCALE{n:08d}")
        return found

    def items(self, department: DepartmentRow, received: datetime.datetime) -> list[tuple]:
        """The items a complaint names (some name one or two): each as the version published
        when it was received."""
        entries = self.entries.get(department.id, [])
        if not entries or self.rng.random() >= ITEMS_SHARE:
            return []
        named = []
        for entry_id, code, name, versions in self.rng.sample(
            entries, min(len(entries), self.rng.choice((1, 1, 1, 2)))
        ):
            seen = [version for version, moment in versions if moment <= received]
            if seen:
                named.append((entry_id, code, name, seen[-1]))
        return named

    def rounds(self, total: int) -> Iterator[Rows]:
        """The complaints in the order they were received, CHUNK at a time."""
        first_id = next_ids("complaints_complaint", total)
        span = HISTORY_DAYS * 86400
        received = sorted(
            (self.now - datetime.timedelta(seconds=self.rng.random() * span)).replace(microsecond=0)
            for _ in range(total)
        )
        for begin in range(0, total, CHUNK):
            self.rows = Rows()
            for offset in range(begin, min(begin + CHUNK, total)):
                self.complaint(first_id + offset, received[offset])
            yield self.rows

    def complaint(self, complaint_id: int, received: datetime.datetime) -> None:
        rng = self.rng
        department = rng.choices(self.departments, cum_weights=self.weights)[0]
        jurisdiction = department.jurisdiction
        place = self.places[jurisdiction.id]
        channel = self.pick(CHANNELS)
        online = channel == Channel.ONLINE
        filed = received if online else min(self.now, received + self.days(0, 2))
        earlier = self.earlier.setdefault(department.id, [])
        repeat = rng.choice(earlier) if earlier and rng.random() < REPEAT_SHARE else None
        named = []
        if repeat is not None:
            ground, person = repeat.ground, repeat.complainant
            facts, reasons = "再次反映：" + repeat.facts, repeat.reasons
        else:
            ground = self.pick(GROUNDS)
            named = self.items(department, received)
            facts, reasons = complaint_text(
                rng,
                department=department.name,
                place=jurisdiction.name,
                ground=ground,
                received=calendar.local_date(received),
                matter=named[0][2] if named else "",
            )
            person = self.complainant(channel)
        code = _code(rng, self.taken)
        row = {
            "id": complaint_id,
            "code": code,
            "secret_hash": services.secret_hash(code, scale_secret(self.run.seed, code)),
            "jurisdiction_id": jurisdiction.id,
            "department_id": department.id,
            "ground": ground,
            "facts": facts,
            "reasons": reasons,
            "channel": channel,
            "received_at": received,
            "recorded_by_id": None if online else self.user(place.office),
            **person,
            "truthful": True,
            "state": S.RECEIVED,
        }
        items = [
            {
                "complaint_id": complaint_id,
                "entry_id": entry_id,
                "version": version,
                "code": entry_code,
                "name": name,
                "found": False,
            }
            for entry_id, entry_code, name, version in named
        ]
        self.rows.complaints.append(row)
        self.rows.items += items
        self.rows.keys.append(
            (complaint_id, department.id, self.signatures.of(f"{facts}\n{reasons}"))
        )
        case = Case(row, place, department, items)
        accept = self.start(
            case, K.ACCEPT, place.office, filed, self.policy.accept_days, period_from=received
        )
        self.event(
            case,
            T.FILE,
            filed,
            "",
            actor=row["recorded_by_id"],
            detail={"channel": channel, "items": [item["code"] for item in items]},
        )
        self.decide(case, accept, repeat)
        if repeat is None and case.state not in (S.REFUSED, S.MERGED):
            earlier.append(
                Earlier(complaint_id, code, ground, facts, reasons, person, row.get("closed_at"))
            )
            if len(earlier) > 50:
                earlier.pop(0)

    # --- the procedure ------------------------------------------------------------------------

    def decide(self, case: Case, accept: dict, repeat: Earlier | None) -> None:
        """Acceptance (信访工作条例 art. 23: 15 日 from receipt, a few decided late): a repeat
        of an answered matter is refused, of an open one merged; a few others are refused on
        one of seed 004's grounds; the rest are accepted and handled."""
        row, office = case.row, self.user(case.place.office)
        late = self.rng.random() < LATE_SHARE
        decided = row["received_at"] + (self.days(15.5, 24) if late else self.days(0.2, 14.5))
        decided = max(decided, accept["started_at"] + datetime.timedelta(hours=1))
        if decided > self.now:
            return
        if repeat is not None and repeat.closed_at is not None and repeat.closed_at < decided:
            self.refuse(case, accept, decided, RefusalGround.REPEAT, repeat)
        elif repeat is not None:
            self.finish(accept, decided, StepOutcome.MERGED, office)
            row.update(state=S.MERGED, repeat_of_id=repeat.id, closed_at=decided)
            self.event(
                case,
                T.MERGE,
                decided,
                S.RECEIVED,
                actor=office,
                step=accept,
                note=MERGED_NOTE,
                detail={"into": repeat.code},
            )
        elif self.rng.random() < REFUSED_SHARE:
            self.refuse(case, accept, decided, self.rng.choice(list(REFUSALS)), None)
        else:
            self.finish(accept, decided, StepOutcome.ACCEPTED, office)
            row.update(state=S.HANDLING, accepted_at=decided, responsible_id=case.department.id)
            self.event(
                case,
                T.ACCEPT,
                decided,
                S.RECEIVED,
                actor=office,
                step=accept,
                detail={"responsible": case.department.id},
            )
            self.handle(case)

    def refuse(
        self,
        case: Case,
        accept: dict,
        at: datetime.datetime,
        ground: str,
        repeat: Earlier | None,
    ) -> None:
        office = self.user(case.place.office)
        reason = REPEAT_REASON if repeat else REFUSALS[ground]
        self.finish(accept, at, StepOutcome.REFUSED, office)
        case.row.update(
            state=S.REFUSED,
            refusal_ground=ground,
            refusal_reason=reason,
            repeat_of_id=repeat.id if repeat else None,
            closed_at=at,
        )
        self.event(
            case,
            T.REFUSE,
            at,
            S.RECEIVED,
            actor=office,
            step=accept,
            note=reason,
            detail={"ground": ground, "repeat_of": repeat.code if repeat else None},
        )

    def decline(self, case: Case, step: dict) -> dict | None:
        """ "Not ours": the department names another and the office passes it on; the new
        handling step keeps the period from acceptance. None: now falls on the way."""
        row, place, accepted = case.row, case.place, case.row["accepted_at"]
        declined = accepted + self.days(1, 10)
        if declined > self.now:
            return None
        other = self.rng.choice([d for d in place.general if d.id != case.handler.id])
        reason = "不属于本单位职责。"
        self.finish(step, declined, StepOutcome.DECLINED, self.user(case.handler), reason)
        row["state"] = S.REASSIGNING
        self.event(
            case,
            T.DECLINE,
            declined,
            S.HANDLING,
            actor=self.user(case.handler),
            step=step,
            opinion=reason,
            detail={"named": other.id},
        )
        passing = self.start(case, K.REASSIGN, place.office, declined, self.policy.reassign_days)
        passed = declined + self.days(0.2, 6)
        if passed > self.now:
            return None
        reason = "转交责任单位办理。"
        self.finish(passing, passed, StepOutcome.REASSIGNED, self.user(place.office), reason)
        case.handler = other
        row.update(state=S.HANDLING, responsible_id=other.id)
        self.event(
            case,
            T.REASSIGN,
            passed,
            S.REASSIGNING,
            actor=self.user(place.office),
            step=passing,
            opinion=reason,
            note=f"已转交{other.name}（责任单位）办理。",
            detail={"responsible": other.id},
        )
        return self.start(
            case, K.HANDLE, other, passed, self.policy.handle_days, period_from=accepted
        )

    def handle(self, case: Case) -> None:
        """From acceptance to the answer the office closes (信访工作条例 art. 34: 60 日, once
        extended by up to 30 日), perhaps passed on or returned once, stopping where now
        falls."""
        rng, row, place = self.rng, case.row, case.place
        accepted, office = row["accepted_at"], self.user(place.office)
        days = self.policy.handle_days
        case.handler = case.department
        step = self.start(case, K.HANDLE, case.handler, accepted, days)
        if rng.random() < DECLINED_SHARE and len(place.general) > 1:
            step = self.decline(case, step)
            if step is None:
                return
        extended = None
        if rng.random() < EXTENDED_SHARE:
            extended = max(step["started_at"], accepted + self.days(30, 55))
            if extended <= self.now:
                days += rng.choice((15, 20, 30))
                reason = "案情复杂，需进一步调查核实。"
                row.update(extension_days=days - self.policy.handle_days, extension_reason=reason)
                self.retime(step, days)
                self.event(
                    case,
                    T.EXTEND,
                    extended,
                    case.state,
                    actor=office,
                    opinion=reason,
                    note=reason,
                    detail={"days": row["extension_days"]},
                )
        late = rng.random() < LATE_SHARE
        answered = accepted + (self.days(days + 1, days + 20) if late else self.days(5, days - 1))
        answered = max(answered, step["started_at"] + self.days(1, 8), extended or answered)
        for round in (1, 2):
            if answered > self.now:
                return
            answer = self.answer(case)
            handler = self.user(case.handler)
            self.finish(step, answered, StepOutcome.ANSWERED, handler, answer)
            row.update(state=S.ANSWERED, answer=answer)
            self.event(
                case, T.ANSWER, answered, S.HANDLING, actor=handler, step=step, opinion=answer
            )
            check = self.start(case, K.CHECK, place.office, answered, self.policy.check_days)
            late = rng.random() < LATE_SHARE
            checked = answered + (self.days(10.5, 16) if late else self.days(0.2, 9))
            if checked > self.now:
                return
            if round == 2 or rng.random() >= RETURNED_SHARE:
                self.close(case, check, checked)
                return
            reasons = "答复内容不完整，请补充调查核实情况。"
            self.finish(check, checked, StepOutcome.RETURNED, office, reasons)
            row["state"] = S.HANDLING
            self.event(
                case, T.RETURN, checked, S.ANSWERED, actor=office, step=check, opinion=reasons
            )
            step = self.start(
                case, K.HANDLE, case.handler, checked, days, period_from=accepted, round=2
            )
            answered = checked + self.days(2, 12)

    def answer(self, case: Case) -> str:
        outcome = case.row["outcome"] = self.pick(OUTCOMES)
        matter = case.items[0]["name"] if case.items else "相关事项"
        name = case.handler.name
        if outcome in FOUND_OUTCOMES:
            found = FINDINGS[case.row["ground"]]
            return f"经调查，{name}在办理{matter}中存在{found}的问题，已责令整改。"
        return f"经核查，{name}按照清单规定办理{matter}，未发现所反映的问题，已向投诉人说明。"

    def close(self, case: Case, check: dict, at: datetime.datetime) -> None:
        """The office closes with the outcome (issue 12 §6, §11: a substantiated finding names
        the department and the items); the complainant may rate it and ask for a review
        (信访工作条例 art. 35: 复查 within 30 日, answered within 30 日 by the office above)."""
        rng, row, place = self.rng, case.row, case.place
        office = self.user(place.office)
        outcome = row["outcome"]
        found = outcome in FOUND_OUTCOMES
        self.finish(check, at, StepOutcome.CLOSED, office, row["answer"])
        row.update(
            state=S.CLOSED,
            answered_at=at,
            closed_at=at,
            finding_department_id=case.handler.id if found else None,
            finding=FINDINGS[row["ground"]] if found else "",
        )
        for item in case.items:
            item["found"] = found
        self.event(
            case,
            T.CLOSE,
            at,
            S.ANSWERED,
            actor=office,
            step=check,
            opinion=row["answer"],
            note=row["answer"],
            detail={"outcome": outcome, "finding_department": row["finding_department_id"]},
        )
        rated = at + self.days(0.1, 10)
        if rng.random() < RATED_SHARE and rated <= self.now:
            row.update(rating=self.pick(RATINGS[outcome]), rated_at=rated)
            self.event(case, T.RATE, rated, S.CLOSED, detail={"rating": row["rating"]})
        asks = 0.2 if row.get("rating") == Rating.NOT_SATISFIED else 0.03
        asked = at + self.days(1, 28)
        if rng.random() >= asks or asked > self.now:
            return
        row["state"] = S.REVIEWING
        self.event(
            case,
            T.REVIEW_REQUEST,
            asked,
            S.CLOSED,
            note="对答复不满意，申请复查。",
            detail={"round": 1},
        )
        review = self.start(case, K.REVIEW, place.reviewer, asked, self.policy.review_days)
        late = rng.random() < LATE_SHARE
        reviewed = asked + (self.days(30.5, 40) if late else self.days(5, 29))
        if reviewed > self.now:
            return
        reviewer = self.user(place.reviewer)
        upheld = rng.random() < 0.85
        decision = ReviewDecision.UPHELD if upheld else ReviewDecision.CHANGED
        text = "经复查，维持原答复意见。" if upheld else "经复查，变更原答复意见，责令重新办理。"
        self.finish(review, reviewed, StepOutcome.REVIEWED, reviewer, text)
        row.update(
            state=S.CLOSED, answer=text, answered_at=reviewed, closed_at=reviewed, review_round=1
        )
        self.event(
            case,
            T.REVIEW,
            reviewed,
            S.REVIEWING,
            actor=reviewer,
            step=review,
            note=text,
            detail={"decision": decision, "round": 1, "outcome": outcome},
        )


# --- writing ----------------------------------------------------------------------------------


def _text(value) -> str:
    """A value in COPY's text format (as core.scale writes it, the common types first)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return _text(str(value))


def _model_copy(model, rows: Sequence[dict]) -> tuple[str, io.StringIO]:
    """The COPY of `rows` (field name → value) into `model`'s table, as core.scale.model_rows
    reads them (a field a row does not name gets its default; JSON as JSON) but faster: each
    row is completed from the defaults and read in the columns' order in C."""
    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = [f.attname for f in fields if isinstance(f, JSONField)]
    values = operator.itemgetter(*(f.attname for f in fields))
    buffer = io.StringIO()
    for row in rows:
        full = {**defaults, **row}
        for name in json_fields:
            full[name] = json.dumps(full[name], ensure_ascii=False)
        buffer.write("\t".join(map(_text, values(full))))
        buffer.write("\n")
    columns = ", ".join(f'"{f.column}"' for f in fields)
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer


def _keys_copy(keys: Sequence[tuple[int, int, list[int]]]) -> tuple[str, io.StringIO]:
    """The repeat keys, 32 rows a complaint, written as COPY text directly: the generic
    formatting would take longer than PostgreSQL takes to load them."""
    buffer = io.StringIO()
    for complaint_id, department_id, values in keys:
        prefix = f"{complaint_id}\t{department_id}\t"
        buffer.writelines(f"{prefix}{slot}\t{value}\n" for slot, value in enumerate(values))
    table = RepeatKey._meta.db_table
    return f"COPY {table} (complaint_id, department_id, slot, value) FROM STDIN", buffer


def _copies(rows: Rows) -> list[tuple[str, io.StringIO]]:
    """A round's COPY statements and their data, with the ids of its rows reserved."""
    first_step = next_ids(ComplaintStep._meta.db_table, len(rows.steps))
    for step in rows.steps:
        step["id"] = first_step + step["number"]
    first_event = next_ids(ComplaintEvent._meta.db_table, len(rows.events))
    for offset, event in enumerate(rows.events):
        event["id"] = first_event + offset
        if event["step_number"] is not None:
            event["step_id"] = first_step + event["step_number"]
    first_item = next_ids(ComplaintItem._meta.db_table, max(1, len(rows.items)))
    for offset, item in enumerate(rows.items):
        item["id"] = first_item + offset
    return [
        _model_copy(Complaint, rows.complaints),
        _model_copy(ComplaintStep, rows.steps),
        _model_copy(ComplaintEvent, rows.events),
        _model_copy(ComplaintItem, rows.items),
        _keys_copy(rows.keys),
    ]


def _send(database, copies: list[tuple[str, io.StringIO]]) -> None:
    with database.cursor() as cursor:
        for statement, buffer in copies:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)


class foreign_keys_deferred:
    """Drops the foreign keys of `tables` while a bulk load runs and adds them again after it:
    PostgreSQL then checks each key once over all the rows, in one join, instead of one row at
    a time at the commit (for the repeat keys' millions of rows, a minute saved)."""

    def __init__(self, *tables: str) -> None:
        self.tables, self.keys = tables, []

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
                """,
                [list(self.tables)],
            )
            self.keys = cursor.fetchall()
            for table, name, _definition in self.keys:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is not None:
            return
        with connection.cursor() as cursor:
            for table, name, definition in self.keys:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def scale_generate(run: Run) -> None:
    total = run.preset.complaints
    generator = Generator(run)
    tables = [
        model._meta.db_table
        for model in (Complaint, ComplaintStep, ComplaintEvent, ComplaintItem, RepeatKey)
    ]
    done = 0
    with foreign_keys_deferred(*tables), indexes_deferred(run, *tables):
        # PostgreSQL loads a round while the next one is drawn: a thread sends it on the
        # transaction's own connection (psycopg2 releases the GIL while it copies), and this
        # one touches the connection only once the send has finished.
        database = connection.connection
        with ThreadPoolExecutor(max_workers=1) as sender:
            sending = None
            for rows in generator.rounds(total):
                if sending is not None:
                    sending.result()
                    run.progress("complaints", done, total)
                copies = _copies(rows)
                done += len(rows.complaints)
                sending = sender.submit(_send, database, copies)
            if sending is not None:
                sending.result()
                run.progress("complaints", done, total)
    run.made.update(complaints=total)
