"""The demo notice forwarding the Standard down the tree, part-acknowledged."""

import io
import time
import zipfile

from conftest import Tree
from jiceng.core.files import DOCX, detect
from jiceng.documents import selectors
from jiceng.documents.demo import STANDARD, seed_documents
from jiceng.documents.models import Document, Receipt


def test_the_notice_goes_down_every_level_part_acknowledged(tree: Tree):
    started = time.monotonic()
    notice = seed_documents(tree.root)
    assert time.monotonic() - started < 2
    assert notice is not None and STANDARD in notice.title
    assert notice.number.startswith("个协发〔") and notice.forward_required
    # national → provinces → cities → grassroots associations
    forwards = Document.objects.exclude(pk=notice.pk)
    assert {d.issuer for d in forwards} == {tree.anhui, tree.jiangsu, tree.hefei, tree.nanjing}
    assert all(d.origin == notice for d in forwards)
    receipts = {r.unit_id: r for r in Receipt.objects.filter(origin=notice)}
    assert set(receipts) == {
        u.pk
        for u in (
            tree.anhui,
            tree.jiangsu,
            tree.hefei,
            tree.nanjing,
            tree.shushan,
            tree.baohe,
            tree.xuanwu,
        )
    }
    on_time = {u for u, r in receipts.items() if r.acknowledged_at and r.on_time}
    late = {u for u, r in receipts.items() if r.acknowledged_at and not r.on_time}
    silent = {u for u, r in receipts.items() if not r.acknowledged_at}
    assert on_time and late and silent
    # the demo secretary's association has it to acknowledge, unread
    mine = receipts[tree.shushan.pk]
    assert mine.acknowledged_at is None and mine.read_at is None
    assert selectors.inbox(tree.shushan).first() == mine
    # the attachment says it is a placeholder, and is a Word file by its content
    attachment = notice.attachments.get()
    with attachment.file.open("rb") as handle:
        assert detect(handle) == DOCX
        text = zipfile.ZipFile(io.BytesIO(handle.read())).read("word/document.xml").decode()
    assert "占位" in text and "PLACEHOLDER" in text


def test_seeding_twice_adds_nothing(tree: Tree):
    seed_documents(tree.root)
    count = Document.objects.count()
    assert seed_documents(tree.root) is None
    assert Document.objects.count() == count
