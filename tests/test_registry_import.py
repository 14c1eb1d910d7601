"""The Excel import (issue 3 §5, Done when: "a file with one bad row imports nothing and
reports that row; a good file imports everything with history rows")."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from openpyxl import Workbook, load_workbook

from core.choices import Role
from registry import import_jobs, importer, services
from registry.choices import (
    ChangeSource,
    DraftState,
    EntryStatus,
    ImportJobState,
    LawStatus,
    ListKind,
)
from registry.models import Draft, Entry, ImportJob
from tests import registry_builders as rb

IMPORT = reverse("registry:import")
TEMPLATE = reverse("registry:import-template")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row(department, /, **values) -> dict:
    """One row of the power list as a person fills it in (text in the cells)."""
    rb.law()
    return {
        importer.JURISDICTION: department.jurisdiction.code,
        importer.DEPARTMENT: department.name,
        "category": "行政确认",
        "name": "残疾人证核发",
        "basic_code": "0700001000",
        "basis": "《中华人民共和国残疾人保障法》第八条；《中华人民共和国残疾人保障法》第九条",
        "flow": "受理|窗口受理岗|接收材料|不一次性告知|低|一次性告知单\n审核|审核岗\n发证",
        "responsibilities": "Acceptance|依法受理申请|不予受理不说明理由|",
        "statutory_limit_days": 20,
        "promised_limit_days": "10",
        "star_level": 3,
        "four_level_linked": "是",
        "materials": "申请表\n身份证明",
        **values,
    }


def xlsx(sheets: dict[str, list[dict]], *, header: dict[str, list[str]] | None = None) -> bytes:
    """A workbook with one sheet per list, headers as the template writes them."""
    book = Workbook()
    book.remove(book.active)
    for kind, rows in sheets.items():
        sheet = book.create_sheet(importer.sheet_title(kind))
        keys = importer.columns(kind)
        sheet.append((header or {}).get(kind) or [importer.column_label(key) for key in keys])
        for values in rows:
            sheet.append([values.get(key) for key in keys])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client: Client, content: bytes, *, dry_run: bool, name: str = "清单.xlsx"):
    """Uploads as a user does; the job's check (and, unless `dry_run`, its confirmation and
    import) is run by its services here, as the worker would (issue 10 §2). Returns the job's
    page, or the upload page if the form refused the file."""
    response = client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    if response.status_code != 302:
        return response
    job = ImportJob.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    job = import_jobs.import_job_check(job_id=job.pk)
    if not dry_run and job.state == ImportJobState.CHECKED:
        import_jobs.import_job_confirm(actor=job.created_by, job=job)
        import_jobs.import_job_run(job_id=job.pk)
    page = client.get(reverse("registry:import-job", kwargs={"pk": job.pk}))
    assert page.status_code == 200
    return page


def job_of(response) -> ImportJob:
    return response.context["job"]


@pytest.fixture
def salt(org):
    return org.departments["salt"]


@pytest.fixture
def admin(org):
    return client_for(org.users[Role.ADMINISTRATOR])


@pytest.fixture
def clerk(org):
    return client_for(org.users[Role.CLERK])


def problems(response) -> list[tuple]:
    return [(p["sheet"], p["row"], p["column"], p["message"]) for p in job_of(response).problems]


def test_one_bad_row_imports_nothing_and_is_reported(org, salt, admin):
    power = importer.sheet_title(ListKind.POWER)
    content = xlsx(
        {
            ListKind.POWER: [
                row(salt),
                row(salt, name="食盐批发许可", basic_code="0700002000", star_level=7),
                row(salt, name="盐业检查", basic_code="0700003000"),
            ]
        }
    )

    response = upload(admin, content, dry_run=False)

    assert job_of(response).state == ImportJobState.CHECK_FAILED
    assert Entry.objects.count() == 0
    found = problems(response)
    assert [(sheet, number, column) for sheet, number, column, _m in found] == [
        (power, 3, importer.column_label("star_level"))
    ]
    assert job_of(response).result["ok"] == 2
    content = response.content.decode()
    assert found[0][3] in content and ">3<" in content


def test_every_bad_row_and_field_is_reported(org, salt, admin):
    rb.law("已废止的条例", [("第一条", "……")])
    content = xlsx(
        {
            ListKind.POWER: [
                row(salt, basic_code="0200001000"),  # category 07, code says 02
                row(salt, name="", basic_code="0700002000", flow="|岗位"),
                row(salt, basic_code="0700003000", basis="《不存在的法》第一条"),
                row(salt, basic_code="0700004000", responsibilities="某环节|职责"),
                row(salt, basic_code="0700005000", category="不存在的类别", status="作废"),
                row(salt, basic_code="0700006000", **{importer.DEPARTMENT: "不存在的局"}),
                row(salt, basic_code="0700007000", promised_limit_days=30),
                row(salt, basic_code="0700007000"),  # the same code twice in the file
            ]
        }
    )

    found = problems(upload(admin, content, dry_run=True))

    by_row: dict[int, set[str]] = {}
    for _sheet, number, column, _message in found:
        by_row.setdefault(number, set()).add(column)
    label = importer.column_label
    assert by_row == {
        2: {label("basic_code")},
        3: {label("name"), label("flow")},
        4: {label("basis")},
        5: {label("responsibilities")},
        6: {label("category"), label("status")},
        7: {label(importer.DEPARTMENT)},
        8: {label("promised_limit_days")},
        9: {label("basic_code")},
    }
    assert Entry.objects.count() == 0


def test_a_good_file_imports_everything_with_history(org, salt, admin):
    district = org.district_departments["salt"]
    main = row(salt, name="食盐专营许可", basic_code="0100001000", category="01")
    content = xlsx(
        {
            ListKind.POWER: [
                row(salt),
                main,
                row(
                    salt,
                    name="食盐批发许可",
                    category="行政许可",
                    basic_code="0100001001",
                    parent="0100001000",
                ),
                row(district, basic_code="0700001000", status=str(EntryStatus.IN_FORCE.label)),
            ],
            ListKind.FEE: [
                {
                    importer.JURISDICTION: "410100",
                    importer.DEPARTMENT: salt.name,
                    "category": "71",
                    "name": "盐业许可证工本费",
                    "basic_code": "7100001000",
                    "basis": "《中华人民共和国残疾人保障法》第八条",
                    "standard": "每证10元",
                    "payers": "申请人",
                }
            ],
        }
    )

    response = upload(admin, content, dry_run=False, name="盐业局清单.xlsx")

    assert job_of(response).state == ImportJobState.DONE
    entries = Entry.objects.order_by("pk")
    assert entries.count() == 5
    sub = entries.get(basic_code="0100001001")
    assert sub.parent == entries.get(basic_code="0100001000")
    first = entries.get(basic_code="0700001000", department=salt)
    assert [r["step"] for r in first.flow] == ["受理", "审核", "发证"]
    assert first.flow[0]["risk_level"] == "low"
    assert first.responsibilities[0]["stage"] == "accept"
    assert first.four_level_linked is True and first.materials == ["申请表", "身份证明"]
    assert len(first.basis) == 2
    references = set()
    for entry in entries:
        (version,) = entry.history.all()
        assert version.change_source == ChangeSource.IMPORT
        assert "盐业局清单.xlsx" in version.history_change_reason
        references.add(version.change_reference)
    (reference,) = references
    assert reference.startswith("import-")


def test_dry_run_saves_nothing(org, salt, admin, clerk):
    content = xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]})

    response = upload(admin, content, dry_run=True)
    job = job_of(response)
    assert job.state == ImportJobState.CHECKED and job.result["ok"] == 2
    assert job_of(upload(clerk, content, dry_run=True)).state == ImportJobState.CHECKED
    assert Entry.objects.count() == 0 and Draft.objects.count() == 0


def test_a_clerks_import_makes_drafts_of_their_own_department(org, salt, clerk):
    content = xlsx({ListKind.POWER: [row(salt), row(salt, basic_code="0700002000")]})

    response = upload(clerk, content, dry_run=False)

    assert job_of(response).state == ImportJobState.DONE
    assert response.context["results_url"] == reverse("registry:my-entries")
    assert Entry.objects.count() == 0
    drafts = Draft.objects.order_by("pk")
    assert [(d.department, d.entry, d.state) for d in drafts] == [
        (salt, None, DraftState.OPEN),
        (salt, None, DraftState.OPEN),
    ]
    assert drafts[1].payload["basic_code"] == "0700002000"

    # Rows of another department, a code already drafted or published: errors, nothing saved.
    rb.publish(salt, basic_code="0700009000")
    legal = org.departments["legal"]
    again = xlsx(
        {
            ListKind.POWER: [
                row(legal, basic_code="0700003000"),
                row(salt),
                row(salt, basic_code="0700009000"),
            ]
        }
    )
    found = problems(upload(clerk, again, dry_run=False))
    assert [(number, column) for _s, number, column, _m in found] == [
        (2, importer.column_label(importer.DEPARTMENT)),
        (3, importer.column_label("basic_code")),
        (4, importer.column_label("basic_code")),
    ]
    assert Draft.objects.count() == 2


def test_an_administrator_imports_only_into_their_jurisdiction(org, salt):
    district_admin = client_for(org.district_users[Role.ADMINISTRATOR])
    content = xlsx({ListKind.POWER: [row(salt)]})
    found = problems(upload(district_admin, content, dry_run=True))
    assert [(number, column) for _s, number, column, _m in found] == [
        (2, importer.column_label(importer.JURISDICTION))
    ]


def test_existing_codes_and_published_parents(org, salt, admin):
    main = rb.publish(salt, basic_code="0700005000", name="主项")
    content = xlsx(
        {
            ListKind.POWER: [
                row(salt, basic_code="0700005000"),
                row(salt, name="子项", basic_code="0700005001", parent="0700005000"),
                row(salt, name="错位子项", basic_code="0700006001", parent="0700005000"),
            ]
        }
    )
    found = problems(upload(admin, content, dry_run=True))
    assert [(number, column) for _s, number, column, _m in found] == [
        (2, importer.column_label("basic_code")),
        (4, importer.column_label("basic_code")),
    ]
    # A code typed as a number loses its leading zeros in Excel: "0700005000" → 700005000.
    ok = xlsx(
        {
            ListKind.POWER: [
                row(salt, name="子项", basic_code=700005001, parent=700005000),
            ]
        }
    )
    assert job_of(upload(admin, ok, dry_run=False)).state == ImportJobState.DONE
    assert Entry.objects.get(basic_code="0700005001").parent == main


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (xlsx({ListKind.POWER: []}), "no rows"),
    ],
)
def test_files_that_are_not_a_filled_template(org, admin, content, expected, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(admin, content, dry_run=False)
    (problem,) = job_of(response).problems
    assert expected in problem["message"]
    assert Entry.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused_by_its_content(org, admin, settings):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(admin, b"not a workbook", dry_run=False)
    (message,) = response.context["form"].errors["file"]
    assert "Excel (.xlsx)" in message
    assert Entry.objects.count() == 0


def test_wrong_headers_and_sheets_are_refused(org, salt, admin):
    keys = importer.columns(ListKind.POWER)
    header = [importer.column_label(key) for key in keys if key != "basic_code"] + ["备注二"]
    content = xlsx({ListKind.POWER: [row(salt)]}, header={ListKind.POWER: header})
    book = load_workbook(io.BytesIO(content))
    book.create_sheet("其他表")
    output = io.BytesIO()
    book.save(output)

    found = problems(upload(admin, output.getvalue(), dry_run=False))
    assert [(sheet, number) for sheet, number, _c, _m in found] == [
        (importer.sheet_title(ListKind.POWER), 1),
        (importer.sheet_title(ListKind.POWER), 1),
        ("其他表", None),
    ]
    assert "备注二" in found[0][3]
    assert importer.column_label("basic_code") in found[1][3]
    assert Entry.objects.count() == 0


def test_too_many_rows(org, salt, admin, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    rows = [row(salt, basic_code=f"07{n:05d}000") for n in range(1, 4)]
    response = upload(admin, xlsx({ListKind.POWER: rows}), dry_run=False)
    (problem,) = job_of(response).problems
    assert "2" in problem["message"] and problem["row"] is None
    assert Entry.objects.count() == 0


def test_a_file_too_large_is_refused_before_reading(org, admin, monkeypatch):
    monkeypatch.setattr(importer, "MAX_BYTES", 10)
    response = upload(admin, xlsx({ListKind.POWER: []}), dry_run=True)
    assert response.status_code == 200 and "file" in response.context["form"].errors


def test_import_is_for_administrators_and_clerks(org):
    for role in (Role.OFFICE, Role.REVIEWER, Role.DIGITAL, Role.SUPERVISOR):
        staff = client_for(org.users[role])
        assert staff.get(IMPORT).status_code == 403
        assert staff.get(TEMPLATE).status_code == 403
    assert Client().get(IMPORT).status_code == 302


def _filled_template(client: Client) -> bytes:
    """The downloaded template with each example row made real (its marker removed)."""
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert [sheet.title for sheet in book.worksheets] == [
        *(importer.sheet_title(kind) for kind in ListKind.values),
        importer.instructions_title(),
    ]
    marker = importer.example_marker()
    for kind in ListKind.values:
        sheet = book[importer.sheet_title(kind)]
        headers = [cell.value for cell in sheet[1]]
        assert headers == [importer.column_label(key) for key in importer.columns(kind)]
        name = sheet.cell(row=2, column=headers.index(importer.column_label("name")) + 1)
        assert name.value.startswith(marker)
        name.value = name.value.removeprefix(marker)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def test_the_template_round_trips(org, salt, admin, clerk):
    rb.law()
    untouched = admin.get(TEMPLATE).content
    found = problems(upload(admin, untouched, dry_run=True))
    assert len(found) == len(ListKind.values)  # each example row is refused as it is

    drafted = upload(clerk, _filled_template(clerk), dry_run=False)
    assert job_of(drafted).state == ImportJobState.DONE
    assert sorted(Draft.objects.values_list("list_kind", flat=True)) == sorted(ListKind.values)

    published = upload(admin, _filled_template(admin), dry_run=False)
    assert job_of(published).state == ImportJobState.DONE
    assert sorted(Entry.objects.values_list("list_kind", flat=True)) == sorted(ListKind.values)
    assert all(e.history.get().change_source == ChangeSource.IMPORT for e in Entry.objects.all())


def test_a_repealed_law_is_still_resolved(org, salt, admin):
    cited = rb.law()
    services.law_status_set(
        actor=None, law=cited, status=LawStatus.AMENDED, on=cited.effective_date
    )
    response = upload(admin, xlsx({ListKind.POWER: [row(salt)]}), dry_run=True)
    assert job_of(response).state == ImportJobState.CHECKED


def test_row_numbers_are_the_sheets_own(org, salt, admin):
    book = load_workbook(io.BytesIO(xlsx({ListKind.POWER: [row(salt)]})))
    sheet = book.worksheets[0]
    bad = row(salt, basic_code="0700002000", flow="审核|岗位|说明|风险|极高|措施")
    for index, key in enumerate(importer.columns(ListKind.POWER), start=1):
        sheet.cell(row=5, column=index, value=bad.get(key))  # rows 3 and 4 left empty
    output = io.BytesIO()
    book.save(output)

    found = problems(upload(admin, output.getvalue(), dry_run=True))

    assert [(number, column) for _s, number, column, _m in found] == [
        (5, importer.column_label("flow"))
    ]
    assert "极高" in found[0][3]
