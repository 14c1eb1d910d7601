"""The demo register (issue 3 §8), loaded by `manage.py seed_register` (which `seed_demo` calls).

Zhengzhou published its five lists in June 2015; the demo register starts there. Every seeded
general department holds items of the categories that fit it, the eight four-level-linked items
of seed 003 are published at city level and in 上街区 with the same basic code (and the
homestead approval in 刘寨镇 too), and some items have several versions published years apart,
as the register kept them: a promised time limit shortened, a flow step added, a star level
raised, a basis changed when its law was amended or repealed, an item cancelled.

Laws are real and their provisions are quoted, shortened with "……" where the article goes on.
The register keeps one text per article: the current one (for a repealed law, its last). A law
amended since is marked amended with the date of its latest amendment; 盐业管理条例 and
中华人民共和国物权法 are repealed. Where an amendment or repeal changed an item's basis, the
item was republished with the new one (行政处罚法 2021, 食盐专营办法 2017, 物权法 → 民法典,
the investment catalogue of 2016); penalty items cite the 2021 行政处罚法 only from then on.

Three inconsistencies are left on purpose for the office's consistency report (issue 3 §7):
粮食收购资格核准 was cancelled at city level in 2021 but is still in force in 上街区; 市园林局
and 市城市管理局 both hold the penalty for damaging urban trees; 盐业市场监督检查 still cites
the repealed 盐业管理条例.

The people, phone numbers and windows are invented (phones start 0371-0, as in seed_demo);
the fee and fund standards are plausible but invented.

Idempotent: a law is identified by its name and an entry by its department, list and basic
code (which make its implementation code); what exists is left as it is, so a second run
publishes nothing.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from core.choices import JurisdictionLevel
from core.models import Department, User

from . import services
from .choices import ChangeSource, EntryStatus, LawLevel, LawStatus, ListKind, RiskLevel
from .models import Category, Entry, Law, Provision

# Zhengzhou published the five lists at the end of June 2015.
LAUNCH = datetime.date(2015, 6, 30)

# The eight items of seed 003 linked across the four levels (city, district, town, community).
FOUR_LEVEL_ITEMS = (
    "烟草专卖零售许可",
    "粮食收购资格核准",
    "公民民族成份确认",
    "残疾人证核发",
    "农村村民住宅用地审批",
    "最低生活保障待遇认定",
    "郑州市公共租赁住房保障",
    "新型农村合作医疗登记",
)

# 残疾人证核发 of 市残疾人联合会: its first version (2015: 20 working days promised, two
# stars) was still the published one on this date; the next came on 2018-07-01.
DISABILITY_CERTIFICATE_CODE = "0700001000-QL-410100-014"
DISABILITY_CERTIFICATE_BEFORE = datetime.date(2017, 6, 30)

HIGH, MEDIUM, LOW = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW

# --- the law register ------------------------------------------------------------------------

XKF = "中华人民共和国行政许可法"
CFF = "中华人民共和国行政处罚法"
QZF = "中华人民共和国行政强制法"
YCF = "中华人民共和国烟草专卖法"
YCTL = "中华人民共和国烟草专卖法实施条例"
LSTL = "粮食流通管理条例"
CJRF = "中华人民共和国残疾人保障法"
TDF = "中华人民共和国土地管理法"
SHJZ = "社会救助暂行办法"
DBTL = "城市居民最低生活保障条例"
GZF = "公共租赁住房管理办法"
SYZY = "食盐专营办法"
YYTL = "盐业管理条例"
LHTL = "城市绿化条例"
SRTL = "城市市容和环境卫生管理条例"
WQF = "中华人民共和国物权法"
MFD = "中华人民共和国民法典"
SF = "中华人民共和国水法"
DLTL = "城市道路管理条例"
SBF = "中华人民共和国社会保险法"
SFZF = "中华人民共和国居民身份证法"
CPZLF = "中华人民共和国产品质量法"
WZWZ = "无证无照经营查处办法"
TZTL = "企业投资项目核准和备案管理条例"
JJBF = "政府性基金管理暂行办法"

NPC = "全国人民代表大会"
NPCSC = "全国人民代表大会常务委员会"
STATE_COUNCIL = "国务院"


@dataclass(frozen=True)
class DemoLaw:
    name: str
    level: str
    issuing_body: str
    document_number: str
    effective_date: datetime.date
    provisions: tuple[tuple[str, str], ...]
    status: str = LawStatus.IN_FORCE
    status_date: datetime.date | None = None


def _day(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


LAWS = (
    DemoLaw(
        XKF,
        LawLevel.LAW,
        NPCSC,
        "中华人民共和国主席令第七号",
        _day(2004, 7, 1),
        (
            (
                "第十二条",
                (
                    "下列事项可以设定行政许可：（一）直接涉及国家安全、公共安全、经济宏观调控、"
                    "生态环境保护以及直接关系人身健康、生命财产安全等特定活动，"
                    "需要按照法定条件予以批准的事项；……"
                ),
            ),
            (
                "第二十九条",
                (
                    "公民、法人或者其他组织从事特定活动，依法需要取得行政许可的，"
                    "应当向行政机关提出申请。……"
                ),
            ),
            ("第三十二条", "行政机关对申请人提出的行政许可申请，应当根据下列情况分别作出处理：……"),
            (
                "第四十二条",
                (
                    "除可以当场作出行政许可决定的外，"
                    "行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定。"
                    "二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，"
                    "并应当将延长期限的理由告知申请人。……"
                ),
            ),
            (
                "第四十四条",
                (
                    "行政机关作出准予行政许可的决定，应当自作出决定之日起十日内向申请人颁发、"
                    "送达行政许可证件，或者加贴标签、加盖检验、检测、检疫印章。"
                ),
            ),
            (
                "第六十一条",
                (
                    "行政机关应当建立健全监督制度，"
                    "通过核查反映被许可人从事行政许可事项活动情况的有关材料，履行监督责任。……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2019, 4, 23),
    ),
    DemoLaw(
        CFF,
        LawLevel.LAW,
        NPC,
        "",
        _day(1996, 10, 1),
        (
            (
                "第九条",
                (
                    "行政处罚的种类：（一）警告、通报批评；（二）罚款、没收违法所得、没收非法财物；"
                    "（三）暂扣许可证件、降低资质等级、吊销许可证件；（四）限制开展生产经营活动、"
                    "责令停产停业、责令关闭、限制从业；（五）行政拘留；（六）法律、"
                    "行政法规规定的其他行政处罚。"
                ),
            ),
            (
                "第三十四条",
                (
                    "行政机关可以依法制定行政处罚裁量基准，规范行使行政处罚裁量权。"
                    "行政处罚裁量基准应当向社会公布。"
                ),
            ),
            (
                "第四十二条",
                (
                    "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，"
                    "法律另有规定的除外。……"
                ),
            ),
            (
                "第六十三条",
                (
                    "行政机关拟作出下列行政处罚决定，应当告知当事人有要求听证的权利，"
                    "当事人要求听证的，行政机关应当组织听证：（一）较大数额罚款；……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2021, 1, 22),
    ),
    DemoLaw(
        QZF,
        LawLevel.LAW,
        NPCSC,
        "中华人民共和国主席令第四十九号",
        _day(2012, 1, 1),
        (
            (
                "第九条",
                (
                    "行政强制措施的种类：（一）限制公民人身自由；（二）查封场所、设施或者财物；"
                    "（三）扣押财物；（四）冻结存款、汇款；（五）其他行政强制措施。"
                ),
            ),
            (
                "第十八条",
                (
                    "行政机关实施行政强制措施应当遵守下列规定：（一）"
                    "实施前须向行政机关负责人报告并经批准；（二）由两名以上行政执法人员实施；……"
                ),
            ),
            (
                "第二十五条",
                (
                    "查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，可以延长，"
                    "但是延长期限不得超过三十日。法律、行政法规另有规定的除外。……"
                ),
            ),
            (
                "第四十四条",
                (
                    "对违法的建筑物、构筑物、设施等需要强制拆除的，应当由行政机关予以公告，"
                    "限期当事人自行拆除。……"
                ),
            ),
        ),
    ),
    DemoLaw(
        YCF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(1992, 1, 1),
        (
            (
                "第三条",
                "国家对烟草专卖品的生产、销售、进出口依法实行专卖管理，并实行烟草专卖许可证制度。",
            ),
            (
                "第十六条",
                (
                    "经营烟草制品零售业务的企业或者个人，"
                    "由县级人民政府工商行政管理部门根据上一级烟草专卖行政主管部门的委托，"
                    "审查批准发给烟草专卖零售许可证。已经设立县级烟草专卖行政主管部门的地方，"
                    "也可以由县级烟草专卖行政主管部门审查批准发给烟草专卖零售许可证。"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2015, 4, 24),
    ),
    DemoLaw(
        YCTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第223号",
        _day(1997, 7, 3),
        (
            (
                "第六条",
                (
                    "从事烟草专卖品的生产、批发、零售业务，"
                    "以及经营烟草专卖品进出口业务和经营外国烟草制品购销业务的，"
                    "必须依照《烟草专卖法》和本条例的规定，申请领取烟草专卖许可证。"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2021, 11, 10),
    ),
    DemoLaw(
        LSTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第407号",
        _day(2004, 5, 26),
        (
            (
                "第二条",
                (
                    "在中华人民共和国境内从事粮食的收购、销售、储存、运输、加工、"
                    "进出口等经营活动（以下统称粮食经营活动），应当遵守本条例。……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2021, 2, 15),
    ),
    DemoLaw(
        CJRF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(1991, 5, 15),
        (
            (
                "第二条",
                (
                    "残疾人是指在心理、生理、人体结构上，某种组织、功能丧失或者不正常，"
                    "全部或者部分丧失以正常方式从事某种活动能力的人。残疾人包括视力残疾、听力残疾、"
                    "言语残疾、肢体残疾、智力残疾、精神残疾、多重残疾和其他残疾的人。……"
                ),
            ),
            (
                "第八条",
                (
                    "中国残疾人联合会及其地方组织，代表残疾人的共同利益，维护残疾人的合法权益，"
                    "团结教育残疾人，为残疾人服务。……"
                ),
            ),
            ("第三十三条", "国家实行按比例安排残疾人就业制度。……"),
        ),
        LawStatus.AMENDED,
        _day(2018, 10, 26),
    ),
    DemoLaw(
        TDF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(1987, 1, 1),
        (
            (
                "第五十五条",
                (
                    "以出让等有偿使用方式取得国有土地使用权的建设单位，按照国务院规定的标准和办法，"
                    "缴纳土地使用权出让金等土地有偿使用费和其他费用后，方可使用土地。……"
                ),
            ),
            (
                "第六十二条",
                (
                    "农村村民一户只能拥有一处宅基地，其宅基地的面积不得超过省、自治区、"
                    "直辖市规定的标准。……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2019, 8, 26),
    ),
    DemoLaw(
        SHJZ,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第649号",
        _day(2014, 5, 1),
        (
            (
                "第九条",
                (
                    "国家对共同生活的家庭成员人均收入低于当地最低生活保障标准，"
                    "且符合当地最低生活保障家庭财产状况规定的家庭，给予最低生活保障。"
                ),
            ),
            (
                "第十条",
                (
                    "最低生活保障标准，由省、自治区、"
                    "直辖市或者设区的市级人民政府按照当地居民生活必需的费用确定、公布，"
                    "并根据当地经济社会发展水平和物价变动情况适时调整。……"
                ),
            ),
            ("第十一条", "申请最低生活保障，按照下列程序办理：……"),
            (
                "第四十七条",
                (
                    "国家对因火灾、交通事故等意外事件，家庭成员突发重大疾病等原因，"
                    "导致基本生活暂时出现严重困难的家庭，……给予临时救助。"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2019, 3, 2),
    ),
    DemoLaw(
        DBTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第271号",
        _day(1999, 10, 1),
        (
            (
                "第二条",
                (
                    "持有非农业户口的城市居民，凡共同生活的家庭成员人均收入低于当地城市居民最低生活"
                    "保障标准的，均有从当地人民政府获得基本生活物质帮助的权利。……"
                ),
            ),
        ),
    ),
    DemoLaw(
        GZF,
        LawLevel.DEPARTMENT_RULE,
        "住房和城乡建设部",
        "住房和城乡建设部令第11号",
        _day(2012, 7, 15),
        (
            (
                "第三条",
                (
                    "本办法所称公共租赁住房，是指限定建设标准和租金水平，"
                    "面向符合规定条件的城镇中等偏下收入住房困难家庭、"
                    "新就业无房职工和在城镇稳定就业的外来务工人员出租的保障性住房。……"
                ),
            ),
            (
                "第七条",
                (
                    "申请公共租赁住房，应当符合以下条件：（一）"
                    "在本地无住房或者住房面积低于规定标准；（二）收入、财产低于规定标准；（三）"
                    "申请人为外来务工人员的，在本地稳定就业达到规定年限。……"
                ),
            ),
        ),
    ),
    DemoLaw(
        SYZY,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第197号",
        _day(1996, 5, 27),
        (
            ("第二条", "国家实行食盐专营管理。本办法所称食盐，是指直接食用和制作食品所用的盐。"),
            (
                "第四条",
                (
                    "国务院盐业主管部门主管全国盐业工作，负责管理全国食盐专营工作。"
                    "县级以上地方人民政府确定的盐业主管部门负责管理本行政区域的食盐专营工作。……"
                ),
            ),
            ("第八条", "国家实行食盐定点生产制度。非食盐定点生产企业不得生产食盐。"),
        ),
        LawStatus.AMENDED,
        _day(2017, 12, 26),
    ),
    DemoLaw(
        YYTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第51号",
        _day(1990, 3, 2),
        (
            ("第二条", "在中华人民共和国境内从事盐资源开发、盐业生产和运销活动，均须遵守本条例。"),
            (
                "第四条",
                (
                    "轻工业部是国务院盐业行政主管部门，主管全国盐业工作。"
                    "省及省级以下人民政府盐业行政主管部门，由省、自治区、直辖市人民政府确定，"
                    "主管本行政区域内的盐业工作。"
                ),
            ),
        ),
        LawStatus.REPEALED,
        _day(2017, 3, 1),
    ),
    DemoLaw(
        LHTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第100号",
        _day(1992, 8, 1),
        (
            (
                "第二十条",
                (
                    "任何单位和个人都不得擅自占用城市绿化用地；占用的城市绿化用地，应当限期归还。"
                    "因建设或者其他特殊需要临时占用城市绿化用地，"
                    "须经城市人民政府城市绿化行政主管部门同意，并按照有关规定办理临时用地手续。"
                ),
            ),
            (
                "第二十一条",
                (
                    "任何单位和个人都不得损坏城市树木花草和绿化设施。砍伐城市树木，"
                    "必须经城市人民政府城市绿化行政主管部门批准，"
                    "并按照国家有关规定补植树木或者采取其他补救措施。"
                ),
            ),
            (
                "第二十六条",
                (
                    "违反本条例规定，有下列行为之一的，"
                    "由城市人民政府城市绿化行政主管部门或者其授权的单位责令停止侵害，可以并处罚款；"
                    "……（一）损坏城市树木花草的；（二）擅自砍伐城市树木的；……"
                ),
            ),
            (
                "第二十七条",
                (
                    "未经同意擅自占用城市绿化用地的，"
                    "由城市人民政府城市绿化行政主管部门责令限期退还、恢复原状，可以并处罚款；"
                    "造成损失的，应当负赔偿责任。"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2017, 3, 1),
    ),
    DemoLaw(
        SRTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第101号",
        _day(1992, 8, 1),
        (
            (
                "第十一条",
                (
                    "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，"
                    "按照有关规定办理审批手续。"
                ),
            ),
            (
                "第十四条",
                (
                    "街道两侧和公共场地堆放物料，搭建建筑物、构筑物或者其他设施，影响市容的，"
                    "必须经城市人民政府市容环境卫生行政主管部门或者其他有关部门批准后，方可进行。"
                ),
            ),
            (
                "第三十四条",
                (
                    "有下列行为之一者，城市人民政府市容环境卫生行政主管部门或者其委托的单位除责令其"
                    "纠正违法行为、采取补救措施外，可以并处警告、罚款：（一）随地吐痰、便溺，"
                    "乱扔果皮、纸屑和烟头等废弃物的；……"
                ),
            ),
            (
                "第三十六条",
                (
                    "有下列行为之一者，由城市人民政府市容环境卫生行政主管部门或者其委托的单位责令其"
                    "停止违法行为，限期清理、拆除或者采取其他补救措施，并可处以罚款：（一）"
                    "未经城市人民政府市容环境卫生行政主管部门同意，擅自设置大型户外广告，"
                    "影响市容的；（二）未经城市人民政府市容环境卫生行政主管部门批准，"
                    "擅自在街道两侧和公共场地堆放物料，搭建建筑物、构筑物或者其他设施，影响市容的；"
                    "……"
                ),
            ),
            (
                "第三十七条",
                (
                    "凡不符合城市容貌标准、环境卫生标准的建筑物或者设施，"
                    "由城市人民政府市容环境卫生行政主管部门会同城市规划行政主管部门，"
                    "责令有关单位和个人限期改造或者拆除；逾期未改造或者未拆除的，"
                    "经县级以上人民政府批准，由城市人民政府市容环境卫生行政主管部门或者城市规划行政"
                    "主管部门组织强制拆除，并可处以罚款。"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2017, 3, 1),
    ),
    DemoLaw(
        WQF,
        LawLevel.LAW,
        NPC,
        "中华人民共和国主席令第六十二号",
        _day(2007, 10, 1),
        (
            (
                "第二十二条",
                (
                    "不动产登记费按件收取，不得按照不动产的面积、体积或者价款的比例收取。"
                    "具体收费标准由国务院有关部门会同价格主管部门规定。"
                ),
            ),
        ),
        LawStatus.REPEALED,
        _day(2021, 1, 1),
    ),
    DemoLaw(
        MFD,
        LawLevel.LAW,
        NPC,
        "中华人民共和国主席令第四十五号",
        _day(2021, 1, 1),
        (
            (
                "第二百二十三条",
                "不动产登记费按件收取，不得按照不动产的面积、体积或者价款的比例收取。",
            ),
        ),
    ),
    DemoLaw(
        SF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(1988, 7, 1),
        (
            (
                "第四十八条",
                (
                    "直接从江河、湖泊或者地下取用水资源的单位和个人，"
                    "应当按照国家取水许可制度和水资源有偿使用制度的规定，"
                    "向水行政主管部门或者流域管理机构申请领取取水许可证，并缴纳水资源费，"
                    "取得取水权。……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2016, 7, 2),
    ),
    DemoLaw(
        DLTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第198号",
        _day(1996, 10, 1),
        (
            (
                "第三十七条",
                (
                    "占用或者挖掘由市政工程行政主管部门管理的城市道路的，"
                    "应当向市政工程行政主管部门交纳城市道路占用费或者城市道路挖掘修复费。……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2019, 3, 24),
    ),
    DemoLaw(
        SBF,
        LawLevel.LAW,
        NPCSC,
        "中华人民共和国主席令第三十五号",
        _day(2011, 7, 1),
        (("第二十四条", "国家建立和完善新型农村合作医疗制度。……"),),
        LawStatus.AMENDED,
        _day(2018, 12, 29),
    ),
    DemoLaw(
        SFZF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(2004, 1, 1),
        (("第三条", "居民身份证登记的项目包括：姓名、性别、民族、出生日期、……"),),
        LawStatus.AMENDED,
        _day(2011, 10, 29),
    ),
    DemoLaw(
        CPZLF,
        LawLevel.LAW,
        NPCSC,
        "",
        _day(1993, 9, 1),
        (
            ("第十五条", "国家对产品质量实行以抽查为主要方式的监督检查制度，……"),
            (
                "第四十九条",
                (
                    "生产、销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品的，"
                    "责令停止生产、销售，没收违法生产、销售的产品，并处违法生产、"
                    "销售产品（包括已售出和未售出的产品，下同）货值金额等值以上三倍以下的罚款；……"
                ),
            ),
        ),
        LawStatus.AMENDED,
        _day(2018, 12, 29),
    ),
    DemoLaw(
        WZWZ,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第684号",
        _day(2017, 10, 1),
        (
            (
                "第十三条",
                (
                    "从事无照经营的，由工商行政管理部门依照相关法律、行政法规的规定予以处罚。法律、"
                    "行政法规对无照经营的处罚没有明确规定的，由工商行政管理部门责令停止违法行为，"
                    "没收违法所得，并处1万元以下的罚款。"
                ),
            ),
        ),
    ),
    DemoLaw(
        TZTL,
        LawLevel.ADMINISTRATIVE_REGULATION,
        STATE_COUNCIL,
        "国务院令第673号",
        _day(2017, 2, 1),
        (
            (
                "第三条",
                (
                    "对关系国家安全、涉及全国重大生产力布局、战略性资源开发和重大公共利益等项目，"
                    "实行核准管理。具体项目范围以及核准机关、"
                    "核准权限依照政府核准的投资项目目录执行。……"
                ),
            ),
        ),
    ),
    DemoLaw(
        JJBF,
        LawLevel.NORMATIVE_DOCUMENT,
        "财政部",
        "财综〔2010〕80号",
        _day(2011, 1, 1),
        (
            (
                "第二条",
                (
                    "本办法所称政府性基金，是指各级人民政府及其所属部门根据法律、"
                    "行政法规和中共中央、国务院文件规定，为支持特定公共基础设施建设和公共事业发展，"
                    "向公民、法人和其他组织无偿征收的具有专项用途的财政资金。"
                ),
            ),
        ),
    ),
)


# --- entries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    """A later published version: the fields that changed, when and why."""

    on: datetime.date
    reason: str
    changes: dict


@dataclass(frozen=True)
class DemoEntry:
    list_kind: str
    jurisdiction: str  # division code
    department: str
    category: str  # category code within the list
    basic_code: str
    name: str
    values: dict = field(default_factory=dict)
    published: datetime.date = LAUNCH
    parent: str = ""  # basic code of the main item (same department and list)
    revisions: tuple[Revision, ...] = ()


CITY, SHANGJIE, GUANCHENG, LIUZHAI = "410100", "410106", "410104", "410183100"

# (jurisdiction, department) → (responsible unit, responsible person, phone): all invented.
CONTACTS = {
    (CITY, "市盐业管理局"): ("盐政处", "陈立新", "0371-01001102"),
    (CITY, "市园林局"): ("绿化管理处", "冯志刚", "0371-01002101"),
    (CITY, "市烟草专卖局"): ("专卖监督管理处", "田志远", "0371-01003101"),
    (CITY, "市粮食局"): ("粮食流通监督检查处", "邱建华", "0371-01004101"),
    (CITY, "市民族宗教事务局"): ("民族工作处", "马文清", "0371-01005101"),
    (CITY, "市残疾人联合会"): ("康复部", "吕彦青", "0371-01006101"),
    (CITY, "市国土资源局"): ("耕地保护处", "石磊", "0371-01007101"),
    (CITY, "市民政局"): ("社会救助处", "梁慧", "0371-01008101"),
    (CITY, "市住房保障和房地产管理局"): ("住房保障处", "邵宏伟", "0371-01009101"),
    (CITY, "市卫生和计划生育委员会"): ("基层卫生处", "贾晓燕", "0371-01010101"),
    (CITY, "市城市管理局"): ("市容管理处", "董建军", "0371-01011101"),
    (CITY, "市城乡建设委员会"): ("计划财务处", "袁立平", "0371-01012101"),
    (CITY, "市水务局"): ("水资源管理处", "范明", "0371-01013101"),
    (CITY, "市发改委"): ("固定资产投资处", "蒋一鸣", "0371-01014101"),
    (SHANGJIE, "上街区民政局"): ("社会救助科", "胡明哲", "0371-01061101"),
    (SHANGJIE, "上街区工商质监局"): ("法制科", "韦振东", "0371-01062101"),
    (SHANGJIE, "上街区烟草专卖局"): ("专卖管理股", "孔令航", "0371-01063101"),
    (SHANGJIE, "上街区粮食局"): ("流通监督股", "毛春生", "0371-01064101"),
    (SHANGJIE, "上街区残疾人联合会"): ("康复就业部", "白秋月", "0371-01065101"),
    (SHANGJIE, "郑州市国土资源局上街分局"): ("耕地保护股", "汤晓峰", "0371-01066101"),
    (SHANGJIE, "上街区住房保障和房地产管理局"): ("住房保障股", "卢静怡", "0371-01067101"),
    (SHANGJIE, "上街区卫生和计划生育委员会"): ("基层卫生股", "廖海燕", "0371-01068101"),
    (GUANCHENG, "管城回族区城市管理执法局"): ("法制室", "何丽娟", "0371-01041101"),
    (LIUZHAI, "刘寨镇便民服务中心"): ("综合受理窗口", "彭越", "0371-01831201"),
    (LIUZHAI, "刘寨镇综合执法中队"): ("综合执法中队", "高秀兰", "0371-01831101"),
}


def _basis(*references: tuple[str, str]) -> list[tuple[str, str]]:
    return list(references)


def _cite(law: str, *articles: str) -> list[tuple[str, str]]:
    return [(law, article) for article in articles]


def _step(
    step: str,
    post: str,
    description: str = "",
    risk_point: str = "",
    risk_level: str = "",
    control_measure: str = "",
) -> dict:
    row = {
        "step": step,
        "post": post,
        "description": description,
        "risk_point": risk_point,
        "risk_level": risk_level,
        "control_measure": control_measure,
    }
    return {key: value for key, value in row.items() if value}


def _duty(stage: str, duty: str, circumstances: str, basis: str = "") -> dict:
    return {"stage": stage, "duty": duty, "circumstances": circumstances, "basis": basis}


LICENCE_LAW = "《中华人民共和国行政许可法》第三十条至第四十四条、第六十一条、第七十二条至第七十四条"


def _licence_duties(special: str = "") -> list[dict]:
    """The responsibility items of an administrative licence, by stage (seed 002 第八条)."""
    basis = f"{special}；{LICENCE_LAW}" if special else LICENCE_LAW
    return [
        _duty(
            "accept",
            (
                "公示依法应当提交的材料；一次性告知需要补正的全部内容；依法受理或者不予受理，"
                "不予受理的书面说明理由。"
            ),
            (
                "对符合法定条件的申请不予受理的；不在办公场所公示依法应当公示的材料的；"
                "申请材料不齐全，不一次告知申请人必须补正的全部内容的。"
            ),
            basis,
        ),
        _duty(
            "examine",
            (
                "对申请材料进行审查，需要实地核查的指派两名以上工作人员进行核查；"
                "涉及他人重大利益的告知利害关系人。"
            ),
            "审查中玩忽职守、滥用职权的；未向申请人、利害关系人履行法定告知义务的。",
            basis,
        ),
        _duty(
            "decide",
            "在承诺期限内作出准予或者不予许可的书面决定，不予许可的说明理由并告知救济途径。",
            (
                "对不符合法定条件的申请人准予许可或者超越法定职权作出准予许可决定的；"
                "对符合法定条件的申请人不予许可或者不在法定期限内作出决定的。"
            ),
            basis,
        ),
        _duty(
            "serve",
            "自作出决定之日起十日内颁发、送达许可证件，并公开许可结果。",
            "未在规定期限内送达的；应当公开而未公开许可结果的。",
            basis,
        ),
        _duty(
            "supervise",
            "对被许可人从事许可事项的活动进行监督检查，依法处理违法行为。",
            "不依法履行监督职责或者监督不力，造成严重后果的。",
            basis,
        ),
        _duty(
            "other",
            "法律法规规章规定应履行的其他责任。",
            "索取或者收受他人财物、谋取其他利益的；其他违反法律法规规章规定的行为。",
            basis,
        ),
    ]


PENALTY_LAW_1996 = "《中华人民共和国行政处罚法》（1996年）"
PENALTY_LAW_2021 = (
    "《中华人民共和国行政处罚法》第四十二条、第五十七条、第六十一条、第六十三条、第七十六条"
)


def _penalty_duties(law: str = PENALTY_LAW_1996) -> list[dict]:
    """Responsibility items of a penalty: 立案、调查、审查、告知、决定、送达、执行."""
    return [
        _duty(
            "accept",
            "立案责任：对发现、投诉、举报、移送的涉嫌违法行为予以审查，决定是否立案。",
            "对应当立案的违法行为不予立案的；对不符合立案条件的擅自立案的。",
            law,
        ),
        _duty(
            "examine",
            (
                "调查责任：两名以上执法人员出示执法证件调查取证，听取当事人陈述、申辩；审查责任："
                "对案件事实、证据、程序、法律适用进行审查。"
            ),
            "执法人员少于两人或者未出示执法证件的；违法取证或者隐匿、毁损证据的。",
            law,
        ),
        _duty(
            "examine",
            (
                "告知责任：作出处罚决定前告知当事人拟作出处罚的事实、理由、依据及陈述、"
                "申辩和要求听证的权利。"
            ),
            "未履行告知义务或者拒绝听取陈述、申辩的；应当组织听证而未组织的。",
            law,
        ),
        _duty(
            "decide",
            (
                "决定责任：依照裁量基准作出处罚决定；情节复杂或者重大违法行为给予较重处罚的，"
                "由负责人集体讨论决定。"
            ),
            "没有法定依据或者擅自改变处罚种类、幅度的；违反法定程序作出处罚决定的。",
            law,
        ),
        _duty(
            "serve",
            "送达责任：处罚决定书当场交付当事人，当事人不在场的在七日内依法送达。",
            "未依法送达行政处罚决定书的。",
            law,
        ),
        _duty(
            "supervise",
            (
                "执行责任：督促当事人履行处罚决定，"
                "逾期不履行的依法强制执行或者申请人民法院强制执行；罚缴分离。"
            ),
            "自行收缴罚款的；截留、私分或者变相私分罚款、没收的违法所得或者财物的。",
            law,
        ),
    ]


def _check_duties(law: str) -> list[dict]:
    return [
        _duty(
            "examine",
            (
                "检查责任：制定检查计划，随机抽取检查对象、随机选派执法检查人员，"
                "两名以上人员出示证件实施检查。"
            ),
            "未按计划实施检查或者选择性检查的；检查中索取、收受财物的。",
            law,
        ),
        _duty(
            "decide",
            "处置责任：对检查发现的问题责令改正，依法应当处罚的移交立案。",
            "发现违法行为不予处理或者处理不当，造成严重后果的。",
            law,
        ),
        _duty("serve", "公开责任：检查结果依法向社会公开。", "应当公开而未公开检查结果的。", law),
        _duty(
            "other",
            "保密责任：对检查中知悉的商业秘密、个人信息依法保密。",
            "泄露检查对象商业秘密或者个人信息的。",
            law,
        ),
    ]


def _service_duties(law: str) -> list[dict]:
    """确认、给付和公共服务事项: the duties of an office dealing with citizens."""
    return [
        _duty(
            "accept",
            "一次性告知申请条件和所需材料，材料齐全的当场受理。",
            "对符合条件的申请不予受理的；不一次性告知所需材料，造成申请人多次往返的。",
            law,
        ),
        _duty(
            "examine",
            "对申请材料和申请人情况进行审核，需要入户调查或者评定的组织两名以上工作人员进行。",
            "审核把关不严，对不符合条件的予以认定或者给付的；弄虚作假、优亲厚友的。",
            law,
        ),
        _duty(
            "decide",
            "在承诺期限内作出决定并告知申请人，不予认定或者给付的说明理由。",
            "无正当理由拖延办理，超过承诺期限的。",
            law,
        ),
        _duty(
            "serve",
            "及时发放证件或者待遇，办理结果依法公示。",
            "截留、挪用、私分资金或者证件的。",
            law,
        ),
        _duty(
            "supervise",
            "动态管理，定期核查，对不再符合条件的依法调整。",
            "不履行动态管理职责，造成资金损失的。",
            law,
        ),
    ]


def _coercion_duties(law: str) -> list[dict]:
    return [
        _duty(
            "examine",
            "审批责任：实施前向负责人报告并经批准，情况紧急当场实施的在二十四小时内补办批准手续。",
            "未经批准实施行政强制措施的；对不应当采取强制措施的实施强制措施的。",
            law,
        ),
        _duty(
            "decide",
            (
                "实施责任：两名以上执法人员实施，通知当事人到场，制作现场笔录和清单，"
                "告知当事人陈述申辩的权利和救济途径。"
            ),
            "违反法定程序实施行政强制的；扩大查封、扣押范围的。",
            law,
        ),
        _duty(
            "serve", "送达责任：当场交付查封、扣押决定书和清单。", "未依法送达决定书和清单的。", law
        ),
        _duty(
            "supervise",
            "解除责任：在法定期限内作出处理决定，不再需要查封、扣押的及时解除。",
            "超过法定期限不作出处理决定的；使用、损毁或者截留、私分查封、扣押财物的。",
            law,
        ),
    ]


def _penalty_law_2021(*basis: tuple[str, str]) -> Revision:
    """The revised 行政处罚法 took effect on 2021-07-15: penalty items were republished with
    its discretion-standard article and the new procedural articles as responsibility basis."""
    return Revision(
        _day(2021, 7, 15),
        "新修订的《中华人民共和国行政处罚法》施行，补充裁量基准依据，更新责任事项依据",
        {
            "basis": [*basis, (CFF, "第三十四条")],
            "responsibilities": _penalty_duties(PENALTY_LAW_2021),
        },
    )


def _entry(
    list_kind: str,
    jurisdiction: str,
    department: str,
    category: str,
    basic_code: str,
    name: str,
    *,
    published: datetime.date = LAUNCH,
    parent: str = "",
    revisions=(),
    **values,
) -> DemoEntry:
    return DemoEntry(
        list_kind,
        jurisdiction,
        department,
        category,
        basic_code,
        name,
        values,
        published,
        parent,
        tuple(revisions),
    )


def _power(*args, **values) -> DemoEntry:
    return _entry(ListKind.POWER, *args, **values)


def _approval(power: DemoEntry, **overrides) -> DemoEntry:
    """The approval-list entry of a licence: the service fields of the power item, under the
    power item's basic code (the same power; the list part of the implementation code tells
    the two entries apart, docs/architecture.md "Codes")."""
    keep = (
        "basis",
        "basis_note",
        "flow",
        "statutory_limit_days",
        "promised_limit_days",
        "extension_conditions",
        "star_level",
        "four_level_linked",
        "guide",
        "materials",
        "window",
        "fee_note",
        "responsibilities",
        "status",
        "delegated_to_level",
    )
    values = {key: value for key, value in power.values.items() if key in keep}
    values.update(overrides)
    revisions = tuple(
        Revision(r.on, r.reason, {k: v for k, v in r.changes.items() if k in keep})
        for r in power.revisions
    )
    return DemoEntry(
        ListKind.APPROVAL,
        power.jurisdiction,
        power.department,
        power.category,
        power.basic_code,
        power.name,
        values,
        power.published,
        "",
        tuple(r for r in revisions if r.changes),
    )


# --- 市盐业管理局 ----------------------------------------------------------------------------

SALT_PENALTY_BASIS = _cite(SYZY, "第八条")
SALT_WHOLESALE = _power(
    CITY,
    "市盐业管理局",
    "01",
    "0100004000",
    "食盐批发许可证核发（初审）",
    basis=_cite(YYTL, "第二条", "第四条") + _cite(XKF, "第十二条"),
    statutory_limit_days=20,
    promised_limit_days=15,
    star_level=2,
    flow=[
        _step(
            "受理",
            "盐政处受理岗",
            "审查申请材料是否齐全、符合法定形式",
            "材料不全时不一次性告知",
            LOW,
            "一次性告知单，受理登记全程留痕",
        ),
        _step(
            "现场核查",
            "盐政处执法人员",
            "两名以上执法人员核查经营场所、仓储条件",
            "核查不实或者借机刁难",
            MEDIUM,
            "双人核查，核查记录由申请人签字确认",
        ),
        _step("初审", "盐政处处长", "提出初审意见"),
        _step("报送", "盐政处", "将初审意见和材料报省级盐业主管机构审批"),
    ],
    materials=[
        "食盐批发许可证申请表",
        "营业执照（副本）复印件",
        "仓储设施产权证明或者租赁合同",
        "质量管理制度文本",
    ],
    window="郑州市政务服务中心 B 区 27 号窗口",
    fee_note="不收费",
    guide=(
        "申请条件：具备与食盐批发规模相适应的资金、仓储设施和质量管理能力。\n办理流程："
        "窗口受理—现场核查—初审—报省级盐业主管机构审批。"
    ),
    responsibilities=_licence_duties(),
    revisions=[
        Revision(
            _day(2018, 1, 15),
            "《食盐专营办法》修订施行，食盐批发改行定点批发制度，本级初审取消",
            {
                "status": EntryStatus.CANCELLED,
                "basis": _cite(SYZY, "第二条", "第四条"),
                "basis_note": "",
            },
        )
    ],
)


def _salt() -> list[DemoEntry]:
    return [
        _power(
            CITY,
            "市盐业管理局",
            "09",
            "0900001000",
            "盐业市场监督检查",
            basis=_cite(YYTL, "第二条", "第四条"),
            flow=[
                _step("制定计划", "盐政处", "按“双随机、一公开”制定年度检查计划"),
                _step(
                    "现场检查",
                    "盐政处执法人员",
                    "两名以上执法人员出示执法证件检查食盐购销台账、票据和库存",
                    "选择性检查或者通风报信",
                    MEDIUM,
                    "随机抽取检查对象和检查人员，检查记录录入系统",
                ),
                _step("处理", "盐政处处长", "发现违法行为的责令改正或者移交立案"),
                _step("公开", "办公室", "检查结果向社会公开"),
            ],
            responsibilities=_check_duties("《盐业管理条例》第四条"),
        ),
        SALT_WHOLESALE,
        _approval(SALT_WHOLESALE),
        _power(
            CITY,
            "市盐业管理局",
            "02",
            "0200003000",
            "对违反食盐专营规定的处罚",
            published=_day(2018, 3, 1),
            basis=SALT_PENALTY_BASIS,
            handling_unit="法制室",
            responsible_unit="法制室",
            responsible_person="吴国栋",
            responsible_phone="0371-01001106",
            flow=[
                _step("立案", "盐政处", "对涉嫌非定点企业生产、批发食盐的线索审查立案"),
                _step(
                    "调查取证",
                    "盐政处执法人员",
                    "两名以上持证执法人员调查取证",
                    "隐匿、篡改证据",
                    HIGH,
                    "执法记录仪全程记录，证据登记保存",
                ),
                _step(
                    "法制审核",
                    "法制室",
                    "审核事实、证据、程序和裁量",
                    "裁量畸轻畸重",
                    HIGH,
                    "对照裁量基准逐项说明理由",
                ),
                _step("告知", "盐政处", "告知拟处罚内容和陈述、申辩、听证权利"),
                _step("决定", "局长办公会", "重大案件集体讨论决定"),
                _step("送达执行", "盐政处", "送达处罚决定书，罚缴分离"),
            ],
            discretion=[
                {
                    "circumstance": "初次违法，涉案食盐数量较少，主动停止违法行为并消除影响",
                    "range": "没收违法生产经营的食盐和违法所得，罚款在法定幅度下限以上、30%以下",
                },
                {
                    "circumstance": "违法行为持续时间较长或者涉案食盐数量较大",
                    "range": "没收违法生产经营的食盐和违法所得，罚款在法定幅度30%以上、70%以下",
                },
                {
                    "circumstance": "拒不停止违法行为、造成食品安全事故或者一年内再次违法",
                    "range": "没收违法生产经营的食盐和违法所得，罚款在法定幅度70%以上至上限",
                },
            ],
            responsibilities=_penalty_duties(),
            revisions=[_penalty_law_2021(*SALT_PENALTY_BASIS)],
        ),
        _power(
            CITY,
            "市盐业管理局",
            "06",
            "0600001000",
            "查封、扣押违法生产经营的食盐",
            basis=_cite(QZF, "第九条", "第十八条", "第二十五条") + _cite(YYTL, "第四条"),
            flow=[
                _step(
                    "报批",
                    "盐政处",
                    "实施前向负责人报告并经批准",
                    "未经批准擅自实施",
                    HIGH,
                    "审批单编号管理，紧急情况二十四小时内补办",
                ),
                _step("实施", "盐政处执法人员", "通知当事人到场，制作现场笔录和查封、扣押清单"),
                _step("处理", "盐政处处长", "三十日内作出处理决定，情况复杂的经批准延长"),
                _step(
                    "解除",
                    "盐政处",
                    "不再需要查封、扣押的及时解除并退还财物",
                    "超期查封或者损毁、截留扣押物品",
                    MEDIUM,
                    "扣押物品专库存放，台账管理",
                ),
            ],
            responsibilities=_coercion_duties("《中华人民共和国行政强制法》第十八条至第二十八条"),
            revisions=[
                Revision(
                    _day(2018, 3, 1),
                    "《盐业管理条例》已废止，依据改为修订后的《食盐专营办法》",
                    {
                        "basis": _cite(QZF, "第九条", "第十八条", "第二十五条")
                        + _cite(SYZY, "第四条")
                    },
                )
            ],
        ),
    ]


# --- 市园林局 and 市城市管理局 ---------------------------------------------------------------

TREE_PENALTY_BASIS = _cite(LHTL, "第二十六条")
GREEN_LAND_PENALTY_BASIS = _cite(LHTL, "第二十七条")
TREE_DISCRETION = [
    {
        "circumstance": "损坏草坪、花卉面积在10平方米以下，或者损坏树木1株，及时改正",
        "range": "责令停止侵害，处200元以上500元以下罚款",
    },
    {
        "circumstance": "损坏草坪、花卉面积10平方米以上50平方米以下，或者损坏树木2株至5株",
        "range": "责令停止侵害，处500元以上2000元以下罚款",
    },
    {
        "circumstance": "损坏面积50平方米以上或者树木5株以上，或者拒不改正",
        "range": "责令停止侵害，处2000元以上5000元以下罚款；造成损失的依法赔偿",
    },
]
TEMPORARY_GREEN_LAND = _power(
    CITY,
    "市园林局",
    "01",
    "0100005000",
    "临时占用城市绿地审批",
    basis=_cite(LHTL, "第二十条") + _cite(XKF, "第四十二条"),
    statutory_limit_days=20,
    promised_limit_days=15,
    extension_conditions=(
        "需要专家论证或者征求相关单位意见的，经本机关负责人批准可以延长十个工作日，"
        "论证时间不计入办理期限。"
    ),
    star_level=2,
    flow=[
        _step("受理", "政务服务中心园林局窗口", "核对申请材料"),
        _step(
            "审查",
            "绿化管理处经办人",
            "审查占用范围、期限和恢复方案",
            "降低恢复标准",
            MEDIUM,
            "恢复方案统一格式，复核人签字",
        ),
        _step(
            "决定",
            "绿化管理处处长",
            "作出准予或者不予许可的决定",
            "违规批准长期占用",
            HIGH,
            "占用期限超过一年的报分管局长审批并公示",
        ),
        _step("送达", "政务服务中心园林局窗口", "送达许可决定书"),
    ],
    materials=[
        "临时占用城市绿地申请表",
        "占用位置平面图",
        "绿地恢复方案",
        "建设项目批准文件（因建设占用的）",
    ],
    window="郑州市政务服务中心 B 区 21 号窗口",
    fee_note="依法缴纳绿地占用补偿费用",
    guide=(
        "申请条件：因建设或者其他特殊需要临时占用城市绿地，有明确的占用期限和恢复方案。"
        "\n期满后申请人负责恢复原状，园林部门验收。"
    ),
    responsibilities=_licence_duties("《城市绿化条例》第二十条"),
    revisions=[
        Revision(
            _day(2019, 6, 1),
            "优化审批流程：增加现场踏勘环节，承诺时限由15个工作日压缩至10个工作日，开通网上预审",
            {
                "promised_limit_days": 10,
                "star_level": 3,
                "flow": [
                    _step("受理", "政务服务中心园林局窗口", "核对申请材料，网上申请的在线预审"),
                    _step(
                        "现场踏勘",
                        "绿化管理处两名工作人员",
                        "核实占用范围和现状，拍照留存",
                        "踏勘不实",
                        MEDIUM,
                        "双人踏勘，照片上传系统",
                    ),
                    _step(
                        "审查",
                        "绿化管理处经办人",
                        "审查占用范围、期限和恢复方案",
                        "降低恢复标准",
                        MEDIUM,
                        "恢复方案统一格式，复核人签字",
                    ),
                    _step(
                        "决定",
                        "绿化管理处处长",
                        "作出准予或者不予许可的决定",
                        "违规批准长期占用",
                        HIGH,
                        "占用期限超过一年的报分管局长审批并公示",
                    ),
                    _step("送达", "政务服务中心园林局窗口", "送达许可决定书，可选择邮寄"),
                ],
            },
        )
    ],
)
TREE_FELLING_FLOW = [
    _step("受理", "政务服务中心园林局窗口", "核对申请材料"),
    _step(
        "现场勘查",
        "绿化管理处两名工作人员",
        "核实树木品种、规格、数量和生长状况",
        "虚报树木状况",
        HIGH,
        "勘查照片和树木清单上传系统，复核抽查",
    ),
    _step(
        "审查决定",
        "绿化管理处处长",
        "审查砍伐理由和补植方案，作出决定",
        "违规批准砍伐",
        HIGH,
        "一次砍伐10株以上的报分管局长审批并公示",
    ),
    _step("送达", "政务服务中心园林局窗口", "送达决定书，告知补植要求"),
]
TREE_FELLING = _power(
    CITY,
    "市园林局",
    "01",
    "0100006000",
    "城市树木砍伐审批",
    basis=_cite(LHTL, "第二十一条") + _cite(XKF, "第四十二条"),
    statutory_limit_days=20,
    promised_limit_days=10,
    star_level=2,
    flow=TREE_FELLING_FLOW,
    materials=["城市树木砍伐申请表", "树木位置图和现状照片", "补植方案"],
    window="郑州市政务服务中心 B 区 21 号窗口",
    fee_note="不收费",
    guide="砍伐城市树木须经批准，并按规定补植树木或者采取其他补救措施。古树名木不在本事项范围。",
    responsibilities=_licence_duties("《城市绿化条例》第二十一条"),
)


def _greening() -> list[DemoEntry]:
    return [
        TEMPORARY_GREEN_LAND,
        TREE_FELLING,
        _power(
            CITY,
            "市园林局",
            "01",
            "0100006001",
            "因城市建设需要砍伐城市树木审批",
            parent="0100006000",
            basis=_cite(LHTL, "第二十一条"),
            statutory_limit_days=20,
            promised_limit_days=10,
            star_level=2,
            flow=TREE_FELLING_FLOW,
            materials=[
                "城市树木砍伐申请表",
                "建设工程规划许可证",
                "树木位置图和现状照片",
                "补植方案",
            ],
            window="郑州市政务服务中心 B 区 21 号窗口",
            responsibilities=_licence_duties("《城市绿化条例》第二十一条"),
        ),
        _power(
            CITY,
            "市园林局",
            "01",
            "0100006002",
            "砍伐危险、病死城市树木审批",
            parent="0100006000",
            basis=_cite(LHTL, "第二十一条"),
            statutory_limit_days=20,
            promised_limit_days=3,
            star_level=3,
            flow=[
                _step("受理", "政务服务中心园林局窗口", "核对申请材料，危及安全的即时受理"),
                _step(
                    "现场勘查",
                    "绿化管理处两名工作人员",
                    "确认树木死亡或者危险程度",
                    "以危险为由砍伐健康树木",
                    HIGH,
                    "勘查照片上传系统，专家复核",
                ),
                _step("决定", "绿化管理处处长", "作出决定"),
            ],
            materials=["城市树木砍伐申请表", "树木现状照片"],
            window="郑州市政务服务中心 B 区 21 号窗口",
            responsibilities=_licence_duties("《城市绿化条例》第二十一条"),
        ),
        _power(
            CITY,
            "市园林局",
            "02",
            "0200001000",
            "对损坏城市树木花草的处罚",
            basis=TREE_PENALTY_BASIS,
            flow=[
                _step("立案", "绿化管理处", "对巡查发现、举报的损坏行为审查立案"),
                _step(
                    "调查取证",
                    "绿化管理处执法人员",
                    "两名以上执法人员勘验现场、清点损坏数量",
                    "少记或者多记损坏数量",
                    MEDIUM,
                    "现场照片、勘验笔录由当事人签字",
                ),
                _step("告知", "绿化管理处", "告知拟处罚内容和陈述、申辩权利"),
                _step(
                    "决定",
                    "分管局长",
                    "按裁量基准作出处罚决定",
                    "不按裁量基准处罚",
                    HIGH,
                    "裁量理由写入决定书，法制审核",
                ),
                _step("送达执行", "绿化管理处", "送达决定书，罚缴分离"),
            ],
            discretion=TREE_DISCRETION,
            responsibilities=_penalty_duties(),
            revisions=[_penalty_law_2021(*TREE_PENALTY_BASIS)],
        ),
        _power(
            CITY,
            "市园林局",
            "02",
            "0200002000",
            "对擅自占用城市绿化用地的处罚",
            basis=GREEN_LAND_PENALTY_BASIS,
            flow=[
                _step("立案", "绿化管理处", "审查立案"),
                _step(
                    "调查取证",
                    "绿化管理处执法人员",
                    "测量占用面积，调查占用时间",
                    "测量不实",
                    MEDIUM,
                    "双人测量，现场签字",
                ),
                _step("决定", "分管局长", "责令限期退还、恢复原状，按裁量基准并处罚款"),
                _step("送达执行", "绿化管理处", "送达决定书，督促恢复绿地"),
            ],
            discretion=[
                {
                    "circumstance": "占用面积在20平方米以下，在责令期限内退还并恢复原状",
                    "range": "责令限期退还、恢复原状，可以不予罚款或者处每平方米50元以下罚款",
                },
                {
                    "circumstance": "占用面积20平方米以上100平方米以下",
                    "range": "责令限期退还、恢复原状，处每平方米50元以上100元以下罚款",
                },
                {
                    "circumstance": "占用面积100平方米以上或者逾期不退还",
                    "range": (
                        "责令限期退还、恢复原状，处每平方米100元以上200元以下罚款；"
                        "造成损失的依法赔偿"
                    ),
                },
            ],
            responsibilities=_penalty_duties(),
            revisions=[_penalty_law_2021(*GREEN_LAND_PENALTY_BASIS)],
        ),
        _power(
            CITY,
            "市园林局",
            "09",
            "0900002000",
            "城市绿地保护监督检查",
            basis=_cite(LHTL, "第二十条", "第二十一条"),
            flow=[
                _step("制定计划", "绿化管理处", "制定年度巡查和抽查计划"),
                _step(
                    "检查",
                    "绿化管理处两名工作人员",
                    "检查临时占用绿地的期限、范围和恢复情况，砍伐后补植情况",
                    "检查走过场",
                    MEDIUM,
                    "检查记录和照片上传系统",
                ),
                _step("处理", "绿化管理处处长", "责令改正或者移交立案"),
            ],
            responsibilities=_check_duties("《城市绿化条例》第二十条、第二十一条"),
        ),
        _approval(TEMPORARY_GREEN_LAND),
        _approval(TREE_FELLING),
    ]


OUTDOOR_ADVERTISING = _power(
    CITY,
    "市城市管理局",
    "01",
    "0100007000",
    "大型户外广告设置审批",
    basis=_cite(SRTL, "第十一条") + _cite(XKF, "第四十二条"),
    statutory_limit_days=20,
    promised_limit_days=12,
    star_level=3,
    flow=[
        _step("受理", "政务服务中心城管局窗口", "核对申请材料"),
        _step(
            "审查",
            "市容管理处经办人",
            "审查设置位置、规格、安全检测报告，对照户外广告设置规划",
            "违反设置规划审批",
            HIGH,
            "规划图层在系统中比对，超规划的不予受理",
        ),
        _step("决定", "市容管理处处长", "作出准予或者不予许可的决定"),
        _step("送达", "政务服务中心城管局窗口", "送达许可决定书"),
    ],
    materials=["户外广告设置申请表", "设置位置图和效果图", "结构安全检测报告", "场地使用权证明"],
    window="郑州市政务服务中心 B 区 30 号窗口",
    fee_note="不收费",
    guide=(
        "在本市城区设置大型户外广告的，应当符合户外广告设置规划，经同意后按有关规定办理审批手续。"
    ),
    responsibilities=_licence_duties("《城市市容和环境卫生管理条例》第十一条"),
)


def _city_management() -> list[DemoEntry]:
    return [
        # Also held by 市园林局: the relatively concentrated penalty power was assigned to the
        # city administration without being removed from 市园林局's list (issue 3 §7).
        _power(
            CITY,
            "市城市管理局",
            "02",
            "0200001000",
            "对损坏城市树木花草的处罚",
            basis=TREE_PENALTY_BASIS,
            flow=[
                _step("立案", "市容管理处", "审查立案"),
                _step("调查取证", "城市管理执法支队", "两名以上执法人员调查取证"),
                _step(
                    "决定",
                    "分管局长",
                    "按裁量基准作出处罚决定",
                    "不按裁量基准处罚",
                    HIGH,
                    "法制审核",
                ),
                _step("送达执行", "城市管理执法支队", "送达决定书，罚缴分离"),
            ],
            discretion=TREE_DISCRETION,
            responsibilities=_penalty_duties(),
        ),
        OUTDOOR_ADVERTISING,
        _approval(OUTDOOR_ADVERTISING),
        _entry(
            ListKind.FEE,
            CITY,
            "市城市管理局",
            "71",
            "7100002000",
            "城市道路占用、挖掘修复费",
            basis=_cite(DLTL, "第三十七条"),
            standard="按占用或者挖掘的道路类别、面积和期限分别计收，具体见子项",
            payers="经批准占用、挖掘城市道路的单位和个人",
            scope="本市市区由市政工程行政主管部门管理的城市道路",
            period="办理占用、挖掘审批手续时收取",
        ),
        _entry(
            ListKind.FEE,
            CITY,
            "市城市管理局",
            "71",
            "7100002001",
            "城市道路占用费",
            parent="7100002000",
            basis=_cite(DLTL, "第三十七条"),
            standard="主干道每平方米每日1.5元，次干道每平方米每日1元，支路每平方米每日0.5元",
            payers="经批准临时占用城市道路的单位和个人",
            scope="临时占用城市道路堆放物料、搭建临时设施等",
            period="按批准的占用期限一次性收取",
        ),
        _entry(
            ListKind.FEE,
            CITY,
            "市城市管理局",
            "71",
            "7100002002",
            "城市道路挖掘修复费",
            parent="7100002000",
            basis=_cite(DLTL, "第三十七条"),
            standard=(
                "沥青混凝土路面每平方米380元，水泥混凝土路面每平方米320元，人行道每平方米150元"
            ),
            payers="经批准挖掘城市道路的单位和个人",
            scope="因工程建设需要挖掘城市道路",
            period="办理挖掘审批手续时收取",
        ),
    ]


# --- the eight four-level-linked items of seed 003 -------------------------------------------

TOBACCO_FLOW = [
    _step(
        "受理",
        "政务服务中心烟草窗口",
        "核对申请材料，网上申请的在线预审",
        "材料不全时不一次性告知",
        LOW,
        "一次性告知单",
    ),
    _step(
        "实地核查",
        "专卖管理员（两名）",
        "核查经营场所及与相邻零售点的距离",
        "核查不实或者借机刁难",
        MEDIUM,
        "双人核查，定位测距数据自动上传",
    ),
    _step(
        "审核",
        "许可审核岗",
        "对照零售点合理布局规划审核",
        "违反合理布局规定审批",
        HIGH,
        "布局规划公开，系统自动比对，例外情形集体研究",
    ),
    _step("决定", "分管负责人", "作出准予或者不予许可的决定"),
    _step("发证", "政务服务中心烟草窗口", "颁发烟草专卖零售许可证"),
]
TOBACCO_COMMON = {
    "basis": _cite(YCF, "第三条", "第十六条") + _cite(YCTL, "第六条") + _cite(XKF, "第四十二条"),
    "statutory_limit_days": 20,
    "extension_conditions": (
        "二十日内不能作出决定的，经本机关负责人批准可以延长十日，并告知申请人理由。"
    ),
    "four_level_linked": True,
    "flow": TOBACCO_FLOW,
    "materials": [
        "烟草专卖零售许可证申请表",
        "营业执照（副本）复印件",
        "经营者身份证明",
        "经营场所使用权证明",
    ],
    "fee_note": "不收费",
    "guide": (
        "申请条件：有与经营烟草制品零售业务相适应的资金和固定经营场所，符合零售点合理布局要求。"
        "\n办理流程：申请—受理—实地核查—审核—决定—发证。"
    ),
    "responsibilities": _licence_duties("《中华人民共和国烟草专卖法》第十六条"),
}
TOBACCO_CITY = _power(
    CITY,
    "市烟草专卖局",
    "01",
    "0100001000",
    "烟草专卖零售许可",
    **TOBACCO_COMMON,
    promised_limit_days=10,
    star_level=3,
    window="郑州市政务服务中心 B 区 15 号窗口",
    revisions=[
        Revision(
            _day(2017, 9, 1), "开通网上申报，申请材料网上提交后一次到窗口领证", {"star_level": 4}
        ),
        Revision(
            _day(2019, 10, 8),
            "优化营商环境，承诺时限由10个工作日压缩至5个工作日",
            {"promised_limit_days": 5},
        ),
    ],
)
TOBACCO_SHANGJIE = _power(
    SHANGJIE,
    "上街区烟草专卖局",
    "01",
    "0100001000",
    "烟草专卖零售许可",
    **TOBACCO_COMMON,
    promised_limit_days=10,
    star_level=3,
    window="上街区政务服务中心 6 号窗口",
    revisions=[
        Revision(
            _day(2019, 10, 8),
            "与市级同步，承诺时限由10个工作日压缩至5个工作日，开通网上申报",
            {"promised_limit_days": 5, "star_level": 4},
        ),
    ],
)

GRAIN_COMMON = {
    "basis": _cite(LSTL, "第二条") + _cite(XKF, "第十二条"),
    "basis_note": "《粮食收购资格审核管理暂行办法》（国粮政〔2004〕121号）",
    "statutory_limit_days": 15,
    "promised_limit_days": 10,
    "star_level": 2,
    "four_level_linked": True,
    "flow": [
        _step("受理", "政务服务中心粮食局窗口", "核对申请材料"),
        _step(
            "核查",
            "流通监督检查人员（两名）",
            "核查仓储设施、检验设备和资金证明",
            "核查不实",
            MEDIUM,
            "核查记录和照片存档，抽查复核",
        ),
        _step(
            "审核决定",
            "分管负责人",
            "作出许可决定并公示",
            "降低条件发放许可",
            HIGH,
            "审核结果在网站公示五个工作日",
        ),
        _step("发证", "政务服务中心粮食局窗口", "颁发粮食收购许可证"),
    ],
    "materials": [
        "粮食收购资格申请书",
        "营业执照（副本）复印件",
        "经营资金证明",
        "仓储设施产权证明或者租赁合同",
        "检验化验仪器和保管人员情况说明",
    ],
    "fee_note": "不收费",
    "guide": (
        "直接向粮食生产者收购粮食的企业，应当具备经营资金筹措能力、"
        "必要的粮食仓储设施和相应的粮食质量检验、保管能力，取得粮食收购资格。"
    ),
    "responsibilities": _licence_duties(),
}
GRAIN_CITY = _power(
    CITY,
    "市粮食局",
    "01",
    "0100002000",
    "粮食收购资格核准",
    **GRAIN_COMMON,
    window="郑州市政务服务中心 B 区 18 号窗口",
    revisions=[
        Revision(
            _day(2017, 3, 1),
            "依据的规范性文件更新为《粮食收购资格审核管理办法》",
            {"basis_note": "《粮食收购资格审核管理办法》（国粮政〔2016〕207号）"},
        ),
        Revision(
            _day(2021, 4, 15),
            "《粮食流通管理条例》修订施行，粮食收购资格许可改为备案管理，本事项取消",
            {"status": EntryStatus.CANCELLED},
        ),
    ],
)
# Still in force: 上街区 has not followed the city's cancellation (issue 3 §7).
GRAIN_SHANGJIE = _power(
    SHANGJIE,
    "上街区粮食局",
    "01",
    "0100002000",
    "粮食收购资格核准",
    **GRAIN_COMMON,
    window="上街区政务服务中心 8 号窗口",
)

HOMESTEAD_COMMON = {
    "basis": _cite(TDF, "第六十二条") + _cite(XKF, "第十二条"),
    "basis_note": "《河南省实施〈中华人民共和国土地管理法〉办法》",
    "statutory_limit_days": 20,
    "four_level_linked": True,
    "materials": [
        "农村村民建房用地申请表",
        "户口簿复印件",
        "村民会议或者村民代表会议讨论意见",
        "拟用地位置示意图",
    ],
    "fee_note": "不收费",
    "guide": (
        "农村村民一户只能拥有一处宅基地，面积不得超过省规定的标准。"
        "申请人经村民会议讨论通过后向乡（镇）提出申请。"
    ),
    "responsibilities": _licence_duties("《中华人民共和国土地管理法》第六十二条"),
}
HOMESTEAD_FLOW_2015 = [
    _step("村级公示", "村民委员会", "申请经村民会议讨论，张榜公示"),
    _step(
        "乡镇审核",
        "乡（镇）国土资源所",
        "审核申请人资格和用地条件",
        "为不符合条件的申请人出具审核意见",
        HIGH,
        "审核意见在村务公开栏公示",
    ),
    _step(
        "县级审批",
        "耕地保护处",
        "审查是否符合土地利用总体规划和村庄规划，作出批准决定",
        "超标准批准宅基地面积",
        HIGH,
        "面积标准在系统中强制校验",
    ),
    _step("发证", "不动产登记窗口", "核发批准文件"),
]
HOMESTEAD_CITY = _power(
    CITY,
    "市国土资源局",
    "01",
    "0100003000",
    "农村村民住宅用地审批",
    **HOMESTEAD_COMMON,
    promised_limit_days=15,
    star_level=2,
    flow=HOMESTEAD_FLOW_2015,
    window="郑州市政务服务中心 C 区 3 号窗口",
    revisions=[
        Revision(
            _day(2020, 1, 1),
            "修正后的《中华人民共和国土地管理法》施行，农村村民住宅用地由乡（镇）人民政府审核批准",
            {"status": EntryStatus.DELEGATED, "delegated_to_level": JurisdictionLevel.TOWN},
        )
    ],
)
HOMESTEAD_SHANGJIE = _power(
    SHANGJIE,
    "郑州市国土资源局上街分局",
    "01",
    "0100003000",
    "农村村民住宅用地审批",
    **HOMESTEAD_COMMON,
    promised_limit_days=15,
    star_level=2,
    flow=HOMESTEAD_FLOW_2015,
    window="上街区政务服务中心 3 号窗口",
    revisions=[
        Revision(
            _day(2020, 1, 1),
            (
                "修正后的《中华人民共和国土地管理法》施行：本级只办理涉及占用农用地的转用审批，"
                "承诺时限压缩至10个工作日"
            ),
            {
                "promised_limit_days": 10,
                "flow": [
                    _step("乡镇受理", "乡（镇）便民服务中心", "受理申请，村级公示"),
                    _step("乡镇审核批准", "乡（镇）人民政府", "审核批准农村村民住宅用地"),
                    _step(
                        "农用地转用审查",
                        "耕地保护股",
                        "涉及占用农用地的，审查转用条件并报批",
                        "违规办理农用地转用",
                        HIGH,
                        "转用指标台账管理，集体审议",
                    ),
                    _step("备案", "耕地保护股", "乡（镇）批准结果报本级备案"),
                ],
            },
        )
    ],
)
HOMESTEAD_LIUZHAI = _power(
    LIUZHAI,
    "刘寨镇便民服务中心",
    "01",
    "0100003000",
    "农村村民住宅用地审批",
    **HOMESTEAD_COMMON,
    published=_day(2020, 6, 1),
    promised_limit_days=10,
    star_level=3,
    flow=[
        _step("受理", "便民服务中心综合窗口", "受理申请，网上提交的在线预审"),
        _step("村级公示", "村民委员会", "张榜公示不少于五个工作日"),
        _step(
            "联合审查",
            "镇自然资源所、农业农村办",
            "审查用地条件、面积和村庄规划",
            "超标准批准宅基地面积",
            HIGH,
            "面积标准系统强制校验，审查意见联签",
        ),
        _step("审核批准", "镇人民政府", "镇长办公会审核批准"),
        _step("发证", "便民服务中心综合窗口", "核发乡村建设规划许可证和宅基地批准书"),
    ],
    window="刘寨镇便民服务中心综合窗口",
)

ETHNICITY_BASIS = _cite(SFZF, "第三条")
ETHNICITY_NOTE_2015 = "《关于中国公民确定民族成份的规定》（民委（政）字〔1990〕217号）"
ETHNICITY_REVISION = Revision(
    _day(2016, 1, 1),
    "依据更新为《中国公民民族成份登记管理办法》",
    {"basis_note": "《中国公民民族成份登记管理办法》"},
)
ETHNICITY_COMMON = {
    "basis": ETHNICITY_BASIS,
    "basis_note": ETHNICITY_NOTE_2015,
    "four_level_linked": True,
    "star_level": 2,
    "materials": [
        "民族成份变更申请表",
        "申请人户口簿、居民身份证",
        "父母双方的民族成份证明",
        "未成年人由监护人申请的监护关系证明",
    ],
    "fee_note": "不收费",
    "guide": (
        "公民的民族成份应当依照其父亲或者母亲的民族成份确定。未满十八周岁的由父母或者监护人申请，"
        "年满十八周岁的由本人申请，变更以一次为限。"
    ),
    "responsibilities": _service_duties("《中国公民民族成份登记管理办法》"),
}
ETHNICITY_CITY = _power(
    CITY,
    "市民族宗教事务局",
    "07",
    "0700002000",
    "公民民族成份确认",
    **ETHNICITY_COMMON,
    promised_limit_days=20,
    flow=[
        _step("受理", "政务服务中心民宗局窗口", "核对申请材料"),
        _step(
            "审核",
            "民族工作处经办人",
            "核实父母民族成份证明",
            "伪造、变造证明材料未发现",
            MEDIUM,
            "与户籍信息系统比对",
        ),
        _step("公示", "民族工作处", "审核结果公示十个工作日"),
        _step("审批", "民族工作处处长", "出具民族成份确认意见"),
        _step("办结", "政务服务中心民宗局窗口", "申请人持确认意见到公安机关办理变更登记"),
    ],
    window="郑州市政务服务中心 C 区 11 号窗口",
    revisions=[ETHNICITY_REVISION],
)
ETHNICITY_SHANGJIE = _power(
    SHANGJIE,
    "上街区民政局",
    "07",
    "0700002000",
    "公民民族成份确认",
    **ETHNICITY_COMMON,
    promised_limit_days=15,
    flow=[
        _step("受理", "政务服务中心民政窗口", "核对申请材料"),
        _step(
            "审核",
            "社会救助科经办人",
            "核实父母民族成份证明",
            "伪造、变造证明材料未发现",
            MEDIUM,
            "与户籍信息系统比对",
        ),
        _step("审批", "分管局长", "出具民族成份确认意见"),
    ],
    window="上街区政务服务中心 10 号窗口",
    revisions=[ETHNICITY_REVISION],
)

DISABILITY_COMMON = {
    "basis": _cite(CJRF, "第八条"),
    "basis_note": "《中华人民共和国残疾人证管理办法》",
    "four_level_linked": True,
    "materials": [
        "残疾人证申请表",
        "申请人居民身份证、户口簿",
        "近期免冠彩色照片",
        "指定医疗机构出具的残疾评定表",
    ],
    "fee_note": "不收费",
    "guide": (
        "持本市户籍、符合残疾标准的残疾人，可以申请办理中华人民共和国残疾人证。\n办理流程："
        "申请—残疾评定—审核—发证。"
    ),
    "responsibilities": _service_duties("《中华人民共和国残疾人证管理办法》"),
}
DISABILITY_FLOW_2015 = [
    _step("申请受理", "区县残联窗口", "核对申请材料，开具评残介绍信"),
    _step(
        "残疾评定",
        "指定医疗机构评残医生",
        "按残疾标准评定残疾类别和等级",
        "评定结论弄虚作假",
        HIGH,
        "评残医生资格管理，评定结果抽查复核",
    ),
    _step("审核", "康复部审核岗", "审核评定结论和申请材料"),
    _step("发证", "区县残联窗口", "核发残疾人证"),
]
DISABILITY_FLOW_2018 = [
    _step("申请受理", "区县残联窗口", "核对申请材料，网上提交的在线预审"),
    _step(
        "残疾评定",
        "指定医疗机构评残医生",
        "按残疾标准评定残疾类别和等级",
        "评定结论弄虚作假",
        HIGH,
        "评残医生资格管理，评定结果抽查复核",
    ),
    _step("审核", "康复部审核岗", "审核评定结论和申请材料"),
    _step(
        "公示", "区县残联", "审核结果在社区公示五个工作日", "公示走过场", LOW, "公示照片上传系统"
    ),
    _step("发证", "区县残联窗口", "核发第二代残疾人证"),
]
DISABILITY_FLOW_2025 = [
    _step("网上申请", "全国残疾人证办理系统", "申请人在线提交材料，系统自动核验身份"),
    _step(
        "残疾评定",
        "指定医疗机构评残医生",
        "预约评残，评定结果在线推送",
        "评定结论弄虚作假",
        HIGH,
        "评残医生资格管理，评定结果抽查复核",
    ),
    _step("审核", "康复部审核岗", "在线审核评定结论和申请材料"),
    _step(
        "公示", "区县残联", "审核结果在社区公示五个工作日", "公示走过场", LOW, "公示照片上传系统"
    ),
    _step("邮寄送达", "区县残联", "残疾人证免费邮寄到家"),
]
DISABILITY_CITY = _power(
    CITY,
    "市残疾人联合会",
    "07",
    "0700001000",
    "残疾人证核发",
    **DISABILITY_COMMON,
    promised_limit_days=20,
    star_level=2,
    flow=DISABILITY_FLOW_2015,
    window="郑州市政务服务中心 C 区 8 号窗口",
    revisions=[
        Revision(
            _day(2018, 7, 1),
            "换发第二代残疾人证：增加公示环节，开通网上预审，承诺时限由20个工作日压缩至15个工作日",
            {"promised_limit_days": 15, "star_level": 3, "flow": DISABILITY_FLOW_2018},
        ),
        Revision(
            _day(2021, 3, 1),
            "残疾人证新办实现跨省通办，依据增加残疾人定义条款，承诺时限压缩至10个工作日",
            {"promised_limit_days": 10, "star_level": 4, "basis": _cite(CJRF, "第二条", "第八条")},
        ),
        Revision(
            _day(2025, 3, 1),
            "全程网办：在线申请、预约评残、免费邮寄送达，申请人不再到窗口",
            {
                "promised_limit_days": 7,
                "star_level": 5,
                "flow": DISABILITY_FLOW_2025,
                "window": "网上办理（郑州市政务服务网）",
            },
        ),
    ],
)
DISABILITY_SHANGJIE = _power(
    SHANGJIE,
    "上街区残疾人联合会",
    "07",
    "0700001000",
    "残疾人证核发",
    **DISABILITY_COMMON,
    promised_limit_days=20,
    star_level=2,
    flow=DISABILITY_FLOW_2015,
    window="上街区政务服务中心 12 号窗口",
    revisions=[
        Revision(
            _day(2021, 3, 1),
            "与市级同步：跨省通办，承诺时限压缩至10个工作日",
            {
                "promised_limit_days": 10,
                "star_level": 4,
                "flow": DISABILITY_FLOW_2018,
                "basis": _cite(CJRF, "第二条", "第八条"),
            },
        )
    ],
)

SUBSISTENCE_COMMON = {
    "basis": _cite(SHJZ, "第九条", "第十条", "第十一条") + _cite(DBTL, "第二条"),
    "four_level_linked": True,
    "materials": [
        "最低生活保障申请书",
        "户口簿、居民身份证",
        "家庭收入和财产状况声明",
        "家庭经济状况核对授权书",
    ],
    "fee_note": "不收费",
    "guide": (
        "共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合家庭财产状况规定的，"
        "可以申请最低生活保障。申请由户籍所在地的乡镇人民政府、街道办事处受理。"
    ),
    "responsibilities": _service_duties("《社会救助暂行办法》第九条至第十五条"),
}
SUBSISTENCE_FLOW = [
    _step("申请受理", "乡镇（街道）社会救助窗口", "受理书面申请"),
    _step(
        "入户调查",
        "乡镇（街道）工作人员（两名）",
        "调查家庭经济状况和实际生活情况",
        "调查不实、优亲厚友",
        HIGH,
        "入户调查双人签字，民主评议",
    ),
    _step("经济状况核对", "居民家庭经济状况核对中心", "核对收入、财产信息"),
    _step("公示", "村（居）委会", "审核意见公示七日"),
    _step(
        "审批",
        "社会救助科（处）",
        "作出批准或者不予批准的决定",
        "违规审批人情保、关系保",
        HIGH,
        "抽查复核，审批结果长期公示",
    ),
]
SUBSISTENCE_CITY = _power(
    CITY,
    "市民政局",
    "04",
    "0400001000",
    "最低生活保障待遇认定",
    **SUBSISTENCE_COMMON,
    promised_limit_days=30,
    star_level=2,
    flow=SUBSISTENCE_FLOW,
    window="郑州市政务服务中心 C 区 5 号窗口",
)
SUBSISTENCE_SHANGJIE = _power(
    SHANGJIE,
    "上街区民政局",
    "04",
    "0400001000",
    "最低生活保障待遇认定",
    **SUBSISTENCE_COMMON,
    promised_limit_days=30,
    star_level=2,
    flow=SUBSISTENCE_FLOW,
    window="上街区政务服务中心 10 号窗口",
    revisions=[
        Revision(
            _day(2022, 5, 1),
            "低保审核确认权限下放乡镇（街道）试点，承诺时限由30个工作日压缩至20个工作日",
            {"promised_limit_days": 20, "star_level": 3},
        )
    ],
)

RENTAL_COMMON = {
    "basis": _cite(GZF, "第三条", "第七条"),
    "basis_note": "本市公共租赁住房管理有关规定",
    "four_level_linked": True,
    "star_level": 3,
    "materials": [
        "公共租赁住房申请表",
        "家庭成员身份证明和户口簿",
        "住房情况证明",
        "收入证明或者劳动合同",
    ],
    "fee_note": "不收费；承租后按规定缴纳租金",
    "guide": (
        "在本地无住房或者住房面积低于规定标准、收入和财产低于规定标准的家庭，"
        "以及在本地稳定就业达到规定年限的外来务工人员，可以申请公共租赁住房。"
    ),
    "responsibilities": _service_duties("《公共租赁住房管理办法》第七条至第十三条"),
    "flow": [
        _step("申请受理", "街道（乡镇）住房保障窗口", "受理申请，初审材料"),
        _step(
            "审核",
            "住房保障处（股）经办人",
            "联合公安、民政、人社等部门核查住房、收入和财产",
            "审核把关不严",
            HIGH,
            "多部门信息比对，审核人终身负责",
        ),
        _step("公示", "住房保障处（股）", "审核结果公示十五日"),
        _step(
            "轮候配租",
            "住房保障处（股）",
            "登记为轮候对象，公开摇号配租",
            "暗箱操作配租",
            HIGH,
            "公证机关现场监督摇号，结果公开",
        ),
    ],
}
RENTAL_CITY = _power(
    CITY,
    "市住房保障和房地产管理局",
    "10",
    "1000001000",
    "郑州市公共租赁住房保障",
    **RENTAL_COMMON,
    promised_limit_days=20,
    window="郑州市政务服务中心 C 区 14 号窗口",
)
RENTAL_SHANGJIE = _power(
    SHANGJIE,
    "上街区住房保障和房地产管理局",
    "10",
    "1000001000",
    "郑州市公共租赁住房保障",
    **RENTAL_COMMON,
    promised_limit_days=20,
    window="上街区政务服务中心 15 号窗口",
)

RURAL_MEDICAL_COMMON = {
    "basis": _cite(SBF, "第二十四条"),
    "basis_note": (
        "《国务院办公厅转发卫生部等部门关于建立新型农村合作医疗制度意见的通知》"
        "（国办发〔2003〕3号）"
    ),
    "four_level_linked": True,
    "star_level": 2,
    "materials": ["户口簿", "参合人员居民身份证", "个人缴费凭证"],
    "fee_note": "个人缴费按当年度筹资标准执行",
    "guide": (
        "农村居民以户为单位自愿参加新型农村合作医疗，在规定的集中参合期内到户籍所在地乡镇（村）"
        "办理登记。"
    ),
    "responsibilities": _service_duties("《中华人民共和国社会保险法》第二十四条"),
    "flow": [
        _step("参合登记", "村卫生室、乡镇合管站", "以户为单位登记参合信息，收取个人缴费"),
        _step(
            "信息审核",
            "县（区）合管办",
            "审核参合信息，防止重复参合",
            "虚报参合人数套取补助",
            HIGH,
            "与户籍、医保信息比对",
        ),
        _step("制发凭证", "县（区）合管办", "发放参合证或者社会保障卡"),
    ],
}
RURAL_MEDICAL_CITY = _power(
    CITY,
    "市卫生和计划生育委员会",
    "10",
    "1000002000",
    "新型农村合作医疗登记",
    **RURAL_MEDICAL_COMMON,
    promised_limit_days=5,
    window="郑州市政务服务中心 C 区 16 号窗口",
)
RURAL_MEDICAL_SHANGJIE = _power(
    SHANGJIE,
    "上街区卫生和计划生育委员会",
    "10",
    "1000002000",
    "新型农村合作医疗登记",
    **RURAL_MEDICAL_COMMON,
    promised_limit_days=5,
    window="上街区政务服务中心 16 号窗口",
)

RELIEF_COMMON = {
    "basis": _cite(SHJZ, "第四十七条"),
    "materials": ["临时救助申请书", "户口簿、居民身份证", "遭遇困难的证明材料"],
    "fee_note": "不收费",
    "guide": (
        "因火灾、交通事故等意外事件或者家庭成员突发重大疾病等原因，"
        "导致基本生活暂时出现严重困难的家庭，可以申请临时救助；情况紧急的先行救助。"
    ),
    "responsibilities": _service_duties("《社会救助暂行办法》第四十七条至第五十条"),
    "flow": [
        _step("申请受理", "乡镇（街道）社会救助窗口", "受理申请，情况紧急的先行救助"),
        _step(
            "审核",
            "社会救助科（处）经办人",
            "核实困难情况和救助金额",
            "虚报冒领、重复救助",
            HIGH,
            "救助对象信息系统比对",
        ),
        _step(
            "审批发放",
            "社会救助科（处）负责人",
            "审批后社会化发放",
            "截留挪用救助资金",
            HIGH,
            "资金直达个人账户，定期公示",
        ),
    ],
}


def _four_level() -> list[DemoEntry]:
    return [
        TOBACCO_CITY,
        TOBACCO_SHANGJIE,
        _approval(TOBACCO_CITY),
        _approval(TOBACCO_SHANGJIE),
        GRAIN_CITY,
        GRAIN_SHANGJIE,
        _approval(GRAIN_CITY),
        _approval(GRAIN_SHANGJIE),
        HOMESTEAD_CITY,
        HOMESTEAD_SHANGJIE,
        HOMESTEAD_LIUZHAI,
        _approval(HOMESTEAD_CITY),
        _approval(HOMESTEAD_SHANGJIE),
        _approval(HOMESTEAD_LIUZHAI),
        ETHNICITY_CITY,
        ETHNICITY_SHANGJIE,
        DISABILITY_CITY,
        DISABILITY_SHANGJIE,
        SUBSISTENCE_CITY,
        SUBSISTENCE_SHANGJIE,
        RENTAL_CITY,
        RENTAL_SHANGJIE,
        RURAL_MEDICAL_CITY,
        RURAL_MEDICAL_SHANGJIE,
        _power(
            CITY,
            "市民政局",
            "04",
            "0400002000",
            "临时救助",
            **RELIEF_COMMON,
            promised_limit_days=10,
            star_level=2,
            window="郑州市政务服务中心 C 区 5 号窗口",
        ),
        _power(
            SHANGJIE,
            "上街区民政局",
            "04",
            "0400002000",
            "临时救助",
            **RELIEF_COMMON,
            promised_limit_days=10,
            star_level=2,
            window="上街区政务服务中心 10 号窗口",
        ),
    ]


# --- other departments of the districts and the town --------------------------------------

CITY_APPEARANCE_BASIS = _cite(SRTL, "第三十四条", "第三十六条")


def _district_enforcement() -> list[DemoEntry]:
    litter = _cite(SRTL, "第三十四条")
    advertising = _cite(SRTL, "第十一条", "第三十六条")
    stacking = _cite(SRTL, "第十四条", "第三十六条")
    enforcement_flow = [
        _step("立案", "执法大队", "对巡查发现、数字化城管派遣、群众举报的案件审查立案"),
        _step(
            "调查取证",
            "执法大队（两名队员）",
            "出示执法证件，拍照取证，制作笔录",
            "选择性执法、以罚代管",
            HIGH,
            "执法记录仪全程记录，案件随机分派",
        ),
        _step("法制审核", "法制室", "审核事实、证据、程序和裁量"),
        _step("决定", "分管局长", "按裁量基准作出处罚决定"),
        _step("送达执行", "执法大队", "送达处罚决定书，罚缴分离"),
    ]
    duties = _penalty_duties()
    main = _power(
        GUANCHENG,
        "管城回族区城市管理执法局",
        "02",
        "0200004000",
        "对违反城市市容和环境卫生管理规定行为的处罚",
        basis=CITY_APPEARANCE_BASIS,
        flow=enforcement_flow,
        responsibilities=duties,
        remarks="本事项含三个子项。",
    )
    return [
        main,
        _power(
            GUANCHENG,
            "管城回族区城市管理执法局",
            "02",
            "0200004001",
            "对随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物的处罚",
            parent="0200004000",
            basis=litter,
            flow=enforcement_flow,
            discretion=[
                {"circumstance": "初次违反，当场改正", "range": "警告，或者处10元以上20元以下罚款"},
                {"circumstance": "经劝阻拒不改正", "range": "处20元以上50元以下罚款"},
            ],
            responsibilities=duties,
            revisions=[_penalty_law_2021(*litter)],
        ),
        _power(
            GUANCHENG,
            "管城回族区城市管理执法局",
            "02",
            "0200004002",
            "对擅自设置大型户外广告，影响市容的处罚",
            parent="0200004000",
            basis=advertising,
            flow=enforcement_flow,
            discretion=[
                {
                    "circumstance": "广告面积在20平方米以下，在责令期限内自行拆除",
                    "range": "责令限期拆除，处500元以上2000元以下罚款",
                },
                {
                    "circumstance": "广告面积20平方米以上，或者逾期不拆除",
                    "range": "责令限期拆除，处2000元以上10000元以下罚款",
                },
            ],
            responsibilities=duties,
            revisions=[_penalty_law_2021(*advertising)],
        ),
        _power(
            GUANCHENG,
            "管城回族区城市管理执法局",
            "02",
            "0200004003",
            "对擅自在街道两侧和公共场地堆放物料，搭建建筑物、构筑物或者其他设施，影响市容的处罚",
            parent="0200004000",
            basis=stacking,
            flow=enforcement_flow,
            discretion=[
                {
                    "circumstance": "占用面积在10平方米以下，及时清理",
                    "range": "责令限期清理，处100元以上500元以下罚款",
                },
                {
                    "circumstance": "占用面积10平方米以上，或者逾期不清理、拆除",
                    "range": "责令限期清理、拆除，处500元以上3000元以下罚款",
                },
            ],
            responsibilities=duties,
        ),
        _power(
            GUANCHENG,
            "管城回族区城市管理执法局",
            "06",
            "0600002000",
            "强制拆除不符合城市容貌标准、环境卫生标准的建筑物或者设施",
            basis=_cite(SRTL, "第三十七条") + _cite(QZF, "第四十四条"),
            flow=[
                _step("责令改造或者拆除", "执法大队", "书面责令当事人限期改造或者拆除"),
                _step("公告", "执法大队", "逾期未改造、拆除的，予以公告，限期自行拆除"),
                _step(
                    "报批",
                    "局长办公会",
                    "报经区人民政府批准组织强制拆除",
                    "未经批准实施强拆",
                    HIGH,
                    "报批材料存档，法制室审核",
                ),
                _step(
                    "实施",
                    "执法大队",
                    "通知当事人到场，制作现场笔录和物品清单",
                    "强拆中损毁、侵占财物",
                    HIGH,
                    "公证人员到场，全程录像",
                ),
            ],
            responsibilities=_coercion_duties("《中华人民共和国行政强制法》第三十四条至第四十四条"),
        ),
        _power(
            GUANCHENG,
            "管城回族区城市管理执法局",
            "09",
            "0900003000",
            "市容环境卫生监督检查",
            basis=_cite(SRTL, "第十四条", "第三十四条"),
            flow=[
                _step("巡查", "执法大队", "按网格巡查主次干道和公共场所"),
                _step("派遣", "数字化指挥中心", "数字化城管系统派遣、督办问题"),
                _step(
                    "处置",
                    "执法大队",
                    "责令改正或者立案查处",
                    "发现问题不处置",
                    MEDIUM,
                    "系统超时自动督办",
                ),
            ],
            responsibilities=_check_duties("《城市市容和环境卫生管理条例》"),
        ),
        _power(
            LIUZHAI,
            "刘寨镇综合执法中队",
            "02",
            "0200004000",
            "对违反城市市容和环境卫生管理规定行为的处罚",
            published=_day(2020, 10, 1),
            basis=litter,
            flow=[
                _step("立案", "综合执法中队", "审查立案"),
                _step(
                    "调查取证",
                    "综合执法中队（两名队员）",
                    "出示执法证件调查取证",
                    "选择性执法",
                    MEDIUM,
                    "执法记录仪全程记录",
                ),
                _step("决定", "镇人民政府", "按裁量基准作出处罚决定"),
                _step("送达执行", "综合执法中队", "送达处罚决定书，罚缴分离"),
            ],
            discretion=[
                {"circumstance": "初次违反，当场改正", "range": "警告，或者处10元以上20元以下罚款"},
                {"circumstance": "经劝阻拒不改正", "range": "处20元以上50元以下罚款"},
            ],
            responsibilities=_penalty_duties(),
            remarks="乡镇综合行政执法改革后由县级城市管理部门赋权实施。",
            revisions=[_penalty_law_2021(*litter)],
        ),
    ]


def _market_supervision() -> list[DemoEntry]:
    unlicensed = _cite(WZWZ, "第十三条")
    product = _cite(CPZLF, "第四十九条")
    return [
        _power(
            SHANGJIE,
            "上街区工商质监局",
            "02",
            "0200005000",
            "对无照经营行为的处罚",
            published=_day(2017, 10, 1),
            basis=unlicensed,
            flow=[
                _step("立案", "市场监管所", "审查立案"),
                _step(
                    "调查取证",
                    "市场监管所执法人员",
                    "两名以上执法人员调查取证",
                    "选择性执法",
                    MEDIUM,
                    "案件随机分派",
                ),
                _step("决定", "分管局长", "按裁量基准作出处罚决定"),
                _step("送达执行", "市场监管所", "送达处罚决定书"),
            ],
            discretion=[
                {
                    "circumstance": "经营规模较小、首次被查处，在责令期限内办理营业执照",
                    "range": "责令停止违法行为，没收违法所得，可以不予罚款或者处1000元以下罚款",
                },
                {
                    "circumstance": "拒不停止无照经营",
                    "range": "责令停止违法行为，没收违法所得，处3000元以上1万元以下罚款",
                },
            ],
            responsibilities=_penalty_duties(),
            revisions=[_penalty_law_2021(*unlicensed)],
        ),
        _power(
            SHANGJIE,
            "上街区工商质监局",
            "02",
            "0200006000",
            "对生产、销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品的处罚",
            basis=product,
            flow=[
                _step("立案", "质量监督科", "审查立案"),
                _step(
                    "调查取证",
                    "质量监督科执法人员",
                    "抽样检验，核定货值金额",
                    "少计货值金额",
                    HIGH,
                    "货值金额由两人核算并经法制审核",
                ),
                _step("听证", "法制科", "当事人要求听证的组织听证"),
                _step("决定", "局长办公会", "集体讨论决定"),
                _step("送达执行", "质量监督科", "送达处罚决定书"),
            ],
            discretion=[
                {
                    "circumstance": "货值金额较小，主动召回或者停止销售",
                    "range": "没收违法产品，处货值金额等值以上1倍以下罚款",
                },
                {"circumstance": "一般情节", "range": "没收违法产品，处货值金额1倍以上2倍以下罚款"},
                {
                    "circumstance": "造成人身伤害或者拒不停止生产、销售",
                    "range": (
                        "没收违法产品，处货值金额2倍以上3倍以下罚款；有违法所得的并处没收违法所得"
                    ),
                },
            ],
            responsibilities=_penalty_duties(),
            revisions=[_penalty_law_2021(*product)],
        ),
        _power(
            SHANGJIE,
            "上街区工商质监局",
            "09",
            "0900004000",
            "产品质量监督抽查",
            basis=_cite(CPZLF, "第十五条"),
            flow=[
                _step("计划", "质量监督科", "按上级部署制定抽查计划"),
                _step(
                    "抽样",
                    "质量监督科两名工作人员",
                    "随机抽取样品，封样",
                    "事先通知被抽查企业",
                    MEDIUM,
                    "抽样信息保密，随机确定时间",
                ),
                _step("检验", "依法设置的检验机构", "按标准检验"),
                _step("处理", "质量监督科", "不合格的责令整改，依法处理并公告"),
            ],
            responsibilities=_check_duties("《中华人民共和国产品质量法》第十五条"),
        ),
    ]


# --- 市国土资源局, 市水务局, 市残疾人联合会, 市城乡建设委员会: fees and funds -------------------

REGISTRATION_FEE_2021 = Revision(
    _day(2021, 1, 1),
    "《中华人民共和国民法典》施行、《中华人民共和国物权法》废止，依据相应更新",
    {"basis": _cite(MFD, "第二百二十三条")},
)
REGISTRATION_CENTRE = {
    "handling_unit": "不动产登记中心",
    "responsible_unit": "不动产登记中心",
    "responsible_person": "孟庆国",
    "responsible_phone": "0371-01007201",
}
REGISTRATION_NOTE = (
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
)
WATER_PERMIT = _power(
    CITY,
    "市水务局",
    "01",
    "0100008000",
    "取水许可",
    basis=_cite(SF, "第四十八条") + _cite(XKF, "第四十二条"),
    basis_note="《取水许可和水资源费征收管理条例》",
    statutory_limit_days=20,
    promised_limit_days=15,
    star_level=2,
    flow=[
        _step("受理", "政务服务中心水务局窗口", "核对取水申请书和水资源论证报告"),
        _step(
            "技术审查",
            "水资源管理处",
            "组织专家审查水资源论证报告",
            "专家意见被干预",
            MEDIUM,
            "专家随机抽取，意见存档",
        ),
        _step(
            "决定",
            "分管局长",
            "作出取水许可决定",
            "超出区域用水总量控制指标审批",
            HIGH,
            "用水总量指标台账管理",
        ),
        _step("发证", "政务服务中心水务局窗口", "核发取水许可证"),
    ],
    materials=["取水许可申请书", "建设项目水资源论证报告", "与第三者利害关系的相关说明"],
    window="郑州市政务服务中心 C 区 20 号窗口",
    fee_note="不收费；取水后依法缴纳水资源费（税）",
    guide="直接从江河、湖泊或者地下取用水资源的单位和个人，应当申请领取取水许可证。",
    responsibilities=_licence_duties("《中华人民共和国水法》第四十八条"),
)


def _fees_and_funds() -> list[DemoEntry]:
    fund_basis = _cite(JJBF, "第二条")
    return [
        _entry(
            ListKind.FEE,
            CITY,
            "市国土资源局",
            "71",
            "7100001000",
            "不动产登记费",
            published=_day(2017, 1, 1),
            basis=_cite(WQF, "第二十二条"),
            basis_note=REGISTRATION_NOTE,
            standard="按件收取，住宅类和非住宅类分别执行，具体见子项",
            payers="申请不动产登记的权利人",
            scope="本市市区不动产首次登记、转移登记、变更登记、抵押登记等",
            period="办理登记时一次性收取",
            **REGISTRATION_CENTRE,
            revisions=[REGISTRATION_FEE_2021],
        ),
        _entry(
            ListKind.FEE,
            CITY,
            "市国土资源局",
            "71",
            "7100001001",
            "住宅类不动产登记费",
            published=_day(2017, 1, 1),
            parent="7100001000",
            basis=_cite(WQF, "第二十二条"),
            basis_note=REGISTRATION_NOTE,
            standard="每件80元",
            payers="申请住宅类不动产登记的权利人",
            scope="住宅及其建设用地使用权的登记",
            period="办理登记时一次性收取",
            **REGISTRATION_CENTRE,
            remarks="小微企业、保障性住房等按规定减免。",
            revisions=[REGISTRATION_FEE_2021],
        ),
        _entry(
            ListKind.FEE,
            CITY,
            "市国土资源局",
            "71",
            "7100001002",
            "非住宅类不动产登记费",
            published=_day(2017, 1, 1),
            parent="7100001000",
            basis=_cite(WQF, "第二十二条"),
            basis_note=REGISTRATION_NOTE,
            standard="每件550元",
            payers="申请非住宅类不动产登记的权利人",
            scope="非住宅类不动产及其土地使用权的登记",
            period="办理登记时一次性收取",
            **REGISTRATION_CENTRE,
            revisions=[REGISTRATION_FEE_2021],
        ),
        _entry(
            ListKind.FEE,
            SHANGJIE,
            "郑州市国土资源局上街分局",
            "71",
            "7100001000",
            "不动产登记费",
            published=_day(2017, 1, 1),
            basis=_cite(WQF, "第二十二条"),
            basis_note=REGISTRATION_NOTE,
            standard="住宅类每件80元，非住宅类每件550元",
            payers="申请不动产登记的权利人",
            scope="上街区行政区域内的不动产登记",
            period="办理登记时一次性收取",
            revisions=[REGISTRATION_FEE_2021],
        ),
        _entry(
            ListKind.FEE,
            CITY,
            "市水务局",
            "72",
            "7200001000",
            "水资源费",
            basis=_cite(SF, "第四十八条"),
            basis_note="《取水许可和水资源费征收管理条例》",
            standard=(
                "地表水每立方米0.4元，地下水每立方米1.5元（城市公共供水管网覆盖范围内自备井加倍）"
            ),
            payers="直接从江河、湖泊或者地下取用水资源的单位和个人",
            scope="本市行政区域内取用水资源",
            period="按月计征",
            revisions=[
                Revision(
                    _day(2017, 12, 1),
                    "河南省纳入水资源税改革试点，水资源费改征水资源税，本项收费取消",
                    {"status": EntryStatus.CANCELLED},
                ),
            ],
        ),
        _entry(
            ListKind.FUND,
            CITY,
            "市国土资源局",
            "81",
            "8100001000",
            "国有土地使用权出让收入",
            basis=_cite(TDF, "第五十五条"),
            standard="按土地出让合同约定的成交价款收取",
            payers="以出让方式取得国有土地使用权的单位和个人",
            use=(
                "纳入政府性基金预算，用于征地拆迁补偿、土地开发、农业土地开发、"
                "城市建设和保障性安居工程等"
            ),
            handling_unit="土地利用处",
            responsible_unit="土地利用处",
            responsible_person="乔立新",
            responsible_phone="0371-01007301",
        ),
        _entry(
            ListKind.FUND,
            CITY,
            "市残疾人联合会",
            "81",
            "8100002000",
            "残疾人就业保障金",
            basis=_cite(CJRF, "第三十三条") + fund_basis,
            standard="安排残疾人就业未达到规定比例的用人单位，按差额人数和上年职工年平均工资计缴",
            payers="安排残疾人就业未达到规定比例的机关、团体、企业、事业单位和民办非企业单位",
            use="纳入一般公共预算，用于残疾人职业培训、就业服务、就业援助和扶持残疾人自主就业",
            handling_unit="就业服务中心",
            responsible_unit="就业服务中心",
            responsible_person="闫春梅",
            responsible_phone="0371-01006201",
        ),
        _entry(
            ListKind.FUND,
            CITY,
            "市城乡建设委员会",
            "81",
            "8100003000",
            "城市基础设施配套费",
            basis=fund_basis,
            basis_note="省人民政府批准的城市基础设施配套费征收标准",
            standard="按建设项目建筑面积每平方米收取，住宅、非住宅分别执行批准标准",
            payers="在城市规划区内新建、扩建、改建建设工程的建设单位和个人",
            use="专项用于城市道路、桥梁、供排水、燃气、园林绿化等基础设施建设",
        ),
        _entry(
            ListKind.FUND,
            CITY,
            "市水务局",
            "81",
            "8100004000",
            "地方水利建设基金",
            basis=fund_basis,
            basis_note="《水利建设基金筹集和使用管理办法》",
            standard="按有销售收入或者营业收入的企事业单位和个体工商户上年收入的规定比例计征",
            payers="本市行政区域内有销售收入或者营业收入的企事业单位和个体工商户",
            use="用于城市防洪工程、中小河流治理、农村饮水安全等水利工程建设和维护",
        ),
        _entry(
            ListKind.FUND,
            CITY,
            "市城乡建设委员会",
            "81",
            "8100005000",
            "新型墙体材料专项基金",
            basis=fund_basis,
            basis_note="《新型墙体材料专项基金征收使用管理办法》",
            standard="按建设项目建筑面积每平方米8元预收，使用新型墙体材料的按规定退还",
            payers="新建、扩建、改建建筑工程的建设单位",
            use="用于新型墙体材料的研发、推广和生产技术改造",
            revisions=[
                Revision(
                    _day(2017, 4, 1),
                    "国家取消新型墙体材料专项基金，本项基金停止征收",
                    {"status": EntryStatus.CANCELLED},
                ),
            ],
        ),
        WATER_PERMIT,
        _approval(WATER_PERMIT),
    ]


# --- the enterprise-investment negative list (市发改委) -----------------------------------------

NEGATIVE_NOTE_2015 = "《政府核准的投资项目目录（2014年本）》（国发〔2014〕53号）"
NEGATIVE_REVISION = Revision(
    _day(2017, 2, 1),
    "《企业投资项目核准和备案管理条例》施行，核准目录更新为2016年本",
    {
        "basis": _cite(TZTL, "第三条"),
        "basis_note": "《政府核准的投资项目目录（2016年本）》（国发〔2016〕72号）",
    },
)
APPROVING_BODY = "郑州市发展和改革委员会"


def _negative(category: str, basic_code: str, name: str, scope: str, **values) -> DemoEntry:
    return _entry(
        ListKind.NEGATIVE,
        CITY,
        "市发改委",
        category,
        basic_code,
        name,
        basis_note=NEGATIVE_NOTE_2015,
        approving_body=APPROVING_BODY,
        scope=scope,
        revisions=[NEGATIVE_REVISION],
        **values,
    )


def _negative_list() -> list[DemoEntry]:
    scope = "本市行政区域内按核准目录和省级实施细则由市级核准的{}（具体权限以目录为准）"
    return [
        _negative("51", "5100001000", "水库项目", scope.format("水库项目，不涉及跨界河流")),
        _negative(
            "52",
            "5200001000",
            "电网工程",
            scope.format("110千伏及以下电网工程"),
            remarks="不涉及跨境、跨省（区、市）输电。",
        ),
        _negative("52", "5200002000", "热电站项目", scope.format("燃煤背压热电项目")),
        _negative(
            "52",
            "5200003000",
            "风电站项目",
            scope.format("风电站项目"),
            remarks="在国家依据总量控制制定的建设规划及年度开发指导规模内核准。",
        ),
        _negative(
            "53",
            "5300001000",
            "地方公路项目",
            scope.format("国家高速公路网和普通国道网以外的地方公路项目"),
        ),
        _negative(
            "53",
            "5300002000",
            "独立公路桥梁、隧道项目",
            scope.format("独立公路桥梁、隧道项目，不跨越大江大河"),
        ),
        _negative(
            "59", "5900001000", "城市道路桥梁、隧道项目", scope.format("城市道路桥梁、隧道项目")
        ),
        _negative("60", "6000001000", "主题公园项目", scope.format("主题公园项目")),
    ]


def demo_entries() -> list[DemoEntry]:
    return [
        *_salt(),
        *_greening(),
        *_city_management(),
        *_four_level(),
        *_district_enforcement(),
        *_market_supervision(),
        *_fees_and_funds(),
        *_negative_list(),
    ]


# --- loading -----------------------------------------------------------------------------------


def _moment(day: datetime.date) -> datetime.datetime:
    """Versions are published at 09:00 in Zhengzhou on their day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


@dataclass
class _Loader:
    actor: User | None
    provisions: dict[tuple[str, str], int] = field(default_factory=dict)
    categories: dict[tuple[str, str], int] = field(default_factory=dict)
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)
    entries: dict[tuple[str, str, str, str], Entry] = field(default_factory=dict)

    def key(self, demo: DemoEntry, basic_code: str = "") -> tuple[str, str, str, str]:
        return (demo.list_kind, demo.jurisdiction, demo.department, basic_code or demo.basic_code)

    def payload(self, values: dict) -> dict:
        payload = {}
        for name, value in values.items():
            if name == "basis":
                payload[name] = [self.provisions[reference] for reference in value]
            else:
                payload[name] = value
        return payload

    def first_payload(self, demo: DemoEntry) -> dict:
        payload = self.payload(demo.values)
        payload.update(
            category=self.categories[(demo.list_kind, demo.category)],
            name=demo.name,
            basic_code=demo.basic_code,
        )
        contact = CONTACTS.get((demo.jurisdiction, demo.department))
        if contact:
            unit, person, phone = contact
            for name, value in (
                ("handling_unit", unit),
                ("responsible_unit", unit),
                ("responsible_person", person),
                ("responsible_phone", phone),
            ):
                payload.setdefault(name, value)
        if demo.parent:
            payload["parent"] = self.entries[self.key(demo, demo.parent)].pk
        return payload


def _laws(actor: User | None) -> tuple[int, dict[tuple[str, str], int]]:
    created = 0
    for demo in LAWS:
        if Law.objects.filter(name=demo.name).exists():
            continue
        law = services.law_save(
            actor=actor,
            name=demo.name,
            level=demo.level,
            issuing_body=demo.issuing_body,
            document_number=demo.document_number,
            effective_date=demo.effective_date,
            reason="演示数据",
        )
        services.provisions_save(actor=actor, law=law, provisions=demo.provisions)
        if demo.status != LawStatus.IN_FORCE:
            services.law_status_set(actor=actor, law=law, status=demo.status, on=demo.status_date)
        created += 1
    names = [demo.name for demo in LAWS]
    provisions = {
        (law_name, article): pk
        for pk, law_name, article in Provision.objects.filter(law__name__in=names).values_list(
            "pk", "law__name", "article"
        )
    }
    return created, provisions


@transaction.atomic
def register_seed(*, actor: User | None) -> dict[str, int]:
    """Issue 3 §8: load the demo register through registry.services (laws, then the entries'
    versions in the order of their dates, each publication dated in the past with `at`).
    Needs the organisation of `seed_demo`. Returns how many laws, entries and versions it
    created."""
    services.categories_seed(actor=actor)
    laws_created, provisions = _laws(actor)
    loader = _Loader(actor=actor, provisions=provisions)
    loader.categories = {(c.list_kind, c.code): c.pk for c in Category.objects.all()}
    demos = demo_entries()
    wanted = {(demo.jurisdiction, demo.department) for demo in demos}
    for department in Department.objects.select_related("jurisdiction").filter(
        name__in={name for _, name in wanted}
    ):
        loader.departments[(department.jurisdiction.code, department.name)] = department
    missing = wanted - set(loader.departments)
    if missing:
        raise LookupError(
            "The demo register needs the demo organisation (manage.py seed_demo); missing: "
            + ", ".join(sorted(name for _, name in missing))
        )
    for entry in Entry.objects.select_related("jurisdiction", "department").filter(
        department__in=loader.departments.values()
    ):
        loader.entries[
            (entry.list_kind, entry.jurisdiction.code, entry.department.name, entry.basic_code)
        ] = entry

    # Each publication is (day, reason) → the entries it changes; an entry that exists already
    # is left alone with all its versions.
    new = [demo for demo in demos if loader.key(demo) not in loader.entries]
    publications: dict[tuple[datetime.date, str], list[tuple[DemoEntry, dict]]] = defaultdict(list)
    for demo in new:
        publications[(demo.published, "")].append((demo, {}))
        for revision in demo.revisions:
            publications[(revision.on, revision.reason)].append((demo, revision.changes))

    versions = 0
    for (day, reason), changes in sorted(publications.items(), key=lambda item: item[0]):
        if reason:
            versions += _publish_revisions(loader, day, reason, changes)
        else:
            versions += _publish_new(loader, day, [demo for demo, _ in changes])
    return {"laws": laws_created, "entries": len(new), "versions": versions}


def _publish_new(loader: _Loader, day: datetime.date, demos: list[DemoEntry]) -> int:
    """First publication; main items before their sub-items, which point at them."""
    published = 0
    for batch in ([d for d in demos if not d.parent], [d for d in demos if d.parent]):
        if not batch:
            continue
        changes = []
        for demo in batch:
            department = loader.departments[(demo.jurisdiction, demo.department)]
            changes.append(
                services.EntryChange(
                    payload=loader.first_payload(demo),
                    list_kind=demo.list_kind,
                    jurisdiction=department.jurisdiction,
                    department=department,
                )
            )
        entries = services.entries_publish(
            actor=loader.actor,
            changes=changes,
            source=ChangeSource.INITIAL,
            reference=f"清单公布 {day:%Y-%m-%d}",
            reason="首次公布" if day == LAUNCH else "新增事项首次公布",
            at=_moment(day),
        )
        for demo, entry in zip(batch, entries, strict=True):
            loader.entries[loader.key(demo)] = entry
        published += len(entries)
    return published


def _publish_revisions(
    loader: _Loader, day: datetime.date, reason: str, changes: list[tuple[DemoEntry, dict]]
) -> int:
    entries = services.entries_publish(
        actor=loader.actor,
        changes=[
            services.EntryChange(
                payload=loader.payload(values), entry=loader.entries[loader.key(demo)]
            )
            for demo, values in changes
        ],
        source=ChangeSource.CORRECTION,
        reference=f"清单调整 {day:%Y-%m-%d}",
        reason=reason,
        at=_moment(day),
    )
    for (demo, _), entry in zip(changes, entries, strict=True):
        loader.entries[loader.key(demo)] = entry
    return len(entries)
