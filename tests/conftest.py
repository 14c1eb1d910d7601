"""Shared test fixtures. Data is built through services so that history and audit stay
consistent. Under CI (CI=true) a test whose PostgreSQL, Redis or browser is missing fails
instead of skipping."""

import importlib
import os
from collections import Counter
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db.models.signals import post_migrate

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# celery_worker: a real Celery worker subprocess (tests/celery_harness.py).
pytest_plugins = ["tests.celery_harness"]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail under CI: CI must exercise everything."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


# The files that take minutes with few tests (measured under CI): the test processes start with
# them, so that none is left running one of them alone at the end (Makefile: make test).
SLOW_FILES = (
    "test_bench.py",
    "test_api_schemathesis.py",
    "test_permissions_walk.py",
    "test_exports_large.py",
    "test_serving.py",
    "test_deploy.py",
    "test_scale.py",
)


def pytest_collection_modifyitems(session, config, items) -> None:
    """Orders the files: SLOW_FILES first, then files of many tests before files of few; a
    file's own tests keep their order (the sort is stable)."""
    counts = Counter(item.nodeid.split("::")[0] for item in items)

    def order(item) -> tuple:
        path = item.nodeid.split("::")[0]
        name = path.rsplit("/", 1)[-1]
        if name in SLOW_FILES:
            return (0, SLOW_FILES.index(name), path)
        return (1, -counts[path], path)

    items.sort(key=order)


def pytest_sessionstart(session) -> None:
    """Under CI the suite runs on the real services or not at all: a DATABASE_URL or
    CELERY_BROKER_URL that went missing must not turn into a green run on SQLite."""
    if not os.environ.get("CI"):
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        raise pytest.UsageError(f"CI must run on PostgreSQL (DATABASE_URL), not {engine}")
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise pytest.UsageError(
            f"CI must use Redis (CELERY_BROKER_URL), not {settings.CELERY_BROKER_URL}"
        )


# --- what the migrations made, after a flush -------------------------------------------------
#
# A transactional test (live server, Celery worker, races: `transactional_db`) commits its rows
# and empties every table when it ends (Django's flush). Run serially, pytest-django puts those
# tests last; under pytest-xdist each process runs them between the other files it is given, so
# whatever the migrations wrote would be gone for every test after them. Content types and
# permissions come back by themselves: the flush sends post_migrate, as `migrate` does, and
# Django recreates them there. The rows of our own data migrations come back the same way,
# from the very functions the migrations ran. A data migration that creates rows belongs in
# this list; tests/test_isolation.py fails when a flush leaves a table unlike `migrate` did.
MIGRATION_DATA = [
    # (app label, migration, function)
    ("registry", "0003_categories", "forward"),
    ("inspections", "0002_contents", "seed"),
    ("accountability", "0002_grounds", "forward"),
]


@cache
def _migrated_apps():
    """The models as the migrations leave them (no signals, so no history or audit rows, as
    when `migrate` ran the functions), built once per process."""
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(None, ignore_no_migrations=True).project_state().apps


def _migration_data_restore(sender, using, **kwargs) -> None:
    from django.db import connections

    for app_label, migration, function in MIGRATION_DATA:
        if sender.label == app_label:
            module = importlib.import_module(f"{app_label}.migrations.{migration}")
            # The functions are idempotent (get_or_create), as after `migrate` itself.
            schema_editor = SimpleNamespace(connection=connections[using])
            getattr(module, function)(_migrated_apps(), schema_editor)


post_migrate.connect(_migration_data_restore, dispatch_uid="tests.migration_data_restore")


def table_rows() -> dict[str, int]:
    """How many rows each table of the project's models holds."""
    from django.apps import apps

    return {model._meta.db_table: model._base_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and what the migrations left in it (migrated_rows)."""
    with django_db_blocker.unblock():
        return table_rows()


@pytest.fixture
def migrated_rows(django_db_setup) -> dict[str, int]:
    return django_db_setup


@pytest.fixture(autouse=True)
def _content_types_cached(request):
    """Django keeps the content types in a cache of the process, which every flush empties (their
    rows come back with new ids). Each test that uses the database starts with it full, as a
    running site's process has it: a count of queries never depends on which tests the process
    ran before (a test alone, the first of its process or after a transactional one would
    otherwise pay one query per model it touches, once)."""
    if "_django_db_helper" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    request.getfixturevalue("db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models(), for_concrete_models=False)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request through the test client activates
    the language it asked for in this thread and leaves it active, so that texts a later test
    makes outside a request (a notice, a message) would come out in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Rate-limit counters (core.throttle) live in the cache, which outlives a test: each test
    starts with none, as its database starts empty."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), "Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves test-artifacts/name.png for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(target_page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        target_page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def org(db):
    """A small organisation: a city with one district, the reform office and one department
    of each function, and one user per role in the city (password "pw-<role>")."""
    from tests.builders import build_org

    return build_org()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker) -> str:
    """`seed_demo` once for a module's tests, and what it printed: each test still runs in its
    own transaction, rolled back, over the demo; afterwards the tables are emptied as a
    transactional test leaves them (the migrations' data restored), for the next module. The
    demo takes seconds: seeding it per test made the demo modules the slowest of the suite."""
    import io

    from django.core.management import call_command

    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("seed_demo", verbosity=1, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def calendar(db):
    """The working-day calendar as `make run` has it: every year the bundled chinese-calendar
    package knows (2004–2026) seeded and confirmed; 2027 on is unconfirmed. A fixture rather than
    a data migration: live-server (transactional) tests flush the tables, and a fixture reseeds
    them; bulk inserts keep it at a few milliseconds."""
    from core import services

    return services.calendar_seed_from_package(actor=None)
