"""Builds inspection data through the services, as the product itself would: a city with
departments to inspect, a joint inspection team from several departments, a random check
committed and drawn, findings, notices."""

import datetime
from dataclasses import dataclass, field

from core import services as core_services
from core.choices import DepartmentFunction, Role
from core.models import Department, User
from inspections import services
from inspections.models import InspectionContent, Plan, Problem
from tests.builders import Org, build_org, password_for


@dataclass
class InspectionOrg:
    org: Org
    units: dict[str, Department] = field(default_factory=dict)
    clerks: dict[str, User] = field(default_factory=dict)
    team: list[User] = field(default_factory=list)

    @property
    def supervisor(self) -> User:
        return self.org.users["supervisor"]

    @property
    def office(self) -> User:
        return self.org.users["office"]


UNITS = {"salt": None, "market": "市场监管局", "labour": "人社局", "transport": "交通运输局"}


def build_inspection_org() -> InspectionOrg:
    """build_org's city, with three more departments (each with a clerk) and a joint team of
    four: the clerks of the salt, market, labour and transport departments."""
    org = build_org()
    built = InspectionOrg(org=org)
    built.units["salt"] = org.departments["salt"]
    built.clerks["salt"] = org.users["clerk"]
    for key, name in UNITS.items():
        if name is None:
            continue
        built.units[key] = core_services.department_create(
            actor=None, jurisdiction=org.city, name=f"市{name}", function=DepartmentFunction.GENERAL
        )
        built.clerks[key] = core_services.user_create(
            actor=None,
            username=f"city-clerk-{key}",
            password=password_for("clerk"),
            role=Role.CLERK,
            jurisdiction=org.city,
            department=built.units[key],
            email=f"city-clerk-{key}@example.invalid",
        )
    built.team = [built.clerks[key] for key in UNITS]
    return built


def plan_random(built: InspectionOrg, **overrides) -> Plan:
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "title": "2026年第四季度“五单一网”随机抽查",
        "mode": "random",
        "basis": "刘政〔2016〕44号 联合督查办法 第五条（二）",
        "period_start": datetime.date(2026, 10, 1),
        "period_end": datetime.date(2026, 12, 31),
        "scope": list(built.units.values()),
        "contents": list(InspectionContent.objects.filter(code__in=["J1", "J3", "S3"])),
        "team": built.team,
        "frequency": "quarterly",
        "ratio": 50,
        "raised_ratio": 100,
        "per_target": 2,
    }
    values.update(overrides)
    return services.plan_create(**values)


def plan_drawn(built: InspectionOrg, **overrides) -> Plan:
    plan = plan_random(built, **overrides)
    services.draw_commit(actor=built.supervisor, plan=plan)
    services.plan_draw(actor=built.supervisor, plan=plan)
    plan.refresh_from_db()
    return plan


def problem_open(built: InspectionOrg, unit: str = "salt", **overrides) -> Problem:
    values = {
        "actor": built.supervisor,
        "jurisdiction": built.org.city,
        "department": built.units[unit],
        "title": "责任清单未在门户网站公开",
        "description": "检查发现该单位责任清单未在门户网站公开。",
        "source": "media",
        "reported_how": "《郑州日报》2026年11月2日",
        "found_on": datetime.date(2026, 11, 2),
        "content": InspectionContent.objects.get(code="R1"),
    }
    values.update(overrides)
    from inspections.services import ledger

    return ledger.problem_record(**values)
