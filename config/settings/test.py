"""pytest: SQLite by default, PostgreSQL when DATABASE_URL is set (CI)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The Celery worker that tests/celery_harness.py starts writes its mail where the test reads it.
if os.environ.get("QINGDAN_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["QINGDAN_TEST_EMAIL_DIR"]
LANGUAGE_CODE = "zh-hans"

# django-axes needs the request in authenticate(), which the test client's login() does not
# pass; tests of the lockout switch it on (tests/test_deploy.py).
AXES_ENABLED = False

# A test run never feeds a developer's `make run` worker through the shared var/ folder: with
# no broker named, messages stay in this process.
if "CELERY_BROKER_URL" not in os.environ:
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
# One queue per test run: concurrent runs that share a Redis never consume each other's
# messages. tests/celery_harness.py hands the name to the worker it starts.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("QINGDAN_TEST_QUEUE") or f"qingdan-test-{os.getpid()}"

# Pages are tested for the work they do: the cache of public pages is on only in the tests of
# the cache itself (tests/test_page_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = 0

# The replica of production is the test database itself (TEST MIRROR): a test of the router
# (tests/test_db_router.py) reads through this alias what it wrote through "default". The
# router is switched on by those tests alone; every other test reads where it wrote.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = []

# A concrete TimedStep for the calendar's recomputation tests (tests/timed_app).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.timed_app"]  # noqa: F405

# Serve static files from the app folders, as collectstatic is a deployment step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded documents of a test run go to a folder of its own, never into a developer's var/.
# A test's Celery worker (tests/celery_harness.py) is handed the run's folder: it reads the
# files the test uploaded (an import job's workbook) and writes the exports the test serves.
MEDIA_ROOT = Path(
    os.environ.get("QINGDAN_TEST_MEDIA_ROOT")
    or Path(tempfile.gettempdir()) / f"qingdan-test-media-{os.getpid()}"
)
