"""Demo data (issue 2 §9): Zhengzhou with the departments named in the seeds, two districts,
the county-level city of Xinmi with Liuzhai town, internal units, people, enforcement officers
and one demo user per role; then the demo register of the five lists (issue 3 §8,
`seed_register`, registry.demo). Everything is built through the services, so the audit trail is
as the product would write it.

Idempotent: an object that already exists (by its natural key) is left as it is, so a second
run creates nothing and changes nothing. The people, phone numbers and e-mail addresses are
invented: the officials named in the seeds are real persons and are never copied. Every phone
number starts 0371-0, which no real Zhengzhou number does (local numbers never start with 0).
"""

import datetime
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from core import services
from core.choices import DepartmentFunction, JurisdictionLevel, PersonDuty, ReviewField, Role
from core.models import Department, EnforcementCertificate, Jurisdiction, Person, Unit, User

DEMO_PASSWORD = "qingdan-demo"

GENERAL = DepartmentFunction.GENERAL
OFFICE = DepartmentFunction.REFORM_OFFICE
REVIEWER = DepartmentFunction.LEAD_REVIEWER
DIGITAL = DepartmentFunction.DIGITAL_OFFICE
SUPERVISION = DepartmentFunction.SUPERVISION

# (code, name, level, parent code). 新密市 is a county-level city: a district-level node.
JURISDICTIONS = [
    ("410100", "郑州市", JurisdictionLevel.CITY, None),
    ("410106", "上街区", JurisdictionLevel.DISTRICT, "410100"),
    ("410104", "管城回族区", JurisdictionLevel.DISTRICT, "410100"),
    ("410183", "新密市", JurisdictionLevel.DISTRICT, "410100"),
    ("410183100", "刘寨镇", JurisdictionLevel.TOWN, "410183"),
]

# (jurisdiction code, name, function, review field, phone, organisation code). The codes are
# invented local codes, unique within their jurisdiction: they become the last part of every
# implementation code of the department's register entries (docs/architecture.md, "Codes").
# 市烟草专卖局 to 市水务局 and their 上街区 counterparts were added for the demo register
# (registry.demo): they hold the eight four-level-linked items of seed 003, fees and funds.
DEPARTMENTS = [
    ("410100", "市改革办", OFFICE, "", "0371-01000001", "001"),
    ("410100", "市编办", REVIEWER, ReviewField.ESTABLISHMENT, "0371-01000002", "002"),
    ("410100", "市法制办", REVIEWER, ReviewField.LEGAL, "0371-01000003", "003"),
    ("410100", "市政务服务中心", REVIEWER, ReviewField.SERVICE, "0371-01000004", "004"),
    ("410100", "市财政局", REVIEWER, ReviewField.FINANCE, "0371-01000005", "005"),
    ("410100", "市发改委", REVIEWER, ReviewField.DEVELOPMENT, "0371-01000006", "006"),
    ("410100", "市数字办", DIGITAL, "", "0371-01000007", "007"),
    ("410100", "市纪委监察", SUPERVISION, "", "0371-01000008", "008"),
    ("410100", "市园林局", GENERAL, "", "0371-01000009", "009"),
    ("410100", "市盐业管理局", GENERAL, "", "0371-01000010", "010"),
    ("410100", "市烟草专卖局", GENERAL, "", "0371-01000011", "011"),
    ("410100", "市粮食局", GENERAL, "", "0371-01000012", "012"),
    ("410100", "市民族宗教事务局", GENERAL, "", "0371-01000013", "013"),
    ("410100", "市残疾人联合会", GENERAL, "", "0371-01000014", "014"),
    ("410100", "市国土资源局", GENERAL, "", "0371-01000015", "015"),
    ("410100", "市民政局", GENERAL, "", "0371-01000016", "016"),
    ("410100", "市住房保障和房地产管理局", GENERAL, "", "0371-01000017", "017"),
    ("410100", "市卫生和计划生育委员会", GENERAL, "", "0371-01000018", "018"),
    ("410100", "市城市管理局", GENERAL, "", "0371-01000019", "019"),
    ("410100", "市城乡建设委员会", GENERAL, "", "0371-01000020", "020"),
    ("410100", "市水务局", GENERAL, "", "0371-01000021", "021"),
    ("410106", "上街区改革办", OFFICE, "", "0371-01060001", "001"),
    ("410106", "上街区编办", REVIEWER, ReviewField.ESTABLISHMENT, "0371-01060002", "002"),
    ("410106", "上街区法制办", REVIEWER, ReviewField.LEGAL, "0371-01060003", "003"),
    ("410106", "上街区政务服务中心", REVIEWER, ReviewField.SERVICE, "0371-01060004", "004"),
    ("410106", "上街区监察局", SUPERVISION, "", "0371-01060005", "005"),
    ("410106", "上街区民政局", GENERAL, "", "0371-01060006", "006"),
    ("410106", "上街区工商质监局", GENERAL, "", "0371-01060007", "007"),
    ("410106", "上街区烟草专卖局", GENERAL, "", "0371-01060008", "008"),
    ("410106", "上街区粮食局", GENERAL, "", "0371-01060009", "009"),
    ("410106", "上街区残疾人联合会", GENERAL, "", "0371-01060010", "010"),
    ("410106", "郑州市国土资源局上街分局", GENERAL, "", "0371-01060011", "011"),
    ("410106", "上街区住房保障和房地产管理局", GENERAL, "", "0371-01060012", "012"),
    ("410106", "上街区卫生和计划生育委员会", GENERAL, "", "0371-01060013", "013"),
    ("410104", "管城回族区改革办", OFFICE, "", "0371-01040001", "001"),
    ("410104", "管城回族区法制办", REVIEWER, ReviewField.LEGAL, "0371-01040002", "002"),
    ("410104", "管城回族区城市管理执法局", GENERAL, "", "0371-01040003", "003"),
    ("410183", "新密市改革办", OFFICE, "", "0371-01830001", "001"),
    ("410183100", "刘寨镇改革办", OFFICE, "", "0371-01831001", "001"),
    ("410183100", "刘寨镇便民服务中心", GENERAL, "", "0371-01831002", "002"),
    ("410183100", "刘寨镇综合执法中队", GENERAL, "", "0371-01831003", "003"),
]

# (department, unit, phone)
UNITS = [
    ("市盐业管理局", "办公室", "0371-01001001"),
    ("市盐业管理局", "盐政处", "0371-01001002"),
    ("市盐业管理局", "法制室", "0371-01001003"),
    ("市盐业管理局", "计划管理处", "0371-01001004"),
    ("市园林局", "办公室", "0371-01002001"),
    ("市园林局", "绿化管理处", "0371-01002002"),
    ("管城回族区城市管理执法局", "法制室", "0371-01041001"),
    ("管城回族区城市管理执法局", "人事科", "0371-01041002"),
    ("管城回族区城市管理执法局", "执法大队", "0371-01041003"),
    ("管城回族区城市管理执法局", "数字化指挥中心", "0371-01041004"),
    ("上街区民政局", "社会救助科", "0371-01061001"),
]

# (department, unit or None, name, duty, title, phone)
PEOPLE = [
    ("市盐业管理局", "盐政处", "陈立新", PersonDuty.HEAD, "处长", "0371-01001102"),
    ("市盐业管理局", "盐政处", "赵文静", PersonDuty.HANDLER, "科员", "0371-01001103"),
    ("市盐业管理局", "盐政处", "孙海涛", PersonDuty.OFFICER, "执法人员", "0371-01001104"),
    ("市盐业管理局", "盐政处", "周晓梅", PersonDuty.OFFICER, "执法人员", "0371-01001105"),
    ("市盐业管理局", "法制室", "吴国栋", PersonDuty.HEAD, "主任", "0371-01001106"),
    ("市盐业管理局", "计划管理处", "郑雅琴", PersonDuty.HANDLER, "科员", "0371-01001107"),
    ("市园林局", "绿化管理处", "冯志刚", PersonDuty.HEAD, "处长", "0371-01002101"),
    ("管城回族区城市管理执法局", "法制室", "何丽娟", PersonDuty.HEAD, "主任", "0371-01041101"),
    ("管城回族区城市管理执法局", "执法大队", "马俊峰", PersonDuty.OFFICER, "队员", "0371-01041102"),
    ("管城回族区城市管理执法局", "执法大队", "朱慧敏", PersonDuty.OFFICER, "队员", "0371-01041103"),
    ("上街区民政局", "社会救助科", "胡明哲", PersonDuty.HANDLER, "科员", "0371-01061101"),
    ("刘寨镇综合执法中队", None, "高秀兰", PersonDuty.OFFICER, "队员", "0371-01831101"),
]

# (officer, number, issuing authority, field, valid from, valid until): 周晓梅's has expired.
CERTIFICATES = [
    (
        "孙海涛",
        "DEMO-410100-YZ-0001",
        "郑州市人民政府",
        "盐业行政执法",
        datetime.date(2024, 1, 1),
        datetime.date(2029, 12, 31),
    ),
    (
        "周晓梅",
        "DEMO-410100-YZ-0002",
        "郑州市人民政府",
        "盐业行政执法",
        datetime.date(2018, 1, 1),
        datetime.date(2022, 12, 31),
    ),
    (
        "马俊峰",
        "DEMO-410104-CG-0001",
        "郑州市人民政府",
        "城市管理行政执法",
        datetime.date(2023, 7, 1),
        datetime.date(2028, 6, 30),
    ),
    (
        "朱慧敏",
        "DEMO-410104-CG-0002",
        "郑州市人民政府",
        "城市管理行政执法",
        datetime.date(2024, 3, 1),
        datetime.date(2029, 2, 28),
    ),
    (
        "高秀兰",
        "DEMO-410183-ZH-0001",
        "新密市人民政府",
        "综合行政执法",
        datetime.date(2025, 1, 1),
        datetime.date(2030, 12, 31),
    ),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    jurisdiction: str
    department: str | None
    last_name: str
    first_name: str


# The README documents exactly these accounts; all share DEMO_PASSWORD.
DEMO_USERS = [
    DemoUser("admin", Role.ADMINISTRATOR, "410100", None, "林", "振华"),
    DemoUser("office", Role.OFFICE, "410100", "市改革办", "罗", "佳怡"),
    DemoUser("reviewer", Role.REVIEWER, "410100", "市法制办", "许", "文博"),
    DemoUser("digital", Role.DIGITAL, "410100", "市数字办", "韩", "雪"),
    DemoUser("supervisor", Role.SUPERVISOR, "410100", "市纪委监察", "杨", "帆"),
    DemoUser("clerk", Role.CLERK, "410100", "市盐业管理局", "宋", "清"),
    DemoUser("shangjie-office", Role.OFFICE, "410106", "上街区改革办", "唐", "卓"),
    DemoUser("shangjie-clerk", Role.CLERK, "410106", "上街区民政局", "曹", "宁"),
    DemoUser("liuzhai-clerk", Role.CLERK, "410183100", "刘寨镇便民服务中心", "彭", "越"),
]


class Command(BaseCommand):
    help = "Load the demo organisation, people and one user per role (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = self._seed()
        services.calendar_seed_from_package(actor=None)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({created} new objects).")
            + f" Demo users: {', '.join(user.username for user in DEMO_USERS)};"
            + f" password: {DEMO_PASSWORD} (demo only)."
        )
        # The register lives in registry, which may import core but not the other way round.
        call_command(
            "seed_register",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        call_command(
            "seed_adjustments",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        call_command(
            "seed_complaints",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        call_command(
            "seed_inspections",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        call_command(
            "seed_decisions",
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _seed(self) -> int:
        created = 0
        jurisdictions: dict[str, Jurisdiction] = {}
        for code, name, level, parent in JURISDICTIONS:
            found = Jurisdiction.objects.filter(code=code).first()
            if found is None:
                found = services.jurisdiction_create(
                    actor=None,
                    code=code,
                    name=name,
                    level=level,
                    parent=jurisdictions[parent] if parent else None,
                )
                created += 1
            jurisdictions[code] = found

        departments: dict[str, Department] = {}
        for code, name, function, review_field, phone, organisation_code in DEPARTMENTS:
            jurisdiction = jurisdictions[code]
            found = Department.objects.filter(jurisdiction=jurisdiction, name=name).first()
            if found is None:
                found = services.department_create(
                    actor=None,
                    jurisdiction=jurisdiction,
                    name=name,
                    function=function,
                    review_field=review_field,
                    phone=phone,
                    code=organisation_code,
                )
                created += 1
            elif not found.code:
                # Databases seeded before departments had codes get theirs; a code an
                # administrator has set since is left alone.
                found.code = organisation_code
                services.organisation_object_save(actor=None, obj=found, changed_fields=["code"])
            departments[name] = found

        units: dict[tuple[str, str], Unit] = {}
        for department, name, phone in UNITS:
            found = Unit.objects.filter(department=departments[department], name=name).first()
            if found is None:
                found = services.organisation_object_save(
                    actor=None, obj=Unit(department=departments[department], name=name, phone=phone)
                )
                created += 1
            units[(department, name)] = found

        people: dict[str, Person] = {}
        for department, unit, name, duty, title, phone in PEOPLE:
            found = Person.objects.filter(department=departments[department], name=name).first()
            if found is None:
                found = services.organisation_object_save(
                    actor=None,
                    obj=Person(
                        department=departments[department],
                        unit=units[(department, unit)] if unit else None,
                        name=name,
                        duty=duty,
                        title=title,
                        phone=phone,
                    ),
                )
                created += 1
            people[name] = found

        for officer, number, authority, field, valid_from, valid_until in CERTIFICATES:
            if not EnforcementCertificate.objects.filter(number=number).exists():
                services.organisation_object_save(
                    actor=None,
                    obj=EnforcementCertificate(
                        person=people[officer],
                        number=number,
                        issuing_authority=authority,
                        enforcement_field=field,
                        valid_from=valid_from,
                        valid_until=valid_until,
                    ),
                )
                created += 1

        for demo in DEMO_USERS:
            if User.objects.filter(username=demo.username).exists():
                continue
            services.user_create(
                actor=None,
                username=demo.username,
                password=DEMO_PASSWORD,
                role=demo.role,
                jurisdiction=jurisdictions[demo.jurisdiction],
                department=departments[demo.department] if demo.department else None,
                last_name=demo.last_name,
                first_name=demo.first_name,
                email=f"{demo.username}@example.invalid",
            )
            created += 1
        return created
