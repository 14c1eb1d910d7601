"""Issue 12 §1, §2, §3, §10, §12: the public pages of complaints and the staff intake form.

The form files a complaint with its evidence and shows the code and secret once; what the
content checker, the truth confirmation or the honeypot refuses saves nothing; an anonymous
complaint keeps no name or contact and is followed with its code and secret; wrong pairs on the
tracking page are throttled; a flood from one address meets the captcha, then the limit, and
loses no complaint already received; the item page's link names the item and suggests the
ground; the statistics cost the same queries however many departments and complaints there
are; staff record what came by phone or in person, with the document and at most five
representatives."""

import datetime
import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook

from complaints import selectors, services
from complaints.choices import ComplaintState, Ground, Rating
from complaints.models import Complaint, Evidence, Representative
from core import captcha
from core import services as core_services
from core.checkers import upload_problem
from core.choices import DepartmentFunction
from registry.choices import EntryStatus
from tests import complaint_builders as build
from tests import registry_builders as rb

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
FACTS = "已取消的食盐准运证仍被要求办理，并收取审查费。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence goes to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def visitor(address: str = "203.0.113.7") -> Client:
    """A member of the public at `address`, reading English (the new strings are translated
    when the catalogue is merged)."""
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def form_data(org, **overrides) -> dict:
    data = {
        "department": org.departments["salt"].pk,
        "items": "",
        "ground": Ground.CANCELLED_CONTINUED,
        "facts": FACTS,
        "reasons": "违反清单管理规定。",
        "complainant_kind": "citizen",
        "name": "赵六",
        "phone": "13700000003",
        "email": "",
        "address": "",
        "truthful": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send(client: Client, data: dict, **extra):
    return client.post(reverse("complaints:new"), data, **extra)


def filed_of(response) -> tuple[str, str]:
    """The code and secret the success page shows."""
    filed = response.context["filed"]
    return filed.complaint.code, filed.secret


def track(client: Client, code: str, secret: str, **extra):
    return client.post(reverse("complaints:track"), {"code": code, "secret": secret, **extra})


# --- the form ------------------------------------------------------------------------------------


def test_the_form_files_a_complaint_with_evidence_and_shows_code_and_secret_once(
    org, calendar, django_capture_on_commit_callbacks
):
    client = visitor()
    page = client.get(reverse("complaints:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Malicious and false complaints are not allowed" in html
    assert "Real names are encouraged" in html
    assert "nobody can contact you" in html
    evidence = SimpleUploadedFile("收费凭证.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, form_data(org, email="zhao@example.invalid", files=[evidence]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    code, secret = filed_of(response)
    html = response.content.decode()
    assert code in html and secret in html
    assert "cannot be shown again" in html
    complaint = Complaint.objects.get(code=code)
    assert complaint.department == org.departments["salt"]
    assert complaint.channel == "online" and complaint.truthful
    (saved,) = Evidence.objects.filter(complaint=complaint)
    assert saved.name == "收费凭证.pdf" and saved.size == len(PDF)
    assert selectors.complaint_track(code=code, secret=secret) is not None
    # The receipt e-mail carries both; the secret is stored only as a hash.
    (receipt,) = mail.outbox
    assert code in receipt.body and secret in receipt.body
    assert secret not in complaint.secret_hash
    # The page's due moment of the acceptance says how many days are left.
    assert "working day" in html


def test_a_program_renamed_pdf_is_refused_with_the_checkers_message_and_nothing_saved(org):
    program = SimpleUploadedFile("证据.pdf", PROGRAM, content_type="application/pdf")
    with translation.override("en"):
        expected = upload_problem(
            SimpleUploadedFile("证据.pdf", PROGRAM), suffixes=services.EVIDENCE_SUFFIXES
        )
    response = send(visitor(), form_data(org, files=[program]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "the content is not a PDF file" in expected
    assert escape(expected) in html
    assert Complaint.objects.count() == 0 and Evidence.objects.count() == 0
    # Everything typed is kept; the files must be chosen again.
    assert FACTS in html and "13700000003" in html
    assert "Choose the evidence files again" in html


def test_without_the_truth_confirmation_nothing_is_filed(org):
    response = send(visitor(), form_data(org, truthful=None))
    assert response.status_code == 200
    html = response.content.decode()
    assert "malicious and false complaints are not allowed" in html
    assert FACTS in html
    assert Complaint.objects.count() == 0


def test_a_named_complaint_needs_a_name_and_a_contact(org):
    response = send(visitor(), form_data(org, name="", phone=""))
    html = response.content.decode()
    assert "Give your name, or complain anonymously." in html
    assert "Give a contact (phone, e-mail or address), or complain anonymously." in html
    assert Complaint.objects.count() == 0


def test_an_anonymous_complaint_keeps_no_name_or_contact_and_is_tracked_with_code_and_secret(
    org, calendar
):
    client = visitor()
    response = send(
        client,
        form_data(org, anonymous="on", name="钱七", phone="13600000004", email="q@example.invalid"),
    )
    code, secret = filed_of(response)
    assert "Your complaint is anonymous" in response.content.decode()
    complaint = Complaint.objects.get(code=code)
    assert complaint.anonymous
    assert (complaint.name, complaint.phone, complaint.email, complaint.address) == ("",) * 4
    assert mail.outbox == []
    tracked = track(client, code.lower().replace("-", " "), secret.lower())
    assert tracked.status_code == 200
    assert tracked["Cache-Control"] == "no-store"
    html = tracked.content.decode()
    assert code in html and "Received" in html and "Decision on acceptance" in html
    assert "钱七" not in html


def test_a_second_arrival_of_the_same_form_files_nothing_twice(org, calendar):
    client = visitor()
    once = client.get(reverse("complaints:new")).context["form"]["once"].value()
    first = send(client, form_data(org, once=once))
    code, _secret = filed_of(first)
    again = send(client, form_data(org, once=once))
    assert again.status_code == 200
    assert "This form was already sent" in again.content.decode()
    assert code in again.content.decode()
    assert Complaint.objects.count() == 1


def test_the_honeypot_refuses_without_saving_and_says_nothing_of_why(org):
    response = send(visitor(), form_data(org, website="http://spam.example/"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "could not be sent" in html
    assert "website" not in html.lower().split("<main", 1)[1]
    assert Complaint.objects.count() == 0


def test_the_item_link_names_the_item_and_suggests_the_ground(org, calendar):
    entry = rb.publish(org.departments["salt"], name="食盐准运证核发")
    entry = rb.republish(entry, status=EntryStatus.CANCELLED)
    client = visitor()
    item_page = client.get(reverse("registry:entry", args=[entry.code])).content.decode()
    link = f"{reverse('complaints:new')}?item={entry.code}"
    assert f'href="{link}"' in item_page
    page = client.get(link)
    form = page.context["form"]
    assert form["items"].value() == entry.code
    assert form["ground"].value() == Ground.CANCELLED_VIA_SUBORDINATE
    assert form["department"].value() == org.departments["salt"].pk
    html = page.content.decode()
    assert "食盐准运证核发" in html
    assert html.count("complaint-choice is-suggested") == 2
    # The picker answers the same suggestion for the script to apply.
    found = client.get(reverse("complaints:item-picker"), {"q": "准运证"}).json()["items"]
    assert [(item["code"], item["grounds"]) for item in found] == [
        (entry.code, [Ground.CANCELLED_VIA_SUBORDINATE, Ground.CANCELLED_CONTINUED])
    ]
    # Without the script, the typed code names the item; the complaint goes to its body.
    response = send(client, form_data(org, department="", items=entry.code))
    code, _secret = filed_of(response)
    complaint = Complaint.objects.get(code=code)
    assert [item.code for item in complaint.items.all()] == [entry.code]
    unknown = send(client, form_data(org, department="", items="NO-SUCH-CODE"))
    assert "No published item has the code NO-SUCH-CODE." in unknown.content.decode()


# --- tracking ----------------------------------------------------------------------------------


def test_wrong_pairs_are_throttled_per_address_and_say_when_to_try_again(org, calendar, settings):
    settings.COMPLAINT_TRACK_FAILURE_COUNT = 3
    filed = build.file(org)
    code = filed.complaint.code
    client = visitor("198.51.100.9")
    for _attempt in range(3):
        response = track(client, code, "AAAAA-BBBBB")
        assert response.status_code == 200
        assert "No complaint matches this tracking code and secret" in response.content.decode()
    refused = track(client, code, "AAAAA-BBBBB")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Please try again in" in refused.content.decode()
    # Blocked now even with the right pair: guessing learns nothing more.
    assert track(client, code, filed.secret).status_code == 429
    # Another address is not.
    assert track(visitor("198.51.100.10"), code, filed.secret).status_code == 200


def test_the_tracking_page_shows_stages_due_moments_items_and_lets_the_complainant_rate_and_ask(
    org, calendar
):
    entry = rb.publish(org.departments["salt"], name="食盐批发许可")
    filed = build.closed(org, entries=[entry])
    complaint = filed.complaint
    client = visitor()
    html = track(client, complaint.code, filed.secret).content.decode()
    for stage in ("Received", "Accepted", "Answered and closed"):
        assert stage in html
    assert "经调查，已责令停止收费并退还。" in html
    assert "Substantiated" in html
    day = timezone.localdate(complaint.received_at).isoformat()
    assert f"{reverse('registry:entry', args=[entry.code])}?as_of={day}" in html
    rated = track(client, complaint.code, filed.secret, action="rate", rating=Rating.BASICALLY)
    assert "your rating is recorded" in rated.content.decode()
    complaint.refresh_from_db()
    assert complaint.rating == Rating.BASICALLY
    empty = track(client, complaint.code, filed.secret, action="review", reasons="")
    assert "Give the reasons for the review." in empty.content.decode()
    asked = track(client, complaint.code, filed.secret, action="review", reasons="退费未到账")
    html = asked.content.decode()
    assert "Your request for a review is received" in html
    assert "Review (复查)" in html and "working day" in html
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.REVIEWING


def test_a_refused_complaint_shows_the_ground_and_the_reason(org, calendar):
    filed = build.file(org)
    services.complaint_refuse(
        actor=org.users["office"],
        complaint=filed.complaint,
        ground="r1",
        reason="该事项已进入行政复议程序。",
    )
    html = track(visitor(), filed.complaint.code, filed.secret).content.decode()
    assert "Not accepted" in html
    assert "该事项已进入行政复议程序。" in html
    assert "administrative reconsideration" in html


# --- a flood from one address ---------------------------------------------------------------------


def test_a_flood_meets_the_captcha_then_the_limit_and_loses_no_complaint(org, calendar, settings):
    settings.COMPLAINT_CAPTCHA_AFTER = 2
    settings.COMPLAINT_FILE_THROTTLE_COUNT = 8
    client = visitor("192.0.2.44")
    received = []
    for number in range(2):
        response = send(client, form_data(org, facts=f"{FACTS}（第{number}次）"))
        received.append(filed_of(response))
    # The third asks for the digits: without them nothing is filed.
    refused = send(client, form_data(org))
    assert refused.status_code == 200
    assert "Type the five digits shown in the picture." in refused.content.decode()
    assert Complaint.objects.count() == 2
    token = refused.context["form"].captcha_challenge
    assert captcha.answer(token) is not None
    assert f'src="{reverse("complaints:captcha", args=[token])}"' in refused.content.decode()
    picture = client.get(reverse("complaints:captcha", args=[token]))
    assert picture["Content-Type"] == "image/svg+xml" and b"<text" not in picture.content
    wrong = str((int(captcha.answer(token)) + 1) % 100000).zfill(5)
    response = send(client, form_data(org, captcha_token=token, captcha=wrong))
    assert "The digits do not match the picture" in response.content.decode()
    assert Complaint.objects.count() == 2
    # The right digits, once: a replay of the same picture is refused.
    token = response.context["form"].captcha_challenge
    answer = captcha.answer(token)
    received.append(filed_of(send(client, form_data(org, captcha_token=token, captcha=answer))))
    replay = send(client, form_data(org, captcha_token=token, captcha=answer))
    assert "The digits do not match the picture" in replay.content.decode()
    # Full-width digits, as a Chinese input method types them, count as the digits.
    token = replay.context["form"].captcha_challenge
    wide = captcha.answer(token).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    received.append(filed_of(send(client, form_data(org, captcha_token=token, captcha=wide))))
    # The eighth request is the last allowed; the ninth is refused with when to try again.
    assert send(client, form_data(org)).status_code == 200
    limited = send(client, form_data(org))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Complaint.objects.count() == 4
    # Every complaint received is still there and followed with its own secret.
    other = visitor("192.0.2.45")
    for code, secret in received:
        assert Complaint.objects.filter(code=code).exists()
        assert track(other, code, secret).status_code == 200
    # Another address files without a captcha.
    assert filed_of(send(visitor("192.0.2.46"), form_data(org)))


def test_a_captcha_expires_and_its_picture_with_it(settings):
    settings.CAPTCHA_MAX_AGE = 60
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = captcha.challenge()
        answer = captcha.answer(token)
        assert re.fullmatch(r"\d{5}", answer)
        traveller.shift(datetime.timedelta(seconds=61))
        assert captcha.answer(token) is None
        assert captcha.svg(token) is None
        assert not captcha.check(token, answer)
    assert not captcha.check(token + "x", answer)


# --- statistics ---------------------------------------------------------------------------------


def _complaints_in(org, departments: int, *, start: int = 0) -> None:
    for number in range(start, start + departments):
        department = core_services.department_create(
            actor=None,
            jurisdiction=org.city,
            name=f"市统计测试局{number}",
            function=DepartmentFunction.GENERAL,
        )
        filed = build.file(org, department=department, facts=f"{FACTS}{number}")
        if number % 2:
            services.complaint_accept(actor=org.users["office"], complaint=filed.complaint)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_statistics_and_their_export_cost_the_same_queries_however_many_complaints(
    org, calendar
):
    client = visitor()
    stats_url = reverse("complaints:stats")
    export_url = reverse("complaints:stats-xlsx")
    _complaints_in(org, 2)
    few = (_queries(client, stats_url), _queries(client, export_url))
    _complaints_in(org, 6, start=2)
    many = (_queries(client, stats_url), _queries(client, export_url))
    assert few == many
    response = client.get(stats_url)
    assert response.context["stats"].total == 8
    html = response.content.decode()
    assert "Complaints by ground" in html and "Departments with the most complaints" in html
    assert 'class="stat-bar"' in html
    book = load_workbook(io.BytesIO(client.get(export_url).content))
    assert len(book.sheetnames) == 8
    assert book["Summary"]["B3"].value == 8


def test_the_statistics_filter_by_year_and_by_dates(org, calendar):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 10, tzinfo=datetime.UTC)):
        build.file(org)
    build.file(org)
    client = visitor()
    this_year = timezone.localdate().year
    assert client.get(reverse("complaints:stats")).context["stats"].total == 2
    assert client.get(reverse("complaints:stats"), {"year": this_year}).context["stats"].total == 1
    dated = client.get(reverse("complaints:stats"), {"since": "2025-01-01", "until": "2025-12-31"})
    assert dated.context["stats"].total == 1
    wrong = client.get(reverse("complaints:stats"), {"since": "2025-12-31", "until": "2025-01-01"})
    assert "The end of the period comes before its start." in wrong.content.decode()


# --- staff intake -------------------------------------------------------------------------------


def record_data(org, **overrides) -> dict:
    data = {
        "channel": "in_person",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "department": org.departments["salt"].pk,
        "ground": Ground.NOT_AS_LISTED,
        "facts": FACTS,
        "complainant_kind": "citizen",
        "name": "孙八",
        "phone": "13500000005",
        "id_type": "",
        "id_number": "",
        "rep-TOTAL_FORMS": "5",
        "rep-INITIAL_FORMS": "0",
        "rep-MIN_NUM_FORMS": "0",
        "rep-MAX_NUM_FORMS": "5",
    }
    data.update(overrides)
    return data


def representatives(count: int) -> dict:
    rows = {"rep-TOTAL_FORMS": str(max(count, 5))}
    for number in range(count):
        rows.update(
            {
                f"rep-{number}-name": f"代表{number}",
                f"rep-{number}-id_type": "passport",
                f"rep-{number}-id_number": f"E1234567{number}",
                f"rep-{number}-phone": "",
            }
        )
    return rows


def test_staff_record_a_complaint_in_person_with_the_document_and_representatives(org, calendar):
    url = reverse("complaints:record")
    assert visitor().get(url).status_code == 302
    reviewer = Client(HTTP_ACCEPT_LANGUAGE="en")
    reviewer.force_login(org.users["reviewer"])
    assert reviewer.get(url).status_code == 403
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(org.users["office"])
    assert office.get(url).status_code == 200
    without = office.post(url, record_data(org))
    html = without.content.decode()
    assert "In person, an identity document is shown" in html
    assert "孙八" in html
    assert Complaint.objects.count() == 0
    sixth = office.post(
        url, record_data(org, id_type="passport", id_number="E12345678", **representatives(6))
    )
    assert "A group sends at most 5 representatives" in sixth.content.decode()
    assert Complaint.objects.count() == 0
    begun = office.post(
        url, record_data(org, id_type="passport", id_number="E12345678", **{"rep-0-name": "代表"})
    )
    assert "Choose the identity document shown." in begun.content.decode()
    assert Complaint.objects.count() == 0
    done = office.post(
        url, record_data(org, id_type="passport", id_number="E12345678", **representatives(5))
    )
    assert done["Cache-Control"] == "no-store"
    filed = done.context["filed"]
    html = done.content.decode()
    assert filed.complaint.code in html and filed.secret in html
    assert reverse("complaints:detail", args=[filed.complaint.code]) in html
    complaint = Complaint.objects.get()
    assert complaint.channel == "in_person" and complaint.recorded_by == org.users["office"]
    assert Representative.objects.filter(complaint=complaint).count() == 5


def test_staff_record_a_phone_call_received_yesterday(org, calendar):
    office = Client(HTTP_ACCEPT_LANGUAGE="en")
    office.force_login(org.users["office"])
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    done = office.post(
        reverse("complaints:record"),
        record_data(org, channel="phone", received_at=yesterday.strftime("%Y-%m-%dT%H:%M")),
    )
    complaint = done.context["filed"].complaint
    assert complaint.channel == "phone"
    assert timezone.localdate(complaint.received_at) == yesterday.date()
    future = office.post(
        reverse("complaints:record"),
        record_data(org, channel="phone", received_at="2999-01-01T09:00"),
    )
    assert "The day of receipt cannot be in the future." in future.content.decode()
