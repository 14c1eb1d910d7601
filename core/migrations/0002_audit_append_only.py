"""On PostgreSQL the audit trail refuses UPDATE and DELETE at the database itself, so not even
a raw query or a future bug can rewrite history."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION qingdan_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION qingdan_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
