"""The administrators' pages (Django admin): scoped by core.permissions, saved through the
services, audited; no other role gets in."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core import services
from core.choices import AuditAction, DepartmentFunction, JurisdictionLevel, PersonDuty, Role
from core.models import AuditEvent, Department, EnforcementCertificate, Jurisdiction, Person, User

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _department_form(department: Department, **changes) -> dict:
    data = {
        "jurisdiction": department.jurisdiction_id,
        "name": department.name,
        "short_name": department.short_name,
        "function": department.function,
        "review_field": department.review_field,
        "address": department.address,
        "phone": department.phone,
        "website": department.website,
    }
    return {**data, **changes}


@pytest.fixture
def district_admin_client(client, org):
    client.force_login(org.district_users[Role.ADMINISTRATOR])
    return client


@pytest.fixture
def city_admin_client(client, org):
    client.force_login(org.users[Role.ADMINISTRATOR])
    return client


def test_a_district_administrator_does_not_see_the_citys_departments(district_admin_client, org):
    response = district_admin_client.get(reverse("admin:core_department_changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].result_list)
    assert listed == set(org.district_departments.values())
    assert "市盐业管理局" not in response.content.decode().replace("上街区盐业管理局", "")


def test_a_district_administrator_cannot_open_or_change_a_city_department(
    district_admin_client, org
):
    department = org.departments["salt"]
    url = reverse("admin:core_department_change", args=[department.pk])
    response = district_admin_client.get(url)
    # The admin answers as for a row that does not exist: back to the index, nothing shown.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    district_admin_client.post(url, _department_form(department, phone="0371-09999999"))
    department.refresh_from_db()
    assert department.phone == ""


def test_a_district_administrator_cannot_create_in_the_city(district_admin_client, org):
    response = district_admin_client.post(
        reverse("admin:core_department_add"),
        {"jurisdiction": org.city.pk, "name": "越权部门", "function": DepartmentFunction.GENERAL},
        **ENGLISH,
    )
    assert response.status_code == 200
    assert "jurisdiction" in response.context["adminform"].form.errors
    assert not Department.objects.filter(name="越权部门").exists()


def test_the_service_refuses_moving_a_department_out_of_scope(org):
    department = org.district_departments["salt"]
    department.jurisdiction = org.city
    with pytest.raises(services.DomainError):
        services.organisation_object_save(
            actor=org.district_users[Role.ADMINISTRATOR],
            obj=department,
            changed_fields=["jurisdiction"],
        )
    department.refresh_from_db()
    assert department.jurisdiction == org.district


def test_saving_through_the_admin_writes_an_audit_row(city_admin_client, org):
    response = city_admin_client.post(
        reverse("admin:core_department_add"),
        {
            "jurisdiction": org.district.pk,
            "name": "上街区园林局",
            "function": DepartmentFunction.GENERAL,
        },
    )
    assert response.status_code == 302
    created = Department.objects.get(name="上街区园林局")
    # By content type too: another kind of row may have the same id (ids of each table count
    # on their own, whatever ran before in this process).
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(Department),
        object_id=str(created.pk),
    )
    assert event.actor == org.users[Role.ADMINISTRATOR]
    assert event.jurisdiction == org.district


def test_model_validation_errors_are_shown_in_the_form(city_admin_client, org):
    response = city_admin_client.post(
        reverse("admin:core_department_add"),
        {
            "jurisdiction": org.city.pk,
            "name": "无领域审核部门",
            "function": DepartmentFunction.LEAD_REVIEWER,
        },
        **ENGLISH,
    )
    assert response.status_code == 200
    assert "A lead review department needs a review field" in response.content.decode()
    assert not Department.objects.filter(name="无领域审核部门").exists()


def test_adding_a_user_sets_role_scope_and_password_through_the_service(city_admin_client, org):
    response = city_admin_client.post(
        reverse("admin:core_user_add"),
        {
            "username": "new-admin",
            "usable_password": "true",
            "password1": "Longer-Passw0rd-2026",
            "password2": "Longer-Passw0rd-2026",
            "role": Role.ADMINISTRATOR,
            "jurisdiction": org.district.pk,
            "department": "",
            "last_name": "测",
            "first_name": "试",
            "email": "",
            "phone": "",
            # Not a field of the form: must be ignored.
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-admin")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("Longer-Passw0rd-2026")
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(user.pk)).exists()


def test_changing_a_role_keeps_admin_access_in_step(city_admin_client, org):
    clerk = org.users[Role.CLERK]
    response = city_admin_client.post(
        reverse("admin:core_user_change", args=[clerk.pk]),
        {
            "username": clerk.username,
            "last_name": "",
            "first_name": "",
            "email": clerk.email,
            "phone": "",
            "role": Role.ADMINISTRATOR,
            "jurisdiction": org.city.pk,
            "department": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk.refresh_from_db()
    assert clerk.role == Role.ADMINISTRATOR and clerk.is_staff
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(clerk.pk)).last()
    assert event.detail["changes"]["role"] == [Role.CLERK.value, Role.ADMINISTRATOR.value]
    assert event.detail["changes"]["department"][1] is None


def test_an_administrator_sets_a_password_and_the_trail_keeps_no_secret(city_admin_client, org):
    clerk = org.users[Role.CLERK]
    response = city_admin_client.post(
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        {
            "set_usable_password": "true",
            "usable_password": "true",
            "password1": "Another-Passw0rd-2026",
            "password2": "Another-Passw0rd-2026",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("Another-Passw0rd-2026")
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(clerk.pk)).last()
    assert event.actor == org.users[Role.ADMINISTRATOR]
    assert event.detail == {"password": "changed"}
    assert "Another" not in str(event.detail)


def test_an_administrator_changes_their_own_password_through_the_service(city_admin_client, org):
    admin = org.users[Role.ADMINISTRATOR]
    response = city_admin_client.post(
        reverse("admin:password_change"),
        {
            "old_password": "pw-administrator",
            "new_password1": "Own-New-Passw0rd-2026",
            "new_password2": "Own-New-Passw0rd-2026",
        },
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("Own-New-Passw0rd-2026")
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, actor=admin, object_id=str(admin.pk)
    ).exists()


def test_a_district_administrator_cannot_touch_city_accounts(district_admin_client, org):
    city_clerk = org.users[Role.CLERK]
    response = district_admin_client.get(reverse("admin:core_user_changelist"))
    assert city_clerk not in response.context["cl"].result_list
    response = district_admin_client.post(
        reverse("admin:auth_user_password_change", args=[city_clerk.pk]),
        {
            "set_usable_password": "true",
            "password1": "Hijack-2026-xx",
            "password2": "Hijack-2026-xx",
        },
    )
    # As for a row that does not exist: the account is outside the administrator's scope.
    assert response.status_code == 404
    city_clerk.refresh_from_db()
    assert not city_clerk.check_password("Hijack-2026-xx")


def test_certificate_validity_is_shown(city_admin_client, org):
    salt = org.departments["salt"]
    officer = services.organisation_object_save(
        actor=None, obj=Person(department=salt, name="示例执法员", duty=PersonDuty.OFFICER)
    )
    today = timezone.localdate()
    for number, start, end in (
        ("VALID-1", today - datetime.timedelta(days=30), today + datetime.timedelta(days=300)),
        ("OLD-1", today - datetime.timedelta(days=900), today - datetime.timedelta(days=1)),
    ):
        services.organisation_object_save(
            actor=None,
            obj=EnforcementCertificate(
                person=officer,
                number=number,
                issuing_authority="郑州市人民政府",
                valid_from=start,
                valid_until=end,
            ),
        )
    url = reverse("admin:core_enforcementcertificate_changelist")
    page = city_admin_client.get(url, **ENGLISH).content.decode()
    assert "valid" in page and "expired" in page
    expired = city_admin_client.get(url, {"validity": "expired"}, **ENGLISH)
    assert [c.number for c in expired.context["cl"].result_list] == ["OLD-1"]


def test_nothing_is_deleted_through_the_admin(city_admin_client, org):
    department = org.departments["salt"]
    url = reverse("admin:core_department_delete", args=[department.pk])
    assert city_admin_client.get(url).status_code == 403
    assert city_admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Department.objects.filter(pk=department.pk).exists()


def test_a_jurisdictions_code_and_parent_are_read_only_once_it_exists(city_admin_client, org):
    response = city_admin_client.get(
        reverse("admin:core_jurisdiction_change", args=[org.district.pk])
    )
    form = response.context["adminform"].form
    assert "code" not in form.fields and "parent" not in form.fields
    assert "name" in form.fields


def test_other_roles_never_get_in(client, org):
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(reverse("admin:login"))
    assert response["Location"].startswith(reverse("core:login"))
    for role in (Role.CLERK, Role.OFFICE, Role.SUPERVISOR):
        client.force_login(org.users[role])
        assert client.get(reverse("admin:core_department_changelist")).status_code == 302
        assert client.get(reverse("admin:login")).status_code == 403


def test_an_administrator_adds_a_town_below_their_district_but_no_new_city(
    district_admin_client, org
):
    add = reverse("admin:core_jurisdiction_add")
    response = district_admin_client.post(
        add,
        {
            "code": "410106002",
            "name": "新安路街道",
            "level": JurisdictionLevel.TOWN,
            "parent": org.district.pk,
        },
    )
    assert response.status_code == 302
    assert Jurisdiction.objects.get(code="410106002").parent == org.district
    response = district_admin_client.post(
        add,
        {"code": "419900", "name": "新城", "level": JurisdictionLevel.CITY, "parent": ""},
        **ENGLISH,
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Jurisdiction.objects.filter(code="419900").exists()
