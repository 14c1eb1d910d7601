"""On PostgreSQL a request's event log refuses UPDATE and DELETE at the database itself, like
the audit trail (core 0002, whose function it reuses)."""

from django.db import migrations

FORBID = """
CREATE TRIGGER adjustments_requestevent_append_only
    BEFORE UPDATE OR DELETE ON adjustments_requestevent
    FOR EACH ROW EXECUTE FUNCTION qingdan_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS adjustments_requestevent_append_only ON adjustments_requestevent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, params=None)


class Migration(migrations.Migration):
    dependencies = [("adjustments", "0001_initial"), ("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(forward, backward)]
