"""On PostgreSQL: the public search of decisions through a GIN index on their search vector
(core.search), and the event log and redactions refusing UPDATE and DELETE at the database."""

from django.db import migrations

from core.db_triggers import append_only


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX decisions_decision_search_vector ON decisions_decision "
            "USING gin (search_vector) WHERE published_at IS NOT NULL"
        )


def index_drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS decisions_decision_search_vector")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial"), ("core", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(index_create, index_drop),
        migrations.RunPython(*append_only("decisions_event")),
        migrations.RunPython(*append_only("decisions_redaction")),
    ]
