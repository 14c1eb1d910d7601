"""Builds test organisations through the services, as the product itself would."""

from dataclasses import dataclass, field

from core import services
from core.choices import DepartmentFunction, JurisdictionLevel, ReviewField, Role
from core.models import Department, Jurisdiction, User


@dataclass
class Org:
    city: Jurisdiction
    district: Jurisdiction
    town: Jurisdiction
    departments: dict[str, Department] = field(default_factory=dict)
    district_departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    district_users: dict[str, User] = field(default_factory=dict)


ROLE_DEPARTMENT = {
    Role.CLERK: "salt",
    Role.OFFICE: "office",
    Role.REVIEWER: "legal",
    Role.DIGITAL: "digital",
    Role.SUPERVISOR: "supervision",
    Role.ADMINISTRATOR: None,
}


def password_for(role: str) -> str:
    return f"pw-{role}"


def _departments(jurisdiction: Jurisdiction, prefix: str) -> dict[str, Department]:
    specs = {
        "office": ("改革办", DepartmentFunction.REFORM_OFFICE, ""),
        "legal": ("法制办", DepartmentFunction.LEAD_REVIEWER, ReviewField.LEGAL),
        "establishment": ("编办", DepartmentFunction.LEAD_REVIEWER, ReviewField.ESTABLISHMENT),
        "digital": ("数字办", DepartmentFunction.DIGITAL_OFFICE, ""),
        "supervision": ("纪委监察", DepartmentFunction.SUPERVISION, ""),
        "salt": ("盐业管理局", DepartmentFunction.GENERAL, ""),
    }
    return {
        key: services.department_create(
            actor=None,
            jurisdiction=jurisdiction,
            name=f"{prefix}{name}",
            function=function,
            review_field=review_field,
        )
        for key, (name, function, review_field) in specs.items()
    }


def _users(jurisdiction, departments, prefix: str) -> dict[str, User]:
    users = {}
    for role, department_key in ROLE_DEPARTMENT.items():
        users[role.value] = services.user_create(
            actor=None,
            username=f"{prefix}{role.value}",
            password=password_for(role.value),
            role=role,
            jurisdiction=jurisdiction,
            department=departments[department_key] if department_key else None,
            email=f"{prefix}{role.value}@example.invalid",
        )
    return users


def build_org() -> Org:
    city = services.jurisdiction_create(
        actor=None, code="410100", name="郑州市", level=JurisdictionLevel.CITY
    )
    district = services.jurisdiction_create(
        actor=None, code="410106", name="上街区", level=JurisdictionLevel.DISTRICT, parent=city
    )
    town = services.jurisdiction_create(
        actor=None,
        code="410106001",
        name="济源路街道",
        level=JurisdictionLevel.TOWN,
        parent=district,
    )
    org = Org(city=city, district=district, town=town)
    org.departments = _departments(city, "市")
    org.district_departments = _departments(district, "上街区")
    org.users = _users(city, org.departments, "city-")
    org.district_users = _users(district, org.district_departments, "district-")
    return org
