"""The implementation code gets its list part (issue 9 §19, docs/architecture.md "Codes"):
`0700012000-410106-DL031` becomes `0700012000-QL-410106-DL031`, so a department's power item and
its approval item may share a basic code.

The new code is made from the stored one, not computed again from the department: a code is
fixed when the entry is created, and a department's organisation code may have changed since.
History rows are rewritten the same way, in the same statement form. The code is the item's
name, not one of its versioned values: "stable for the item's whole life" (SPEC §3) means one
code answers for every version, so a link to a past version (`/items/<code>/?as_of=`) finds it
under the same code as today. No version changed, so no history row is added (these are direct
updates, not saves). The code inside `search_text` is replaced with it."""

from django.db import migrations, models
from django.db.models.functions import Concat, Lower, Replace, Substr

# registry.choices.LIST_CODE as it was when this migration was written.
LIST_CODE = {"power": "QL", "approval": "SP", "negative": "FM", "fee": "SF", "fund": "JJ"}
WITH_LIST_PART = r"^[0-9]{10}-[A-Z]{2}-"


def _with_list_part(marker: str):
    return Concat(
        Substr("code", 1, 11), models.Value(f"{marker}-"), Substr("code", 12), output_field=models.CharField()
    )


def _without_list_part():
    return Concat(Substr("code", 1, 11), Substr("code", 15), output_field=models.CharField())


def _rewrite(apps, new_code, rows) -> None:
    # UPDATE … SET code = new, search_text = REPLACE(search_text, LOWER(code), LOWER(new)):
    # the right-hand sides read the row as it was, on PostgreSQL and SQLite alike.
    for model in (apps.get_model("registry", "Entry"), apps.get_model("registry", "HistoricalEntry")):
        for list_kind, marker in LIST_CODE.items():
            code = new_code(marker)
            rows(model.objects.filter(list_kind=list_kind)).update(
                code=code, search_text=Replace("search_text", Lower("code"), Lower(code))
            )


def add_list_part(apps, schema_editor) -> None:
    _rewrite(apps, _with_list_part, lambda rows: rows.exclude(code__regex=WITH_LIST_PART))


def remove_list_part(apps, schema_editor) -> None:
    shared = (
        apps.get_model("registry", "Entry")
        .objects.values("department", "basic_code")
        .annotate(lists=models.Count("list_kind", distinct=True))
        .filter(lists__gt=1)
    )
    if shared.exists():
        # Without the list part their codes would be the same.
        raise RuntimeError(
            "Cannot remove the list part: a department holds a basic code in two lists."
        )
    _rewrite(apps, lambda marker: _without_list_part(), lambda rows: rows.filter(code__regex=WITH_LIST_PART))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_categories"),
    ]

    operations = [
        migrations.RunPython(add_list_part, remove_list_part),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(
                fields=("department", "list_kind", "basic_code"), name="entry_unique_basic_code"
            ),
        ),
    ]
