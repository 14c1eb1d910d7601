"""The pages' part of `make bench` that runs inside Django (issue 11 §2), in a process of its
own with the served site's settings and database (`python -m bench.child pages OUTPUT`):

- picks the department and the item the URLs name, by one rule on every preset;
- checks that the bare view, limit (c), passes the whole middleware stack and sends no SQL;
- captures the SQL statements each page sends, as the site sends them (django.test.Client
  under CaptureQueriesContext, on the page's second request, as wrk times it warm), which the
  orchestrator replays in PostgreSQL: limit (b), the database's floor;
- builds the requests wrk sends to the POST pages (bench.complaints);
- captures the decision pages' SQL too, or only theirs on a register topped up with decisions
  (bench.decisions)."""

import json
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import resolve

from core import views as core_views
from core.choices import DepartmentFunction
from core.models import Department
from registry.choices import EntryStatus
from registry.models import Entry

from . import complaints
from .figures import BARE, COMPLAINT_FILE, JURISDICTION, PAGES, decision_pages
from .wrk import quoted

HOST = "127.0.0.1"
INNERMOST_HEADER = "X-Bench-Innermost"
MIN_VERSIONS = 3


def pick(jurisdiction: str = JURISDICTION) -> dict[str, str]:
    """The values the URLs name: `jurisdiction`; its general department with the median
    number of entries (the lower median; ties by id); and the entry in force in the middle of
    that department, in the register's order, among those with at least three versions."""
    departments = list(
        Department.objects.filter(
            jurisdiction__code=jurisdiction, function=DepartmentFunction.GENERAL
        )
        .annotate(count=Count("entries"))
        .filter(count__gt=0)
        .order_by("count", "pk")
    )
    if not departments:
        raise LookupError(f"no department of {jurisdiction} has entries: is the register empty?")
    department = departments[(len(departments) - 1) // 2]
    entries = Entry.objects.filter(
        department=department, status=EntryStatus.IN_FORCE, version__gte=MIN_VERSIONS
    ).order_by("sort_key", "pk")
    count = entries.count()
    if not count:
        raise LookupError(f"{department} has no entry in force with {MIN_VERSIONS} versions")
    return {
        "jurisdiction": jurisdiction,
        "department": str(department.pk),
        "code": entries[count // 2].code,
    }


class Innermost:
    """A middleware the bench puts after every middleware of the site while it checks the bare
    view: a response carrying its header went in through all of them (none answered by
    itself) and back out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response[INNERMOST_HEADER] = "1"
        return response


def bare_view_problems() -> list[str]:
    """What keeps the bare view from being the framework's floor (nothing: an empty list)."""
    problems = []
    if resolve(BARE.path).func is not core_views.favicon:
        problems.append(f"{BARE.path} is not core.views.favicon")
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.Innermost"]):
        client = Client(HTTP_HOST=HOST)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(BARE.path)
    if response.status_code != 200:
        problems.append(f"{BARE.path} answered {response.status_code}")
    if response.get(INNERMOST_HEADER) != "1":
        problems.append(f"{BARE.path} did not pass every middleware")
    if captured.captured_queries:
        problems.append(f"{BARE.path} sent {len(captured.captured_queries)} SQL statements")
    return problems


def _send(client: Client, path: str, request: str):
    """A GET of `path`, or the POST of `request` (a line of bench.wrk's file of requests)."""
    if not request:
        return client.get(quoted(path))
    method, kind, cookie, body = request.split("\t")
    for pair in filter(None, cookie.split("; ")):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    return client.generic(method, quoted(path), body.encode(), content_type=kind)


def capture(paths: dict[str, str], requests: dict[str, list[str]] | None = None) -> dict:
    """Each page's status and the SQL statements of its second request (the first one warms
    what a served page keeps warm: a department's export file, the process's caches); a POST
    page sends the first of its `requests` twice."""
    client = Client(HTTP_HOST=HOST)
    pages = {}
    for key, path in paths.items():
        request = (requests or {}).get(key, [""])[0]
        # The test client closes each response itself, as a WSGI server does.
        _send(client, path, request)
        with CaptureQueriesContext(connection) as captured:
            response = _send(client, path, request)
        pages[key] = {
            "path": path,
            "status": response.status_code,
            "statements": [query["sql"] for query in captured.captured_queries],
        }
    return pages


def values_of(picked: dict[str, str]) -> dict[str, str]:
    """What the URLs name: the picked department and item, and the last full year (the
    statistics of a year)."""
    return {**picked, "year": str(complaints.last_year())}


def page_requests() -> dict[str, list[str]]:
    """The requests of each POST page (bench.complaints builds them), by page key."""
    built = complaints.requests()
    return {page.key: built[page.requests] for page in (*PAGES, COMPLAINT_FILE) if page.requests}


def main(argv: list[str]) -> None:
    """`OUTPUT`: every page (the decision pages too); `OUTPUT decisions`: the decision pages
    only (a register topped up with decisions, bench.decisions)."""
    output, *only = argv
    if only == ["decisions"]:
        values = {"year": str(complaints.last_year())}
        paths = {page.key: page.url(values) for page in decision_pages()}
        result = {"values": values, "pages": capture(paths)}
        Path(output).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        return
    values = values_of(pick())
    paths = {page.key: page.url(values) for page in (*PAGES, *decision_pages())}
    requests = page_requests()
    result = {
        "values": values,
        "bare_view": bare_view_problems(),
        "pages": capture(paths, requests),
        "requests": requests,
    }
    Path(output).write_text(json.dumps(result, ensure_ascii=False, indent=1))
