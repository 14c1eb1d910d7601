"""Issue 9 §11, §13, §14: hostile input, each case found by a probe and sent here through the
real URL. One checker per kind of input, in core (core/checkers.py): free text (no C0 control
character), uploads by content; every writer survives what was stored before the check."""

import csv
import datetime
import importlib
import inspect
import io
import pkgutil
import time
import xml.etree.ElementTree as ET
import zipfile

import django_filters
import pytest
import time_machine
from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rest_framework import serializers

from adjustments.models import AdjustmentRequest, Attachment
from core import checkers
from core.choices import Role
from core.models import Department
from registry import importer
from registry.choices import ListKind
from registry.forms import DraftChoices, DraftForm, FlowRowForm
from registry.models import Draft, Entry
from tests import registry_builders as rb
from tests.adjustment_builders import (
    at,
    draft_of,
    published_entry,
    request_for,
    walk_to_publication,
    walk_to_review,
)
from tests.test_registry_import import row, upload, xlsx

PROJECT_APPS = ("core", "registry", "adjustments", "complaints", "inspections", "accountability")
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_URL = reverse("adjustments:announcements-feed")
API_REQUESTS = "/api/v1/adjustments/"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- §11: the free-text checker --------------------------------------------------------------


CONTROL = st.sampled_from([chr(code) for code in range(32) if chr(code) not in "\t\n\r"])


@given(before=st.text(), control=CONTROL, after=st.text())
def test_any_control_character_is_refused_in_any_field(before, control, after):
    value = before + control + after
    assert checkers.text_problem(value, multiline=True)
    assert checkers.text_problem(value, multiline=False)


@given(st.text(alphabet=st.characters(min_codepoint=32, exclude_categories=["Cs"])))
def test_text_without_control_characters_passes(value):
    assert checkers.text_problem(value, multiline=False) is None
    assert checkers.text_problem(value + "\n\t\r" + value, multiline=True) is None


def test_line_breaks_are_for_multi_line_fields_only():
    assert checkers.text_problem("第一行\n第二行", multiline=True) is None
    with translation.override("zh-hans"):
        assert "第 4 个字符" in checkers.text_problem("第一行\n第二行", multiline=False)


def _project_modules():
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        yield package
        for found in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in found.name or ".tests" in found.name:
                continue
            yield importlib.import_module(found.name)


def _project_classes(base: type) -> list[type]:
    classes = {}
    for module in _project_modules():
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, base) and value.__module__.split(".")[0] in PROJECT_APPS:
                classes[f"{value.__module__}.{value.__qualname__}"] = value
    return list(classes.values())


def test_every_form_of_the_project_checks_free_text():
    """A new form that forgets the core base fails here: every form class of every project
    module (pages, formsets' rows, filters, the admin's account forms)."""
    found = _project_classes(forms.BaseForm)
    assert len(found) > 30
    escaped = [cls for cls in found if not issubclass(cls, checkers.CheckedFormMixin)]
    assert escaped == []


def test_every_filter_form_of_the_project_checks_free_text():
    found = _project_classes(django_filters.FilterSet)
    assert len(found) >= 3
    assert [cls for cls in found if not issubclass(cls._meta.form, checkers.CheckedForm)] == []


def test_a_search_with_a_control_character_is_explained_not_run(client, org):
    rb.publish(org.departments["salt"], name="食盐批发许可")
    response = client.get(reverse("registry:entries"), {"q": "食盐\x1b"}, **CHINESE)
    # The query guard (core.middleware) answers with the free-text checker's message.
    assert response.status_code == 400
    assert "U+001B" in response.content.decode()
    assert "食盐批发许可" not in response.content.decode()


def test_every_serializer_of_the_project_checks_free_text():
    found = _project_classes(serializers.BaseSerializer)
    assert len(found) > 30
    # A list serializer holds no fields: each element goes through its child serializer.
    escaped = [
        cls
        for cls in found
        if not issubclass(cls, checkers.CheckedSerializerMixin | serializers.ListSerializer)
    ]
    assert escaped == []


def test_every_admin_form_checks_free_text():
    forms_used = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue  # third-party pages (the beat schedule) hold no product text
        forms_used.append(model_admin.form)
        forms_used.extend(inline.form for inline in model_admin.inlines)
        forms_used.extend(
            getattr(model_admin, name)
            for name in ("add_form", "change_password_form")
            if hasattr(model_admin, name)
        )
    assert forms_used
    assert [f for f in forms_used if not issubclass(f, checkers.CheckedFormMixin)] == []


def test_every_char_field_of_every_serializer_gets_the_check():
    """Declared fields, built fields and list children alike."""
    for cls in _project_classes(serializers.BaseSerializer):
        if issubclass(cls, serializers.ListSerializer):  # its child is walked on its own
            continue
        try:
            built = cls().fields
        except TypeError:  # needs arguments of its own; its base is checked above
            continue
        for name, field in built.items():
            target = field.child if isinstance(field, serializers.ListField) else field
            if isinstance(target, serializers.CharField) and not field.read_only:
                assert any(isinstance(v, checkers.TextValidator) for v in target.validators), (
                    f"{cls.__name__}.{name}"
                )


def test_a_field_cleaning_to_a_list_and_a_row_of_a_structure_are_checked(db):
    form = DraftForm(
        {"name": "残疾人证核发", "materials": "申请表\n身份\x07证明"},
        list_kind=ListKind.POWER,
        choices=DraftChoices(),
    )
    assert not form.is_valid()
    assert "U+0007" in form.errors["materials"][0]
    row_form = FlowRowForm({"step": "受理\x1b", "description": "接收\n材料"})
    assert not row_form.is_valid()
    assert list(row_form.errors) == ["step"]


def test_the_admin_refuses_a_control_character(org):
    response = _client(org.users[Role.ADMINISTRATOR]).post(
        reverse("admin:core_department_add"),
        {"jurisdiction": org.district.pk, "name": "上街区\x1b园林局", "function": "general"},
        **CHINESE,
    )
    assert response.status_code == 200
    assert "U+001B" in str(response.context["adminform"].form.errors["name"])
    assert not Department.objects.filter(name__contains="园林局").exists()


EVENT_DAY = datetime.date(2026, 9, 18)


@pytest.fixture
def frozen(calendar):
    with time_machine.travel(at(2026, 9, 29), tick=False) as traveller:
        yield traveller


def test_the_request_page_refuses_a_control_character(org, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    response = _client(clerk).post(
        reverse("adjustments:new"),
        {
            "trigger": "internal",
            "event_date": EVENT_DAY.isoformat(),
            "summary": "缩短\x1b承诺时限",
            "reason": "流程优化。\n第二段\x07。",
            "drafts": [draft.pk],
            "then": "save",
        },
        **CHINESE,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"summary", "reason"}
    assert "U+001B" in errors["summary"][0] and "控制字符" in errors["summary"][0]
    assert "U+0007" in errors["reason"][0]
    assert AdjustmentRequest.objects.count() == 0


def test_the_api_refuses_a_control_character_and_keeps_line_breaks(org, frozen):
    clerk = _client(org.users[Role.CLERK])
    body = {
        "trigger": "internal",
        "event_date": EVENT_DAY.isoformat(),
        "summary": "缩短承诺时限\x07",
        "reason": "第一段\n\t第二段",
    }
    refused = clerk.post(API_REQUESTS, body, content_type="application/json", **CHINESE)
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["summary"]
    assert AdjustmentRequest.objects.count() == 0
    body["summary"] = "缩短承诺时限"
    created = clerk.post(API_REQUESTS, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert AdjustmentRequest.objects.get().reason == "第一段\n\t第二段"


def test_the_import_refuses_a_control_character_in_a_cell(org):
    salt = org.departments["salt"]
    # Excel writes an ESC typed into a cell as its OOXML escape _x001B_.
    content = xlsx({ListKind.POWER: [row(salt, name="残疾人证_x001B_核发")]})
    response = upload(_client(org.users[Role.ADMINISTRATOR]), content, dry_run=False)
    (problem,) = response.context["job"].problems
    assert problem["row"] == 2 and "U+001B" in problem["message"]
    assert Entry.objects.count() == 0


# --- §11: writers survive control characters stored before the check --------------------------


def _published_with_control_characters(org):
    """Published through the services, as data stored before the check would be."""
    with time_machine.travel(at(2026, 3, 10), tick=False):
        entry = published_entry(org, name="食盐\x07批发许可", basic_code="0700077000")
        request = request_for(
            org,
            event_date=datetime.date(2026, 3, 9),
            entry=entry,
            summary="调整\x1b食盐批发许可",
        )
        request = walk_to_review(org, request)
        return walk_to_publication(org, request)


def test_the_feed_serves_every_reader_after_a_control_character(client, org, calendar):
    request = _published_with_control_characters(org)
    response = client.get(FEED_URL)
    assert response.status_code == 200
    (entry,) = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"{request.number} 调整食盐批发许可"
    assert "食盐批发许可" in entry.findtext(f"{ATOM}summary")


def test_the_exports_serve_a_control_character_stored_before(client, org, calendar):
    _published_with_control_characters(org)
    sheet = client.get(reverse("registry:export-xlsx"))
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)), read_only=True)
    names = [cells[2] for cells in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "食盐批发许可" in names
    text = client.get(reverse("registry:export-csv"))
    assert text.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(text.streaming_content).decode("utf-8-sig"))))
    assert "食盐批发许可" in [line[2] for line in lines[1:]]
    assert not any(checkers.text_problem(cell, multiline=True) for line in lines for cell in line)


def test_the_import_template_survives_a_control_character_stored_before(org):
    department = org.departments["salt"]
    department.name = "市盐业\x1b管理局"
    department.save(update_fields=["name"])
    response = _client(org.users[Role.CLERK]).get(reverse("registry:import-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].cell(row=2, column=2).value == "市盐业管理局"


# --- §13: Excel import bombs -------------------------------------------------------------------


def _bomb(sheet_xml_parts, *, shared_strings_parts=None) -> bytes:
    """A real workbook whose first sheet (and shared strings) are replaced by the parts
    given, streamed into the archive so the test itself never holds the inflated text."""
    book = Workbook()
    book.active.title = importer.sheet_title(ListKind.POWER)
    source = io.BytesIO()
    book.save(source)
    output = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for info in original.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(info.filename, "w", force_zip64=True) as part:
                    for chunk in sheet_xml_parts:
                        part.write(chunk)
            else:
                bomb.writestr(info, original.read(info))
        if shared_strings_parts is not None:
            with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                for chunk in shared_strings_parts:
                    part.write(chunk)
    return output.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<dimension ref="A1"/><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _empty_rows(count: int, *, numbered: bool = False):
    yield SHEET_HEAD
    batch = 100_000
    for start in range(1, count + 1, batch):
        stop = min(start + batch, count + 1)
        if numbered:
            yield b"".join(b'<row r="%d"/>' % n for n in range(start, stop))
        else:
            yield b"<row/>" * (stop - start)
    yield SHEET_TAIL


def _import_bomb(org, content: bytes, settings):
    admin_client = _client(org.users[Role.ADMINISTRATOR])
    started = time.monotonic()
    response = upload(admin_client, content, dry_run=False)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    (problem,) = response.context["job"].problems
    assert Entry.objects.count() == 0 and Draft.objects.count() == 0
    return problem["message"], elapsed


def test_three_million_empty_rows_are_refused_fast(org, settings):
    content = _bomb(_empty_rows(3_000_000))
    assert len(content) < 200 * 1024
    message, elapsed = _import_bomb(org, content, settings)
    assert str(importer.MAX_SHEET_ROWS) in message and "空行" in message
    assert elapsed < 3


def test_numbered_empty_rows_are_refused_by_count(org, settings):
    content = _bomb(_empty_rows(200_000, numbered=True))
    message, elapsed = _import_bomb(org, content, settings)
    assert str(importer.MAX_SHEET_ROWS) in message
    assert elapsed < 3


def test_one_huge_cell_is_refused_before_parsing(org, settings):
    def cell():
        yield SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(40):
            yield b"a" * (1024 * 1024)
        yield b"</t></is></c></row>" + SHEET_TAIL

    content = _bomb(cell())
    assert len(content) < 1024 * 1024
    message, elapsed = _import_bomb(org, content, settings)
    assert str(importer.MAX_CELL_CHARS) in message
    assert elapsed < 3


def test_a_200_mb_shared_string_is_refused_by_its_unpacked_size(org, settings):
    def strings():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        for _ in range(200):
            yield b"a" * (1024 * 1024)
        yield b"</t></si></sst>"

    content = _bomb(iter([SHEET_HEAD, SHEET_TAIL]), shared_strings_parts=strings())
    message, elapsed = _import_bomb(org, content, settings)
    assert "解压" in message
    assert elapsed < 3


def test_too_many_columns_are_refused(org, settings):
    cells = b"".join(b'<c r="%s1"><v>1</v></c>' % name.encode() for name in ("A", "B", "DA"))
    content = _bomb(iter([SHEET_HEAD, b'<row r="1">' + cells + b"</row>", SHEET_TAIL]))
    message, _elapsed = _import_bomb(org, content, settings)
    assert str(importer.MAX_COLUMNS) in message


# --- §14: uploads by content -------------------------------------------------------------------


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def _create(client: Client, draft, files, **extra):
    return client.post(
        reverse("adjustments:new"),
        {
            "trigger": "internal",
            "event_date": EVENT_DAY.isoformat(),
            "summary": "缩短承诺时限",
            "reason": "流程优化。",
            "drafts": [draft.pk],
            "then": "save",
            "files": files,
        },
        **CHINESE,
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("依据.pdf", ELF),
        ("依据.pdf", HTML),
        ("方案.docx", _zip({"readme.txt": b"not a document"})),
        ("说明.txt", HTML),
        ("照片.png", b"\xff\xd8\xff\xe0 a JPEG named png"),
    ],
)
def test_the_request_page_refuses_a_file_whose_content_is_not_its_suffix(
    org, frozen, name, content
):
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    response = _create(_client(clerk), draft, [SimpleUploadedFile(name, content)])
    assert response.status_code == 200
    (message,) = response.context["form"].errors["files"]
    assert name in message and "内容" in message
    assert AdjustmentRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_the_request_page_accepts_real_documents(org, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    files = [
        SimpleUploadedFile("依据.pdf", PDF),
        SimpleUploadedFile("方案.docx", DOCX),
        SimpleUploadedFile("说明.txt", "说明：缩短时限。\n".encode("gb18030")),
    ]
    response = _create(_client(clerk), draft, files)
    assert response.status_code == 302, response.context["form"].errors
    assert sorted(a.name for a in Attachment.objects.all()) == ["依据.pdf", "方案.docx", "说明.txt"]


def test_the_api_refuses_an_elf_named_pdf(org, frozen):
    clerk = org.users[Role.CLERK]
    draft = draft_of(published_entry(org), clerk, promised_limit_days=5)
    response = _client(clerk).post(
        API_REQUESTS,
        {
            "trigger": "internal",
            "event_date": EVENT_DAY.isoformat(),
            "summary": "缩短承诺时限",
            "drafts": [draft.pk],
            "files": [SimpleUploadedFile("依据.pdf", ELF)],
        },
        **CHINESE,
    )
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["files"]
    assert "PDF" in message and "内容" in message
    assert AdjustmentRequest.objects.count() == 0


def test_the_import_refuses_a_zip_that_is_no_workbook(org):
    response = upload(
        _client(org.users[Role.ADMINISTRATOR]),
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        dry_run=False,
    )
    (message,) = response.context["form"].errors["file"]
    assert "Excel" in message and "内容" in message
    assert Entry.objects.count() == 0


def test_every_allowed_attachment_suffix_has_a_content_check():
    from adjustments import services

    assert set(checkers.UPLOAD_TYPES) >= services.ATTACHMENT_SUFFIXES


# --- unified social credit codes (GB 32100-2015; issue 14 §2) ---------------------------------

# GB 32100-2015 appendix A, as the standard prints them: the 31 characters and the weights of
# the first seventeen places (3^(i-1) mod 31), written out here rather than derived, so that
# the checker is tested against the standard and not against itself.
GB32100_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _gb32100_check(first_seventeen: str) -> str:
    total = sum(
        GB32100_CHARACTERS.index(c) * w
        for c, w in zip(first_seventeen, GB32100_WEIGHTS, strict=True)
    )
    return GB32100_CHARACTERS[(31 - total % 31) % 31]


first_seventeen = st.builds(
    lambda head, division, own: head + division + own,
    st.text(GB32100_CHARACTERS, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(GB32100_CHARACTERS, min_size=9, max_size=9),
)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        "91110000600037341L",
        "91410100MA44X6Y2X0",
        "92410106MA40KD0K48",
        # Check characters 0 and Y: the ends of the remainder's range.
        "91410100MA45AAA139",
        "11410100000000001" + _gb32100_check("11410100000000001"),
    ],
)
def test_a_valid_credit_code_passes(code):
    assert checkers.credit_code_problem(code) is None
    assert checkers.credit_code_check_character(code[:17]) == code[17]
    checkers.CreditCodeValidator()(code)


def test_a_wrong_check_character_is_refused():
    with translation.override("en"):
        for code in ("91350100M000100Y44", "91110000600037341K", "91410100MA44X6Y2X1"):
            assert "check character" in checkers.credit_code_problem(code)
        with pytest.raises(forms.ValidationError):
            checkers.CreditCodeValidator()("91350100M000100Y44")


def test_small_letters_are_the_same_code_in_capitals():
    assert checkers.credit_code_problem("91350100m000100y43") is None
    assert checkers.credit_code_problem(" 91110000600037341l ") is None
    assert checkers.credit_code_normalise(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "count"),
    [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("", 0), ("9135", 4)],
)
def test_a_code_of_the_wrong_length_is_refused_with_its_length(code, count):
    with translation.override("en"):
        problem = checkers.credit_code_problem(code)
    assert problem == (f"A unified social credit code has 18 characters; this one has {count}.")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_the_letters_the_standard_leaves_out_are_refused(letter):
    """GB 32100-2015 §4.2: I, O, Z, S and V are not used (they read as 1, 0, 2, 5 and U)."""
    head = "91350100" + letter + "00010000"
    code = head + GB32100_CHARACTERS[0]
    with translation.override("en"):
        problem = checkers.credit_code_problem(code)
    assert problem and "except I, O, Z, S" in problem


@pytest.mark.parametrize("code", ["91A50100M000100Y43", "9135010XM000100Y43", "9-350100M000100Y43"])
def test_a_division_code_that_is_not_six_digits_is_refused(code):
    with translation.override("en"):
        problem = checkers.credit_code_problem(code)
    assert problem and "administrative division code (6 digits)" in problem


@given(first_seventeen)
def test_the_check_character_completes_any_seventeen_characters(head):
    check = checkers.credit_code_check_character(head)
    assert check == _gb32100_check(head)
    assert checkers.credit_code_problem(head + check) is None


@given(first_seventeen, st.integers(0, 17), st.integers(1, 30))
def test_any_single_changed_character_is_detected(head, place, shift):
    """The check character detects every single error: a character changed to any other of
    the 31 (in any place, the check character itself included) never gives a valid code."""
    code = head + checkers.credit_code_check_character(head)
    changed = GB32100_CHARACTERS[(GB32100_CHARACTERS.index(code[place]) + shift) % 31]
    wrong = code[:place] + changed + code[place + 1 :]
    assert wrong != code
    assert checkers.credit_code_problem(wrong) is not None
