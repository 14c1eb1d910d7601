"""Issue 9: a draft belongs to at most one request under way (§10)."""

from django.db import migrations, models

FINAL_STATES = ("completed", "rejected", "withdrawn")


def items_live(apps, schema_editor):
    """Items of closed requests are not live. Where the race of issue 9 §10 left one draft in
    several live requests, the earliest request keeps it; the others are shown the draft as
    taken when they are next saved or submitted."""
    RequestItem = apps.get_model("adjustments", "RequestItem")
    RequestItem.objects.filter(request__state__in=FINAL_STATES).update(live=False)
    seen = set()
    for pk, draft_id in (
        RequestItem.objects.filter(live=True).order_by("draft_id", "request_id").values_list(
            "pk", "draft_id"
        )
    ):
        if draft_id in seen:
            RequestItem.objects.filter(pk=pk).update(live=False)
        seen.add(draft_id)


class Migration(migrations.Migration):
    dependencies = [("adjustments", "0002_events_append_only")]

    operations = [
        migrations.AddField(
            model_name="requestitem",
            name="live",
            field=models.BooleanField(default=True, verbose_name="in a request under way"),
        ),
        migrations.RunPython(items_live, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="requestitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True)),
                fields=("draft",),
                name="request_item_one_live_per_draft",
            ),
        ),
    ]
