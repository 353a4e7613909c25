"""`Commendation` becomes `Honour` (the word is kept for the campaign's commendations app).

The table is renamed, its rows kept. Audit entries written before keep their meaning under the
new action codes and object type."""

from django.db import migrations, models

import jiceng.core.files

OLD_PREFIX, NEW_PREFIX = "recognition.commendation.", "recognition.honour."
OLD_TYPE, NEW_TYPE = "activities.commendation", "activities.honour"


def _recode(apps, old_prefix: str, new_prefix: str, old_type: str, new_type: str) -> None:
    entry = apps.get_model("core", "AuditEntry")
    for verb in ("create", "update", "delete"):
        entry.objects.filter(action=old_prefix + verb).update(action=new_prefix + verb)
    entry.objects.filter(object_type=old_type).update(object_type=new_type)


def forwards(apps, schema_editor) -> None:
    _recode(apps, OLD_PREFIX, NEW_PREFIX, OLD_TYPE, NEW_TYPE)


def backwards(apps, schema_editor) -> None:
    _recode(apps, NEW_PREFIX, OLD_PREFIX, NEW_TYPE, OLD_TYPE)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_uploads_checked_by_content"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="Commendation", new_name="Honour"),
        migrations.AlterModelOptions(
            name="honour",
            options={
                "default_related_name": "honours",
                "ordering": ["-date", "-id"],
                "verbose_name": "honour",
                "verbose_name_plural": "honours",
            },
        ),
        migrations.RenameIndex(
            model_name="honour", new_name="honour_unit_date", old_name="commendation_unit_date"
        ),
        migrations.RemoveConstraint(model_name="honour", name="commendation_level_valid"),
        migrations.AddConstraint(
            model_name="honour",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("level__in", ["national", "provincial", "city", "county", "other"])
                ),
                name="honour_level_valid",
            ),
        ),
        migrations.AlterField(
            model_name="honour",
            name="document",
            field=jiceng.core.files.DocumentField(
                blank=True,
                max_length=200,
                upload_to=jiceng.core.files.RandomUploadTo("honours"),
                verbose_name="document",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
