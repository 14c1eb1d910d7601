"""On PostgreSQL: the public search's filter by a kind of penalty (`penalty_kinds @> '["…"]'`)
through a GIN index over published decisions; a rare kind (行政拘留) otherwise scans them all."""

from django.db import migrations


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX decisions_decision_penalty_kinds ON decisions_decision "
            "USING gin (penalty_kinds jsonb_path_ops) WHERE published_at IS NOT NULL"
        )


def index_drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS decisions_decision_penalty_kinds")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_event_record_noted")]

    operations = [migrations.RunPython(index_create, index_drop)]
