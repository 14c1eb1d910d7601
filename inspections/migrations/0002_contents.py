"""The published list of what is inspected (issue 13 §1), from the seeds: seed 002 联合督查办法
第四条 (six contents), 监督检查办法 第十四条 (nine) and seed 004 二(二) (six)."""

from django.db import migrations

JOINT_BASIS = "刘政〔2016〕44号 联合督查办法 第四条"
SUPERVISION_BASIS = "刘政〔2016〕44号 行政权力清单运行监督检查办法 第十四条"
RESPONSIBILITY_BASIS = "“五单一网”制度改革实施方案 二、责任清单运行机制（二）"
JOINT_BODY = "“五单一网”运行联合督查组"
SUPERVISION_BODY = "政府法制机构"
RESPONSIBILITY_BODY = "责任处室（法制室）"

CONTENTS = [
    ("J1", "清单公开公示、学习贯彻", JOINT_BASIS + "（一）", JOINT_BODY,
     "“清单”的公开公示、学习贯彻情况：纳入学习培训计划，负责人和工作人员熟知行政权责具体内容，及时公开、更新清单的名称、依据、运行流程及对应的责任。",
     "听取汇报、调阅学习记录和公开载体、个别谈话", "joint"),
    ("J2", "事中事后监管机制", JOINT_BASIS + "（二）", JOINT_BODY,
     "事中事后配套监管机制建立健全情况：明确监管主体、职能、措施、责任，审批、监管、执法无缝衔接。",
     "调阅监管制度文件、工作台账，现场检查", "joint"),
    ("J3", "清单动态调整", JOINT_BASIS + "（三）", JOINT_BODY,
     "“清单”动态调整机制运行情况：因法律法规规章立改废释和机构改革、职能调整需调整清单的，遵照动态调整程序及时调整。",
     "比对法律法规变化与调整申请记录", "joint"),
    ("J4", "清单规范运行", JOINT_BASIS + "（四）", JOINT_BODY,
     "“清单”规范运行情况：按照“法无授权不可为”“法定职责必须为”的原则，严格按清单范围和内容行使权力。",
     "抽查办件卷宗、访谈办事群众", "joint"),
    ("J5", "政务服务网建设", JOINT_BASIS + "（五）", JOINT_BODY,
     "政务服务网建设情况：梳理细化权责事项基础数据，网上运行、痕迹化管理。",
     "比对网上配置与公布的清单", "joint"),
    ("J6", "繁文缛节和不必要证明", JOINT_BASIS + "（六）", JOINT_BODY,
     "履职尽责中的繁文缛节和不必要证明：无法律依据而继续实施或增设的，按规定予以取消。",
     "查阅申请材料目录、访谈办事群众", "joint"),
    ("S1", "设定依据的及时申请调整", SUPERVISION_BASIS + "（一）", SUPERVISION_BODY,
     "行政权力事项设定依据的及时申请调整。", "比对依据变化与调整申请记录", "supervision"),
    ("S2", "执法主体的法定资格", SUPERVISION_BASIS + "（二）", SUPERVISION_BODY,
     "行政执法主体行使行政权力的法定资格。", "核对执法主体确认和公布情况", "supervision"),
    ("S3", "执法人员的资格", SUPERVISION_BASIS + "（三）", SUPERVISION_BODY,
     "行使行政权力的行政执法人员的资格（持证上岗）。", "核对执法证件及其有效期", "supervision"),
    ("S4", "清单运行程序", SUPERVISION_BASIS + "（四）", SUPERVISION_BODY,
     "行政权力清单运行程序。", "抽查办件卷宗", "supervision"),
    ("S5", "裁量基准的制定和适用", SUPERVISION_BASIS + "（五）", SUPERVISION_BODY,
     "行政裁量权基准的制定、适用。", "调阅裁量基准及处罚决定", "supervision"),
    ("S6", "执法信息公开", SUPERVISION_BASIS + "（六）", SUPERVISION_BODY,
     "行政执法信息的公开（决定书送达后10日内公开）。", "比对决定送达日期与公开日期", "supervision"),
    ("S7", "清单公开", SUPERVISION_BASIS + "（七）", SUPERVISION_BODY,
     "行政权力清单的公开。", "查看公开渠道", "supervision"),
    ("S8", "清单与政务服务网配置一致", SUPERVISION_BASIS + "（八）", SUPERVISION_BODY,
     "对外公开、实际运行的行政权力清单，与政务服务网配置是否一致。", "逐项比对", "supervision"),
    ("S9", "其他事项", SUPERVISION_BASIS + "（九）", SUPERVISION_BODY,
     "其他需要监督检查的事项。", "视情况确定", "supervision"),
    ("R1", "责任清单公示", RESPONSIBILITY_BASIS + "1", RESPONSIBILITY_BODY,
     "经审定确认的责任清单是否在门户网站或其他公开渠道主动向社会公开，主动接受社会监督。",
     "查看公开渠道", "responsibility"),
    ("R2", "责任清单落实", RESPONSIBILITY_BASIS + "2", RESPONSIBILITY_BODY,
     "按照“权责一致”的原则，是否严格落实与权力清单相对应的责任清单事项，做到“法定职责必须为”。",
     "抽查办件、个别谈话", "responsibility"),
    ("R3", "责任清单动态调整", RESPONSIBILITY_BASIS + "3", RESPONSIBILITY_BODY,
     "根据法律法规和“三定”规定的调整变化、机构撤并、简政放权推进等情况，是否及时提出调整意见并按程序调整。",
     "比对调整记录", "responsibility"),
    ("R4", "事中事后监管措施", RESPONSIBILITY_BASIS + "4", RESPONSIBILITY_BODY,
     "职能由“事前审批”向“事后监管”转变中，是否提出加强监管的标准，明确监管责任，制定具体措施并严格落实。",
     "调阅监管措施文件", "responsibility"),
    ("R5", "基本公共服务承诺落实", RESPONSIBILITY_BASIS + "5", RESPONSIBILITY_BODY,
     "是否按照公示的服务条件和标准、服务时限、延时服务、投诉处理等内容严格落实相关责任。",
     "访谈办事群众、查阅评价和投诉处理情况", "responsibility"),
    ("R6", "其他情况", RESPONSIBILITY_BASIS + "6", RESPONSIBILITY_BODY,
     "其他需要监督检查的情况。", "视情况确定", "responsibility"),
]


def seed(apps, schema_editor):
    InspectionContent = apps.get_model("inspections", "InspectionContent")
    for order, (code, name, basis, body, content, method, source) in enumerate(CONTENTS, 1):
        InspectionContent.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "basis": basis,
                "body": body,
                "content": content,
                "method": method,
                "source": source,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
