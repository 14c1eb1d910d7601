"""Issue 12, Done when: "the public pages, tracking page, API and exports leak no personal data
(a test seeds canary names and contacts and searches every public response for them)".

Canary values go in through the services, on complaints in every kind of state (refused,
closed and then under review, merged, passed on after a "not ours", with a stand-aside): the
complainants' names and contacts, an identity document, a representative, an evidence file's
name, staff opinions and the staff's own names. Every public response is then searched for
them: the complaint form (also as the item page's link opens it), the item picker, the tracking
page of each complaint with its right code and secret, the statistics and their workbook, the
item page, and the public API's statistics and tracking."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services
from complaints.choices import Channel, ComplainantKind, Ground, IdType, Rating
from core import services as core_services
from core.choices import Role
from tests import complaint_builders as build
from tests import registry_builders as rb

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RESIDENT_ID = "410102199003077712"
# What must never appear on a public page, in a public file or in a public API answer.
CANARIES = (
    "金丝雀甲",  # a complainant's name
    "13988887777",  # their phone
    "jinsique-jia@example.invalid",  # their e-mail
    "金丝雀路88号",  # their address
    "金丝雀戊",  # a complainant recorded in person
    RESIDENT_ID,  # their identity document
    "金丝雀乙",  # a representative's name
    "E55554444",  # the representative's document
    "13800001111",  # the representative's phone
    "金丝雀证据",  # an evidence file's name
    "金丝雀意见",  # staff opinions (acceptance, return, "not ours", passing on, merge)
    "金丝雀回避",  # a stand-aside's reason
    "金丝雀丙",  # the office's member of staff
    "canary-staff-bing",
    "金丝雀丁",  # the bureau's clerk
    "canary-clerk-ding",
)
# The complainant's own reasons for a review: on their own tracking page, on nobody else's.
OWN_REVIEW_REASONS = "金丝雀复查理由"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _staff(org, *, username: str, last: str, first: str, role: str, department):
    return core_services.user_create(
        actor=None,
        username=username,
        password="pw-canary",
        role=role,
        jurisdiction=org.city,
        department=department,
        last_name=last,
        first_name=first,
    )


@pytest.fixture
def seeded(org, calendar):
    """Complaints in every kind of state, their secrets, and the item they name."""
    office = _staff(
        org,
        username="canary-staff-bing",
        last="金丝雀",
        first="丙",
        role=Role.OFFICE,
        department=org.departments["office"],
    )
    clerk = _staff(
        org,
        username="canary-clerk-ding",
        last="金丝雀",
        first="丁",
        role=Role.CLERK,
        department=org.departments["salt"],
    )
    entry = rb.publish(org.departments["salt"], name="食盐定点批发企业审批")
    filed = {}

    # Closed as substantiated after a return, rated, then under review.
    named = services.complaint_file(
        actor=None,
        entries=[entry],
        ground=Ground.CANCELLED_CONTINUED,
        facts="批发许可已取消仍被要求申请。",
        complainant_kind=ComplainantKind.CITIZEN,
        name="金丝雀甲",
        phone="13988887777",
        email="jinsique-jia@example.invalid",
        address="金丝雀路88号",
        truthful=True,
        files=[SimpleUploadedFile("金丝雀证据.pdf", PDF, content_type="application/pdf")],
    )
    complaint = services.complaint_accept(
        actor=office, complaint=named.complaint, opinion="金丝雀意见：同意受理"
    )
    complaint = services.complaint_answer(actor=clerk, complaint=complaint, answer="初步答复。")
    complaint = services.complaint_return(
        actor=office, complaint=complaint, reasons="金丝雀意见：调查不充分"
    )
    complaint = services.complaint_answer(
        actor=clerk, complaint=complaint, answer="经调查，已停止收取审查费。"
    )
    complaint = services.complaint_close(
        actor=office, complaint=complaint, outcome="substantiated", finding="取消后仍实施"
    )
    services.complaint_rate(
        actor=None, complaint=complaint, secret=named.secret, rating=Rating.NOT_SATISFIED
    )
    services.complaint_review_request(
        actor=None, complaint=complaint, secret=named.secret, reasons=OWN_REVIEW_REASONS
    )
    filed["reviewing"] = named

    # Recorded in person, with a representative, and refused.
    in_person = services.complaint_record(
        actor=office,
        channel=Channel.IN_PERSON,
        received_at=timezone.now(),
        department=org.departments["salt"],
        ground=Ground.NOT_AS_LISTED,
        facts="窗口拒收申请材料。",
        complainant_kind=ComplainantKind.CITIZEN,
        name="金丝雀戊",
        phone="13700009999",
        id_type=IdType.RESIDENT_ID,
        id_number=RESIDENT_ID,
        representatives=[
            {
                "name": "金丝雀乙",
                "id_type": IdType.PASSPORT,
                "id_number": "E55554444",
                "phone": "13800001111",
            }
        ],
    )
    services.complaint_refuse(
        actor=office,
        complaint=in_person.complaint,
        ground="r1",
        reason="该事项已进入行政诉讼程序。",
    )
    filed["refused"] = in_person

    # Anonymous, merged into the first.
    merged = build.file(org, anonymous=True, facts="批发许可取消后仍要求申请并收费。")
    services.complaint_merge(
        actor=office, complaint=merged.complaint, into=named.complaint, opinion="金丝雀意见：合并"
    )
    filed["merged"] = merged

    # "Not ours", passed on, with a stand-aside.
    declined = build.accepted(org, facts="行政处罚交由事业单位实施。")
    services.complaint_stand_aside(actor=clerk, complaint=declined, reason="金丝雀回避：亲属")
    declined = services.complaint_decline(
        actor=org.users["clerk"],
        complaint=declined,
        responsible=org.departments["establishment"],
        reason="金丝雀意见：非本部门职责",
    )
    services.complaint_reassign(
        actor=office,
        complaint=declined,
        responsible=org.departments["establishment"],
        reason="金丝雀意见：转编办",
    )
    filed["reassigned"] = services.Filed(declined, "")

    # Closed as not substantiated.
    filed["closed"] = build.closed(org, outcome="not_substantiated", name="金丝雀甲")
    return {"filed": filed, "entry": entry}


def _assert_clean(where: str, text: str) -> None:
    found = [canary for canary in CANARIES if canary in text]
    assert not found, f"{where} shows {found}"


def _workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_no_public_page_file_or_answer_shows_personal_data(seeded, org):
    public = Client()
    entry = seeded["entry"]
    pages = {
        "the complaint form": reverse("complaints:new"),
        "the form from the item page": f"{reverse('complaints:new')}?item={entry.code}",
        "the item picker": f"{reverse('complaints:item-picker')}?q={entry.name}",
        "the tracking form": reverse("complaints:track"),
        "the statistics": reverse("complaints:stats"),
        "this year's statistics": f"{reverse('complaints:stats')}?year={timezone.localdate().year}",
        "the item page": reverse("registry:entry", args=[entry.code]),
    }
    for where, url in pages.items():
        response = public.get(url)
        assert response.status_code == 200, where
        _assert_clean(where, response.content.decode())
    statistics = public.get(reverse("complaints:stats")).content.decode()
    assert "食盐" in statistics or "盐业" in statistics  # the department is there, by name

    workbook = public.get(reverse("complaints:stats-xlsx"))
    assert workbook.status_code == 200
    cells = _workbook_text(workbook.content)
    assert "盐业管理局" in cells
    _assert_clean("the statistics workbook", cells)

    for state, filed in seeded["filed"].items():
        if not filed.secret:
            continue
        response = public.post(
            reverse("complaints:track"), {"code": filed.complaint.code, "secret": filed.secret}
        )
        assert response.status_code == 200, state
        html = response.content.decode()
        assert filed.complaint.code in html, state
        _assert_clean(f"the tracking page of the {state} complaint", html)
        if state == "reviewing":
            assert OWN_REVIEW_REASONS in html
        else:
            assert OWN_REVIEW_REASONS not in html, state


def test_the_public_api_shows_no_personal_data(seeded):
    """The API of another part of issue 12: checked here too, so that one test searches every
    public answer."""
    public = Client()
    response = public.get("/api/v1/complaints/stats/")
    assert response.status_code in (200, 501)
    _assert_clean("the API's statistics", response.content.decode())
    for state, filed in seeded["filed"].items():
        if not filed.secret:
            continue
        response = public.post(
            "/api/v1/complaints/track/",
            json.dumps({"code": filed.complaint.code, "secret": filed.secret}),
            content_type="application/json",
        )
        assert response.status_code in (200, 501), state
        text = response.content.decode()
        _assert_clean(f"the API's tracking of the {state} complaint", text)
        if response.status_code == 200 and state != "reviewing":
            assert OWN_REVIEW_REASONS not in text, state
