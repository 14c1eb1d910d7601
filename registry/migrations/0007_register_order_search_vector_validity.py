"""Issue 11 §3–4: the register's order in one indexed column (`sort_key`, on the entries and
their history rows), the search vector of core.search replacing the bigram text (GIN on
PostgreSQL), and the validity of every published version (`valid_until`), each filled in for
the rows already there."""

import core.search
from django.db import migrations, models

from registry.models import sort_key
from registry.search import entry_vector

BATCH = 1000


def derived_values(apps, schema_editor):
    Entry = apps.get_model("registry", "Entry")
    HistoricalEntry = apps.get_model("registry", "HistoricalEntry")
    Provision = apps.get_model("registry", "Provision")
    provisions = {p.pk: p for p in Provision.objects.select_related("law")}

    def basis_of(row) -> str:
        cited = [provisions[p] for p in row.basis or [] if p in provisions]
        return " ".join([row.basis_note, *(f"{p.law.name} {p.article}" for p in cited)])

    entries = Entry.objects.select_related("jurisdiction", "department").order_by("pk")
    batch = []
    for entry in entries.iterator(chunk_size=BATCH):
        department = entry.department.name
        entry.sort_key = sort_key(entry.jurisdiction.path, department, entry.basic_code)
        entry.search_vector = entry_vector(name=entry.name, department=department, basis=basis_of(entry))
        batch.append(entry)
        if len(batch) == BATCH:
            Entry.objects.bulk_update(batch, ["sort_key", "search_vector"])
            batch = []
    Entry.objects.bulk_update(batch, ["sort_key", "search_vector"])

    # Each version is in force until the next one of its entry (a deletion included).
    rows = HistoricalEntry.objects.select_related("jurisdiction", "department").order_by(
        "id", "history_date", "history_id"
    )
    batch, previous = [], None
    for row in rows.iterator(chunk_size=BATCH):
        row.sort_key = sort_key(row.jurisdiction.path, row.department.name, row.basic_code)
        if previous is not None and previous.id == row.id:
            previous.valid_until = row.history_date
        batch.append(row)
        previous = row
        if len(batch) > BATCH:
            # The last row may still get its end from the next one: it waits for the next batch.
            HistoricalEntry.objects.bulk_update(batch[:-1], ["sort_key", "valid_until"])
            batch = batch[-1:]
    HistoricalEntry.objects.bulk_update(batch, ["sort_key", "valid_until"])


INDEXES = [
    "CREATE INDEX registry_historicalentry_order ON registry_historicalentry (sort_key, id)",
]
POSTGRES_INDEXES = [
    "CREATE INDEX registry_entry_search_vector ON registry_entry USING gin (search_vector)",
]


def indexes_create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in INDEXES + (POSTGRES_INDEXES if postgres else []):
        schema_editor.execute(statement)


def indexes_drop(apps, schema_editor):
    for name in ("registry_historicalentry_order", "registry_entry_search_vector"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_audit_object_index'),
        ('registry', '0006_publication_state'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='entry',
            options={'ordering': ['sort_key', 'id'], 'verbose_name': 'list entry', 'verbose_name_plural': 'list entries'},
        ),
        migrations.RemoveField(
            model_name='entry',
            name='search_bigrams',
        ),
        migrations.AddField(
            model_name='entry',
            name='search_vector',
            field=core.search.SearchVectorField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='entry',
            name='sort_key',
            field=models.CharField(default='', editable=False, max_length=400),
        ),
        migrations.AddField(
            model_name='historicalentry',
            name='sort_key',
            field=models.CharField(default='', editable=False, max_length=400),
        ),
        migrations.AddField(
            model_name='historicalentry',
            name='valid_until',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='in force until'),
        ),
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['sort_key', 'id'], name='entry_register_order'),
        ),
        migrations.RunPython(derived_values, migrations.RunPython.noop),
        migrations.RunPython(indexes_create, indexes_drop),
    ]
