"""Issue 9: a draft belongs to at most one request under way (§10); messages between the lead
reviewers and the applying department (§6); entries moving to another department (§5)."""

import django.db.models.deletion
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
        RequestItem.objects.filter(live=True)
        .order_by("draft_id", "request_id")
        .values_list("pk", "draft_id")
    ):
        if draft_id in seen:
            RequestItem.objects.filter(pk=pk).update(live=False)
        seen.add(draft_id)


class Migration(migrations.Migration):
    dependencies = [
        ("adjustments", "0003_procedure_fidelity"),
        ("core", "0006_notification_email_pending"),
        ("registry", "0003_categories"),
    ]

    operations = [
        migrations.AddField(
            model_name="requestitem",
            name="live",
            field=models.BooleanField(default=True, verbose_name="in a request under way"),
        ),
        migrations.AddField(
            model_name="requestitem",
            name="moved_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.entry",
                verbose_name="entry at the receiving department",
            ),
        ),
        migrations.AddField(
            model_name="requestitem",
            name="to_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.department",
                verbose_name="receiving department",
            ),
        ),
        migrations.AlterField(
            model_name="requestitem",
            name="change",
            field=models.CharField(
                choices=[
                    ("add", "Add"),
                    ("modify", "Modify"),
                    ("cancel", "Cancel"),
                    ("delegate", "Delegate down"),
                    ("merge", "Merge"),
                    ("move", "Move to another department"),
                ],
                max_length=10,
                verbose_name="change",
            ),
        ),
        migrations.RunPython(items_live, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="requestevent",
            name="transition",
            field=models.CharField(
                choices=[
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("submit", "Submitted"),
                    ("resubmit", "Resubmitted after supplement"),
                    ("withdraw", "Withdrawn"),
                    ("extension_request", "Extension requested"),
                    ("extend", "Application period extended"),
                    ("forward", "Forwarded to lead review"),
                    ("return", "Returned for supplement"),
                    ("reject", "Rejected"),
                    ("review", "Review opinion given"),
                    ("joint_request", "Joint review requested"),
                    ("joint_decline", "No joint review needed"),
                    ("joint_convene", "Joint review convened"),
                    ("joint_conclude", "Joint review opinion given"),
                    ("approve", "Approval opinion issued"),
                    ("confirm", "Approval opinion confirmed"),
                    ("object", "Objection raised"),
                    ("objection_forward", "Objection forwarded to re-review"),
                    ("rereview", "Re-review opinion given"),
                    ("parent_forward", "Forwarded to the office above"),
                    ("parent_review", "Reviewed by the office above"),
                    ("meeting", "Executive meeting decision recorded"),
                    ("digital_forward", "Sent to the digital office"),
                    ("publish", "Published"),
                    ("site_update", "Own website and premises updated"),
                    ("file", "Filed for the record"),
                    ("message", "Message"),
                    ("deadline_reminder", "Reminder sent"),
                    ("deadline_overdue", "Marked overdue"),
                ],
                max_length=24,
                verbose_name="action",
            ),
        ),
        migrations.AddConstraint(
            model_name="requestitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True)),
                fields=("draft",),
                name="request_item_one_live_per_draft",
            ),
        ),
    ]
