"""The replica router (issue 11 §8, core.db_router): anonymous GET and HEAD requests of public
pages read the replica; staff, every other method, reads inside a transaction, a client that
has just sent something, Celery tasks and management commands read the primary; writes and
migrations go to the primary alone.

The test settings define the "replica" alias as a mirror of the test database, so a page read
through it finds what the test wrote through "default" (transactional tests: each alias has its
own connection, which sees only committed rows)."""

import datetime
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import OperationalError, connections, router, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

from core import db_router
from core.middleware import PIN_COOKIE
from core.tasks import notifications_email_pending
from registry.models import Entry
from tests import registry_builders as rb

ROOT = Path(__file__).resolve().parent.parent
# Committed rows, so that the replica's connection sees them; both aliases may be queried.
both_aliases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def read_probe(request):
    """Says where this request's reads of the register go, outside and inside a transaction."""
    outside = Entry.objects.all().db
    with transaction.atomic():
        inside = Entry.objects.all().db
    response = HttpResponse()
    response["X-Reads"] = f"{outside} {inside}"
    return response


# The site's URLs, and two probes: one listed as public (by the fixture), one not.
urlpatterns = [
    path("probe/public/", read_probe, name="public-probe"),
    path("probe/private/", read_probe, name="private-probe"),
    path("", include("config.urls")),
]


@pytest.fixture
def replica(settings, monkeypatch):
    """The router switched on, as DATABASE_REPLICA_URL does in production, and this module's
    URLs with the public probe among the public views."""
    settings.DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
    settings.ROOT_URLCONF = __name__
    monkeypatch.setattr(db_router, "PUBLIC_VIEWS", db_router.PUBLIC_VIEWS | {"public-probe"})


def reads(response) -> str:
    return response["X-Reads"]


@contextmanager
def queries():
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        yield SimpleNamespace(primary=primary, replica=replica)


def touched(captured, table: str) -> bool:
    return any(f'"{table}"' in query["sql"] for query in captured.captured_queries)


@both_aliases
def test_an_anonymous_get_or_head_of_a_public_page_reads_the_replica(replica, client):
    assert reads(client.get("/probe/public/")) == "replica default"
    assert reads(client.head("/probe/public/")) == "replica default"
    # Over with the request: whatever runs next on this thread reads the primary.
    assert Entry.objects.all().db == "default"


@both_aliases
def test_any_other_page_reads_the_primary(replica, client):
    assert reads(client.get("/probe/private/")) == "default default"


@both_aliases
def test_staff_read_the_primary_even_on_public_pages(replica, client, org):
    client.force_login(org.users["clerk"])
    assert reads(client.get("/probe/public/")) == "default default"


@both_aliases
def test_after_sending_anything_a_client_reads_the_primary_for_the_pin_time(replica, client):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    seconds = django_settings.DATABASE_REPLICA_PIN_SECONDS
    with time_machine.travel(start, tick=False) as traveller:
        posted = client.post("/probe/public/")
        assert reads(posted) == "default default"
        assert posted.cookies[PIN_COOKIE]["max-age"] == seconds
        assert posted.cookies[PIN_COOKIE]["httponly"]

        assert reads(client.get("/probe/public/")) == "default default"
        traveller.shift(datetime.timedelta(seconds=seconds - 1))
        assert reads(client.get("/probe/public/")) == "default default"
        # The server decides when the pin is over: the cookie carries its signed time.
        traveller.shift(datetime.timedelta(seconds=2))
        assert reads(client.get("/probe/public/")) == "replica default"


@both_aliases
def test_a_replica_that_is_down_sends_the_public_to_the_primary(replica, client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["replica"], "ensure_connection", refuse)
    assert reads(client.get("/probe/public/")) == "default default"


@both_aliases
def test_a_forged_pin_cookie_counts_for_nothing(replica, client):
    client.cookies[PIN_COOKIE] = "1"
    assert reads(client.get("/probe/public/")) == "replica default"


@pytest.fixture
def published(org):
    # A transactional test before this one may have flushed the migration-made categories.
    return rb.publish(org.departments["salt"], name="副本读取测试事项")


@both_aliases
def test_the_public_list_and_api_are_read_from_the_replica(replica, client, published):
    """A real page and a real API call: the rows come through the replica's connection, and
    the primary's is not asked anything."""
    for url in (reverse("registry:entries"), reverse("registry-api:items")):
        with queries() as seen:
            response = client.get(url)
        assert response.status_code == 200
        assert published.name in response.content.decode()
        assert touched(seen.replica, "registry_entry"), url
        assert seen.primary.captured_queries == [], url


@both_aliases
def test_staff_pages_are_read_from_the_primary(replica, client, published, org):
    client.force_login(org.users["clerk"])
    with queries() as seen:
        response = client.get(reverse("registry:entries"))
    assert published.name in response.content.decode()
    assert touched(seen.primary, "registry_entry")
    assert seen.replica.captured_queries == []


@both_aliases
def test_celery_tasks_and_management_commands_read_the_primary(replica, calendar):
    with queries() as seen:
        notifications_email_pending.apply().get()
        call_command("calendar_seed", verbosity=0)
    assert touched(seen.primary, "core_notification")
    assert touched(seen.primary, "core_calendarday")
    assert seen.replica.captured_queries == []


@both_aliases
def test_writes_and_migrations_go_to_the_primary_and_relations_span_both(replica, published):
    token = db_router.replica_reads_begin()
    db_router.replica_reads_allow()
    try:
        assert router.db_for_read(Entry) == "replica"
        assert router.db_for_write(Entry) == "default"
        from_replica = Entry.objects.get(pk=published.pk)
    finally:
        db_router.replica_reads_end(token)
    assert from_replica._state.db == "replica"
    assert router.allow_relation(from_replica, published.department)
    assert router.allow_migrate("default", "registry", model_name="entry")
    assert not router.allow_migrate("replica", "registry", model_name="entry")


def _view_names(resolver: URLResolver, namespace: str = "") -> dict[str, str]:
    """Every named URL of the site, namespace:name -> its route."""
    found = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            for name, route in _view_names(pattern, inner).items():
                found[name] = f"{pattern.pattern}{route}"
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = str(pattern.pattern)
    return found


def test_the_public_views_exist_and_none_is_a_staff_page_or_an_export():
    routes = _view_names(get_resolver("config.urls"))
    assert set(routes) >= db_router.PUBLIC_VIEWS
    namespaces = {name.split(":")[0] for name in routes if ":" in name}
    assert namespaces >= db_router.PUBLIC_NAMESPACES
    public = {
        name: route
        for name, route in routes.items()
        if name in db_router.PUBLIC_VIEWS or name.split(":")[0] in db_router.PUBLIC_NAMESPACES
    }
    for name, route in public.items():
        assert not route.startswith(("work/", "admin/", "accounts/")), name
        assert "export" not in route, name


# --- the settings: the alias and the router exist only with DATABASE_REPLICA_URL ----------

SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import router
print(json.dumps({
    "databases": {
        alias: {key: value for key, value in entry.items() if key.isupper() and key != "TEST"}
        for alias, entry in settings.DATABASES.items()
    },
    "routers": [type(each).__name__ for each in router.routers],
    "pin": settings.DATABASE_REPLICA_PIN_SECONDS,
}))
"""


def _production(**environment: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="qingdan-router-test-9Kq3Wv7Xb1Nz5Lm8Rt2Yp6Hc4Jd0Fs3Ga7Ue1Io5",
        ALLOWED_HOSTS="qingdan.example.gov.cn",
        DATABASE_URL="postgres://qingdan:secret@primary.example:5432/qingdan",
        **environment,
    )
    return env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_without_a_replica_url_there_is_no_replica_and_no_router():
    result = _run("-c", SETTINGS_PROBE, env=_production())
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert set(probe["databases"]) == {"default"}
    assert probe["routers"] == []
    default = probe["databases"]["default"]
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)


def test_a_replica_url_adds_the_replica_with_the_primarys_options_and_the_router():
    env = _production(
        DATABASE_REPLICA_URL="postgres://qingdan:secret@replica.example:5432/qingdan",
        DATABASE_REPLICA_PIN_SECONDS="30",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="true",
    )
    result = _run("-c", SETTINGS_PROBE, env=env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    primary, replica = probe["databases"]["default"], probe["databases"]["replica"]
    assert (primary["HOST"], replica["HOST"]) == ("primary.example", "replica.example")
    options = ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS", "OPTIONS")
    assert {key: replica[key] for key in options} == {key: primary[key] for key in options}
    assert (replica["CONN_HEALTH_CHECKS"], replica["DISABLE_SERVER_SIDE_CURSORS"]) == (True, True)
    assert probe["routers"] == ["ReplicaRouter"]
    assert probe["pin"] == 30

    checked = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
