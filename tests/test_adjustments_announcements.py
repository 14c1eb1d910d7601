"""Issue 4 §3: the public announcements of published adjustments. A request walked to
publication appears in the list, on its own page with the difference of every entry, and in
the Atom feed; a request in any other state appears nowhere and its number answers 404. No
login is needed, and no page grows its query count with the data. Data is built through the
services (tests/adjustment_builders.py)."""

import datetime
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adjustments import announcement_views, services
from adjustments.choices import ChangeKind, RequestState, ReviewConclusion, TriggerKind
from core.choices import Role
from registry import services as registry_services
from registry.choices import ListKind
from tests import registry_builders as rb
from tests.adjustment_builders import (
    at,
    draft_of,
    published_entry,
    request_for,
    walk_to_publication,
    walk_to_review,
)

ATOM = "{http://www.w3.org/2005/Atom}"
LIST_URL = reverse("adjustments:announcements")
FEED_URL = reverse("adjustments:announcements-feed")
# Basic codes of the entries the tests make: each must be new within its department.
_serial = itertools.count(100)


def _detail_url(request) -> str:
    return reverse("adjustments:announcement", args=[request.number])


def _request(org, *, event_date: datetime.date, district: bool = False, **kwargs):
    """request_for with an entry of its own (a basic code is unique within a department)."""
    serial = next(_serial)
    entry = published_entry(org, district=district, basic_code=f"07{serial:05d}000")
    return request_for(org, event_date=event_date, district=district, entry=entry, **kwargs)


def _published(org, day: datetime.datetime, **kwargs):
    """A request of the city's salt bureau (promised time limit 10 → 5 working days)
    walked to publication at `day`."""
    district = kwargs.get("district", False)
    with time_machine.travel(day, tick=False):
        request = _request(org, event_date=day.date() - datetime.timedelta(days=1), **kwargs)
        request = walk_to_review(org, request, district=district)
        return walk_to_publication(org, request, district=district)


def _published_with(org, day: datetime.datetime, *, modified: int, added: int = 0, summary=""):
    """A request changing `modified` published entries and adding `added` new ones."""
    clerk = org.users[Role.CLERK]
    salt = org.departments["salt"]
    with time_machine.travel(day, tick=False):
        drafts = []
        for _ in range(modified):
            serial = next(_serial)
            entry = rb.publish(salt, name=f"事项{serial}", basic_code=f"07{serial:05d}000")
            drafts.append(draft_of(entry, clerk, promised_limit_days=3, name=f"事项{serial}（新）"))
        for _ in range(added):
            serial = next(_serial)
            payload = rb.entry_payload(name=f"新增事项{serial}", basic_code=f"07{serial:05d}000")
            drafts.append(
                registry_services.draft_create(
                    actor=clerk, list_kind=ListKind.POWER, payload=payload
                )
            )
        request = services.adjustment_create(
            actor=clerk,
            trigger=TriggerKind.INSTITUTIONAL,
            event_date=day.date() - datetime.timedelta(days=1),
            summary=summary or f"调整{modified + added}项",
            reason="机构改革。",
            law=None,
            drafts=drafts,
        )
        request = walk_to_review(org, request)
        return walk_to_publication(org, request)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _text(response) -> str:
    return response.content.decode()


def _feed_entries(client) -> list[ET.Element]:
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


# --- a published request is announced -------------------------------------------------------


def test_a_published_request_is_in_the_list_the_detail_and_the_feed(client, org, calendar):
    request = _published(org, at(2026, 3, 10))
    assert request.state == RequestState.PUBLISHED
    (item,) = request.items.all()

    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    assert [a.number for a in listing.context["announcements"]] == [request.number]
    html = _text(listing)
    assert f'href="{_detail_url(request)}"' in html
    assert f'href="{reverse("registry:entry", args=[item.entry.code])}"' in html
    assert "2026-03-10" in html and "市盐业管理局" in html and "郑州市" in html
    assert str(ChangeKind.MODIFY.label) in html
    assert 'type="application/atom+xml" title="' in html and f'href="{FEED_URL}"' in html

    detail = client.get(_detail_url(request))
    assert detail.status_code == 200
    (shown,) = detail.context["items"]
    assert [(row.name, row.old, row.new) for row in shown.changed] == [
        ("promised_limit_days", ["10"], ["5"])
    ]
    html = _text(detail)
    # The changed field first, old value struck out and new one inserted.
    changed = re.search(r'<table class="entry-diff announcement-diff">.*?</table>', html, re.S)
    assert re.search(r"<del[^>]*>.*10</del>", changed.group(0), re.S)
    assert re.search(r"<ins[^>]*>.*5</ins>", changed.group(0), re.S)
    assert "<details" in html and "diff-same" in html  # every field, one click away
    # The register's own diff page, with the two versions it takes as ?a= and ?b=.
    diff_url = reverse("registry:entry-diff", args=[item.entry.code])
    assert f'href="{diff_url}?a=1&amp;b=2"' in html
    assert client.get(diff_url, {"a": 1, "b": 2}).context["diff"][0].new == ["5"]

    (entry,) = _feed_entries(client)
    assert entry.findtext(f"{ATOM}title") == f"{request.number} {request.summary}"
    assert entry.find(f"{ATOM}link").get("href").endswith(_detail_url(request))
    assert entry.findtext(f"{ATOM}id").endswith(_detail_url(request))
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "市盐业管理局"
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == at(2026, 3, 10) and updated.utcoffset() == datetime.timedelta(hours=8)
    summary = entry.findtext(f"{ATOM}summary")
    assert item.entry.name in summary and item.entry.code in summary
    promised = next(row for row in shown.diff if row.name == "promised_limit_days")
    assert promised.label in summary


def test_the_feed_is_atom_with_a_translated_title_and_its_own_link(client, org, calendar):
    _published(org, at(2026, 3, 10), summary="调整<b>时限</b>", name="<i>食盐</i>批发许可")
    response = client.get(FEED_URL)
    root = ET.fromstring(response.content)
    (entry,) = root.findall(f"{ATOM}entry")
    # Text stays text: the title is plain, the HTML summary escapes what it quotes.
    assert entry.findtext(f"{ATOM}title").endswith("调整<b>时限</b>")
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    summary = entry.findtext(f"{ATOM}summary")
    assert "&lt;i&gt;食盐&lt;/i&gt;批发许可" in summary and "<i>" not in summary
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    title = root.findtext(f"{ATOM}title")
    assert title == str(announcement_views.AnnouncementFeed.title)
    assert root.findtext(f"{ATOM}subtitle")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"].endswith(FEED_URL) and links["alternate"].endswith(LIST_URL)
    english = ET.fromstring(client.get(FEED_URL, headers={"accept-language": "en"}).content)
    assert english.findtext(f"{ATOM}title") == "Adjustment announcements"
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_several_entries_and_a_new_one_are_each_shown(client, org, calendar):
    request = _published_with(org, at(2026, 3, 11), modified=2, added=1)
    response = client.get(_detail_url(request))
    items = response.context["items"]
    # In the order the department gave them.
    assert [view.item.change for view in items] == [
        ChangeKind.MODIFY,
        ChangeKind.MODIFY,
        ChangeKind.ADD,
    ]
    new = items[2]
    assert new.current is None and new.proposed.version == 1
    for view in items[:2]:
        assert {row.name for row in view.changed} == {"name", "promised_limit_days"}
        assert view.current.version == 1 and view.proposed.version == 2
    html = _text(response)
    for position in (1, 2, 3):
        assert f'href="#item-{position}"' in html and f'id="item-{position}"' in html
    # A new entry has no earlier version to compare with on the register's diff page.
    new_code = new.proposed.code
    assert f'href="{reverse("registry:entry", args=[new_code])}"' in html
    assert f"{reverse('registry:entry-diff', args=[new_code])}?a=" not in html
    (entry,) = _feed_entries(client)
    summary = entry.findtext(f"{ATOM}summary")
    assert all(view.proposed.name in summary for view in items)


# --- nothing unpublished leaks ----------------------------------------------------------------


def _drafting(org):
    return _request(org, event_date=datetime.date(2026, 3, 9), summary="未公布：起草中")


def _submitted(org):
    request = _request(org, event_date=datetime.date(2026, 3, 9), summary="未公布：已提交")
    return services.adjustment_submit(actor=org.users[Role.CLERK], request=request)


def _reviewing(org):
    request = _request(org, event_date=datetime.date(2026, 3, 9), summary="未公布：审核中")
    return walk_to_review(org, request)


def _rejected(org):
    request = _submitted(org)
    return services.adjustment_reject(
        actor=org.users[Role.OFFICE], request=request, reason="不属于调整范围。"
    )


def _withdrawn(org):
    request = _submitted(org)
    return services.adjustment_withdraw(
        actor=org.users[Role.CLERK], request=request, reason="另行申请。"
    )


def _publishing(org):
    """Approved and sent to the digital office, one step short of publication."""
    people = org.users
    request = _reviewing(org)
    request = services.adjustment_review(
        actor=people[Role.REVIEWER],
        request=request,
        conclusion=ReviewConclusion.AGREE,
        opinion="同意。",
    )
    request = services.adjustment_approve(
        actor=people[Role.OFFICE], request=request, opinion="同意。"
    )
    request = services.adjustment_confirm(actor=people[Role.CLERK], request=request)
    return services.adjustment_digital_forward(actor=people[Role.OFFICE], request=request)


UNPUBLISHED = {
    RequestState.DRAFTING: _drafting,
    RequestState.SUBMITTED: _submitted,
    RequestState.REVIEWING: _reviewing,
    RequestState.REJECTED: _rejected,
    RequestState.WITHDRAWN: _withdrawn,
    RequestState.PUBLISHING: _publishing,
}


@pytest.mark.parametrize(
    ("state", "build"), list(UNPUBLISHED.items()), ids=[str(s.value) for s in UNPUBLISHED]
)
def test_an_unpublished_request_is_nowhere(client, org, calendar, state, build):
    published = _published(org, at(2026, 3, 10))
    with time_machine.travel(at(2026, 3, 11), tick=False):
        hidden = build(org)
    assert hidden.state == state
    for viewer in (None, org.users[Role.OFFICE], org.users[Role.CLERK]):
        if viewer is not None:
            client.force_login(viewer)
        listing = client.get(LIST_URL)
        assert [a.number for a in listing.context["announcements"]] == [published.number]
        assert hidden.number not in _text(listing) and hidden.summary not in _text(listing)
        assert client.get(_detail_url(hidden)).status_code == 404
        feed = client.get(FEED_URL).content.decode()
        assert hidden.number not in feed and hidden.summary not in feed
        assert published.number in feed


def test_an_unknown_number_is_not_found(client, db):
    url = reverse("adjustments:announcement", args=["TZ2026-410100-9999"])
    assert client.get(url).status_code == 404


# --- public: no login, public facts only ---------------------------------------------------------


def test_anonymous_visitors_read_everything_public_and_nothing_internal(client, org, calendar):
    request = _published(org, at(2026, 3, 10))
    pages = [LIST_URL, _detail_url(request), FEED_URL]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = _text(response)
        # No opinion of a step, no member of staff, nothing of the staff pages.
        assert "依据充分，同意调整。" not in html and "请法制办审核。" not in html
        assert not re.search(r"(city|district)-(clerk|office|reviewer|digital)", html)
        assert "/work/" not in html
    # "Announcements" is in everyone's navigation; the staff's "Adjustments" is not.
    nav = re.search(r'<ul id="main-nav-list".*?</ul>', _text(client.get(LIST_URL)), re.S).group(0)
    assert f'href="{LIST_URL}" aria-current="page"' in nav
    assert reverse("adjustments:list") not in nav


def test_staff_see_the_same_announcements_and_their_work_link(client, org, calendar):
    request = _published(org, at(2026, 3, 10))
    anonymous = _text(client.get(_detail_url(request)))
    client.force_login(org.users[Role.REVIEWER])
    html = _text(client.get(_detail_url(request)))
    assert f'href="{reverse("adjustments:list")}"' in html
    assert f'href="{LIST_URL}"' in html and f'href="{LIST_URL}"' in anonymous
    main = re.compile(r'<main id="main".*</main>', re.S)
    assert main.search(html).group(0) == main.search(anonymous).group(0)


# --- filters and pages --------------------------------------------------------------------------


def test_filters_by_jurisdiction_department_and_dates(client, org, calendar):
    city = _published(org, at(2026, 3, 10), summary="市级调整")
    district = _published(org, at(2026, 4, 14), district=True, summary="区级调整")

    def numbers(**params):
        response = client.get(LIST_URL, params)
        assert response.status_code == 200
        return [a.number for a in response.context["announcements"]]

    assert numbers() == [district.number, city.number]
    assert numbers(jurisdiction="410106") == [district.number]
    assert numbers(jurisdiction="410100") == [city.number]
    assert numbers(department=org.departments["salt"].pk) == [city.number]
    assert numbers(jurisdiction="410106", department=org.district_departments["salt"].pk) == [
        district.number
    ]
    assert numbers(since="2026-04-01") == [district.number]
    assert numbers(until="2026-03-10") == [city.number]  # the whole day, Beijing time
    assert numbers(since="2026-03-10", until="2026-04-14") == [district.number, city.number]
    assert numbers(since="2026-03-11", until="2026-04-13") == []
    # The departments offered are those of the jurisdiction chosen.
    form = client.get(LIST_URL, {"jurisdiction": "410106"}).context["form"]
    offered = [pk for _group, options in form.fields["department"].choices[1:] for pk, _ in options]
    assert org.district_departments["salt"].pk in offered
    assert org.departments["salt"].pk not in offered


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-13-45"},
        {"since": "2026-05-01", "until": "2026-04-01"},
        {"jurisdiction": "999999"},
        {"department": "99999999999999999999"},
    ],
)
def test_invalid_filters_are_explained(client, org, calendar, params):
    _published(org, at(2026, 3, 10))
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["announcements"]) == []
    assert 'role="alert"' in _text(response) and 'aria-invalid="true"' in _text(response)


def test_the_list_is_paged(client, org, calendar, monkeypatch):
    monkeypatch.setattr(announcement_views, "PAGE_SIZE", 2)
    made = [_published(org, at(2026, 3, day), summary=f"调整{day}") for day in (10, 11, 12)]
    first = client.get(LIST_URL)
    assert [a.number for a in first.context["announcements"]] == [made[2].number, made[1].number]
    assert first.context["paginator"].count == 3
    assert 'rel="next"' in _text(first)
    second = client.get(LIST_URL, {"page": 2})
    assert [a.number for a in second.context["announcements"]] == [made[0].number]


# --- query counts ---------------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_announcements_or_items(client, org, calendar):
    small = _published_with(org, at(2026, 3, 10), modified=1)
    before = {
        "list": _queries(client, LIST_URL),
        "filtered": _queries(client, f"{LIST_URL}?jurisdiction=410100&since=2026-01-01"),
        "detail": _queries(client, _detail_url(small)),
        "feed": _queries(client, FEED_URL),
    }
    big = _published_with(org, at(2026, 3, 11), modified=4, added=2)
    _published_with(org, at(2026, 3, 12), modified=3)
    _published(org, at(2026, 3, 13))
    response = client.get(LIST_URL)
    assert response.context["paginator"].count == 4
    assert sum(len(a.items.all()) for a in response.context["announcements"]) == 11
    assert len(client.get(_detail_url(big)).context["items"]) == 6
    assert len(_feed_entries(client)) == 4
    after = {
        "list": _queries(client, LIST_URL),
        "filtered": _queries(client, f"{LIST_URL}?jurisdiction=410100&since=2026-01-01"),
        "detail": _queries(client, _detail_url(big)),
        "feed": _queries(client, FEED_URL),
    }
    assert after == before


# --- the register links a version to its announcement ---------------------------------------------


def test_the_item_history_links_an_adjusted_version_to_its_announcement(client, org, calendar):
    request = _published(org, at(2026, 3, 10))
    (item,) = request.items.all()
    announcement = f'href="{_detail_url(request)}"'
    for name in ("registry:entry", "registry:entry-history"):
        html = _text(client.get(reverse(name, args=[item.entry.code])))
        assert html.count(announcement) == 1, name
        # The imported first version names its batch, which is no announcement.
        assert 'href="/announcements/test/"' not in html
    history = _text(client.get(reverse("registry:entry-history", args=[item.entry.code])))
    assert re.search(rf"{re.escape(announcement)}[^>]*>{request.number}</a>", history)
