"""An acknowledge task naming a document (签收《规范》) is done for a unit when the unit
acknowledges that document or a forward of it, at the moment it did; linking the document later
completes it for those that acknowledged already."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.campaigns.models import Campaign, CompletionState, Task, TaskCompletion
from jiceng.campaigns.models import TaskCompletion as Row
from jiceng.core.actor import Actor
from jiceng.documents.models import Document, Receipt
from jiceng.documents.services import DocumentData, Recipients, document_forward
from jiceng.documents.services import receipt_acknowledge as acknowledge
from jiceng.documents.tests.conftest import issue
from jiceng.org.models import Level


@pytest.fixture(autouse=True)
def _media(media_in_tmp: Path) -> Path:
    return media_in_tmp


@pytest.fixture
def notice(tree: Tree) -> Document:
    """The national notice sent to the provinces, which must forward it."""
    return issue(tree.root, levels=[Level.PROVINCE], forward_required=True)


def _forward_to_shushan(notice: Document, tree: Tree, people: People) -> Receipt:
    """Anhui forwards the notice to 蜀山区: 蜀山区's receipt of the forward."""
    receipt = Receipt.objects.get(document=notice, unit=tree.anhui)
    forward = document_forward(
        actor=Actor(user=people.anhui_admin),
        receipt=receipt,
        data=DocumentData(title=notice.title, body="请认真学习。"),
        recipients=Recipients(units=[tree.shushan]),
    )
    return Receipt.objects.select_related("unit").get(document=forward, unit=tree.shushan)


def _link(task: Task, document: Document, actor: Actor) -> Task:
    return services.task_update(
        actor=actor, task=task, data={"document": document}, expected_lock_version=task.lock_version
    )


def test_acknowledging_a_forward_of_the_document_completes_the_task(
    running: Campaign,
    grassroots_task: Task,
    notice: Document,
    tree: Tree,
    people: People,
    national_actor: Actor,
):
    _link(grassroots_task, notice, national_actor)
    receipt = _forward_to_shushan(notice, tree, people)
    assert not TaskCompletion.objects.filter(task=grassroots_task).exists()
    assert acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    row = TaskCompletion.objects.get(task=grassroots_task, unit=tree.shushan)
    receipt.refresh_from_db()
    assert row.state == CompletionState.DONE and row.done_by is None  # the system
    assert row.done_at == receipt.acknowledged_at
    assert row.evidence["document"] == notice.pk
    # Acknowledged in 2026 against a 2009 deadline: late, and counted so up the tree.
    assert row.on_time is False
    assert Row.objects.get(unit=tree.shushan, task=grassroots_task).late_count == 1
    # Acknowledging again changes nothing.
    assert not acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    assert TaskCompletion.objects.filter(task=grassroots_task).count() == 1


def test_linking_the_document_later_completes_it_for_those_that_acknowledged(
    running: Campaign,
    grassroots_task: Task,
    notice: Document,
    tree: Tree,
    people: People,
    national_actor: Actor,
):
    receipt = _forward_to_shushan(notice, tree, people)
    acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    assert not TaskCompletion.objects.exists()
    _link(grassroots_task, notice, national_actor)
    receipt.refresh_from_db()
    row = TaskCompletion.objects.get(task=grassroots_task)
    assert (row.unit, row.done_at) == (tree.shushan, receipt.acknowledged_at)


def test_another_document_completes_nothing(
    running: Campaign,
    grassroots_task: Task,
    notice: Document,
    tree: Tree,
    people: People,
    national_actor: Actor,
):
    other = issue(tree.root, levels=[Level.GRASSROOTS], number="个协发〔2009〕13号")
    _link(grassroots_task, notice, national_actor)
    receipt = Receipt.objects.get(document=other, unit=tree.shushan)
    acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    assert not TaskCompletion.objects.exists()


def test_only_an_acknowledge_task_names_a_document_and_only_an_original(
    running: Campaign,
    grassroots_task: Task,
    branch_task: Task,
    notice: Document,
    tree: Tree,
    people: People,
    national_actor: Actor,
):
    with pytest.raises(ValidationError) as refused:
        _link(branch_task, notice, national_actor)
    assert "document" in refused.value.message_dict
    forward = _forward_to_shushan(notice, tree, people).document
    with pytest.raises(ValidationError) as refused:
        _link(grassroots_task, forward, national_actor)
    assert "document" in refused.value.message_dict
    grassroots_task.refresh_from_db()
    assert grassroots_task.document is None


def test_a_province_cannot_name_a_document_of_a_province_beside_it(
    running: Campaign, tree: Tree, people: People, phases
):
    jiangsu_notice = issue(tree.jiangsu, levels=[Level.CITY], number="苏个协〔2009〕1号")
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            actor=Actor(user=people.anhui_admin),
            phase=phases[0],
            owner_unit=tree.anhui,
            data={
                "level": "city",
                "title": "签收通知",
                "deadline": datetime.date(2009, 3, 30),
                "completion": "acknowledge",
                "document": jiangsu_notice,
            },
        )
    assert "document" in refused.value.message_dict


def test_the_tab_links_to_the_copy_the_unit_received(
    running: Campaign,
    grassroots_task: Task,
    notice: Document,
    tree: Tree,
    people: People,
    national_actor: Actor,
):
    from django.urls import reverse

    from conftest import client_for

    _link(grassroots_task, notice, national_actor)
    receipt = _forward_to_shushan(notice, tree, people)
    tab = reverse("campaigns:unit_campaign", kwargs={"pk": tree.shushan.pk})
    client = client_for(people.shushan_secretary)
    detail = reverse("documents:detail", kwargs={"pk": receipt.document_id})
    assert f'href="{detail}" data-testid="acknowledge-link"' in client.get(tab).content.decode()
    acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    assert 'data-testid="acknowledge-link"' not in client.get(tab).content.decode()
