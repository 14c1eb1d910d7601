"""Registers at city and province scale for the benchmark (issue 11 §1): `manage.py
generate_scale --preset {city,province}`.

The generator writes straight into PostgreSQL with COPY, in batches, so a province of a million
entries with their history loads in minutes. It is reproducible: the same preset and seed give
the same rows. Each app adds its own rows through a module `scale.py` with a function
`scale_generate(run)`, called in the order of INSTALLED_APPS (core first: the organisation and the
users every other part refers to). Nothing here goes through the services: this is a bulk load of
data that the services would have written, with the same derived columns and history rows.
"""

import datetime
import importlib
import io
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from .choices import DepartmentFunction, JurisdictionLevel, ReviewField, Role
from .models import Department, Jurisdiction, User

# The password of every generated user: the benchmark logs in with it; the generated database
# is a throw-away one.
PASSWORD = "qingdan-scale"


@dataclass(frozen=True)
class Preset:
    """What one preset generates. `departments` per level: how many each jurisdiction of
    that level has (the functional ones included)."""

    name: str
    province: bool
    cities: int
    counties_per_city: int
    towns_per_county: int
    departments: dict[str, int]
    entries: int
    versions: float  # published versions per entry, on average
    laws: int
    requests: int
    open_steps: int
    complaints: int  # received over the last two years (complaints.scale)


PRESETS = {
    # Zhengzhou-sized (SPEC §3: 87 units, 7,478 city-level items at launch).
    "city": Preset(
        name="city",
        province=False,
        cities=1,
        counties_per_city=6,
        towns_per_county=5,
        departments={"city": 40, "district": 5, "town": 1},
        entries=10_000,
        versions=3.0,
        laws=120,
        requests=500,
        open_steps=1_000,
        complaints=20_000,
    ),
    "province": Preset(
        name="province",
        province=True,
        cities=18,
        counties_per_city=10,
        towns_per_county=11,
        departments={"province": 60, "city": 60, "district": 38, "town": 1},
        entries=1_000_000,
        versions=3.0,
        laws=600,
        requests=50_000,
        open_steps=100_000,
        complaints=200_000,
    ),
}

# Real names of Henan's cities: public place names. Counties and towns are invented.
CITY_NAMES = [
    "郑州市",
    "开封市",
    "洛阳市",
    "平顶山市",
    "安阳市",
    "鹤壁市",
    "新乡市",
    "焦作市",
    "濮阳市",
    "许昌市",
    "漯河市",
    "三门峡市",
    "南阳市",
    "商丘市",
    "信阳市",
    "周口市",
    "驻马店市",
    "济源市",
]
PLACE_FIRST = "金中二管惠上新登荥巩新中牟嵩伊汝宜洛孟偃栾嵩卫辉获长延封原阳滑浚淇温沁博武修"
PLACE_SECOND = "水原七城济街密阳义郑牟丰川阳宁津县安州泉乡陵山平德化兴明华康泰和顺宁昌"
TOWN_SUFFIX = ("镇", "乡", "街道")

# Departments of a jurisdiction: the functional ones first (every office, reviewer field,
# digital office and supervision a procedure needs), then the general ones.
FUNCTIONAL = (
    ("政务服务改革管理办公室", DepartmentFunction.REFORM_OFFICE, ""),
    ("机构编制委员会办公室", DepartmentFunction.LEAD_REVIEWER, ReviewField.ESTABLISHMENT),
    ("政府法制办公室", DepartmentFunction.LEAD_REVIEWER, ReviewField.LEGAL),
    ("政务服务中心", DepartmentFunction.LEAD_REVIEWER, ReviewField.SERVICE),
    ("财政局", DepartmentFunction.LEAD_REVIEWER, ReviewField.FINANCE),
    ("发展和改革委员会", DepartmentFunction.LEAD_REVIEWER, ReviewField.DEVELOPMENT),
    ("数字化办公室", DepartmentFunction.DIGITAL_OFFICE, ""),
    ("纪委监委", DepartmentFunction.SUPERVISION, ""),
)
GENERAL = [
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "城市管理局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "体育局",
    "统计局",
    "医疗保障局",
    "林业局",
    "园林局",
    "人民防空办公室",
    "民族宗教事务局",
    "档案局",
    "粮食和物资储备局",
    "烟草专卖局",
    "盐业管理局",
    "气象局",
    "消防救援支队",
    "税务局",
    "残疾人联合会",
    "机关事务管理局",
    "地方金融监督管理局",
    "信访局",
    "大数据管理局",
    "行政审批服务局",
    "住房公积金管理中心",
    "畜牧局",
    "水务局",
    "外事办公室",
    "侨务办公室",
    "地震局",
    "药品监督管理局",
    "知识产权局",
    "国有资产监督管理委员会",
    "供销合作社",
    "邮政管理局",
    "通信管理局",
    "文物局",
    "旅游发展委员会",
    "城乡规划局",
    "城市综合执法局",
    "房屋征收办公室",
    "口岸办公室",
]
LEVEL_PREFIX = {"province": "省", "city": "市", "district": "区", "town": ""}
FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN_NAMES = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玲文"


@dataclass
class JurisdictionRow:
    id: int
    code: str
    name: str
    level: str
    path: str
    parent_id: int | None


@dataclass
class DepartmentRow:
    id: int
    jurisdiction: JurisdictionRow
    name: str
    function: str
    review_field: str
    code: str = ""


@dataclass
class Run:
    """One generation: the preset, its random source, what the parts wrote before (the
    organisation, users, entries, …, in `made`) and the progress line."""

    preset: Preset
    seed: int
    now: datetime.datetime
    say: Callable[[str], None]
    made: dict = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def random(self, part: str) -> random.Random:
        """A random source of its own for each part, so one part's changes leave the rows of
        the others as they were."""
        return random.Random(f"{self.seed}:{part}")

    def progress(self, what: str, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self.started
        self.say(f"[{elapsed:7.1f} s] {what}: {done:,}/{total:,}")

    def copy(
        self, table: str, columns: Sequence[str], rows: Iterable[Sequence], what: str = ""
    ) -> int:
        """COPY `rows` into `table` in batches, telling the progress of `what` (if named)."""
        total = len(rows) if isinstance(rows, Sized) else 0
        names = ", ".join(f'"{column}"' for column in columns)
        done = 0
        for batch in _batches(rows, BATCH):
            buffer = io.StringIO()
            for row in batch:
                buffer.write("\t".join(_copy_value(value) for value in row))
                buffer.write("\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            done += len(batch)
            if what:
                self.progress(what, done, total or done)
        return done


BATCH = 50_000


def model_rows(model, rows: Iterable[dict]) -> tuple[list[str], Iterator[tuple]]:
    """The columns of `model` and `rows` (field name → value) as COPY rows: a field a row does
    not name gets the model's default, so a field added later with a default needs no change
    here. JSON is written as JSON."""
    columns = list(model._meta.concrete_fields)
    defaults = {column.attname: column.get_default() for column in columns}

    def values(row: dict) -> tuple:
        found = []
        for column in columns:
            value = row.get(column.attname, row.get(column.name, defaults[column.attname]))
            if isinstance(column, JSONField) and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False)
            found.append(value)
        return tuple(found)

    return [column.column for column in columns], (values(row) for row in rows)


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_value(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def next_ids(table: str, count: int) -> int:
    """Reserves `count` ids of `table`'s sequence; returns the first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


class indexes_deferred:
    """Drops the indexes of `tables` that back no constraint while a bulk load runs, and
    builds them again after it: building an index once over loaded rows is several times
    faster than maintaining it row by row (a GIN index above all)."""

    def __init__(self, run: Run, *tables: str) -> None:
        self.run, self.tables, self.definitions = run, tables, []

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = ANY(%s) AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [list(self.tables)],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is not None:
            return
        with connection.cursor() as cursor:
            # The loaded rows' deferred foreign-key checks run now: an index cannot be built
            # on a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in self.definitions:
                cursor.execute(definition)
        count = len(self.definitions)
        self.run.progress(f"indexes of {', '.join(self.tables)}", count, count)


def generate(*, preset: str, seed: int, say: Callable[[str], None]) -> Run:
    """Generates `preset` into the configured (PostgreSQL) database, which must hold no
    organisation yet. One transaction per part; ANALYZE at the end."""
    run = Run(preset=PRESETS[preset], seed=seed, now=timezone.now(), say=say)
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.scale")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.scale":
                raise
            continue
        with transaction.atomic():
            module.scale_generate(run)
    say("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    say(f"done in {time.perf_counter() - run.started:.0f} s")
    return run


# --- core's part: the organisation and its users --------------------------------------------


def _place_names(rng: random.Random, count: int, suffixes: Sequence[str], taken: set) -> list[str]:
    names = []
    while len(names) < count:
        name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + rng.choice(suffixes)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _jurisdictions(run: Run) -> list[JurisdictionRow]:
    preset, rng = run.preset, run.random("jurisdictions")
    rows: list[JurisdictionRow] = []
    per_city = 1 + preset.counties_per_city * (1 + preset.towns_per_county)
    total = int(preset.province) + preset.cities * per_city
    ids = iter(range(first := next_ids("core_jurisdiction", total), first + total))

    def add(code: str, name: str, level: str, parent: JurisdictionRow | None) -> JurisdictionRow:
        row = JurisdictionRow(
            id=next(ids),
            code=code,
            name=name,
            level=level,
            path=f"{parent.path if parent else '/'}{code}/",
            parent_id=parent.id if parent else None,
        )
        rows.append(row)
        return row

    province = (
        add("410000", "河南省", JurisdictionLevel.PROVINCE, None) if preset.province else None
    )
    taken: set[str] = set()
    for c in range(preset.cities):
        city = add(f"41{c + 1:02d}00", CITY_NAMES[c], JurisdictionLevel.CITY, province)
        for d, county_name in enumerate(
            _place_names(rng, preset.counties_per_city, ("区", "县"), taken)
        ):
            county = add(f"41{c + 1:02d}{d + 1:02d}", county_name, JurisdictionLevel.DISTRICT, city)
            for t, town_name in enumerate(
                _place_names(rng, preset.towns_per_county, TOWN_SUFFIX, taken)
            ):
                add(f"{county.code}{t + 1:03d}000", town_name, JurisdictionLevel.TOWN, county)
    columns, values = model_rows(
        Jurisdiction,
        (
            {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "path": r.path,
                "parent_id": r.parent_id,
            }
            for r in rows
        ),
    )
    run.copy("core_jurisdiction", columns, values, "jurisdictions")
    return rows


def _departments(run: Run, jurisdictions: list[JurisdictionRow]) -> list[DepartmentRow]:
    preset = run.preset
    rows: list[DepartmentRow] = []
    for jurisdiction in jurisdictions:
        count = preset.departments.get(jurisdiction.level, 0)
        prefix = jurisdiction.name if jurisdiction.level != JurisdictionLevel.TOWN else ""
        if jurisdiction.level == JurisdictionLevel.TOWN:
            rows.append(
                DepartmentRow(0, jurisdiction, f"{jurisdiction.name}人民政府", "general", "")
            )
            continue
        kinds = list(FUNCTIONAL) + [(name, DepartmentFunction.GENERAL, "") for name in GENERAL]
        for name, function, review_field in kinds[:count]:
            rows.append(DepartmentRow(0, jurisdiction, f"{prefix}{name}", function, review_field))
    first = next_ids("core_department", len(rows))
    for offset, row in enumerate(rows):
        row.id = first + offset
    columns, values = model_rows(
        Department,
        (
            {
                "id": r.id,
                "jurisdiction_id": r.jurisdiction.id,
                "name": r.name,
                "function": r.function,
                "review_field": r.review_field,
                "phone": _phone(r.id),
            }
            for r in rows
        ),
    )
    run.copy("core_department", columns, values, "departments")
    return rows


def _phone(number: int) -> str:
    # Invented numbers of the 0371 area, never a real person's (SPEC §2).
    return f"0371-6{number % 10_000_000:07d}"


ROLE_OF_FUNCTION = {
    DepartmentFunction.REFORM_OFFICE: Role.OFFICE,
    DepartmentFunction.LEAD_REVIEWER: Role.REVIEWER,
    DepartmentFunction.DIGITAL_OFFICE: Role.DIGITAL,
    DepartmentFunction.SUPERVISION: Role.SUPERVISOR,
    DepartmentFunction.GENERAL: Role.CLERK,
}


def _users(run: Run, departments: list[DepartmentRow]) -> dict[int, list[int]]:
    """One user per department, with the role its function calls for; returns the user ids
    of each department."""
    rng = run.random("users")
    password = make_password(PASSWORD)
    first = next_ids("core_user", len(departments))
    by_department: dict[int, list[int]] = {}
    rows = []
    for offset, department in enumerate(departments):
        user_id = first + offset
        by_department.setdefault(department.id, []).append(user_id)
        rows.append(
            {
                "id": user_id,
                "password": password,
                "username": f"scale-{offset + 1}",
                "first_name": rng.choice(GIVEN_NAMES),
                "last_name": rng.choice(FAMILY_NAMES),
                "email": f"scale-{offset + 1}@example.gov.cn",
                "date_joined": run.now,
                "role": ROLE_OF_FUNCTION[department.function],
                "jurisdiction_id": department.jurisdiction.id,
                "department_id": department.id,
            }
        )
    columns, values = model_rows(User, rows)
    run.copy("core_user", columns, values, "users")
    return by_department


def scale_generate(run: Run) -> None:
    from . import services

    if Jurisdiction.objects.exists():
        raise ValueError(
            "The database already holds an organisation: generate into an empty database "
            "(make bench creates its own)."
        )
    services.calendar_seed_from_package(actor=None)
    jurisdictions = _jurisdictions(run)
    departments = _departments(run, jurisdictions)
    users = _users(run, departments)
    run.made.update(jurisdictions=jurisdictions, departments=departments, users=users)
