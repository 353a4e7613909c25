"""The access matrix's cases for activities, complaints, rules and recognition. The target
rows live in 蜀山区城关分会 (`tree.branch`), so every insider role sits at or above them."""

import datetime
from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.activities import services
from jiceng.activities.models import RuleItem
from jiceng.core.tests.access import UNIT, Case, pk_of
from jiceng.core.tests.uploads import image_upload, pdf_upload

from .helpers import SYSTEM, adopt, make_activity, make_complaint

PUBLIC = lambda o: {"code": o.tree.branch.code}  # noqa: E731

CASES: dict[str, Case] = {
    # Activities
    "activities:activity_list": Case("object", kwargs=UNIT),
    "activities:activity_rollup": Case("object", kwargs=UNIT),
    "activities:activity_create": Case("object", Perm.ACTIVITY_EDIT, kwargs=UNIT),
    "activities:activity_detail": Case("object", kwargs=pk_of("activity")),
    "activities:activity_edit": Case("object", Perm.ACTIVITY_EDIT, kwargs=pk_of("activity")),
    "activities:activity_delete": Case("object", Perm.ACTIVITY_EDIT, "post", pk_of("activity")),
    "activities:activity_photo_add": Case("object", Perm.ACTIVITY_EDIT, kwargs=pk_of("activity")),
    "activities:activity_photo_delete": Case(
        "object", Perm.ACTIVITY_EDIT, "post", pk_of("activity_photo")
    ),
    "activities:activity_photo": Case("object", kwargs=pk_of("activity_photo")),
    # Complaints
    "activities:complaint_list": Case("object", kwargs=UNIT),
    "activities:complaint_rollup": Case("object", kwargs=UNIT),
    "activities:complaint_create": Case("object", Perm.COMPLAINT_HANDLE, kwargs=UNIT),
    "activities:complaint_detail": Case("object", kwargs=pk_of("complaint")),
    "activities:complaint_transition": Case(
        "object",
        Perm.COMPLAINT_HANDLE,
        "post",
        pk_of("complaint"),
        data=lambda o: {"to_state": "in_progress", "response": "", "lock_version": 1},
    ),
    "activities:public_complaint_new": Case("public", kwargs=PUBLIC),
    "activities:public_complaint_thanks": Case("public", kwargs=PUBLIC),
    # Rules
    "activities:rules": Case("object", kwargs=UNIT),
    "activities:rule_document_edit": Case(
        "object",
        Perm.RULES_EDIT,
        kwargs=lambda o: {"pk": o.tree.branch.pk, "item_pk": o.rule_item.pk},
    ),
    "activities:rule_document_delete": Case(
        "object", Perm.RULES_EDIT, "post", pk_of("rule_document")
    ),
    "activities:rule_document_file": Case("object", kwargs=pk_of("rule_document")),
    "activities:rule_checklist": Case(
        "list", Perm.RULES_CHECKLIST_MANAGE, marker=lambda o: o.spare_item.name
    ),
    "activities:rule_item_create": Case("list", Perm.RULES_CHECKLIST_MANAGE),
    "activities:rule_item_edit": Case(
        "object", Perm.RULES_CHECKLIST_MANAGE, kwargs=pk_of("spare_item")
    ),
    "activities:rule_item_move": Case(
        "object",
        Perm.RULES_CHECKLIST_MANAGE,
        "post",
        pk_of("spare_item"),
        data=lambda o: {"direction": "up"},
    ),
    "activities:rule_item_toggle": Case(
        "object", Perm.RULES_CHECKLIST_MANAGE, "post", pk_of("spare_item")
    ),
    "activities:rule_item_delete": Case(
        "object", Perm.RULES_CHECKLIST_MANAGE, "post", pk_of("spare_item")
    ),
    # Recognition
    "activities:recognition": Case("object", kwargs=UNIT),
    "activities:honour_create": Case("object", Perm.RECOGNITION_EDIT, kwargs=UNIT),
    "activities:honour_edit": Case("object", Perm.RECOGNITION_EDIT, kwargs=pk_of("honour")),
    "activities:honour_delete": Case("object", Perm.RECOGNITION_EDIT, "post", pk_of("honour")),
    "activities:honour_file": Case("object", kwargs=pk_of("honour")),
    "activities:media_report_create": Case("object", Perm.RECOGNITION_EDIT, kwargs=UNIT),
    "activities:media_report_edit": Case(
        "object", Perm.RECOGNITION_EDIT, kwargs=pk_of("media_report")
    ),
    "activities:media_report_delete": Case(
        "object", Perm.RECOGNITION_EDIT, "post", pk_of("media_report")
    ),
    "activities:media_report_file": Case("object", kwargs=pk_of("media_report")),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    branch = tree.branch
    objects.activity = make_activity(branch, title="城关分会政策宣讲")
    objects.activity_photo = services.activity_photo_add(
        actor=SYSTEM, activity=objects.activity, image=image_upload(), caption="现场"
    )
    objects.complaint = make_complaint(branch)
    objects.rule_item = RuleItem.objects.get(code="finance")
    objects.rule_document = adopt(branch, RuleItem.objects.get(code="charter"))
    # An unused item, so a national admin may edit, move, toggle and delete it.
    objects.spare_item = services.rule_item_create(
        actor=SYSTEM, data={"code": "spare", "name": "测试备用制度", "name_en": "Spare rule"}
    )
    objects.honour = services.honour_create(
        actor=SYSTEM,
        unit=branch,
        data={
            "title": "先进分会",
            "level": "county",
            "issuer": "蜀山区人民政府",
            "date": datetime.date(2024, 3, 1),
            "document": pdf_upload("cert.pdf"),
        },
    )
    objects.media_report = services.media_report_create(
        actor=SYSTEM,
        unit=branch,
        data={
            "outlet": "合肥日报",
            "date": datetime.date(2024, 4, 1),
            "title": "城关分会服务会员",
            "url": "",
            "scan": pdf_upload("clip.pdf"),
        },
    )
