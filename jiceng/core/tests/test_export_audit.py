"""Every export is in the audit log (`security.export`, core/exports.audit_export): members by
CSV or by job, masked or not, and units; with what, the format and the filters, never a
value (issue 9, item 19)."""

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.models import AuditEntry
from jiceng.members.tests.factories import make_member

pytestmark = pytest.mark.django_db


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="security.export").order_by("pk"))


def test_a_masked_member_csv_is_audited_with_its_filters(tree: Tree, people: People):
    make_member(tree.shushan, business_name="蜀山老字号酱菜")
    response = client_for(people.hefei_admin).post(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"q": "酱菜"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    (entry,) = _exports()
    assert entry.actor == people.hefei_admin and entry.unit_id == tree.shushan.pk
    assert entry.after == {
        "what": "members.member",
        "format": "csv",
        "unmasked": False,
        "filters": {"q": "酱菜"},
    }


def test_a_search_by_phone_is_exported_without_the_phone_in_the_entry(tree: Tree, people: People):
    make_member(tree.shushan, phone="13712345678")
    response = client_for(people.shushan_secretary).post(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"q": "1371234"}
    )
    assert response.status_code == 200
    (entry,) = _exports()
    assert entry.after is not None
    assert "1371234" not in str(entry.after) and entry.after["filters"] == {}


def test_an_export_job_is_audited(tree: Tree, people: People):
    client = client_for(people.shushan_secretary)
    response = client.post(
        reverse("members:export_start", kwargs={"pk": tree.shushan.pk}), {"file_format": "xlsx"}
    )
    assert response.status_code == 302
    (entry,) = _exports()
    assert entry.after is not None
    assert entry.after["format"] == "xlsx" and entry.after["unmasked"] is False


def test_a_unit_export_is_audited(tree: Tree, people: People):
    response = client_for(people.anhui_admin).get(
        reverse("org:unit_export", kwargs={"pk": tree.hefei.pk})
    )
    assert response.status_code == 200
    (entry,) = _exports()
    assert entry.unit_id == tree.hefei.pk
    assert entry.after == {"what": "org.unit", "format": "csv", "unmasked": False, "filters": {}}
