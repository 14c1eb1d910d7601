"""The register's part of a generated province (core.scale, issue 11 §1): laws and their
provisions, entries of the five lists in the eleven categories with realistic names, about three
published versions each with their history rows, and the citations.

Names are built from a few hundred objects (weighted so that common words such as 许可 match a
quarter of the register and a four-character one such as 残疾人证 tens of thousands of entries)
and the wording of each category, as real lists word them."""

import datetime
import json
from itertools import zip_longest

from django.db import connection

from core.scale import Run, indexes_deferred, model_rows, next_ids
from core.search import normalise

from .choices import LIST_CODE, ChangeSource, EntryStatus, LawLevel, LawStatus, ListKind
from .models import Category, Entry, Law, Provision, sort_key
from .search import entry_vector

# Objects that a person holds or receives (a certificate, a benefit, a status): they are
# issued, confirmed, paid or served, never punished.
HELD = [
    "残疾人证",
    "教师资格",
    "法律援助",
    "最低生活保障",
    "临时救助",
    "特困人员供养",
    "高龄津贴",
    "退役军人优待",
    "烈士褒扬",
    "失业保险金",
    "工伤认定",
    "社会保险登记",
    "公共租赁住房",
    "公民民族成份",
    "户口迁移",
    "居民身份证",
    "出入境证件",
    "机动车驾驶证",
    "婚姻登记",
    "收养登记",
    "儿童福利",
    "残疾人就业",
    "新型农村合作医疗",
    "公共文化服务",
    "图书馆服务",
    "义务教育入学",
    "学生资助",
    "就业创业",
]
# Activities one carries on: licensed, inspected, punished.
ACTIVITIES = [
    "食品经营",
    "城市树木砍伐",
    "建筑工程施工",
    "户外广告设置",
    "排水",
    "烟草专卖零售",
    "粮食收购",
    "医疗机构执业",
    "道路运输经营",
    "出租汽车经营",
    "危险化学品经营",
    "特种设备使用",
    "民办学校办学",
    "社会组织登记",
    "宗教活动场所",
    "采矿",
    "取水",
    "林木采伐",
    "野生动物驯养繁殖",
    "动物诊疗",
    "兽药经营",
    "农药经营",
    "种子生产经营",
    "渔业捕捞",
    "建设用地",
    "农村村民住宅用地",
    "临时占用城市绿地",
    "城市道路挖掘",
    "人防工程",
    "燃气经营",
    "供热经营",
    "网络文化经营",
    "娱乐场所",
    "营业性演出",
    "出版物零售",
    "电影放映",
    "文物保护单位修缮",
    "校车使用",
    "律师执业",
    "公证机构",
    "劳务派遣经营",
    "人力资源服务",
    "职业技能鉴定",
    "房地产开发",
    "物业服务",
    "商品房预售",
    "建筑业企业资质",
    "工程监理",
    "消防设计审查",
    "公共场所卫生",
    "放射诊疗",
    "母婴保健技术服务",
    "中医诊所",
    "广告发布",
    "计量器具",
    "特殊食品生产",
    "化妆品生产",
    "医疗器械经营",
    "药品零售",
    "电梯安装",
    "压力容器",
    "气瓶充装",
    "个体工商户",
    "企业名称",
    "对外贸易经营者",
    "拍卖企业",
    "典当行",
    "成品油零售",
    "酒类流通",
    "生猪屠宰",
    "农产品质量安全",
    "农机驾驶",
    "动物防疫",
    "水产苗种生产",
    "河道采砂",
    "水土保持方案",
    "防洪影响评价",
    "水利工程建设",
    "森林防火",
    "古树名木迁移",
    "自然保护区",
    "地质灾害防治",
    "测绘资质",
    "不动产登记",
    "土地复垦",
    "矿产资源开采",
    "环境影响评价",
    "排污",
    "危险废物经营",
    "辐射安全",
    "噪声污染防治",
    "机动车排放检验",
    "建筑垃圾处置",
    "城市生活垃圾经营",
    "环境卫生",
    "市政设施",
    "城市照明",
    "停车场",
    "公路超限运输",
    "道路货物运输",
    "驾驶员培训",
    "港口经营",
    "无线电台设置",
    "互联网上网服务",
    "电信业务",
    "快递业务",
    "气象探测环境",
    "防雷装置",
    "地震安全性评价",
    "统计调查",
    "档案",
    "宗教教职人员",
    "烟花爆竹经营",
    "大型群众性活动",
    "保安服务",
    "公章刻制",
    "旅馆业特种行业",
    "机动车登记",
    "消防安全检查",
    "体育经营活动",
    "慈善组织",
    "殡葬服务",
    "社会团体",
    "民办非企业单位",
    "养老机构",
    "食盐定点批发",
    "盐业",
    "城市绿化工程",
]
# Both, alternating, by rank: 残疾人证 and the other first objects are common, the weight falls
# with the rank.
OBJECTS = [name for pair in zip_longest(HELD, ACTIVITIES) for name in pair if name]
# Words a person holds are issued, confirmed, paid or served.
HELD_CATEGORIES = frozenset({"01", "04", "07", "10", "11"})
WEIGHTS = {name: 1 / (rank + 4) for rank, name in enumerate(OBJECTS)}
CHOICES = {
    True: (OBJECTS, [WEIGHTS[name] for name in OBJECTS]),
    False: (ACTIVITIES, [WEIGHTS[name] for name in ACTIVITIES]),
}

WORDING = {
    "01": ("{o}许可", "{o}审批", "{o}核准", "{o}许可证核发", "{o}登记"),
    "02": ("对{o}违法行为的处罚", "对未经许可从事{o}的处罚", "对违反{o}管理规定的处罚"),
    "03": ("{o}费征收", "{o}补偿费征收"),
    "04": ("{o}补贴发放", "{o}救助金给付", "{o}待遇给付"),
    "05": ("{o}先进集体和先进个人表彰", "{o}工作奖励"),
    "06": ("查封扣押{o}相关物品", "对{o}违法设施的强制拆除"),
    "07": ("{o}认定", "{o}确认", "{o}资格认定"),
    "08": ("{o}纠纷裁决", "{o}权属争议裁决"),
    "09": ("{o}监督检查", "对{o}的执法检查"),
    "10": ("{o}政策咨询服务", "{o}信息查询服务"),
    "11": ("{o}备案", "{o}年度报告公示"),
}
# Power categories by share of a real list: penalties and licences lead.
CATEGORY_WEIGHTS = {
    "01": 22,
    "02": 34,
    "03": 3,
    "04": 4,
    "05": 2,
    "06": 5,
    "07": 6,
    "08": 1,
    "09": 12,
    "10": 6,
    "11": 5,
}
SUB_ITEMS = ("（新办）", "（变更）", "（延续）", "（注销）")
NEGATIVE_PROJECTS = [
    "水电站项目核准",
    "抽水蓄能电站项目核准",
    "风电站项目核准",
    "城市快速轨道交通项目核准",
    "民用机场项目核准",
    "铁路项目核准",
    "高速公路项目核准",
    "独立公(铁)路桥梁项目核准",
    "煤矿项目核准",
    "油气管网项目核准",
    "钢铁项目核准",
    "水泥项目核准",
    "主题公园项目核准",
    "旅游开发项目核准",
    "跨流域调水项目核准",
]
FEE_NAMES = [
    "不动产登记费",
    "证照工本费",
    "考试考务费",
    "污水处理费",
    "土地复垦费",
    "水资源费",
    "防空地下室易地建设费",
    "特种设备检验检测费",
    "机动车号牌工本费",
    "户口簿工本费",
    "护照工本费",
    "职业技能鉴定费",
    "植物检疫费",
    "船舶登记费",
    "无线电频率占用费",
]
FUND_NAMES = [
    "城市基础设施配套费",
    "国有土地使用权出让收入",
    "地方水库移民扶持基金",
    "残疾人就业保障金",
    "教育费附加",
    "地方教育附加",
    "文化事业建设费",
    "国家重大水利工程建设基金",
    "农网还贷资金",
    "彩票公益金",
    "城市公用事业附加",
    "新型墙体材料专项基金",
]
LAW_SUBJECTS = [
    "行政许可",
    "行政处罚",
    "行政强制",
    "食品安全",
    "药品管理",
    "道路交通安全",
    "城乡规划",
    "土地管理",
    "环境保护",
    "水法",
    "森林",
    "草原",
    "野生动物保护",
    "动物防疫",
    "农产品质量安全",
    "种子",
    "农药管理",
    "兽药管理",
    "渔业",
    "矿产资源",
    "建筑",
    "消防",
    "特种设备安全",
    "安全生产",
    "广告",
    "计量",
    "标准化",
    "产品质量",
    "消费者权益保护",
    "价格",
    "烟草专卖",
    "盐业管理",
    "粮食流通管理",
    "残疾人保障",
    "老年人权益保障",
    "未成年人保护",
    "社会救助",
    "军人抚恤优待",
    "社会保险",
    "就业促进",
    "劳动合同",
    "职业病防治",
    "传染病防治",
    "母婴保健",
    "执业医师",
    "献血",
    "教育",
    "民办教育促进",
    "教师",
    "义务教育",
    "文物保护",
    "公共文化服务保障",
    "电影产业促进",
    "出版管理",
    "娱乐场所管理",
    "营业性演出管理",
    "互联网上网服务营业场所管理",
    "宗教事务",
    "户口登记",
    "居民身份证",
    "出境入境管理",
    "烟花爆竹安全管理",
    "大型群众性活动安全管理",
    "保安服务管理",
    "旅馆业治安管理",
    "慈善",
    "殡葬管理",
    "婚姻登记",
    "收养",
    "社会团体登记管理",
    "城市绿化",
    "城市市容和环境卫生管理",
    "城市道路管理",
    "城镇排水与污水处理",
    "城镇燃气管理",
    "物业管理",
    "城市房地产管理",
    "不动产登记暂行",
    "测绘",
    "气象",
    "防震减灾",
    "统计",
    "档案",
    "审计",
]
LAW_FORMS = (
    ("中华人民共和国{s}法", LawLevel.LAW, "全国人民代表大会常务委员会"),
    ("{s}条例", LawLevel.ADMINISTRATIVE_REGULATION, "国务院"),
    ("河南省{s}条例", LawLevel.LOCAL_REGULATION, "河南省人民代表大会常务委员会"),
    ("{s}管理办法", LawLevel.DEPARTMENT_RULE, "国务院有关部门"),
    ("河南省{s}实施办法", LawLevel.LOCAL_RULE, "河南省人民政府"),
)
ARTICLES = "一二三四五六七八九十"
STAGES = ("accept", "examine", "decide", "serve", "supervise")
VERSIONS_FROM = datetime.datetime(2015, 6, 1, 9, tzinfo=datetime.UTC)


def _article(number: int) -> str:
    tens, ones = divmod(number, 10)
    text = (ARTICLES[tens - 1] if tens > 1 else "") + ("十" if tens else "")
    return f"第{text}{ARTICLES[ones - 1] if ones else ''}条"


def _laws(run: Run) -> list[tuple[int, int, str]]:
    """Laws and their provisions; returns (provision id, law id, "law article") of each."""
    rng = run.random("laws")
    forms = [
        (form.format(s=subject), level, body)
        for subject in LAW_SUBJECTS
        for form, level, body in LAW_FORMS
    ]
    rng.shuffle(forms)
    forms = forms[: run.preset.laws]
    first_law = next_ids("registry_law", len(forms))
    laws, provisions = [], []
    for offset, (name, level, body) in enumerate(forms):
        law_id = first_law + offset
        laws.append(
            {
                "id": law_id,
                "name": name,
                "level": level,
                "issuing_body": body,
                "effective_date": datetime.date(2004 + offset % 18, 1 + offset % 12, 1),
                "status": LawStatus.IN_FORCE,
            }
        )
        for number in range(1, rng.randint(8, 30)):
            provisions.append((law_id, name, _article(number)))
    first = next_ids("registry_provision", len(provisions))
    rows = [
        {
            "id": first + i,
            "article": article,
            "text": f"{name}{article}规定的事项。",
            "order": i,
            "law_id": law_id,
        }
        for i, (law_id, name, article) in enumerate(provisions)
    ]
    run.copy("registry_law", *model_rows(Law, laws), "laws")
    run.copy("registry_provision", *model_rows(Provision, rows), "provisions")
    return [
        (first + i, law_id, f"{name} {article}")
        for i, (law_id, name, article) in enumerate(provisions)
    ]


ENTRY_COLUMNS = tuple(f.column for f in Entry._meta.concrete_fields)
HISTORY_EXTRA = (
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "change_source",
    "change_reference",
    "valid_until",
)
HISTORY_COLUMNS = tuple(c for c in ENTRY_COLUMNS if c != "search_vector") + HISTORY_EXTRA
JSON_COLUMNS = {"basis", "flow", "discretion", "materials", "responsibilities"}


def _blank() -> dict:
    values = {}
    for f in Entry._meta.concrete_fields:
        default = f.get_default()
        values[f.column] = json.dumps(default) if f.column in JSON_COLUMNS else default
    return values


def _entries(run: Run, provisions: list[tuple[int, int, str]]) -> None:
    rng = run.random("entries")
    preset = run.preset
    departments = [d for d in run.made["departments"] if d.function == "general"]
    categories = {(c.list_kind, c.code): c.pk for c in Category.objects.all()}
    power_codes = list(CATEGORY_WEIGHTS)
    power_weights = list(CATEGORY_WEIGHTS.values())
    # Each department's share of the register: the larger jurisdictions hold more.
    share = {"province": 3.0, "city": 2.0, "district": 1.0, "town": 0.3}
    weights = [share[d.jurisdiction.level] * rng.uniform(0.3, 1.7) for d in departments]
    scale = preset.entries / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    counts[-1] += preset.entries - sum(counts)
    pools = [provisions[i : i + 3] for i in range(0, len(provisions) - 3, 3)]
    total = sum(counts)
    first_id = next_ids("registry_entry", total)
    child = {"province": "city", "city": "district", "district": "town", "town": ""}

    def rows():
        entry_id = first_id
        for department, count in zip(departments, counts, strict=True):
            jurisdiction = department.jurisdiction
            numbers: dict[tuple[str, str], int] = {}
            main: tuple[int, str, str] | None = None  # id, basic code, name of the last main item
            for _ in range(count):
                kind = rng.choices(
                    (
                        ListKind.POWER,
                        ListKind.APPROVAL,
                        ListKind.NEGATIVE,
                        ListKind.FEE,
                        ListKind.FUND,
                    ),
                    (70, 15, 2, 8, 5),
                )[0]
                values = _blank()
                parent_id = None
                if kind in (ListKind.POWER, ListKind.APPROVAL):
                    code = (
                        rng.choices(power_codes, power_weights)[0]
                        if kind == ListKind.POWER
                        else rng.choice(("01", "07", "10"))
                    )
                    if (
                        kind == ListKind.POWER
                        and main is not None
                        and main[1][:2] == code
                        and rng.random() < 0.12
                    ):
                        parent_id, parent_code, parent_name = main
                        sub = int(parent_code[7:]) + numbers.get((kind, parent_code), 0) + 1
                        numbers[(kind, parent_code)] = sub
                        basic = f"{parent_code[:7]}{sub:03d}"
                        name = parent_name + SUB_ITEMS[(sub - 1) % len(SUB_ITEMS)]
                    else:
                        number = numbers[(kind, code)] = numbers.get((kind, code), 0) + 1
                        basic = f"{code}{number:05d}000"
                        candidates, weights = CHOICES[code in HELD_CATEGORIES]
                        obj = rng.choices(candidates, weights)[0]
                        name = rng.choice(WORDING[code]).format(o=obj)
                    values.update(
                        statutory_limit_days=20,
                        promised_limit_days=rng.choice((3, 5, 7, 10, 15)),
                        handling_unit=f"{department.name}行政审批科",
                        flow=json.dumps(
                            [{"step": s} for s in ("受理", "审查", "决定", "送达")],
                            ensure_ascii=False,
                        ),
                        responsibilities=json.dumps(
                            [
                                {"stage": stage, "duty": f"依法{name}"}
                                for stage in rng.sample(STAGES, 2)
                            ],
                            ensure_ascii=False,
                        ),
                    )
                    if kind == ListKind.APPROVAL:
                        values.update(
                            star_level=rng.randint(1, 5),
                            window=f"{jurisdiction.name}政务服务中心{rng.randint(1, 40)}号窗口",
                            guide=f"{name}办事指南。",
                        )
                    if code == "02":
                        values["discretion"] = json.dumps(
                            [
                                {"circumstance": "情节轻微", "range": "警告"},
                                {"circumstance": "情节严重", "range": "罚款"},
                            ],
                            ensure_ascii=False,
                        )
                else:
                    if kind == ListKind.NEGATIVE:
                        code = f"{51 + rng.randrange(12)}"
                        name = rng.choice(NEGATIVE_PROJECTS)
                        values["approving_body"] = department.name
                    elif kind == ListKind.FEE:
                        code = f"{71 + rng.randrange(6)}"
                        name = rng.choice(FEE_NAMES)
                        values.update(standard=f"每件{rng.randint(1, 40) * 5}元", payers="申请人")
                    else:
                        code = "81"
                        name = rng.choice(FUND_NAMES)
                        values.update(standard="按国家规定标准", use="专款专用")
                    number = numbers[(kind, code)] = numbers.get((kind, code), 0) + 1
                    basic = f"{code}{number:05d}000"
                basis = rng.choice(pools)[: rng.randint(1, 2)]
                cited = [p for p, _law, _text in basis]
                basis_text = " ".join(text for _p, _law, text in basis)
                if kind != ListKind.NEGATIVE or rng.random() < 0.5:
                    values["basis"] = json.dumps(cited)
                status = rng.choices(
                    (
                        EntryStatus.IN_FORCE,
                        EntryStatus.CANCELLED,
                        EntryStatus.DELEGATED,
                        EntryStatus.SUSPENDED,
                    ),
                    (95, 3, 1.5 if child[jurisdiction.level] else 0, 0.5),
                )[0]
                implementation = (
                    f"{basic}-{LIST_CODE[kind]}-{jurisdiction.code}-D{department.id:05d}"
                )
                values.update(
                    id=entry_id,
                    list_kind=kind,
                    category_id=categories[(kind, code)],
                    jurisdiction_id=jurisdiction.id,
                    department_id=department.id,
                    parent_id=parent_id,
                    basic_code=basic,
                    code=implementation,
                    name=name,
                    status=status,
                    delegated_to_level=child[jurisdiction.level]
                    if status == EntryStatus.DELEGATED
                    else "",
                    responsible_unit=f"{department.name}法规科",
                    responsible_person=rng.choice("王李张刘陈杨黄赵")
                    + rng.choice("伟芳娜敏静强磊军"),
                    responsible_phone=f"0371-6{rng.randrange(10**7):07d}",
                    sort_key=sort_key(jurisdiction.path, department.name, basic),
                    search_text=normalise(
                        " ".join((name, implementation, basic, department.name, basis_text))
                    ),
                    search_vector=entry_vector(
                        name=name, department=department.name, basis=basis_text
                    ),
                )
                versions = max(1, min(5, round(rng.gauss(preset.versions, 1))))
                moments = _moments(rng, versions, run.now)
                values.update(version=versions, published_at=moments[-1])
                if parent_id is None and kind == ListKind.POWER:
                    main = (entry_id, basic, name)
                yield values, moments, cited
                entry_id += 1

    entries, history, citations = [], [], []
    law_of = {p: law for p, law, _text in provisions}
    done = 0
    with indexes_deferred(run, "registry_entry", "registry_historicalentry", "registry_citation"):
        for values, moments, cited in rows():
            entries.append(tuple(values[c] for c in ENTRY_COLUMNS))
            for number, moment in enumerate(moments, start=1):
                older = dict(values)
                older.update(
                    version=number,
                    published_at=moment,
                    history_date=moment,
                    history_change_reason="",
                    history_type="+" if number == 1 else "~",
                    history_user_id=None,
                    change_source=ChangeSource.IMPORT if number == 1 else ChangeSource.ADJUSTMENT,
                    change_reference="",
                    valid_until=moments[number] if number < len(moments) else None,
                )
                if number < len(moments) and older["promised_limit_days"] is not None:
                    # An earlier version promised a longer time: what adjustments shorten.
                    older["promised_limit_days"] = min(
                        20, older["promised_limit_days"] + 2 * (len(moments) - number)
                    )
                history.append(tuple(older[c] for c in HISTORY_COLUMNS))
            citations += [(values["id"], p, law_of[p]) for p in cited]
            if len(entries) >= 20_000:
                done += len(entries)
                _flush(run, entries, history, citations, done, total)
                entries, history, citations = [], [], []
        done += len(entries)
        _flush(run, entries, history, citations, done, total)


def _flush(run: Run, entries, history, citations, done: int, total: int) -> None:
    run.copy("registry_entry", ENTRY_COLUMNS, entries)
    run.copy("registry_historicalentry", HISTORY_COLUMNS, history)
    run.copy("registry_citation", ("entry_id", "provision_id", "law_id"), citations)
    run.progress("register", done, total)


def _moments(rng, versions: int, now: datetime.datetime) -> list[datetime.datetime]:
    """The publication moments of an entry's versions, oldest first, all in the past."""
    span = (now - VERSIONS_FROM).total_seconds()
    moments = sorted(
        VERSIONS_FROM + datetime.timedelta(seconds=rng.random() * span) for _ in range(versions)
    )
    return [m.replace(microsecond=0) for m in moments]


def scale_generate(run: Run) -> None:
    from . import services

    provisions = _laws(run)
    _entries(run, provisions)
    with connection.cursor() as cursor:
        # What entries_publish keeps for every publication, counted once for the loaded rows.
        cursor.execute(
            "INSERT INTO registry_inforcecount "
            "(jurisdiction_id, department_id, category_id, count) "
            "SELECT jurisdiction_id, department_id, category_id, count(*) FROM registry_entry "
            "WHERE status = %s GROUP BY 1, 2, 3",
            [EntryStatus.IN_FORCE],
        )
        cursor.execute(
            "SELECT jurisdiction_id, list_kind, count(*) FROM registry_entry "
            "WHERE status = %s GROUP BY 1, 2",
            [EntryStatus.IN_FORCE],
        )
        totals = {(jurisdiction, kind): count for jurisdiction, kind, count in cursor.fetchall()}
    services.in_force_totals_add(totals)
    # Written past entries_publish: the published state moves on as a publication's would.
    services.publication_advance(actor=None)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_entry, registry_historicalentry, registry_citation")
