"""The access matrix's cases for the documents' pages (see jiceng/core/tests/access.py): a
document issued by 蜀山区 to its branches, with an attachment, so the target branch holds a
receipt. Users at or above the branch see it; a sibling subtree gets 404."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.tests.access import UNIT, Case, pk_of
from jiceng.core.tests.uploads import pdf_upload
from jiceng.documents.models import Receipt
from jiceng.documents.services import DocumentData, Recipients, document_issue

CASES: dict[str, Case] = {
    "documents:inbox": Case("own"),
    "documents:issued": Case("own"),
    "documents:issue": Case("list", Perm.CAMPAIGN_MANAGE),
    "documents:detail": Case("object", kwargs=pk_of("document")),
    "documents:correct": Case("object", Perm.CAMPAIGN_MANAGE, kwargs=pk_of("document")),
    "documents:chase": Case("object", Perm.CAMPAIGN_MANAGE, "post", pk_of("document")),
    "documents:acknowledge": Case("object", Perm.CAMPAIGN_REPORT, "post", pk_of("receipt")),
    "documents:forward": Case("object", Perm.CAMPAIGN_REPORT, kwargs=pk_of("receipt")),
    "documents:attachment": Case("object", kwargs=pk_of("attachment")),
    "documents:unit_documents": Case("object", kwargs=UNIT),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    objects.document = document_issue(
        actor=Actor.system(),
        issuer=tree.shushan,
        data=DocumentData(title="关于学习《规范》的通知", number="蜀个协发〔2009〕1号"),
        recipients=Recipients(levels=["branch"]),
        attachments=[pdf_upload("规范.pdf")],
    )
    objects.receipt = Receipt.objects.get(document=objects.document, unit=tree.branch)
    objects.attachment = objects.document.attachments.get()
