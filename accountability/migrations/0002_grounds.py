"""The grounds of accountability, as the seeds word them (issue 15 §1), and on PostgreSQL the
event log and the file records refusing UPDATE and DELETE at the database."""

from django.db import migrations

from core.db_triggers import append_only

ART20 = "刘寨镇行政权力清单运行监督检查办法 第二十条"
ART21 = "刘寨镇行政权力清单运行监督检查办法 第二十一条"
ART22 = "刘寨镇行政权力清单运行监督检查办法 第二十二条"
SEED003 = "上政文〔2016〕31号 四(三)1"

# (code, source, text, liable)
GROUNDS = [
    ("20-1", f"{ART20}(一)", "行政权力清单未按规定公开的", "department_person"),
    ("20-2", f"{ART20}(二)", "行政权力事项的设定依据已经发生变化,未按规定申请调整的", "department_person"),
    ("20-3", f"{ART20}(三)", "公开的行政权力事项和市政务服务网配置不一致的", "department_person"),
    ("20-4", f"{ART20}(四)", "行政权力清单运行程序不符合法定程序要求的", "department_person"),
    ("20-5", f"{ART20}(五)", "未按规定制定、适用行政裁量权行使基准的", "department_person"),
    ("20-6", f"{ART20}(六)", "不具有法定行政主体资格行使行政权力的", "department_person"),
    ("20-7", f"{ART20}(七)", "未取得合法有效行政执法资格而行使行政权力的", "department_person"),
    ("20-8", f"{ART20}(八)", "违法进行行政委托、行政授权的", "department_person"),
    (
        "20-9",
        f"{ART20}(九)",
        "行政机关在行使行政权力过程中未完善案卷资料或未依法向行政相对人公开案卷资料的",
        "department_person",
    ),
    ("20-10", f"{ART20}(十)", "行政执法信息未按照要求主动公开的", "department_person"),
    ("20-11", f"{ART20}(十一)", "拒绝或者阻挠监督检查工作的", "department_person"),
    ("20-12", f"{ART20}(十二)", "其他违反本办法的行为", "department_person"),
    (
        "21-1",
        f"{ART21}(一)",
        "不严格执行行政权力清单,继续实施清单以外权力事项,或者将清单之外的事项变相设为保留事项前置条件实施的",
        "head_person",
    ),
    ("21-2", f"{ART21}(二)", "继续实施已调整、取消或下放的行政权力事项的", "head_person"),
    ("21-3", f"{ART21}(三)", "擅自设定或者变相设定行政权力事项、运行环节或前置条件的", "head_person"),
    ("22", ART22, "擅自扩大、缩小、放弃行使政府权力清单事项的", "person"),
    ("s003", SEED003, "组织不力、不按要求推进工作、未按时限完成任务的", "unit"),
]


def forward(apps, schema_editor):
    Ground = apps.get_model("accountability", "Ground")
    for order, (code, source, text, liable) in enumerate(GROUNDS):
        Ground.objects.update_or_create(
            code=code, defaults={"source": source, "text": text, "liable": liable, "order": order}
        )


def backward(apps, schema_editor):
    apps.get_model("accountability", "Ground").objects.filter(
        code__in=[code for code, *_rest in GROUNDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial"), ("core", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunPython(*append_only("accountability_event")),
        migrations.RunPython(*append_only("accountability_filerecord")),
    ]
