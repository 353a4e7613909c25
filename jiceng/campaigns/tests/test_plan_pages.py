"""The plan pages: the campaigns a unit takes part in, the wizard that copies a campaign into
another year, a campaign's plan with a province's local tasks and earlier deadlines, starting
and closing; and on the campaign tab, choosing a campaign, reopening a task, and completing it
with evidence files that are served only inside the subtree."""

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import (
    Campaign,
    CampaignStatus,
    EvidenceFile,
    Phase,
    Task,
    TaskCompletion,
)
from jiceng.core.actor import Actor
from jiceng.core.audit import AuditEntry
from jiceng.core.tests.uploads import exe_upload, image_upload, pdf_upload
from jiceng.org.models import Unit

from .conftest import d


@pytest.fixture(autouse=True)
def _media(media_in_tmp: Path) -> Path:
    return media_in_tmp


def _url(name: str, unit: Unit, **kwargs: object) -> str:
    return reverse(f"campaigns:{name}", kwargs={"pk": unit.pk, **kwargs})


@pytest.fixture
def started(running: Campaign, document_task: Task, meeting_task: Task) -> Campaign:
    return running


# --- the campaigns list and the wizard ------------------------------------------------------


def test_the_list_shows_drafts_only_to_those_who_may_write_them(
    tree: Tree, people: People, started: Campaign, national_actor: Actor
):
    draft = services.campaign_copy(
        actor=national_actor, source=started, year_shift=1, name="2010年建设年"
    )
    national = client_for(people.national).get(_url("plans", tree.root)).content.decode()
    assert started.name in national and draft.name in national
    secretary = client_for(people.shushan_secretary).get(_url("plans", tree.shushan))
    body = secretary.content.decode()
    assert started.name in body and draft.name not in body
    # ...nor can the draft be chosen on the tab or opened as a plan.
    client = client_for(people.shushan_secretary)
    tab = _url("unit_campaign", tree.shushan) + f"?campaign={draft.pk}"
    assert client.get(tab).status_code == 404
    assert client.get(_url("plan", tree.shushan, campaign_pk=draft.pk)).status_code == 404


def test_the_wizard_copies_a_campaign_into_next_year_as_a_draft(
    tree: Tree, people: People, started: Campaign, document_task: Task
):
    client = client_for(people.national, language="en")
    page = client.get(_url("wizard", tree.root))
    assert page.context["form"].initial["year"] == 2010
    response = client.post(
        _url("wizard", tree.root),
        {"source": started.pk, "year": 2010, "name": "2010年建设年"},
    )
    copy = Campaign.objects.get(year=2010)
    assert response.status_code == 302
    assert response["Location"] == _url("plan", tree.root, campaign_pk=copy.pk)
    assert (copy.status, copy.name, copy.copied_from) == (
        CampaignStatus.DRAFT,
        "2010年建设年",
        started,
    )
    shifted = Task.objects.get(phase__campaign=copy, title=document_task.title)
    assert shifted.deadline == datetime.date(2010, 3, 25)
    assert AuditEntry.objects.filter(action="campaign.copy").count() == 1


def test_the_wizard_refuses_the_source_year_and_saves_nothing(
    tree: Tree, people: People, started: Campaign
):
    client = client_for(people.national, language="en")
    response = client.post(
        _url("wizard", tree.root), {"source": started.pk, "year": 2009, "name": "again"}
    )
    assert response.status_code == 200
    assert "Choose another year than 2009" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_the_wizard_says_when_a_unit_runs_nothing_to_copy(
    tree: Tree, people: People, started: Campaign
):
    response = client_for(people.anhui_admin, language="en").get(_url("wizard", tree.anhui))
    assert response.status_code == 200 and response.context["form"] is None
    # A secretary may not copy campaigns at all.
    assert client_for(people.shushan_secretary).get(_url("wizard", tree.shushan)).status_code == 403


# --- the plan: local tasks and earlier deadlines ----------------------------------------------


def test_a_province_adds_a_local_task_for_its_cities(
    tree: Tree, people: People, started: Campaign, phases: list[Phase]
):
    client = client_for(people.anhui_admin, language="en")
    response = client.post(
        _url("plan_task_add", tree.anhui, campaign_pk=started.pk),
        {
            "phase": phases[0].pk,
            "level": "city",
            "title": "报送市级实施方案",
            "deadline": "2009-03-28",
            "completion": "document",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="报送市级实施方案")
    assert (task.owner_unit, task.level) == (tree.anhui, "city")
    plan = client.get(_url("plan", tree.anhui, campaign_pk=started.pk)).content.decode()
    assert "报送市级实施方案" in plan
    # Not a task for Jiangsu's cities.
    jiangsu = client_for(people.outsider).get(_url("plan", tree.jiangsu, campaign_pk=started.pk))
    assert "报送市级实施方案" not in jiangsu.content.decode()


def test_a_province_brings_a_deadline_earlier_never_later(
    tree: Tree, people: People, started: Campaign, document_task: Task
):
    client = client_for(people.anhui_admin, language="en")
    url = _url("plan_deadline", tree.anhui, campaign_pk=started.pk, task_pk=document_task.pk)
    later = client.post(url, {f"d{document_task.pk}-deadline": "2009-03-30"})
    assert later.status_code == 200
    assert 'data-field="deadline"' in later.content.decode()
    assert not Task.objects.filter(parent_task=document_task).exists()
    earlier = client.post(url, {f"d{document_task.pk}-deadline": "2009-03-15"})
    assert earlier.status_code == 302
    local = Task.objects.get(parent_task=document_task, owner_unit=tree.anhui)
    assert local.deadline == d(3, 15)
    document_task.refresh_from_db()
    assert document_task.deadline == d(3, 25)  # the national deadline stands for others


def test_the_owner_moves_its_own_tasks_deadline(
    tree: Tree, people: People, started: Campaign, document_task: Task
):
    client = client_for(people.national, language="en")
    url = _url("plan_deadline", tree.root, campaign_pk=started.pk, task_pk=document_task.pk)
    assert client.post(url, {f"d{document_task.pk}-deadline": "2009-03-27"}).status_code == 302
    document_task.refresh_from_db()
    assert document_task.deadline == d(3, 27)


def test_only_the_scope_unit_starts_or_closes_its_campaign(
    tree: Tree, people: People, started: Campaign
):
    anhui = client_for(people.anhui_admin, language="en")
    response = anhui.post(_url("campaign_close", tree.anhui, campaign_pk=started.pk), follow=True)
    assert "starts or closes it" in response.content.decode()
    started.refresh_from_db()
    assert started.status == CampaignStatus.RUNNING
    national = client_for(people.national, language="en")
    assert (
        national.post(_url("campaign_close", tree.root, campaign_pk=started.pk)).status_code == 302
    )
    started.refresh_from_db()
    assert started.status == CampaignStatus.CLOSED


# --- the tab: choosing a campaign, reopening, evidence files --------------------------------


def test_the_tab_shows_a_chosen_earlier_campaign(
    tree: Tree, people: People, started: Campaign, national_actor: Actor
):
    newer = services.campaign_copy(
        actor=national_actor, source=started, year_shift=1, name="2010年建设年"
    )
    services.campaign_start(actor=national_actor, campaign=newer)
    client = client_for(people.shushan_secretary)
    assert client.get(_url("unit_campaign", tree.shushan)).context["campaign"] == newer
    chosen = client.get(_url("unit_campaign", tree.shushan) + f"?campaign={started.pk}")
    assert chosen.context["campaign"] == started
    assert client.get(_url("unit_campaign", tree.shushan) + "?campaign=x").status_code == 404


def _complete(client: Any, unit: Unit, task: Task, data: dict, files: list) -> Any:
    prefix = f"t{task.pk}"
    payload = {f"{prefix}-{key}": value for key, value in data.items()}
    payload[f"{prefix}-attachments"] = files
    return client.post(_url("task_complete", unit, task_pk=task.pk), payload)


def test_a_document_task_needs_a_document(
    tree: Tree, people: People, started: Campaign, document_task: Task
):
    client = client_for(people.shushan_secretary, language="en")
    none = _complete(client, tree.shushan, document_task, {"note": "见附件"}, [])
    assert "Upload the document" in none.content.decode()
    program = _complete(client, tree.shushan, document_task, {"note": "见附件"}, [exe_upload()])
    assert program.status_code == 200 and 'data-field="attachments"' in program.content.decode()
    assert not TaskCompletion.objects.exists() and not EvidenceFile.objects.exists()
    done = _complete(
        client, tree.shushan, document_task, {"note": "见附件"}, [pdf_upload("方案.pdf")]
    )
    assert done.status_code == 302
    item = EvidenceFile.objects.get(completion__task=document_task, unit=tree.shushan)
    assert item.name == "方案.pdf" and not item.is_image


def test_meeting_photos_are_served_only_inside_the_subtree(
    tree: Tree, people: People, started: Campaign, meeting_task: Task
):
    client = client_for(people.shushan_secretary, language="en")
    response = _complete(
        client,
        tree.shushan,
        meeting_task,
        {"date": "2009-03-15", "place": "区协会议室", "attendance": "45"},
        [image_upload("会场.png")],
    )
    assert response.status_code == 302
    item = EvidenceFile.objects.get(unit=tree.shushan)
    assert item.is_image
    url = _url("evidence_file", tree.shushan, file_pk=item.pk)
    tab = client.get(_url("unit_campaign", tree.shushan)).content.decode()
    assert url in tab
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert client_for(people.hefei_admin).get(url).status_code == 200  # above: yes
    assert client_for(people.baohe_secretary).get(url).status_code == 404  # a sibling: no
    # Asked for under another unit's key, it is not found either.
    wrong = _url("evidence_file", tree.baohe, file_pk=item.pk)
    assert client_for(people.national).get(wrong).status_code == 404


def test_reopening_takes_the_completion_and_its_files_back(
    tree: Tree,
    people: People,
    started: Campaign,
    meeting_task: Task,
    django_capture_on_commit_callbacks,
):
    secretary = Actor(user=people.shushan_secretary)
    row = completion.task_complete(
        actor=secretary,
        task=meeting_task,
        unit=tree.shushan,
        evidence={"fields": {"date": "2009-03-15", "place": "会议室", "attendance": 30}},
        files=[image_upload("会场.png")],
    )
    stored = row.files.get().file
    name = str(stored.name)
    assert stored.storage.exists(name)
    client = client_for(people.shushan_secretary, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("task_reopen", tree.shushan, task_pk=meeting_task.pk))
    assert response.status_code == 302
    assert not TaskCompletion.objects.exists() and not EvidenceFile.objects.exists()
    assert not stored.storage.exists(name)
    assert AuditEntry.objects.filter(action="campaign.task.reopen").count() == 1
    again = client.post(_url("task_reopen", tree.shushan, task_pk=meeting_task.pk), follow=True)
    assert "neither done" in again.content.decode()


def test_a_sibling_cannot_reopen(tree: Tree, people: People, started: Campaign, meeting_task: Task):
    completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=meeting_task,
        unit=tree.shushan,
        evidence={"fields": {"date": "2009-03-15", "place": "会议室", "attendance": 30}},
    )
    client = client_for(people.baohe_secretary)
    response = client.post(_url("task_reopen", tree.shushan, task_pk=meeting_task.pk))
    assert response.status_code == 404
    assert TaskCompletion.objects.count() == 1


def test_progress_shows_the_deadline_in_force_for_the_subtree(
    tree: Tree, people: People, started: Campaign, document_task: Task
):
    from jiceng.campaigns import selectors

    services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=document_task, unit=tree.anhui, deadline=d(3, 15)
    )

    def in_force(unit: Unit) -> datetime.date:
        progress = selectors.campaign_progress(started, unit)
        return next(line.deadline for line in progress.tasks if line.task == document_task)

    assert in_force(tree.root) == d(3, 25)  # the nation: the campaign's own
    assert in_force(tree.anhui) == d(3, 15)  # 安徽's subtree: its earlier one
    assert in_force(tree.hefei) == d(3, 15)
    assert in_force(tree.jiangsu) == d(3, 25)
    tab = client_for(people.hefei_admin).get(_url("unit_campaign", tree.hefei)).content.decode()
    assert "2009-03-15" in tab and "2009-03-25" not in tab
