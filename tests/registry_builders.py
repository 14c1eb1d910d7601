"""Builds register data through registry.services, as the product itself would."""

import datetime
import io

from openpyxl import Workbook

from registry import importer, services
from registry.choices import ChangeSource, LawLevel, ListKind
from registry.models import Category, Entry, Law


def category(list_kind: str = ListKind.POWER, name: str = "行政确认") -> Category:
    return Category.objects.get(list_kind=list_kind, name=name)


def law(name: str = "中华人民共和国残疾人保障法", articles=None) -> Law:
    found = Law.objects.filter(name=name).first()
    if found:
        return found
    created = services.law_save(
        actor=None,
        name=name,
        level=LawLevel.LAW,
        issuing_body="全国人民代表大会常务委员会",
        effective_date=datetime.date(2008, 7, 1),
    )
    services.provisions_save(
        actor=None,
        law=created,
        provisions=articles
        or [
            ("第八条", "中国残疾人联合会及其地方组织……"),
            ("第九条", "残疾人的扶养人必须对残疾人履行扶养义务。"),
        ],
    )
    return created


def entry_payload(**overrides) -> dict:
    cited = law()
    payload = {
        "category": category().pk,
        "name": "残疾人证核发",
        "basic_code": "0700001000",
        "basis": [cited.provisions.first().pk],
        "flow": [
            {
                "step": "受理",
                "post": "窗口受理岗",
                "risk_point": "不一次性告知",
                "risk_level": "low",
                "control_measure": "一次性告知单",
            },
            {"step": "审核", "post": "审核岗"},
            {"step": "发证", "post": "发证岗"},
        ],
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "star_level": 3,
        "responsibilities": [
            {
                "stage": "accept",
                "duty": "依法受理申请",
                "circumstances": "不予受理不说明理由",
                "basis": "",
            }
        ],
    }
    payload.update(overrides)
    return payload


def publish(
    department, *, actor=None, source=ChangeSource.IMPORT, reason="测试导入", **overrides
) -> Entry:
    list_kind = overrides.pop("list_kind", ListKind.POWER)
    (entry,) = services.entries_publish(
        actor=actor,
        changes=[
            services.EntryChange(
                payload=entry_payload(**overrides),
                list_kind=list_kind,
                jurisdiction=department.jurisdiction,
                department=department,
            )
        ],
        source=source,
        reference="test",
        reason=reason,
    )
    return entry


def republish(entry: Entry, *, actor=None, reason="更正", **changes) -> Entry:
    payload = services.entry_payload(entry)
    payload.update(changes)
    (updated,) = services.entries_publish(
        actor=actor,
        changes=[services.EntryChange(payload=payload, entry=entry)],
        source=ChangeSource.CORRECTION,
        reason=reason,
    )
    return updated


def import_workbook() -> bytes:
    """An import workbook (registry.importer's template layout) with no rows."""
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet(importer.sheet_title(ListKind.POWER))
    sheet.append([importer.column_label(key) for key in importer.columns(ListKind.POWER)])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
