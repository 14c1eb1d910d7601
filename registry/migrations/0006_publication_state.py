"""The register's publication state (issue 10 §3): the key of cached exports. Numbered 0006
because issue 10 §2 adds registry 0005 in parallel; the merge re-points the dependency."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_import_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sequence",
                    models.PositiveBigIntegerField(default=0, verbose_name="publication number"),
                ),
                ("token", models.CharField(max_length=32, verbose_name="state token")),
                ("changed_at", models.DateTimeField(verbose_name="changed at")),
            ],
            options={
                "verbose_name": "publication state",
                "verbose_name_plural": "publication states",
            },
        ),
    ]
