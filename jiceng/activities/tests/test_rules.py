"""The rules checklist (national data) and units' coverage of it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import People, Tree
from jiceng.activities import selectors, services
from jiceng.activities.models import RuleDocument, RuleItem
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.core.tests.uploads import exe_upload, pdf_upload

from .helpers import SYSTEM, adopt, items


def test_the_seeded_checklist_has_ten_items_in_both_languages(db):
    checklist = items()
    assert [i.code for i in checklist][:2] == ["charter", "member_management"]
    assert len(checklist) == 10
    charter = checklist[0]
    with translation.override("zh-hans"):
        assert charter.display_name == "协会章程"
    with translation.override("en"):
        assert charter.display_name == "Association charter"


def test_coverage_is_adopted_active_items_over_active_items(tree: Tree):
    assert selectors.rules_coverage(unit=tree.shushan).percent == 0
    for item in items()[:7]:
        adopt(tree.shushan, item)
    coverage = selectors.rules_coverage(unit=tree.shushan)
    assert (coverage.adopted, coverage.total, coverage.percent) == (7, 10, 70)
    # Taking an adopted item off the checklist takes it out of both sides.
    first = items()[0]
    services.rule_item_set_active(
        actor=SYSTEM, item=first, active=False, expected_lock_version=first.lock_version
    )
    coverage = selectors.rules_coverage(unit=tree.shushan)
    assert (coverage.adopted, coverage.total) == (6, 9)
    assert RuleDocument.objects.filter(unit=tree.shushan).count() == 7  # kept on file


def test_coverage_as_of_a_year_counts_what_was_adopted_by_its_end(tree: Tree):
    adopt(tree.shushan, items()[0], datetime.date(2019, 12, 31))
    adopt(tree.shushan, items()[1], datetime.date(2021, 1, 1))
    assert selectors.rules_coverage(unit=tree.shushan, year=2019).adopted == 1
    assert selectors.rules_coverage(unit=tree.shushan, year=2021).adopted == 2


def test_checklist_rows_show_each_item_with_its_document(tree: Tree):
    doc = adopt(tree.shushan, items()[2])
    checklist = selectors.rules_checklist(unit=tree.shushan)
    assert [row.document for row in checklist.rows][:3] == [None, None, doc]
    assert checklist.coverage.percent == 10


def test_children_coverage_with_grassroots_aggregates_in_few_queries(tree: Tree):
    for item in items()[:5]:
        adopt(tree.shushan, item)
    for item in items()[:10]:
        adopt(tree.baohe, item)
    adopt(tree.branch, items()[0])  # branches' own documents do not count for the city
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.rules_coverage_children(unit=tree.anhui)
    assert len(ctx.captured_queries) <= 5
    (hefei,) = rows
    assert hefei.own.percent == 0
    assert hefei.grassroots == 2
    assert hefei.grassroots_coverage is not None
    assert hefei.grassroots_coverage.percent == 75  # (5 + 10) / (2 × 10)
    by_code = {r.unit.code: r for r in selectors.rules_coverage_children(unit=tree.hefei)}
    assert by_code["340104"].own.percent == 50 and by_code["340104"].grassroots is None
    assert by_code["340111"].own.percent == 100


def test_a_document_must_be_a_document(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        services.rule_document_create(
            actor=SYSTEM,
            unit=tree.shushan,
            item=items()[0],
            data={"document": exe_upload(), "adopted_on": datetime.date(2020, 1, 1)},
        )
    assert "is not a document we accept" in exc.value.message_dict["document"][0]
    assert not RuleDocument.objects.exists()


def test_an_oversized_document_is_refused(tree: Tree, settings):
    settings.MAX_DOCUMENT_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        adopt(tree.shushan, items()[0])
    assert "limit" in exc.value.message_dict["document"][0]


def test_an_adoption_date_in_the_future_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        adopt(tree.shushan, items()[0], datetime.date.today() + datetime.timedelta(days=30))
    assert "adopted_on" in exc.value.message_dict


def test_one_document_per_unit_and_item(tree: Tree):
    adopt(tree.shushan, items()[0])
    with pytest.raises(ValidationError):
        adopt(tree.shushan, items()[0])


def test_an_inactive_item_takes_no_new_documents(tree: Tree):
    item = items()[0]
    services.rule_item_set_active(actor=SYSTEM, item=item, active=False, expected_lock_version=1)
    with pytest.raises(DomainError) as exc:
        adopt(tree.shushan, item)
    assert exc.value.code == "item_inactive"


def test_replacing_a_document_removes_the_old_file_on_commit(
    tree: Tree, django_capture_on_commit_callbacks
):
    doc = adopt(tree.shushan, items()[0])
    old_name, storage = doc.document.name, doc.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_document_update(
            actor=SYSTEM,
            document=doc,
            data={"document": pdf_upload("新章程.pdf"), "adopted_on": datetime.date(2022, 2, 2)},
            expected_lock_version=doc.lock_version,
        )
    doc.refresh_from_db()
    assert doc.document.name != old_name and storage.exists(doc.document.name)
    assert not storage.exists(old_name)
    assert doc.document_name == "新章程.pdf" and doc.adopted_on == datetime.date(2022, 2, 2)
    entry = AuditEntry.objects.get(action="rules.document.update")
    assert entry.before and entry.before["adopted_on"] == "2020-05-01"


def test_a_stale_replacement_is_refused_and_its_file_removed(tree: Tree):
    doc = adopt(tree.shushan, items()[0])
    stale = RuleDocument.objects.get(pk=doc.pk)
    services.rule_document_update(
        actor=SYSTEM,
        document=doc,
        data={"adopted_on": datetime.date(2021, 1, 1)},
        expected_lock_version=1,
    )
    storage = stale.document.storage
    folder = f"rule-documents/{tree.shushan.pk}"
    before = set(storage.listdir(folder)[1])
    with pytest.raises(ConflictError):
        services.rule_document_update(
            actor=SYSTEM,
            document=stale,
            data={"document": pdf_upload("迟到.pdf")},
            expected_lock_version=1,
        )
    assert set(storage.listdir(folder)[1]) == before
    assert RuleDocument.objects.get(pk=doc.pk).document.name == doc.document.name


def test_deleting_a_document_removes_the_file(tree: Tree, django_capture_on_commit_callbacks):
    doc = adopt(tree.shushan, items()[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_document_delete(actor=SYSTEM, document=doc, expected_lock_version=1)
    assert not doc.document.storage.exists(doc.document.name)
    assert AuditEntry.objects.filter(action="rules.document.delete").exists()


# --- The national checklist --------------------------------------------------------------------


def test_only_national_admins_manage_the_checklist(tree: Tree, people: People):
    data = {"code": "party", "name": "党建工作制度", "name_en": "Party-building rules"}
    with pytest.raises(ForbiddenAction):
        services.rule_item_create(actor=Actor(user=people.anhui_admin), data=data)
    item = services.rule_item_create(actor=Actor(user=people.national), data=data)
    assert item.position == 11
    entry = AuditEntry.objects.get(action="rules.item.create")
    assert entry.unit_id == tree.root.pk  # in the national unit's history


def test_items_are_reordered_up_and_down(db):
    third = items()[2]
    services.rule_item_move(actor=SYSTEM, item=third, direction="up")
    assert [i.code for i in items()][:3] == ["charter", "finance", "member_management"]
    services.rule_item_move(actor=SYSTEM, item=RuleItem.objects.get(code="charter"), direction="up")
    assert items()[0].code == "charter"  # already first: nothing moves
    last = items()[-1]
    services.rule_item_move(actor=SYSTEM, item=last, direction="down")
    assert items()[-1].code == last.code
    assert [i.position for i in items()] == list(range(1, 11))


def test_an_item_in_use_cannot_be_deleted_only_deactivated(tree: Tree):
    item = items()[0]
    adopt(tree.shushan, item)
    with pytest.raises(DomainError) as exc:
        services.rule_item_delete(actor=SYSTEM, item=item)
    assert exc.value.code == "in_use" and "Deactivate it instead" in str(exc.value.message)
    assert RuleItem.objects.filter(pk=item.pk).exists()
    unused = items()[1]
    services.rule_item_delete(actor=SYSTEM, item=unused)
    assert not RuleItem.objects.filter(pk=unused.pk).exists()


def test_an_item_rename_keeps_its_code_and_detects_conflicts(db):
    item = items()[0]
    stale = RuleItem.objects.get(pk=item.pk)
    services.rule_item_update(
        actor=SYSTEM, item=item, data={"name": "协会章程（修订）"}, expected_lock_version=1
    )
    with pytest.raises(ConflictError):
        services.rule_item_update(
            actor=SYSTEM, item=stale, data={"name": "x"}, expected_lock_version=1
        )
    with pytest.raises(ValueError):
        services.rule_item_update(
            actor=SYSTEM, item=item, data={"code": "x"}, expected_lock_version=2
        )
    assert RuleItem.objects.get(pk=item.pk).code == "charter"
