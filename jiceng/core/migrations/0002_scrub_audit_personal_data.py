"""Issue 9, item 6: entries written before personal fields were hashed lose their values (each
becomes its keyed hash). The same as `manage.py scrub_audit_personal_data`; idempotent."""

from typing import Any

from django.db import migrations


def scrub(apps: Any, schema_editor: Any) -> None:
    from jiceng.core.audit import scrub_old_entries

    # The historical AuditEntry for the writes; which fields are personal is the code's word.
    scrub_old_entries(apps.get_model("core", "AuditEntry"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop, elidable=True)]
