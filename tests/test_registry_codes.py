"""Implementation codes that cannot collide (issue 9 §19): the code has a list part, so a
department's power item and its approval item share a basic code and keep distinct codes."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from core import services as core_services
from core.choices import Role
from core.models import Department
from registry import services
from registry.choices import ImportJobState, ListKind
from registry.models import Entry
from tests import registry_builders as rb
from tests.test_registry_drafts import form_data
from tests.test_registry_import import row, upload, xlsx

code_migration = importlib.import_module("registry.migrations.0004_implementation_code_list_part")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def salt(org):
    return org.departments["salt"]


def approval(department, **overrides) -> Entry:
    return rb.publish(
        department,
        list_kind=ListKind.APPROVAL,
        category=rb.category(ListKind.APPROVAL).pk,
        **overrides,
    )


def test_a_power_item_and_its_approval_item_share_a_basic_code(org, salt):
    power = rb.publish(salt)
    licence = approval(salt)

    assert power.basic_code == licence.basic_code == "0700001000"
    assert power.code == f"0700001000-QL-410100-D{salt.pk:05d}"
    assert licence.code == f"0700001000-SP-410100-D{salt.pk:05d}"
    public = Client()
    for entry in (power, licence):
        page = public.get(reverse("registry:entry", args=[entry.code]))
        assert page.status_code == 200
        assert page.context["entry"].pk == entry.pk
        body = public.get(reverse("registry-api:item", kwargs={"code": entry.code})).json()
        assert (body["code"], body["list"]) == (entry.code, entry.list_kind)


def test_the_list_part_is_in_the_code_with_an_organisation_code(org):
    department = core_services.department_create(
        actor=None, jurisdiction=org.district, name="上街区残联", code="DL031"
    )
    assert rb.publish(department).code == "0700001000-QL-410106-DL031"


def test_a_basic_code_is_still_held_once_in_each_list(salt):
    approval(salt)
    with pytest.raises(services.PublishErrors) as raised:
        approval(salt, name="重复的审批事项")
    assert "basic_code" in raised.value.errors[0]


def test_the_draft_form_accepts_the_approval_item_of_a_power_item(org, salt):
    rb.publish(salt)
    clerk = client_for(org.users[Role.CLERK])
    payload = rb.entry_payload(category=rb.category(ListKind.APPROVAL).pk, status="in_force")
    response = clerk.post(
        f"{reverse('registry:draft-new')}?list=approval", form_data(payload, ListKind.APPROVAL)
    )
    assert response.status_code == 302, response.context["editor"].form.errors


def test_one_file_imports_a_power_item_and_its_approval_item(org, salt):
    admin = client_for(org.users[Role.ADMINISTRATOR])
    content = xlsx({ListKind.POWER: [row(salt)], ListKind.APPROVAL: [row(salt)]})
    response = upload(admin, content, dry_run=False)
    job = response.context["job"]
    assert job.state == ImportJobState.DONE, job.problems
    codes = set(Entry.objects.values_list("list_kind", "code"))
    assert codes == {
        (ListKind.POWER, f"0700001000-QL-410100-D{salt.pk:05d}"),
        (ListKind.APPROVAL, f"0700001000-SP-410100-D{salt.pk:05d}"),
    }


def test_the_migration_adds_the_list_part_to_every_version(org, salt):
    """Codes issued before the list part existed: the entry and all its history rows get the
    same new code, made from the stored code (the department's code has changed since)."""
    power = rb.publish(salt)
    rb.republish(power, name="残疾人证核发（更名）")
    # Under the old scheme the approval item needed a basic code of its own.
    licence = approval(salt, basic_code="0700050000")
    code_migration.remove_list_part(apps, None)
    old = f"0700001000-410100-D{salt.pk:05d}"
    assert set(Entry.history.filter(id=power.pk).values_list("code", flat=True)) == {old}
    assert old.lower() in Entry.objects.get(pk=power.pk).search_text
    # An organisation code given later (no service changes it yet) must not leak into the code.
    Department.objects.filter(pk=salt.pk).update(code="NEW01")

    code_migration.add_list_part(apps, None)
    code_migration.add_list_part(apps, None)  # run twice: nothing added twice

    for entry, marker in ((power, "QL"), (licence, "SP")):
        new = f"{entry.basic_code}-{marker}-410100-D{salt.pk:05d}"
        assert set(Entry.history.filter(id=entry.pk).values_list("code", flat=True)) == {new}
        stored = Entry.objects.get(pk=entry.pk)
        assert stored.code == new
        assert new.lower() in stored.search_text
        assert f"{entry.basic_code}-410100".lower() not in stored.search_text
    assert Entry.history.filter(id=power.pk).count() == 2
