import pytest

from core import services
from core.choices import DepartmentFunction, JurisdictionLevel, Role
from core.models import AuditEvent, Department, Jurisdiction
from core.permissions import Action, can
from tests.conftest import need


def test_levels_must_follow_the_tree(org):
    with pytest.raises(services.DomainError):
        services.jurisdiction_create(
            actor=None, code="410199", name="错层", level=JurisdictionLevel.TOWN, parent=org.city
        )
    assert org.town.path == "/410100/410106/410106001/"


def test_role_needs_matching_department(org):
    with pytest.raises(services.DomainError):
        services.user_create(
            actor=None,
            username="bad-reviewer",
            password="x",
            role=Role.REVIEWER,
            jurisdiction=org.city,
            department=org.departments["salt"],
        )


def test_reviewer_department_needs_a_field(org):
    with pytest.raises(services.DomainError):
        services.department_create(
            actor=None,
            jurisdiction=org.city,
            name="无领域审核部门",
            function=DepartmentFunction.LEAD_REVIEWER,
        )
    assert not Department.objects.filter(name="无领域审核部门").exists()


def test_city_administrator_reaches_district_but_not_the_reverse(org):
    city_admin = org.users[Role.ADMINISTRATOR]
    district_admin = org.district_users[Role.ADMINISTRATOR]
    assert can(city_admin, Action.CHANGE, org.district)
    assert not can(district_admin, Action.CHANGE, org.city)
    visible = Jurisdiction.objects.restrict(district_admin, Action.CHANGE)
    assert set(visible) == {org.district, org.town}


def test_every_creation_is_audited(org):
    assert AuditEvent.objects.filter(object_repr="上街区").exists()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_database_refuses_rewriting_the_trail(org):
    from django.db import connection, transaction

    need(connection.vendor == "postgresql", "the trigger exists on PostgreSQL only")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET actor_repr = 'x'")
