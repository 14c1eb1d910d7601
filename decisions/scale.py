"""The decisions' part of a generated register (core.scale, issue 11 §1; issue 14): an own
enforcement body, confirmed, for each general department with licence or penalty items in
force, and published decisions made under those items over the last two years — licences
(行政许可) and penalties (行政处罚) of organisations, individual businesses and natural persons —
for the public search (issue 14 §3) at the preset's size: 20,000 in a city, 1,000,000 in a
province. `decisions_add` also tops a register up to any number (the bench measures the public
search at 1,000,000 decisions on every preset, bench.run).

Each row is what decision_record and decision_publish would have written: the item's version in
force on the decision date (its history row), the public columns (a natural person's name
masked, services.decisions.masked_person_name), the search vector (core.search), the credit
code with its check character (GB 32100-2015), the publication against its due moment (10 日
after service, the calendar's roll-over: SPEC §9), and one history row. Not the officers,
steps and events of each decision: the public search reads none of them, and at a million
decisions they would triple the load. Parties are invented (names from a few syllables,
numbers from the row's id), never real ones."""

import bisect
import datetime
import io
import json
import operator
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from complaints.scale import foreign_keys_deferred
from core import calendar
from core.checkers import CREDIT_CODE_CHARACTERS, credit_code_check_character
from core.choices import DeadlineUnit
from core.scale import Run, indexes_deferred, model_rows, next_ids
from core.search import vector_literal
from registry.choices import EntryStatus, ListKind

from .choices import (
    LICENCE_CATEGORY,
    PENALTY_CATEGORY,
    BodyKind,
    BodyState,
    DecisionState,
    PartyKind,
    PenaltyKind,
    Source,
)
from .models import Decision, EnforcementBody
from .services.decisions import masked_person_name

# Published decisions per preset (core.scale.PRESETS' names); a preset not named has none.
DECISIONS = {"city": 20_000, "province": 1_000_000}
HISTORY_DAYS = 730
# Decisions per COPY round: the rows of one round are held in memory, not the whole count.
CHUNK = 20_000
# Items per department the decisions are spread over (the first in force of each kind).
ITEMS_PER_DEPARTMENT = 6
PUBLISH_DAYS = 10  # seed 002 监督检查办法 第十三条: 决定书送达后10日内
# Parties: each department meets this many before it meets some again; after, one decision
# in NEW_PARTY is about a new party.
PARTIES_KNOWN = 200
NEW_PARTY = 0.3

PLACES = "金水中原二七管城惠济上街巩义荥阳新密新郑登封中牟"
TRADES = (
    "超市",
    "便利店",
    "餐饮",
    "食品经营部",
    "药房",
    "建材",
    "物流",
    "汽车维修",
    "加油站",
    "商贸",
    "印刷",
    "五金",
    "服装",
    "电子科技",
    "农资",
    "酒店",
)
BRANDS = "华盛鑫源泰丰瑞祥宏达恒通新隆安康永佳德润"
ORGANISATION_SUFFIX = ("有限公司", "有限责任公司", "股份有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玲文"
VIOLATIONS = (
    "未取得许可从事经营活动",
    "超范围经营",
    "销售过期食品",
    "未按规定明码标价",
    "未按规定公示证照信息",
    "生产销售不合格产品",
    "未建立进货查验记录",
    "擅自改变经营场所",
    "违规存放危险物品",
    "未落实安全生产责任",
)
LAWS = (
    "《中华人民共和国行政处罚法》",
    "《中华人民共和国食品安全法》",
    "《中华人民共和国产品质量法》",
    "《中华人民共和国价格法》",
    "《中华人民共和国安全生产法》",
)
# (kinds, weight): the penalties drawn (行政处罚法 第九条); fines below the major threshold.
PENALTIES = (
    ([PenaltyKind.WARNING], 30),
    ([PenaltyKind.FINE], 45),
    ([PenaltyKind.WARNING, PenaltyKind.FINE], 10),
    ([PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS], 10),
    ([PenaltyKind.CRITICISM], 5),
)
PARTY_KINDS = (
    (PartyKind.ORGANISATION, 70),
    (PartyKind.INDIVIDUAL_BUSINESS, 18),
    (PartyKind.PERSON, 12),
)
SOURCES = ((Source.API, 60), (Source.IMPORT, 20), (Source.SITE, 20))


@dataclass(frozen=True)
class Item:
    id: int
    department_id: int
    jurisdiction_id: int
    category_id: int
    category: str  # LICENCE_CATEGORY or PENALTY_CATEGORY
    name: str
    # (published at, version, history id, valid until), oldest first; their moments.
    versions: tuple
    moments: tuple


@dataclass(frozen=True)
class Place:
    department_id: int
    jurisdiction_id: int
    department: str
    jurisdiction: str
    region: str  # the jurisdiction's code: the credit codes' administrative division

    @property
    def short(self) -> str:
        """The department's short name in its decision numbers (郑州市教育局: 郑教育)."""
        return self.jurisdiction[:1] + self.department.removeprefix(self.jurisdiction)[:2]

    body_id: int
    body: str
    items: tuple[Item, ...]


def _items() -> dict[int, list[Item]]:
    """Up to ITEMS_PER_DEPARTMENT licence and penalty items in force of each general
    department, with their published versions. Two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, department_id, jurisdiction_id, category_id, code, name FROM (
                SELECT e.id, e.department_id, e.jurisdiction_id, e.category_id, c.code, e.name,
                       row_number() OVER (PARTITION BY e.department_id ORDER BY e.id) AS n
                FROM registry_entry e JOIN registry_category c ON c.id = e.category_id
                WHERE e.status = %s AND e.list_kind IN (%s, %s) AND c.code IN (%s, %s)
            ) AS ranked WHERE n <= %s ORDER BY id
            """,
            [
                EntryStatus.IN_FORCE,
                ListKind.POWER,
                ListKind.APPROVAL,
                LICENCE_CATEGORY,
                PENALTY_CATEGORY,
                ITEMS_PER_DEPARTMENT,
            ],
        )
        entries = cursor.fetchall()
        cursor.execute(
            "SELECT id, history_date, version, history_id, valid_until "
            "FROM registry_historicalentry WHERE id = ANY(%s) ORDER BY id, history_date",
            [[row[0] for row in entries]],
        )
        versions: dict[int, list] = {}
        for entry_id, *version in cursor.fetchall():
            versions.setdefault(entry_id, []).append(tuple(version))
    found: dict[int, list[Item]] = {}
    for entry_id, department_id, jurisdiction_id, category_id, code, name in entries:
        item = Item(
            entry_id,
            department_id,
            jurisdiction_id,
            category_id,
            code,
            name,
            tuple(versions.get(entry_id, ())),
            tuple(version[0] for version in versions.get(entry_id, ())),
        )
        found.setdefault(department_id, []).append(item)
    return found


def _bodies(run: Run, departments: list[int], confirmed_at: datetime.datetime) -> dict[int, int]:
    """Each department's confirmed own body: those it has, and one made for those without."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT department_id, min(id) FROM decisions_enforcementbody "
            "WHERE state = %s AND department_id = ANY(%s) GROUP BY department_id",
            [BodyState.CONFIRMED, departments],
        )
        found = dict(cursor.fetchall())
        missing = [d for d in departments if d not in found]
        if not missing:
            return found
        cursor.execute(
            "SELECT id, name FROM core_department WHERE id = ANY(%s) ORDER BY id", [missing]
        )
        names = dict(cursor.fetchall())
    first = next_ids(EnforcementBody._meta.db_table, len(missing))
    rows = []
    for offset, department in enumerate(missing):
        found[department] = first + offset
        rows.append(
            {
                "id": first + offset,
                "department_id": department,
                "name": names[department],
                "kind": BodyKind.OWN,
                "basis": "《中华人民共和国行政处罚法》第十七条",
                "state": BodyState.CONFIRMED,
                "confirmed_at": confirmed_at,
            }
        )
    run.copy(EnforcementBody._meta.db_table, *model_rows(EnforcementBody, rows), "bodies")
    run.copy(
        *_history_rows(
            EnforcementBody,
            (
                row
                | {"history_date": confirmed_at, "history_type": "+", "history_change_reason": ""}
                for row in rows
            ),
        ),
    )
    return found


def _history_rows(model, rows) -> tuple[str, list[str], Iterator[tuple]]:
    """The history table of `model` and `rows` as COPY rows, without the history's own id (its
    sequence numbers them, as simple-history's inserts would)."""
    history = model.history.model
    columns, values = model_rows(history, rows)
    keep = [i for i, column in enumerate(columns) if column != "history_id"]
    return (
        history._meta.db_table,
        [columns[i] for i in keep],
        (tuple(row[i] for i in keep) for row in values),
    )


def _places(run: Run, since: datetime.datetime) -> list[Place]:
    items = _items()
    if not items:
        return []
    bodies = _bodies(run, sorted(items), since - datetime.timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.name, j.name, j.code FROM core_department d "
            "JOIN core_jurisdiction j ON j.id = d.jurisdiction_id WHERE d.id = ANY(%s)",
            [sorted(items)],
        )
        departments = {row[0]: row[1:] for row in cursor.fetchall()}
    return [
        Place(
            department_id=department,
            jurisdiction_id=found[0].jurisdiction_id,
            department=departments[department][0],
            jurisdiction=departments[department][1],
            region=(departments[department][2] + "000000")[:6],
            body_id=bodies[department],
            body=departments[department][0],
            items=tuple(found),
        )
        for department, found in sorted(items.items())
    ]


def _credit_code(kind: str, region: str, number: int) -> str:
    """A code of the form of GB 32100-2015 with its check character: 91 (a company) or 92
    (an individual business), the region, then nine characters from the row's number."""
    own = ""
    for _position in range(9):
        number, digit = divmod(number, len(CREDIT_CODE_CHARACTERS))
        own = CREDIT_CODE_CHARACTERS[digit] + own
    first = ("91" if kind == PartyKind.ORGANISATION else "92") + region + own
    return first + credit_code_check_character(first)


class Generator:
    """Draws decisions for `places`, decided between `since` and `until`."""

    def __init__(self, rng: random.Random, places: list[Place], now: datetime.datetime) -> None:
        self.rng, self.places, self.now = rng, places, now
        self.until = timezone.localdate(now) - datetime.timedelta(days=15)
        self.since = self.until - datetime.timedelta(days=HISTORY_DAYS)
        self.due: dict[datetime.date, datetime.datetime] = {}
        # One window of the calendar for every due moment (each would load its own).
        self.window = calendar.CalendarWindow(self.since, self.until + datetime.timedelta(days=60))
        self.penalties, self.penalty_weights = zip(*PENALTIES, strict=True)
        self.party_kinds, self.party_weights = zip(*PARTY_KINDS, strict=True)
        self.parties: dict[int, list[tuple]] = {}
        self.made = 0
        self.firsts: dict[int, datetime.date] = {}
        self.ends: dict[datetime.date, datetime.datetime] = {}

    def first_day(self, item: Item) -> datetime.date:
        """The first day a decision under `item` is drawn on: its first version's, or the
        period's."""
        if item.id not in self.firsts:
            first = timezone.localdate(item.moments[0]) if item.moments else self.since
            self.firsts[item.id] = min(max(self.since, first), self.until)
        return self.firsts[item.id]

    def end_of_day(self, day: datetime.date) -> datetime.datetime:
        if day not in self.ends:
            self.ends[day] = calendar.end_of_day(day)
        return self.ends[day]

    def _due(self, served: datetime.date) -> datetime.datetime:
        """The publication's due moment: 10 calendar days after service, rolled over."""
        if served not in self.due:
            self.due[served] = calendar.add(
                served, PUBLISH_DAYS, DeadlineUnit.CALENDAR_DAYS, window=self.window
            ).due
        return self.due[served]

    def _party(self, place: Place) -> tuple[str, str, str, str, str]:
        """(kind, name, credit code, legal representative, name as published): a party of the
        department's earlier decisions (many parties come back), else a new one."""
        rng = self.rng
        known = self.parties.setdefault(place.department_id, [])
        if len(known) >= PARTIES_KNOWN and rng.random() > NEW_PARTY:
            return rng.choice(known)
        self.made += 1
        kind = rng.choices(self.party_kinds, self.party_weights)[0]
        person = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        trade = rng.choice(TRADES)
        if kind == PartyKind.PERSON:
            party = (kind, person, "", "", masked_person_name(person))
        else:
            if kind == PartyKind.INDIVIDUAL_BUSINESS:
                town = PLACES[2 * rng.randrange(len(PLACES) // 2) :][:2]
                name = f"{place.jurisdiction}{town}{person[0]}记{trade}"
            else:
                brand = "".join(rng.choices(BRANDS, k=2))
                name = f"{place.jurisdiction}{brand}{trade}{rng.choice(ORGANISATION_SUFFIX)}"
            party = (kind, name, _credit_code(kind, place.region, self.made), person, name)
        known.append(party)
        return party

    def row(self, decision_id: int) -> dict:
        rng = self.rng
        place = rng.choice(self.places)
        item = rng.choice(place.items)
        first = self.first_day(item)
        decided = first + datetime.timedelta(days=rng.randrange((self.until - first).days + 1))
        moment = self.end_of_day(decided)
        at = bisect.bisect_right(item.moments, moment) - 1
        version = item.versions[at] if at >= 0 else None
        in_force = version is not None and (version[3] is None or version[3] > moment)
        served = decided + datetime.timedelta(days=rng.choice((0, 1, 1, 2, 3, 5)))
        published = datetime.datetime.combine(
            served + datetime.timedelta(days=rng.choice((1, 2, 3, 5, 7, 9, 9, 12))),
            datetime.time(9, rng.randrange(60)),
            tzinfo=calendar.SHANGHAI,
        )
        published = min(published, self.now)
        kind, party, code, representative, public_party = self._party(place)
        who = public_party if kind != PartyKind.PERSON else "个人"
        year = decided.year
        values = {
            "id": decision_id,
            "department_id": place.department_id,
            "jurisdiction_id": place.jurisdiction_id,
            "body_id": place.body_id,
            "item_id": item.id,
            "item_version": version[1] if version else None,
            "item_history_id": version[2] if version else None,
            "item_not_in_force": not in_force,
            "category_id": item.category_id,
            "party_kind": kind,
            "party_name": party,
            "party_credit_code": code,
            "legal_representative": representative,
            "filed_on": decided - datetime.timedelta(days=rng.randrange(5, 60)),
            "decided_on": decided,
            "served_on": served,
            "state": rng.choices(
                (DecisionState.SERVED, DecisionState.EXECUTED, DecisionState.REVOKED),
                (60, 39.8, 0.2),
            )[0],
            "source": rng.choices(*zip(*SOURCES, strict=True))[0],
            "published_at": published,
            "published_late": published > self._due(served),
            "created_at": datetime.datetime.combine(
                served, datetime.time(10), tzinfo=calendar.SHANGHAI
            ),
            "updated_at": published,
        }
        law = rng.choice(LAWS)
        article = f"第{rng.randint(10, 90)}条"
        if item.category == PENALTY_CATEGORY:
            violation = rng.choice(VIOLATIONS)
            kinds = rng.choices(self.penalties, self.penalty_weights)[0]
            fine = rng.randrange(5, 400) * 100 if PenaltyKind.FINE in kinds else None
            values.update(
                number=f"{place.short}罚〔{year}〕{decision_id}号",
                title=f"{who}{violation}案",
                content=f"经查，当事人于{decided:%Y年%m月}{violation}，违反了{law}{article}的规定。",
                basis=f"{law}{article}",
                penalty_kinds=list(kinds),
                fine_amount=fine,
                confiscated_amount=rng.randrange(1, 100) * 100
                if PenaltyKind.CONFISCATE_GAINS in kinds
                else None,
            )
        else:
            values.update(
                number=f"{place.short}许〔{year}〕{decision_id}号",
                title=f"{who}{item.name}",
                content=f"经审查，{who}的申请符合法定条件、标准，准予{item.name}。",
                basis=f"《中华人民共和国行政许可法》第三十八条；{law}{article}",
                licence_name=f"{item.name[:40]}决定书",
                licence_number=f"{place.region}{year}{decision_id:08d}",
                valid_from=decided,
                valid_until=decided.replace(year=decided.year + 5)
                if (decided.month, decided.day) != (2, 29)
                else decided + datetime.timedelta(days=365 * 5),
            )
        values.update(
            public_title=values["title"],
            public_party_name=public_party,
            public_content=values["content"],
            public_basis=values["basis"],
            search_vector=vector_literal(
                f"{values['title']} {public_party} {values['number']}",
                f"{place.body} {item.name} {place.department}",
            ),
        )
        return values


def _text(value) -> str:
    """A value in COPY's text format (the common types first: a million rows go through it)."""
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
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return _text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _copy(model, rows: list[dict], skip: tuple[str, ...] = ()) -> tuple[str, io.StringIO]:
    """The COPY of `rows` (column → value) into `model`'s table: a column a row does not name
    gets the field's default (core.scale.model_rows, but each row read in the columns' order in
    C); `skip`: columns left to the table (a sequence)."""
    fields = [f for f in model._meta.concrete_fields if f.column not in skip]
    defaults = {f.attname: f.get_default() for f in fields}
    values = operator.itemgetter(*(f.attname for f in fields))
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(_text, values(defaults | row))))
        buffer.write("\n")
    columns = ", ".join(f'"{f.column}"' for f in fields)
    return f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer


def _send(database, copies: list[tuple[str, io.StringIO]]) -> None:
    with database.cursor() as cursor:
        for statement, buffer in copies:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)


def decisions_add(run: Run, total: int, *, history: bool = True) -> int:
    """Adds `total` published decisions to the register (PostgreSQL), spread over the general
    departments that have licence or penalty items in force; returns how many it added (none
    when no department has such an item). `history`: a history row for each, as the services
    write (the bench's top-up of a scratch copy, which only the public search reads, leaves
    them out)."""
    if total <= 0:
        return 0
    places = _places(run, run.now - datetime.timedelta(days=HISTORY_DAYS + 30))
    if not places:
        return 0
    generator = Generator(run.random(f"decisions:{total}"), places, run.now)
    historical = Decision.history.model
    tables = [Decision._meta.db_table] + [historical._meta.db_table] * history
    done = 0
    with connection.cursor() as cursor:
        # The bodies just loaded have their foreign keys' checks pending: a table cannot lose
        # a key while checks on a table it refers to wait.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with foreign_keys_deferred(*tables), indexes_deferred(run, *tables):
        # PostgreSQL loads a round while the next one is drawn (as complaints.scale does): a
        # thread sends it on the transaction's own connection, and this one touches the
        # connection only once the send has finished.
        database = connection.connection
        with ThreadPoolExecutor(max_workers=1) as sender:
            sending = None
            while done < total:
                count = min(CHUNK, total - done)
                if sending is not None:
                    sending.result()
                    run.progress("decisions", done, total)
                first = next_ids(tables[0], count)
                rows = [generator.row(first + offset) for offset in range(count)]
                copies = [_copy(Decision, rows)]
                if history:
                    versions = [
                        row | {"history_date": row["published_at"], "history_type": "+"}
                        for row in rows
                    ]
                    copies.append(_copy(historical, versions, skip=("history_id",)))
                done += count
                sending = sender.submit(_send, database, copies)
            if sending is not None:
                sending.result()
                run.progress("decisions", done, total)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    return done


def scale_generate(run: Run) -> None:
    added = decisions_add(run, DECISIONS.get(run.preset.name, 0))
    run.made.update(decisions=added)
