"""The test run itself: `make test` runs on two pytest-xdist processes, and each runs the
transactional tests (live server, Celery worker, races) between its other files. The flush that
ends such a test must leave the tables as the migrations did, or the tests after it in the same
process would miss the categories (and whatever else a data migration writes)."""

import pytest
from django.core.management import call_command

from registry.models import Category
from tests.conftest import table_rows


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_every_table_as_the_migrations_did(migrated_rows):
    """A new data migration that creates rows must be listed in tests/conftest.py
    (MIGRATION_DATA) for this to hold."""
    assert Category.objects.count() == migrated_rows[Category._meta.db_table] > 0
    call_command("flush", interactive=False, verbosity=0)
    assert table_rows() == migrated_rows
