"""The register of the 50,000-entry export tests (tests/test_exports_large.py): published
power items written in bulk with their history rows, as an import would leave them."""

import random

from django.db import connection
from simple_history.utils import bulk_create_with_history

from core import services as core_services
from core.choices import JurisdictionLevel
from registry import services
from registry.choices import ChangeSource, ListKind
from registry.models import Category, Entry
from registry.services import derived_fields

WORDS = [
    "残疾人证核发",
    "烟草专卖零售许可",
    "粮食收购资格核准",
    "公民民族成份确认",
    "农村村民住宅用地审批",
    "最低生活保障待遇认定",
    "公共租赁住房保障",
    "新型农村合作医疗登记",
    "食盐定点批发许可",
    "城市绿化工程验收",
    "户外广告设置许可",
    "建筑垃圾处置核准",
    "排水许可",
    "临时占用城市绿地审批",
    "医疗机构执业登记",
]


def register_fill(total: int) -> str:
    """A throw-away register of `total` published power items (one history row each) under a
    city and 20 districts with 40 departments each, written in bulk; returns the code of the
    middle entry."""
    random.seed(2015)
    city = core_services.jurisdiction_create(
        actor=None, code="410100", name="郑州市", level=JurisdictionLevel.CITY
    )
    districts = [
        core_services.jurisdiction_create(
            actor=None,
            code=f"4101{n:02d}",
            name=f"第{n}区",
            level=JurisdictionLevel.DISTRICT,
            parent=city,
        )
        for n in range(2, 22)
    ]
    departments = [
        core_services.department_create(
            actor=None, jurisdiction=jurisdiction, name=f"{jurisdiction.name}第{n}局"
        )
        for jurisdiction in [city, *districts]
        for n in range(1, 41)
    ]
    categories = list(Category.objects.filter(list_kind=ListKind.POWER))
    batch = []
    for number in range(total):
        department = departments[number % len(departments)]
        category = random.choice(categories)
        name = random.choice(WORDS) + ("" if number % 7 else "（子项）")
        basic = f"{category.code}{number:05d}000"[:10]
        entry = Entry(
            list_kind=ListKind.POWER,
            category=category,
            jurisdiction_id=department.jurisdiction_id,
            department=department,
            basic_code=basic,
            code=f"{basic}-{number}",
            name=name,
            version=1,
            basis_note="《中华人民共和国行政许可法》",
        )
        entry.jurisdiction = department.jurisdiction
        derived_fields(entry, {})
        batch.append(entry)
        if len(batch) == 5000 or number == total - 1:
            bulk_create_with_history(
                batch, Entry, batch_size=1000, default_change_reason=str(ChangeSource.IMPORT)
            )
            batch = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    # Written past entries_publish: the published state moves on as a publication's would.
    services.publication_advance(actor=None)
    return Entry.objects.order_by("pk").values_list("code", flat=True)[total // 2]
