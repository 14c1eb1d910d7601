"""The categories every deployment starts with (categories are data; administrators may add).

Power and approval lists: the eleven categories of seed 002 第二条, codes in its order, the
same codes in both lists so that an approval item and its power item share a basic code.
Negative list: the industries of the government-approved investment project catalogue.
Fees: the kinds of administrative fees. Funds: one category.
"""

from django.db import migrations

POWER = [
    "行政许可",
    "行政处罚",
    "行政征收",
    "行政给付",
    "行政奖励",
    "行政强制",
    "行政确认",
    "行政裁决",
    "行政检查",
    "基本公共服务",
    "其他行政权力",
]
NEGATIVE = [
    "农业水利",
    "能源",
    "交通运输",
    "信息产业",
    "原材料",
    "机械制造",
    "轻工",
    "高新技术",
    "城建",
    "社会事业",
    "外商投资",
    "境外投资",
]
FEE = ["行政管理类", "资源补偿类", "鉴定类", "考试类", "培训类", "其他类"]
FUND = ["政府性基金"]

CATEGORIES = (
    [("power", f"{i:02d}", name) for i, name in enumerate(POWER, start=1)]
    + [("approval", f"{i:02d}", name) for i, name in enumerate(POWER, start=1)]
    + [("negative", f"{i:02d}", name) for i, name in enumerate(NEGATIVE, start=51)]
    + [("fee", f"{i:02d}", name) for i, name in enumerate(FEE, start=71)]
    + [("fund", f"{i:02d}", name) for i, name in enumerate(FUND, start=81)]
)


def forward(apps, schema_editor):
    Category = apps.get_model("registry", "Category")
    for order, (list_kind, code, name) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            list_kind=list_kind, code=code, defaults={"name": name, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_and_history_indexes")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
