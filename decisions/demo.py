"""The demo of decisions and enforcement disclosure (issue 14 §10), loaded by `manage.py
seed_decisions`, which `seed_demo` calls after the demo inspections (whose clerk of
管城回族区城市管理执法局 it needs).

- Three demo departments publish their enforcement bodies (执法主体公示, seed 004 一(二)6), each
  confirmed by the city's reform office (seed 002 监督检查办法 第十一条: 审核、确认、公布): their
  own, and for 市园林局 also an organisation it entrusts with its tree-protection penalties,
  with the entrustment's number, validity and papers (a small PDF).
- Their enforcement officers hold certificates (seed_demo's and the ones made here): 周晓梅's
  expired at the end of 2022; 沈立平's ends within the month, so the daily reminder tells
  市园林局's clerk (持证上岗).
- A hundred decisions made over the past six months under the departments' in-force licence
  (行政许可) and penalty (行政处罚) items — 40 licences and 60 penalties — recorded by the
  departments' clerks: most served and published within 10 日 of service (seed 002 监督检查办法
  第十三条), some published late (flagged; the sweep reminded and escalated them as it ran),
  the latest still awaiting publication and one overdue; one handled by an officer whose
  certificate had expired (flagged, 第二十条(七)); one with a trade secret redacted (the staff
  keep the full text); one major penalty with its legal review and collective discussion
  (第十六条); natural persons (their names masked when published, a compound surname among
  them); and one penalty case handled here from filing to execution, each record uploaded
  within 24 hours (seed 003 三(二)2).
- 管城回族区城市管理执法局 had no licence item: its power list gains 在街道两侧和公共场地临时
  堆放物料审批 (《城市市容和环境卫生管理条例》第十四条), through registry.services, published
  before its first decision.

Everything goes through the services in the order it happened, dated in the past with
services.as_of, the sweep running at each reminder and due moment that came before the
publication. The random choices come from a fixed seed. Parties are invented: companies and
shops carry 示例 in their names, so none can be taken for a real one; people, phone numbers and
certificate numbers are invented (phones start 0371-0, as in seed_demo); credit codes are made
with their GB 32100-2015 check characters; no identity number is given.

Idempotent: bodies, officers, certificates and the item by their natural keys; the decisions by
the demo's first decision number: once it exists, no decision is added.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core import calendar
from core.checkers import credit_code_check_character
from core.choices import DeadlineUnit
from core.models import Department, EnforcementCertificate, Person, User
from registry import services as registry_services
from registry.choices import ChangeSource, ListKind
from registry.models import Category, Entry, Provision

from . import services
from .choices import BodyKind, PartyKind, PenaltyKind, RedactionReason
from .models import Decision, EnforcementBody
from .services.procedure import policy_for

CITY = "410100"
GUANCHENG = "410104"
SALT = "市盐业管理局"
GREENING = "市园林局"
URBAN = "管城回族区城市管理执法局"
# The department → its demo clerk (seed_demo's, complaints' and inspections' users).
CLERKS = {SALT: "clerk", GREENING: "yuanlin-clerk", URBAN: "guancheng-clerk"}
DEPARTMENTS = {SALT: CITY, GREENING: CITY, URBAN: GUANCHENG}

SEED = 14
# The demo's history spans this many days back from today.
SPAN_DAYS = 183

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# --- bodies, officers and the new item ----------------------------------------------------------


@dataclass(frozen=True)
class DemoBody:
    department: str
    name: str
    kind: str
    basis: str
    credit_code_head: str = ""
    entrustment_number: str = ""


ENTRUSTED_NAME = "郑州市城市绿地监察中心"
BODIES = (
    DemoBody(SALT, "郑州市盐业管理局", BodyKind.OWN, "《食盐专营办法》第四条"),
    DemoBody(GREENING, "郑州市园林局", BodyKind.OWN, "《城市绿化条例》第七条"),
    DemoBody(
        GREENING,
        ENTRUSTED_NAME,
        BodyKind.ENTRUSTED,
        "《中华人民共和国行政处罚法》第二十条；《城市绿化条例》第二十六条",
        credit_code_head="12410100MB0D",
        entrustment_number="郑园委〔{year}〕1号",
    ),
    DemoBody(
        URBAN,
        "郑州市管城回族区城市管理执法局",
        BodyKind.OWN,
        "《城市市容和环境卫生管理条例》第四条",
    ),
)

# Each department's certificates: the number's middle part and the field of enforcement.
CERTIFICATES = {
    SALT: ("410100-YZ", "盐业行政执法"),
    GREENING: ("410100-YL", "城市绿化行政执法"),
    URBAN: ("410104-CG", "城市管理行政执法"),
}
# (department, name, phone after 0371-, certificate serial, valid from, valid until; None: ends
# within the month of the seeding, for the certificate reminder).
OFFICERS = (
    (SALT, "冯子健", "01001108", "0003", (2023, 3, 1), (2028, 2, 29)),
    (SALT, "魏雅婷", "01001109", "0004", (2024, 6, 1), (2029, 5, 31)),
    (GREENING, "谢俊豪", "01002102", "0001", (2022, 9, 1), (2027, 8, 31)),
    (GREENING, "蒋春燕", "01002103", "0002", (2024, 1, 1), (2028, 12, 31)),
    (GREENING, "沈立平", "01002104", "0003", (2021, 7, 1), None),
    (URBAN, "杜文涛", "01041104", "0003", (2023, 1, 1), (2027, 12, 31)),
)
# The officers each body's decisions are handled by (seed_demo's and the ones above).
TEAMS = {
    SALT: ("孙海涛", "冯子健", "魏雅婷"),
    GREENING: ("谢俊豪", "蒋春燕", "沈立平"),
    URBAN: ("马俊峰", "朱慧敏", "杜文涛"),
}
EXPIRED_OFFICER = "周晓梅"

STACKING_CODE = "0100009000"
STACKING_NAME = "在街道两侧和公共场地临时堆放物料审批"

# --- the items (implementation codes of the demo register) ---------------------------------

SALT_PENALTY = "0200003000-QL-410100-010"
GREEN_LAND = "0100005000-QL-410100-009"
TREE_FELLING = "0100006000-QL-410100-009"
TREE_FELLING_WORKS = "0100006001-QL-410100-009"
TREE_FELLING_DANGER = "0100006002-QL-410100-009"
TREE_PENALTY = "0200001000-QL-410100-009"
GREEN_LAND_PENALTY = "0200002000-QL-410100-009"
LITTER_PENALTY = "0200004001-QL-410104-003"
ADVERTISING_PENALTY = "0200004002-QL-410104-003"
STACKING_PENALTY = "0200004003-QL-410104-003"
STACKING_LICENCE = f"{STACKING_CODE}-QL-410104-003"

# --- the parties ----------------------------------------------------------------------------

WORDS = (
    "禾丰", "润泽", "恒信", "嘉和", "鑫源", "福瑞", "安康", "远航", "华盛", "德隆", "明辉",
    "佳禾", "瑞祥", "兴业", "聚源", "宏泰",
)  # fmt: skip
TRADES = {
    SALT: ("食品", "商贸", "调味品", "超市", "餐饮管理"),
    GREENING: ("市政工程", "建设工程", "置业", "物业服务", "管网工程"),
    URBAN: ("广告", "装饰工程", "餐饮管理", "建材", "商贸"),
}
SHOPS = ("便利店", "五金店", "小吃店", "烟酒店", "建材经营部", "水果店", "饭店")
# Invented people (a compound surname among them); masked when published.
PEOPLE = (
    "刘建军", "欧阳晓东", "赵丽", "陈志刚", "杨秀英", "黄伟", "周涛", "吴敏", "郭晓燕",
    "司马春生",
)  # fmt: skip
# Invented legal representatives of the companies (published: never one of the people above).
REPRESENTATIVES = ("孙立华", "钱玉梅", "冯国强", "韩静", "曹永胜", "彭丽娟", "袁志远", "潘晓光")
COMPOUND_SURNAMED = "欧阳晓东"
STREETS = ("城东路", "商城路", "紫荆山路", "航海东路", "东明路", "南三环", "未来路", "陇海东路")
CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: random.Random, head: str) -> str:
    """An invented unified social credit code: `head` (registering body, kind, division) and
    random characters of GB 32100-2015, completed with its check character."""
    first = head + "".join(rng.choice(CODE_CHARACTERS) for _ in range(17 - len(head)))
    return first + credit_code_check_character(first)


@dataclass(frozen=True)
class Party:
    kind: str
    name: str
    credit_code: str = ""
    representative: str = ""


def _organisation(rng: random.Random, department: str, division: str) -> Party:
    name = f"郑州{rng.choice(WORDS)}示例{rng.choice(TRADES[department])}有限公司"
    return Party(
        PartyKind.ORGANISATION,
        name,
        credit_code(rng, f"91{division}MA"),
        rng.choice(REPRESENTATIVES),
    )


def _shop(rng: random.Random) -> Party:
    return Party(
        PartyKind.INDIVIDUAL_BUSINESS,
        f"管城回族区{rng.choice(WORDS)}示例{rng.choice(SHOPS)}",
        credit_code(rng, f"92{GUANCHENG}MA"),
    )


def _person(rng: random.Random) -> Party:
    return Party(PartyKind.PERSON, rng.choice(PEOPLE))


# --- what each item's decisions say ----------------------------------------------------------


@dataclass
class Facts:
    """One decision's values, as a clerk would type them (the services check them)."""

    title: str
    content: str
    penalty_kinds: list[str] = field(default_factory=list)
    fine: int | None = None
    confiscated: int | None = None
    licence_name: str = ""
    valid_days: int = 0


def _salt_facts(rng: random.Random, party: Party) -> Facts:
    tons = rng.randint(2, 30)
    gains = tons * rng.randint(180, 260)
    return Facts(
        f"{party.name}从非定点企业购进食盐案",
        f"经查，当事人从非食盐定点批发企业购进食盐{tons}吨并对外销售，违法所得{gains}元。"
        "上述行为违反了《食盐专营办法》第八条的规定。",
        [PenaltyKind.CONFISCATE_GAINS, PenaltyKind.FINE],
        fine=rng.randrange(5000, 40001, 1000),
        confiscated=gains,
    )


def _green_land_licence(rng: random.Random, party: Party) -> Facts:
    area = rng.randint(20, 400)
    return Facts(
        f"{party.name}临时占用城市绿地审批",
        f"准予当事人因{rng.choice(('管网维修', '施工围挡', '设备临时堆放'))}临时占用"
        f"{rng.choice(STREETS)}绿地{area}平方米，期满后恢复原状。",
        licence_name="临时占用城市绿地许可决定书",
        valid_days=rng.choice((30, 60, 90, 180)),
    )


def _felling_licence(reason: str) -> Callable[[random.Random, Party], Facts]:
    def facts(rng: random.Random, party: Party) -> Facts:
        count = rng.randint(1, 12)
        return Facts(
            f"{party.name}砍伐城市树木审批",
            f"准予当事人因{reason}砍伐{rng.choice(STREETS)}"
            f"{rng.choice(('法桐', '国槐', '杨树', '女贞'))}{count}株，并按规定补植{count * 3}株。",
            licence_name="城市树木砍伐许可决定书",
            valid_days=90,
        )

    return facts


def _tree_penalty(rng: random.Random, party: Party) -> Facts:
    count = rng.randint(1, 6)
    return Facts(
        f"{party.name}损坏城市树木案",
        f"经查，当事人在{rng.choice(STREETS)}施工过程中损坏行道树{count}株，"
        "违反了《城市绿化条例》第二十六条的规定。",
        [PenaltyKind.FINE],
        fine=rng.randrange(500, 5001, 100),
    )


def _green_land_penalty(rng: random.Random, party: Party) -> Facts:
    area = rng.randint(10, 300)
    return Facts(
        f"{party.name}擅自占用城市绿地案",
        f"经查，当事人未经批准擅自占用{rng.choice(STREETS)}绿地{area}平方米堆放材料，"
        "违反了《城市绿化条例》第二十七条的规定，责令限期退还、恢复原状。",
        [PenaltyKind.FINE],
        fine=rng.randrange(1000, 20001, 500),
    )


def _litter_penalty(rng: random.Random, party: Party) -> Facts:
    warned = rng.random() < 0.4
    return Facts(
        "随地乱扔废弃物案",
        f"当事人在{rng.choice(STREETS)}乱扔{rng.choice(('烟头', '果皮', '纸屑'))}，"
        "违反了《城市市容和环境卫生管理条例》第三十四条的规定。",
        [PenaltyKind.WARNING] if warned else [PenaltyKind.FINE],
        fine=None if warned else rng.choice((20, 30, 50)),
    )


def _advertising_penalty(rng: random.Random, party: Party) -> Facts:
    area = rng.randint(8, 60)
    return Facts(
        f"{party.name}擅自设置大型户外广告案",
        f"经查，当事人未经同意在{rng.choice(STREETS)}擅自设置户外广告牌一块，面积{area}平方米，"
        "影响市容，违反了《城市市容和环境卫生管理条例》第十一条的规定，责令限期拆除。",
        [PenaltyKind.FINE],
        fine=rng.randrange(500, 10001, 500),
    )


def _stacking_penalty(rng: random.Random, party: Party) -> Facts:
    return Facts(
        f"{party.name}擅自占道堆放物料案",
        f"经查，当事人未经批准在{rng.choice(STREETS)}人行道堆放建筑材料，影响市容，"
        "违反了《城市市容和环境卫生管理条例》第十四条的规定，责令限期清理。",
        [PenaltyKind.FINE],
        fine=rng.randrange(100, 3001, 100),
    )


def _stacking_licence(rng: random.Random, party: Party) -> Facts:
    return Facts(
        f"{party.name}临时堆放物料审批",
        f"准予当事人在{rng.choice(STREETS)}临时堆放装修材料，占地"
        f"{rng.randint(5, 40)}平方米，设置围挡并保持整洁，期满后清理。",
        licence_name="临时堆放物料许可决定书",
        valid_days=rng.choice((7, 15, 30)),
    )


@dataclass(frozen=True)
class Template:
    department: str
    item: str
    count: int
    facts: Callable[[random.Random, Party], Facts]
    parties: str  # "organisation", "mixed" (organisations and shops) or "person"
    prefix: str  # the decision number's 机关代字
    penalty: bool


TEMPLATES = (
    Template(SALT, SALT_PENALTY, 19, _salt_facts, "organisation", "郑盐罚", True),
    Template(GREENING, GREEN_LAND, 10, _green_land_licence, "organisation", "郑园许", False),
    Template(
        GREENING, TREE_FELLING, 6, _felling_licence("道路改造"), "organisation", "郑园许", False
    ),
    Template(
        GREENING,
        TREE_FELLING_WORKS,
        7,
        _felling_licence("市政工程建设"),
        "organisation",
        "郑园许",
        False,
    ),
    Template(
        GREENING,
        TREE_FELLING_DANGER,
        7,
        _felling_licence("树木病死存在安全隐患"),
        "organisation",
        "郑园许",
        False,
    ),
    Template(GREENING, TREE_PENALTY, 9, _tree_penalty, "mixed", "郑园罚", True),
    Template(GREENING, GREEN_LAND_PENALTY, 6, _green_land_penalty, "organisation", "郑园罚", True),
    Template(URBAN, LITTER_PENALTY, 10, _litter_penalty, "person", "管城执罚", True),
    Template(URBAN, ADVERTISING_PENALTY, 7, _advertising_penalty, "mixed", "管城执罚", True),
    Template(URBAN, STACKING_PENALTY, 8, _stacking_penalty, "mixed", "管城执罚", True),
    Template(URBAN, STACKING_LICENCE, 10, _stacking_licence, "mixed", "管城执许", False),
)
# The salt penalty case handled here from filing (the twentieth salt penalty): 60 + 40 = 100.
CASE_DAYS_AGO = 75

# Indices (in date order) of the decisions made special; the rest are ordinary.
EXPIRED_AT = 22
REDACTED_AT = 47
MAJOR_AT = 12
OVERDUE_AT = 83
LATE_COUNT = 6
# Served this recently: still within the period, not yet published.
AWAITING = datetime.timedelta(days=7)

SECRET = "当事人的进货渠道及供货协议约定的价格"
REDACTED_CONTENT = (
    "经查，当事人从非食盐定点批发企业购进食盐12吨并对外销售，违法所得2760元。"
    f"{SECRET}为每吨一千六百五十元，返利百分之八。"
    "上述行为违反了《食盐专营办法》第八条的规定。"
)
REDACTED_PUBLIC = (
    "经查，当事人从非食盐定点批发企业购进食盐12吨并对外销售，违法所得2760元。"
    "（涉及商业秘密的内容不予公开）"
    "上述行为违反了《食盐专营办法》第八条的规定。"
)


# --- the clock ------------------------------------------------------------------------------


def _working_day(day: datetime.date, *, forward: bool = True) -> datetime.date:
    step = datetime.timedelta(days=1 if forward else -1)
    while not calendar.is_working_day(day):
        day += step
    return day


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=calendar.SHANGHAI)


@dataclass
class Slot:
    """One decision of the demo: what it is, and when each thing happens to it."""

    template: Template
    party: Party
    facts: Facts
    decided_on: datetime.date
    served_on: datetime.date
    recorded_at: datetime.datetime
    published_at: datetime.datetime | None = None
    officers: tuple[str, ...] = ()
    body: str = ""
    number: str = ""
    special: str = ""


# --- loading -----------------------------------------------------------------------------------


class Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.latest = _at(today - datetime.timedelta(days=1), 18)
        self.rng = random.Random(SEED)
        self.departments = {
            name: Department.objects.filter(jurisdiction__code=code, name=name).first()
            for name, code in DEPARTMENTS.items()
        }
        missing = [name for name, found in self.departments.items() if found is None]
        if missing:
            raise LookupError(
                "The demo decisions need the demo organisation (manage.py seed_demo); missing: "
                + ", ".join(missing)
            )
        users = {
            u.username: u for u in User.objects.filter(username__in=[*CLERKS.values(), "office"])
        }
        wanted = [*CLERKS.values(), "office"]
        if len(users) != len(wanted):
            raise LookupError(
                "The demo decisions need the demo users (manage.py seed_demo, seed_complaints, "
                "seed_inspections); missing: " + ", ".join(sorted(set(wanted) - set(users)))
            )
        self.clerks = {department: users[name] for department, name in CLERKS.items()}
        self.office = users["office"]
        self.created = {"bodies": 0, "officers": 0, "items": 0, "decisions": 0}
        self.bodies: dict[str, EnforcementBody] = {}
        self.people: dict[str, Person] = {}
        self.items: dict[str, Entry] = {}
        self.basis: dict[str, str] = {}

    # -- the organisation's part ----------------------------------------------------------------

    def officers(self) -> None:
        for department, name, phone, serial, valid_from, valid_until in OFFICERS:
            clerk = self.clerks[department]
            person = Person.objects.filter(
                department=self.departments[department], name=name
            ).first()
            if person is None:
                person = services.officer_save(
                    actor=clerk,
                    department=self.departments[department],
                    name=name,
                    phone=f"0371-{phone}",
                )
                self.created["officers"] += 1
            prefix, area = CERTIFICATES[department]
            number = f"DEMO-{prefix}-{serial}"
            if not EnforcementCertificate.objects.filter(number=number).exists():
                until = (
                    datetime.date(*valid_until)
                    if valid_until
                    else self.today + datetime.timedelta(days=20)
                )
                services.certificate_save(
                    actor=clerk,
                    person=person,
                    number=number,
                    issuing_authority="郑州市人民政府",
                    enforcement_field=area,
                    valid_from=datetime.date(*valid_from),
                    valid_until=until,
                )
        names = {name for team in TEAMS.values() for name in team} | {EXPIRED_OFFICER}
        for person in Person.objects.filter(
            department__in=self.departments.values(), name__in=names
        ):
            self.people[person.name] = person
        missing = names - set(self.people)
        if missing:
            raise LookupError(
                "The demo decisions need seed_demo's officers; missing: "
                + ", ".join(sorted(missing))
            )

    def bodies_confirmed(self) -> None:
        """Proposed by the clerks and confirmed by the office before the first decision."""
        proposed = _at(_working_day(self.today - datetime.timedelta(days=SPAN_DAYS + 20)), 10)
        confirmed = _at(_working_day(self.today - datetime.timedelta(days=SPAN_DAYS + 10)), 10)
        for demo in BODIES:
            department = self.departments[demo.department]
            body = EnforcementBody.objects.filter(department=department, name=demo.name).first()
            if body is None:
                values = {"name": demo.name, "kind": demo.kind, "basis": demo.basis}
                papers = None
                if demo.kind == BodyKind.ENTRUSTED:
                    values |= {
                        "credit_code": credit_code(random.Random(demo.name), demo.credit_code_head),
                        "entrustment_number": demo.entrustment_number.format(year=proposed.year),
                        "entrusted_from": proposed.date(),
                        "entrusted_until": datetime.date(proposed.year + 3, 12, 31),
                    }
                    papers = SimpleUploadedFile("委托书.pdf", PDF, "application/pdf")
                with services.as_of(proposed):
                    body = services.body_save(
                        actor=self.clerks[demo.department],
                        department=department,
                        values=values,
                        entrustment_file=papers,
                    )
                with services.as_of(confirmed):
                    body = services.body_confirm(actor=self.office, body=body)
                self.created["bodies"] += 1
            self.bodies[demo.name] = body

    def stacking_item(self) -> None:
        """管城回族区城市管理执法局's licence item (it had none), published before the bodies."""
        department = self.departments[URBAN]
        if Entry.objects.filter(code=STACKING_LICENCE).exists():
            return
        basis = list(
            Provision.objects.filter(
                law__name="城市市容和环境卫生管理条例", article="第十四条"
            ).values_list("pk", flat=True)
        )
        if not basis:
            raise LookupError("The demo register's laws are missing (manage.py seed_register).")
        day = _working_day(self.today - datetime.timedelta(days=SPAN_DAYS + 30))
        registry_services.entries_publish(
            actor=None,
            changes=[
                registry_services.EntryChange(
                    payload={
                        "category": Category.objects.get(list_kind=ListKind.POWER, code="01").pk,
                        "name": STACKING_NAME,
                        "basic_code": STACKING_CODE,
                        "basis": basis,
                        "flow": [
                            {"step": "受理", "post": "法制室", "limit_days": 1},
                            {
                                "step": "现场勘查",
                                "post": "执法大队",
                                "description": "两名执法人员勘查堆放地点、面积和围挡措施",
                                "limit_days": 3,
                            },
                            {"step": "决定", "post": "分管局长", "limit_days": 2},
                        ],
                        "statutory_limit_days": 20,
                        "promised_limit_days": 6,
                        "star_level": 3,
                        "handling_unit": "法制室",
                        "responsible_unit": "法制室",
                        "responsible_person": "何丽娟",
                        "responsible_phone": "0371-01041101",
                        "responsibilities": [
                            {
                                "stage": "accept",
                                "duty": "依法受理申请，一次性告知需补正的材料",
                                "circumstances": "不予受理不说明理由",
                                "basis": "《中华人民共和国行政许可法》第三十二条",
                            },
                            {
                                "stage": "decide",
                                "duty": "在承诺时限内作出准予或者不予许可的决定",
                                "circumstances": "对符合条件的申请不予许可",
                                "basis": "《中华人民共和国行政许可法》第三十八条",
                            },
                        ],
                    },
                    list_kind=ListKind.POWER,
                    jurisdiction=department.jurisdiction,
                    department=department,
                )
            ],
            source=ChangeSource.INITIAL,
            reference=f"清单调整 {day:%Y-%m-%d}",
            reason="新增事项首次公布",
            at=_at(day, 9),
        )
        self.created["items"] += 1

    def items_load(self) -> None:
        codes = {template.item for template in TEMPLATES}
        self.items = {
            entry.code: entry
            for entry in Entry.objects.select_related("category", "department").filter(
                code__in=codes
            )
        }
        missing = codes - set(self.items)
        if missing:
            raise LookupError(
                "The demo decisions need the demo register's items (manage.py seed_register); "
                "missing: " + ", ".join(sorted(missing))
            )

    # -- the decisions ------------------------------------------------------------------------

    def slots(self) -> list[Slot]:
        """The hundred decisions in date order (the case handled here apart), with who handled
        them and when they were served, recorded and published."""
        kinds = [template for template in TEMPLATES for _ in range(template.count)]
        self.rng.shuffle(kinds)
        slots = []
        numbers: dict[tuple[str, int], int] = {}
        for index, template in enumerate(kinds):
            days_ago = max(3, round(SPAN_DAYS - 1 - index * 1.82) + self.rng.randint(-1, 1))
            decided = _working_day(self.today - datetime.timedelta(days=days_ago), forward=False)
            served = _working_day(decided + datetime.timedelta(days=self.rng.randint(1, 3)))
            if served >= self.today:
                served = decided
            recorded = min(_at(served, 16, self.rng.randint(0, 59)), self.latest)
            division = CITY if template.department != URBAN else GUANCHENG
            kind = template.parties
            if kind == "mixed":
                kind = self.rng.choice(("organisation", "shop"))
            if kind == "person":
                party = _person(self.rng)
            elif kind == "shop" and template.department == URBAN:
                party = _shop(self.rng)
            else:
                party = _organisation(self.rng, template.department, division)
            team = TEAMS[template.department]
            officers = tuple(self.rng.sample(team, 2 if template.penalty else 1))
            body = next(
                b.name
                for b in BODIES
                if b.department == template.department and b.kind == BodyKind.OWN
            )
            if template.item == TREE_PENALTY and self.rng.random() < 0.6:
                body = ENTRUSTED_NAME
            key = (template.prefix, decided.year)
            numbers[key] = numbers.get(key, 0) + 1
            slots.append(
                Slot(
                    template=template,
                    party=party,
                    facts=template.facts(self.rng, party),
                    decided_on=decided,
                    served_on=served,
                    recorded_at=recorded,
                    officers=officers,
                    body=body,
                    number=f"{template.prefix}〔{decided.year}〕{numbers[key]}号",
                )
            )
        self._specials(slots)
        self._publications(slots)
        return slots

    def _salt_slot(self, slots: list[Slot], near: int) -> Slot:
        """The salt penalty nearest to index `near` (the special cases are salt penalties)."""
        candidates = [
            (abs(index - near), index)
            for index, slot in enumerate(slots)
            if slot.template.item == SALT_PENALTY and not slot.special
        ]
        return slots[min(candidates)[1]]

    def _specials(self, slots: list[Slot]) -> None:
        expired = self._salt_slot(slots, EXPIRED_AT)
        expired.special = "expired"
        expired.officers = (TEAMS[SALT][0], EXPIRED_OFFICER)
        redacted = self._salt_slot(slots, REDACTED_AT)
        redacted.special = "redacted"
        redacted.facts.content = REDACTED_CONTENT
        redacted.facts.confiscated = 2760
        major = self._salt_slot(slots, MAJOR_AT)
        major.special = "major"
        major.facts.fine = 80000
        major.facts.title = f"{major.party.name}违规批发食盐案"
        # A compound surname among the natural persons (published as 欧阳某某).
        person = next(slot for slot in slots if slot.party.kind == PartyKind.PERSON)
        person.party = Party(PartyKind.PERSON, COMPOUND_SURNAMED)
        overdue = min(
            (abs(index - OVERDUE_AT), index)
            for index, slot in enumerate(slots)
            if slot.template.department == GREENING
        )[1]
        slots[overdue].special = "overdue"

    def _publications(self, slots: list[Slot]) -> None:
        """On time (a few days after recording, never after the due day), late (a few days after
        it) or not yet: the latest are still within their period, the overdue one never."""
        days = policy_for(self.departments[SALT].jurisdiction).publish_days
        ordinary = [
            index
            for index, slot in enumerate(slots)
            if not slot.special and slot.recorded_at < self.latest - datetime.timedelta(days=40)
        ]
        late = set(self.rng.sample(ordinary, LATE_COUNT))
        for index, slot in enumerate(slots):
            due = calendar.add(slot.served_on, days, DeadlineUnit.CALENDAR_DAYS).due_date
            if slot.special == "overdue" or slot.served_on >= self.today - AWAITING:
                continue
            if index in late:
                day = _working_day(due + datetime.timedelta(days=self.rng.randint(1, 6)))
                slot.special = "late"
            else:
                day = _working_day(
                    slot.recorded_at.date() + datetime.timedelta(days=self.rng.randint(1, 6))
                )
                day = min(day, due)
            # Never after the demo's last moment (a holiday may push the day past it).
            slot.published_at = min(_at(day, 17, self.rng.randint(0, 59)), self.latest)

    def record(self, slot: Slot) -> Decision:
        template, facts, party = slot.template, slot.facts, slot.party
        item = self.items[template.item]
        values = {
            "title": facts.title,
            "number": slot.number,
            "party_kind": party.kind,
            "party_name": party.name,
            "party_credit_code": party.credit_code,
            "legal_representative": party.representative,
            "content": facts.content,
            "basis": self._basis(item),
            "filed_on": slot.decided_on - datetime.timedelta(days=self.rng.randint(3, 25)),
            "decided_on": slot.decided_on,
            "served_on": slot.served_on,
        }
        if template.penalty:
            values |= {
                "penalty_kinds": facts.penalty_kinds,
                "fine_amount": facts.fine,
                "confiscated_amount": facts.confiscated,
            }
        else:
            start = slot.decided_on + datetime.timedelta(days=1)
            values |= {
                "licence_name": facts.licence_name,
                "licence_number": slot.number.replace("〔", "-").replace("〕", "-").rstrip("号"),
                "valid_from": start,
                "valid_until": start + datetime.timedelta(days=facts.valid_days - 1),
            }
        if slot.special == "major":
            values |= {
                "legal_review_on": slot.decided_on - datetime.timedelta(days=6),
                "legal_reviewer": "郑州市盐业管理局法制室",
                "legal_review_opinion": "案件事实清楚，证据确凿，程序合法，适用依据正确，"
                "处罚裁量适当，同意拟作出的处罚决定。",
                "collective_on": slot.decided_on - datetime.timedelta(days=2),
                "collective_note": "局长办公会集体讨论，参会七人，一致同意作出没收违法所得并处"
                "罚款八万元的处罚决定。",
                "filed_on": slot.decided_on - datetime.timedelta(days=40),
            }
        with services.as_of(slot.recorded_at):
            return services.decision_record(
                actor=self.clerks[template.department],
                department=self.departments[template.department],
                given=services.DecisionValues(
                    body=self.bodies[slot.body],
                    item=item,
                    officers=[self.people[name] for name in slot.officers],
                    values=values,
                ),
            )

    def _basis(self, item: Entry) -> str:
        """The item's legal basis as the decision cites it."""
        if item.code not in self.basis:
            provisions = Provision.objects.filter(pk__in=item.basis).select_related("law")
            self.basis[item.code] = "；".join(str(provision) for provision in provisions)
        return self.basis[item.code]

    def publish(self, slot: Slot, decision: Decision) -> None:
        redactions = []
        if slot.special == "redacted":
            redactions = [
                services.RedactionInput(
                    field="content",
                    reason=RedactionReason.TRADE_SECRET,
                    explanation=f"{SECRET}属于当事人的商业秘密，公开会损害其合法权益。",
                    public_text=REDACTED_PUBLIC,
                )
            ]
        with services.as_of(slot.published_at):
            services.decision_publish(
                actor=self.clerks[slot.template.department],
                decision=decision,
                redactions=redactions,
            )

    def case_start(self) -> datetime.datetime:
        return _at(self._case_days()[0], 9)

    def _case_days(self) -> list[datetime.date]:
        days = [_working_day(self.today - datetime.timedelta(days=CASE_DAYS_AGO))]
        for gap in (1, 8, 6, 2, 12):
            days.append(_working_day(days[-1] + datetime.timedelta(days=gap)))
        return days

    def case(self) -> None:
        """A salt penalty case handled here (seed 003 三(二)2: 立案→调查→告知→决定→送达→执行),
        each stage's record photographed and uploaded within hours of being made."""
        clerk = self.clerks[SALT]
        party = _organisation(self.rng, SALT, CITY)
        filed_on, investigated, notified, decided, served, executed = self._case_days()
        people = [self.people[name] for name in TEAMS[SALT][:2]]
        with services.as_of(_at(filed_on, 9)):
            case = services.case_file(
                actor=clerk,
                department=self.departments[SALT],
                given=services.DecisionValues(
                    body=self.bodies["郑州市盐业管理局"],
                    item=self.items[SALT_PENALTY],
                    officers=people,
                    values={
                        "title": f"{party.name}涉嫌销售非定点企业食盐案",
                        "party_kind": party.kind,
                        "party_name": party.name,
                        "party_credit_code": party.credit_code,
                        "legal_representative": party.representative,
                        "filed_on": filed_on,
                    },
                ),
            )
        self._upload(case, "立案审批表", _at(filed_on, 10))
        stages = (
            ("investigating", investigated, ("现场检查笔录", "询问笔录"), None),
            ("notified", notified, ("行政处罚事先告知书及送达回证",), None),
            (
                "decided",
                decided,
                ("行政处罚决定书",),
                {
                    "number": f"郑盐罚〔{decided.year}〕101号",
                    "content": "经查，当事人从非食盐定点批发企业购进食盐6吨并在其经营场所销售，"
                    "违法所得1380元。上述行为违反了《食盐专营办法》第八条的规定。",
                    "basis": "《食盐专营办法》第八条",
                    "penalty_kinds": [PenaltyKind.CONFISCATE_GAINS, PenaltyKind.FINE],
                    "fine_amount": 8000,
                    "confiscated_amount": 1380,
                    "decided_on": decided,
                },
            ),
            ("served", served, ("送达回证",), {"served_on": served}),
            ("executed", executed, ("罚没款缴款凭证",), None),
        )
        for stage, day, records, values in stages:
            if stage == "executed":
                # Published within its period, before the fine was paid.
                published = _working_day(served + datetime.timedelta(days=2))
                with services.as_of(_at(published, 16)):
                    case = services.decision_publish(actor=clerk, decision=case)
            with services.as_of(_at(day, 9)):
                case = services.case_advance(actor=clerk, decision=case, to=stage, values=values)
            for order, title in enumerate(records):
                self._upload(case, title, _at(day, 10 + 2 * order))

    def _upload(self, case: Decision, title: str, made: datetime.datetime) -> None:
        """A record made on paper at `made` and uploaded within the next hours."""
        with services.as_of(made + datetime.timedelta(minutes=self.rng.randint(30, 110))):
            services.case_record_upload(
                actor=self.clerks[SALT],
                decision=case,
                title=title,
                made_at=made,
                upload=SimpleUploadedFile(f"{title}.pdf", PDF, "application/pdf"),
            )


def _sweep_moments(slot: Slot, days: int, latest: datetime.datetime) -> list[datetime.datetime]:
    """When the sweep (every five minutes under `make run`) first found something of the slot's
    publication step before it was published: its reminder moment and its due moment passed."""
    due = calendar.add(slot.served_on, days, DeadlineUnit.CALENDAR_DAYS).due
    until = min(slot.published_at or latest, latest)
    return [
        moment
        for moment in (calendar.reminder_moment(due), due + datetime.timedelta(minutes=5))
        if slot.recorded_at < moment <= until
    ]


def _sweep(moment: datetime.datetime) -> None:
    with services.as_of(moment):
        services.decision_deadlines_sweep(now_=moment)


@transaction.atomic
def decisions_seed() -> dict[str, int]:
    """Issue 14 §10: the demo (see the module's docstring), all through the services. Needs the
    organisation, the register and the demo users of seed_demo, seed_complaints and
    seed_inspections. Returns what it created."""
    loader = Loader(timezone.localdate(timezone=calendar.SHANGHAI))
    loader.officers()
    loader.stacking_item()
    loader.items_load()
    loader.bodies_confirmed()
    if Decision.objects.filter(department__in=loader.departments.values()).exists():
        return loader.created
    slots = loader.slots()
    days = policy_for(loader.departments[SALT].jurisdiction).publish_days
    # Each thing in the order it happened: the records, the publications, the sweep's runs
    # and the case handled here (its own steps all finish before its next neighbour's).
    decisions: dict[int, Decision] = {}
    actions: list[tuple[datetime.datetime, Callable[[], object]]] = []
    for index, slot in enumerate(slots):
        actions.append(
            (slot.recorded_at, lambda i=index, s=slot: decisions.__setitem__(i, loader.record(s)))
        )
        if slot.published_at:
            actions.append(
                (slot.published_at, lambda i=index, s=slot: loader.publish(s, decisions[i]))
            )
    sweeps = {moment for slot in slots for moment in _sweep_moments(slot, days, loader.latest)}
    actions += [(moment, lambda m=moment: _sweep(m)) for moment in sweeps]
    actions.append((loader.case_start(), loader.case))
    for _moment, action in sorted(actions, key=lambda action: action[0]):
        action()
    loader.created["decisions"] = Decision.objects.filter(
        department__in=loader.departments.values()
    ).count()
    return loader.created
