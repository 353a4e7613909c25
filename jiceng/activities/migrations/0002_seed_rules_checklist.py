"""The national rules checklist a grassroots association should have (names as data, in
Chinese and English)."""

from django.db import migrations

CHECKLIST = [
    ("charter", "协会章程", "Association charter"),
    ("member_management", "会员管理制度", "Member management rules"),
    ("finance", "财务管理制度", "Financial management rules"),
    ("dues_collection", "会费收缴管理办法", "Dues collection rules"),
    ("meetings", "会议制度", "Meeting rules"),
    ("archives", "档案管理制度", "Archives management rules"),
    ("complaint_handling", "投诉处理制度", "Complaint handling rules"),
    ("service_commitments", "服务承诺制度", "Service commitments"),
    ("training", "学习培训制度", "Study and training rules"),
    ("decision_rules", "民主决策议事规则", "Democratic decision-making rules"),
]


def seed_checklist(apps, schema_editor):
    RuleItem = apps.get_model("activities", "RuleItem")
    for position, (code, name, name_en) in enumerate(CHECKLIST, start=1):
        RuleItem.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )


def remove_unused(apps, schema_editor):
    RuleItem = apps.get_model("activities", "RuleItem")
    RuleItem.objects.filter(
        code__in=[code for code, _name, _en in CHECKLIST], rule_documents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed_checklist, remove_unused)]
