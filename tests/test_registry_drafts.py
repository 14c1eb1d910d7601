"""A department's entries and drafts in the browser (issue 3 §5): the clerk's list, starting,
editing and discarding drafts with the rule messages on the fields, "add a row" without
JavaScript, the comparison with the published version, and the office's read-only view."""

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from registry import services
from registry.choices import DraftState, EntryStatus, ListKind
from registry.forms import STRUCTURED
from registry.models import FIELDS_BY_KIND, Draft, Entry
from tests import registry_builders as rb

MY_ENTRIES = reverse("registry:my-entries")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(payload: dict, list_kind: str = ListKind.POWER, **changes) -> dict:
    """What the browser sends for a draft with these values (each structure as a formset)."""
    payload = {**payload, **changes}
    data: dict = {}
    for name in FIELDS_BY_KIND[list_kind]:
        value = payload.get(name)
        if name in STRUCTURED:
            rows = value or []
            data[f"{name}-TOTAL_FORMS"] = str(len(rows))
            data[f"{name}-INITIAL_FORMS"] = "0"
            for index, row in enumerate(rows):
                for key, part in row.items():
                    data[f"{name}-{index}-{key}"] = part
        elif value is None or value is False:
            continue
        elif name == "materials":
            data[name] = "\n".join(value)
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


@pytest.fixture
def salt(org):
    return org.departments["salt"]


@pytest.fixture
def clerk(org):
    return client_for(org.users[Role.CLERK])


def test_clerk_sees_the_departments_entries_and_drafts(org, salt, clerk):
    own = rb.publish(salt, name="食盐定点生产企业审批", basic_code="0700002000")
    drafted = rb.publish(salt, name="盐业行政处罚", basic_code="0700003000")
    draft = services.draft_create(actor=org.users[Role.CLERK], entry=drafted)
    other = rb.publish(org.departments["legal"], name="法制办的事项", basic_code="0700004000")

    response = clerk.get(MY_ENTRIES)

    assert response.status_code == 200
    sections = {section.kind: section for section in response.context["sections"]}
    names = [entry.name for entry in sections[ListKind.POWER].entries]
    assert own.name in names and drafted.name in names and other.name not in names
    assert [e.draft for e in sections[ListKind.POWER].entries if e.pk == drafted.pk] == [draft]
    assert [d.pk for d in response.context["drafts"]] == [draft.pk]
    content = response.content.decode()
    assert reverse("registry:draft-start", args=[own.code]) in content
    assert reverse("registry:draft-edit", args=[draft.pk]) in content
    assert f"{reverse('registry:draft-new')}?list=fee" in content


def test_my_entries_query_count_does_not_grow(org, salt, clerk, django_assert_max_num_queries):
    clerk_user = org.users[Role.CLERK]

    def build(start: int, count: int) -> None:
        for number in range(start, start + count):
            entry = rb.publish(salt, name=f"事项{number}", basic_code=f"07{number:05d}000")
            if number % 2:
                services.draft_create(actor=clerk_user, entry=entry)
            services.draft_create(
                actor=clerk_user,
                list_kind=ListKind.POWER,
                payload=rb.entry_payload(name=f"新事项{number}", basic_code=f"07{number:05d}100"),
            )

    build(1, 2)
    with django_assert_max_num_queries(100) as few:
        assert clerk.get(MY_ENTRIES).status_code == 200
    build(3, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = clerk.get(MY_ENTRIES)
    assert len(response.context["drafts"]) == 8 + 4


def test_office_reads_drafts_and_others_are_refused(org, salt):
    entry = rb.publish(salt)
    draft = services.draft_create(actor=org.users[Role.CLERK], entry=entry)
    office = client_for(org.users[Role.OFFICE])

    page = office.get(MY_ENTRIES)
    assert page.status_code == 200
    assert page.context["may_edit"] is False and page.context["sections"] == []
    assert [d.pk for d in page.context["drafts"]] == [draft.pk]

    edit = office.get(reverse("registry:draft-edit", args=[draft.pk]))
    assert edit.status_code == 200
    assert edit.context["editable"] is False and edit.context["editor"] is None
    refused = office.post(reverse("registry:draft-edit", args=[draft.pk]), {"name": "改名"})
    assert refused.status_code == 403
    assert Draft.objects.get(pk=draft.pk).payload["name"] == entry.name

    for role in (Role.REVIEWER, Role.DIGITAL, Role.SUPERVISOR):
        assert client_for(org.users[role]).get(MY_ENTRIES).status_code == 403
    # A district's office does not see the city's drafts.
    district_office = client_for(org.district_users[Role.OFFICE])
    assert district_office.get(reverse("registry:draft-edit", args=[draft.pk])).status_code == 404


def test_edit_draft_starts_once_and_leaves_the_public_entry_alone(org, salt, clerk):
    entry = rb.publish(salt)
    start = reverse("registry:draft-start", args=[entry.code])

    first = clerk.post(start)
    draft = Draft.objects.get(entry=entry)
    assert first.status_code == 302
    assert first["Location"] == reverse("registry:draft-edit", args=[draft.pk])
    assert clerk.post(start)["Location"] == first["Location"]
    assert Draft.objects.filter(entry=entry).count() == 1

    payload = services.entry_payload(entry)
    saved = clerk.post(
        first["Location"], form_data(payload, name="残疾人证核发（换领）", promised_limit_days=5)
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.payload["name"], draft.payload["promised_limit_days"]) == (
        "残疾人证核发（换领）",
        5,
    )
    assert draft.payload["flow"] == entry.flow
    entry.refresh_from_db()
    assert (entry.name, entry.version, entry.history.count()) == ("残疾人证核发", 1, 1)

    page = clerk.get(first["Location"])
    changed = {diff.name: diff for diff in page.context["changed"]}
    assert set(changed) == {"name", "promised_limit_days"}
    assert changed["name"].old == ["残疾人证核发"]
    assert changed["name"].new == ["残疾人证核发（换领）"]


def test_a_new_entry_draft_with_structures(org, salt, clerk):
    payload = rb.entry_payload(
        name="食盐零售许可",
        basic_code="0100009000",
        category=rb.category(name="行政许可").pk,
        status=EntryStatus.IN_FORCE,
        materials=["申请书", "营业执照"],
        discretion=[{"circumstance": "首次轻微违法", "range": "警告"}],
        four_level_linked=True,
    )
    response = clerk.post(
        f"{reverse('registry:draft-new')}?list=power", form_data(payload, responsible_person="王")
    )

    draft = Draft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:draft-edit", args=[draft.pk])
    assert draft.entry is None and draft.department == salt
    assert draft.payload["materials"] == ["申请书", "营业执照"]
    assert draft.payload["discretion"] == [{"circumstance": "首次轻微违法", "range": "警告"}]
    assert draft.payload["flow"][0]["risk_level"] == "low"
    assert draft.payload["four_level_linked"] is True
    assert Entry.objects.count() == 0


def test_rule_messages_land_on_their_fields_and_nothing_typed_is_lost(org, salt, clerk):
    payload = rb.entry_payload(status=EntryStatus.IN_FORCE, basic_code="0200001000")
    data = form_data(payload, name="我输入的名称", remarks="我输入的备注")
    data["flow-3-step"] = ""
    data["flow-3-post"] = "只有岗位"  # a row without its step
    data["flow-TOTAL_FORMS"] = "4"

    response = clerk.post(f"{reverse('registry:draft-new')}?list=power", data)

    assert response.status_code == 200
    assert Draft.objects.count() == 0
    editor = response.context["editor"]
    # The form's own message and the rule checked on the readable fields, at once.
    assert list(editor.form.errors) == ["basic_code"]
    assert "07" in editor.form.errors["basic_code"][0]
    assert editor.formsets["flow"].forms[3].errors.keys() == {"step"}
    content = response.content.decode()
    assert "我输入的名称" in content and "我输入的备注" in content and "只有岗位" in content
    assert 'id="id_basic_code_error"' in content


def test_service_errors_are_mapped_back(org, salt, clerk):
    payload = rb.entry_payload(status=EntryStatus.MERGED, basic_code="0700001000")
    response = clerk.post(f"{reverse('registry:draft-new')}?list=power", form_data(payload))

    assert response.status_code == 200
    assert "merged_into" in response.context["editor"].form.errors
    assert Draft.objects.count() == 0


def test_a_basic_code_the_department_holds_already_is_refused(org, salt, clerk):
    rb.publish(salt)
    payload = rb.entry_payload(status=EntryStatus.IN_FORCE, name="另一个事项")
    response = clerk.post(f"{reverse('registry:draft-new')}?list=power", form_data(payload))
    assert response.status_code == 200
    assert "basic_code" in response.context["editor"].form.errors
    assert Draft.objects.count() == 0


def test_add_a_row_without_javascript_keeps_what_was_typed(org, salt, clerk):
    payload = rb.entry_payload(status=EntryStatus.IN_FORCE)
    data = form_data(payload, name="未保存的名称")
    data["flow-1-DELETE"] = "on"  # removed rows stay removed
    data["add_row"] = "flow"

    response = clerk.post(f"{reverse('registry:draft-new')}?list=power", data)

    assert response.status_code == 200
    assert Draft.objects.count() == 0
    editor = response.context["editor"]
    assert not editor.form.is_bound
    flow = editor.formsets["flow"]
    assert len(flow.forms) == 3  # two kept rows and a new empty one
    assert [form.initial.get("step") for form in flow.forms[:2]] == ["受理", "发证"]
    assert "autofocus" in flow.forms[2].fields["step"].widget.attrs
    content = response.content.decode()
    assert "未保存的名称" in content
    assert 'name="flow-TOTAL_FORMS" value="3"' in content

    # The page sent back saves as it is: the empty row is dropped.
    again = form_data(payload, name="未保存的名称", flow=[payload["flow"][0], payload["flow"][2]])
    again["flow-TOTAL_FORMS"] = "3"
    saved = clerk.post(f"{reverse('registry:draft-new')}?list=power", again)
    assert saved.status_code == 302
    assert [row["step"] for row in Draft.objects.get().payload["flow"]] == ["受理", "发证"]


def test_discard_asks_first_and_a_closed_draft_is_read_only(org, salt, clerk):
    entry = rb.publish(salt)
    draft = services.draft_create(actor=org.users[Role.CLERK], entry=entry)
    discard = reverse("registry:draft-discard", args=[draft.pk])
    edit = reverse("registry:draft-edit", args=[draft.pk])

    confirm = clerk.get(discard)
    assert confirm.status_code == 200
    assert Draft.objects.get(pk=draft.pk).state == DraftState.OPEN

    done = clerk.post(discard)
    assert done.status_code == 302 and done["Location"] == MY_ENTRIES
    assert Draft.objects.get(pk=draft.pk).state == DraftState.DISCARDED

    page = clerk.get(edit)
    assert page.status_code == 200 and page.context["editable"] is False
    assert [diff.name for diff in page.context["diffs"]] == list(FIELDS_BY_KIND[ListKind.POWER])
    refused = clerk.post(edit, form_data(services.entry_payload(entry), name="再改"))
    assert refused.status_code == 302
    assert Draft.objects.get(pk=draft.pk).payload["name"] == entry.name
    # The entry can be drafted afresh.
    assert clerk.post(reverse("registry:draft-start", args=[entry.code])).status_code == 302
    assert Draft.objects.filter(entry=entry, state=DraftState.OPEN).count() == 1


def test_the_form_offers_only_fitting_choices(org, salt, clerk):
    main = rb.publish(salt, name="主项", basic_code="0700005000")
    rb.publish(salt, name="子项", basic_code="0700005001", parent=main.pk)
    elsewhere = rb.publish(org.departments["legal"], name="他部门主项", basic_code="0700006000")
    district = rb.publish(
        org.district_departments["salt"], name="区级事项", basic_code="0700007000"
    )
    rb.law("中华人民共和国食盐专营办法", [("第五条", "……")])

    form = clerk.get(f"{reverse('registry:draft-new')}?list=power").context["editor"].form

    assert [pk for pk, _label in form.fields["parent"].choices if pk] == [main.pk]
    targets = [pk for pk, _label in form.fields["merged_into"].choices if pk]
    assert elsewhere.pk in targets and main.pk in targets and district.pk not in targets
    categories = [label for pk, label in form.fields["category"].choices if pk]
    assert len(categories) == 11 and all(label[:2].isdigit() for label in categories)
    laws = [law for law, _articles in form.fields["basis"].choices]
    assert laws == sorted(laws) and "中华人民共和国食盐专营办法" in laws
    assert "approving_body" not in form.fields  # a field of another list


def test_draft_page_queries_stay_bounded(org, salt, clerk, django_assert_max_num_queries):
    entry = rb.publish(salt)
    draft = services.draft_create(actor=org.users[Role.CLERK], entry=entry)
    url = reverse("registry:draft-edit", args=[draft.pk])

    def grow(start: int) -> None:
        for number in range(start, start + 3):
            rb.publish(salt, name=f"事项{number}", basic_code=f"07{number:05d}000")
            rb.law(f"测试法{number}", [(f"第{n}条", "……") for n in range(1, 6)])

    grow(10)
    with django_assert_max_num_queries(100) as few:
        assert clerk.get(url).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert clerk.get(url).status_code == 200


def test_the_staff_home_page_links_to_the_work_pages(org):
    clerk_home = client_for(org.users[Role.CLERK]).get(reverse("core:home")).content.decode()
    assert MY_ENTRIES in clerk_home and reverse("registry:import") in clerk_home
    assert reverse("registry:consistency") not in clerk_home
    for role in (Role.OFFICE, Role.SUPERVISOR):
        home = client_for(org.users[role]).get(reverse("core:home")).content.decode()
        assert reverse("registry:consistency") in home and MY_ENTRIES not in home


def test_resaving_a_draft_keeps_the_order_of_its_basis(org, salt):
    """The basis select sends its options in list order: re-saving must not reorder what the
    entry cites (it would show as a change of the basis in every adjustment's diff)."""
    law = rb.law()
    first, second = law.provisions.order_by("order")
    entry = rb.publish(salt, basis=[second.pk, first.pk])
    clerk = org.users[Role.CLERK]
    draft = services.draft_create(actor=clerk, entry=entry)
    payload = {**draft.payload, "basis": [first.pk, second.pk], "name": "改名"}
    draft = services.draft_save(actor=clerk, draft=draft, payload=payload)
    assert draft.payload["basis"] == [second.pk, first.pk]
    other = rb.law("中华人民共和国行政许可法", [("第十二条", "下列事项可以设定行政许可……")])
    added = other.provisions.get().pk
    draft = services.draft_save(
        actor=clerk, draft=draft, payload={**payload, "basis": [added, first.pk]}
    )
    assert draft.payload["basis"] == [first.pk, added]


def test_a_draft_is_based_on_the_version_published_now(org, salt):
    """A draft started from an entry object read before a newer version was published is
    still based on the newer one: otherwise its adjustment request would be refused as stale
    (or, worse, overwrite the newer version)."""
    entry = rb.publish(salt)
    rb.republish(Entry.objects.get(pk=entry.pk), promised_limit_days=7)
    assert entry.version == 1  # the object the clerk's page read earlier
    draft = services.draft_create(actor=org.users[Role.CLERK], entry=entry)
    assert draft.base_version == 2
    assert draft.payload["promised_limit_days"] == 7
