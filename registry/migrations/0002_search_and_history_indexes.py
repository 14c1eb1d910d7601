"""Indexes the ORM cannot declare portably (registry.search, registry.selectors):

- PostgreSQL only: pg_trgm GIN on search_text (LIKE '%term%' for three or more characters)
  and GIN on the `simple` tsvector of search_bigrams (two-character Chinese terms).
- Both databases: (id, history_date) on the history table, for "the list as it stood on a
  date" (the latest row per entry up to a moment).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX registry_entry_search_trgm ON registry_entry "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX registry_entry_search_bigrams ON registry_entry "
    "USING gin ((to_tsvector('simple'::regconfig, search_bigrams)))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS registry_entry_search_bigrams",
    "DROP INDEX IF EXISTS registry_entry_search_trgm",
]
HISTORY_FORWARD = (
    "CREATE INDEX registry_historicalentry_id_date ON registry_historicalentry (id, history_date)"
)
HISTORY_BACKWARD = "DROP INDEX IF EXISTS registry_historicalentry_id_date"


def forward(apps, schema_editor):
    statements = [HISTORY_FORWARD]
    if schema_editor.connection.vendor == "postgresql":
        statements += POSTGRES_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = [HISTORY_BACKWARD]
    if schema_editor.connection.vendor == "postgresql":
        statements += POSTGRES_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
