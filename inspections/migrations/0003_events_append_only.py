"""On PostgreSQL the app's event log refuses UPDATE and DELETE at the database itself."""

from django.db import migrations

from core.db_triggers import append_only


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_contents"), ("core", "0002_audit_append_only")]

    operations = [migrations.RunPython(*append_only("inspections_event"))]
