"""Issue 10 §4–§9, the UX found in the browser walk, at the level of pages and functions (the
browser side is tests/test_browser_ux.py): irreversible actions ask first, the proposed change
comes before the decision forms, every due moment says how many working days are left, the
request form preselects no trigger, the browse tree nests a town under its county-level city,
the office's queue names the applying department, /favicon.ico exists and `make run` logs each
e-mail in one line."""

import datetime
import logging

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from adjustments import selectors
from adjustments.choices import RequestState, Transition
from core import services as core_services
from core.choices import DepartmentFunction, Role
from tests import registry_builders as rb
from tests.adjustment_builders import at, draft_of, published_entry, request_for, walk_to_review
from tests.timed_app.services import timed_thing_start

EVENT_DAY = datetime.date(2026, 9, 18)
NOW = at(2026, 9, 29)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _detail(request) -> str:
    return reverse("adjustments:detail", args=[request.number])


def _act(request, transition: str) -> str:
    return reverse("adjustments:act", args=[request.number, transition])


# --- §4 irreversible actions ask first ---------------------------------------------------------


def test_withdrawing_without_the_confirmation_changes_nothing(client, org, calendar, frozen):
    request = request_for(org, event_date=EVENT_DAY)
    client.force_login(org.users[Role.CLERK])
    page = client.get(_detail(request)).content.decode()
    # The form says in Chinese what will happen, and its button is the destructive kind.
    assert 'data-confirm="申请 ' in page and "就此终结" in page
    assert 'class="button danger"' in page and "我确认：" in page

    refused = client.post(_act(request, Transition.WITHDRAW), {"withdraw-reason": "无需调整。"})
    assert refused.status_code == 200
    form = refused.context["failed"].form
    assert "confirm" in form.errors
    assert "无需调整。" in refused.content.decode()  # what was typed is kept
    request.refresh_from_db()
    assert request.state == RequestState.DRAFTING

    done = client.post(
        _act(request, Transition.WITHDRAW),
        {"withdraw-reason": "无需调整。", "withdraw-confirm": "on"},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_the_next_step_is_primary_and_ending_the_request_is_not(client, org, calendar, frozen):
    request = request_for(org, event_date=EVENT_DAY)
    client.force_login(org.users[Role.CLERK])
    panel = {entry.name: entry for entry in client.get(_detail(request)).context["panel"]}
    assert not panel[Transition.SUBMIT].form.destructive
    assert not panel[Transition.SUBMIT].form.confirmation  # reversible by a return: no question
    assert panel[Transition.WITHDRAW].form.destructive
    assert request.number in panel[Transition.WITHDRAW].form.confirmation
    # The service gets no "confirm" argument.
    form = panel[Transition.WITHDRAW].form.__class__(
        {"withdraw-reason": "x", "withdraw-confirm": "on"},
        user=org.users[Role.CLERK],
        adjustment=request,
        prefix="withdraw",
    )
    assert form.is_valid() and form.arguments() == {"reason": "x"}


# --- §5 the proposed change comes first --------------------------------------------------------


def test_the_proposed_change_comes_before_the_decision_forms(client, org, calendar, frozen):
    request = walk_to_review(org, request_for(org, event_date=EVENT_DAY))
    client.force_login(org.users[Role.REVIEWER])
    page = client.get(_detail(request)).content.decode()
    assert 'id="items-heading"' in page and 'id="panel-heading"' in page
    assert page.index('id="items-heading"') < page.index('id="panel-heading"')
    assert page.index('id="items-heading"') < page.index('id="waiting-heading"')
    assert 'href="#panel-heading"' in page


# --- §6 working days left ------------------------------------------------------------------------


def _render_due(step) -> str:
    request = RequestFactory().get("/")
    return Template("{% load deadlines %}{% due step %}").render(
        Context({"step": step, "request": request})
    )


@pytest.mark.parametrize(
    ("now", "english", "chinese"),
    [
        # Due 2027-01-12 (Tue, 24:00): Monday 11 and Tuesday 12 are left on Friday 8.
        (at(2027, 1, 8), "2 working days left", "还剩 2 个工作日"),
        (at(2027, 1, 12, 15), "due today", "今日到期"),
        # Wednesday 13 and Thursday 14 have passed since.
        (at(2027, 1, 14), "overdue by 2 working days", "已逾期 2 个工作日"),
        # Saturday 16 after Friday 15: still three working days late, the weekend not counted.
        (at(2027, 1, 16), "overdue by 3 working days", "已逾期 3 个工作日"),
    ],
)
def test_a_due_moment_says_the_working_days_left(calendar, now, english, chinese):
    step = timed_thing_start(
        actor=None,
        title="x",
        started_at=at(2026, 12, 28, 9),
        days=10,
    )
    with time_machine.travel(now, tick=False):
        with translation.override("en"):
            html = _render_due(step)
        assert english in html
        assert "2027-01-12" in html and "24:00" in html
        with translation.override("zh-hans"):
            assert chinese in _render_due(step)
    # The explanation is behind a real button pointing at it (no hover-only title).
    assert 'class="cal-why-toggle"' in html and 'aria-expanded="false"' in html
    controls = html.split('aria-controls="', 1)[1].split('"', 1)[0]
    assert f'id="{controls}"' in html
    assert 'title="' not in html


def test_the_due_moments_of_one_page_share_one_calendar_load(calendar):
    steps = [
        timed_thing_start(
            actor=None,
            title=f"x{number}",
            started_at=datetime.datetime(2026, 12, 1 + number, 1, 0, tzinfo=datetime.UTC),
            days=10,
        )
        for number in range(6)
    ]
    request = RequestFactory().get("/")
    template = Template("{% load deadlines %}{% for step in steps %}{% due step %}{% endfor %}")
    with time_machine.travel(at(2026, 12, 10), tick=False):
        with CaptureQueriesContext(connection) as one:
            template.render(Context({"steps": steps[:1], "request": RequestFactory().get("/")}))
        with CaptureQueriesContext(connection) as six:
            html = template.render(Context({"steps": steps, "request": request}))
    assert len(six) == len(one)
    assert html.count("cal-why-toggle") == 6
    ids = {part.split('"', 1)[0] for part in html.split('aria-controls="')[1:]}
    assert len(ids) == 6


# --- §7 the request form ------------------------------------------------------------------------


def test_an_empty_request_says_choose_the_trigger_not_the_law(client, org, calendar, frozen):
    client.force_login(org.users[Role.CLERK])
    form_page = client.get(reverse("adjustments:new")).content.decode()
    assert '<option value="" selected>' in form_page
    with translation.override("zh-hans"):
        response = client.post(reverse("adjustments:new"), {"then": "save"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "trigger" in errors and "law" not in errors
    html = response.content.decode()
    assert "请选择调整情形" in html
    assert "法律" not in str(errors)
    # No file was chosen: no note about choosing files again.
    assert "请重新选择" not in html


def test_the_files_note_appears_only_when_files_were_chosen(client, org, calendar, frozen):
    client.force_login(org.users[Role.CLERK])
    upload = SimpleUploadedFile("申请表.pdf", b"%PDF-1.4 form")
    with translation.override("zh-hans"):
        response = client.post(reverse("adjustments:new"), {"then": "save", "files": [upload]})
    assert response.status_code == 200
    assert "请重新选择" in response.content.decode()


# --- §9 browse, queue, favicon, e-mail log -------------------------------------------------------


def test_a_town_sits_under_its_county_level_city_in_browse(client, org):
    town_department = core_services.department_create(
        actor=None,
        jurisdiction=org.town,
        name="济源路街道便民服务中心",
        function=DepartmentFunction.GENERAL,
        review_field="",
    )
    rb.publish(town_department, name="街道许可事项")
    top = client.get(reverse("registry:browse"))
    listed = [
        (j.code, depth, j.entry_count, j.below_count) for j, depth in top.context["jurisdictions"]
    ]
    # 上街区 has nothing of its own but stands between 郑州市 and the town.
    assert listed == [("410100", 0, 0, 1), ("410106", 1, 0, 1), ("410106001", 2, 1, 0)]

    town = client.get(reverse("registry:browse"), {"jurisdiction": "410106001"})
    crumbs = [crumb.label for crumb in town.context["crumbs"]]
    assert crumbs[1:] == ["郑州市", "上街区", "济源路街道"]
    district = client.get(reverse("registry:browse"), {"jurisdiction": "410106"})
    assert [j.code for j in district.context["below"]] == ["410106001"]
    assert "?jurisdiction=410106001" in district.content.decode()


def test_the_office_queue_shows_the_applying_department(client, org, calendar, frozen):
    from adjustments import services

    request = request_for(org, event_date=EVENT_DAY)
    services.adjustment_submit(actor=org.users[Role.CLERK], request=request)
    office = org.users[Role.OFFICE]
    (item,) = selectors.work_items(office)
    assert item.department == "市盐业管理局"
    client.force_login(office)
    with translation.override("zh-hans"):
        html = client.get(reverse("core:home")).content.decode()
    assert 'data-label="申请单位">市盐业管理局</td>' in html


def test_favicon_is_served_by_the_site(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert 'rel="icon"' in client.get(reverse("registry:entries")).content.decode()


def test_make_run_logs_each_email_in_one_info_line(settings, caplog):
    settings.EMAIL_BACKEND = "core.mail.LoggingEmailBackend"
    with caplog.at_level(logging.INFO, logger="qingdan.mail"):
        sent = mail.send_mail(
            "调整申请 TZ-1\n待您审核", "第一行\n第二行\n" * 30, None, ["reviewer@example.invalid"]
        )
    assert sent == 1
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "\n" not in message
    assert "reviewer@example.invalid" in message and "调整申请 TZ-1 待您审核" in message


def test_local_settings_use_the_logging_backend():
    from config.settings import local

    assert local.EMAIL_BACKEND == "core.mail.LoggingEmailBackend"


# --- §8 the draft form --------------------------------------------------------------------------


def test_the_basis_is_a_checkbox_list_without_ctrl(client, org):
    clerk = org.users[Role.CLERK]
    entry = published_entry(org)
    draft = draft_of(entry, clerk)
    client.force_login(clerk)
    html = client.get(reverse("registry:draft-edit", args=[draft.pk])).content.decode()
    assert 'type="checkbox" name="basis"' in html
    assert "Ctrl" not in html and "⌘" not in html
    assert "data-filter-list" in html
    # The comparison with the published version comes before the form.
    assert html.index('id="compare-heading"') < html.index('class="work-form"')
