"""Issuing, fan-out, forwarding, reading, acknowledging, superseding and chasing documents."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import People, Tree
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.core.tests.uploads import docx_upload, exe_upload, pdf_upload
from jiceng.documents import services
from jiceng.documents.models import Attachment, Document, Receipt
from jiceng.documents.services import DocumentConflict, DocumentData, Recipients
from jiceng.notifications.models import Notification

from .conftest import issue

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _forward(receipt: Receipt, *, actor: Actor | None = None, **kwargs) -> Document:
    return services.document_forward(
        actor=actor or Actor.system(),
        receipt=receipt,
        data=DocumentData(
            title=receipt.document.title,
            number=kwargs.pop("number", ""),
            body="请认真贯彻。",
            ack_deadline=kwargs.pop("deadline", None),
        ),
        recipients=Recipients(levels=kwargs.pop("levels", ["grassroots"])),
    )


def test_issue_fans_out_one_receipt_per_unit_at_the_levels_with_anchors(tree: Tree):
    document = issue(tree.root, levels=["province", "grassroots"])
    receipts = {r.unit_id: r for r in Receipt.objects.filter(document=document)}
    assert set(receipts) == {
        tree.anhui.pk,
        tree.jiangsu.pk,
        tree.shushan.pk,
        tree.baohe.pk,
        tree.xuanwu.pk,
    }
    assert document.recipient_count == 5
    assert receipts[tree.anhui.pk].province_id == tree.anhui.pk
    assert receipts[tree.anhui.pk].grassroots_id is None
    assert receipts[tree.shushan.pk].province_id == tree.anhui.pk
    assert receipts[tree.shushan.pk].grassroots_id == tree.shushan.pk
    assert receipts[tree.xuanwu.pk].province_id == tree.jiangsu.pk
    assert all(r.origin_id == document.pk for r in receipts.values())
    assert all(r.read_at is None and r.acknowledged_at is None for r in receipts.values())
    entry = AuditEntry.objects.get(action="document.issue")
    assert entry.object_id == str(document.pk)


def test_anchors_below_an_association_issuer(tree: Tree):
    document = issue(tree.shushan, levels=["branch", "group"])
    rows = list(
        Receipt.objects.filter(document=document).values_list(
            "unit_id", "province_id", "grassroots_id"
        )
    )
    assert sorted(rows) == sorted(
        [
            (tree.branch.pk, tree.anhui.pk, tree.shushan.pk),
            (tree.group.pk, tree.anhui.pk, tree.shushan.pk),
        ]
    )


def test_chosen_units_and_levels_together_each_once(tree: Tree):
    document = issue(tree.anhui, levels=["city"], units=[tree.hefei, tree.shushan])
    units = set(Receipt.objects.filter(document=document).values_list("unit_id", flat=True))
    assert units == {tree.hefei.pk, tree.shushan.pk}


def test_recipients_outside_the_issuers_subtree_are_refused(tree: Tree):
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, units=[tree.xuanwu])
    assert "units" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, units=[tree.anhui])  # not to itself either
    assert "units" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        issue(tree.hefei, levels=["province"])
    assert "levels" in refused.value.message_dict
    assert not Document.objects.exists() and not Receipt.objects.exists()


def test_no_recipients_is_refused_on_levels(tree: Tree):
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui)
    assert "levels" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        issue(tree.shushan, levels=["city"])
    assert "levels" in refused.value.message_dict


def test_number_is_required_and_unique_per_issuer(tree: Tree):
    issue(tree.anhui, levels=["city"], number="皖个协发〔2009〕3号")
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, levels=["city"], number="皖个协发〔2009〕3号")
    assert "numbered" in refused.value.message_dict["number"][0]
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, levels=["city"], number="  ")
    assert "number" in refused.value.message_dict
    issue(tree.jiangsu, levels=["city"], number="皖个协发〔2009〕3号")  # another issuer may
    assert Document.objects.count() == 2


def test_deadline_before_issue_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as refused:
        issue(
            tree.anhui, levels=["city"], deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert "ack_deadline" in refused.value.message_dict


def test_attachments_are_checked_by_content_and_nothing_is_half_saved(tree: Tree):
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, levels=["city"], attachments=[pdf_upload(), exe_upload("规范.pdf")])
    assert "规范.pdf" in refused.value.message_dict["attachments"][0]
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert not Receipt.objects.exists()
    document = issue(
        tree.anhui, levels=["city"], attachments=[pdf_upload("规范.pdf"), docx_upload()]
    )
    names = sorted(a.name for a in document.attachments.all())
    assert names == ["rules.docx", "规范.pdf"]
    assert all(
        str(a.file.name).startswith(f"documents/{tree.anhui.pk}/")
        for a in document.attachments.all()
    )


def test_attachment_over_the_size_limit_is_refused(tree: Tree, settings):
    settings.MAX_DOCUMENT_BYTES = 10
    with pytest.raises(ValidationError) as refused:
        issue(tree.anhui, levels=["city"], attachments=[pdf_upload()])
    assert "MB" in refused.value.message_dict["attachments"][0]
    assert not Document.objects.exists()


def test_issuing_needs_campaign_manage_in_ones_subtree(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        issue(tree.shushan, levels=["branch"], actor=Actor(user=people.shushan_secretary))
    with pytest.raises(ForbiddenAction):
        issue(tree.jiangsu, levels=["city"], actor=Actor(user=people.anhui_admin))
    document = issue(tree.anhui, levels=["city"], actor=Actor(user=people.anhui_admin))
    assert document.issued_by == people.anhui_admin


def test_acknowledge_is_idempotent_and_audited_once(tree: Tree, people: People):
    document = issue(tree.root, levels=["grassroots"], deadline=timezone.localdate())
    receipt = Receipt.objects.get(document=document, unit=tree.shushan)
    actor = Actor(user=people.shushan_secretary)
    assert services.receipt_acknowledge(actor=actor, receipt=receipt) is True
    first = Receipt.objects.get(pk=receipt.pk)
    assert first.acknowledged_by == people.shushan_secretary and first.on_time
    assert first.read_at is not None  # acknowledging reads it
    assert services.receipt_acknowledge(actor=actor, receipt=receipt) is False
    again = Receipt.objects.get(pk=receipt.pk)
    assert again.acknowledged_at == first.acknowledged_at
    assert AuditEntry.objects.filter(action="document.acknowledge").count() == 1


def test_acknowledging_a_unit_outside_ones_subtree_is_refused(tree: Tree, people: People):
    document = issue(tree.root, levels=["grassroots"])
    receipt = Receipt.objects.get(document=document, unit=tree.xuanwu)
    with pytest.raises(ForbiddenAction):
        services.receipt_acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    with pytest.raises(ForbiddenAction):  # a reviewer may not acknowledge at all
        services.receipt_acknowledge(
            actor=Actor(user=people.reviewer),
            receipt=Receipt.objects.get(document=document, unit=tree.shushan),
        )


@pytest.mark.parametrize(
    ("at", "on_time"),
    [
        (datetime.datetime(2009, 6, 30, 23, 59, tzinfo=SHANGHAI), True),
        (datetime.datetime(2009, 7, 1, 0, 0, tzinfo=SHANGHAI), False),
    ],
)
def test_on_time_is_judged_by_the_date_in_shanghai(tree: Tree, people: People, at, on_time):
    document = Document.objects.create(
        issuer=tree.root,
        number="x",
        title="t",
        issued_on=datetime.date(2009, 6, 1),
        issued_at=timezone.now(),
        ack_deadline=datetime.date(2009, 6, 30),
    )
    receipt = Receipt.objects.create(
        document=document,
        origin=document,
        unit=tree.shushan,
        level="grassroots",
        received_at=timezone.now(),
        deadline=datetime.date(2009, 6, 30),
    )
    assert services.is_on_time(datetime.date(2009, 6, 30), at) is on_time
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at):
        services.receipt_acknowledge(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    assert Receipt.objects.get(pk=receipt.pk).on_time is on_time


def test_read_is_recorded_once_and_only_for_the_units_own_users(tree: Tree, people: People):
    document = issue(tree.root, levels=["grassroots"])
    receipt = Receipt.objects.get(document=document, unit=tree.shushan)
    assert not services.receipt_mark_read(actor=Actor(user=people.hefei_admin), receipt=receipt)
    assert services.receipt_mark_read(actor=Actor(user=people.shushan_secretary), receipt=receipt)
    receipt.refresh_from_db()
    assert receipt.read_by == people.shushan_secretary
    assert not services.receipt_mark_read(
        actor=Actor(user=people.shushan_secretary), receipt=receipt
    )
    assert AuditEntry.objects.filter(action="document.read").count() == 1


def test_forward_makes_a_linked_document_for_the_forwarders_subtree(tree: Tree, people: People):
    deadline = timezone.localdate() + datetime.timedelta(days=20)
    national = issue(tree.root, levels=["province"], forward_required=True, deadline=deadline)
    anhui = Receipt.objects.get(document=national, unit=tree.anhui)
    assert anhui.must_forward
    forward = _forward(anhui, actor=Actor(user=people.anhui_admin), number="皖个协发〔2009〕5号")
    assert forward.forwarded_from == national and forward.origin == national
    assert forward.issuer == tree.anhui and forward.ack_deadline == deadline
    assert set(Receipt.objects.filter(document=forward).values_list("unit_id", flat=True)) == {
        tree.shushan.pk,
        tree.baohe.pk,
    }
    assert all(r.origin_id == national.pk for r in Receipt.objects.filter(document=forward))
    anhui.refresh_from_db()
    assert anhui.forwarded_id == forward.pk and anhui.read_at is not None
    # a second forward of the same receipt is a conflict
    with pytest.raises(DocumentConflict) as conflict:
        _forward(anhui)
    assert conflict.value.code == "already_forwarded" and conflict.value.http_status == 409
    # a forward of the forward keeps the chain's origin
    hefei_doc = _forward(
        Receipt.objects.get(document=forward, unit=tree.shushan), levels=["branch"]
    )
    assert hefei_doc.origin == national and hefei_doc.forwarded_from == forward


def test_forward_deadline_cannot_be_later_and_recipients_stay_in_the_subtree(tree: Tree):
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    national = issue(tree.root, levels=["province"], deadline=deadline)
    anhui = Receipt.objects.get(document=national, unit=tree.anhui)
    with pytest.raises(ValidationError) as refused:
        _forward(anhui, deadline=deadline + datetime.timedelta(days=1))
    assert "ack_deadline" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.document_forward(
            actor=Actor.system(),
            receipt=anhui,
            data=DocumentData(title="t"),
            recipients=Recipients(units=[tree.xuanwu]),
        )
    assert "units" in refused.value.message_dict
    assert Document.objects.count() == 1
    anhui.refresh_from_db()
    assert anhui.forwarded_id is None


def test_forward_by_a_unit_outside_is_refused(tree: Tree, people: People):
    national = issue(tree.root, levels=["province"])
    jiangsu = Receipt.objects.get(document=national, unit=tree.jiangsu)
    with pytest.raises(ForbiddenAction):
        _forward(jiangsu, actor=Actor(user=people.anhui_admin), levels=["city"])


def test_a_correction_supersedes_and_the_original_is_never_changed(tree: Tree):
    original = issue(tree.anhui, levels=["city"], number="皖个协发〔2009〕3号")
    before = Document.objects.filter(pk=original.pk).values().get()
    correction = issue(
        tree.anhui, levels=["city"], number="皖个协发〔2009〕4号", supersedes=original
    )
    assert Document.objects.filter(pk=original.pk).values().get() == before
    original.refresh_from_db()
    assert original.superseded_by == correction
    with pytest.raises(ValidationError) as refused:  # once only
        issue(tree.anhui, levels=["city"], number="皖个协发〔2009〕6号", supersedes=original)
    assert "supersedes" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # by its own issuer only
        issue(tree.root, levels=["city"], number="个协发〔2009〕9号", supersedes=correction)
    assert "supersedes" in refused.value.message_dict
    # a superseded document is not forwarded any more
    with pytest.raises(DocumentConflict) as conflict:
        _forward(Receipt.objects.get(document=original, unit=tree.hefei))
    assert conflict.value.code == "document_superseded"


def test_there_is_no_service_that_edits_a_document():
    names = [n for n in dir(services) if n.startswith("document_")]
    assert sorted(names) == ["document_chase", "document_forward", "document_issue"]


def test_chase_reminds_only_the_units_that_have_not_acknowledged(tree: Tree, people: People):
    document = issue(tree.root, levels=["grassroots"], deadline=timezone.localdate())
    services.receipt_acknowledge(
        actor=Actor.system(), receipt=Receipt.objects.get(document=document, unit=tree.shushan)
    )
    count = services.document_chase(
        actor=Actor(user=people.anhui_admin), document=document, unit=tree.anhui
    )
    assert count == 1  # baohe only: xuanwu is outside 安徽
    chased = Notification.objects.filter(kind="documents.chase")
    assert list(chased.values_list("user__username", flat=True)) == ["baohe"]
    again = services.document_chase(
        actor=Actor(user=people.anhui_admin), document=document, unit=tree.anhui
    )
    assert again == 1 and chased.count() == 1  # the same day: nothing twice
    with pytest.raises(ForbiddenAction):
        services.document_chase(
            actor=Actor(user=people.anhui_admin), document=document, unit=tree.jiangsu
        )


def test_recipients_are_notified_of_a_new_document(
    tree: Tree, people: People, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(tree.anhui, levels=["grassroots"])
    users = set(
        Notification.objects.filter(kind="documents.received").values_list(
            "user__username", flat=True
        )
    )
    assert users == {"shushan", "baohe"}
