"""Append-only tables at the database (core migration 0002's function qingdan_forbid_change):
on PostgreSQL an event table refuses UPDATE and DELETE, so not even a raw query or a future bug
can rewrite history. A migration adds one with `migrations.RunPython(*append_only(table))`."""

from collections.abc import Callable


def append_only(table: str) -> tuple[Callable, Callable]:
    """The forward and backward functions of a migration that makes `table` append-only."""
    trigger = f"{table}_append_only"

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION qingdan_forbid_change();",
                params=None,
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};", params=None)

    return forward, backward
