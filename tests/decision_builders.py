"""Builds decisions data through the services, as the product itself would: an organisation
(tests.builders) with the salt bureau's enforcement body confirmed, three officers (two with
valid certificates, one whose certificate expired), a published penalty item and a licence
item."""

import datetime
from dataclasses import dataclass, field

from core.models import Department, Person, User
from decisions import services
from decisions.models import Decision, EnforcementBody
from registry.models import Entry
from tests import registry_builders
from tests.builders import Org, build_org

# Valid per GB 32100-2015 (check characters computed).
CREDIT_CODES = ("91410100MA44X6Y2X0", "91410100MA45AAA139", "92410106MA40KD0K48")


@dataclass
class DecisionOrg:
    org: Org
    department: Department
    clerk: User
    body: EnforcementBody
    officers: list[Person]
    expired: Person
    penalty_item: Entry
    licence_item: Entry
    people: dict[str, User] = field(default_factory=dict)


def build_decision_org(org: Org | None = None) -> DecisionOrg:
    org = org or build_org()
    department = org.departments["salt"]
    clerk = org.users["clerk"]
    body = services.body_save(
        actor=clerk,
        department=department,
        values={"name": "市盐业管理局", "kind": "own", "basis": "《食盐专营办法》第四条"},
    )
    services.body_confirm(actor=org.users["office"], body=body)
    officers = []
    for index, name in enumerate(("王执法", "李执法")):
        person = services.officer_save(actor=clerk, department=department, name=name)
        services.certificate_save(
            actor=clerk,
            person=person,
            number=f"豫A0100{index}",
            issuing_authority="郑州市人民政府",
            enforcement_field="盐业",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2030, 12, 31),
        )
        officers.append(person)
    expired = services.officer_save(actor=clerk, department=department, name="赵过期")
    services.certificate_save(
        actor=clerk,
        person=expired,
        number="豫A09999",
        issuing_authority="郑州市人民政府",
        enforcement_field="盐业",
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2025, 12, 31),
    )
    penalty_item = registry_builders.publish(
        department,
        name="对违反食盐专营规定的处罚",
        basic_code="0200001000",
        category=registry_builders.category(name="行政处罚").pk,
        flow=[
            {"step": "立案", "post": "执法岗", "limit_days": 5},
            {"step": "调查", "post": "执法岗", "limit_days": 30},
            {"step": "决定", "post": "负责人", "limit_days": 10},
        ],
        star_level=None,
    )
    licence_item = registry_builders.publish(
        department,
        name="食盐定点批发企业审批",
        basic_code="0100001000",
        category=registry_builders.category(name="行政许可").pk,
    )
    return DecisionOrg(
        org=org,
        department=department,
        clerk=clerk,
        body=body,
        officers=officers,
        expired=expired,
        penalty_item=penalty_item,
        licence_item=licence_item,
    )


def penalty_values(**overrides) -> dict:
    values = {
        "title": "某盐业公司违规经营食盐案",
        "number": "郑盐罚〔2026〕1号",
        "party_kind": "organisation",
        "party_name": "郑州某盐业有限公司",
        "party_credit_code": CREDIT_CODES[0],
        "legal_representative": "孙某",
        "content": "当事人未取得食盐定点批发许可从事食盐批发。",
        "basis": "《食盐专营办法》第二十六条",
        "penalty_kinds": ["fine"],
        "fine_amount": "20000",
        "filed_on": datetime.date(2026, 9, 1),
        "decided_on": datetime.date(2026, 9, 20),
    }
    values.update(overrides)
    return values


def record_penalty(built: DecisionOrg, *, officers=None, **overrides) -> Decision:
    return services.decision_record(
        actor=built.clerk,
        department=built.department,
        given=services.DecisionValues(
            body=built.body,
            item=built.penalty_item,
            officers=officers if officers is not None else built.officers,
            values=penalty_values(**overrides),
        ),
    )


# --- published decisions, for the public pages (tests/test_decisions_public*.py) -------------

# The organisation is built before the decisions' dates (its items must be in force then).
ORG_BUILT_AT = datetime.datetime(2026, 8, 1, 2, tzinfo=datetime.UTC)


def build_decision_org_in_august() -> DecisionOrg:
    import time_machine

    with time_machine.travel(ORG_BUILT_AT, tick=False):
        return build_decision_org()


def licence_values(**overrides) -> dict:
    values = {
        "title": "郑州某盐业批发有限公司食盐定点批发许可",
        "number": "郑盐许〔2026〕1号",
        "party_kind": "organisation",
        "party_name": "郑州某盐业批发有限公司",
        "party_credit_code": CREDIT_CODES[1],
        "legal_representative": "钱某",
        "content": "准予当事人从事食盐定点批发。",
        "basis": "《食盐专营办法》第十四条",
        "licence_name": "食盐定点批发企业证书",
        "licence_number": "豫盐批2026001",
        "valid_from": datetime.date(2026, 9, 20),
        "valid_until": datetime.date(2031, 9, 19),
        "filed_on": datetime.date(2026, 9, 1),
        "decided_on": datetime.date(2026, 9, 20),
    }
    values.update(overrides)
    return values


def published(
    built: DecisionOrg,
    *,
    licence: bool = False,
    published_on: datetime.date = datetime.date(2026, 9, 23),
    redactions=(),
    **overrides,
) -> Decision:
    """A decision recorded as served the day before `published_on` and published that day
    (redacted where `redactions` say), through the services."""
    import time_machine

    served = published_on - datetime.timedelta(days=1)
    moment = datetime.datetime.combine(published_on, datetime.time(2), tzinfo=datetime.UTC)
    with time_machine.travel(moment - datetime.timedelta(days=1), tick=False):
        if licence:
            decision = services.decision_record(
                actor=built.clerk,
                department=built.department,
                given=services.DecisionValues(
                    body=built.body,
                    item=built.licence_item,
                    officers=built.officers[:1],
                    values=licence_values(served_on=served, **overrides),
                ),
            )
        else:
            decision = record_penalty(built, served_on=served, **overrides)
    with time_machine.travel(moment, tick=False):
        return services.decision_publish(
            actor=built.clerk, decision=decision, redactions=list(redactions)
        )
