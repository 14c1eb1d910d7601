"""On PostgreSQL a complaint's event log refuses UPDATE and DELETE at the database itself, like
the audit trail and the adjustments' log."""

from django.db import migrations

from core.db_triggers import append_only


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(*append_only("complaints_complaintevent"))]
