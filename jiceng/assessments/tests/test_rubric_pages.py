"""Rubric pages and their services: read and download for all, import, new versions, item
edits and a campaign's choice for national admins only; a rubric in use is frozen."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree, client_for
from jiceng.assessments import services
from jiceng.assessments.default_rubric import ensure_default_rubric
from jiceng.assessments.models import CampaignRubric, Rubric
from jiceng.assessments.services import rubrics as rubric_services
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError, ForbiddenAction


def test_everyone_reads_and_downloads_a_rubric(people: People):
    rubric = ensure_default_rubric()
    client = client_for(people.branch_staff, language="en")
    assert "九要标准（默认）" in client.get("/rubrics/").content.decode()
    page = client.get(f"/rubrics/{rubric.pk}/").content.decode()
    assert 'data-code="4.1"' in page and 'data-testid="edit-item"' not in page
    download = client.get(f"/rubrics/{rubric.pk}/rubric.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.getvalue())).active
    assert sheet.cell(1, 1).value == "编号"


def test_importing_a_sheet_through_the_page(people: People, tmp_path):
    from jiceng.assessments.exports import rubric_export
    from jiceng.core.exports import write_xlsx

    source = tmp_path / "细则.xlsx"
    write_xlsx(rubric_export(ensure_default_rubric()), str(source))
    client = client_for(people.national, language="en")
    with source.open("rb") as handle:
        answer = client.post("/rubrics/import/", {"name": "市级细则", "file": handle})
    assert answer.status_code == 302
    imported = Rubric.objects.get(name="市级细则")
    assert imported.points == 100 and imported.items.exclude(rule="").count() == 21
    not_excel = client.post(
        "/rubrics/import/",
        {"name": "x", "file": io.BytesIO(b"%PDF-1.4 not a sheet")},
    )
    assert not_excel.status_code == 200 and "Excel" in not_excel.content.decode()
    assert client_for(people.anhui_admin).get("/rubrics/import/").status_code == 403


def test_a_rubric_in_use_is_frozen_and_an_edit_makes_a_new_version(
    running: Campaign, tree: Tree, people: People
):
    rubric = services.setup_for(running).rubric
    rubric.refresh_from_db()
    assert rubric.frozen_at is not None
    admin = Actor(user=people.national)
    item = rubric.items.get(code="1.2")
    with pytest.raises(DomainError) as caught:
        rubric_services.rubric_item_update(actor=admin, item=item, data={"name": "x", "points": 4})
    assert caught.value.code == "frozen"
    copy = rubric_services.rubric_new_version(actor=admin, rubric=rubric)
    assert (copy.version, copy.frozen_at, copy.previous) == (2, None, rubric)
    assert copy.items.count() == rubric.items.count()
    parent = copy.items.get(code="1.2").parent
    assert parent is not None and parent.rubric_id == copy.pk  # parents point into the copy
    edited = copy.items.get(code="1.2")
    rubric_services.rubric_item_update(
        actor=admin,
        item=edited,
        data={"name": "分会和会员小组全覆盖", "points": "6", "rule": "manual"},
    )
    copy.refresh_from_db()
    assert rubric_services.rubric_problems(copy)  # criterion 1 no longer adds up
    with pytest.raises(ValidationError):
        rubric_services.campaign_rubric_set(actor=admin, campaign=running, rubric=copy)
    with pytest.raises(ValidationError) as bad:
        rubric_services.rubric_item_update(
            actor=admin,
            item=copy.items.get(code="4.1"),
            data={"name": "会费收缴率", "points": "7", "rule": "computed", "tiers": "70:4; 90:7"},
        )
    assert "rule" in bad.value.message_dict
    with pytest.raises(ForbiddenAction):
        rubric_services.rubric_new_version(actor=Actor(user=people.anhui_admin), rubric=rubric)


def test_choosing_a_campaigns_rubric_before_anyone_assesses(
    running: Campaign, tree: Tree, people: People
):
    admin = Actor(user=people.national)
    base = ensure_default_rubric()
    copy = rubric_services.rubric_new_version(actor=admin, rubric=base)
    rubric_services.campaign_rubric_set(actor=admin, campaign=running, rubric=copy)
    copy.refresh_from_db()
    assert copy.frozen_at is not None
    assert CampaignRubric.objects.get(campaign=running).rubric == copy
    services.assessment_open(
        actor=Actor(user=people.shushan_secretary), campaign=running, unit=tree.shushan
    )
    with pytest.raises(DomainError) as caught:
        rubric_services.campaign_rubric_set(actor=admin, campaign=running, rubric=base)
    assert caught.value.code == "in_use"
    assert Decimal(CampaignRubric.objects.get(campaign=running).rubric.points) == 100
