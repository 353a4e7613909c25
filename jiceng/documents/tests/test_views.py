"""The documents' pages: inbox, issue, detail with status and drill-down, acknowledge,
forward, chase, correct, attachments, the unit tab; scope (404 for a sibling subtree) and
query counts that do not grow with the number of documents or children."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children, assert_queries_flat
from jiceng.core.tests.uploads import exe_upload, pdf_upload
from jiceng.documents import services
from jiceng.documents.models import Document, Receipt
from jiceng.notifications.models import Notification
from jiceng.org.models import Unit

from .conftest import issue


def _detail(document: Document, unit: Unit | None = None) -> str:
    url = reverse("documents:detail", kwargs={"pk": document.pk})
    return url + (f"?unit={unit.pk}" if unit is not None else "")


@pytest.fixture
def notice(tree: Tree) -> Document:
    """The national notice to every grassroots association, due in a week."""
    return issue(
        tree.root,
        levels=["grassroots"],
        deadline=timezone.localdate() + datetime.timedelta(days=7),
        attachments=[pdf_upload("规范.pdf")],
    )


def test_inbox_lists_what_is_addressed_to_the_unit_open_ones_first(
    tree: Tree, people: People, notice
):
    older = issue(tree.anhui, levels=["grassroots"], number="皖1", title="已签收的通知")
    services.receipt_acknowledge(
        actor=Actor.system(), receipt=Receipt.objects.get(document=older, unit=tree.shushan)
    )
    issue(tree.jiangsu, levels=["grassroots"], number="苏1", title="江苏的通知")
    body = (
        client_for(people.shushan_secretary, language="en")
        .get(reverse("documents:inbox"))
        .content.decode()
    )
    assert body.index(notice.title) < body.index("已签收的通知")
    assert "江苏的通知" not in body


def test_open_acknowledge_and_acknowledge_again(tree: Tree, people: People, notice):
    client = client_for(people.shushan_secretary, language="en")
    page = client.get(_detail(notice))
    assert page.status_code == 200
    receipt = Receipt.objects.get(document=notice, unit=tree.shushan)
    assert receipt.read_by == people.shushan_secretary
    assert 'data-testid="acknowledge"' in page.content.decode()
    url = reverse("documents:acknowledge", kwargs={"pk": receipt.pk})
    response = client.post(url, follow=True)
    assert "acknowledged." in response.content.decode()
    receipt.refresh_from_db()
    assert receipt.acknowledged_by == people.shushan_secretary
    again = client.post(url, follow=True)
    assert "was acknowledged already" in again.content.decode()
    assert 'data-testid="acknowledge"' not in again.content.decode()


def test_a_sibling_subtree_gets_404_everywhere(tree: Tree, people: People):
    document = issue(tree.anhui, levels=["grassroots"], attachments=[pdf_upload()])
    receipt = Receipt.objects.get(document=document, unit=tree.shushan)
    client = client_for(people.outsider)
    for url in (
        _detail(document),
        reverse("documents:forward", kwargs={"pk": receipt.pk}),
        reverse("documents:correct", kwargs={"pk": document.pk}),
        reverse("documents:attachment", kwargs={"pk": document.attachments.get().pk}),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("documents:acknowledge", kwargs={"pk": receipt.pk})).status_code == 404
    )
    assert client.post(reverse("documents:chase", kwargs={"pk": document.pk})).status_code == 404
    # a city below sees it; the other association's secretary only through its own receipt
    assert client_for(people.hefei_admin).get(_detail(document)).status_code == 200
    assert (
        client_for(people.baohe_secretary)
        .post(reverse("documents:acknowledge", kwargs={"pk": receipt.pk}))
        .status_code
        == 404
    )


def test_drill_down_stays_inside_the_issuers_subtree(tree: Tree, people: People):
    document = issue(tree.anhui, levels=["grassroots"])
    client = client_for(people.national, language="en")
    assert client.get(_detail(document, tree.hefei)).status_code == 200
    assert client.get(_detail(document, tree.jiangsu)).status_code == 404
    assert client_for(people.hefei_admin).get(_detail(document, tree.anhui)).status_code == 404


def test_status_by_level_and_child_with_pending_list(tree: Tree, people: People, notice):
    services.receipt_acknowledge(
        actor=Actor.system(), receipt=Receipt.objects.get(document=notice, unit=tree.shushan)
    )
    client = client_for(people.national, language="en")
    body = client.get(_detail(notice)).content.decode()
    assert 'data-testid="total-received">3<' in body
    assert 'data-testid="total-acknowledged">1<' in body
    assert 'data-level="grassroots"' in body
    assert body.count('data-testid="child-line"') == 2  # 安徽, 江苏
    assert body.count('data-testid="pending-row"') == 2  # 包河, 玄武
    hefei = client.get(_detail(notice, tree.hefei)).content.decode()
    assert 'data-testid="total-received">2<' in hefei
    assert "包河区个私协会" in hefei and "玄武区个私协会" not in hefei


def test_chase_notifies_the_units_that_have_not_acknowledged(tree: Tree, people: People, notice):
    client = client_for(people.hefei_admin, language="en")
    page = client.get(_detail(notice)).content.decode()
    assert 'data-testid="chase"' in page
    response = client.post(
        reverse("documents:chase", kwargs={"pk": notice.pk}), {"unit": tree.hefei.pk}, follow=True
    )
    assert "Reminder sent to 2 units." in response.content.decode()
    users = set(
        Notification.objects.filter(kind="documents.chase").values_list("user__username", flat=True)
    )
    assert users == {"shushan", "baohe"}


def test_issue_form_refuses_bad_input_on_its_field_and_saves_nothing(tree: Tree, people: People):
    client = client_for(people.anhui_admin, language="en")
    url = reverse("documents:issue")
    data = {
        "title": "通知",
        "number": "皖个协发〔2009〕1号",
        "issued_on": timezone.localdate().isoformat(),
        "levels": ["city"],
        "attachments": [exe_upload("方案.pdf")],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "方案.pdf" in body and 'data-field="attachments"' in body
    response = client.post(url, {**data, "attachments": [], "levels": [], "units": "320102"})
    assert 'data-field="units"' in response.content.decode()
    response = client.post(url, {**data, "attachments": [], "levels": ["province"]})
    assert 'data-field="levels"' in response.content.decode()
    assert not Document.objects.exists()
    response = client.post(url, {**data, "attachments": [pdf_upload()], "units": "340104"})
    document = Document.objects.get()
    assert response["Location"] == _detail(document)
    assert set(Receipt.objects.filter(document=document).values_list("unit_id", flat=True)) == {
        tree.hefei.pk,
        tree.shushan.pk,
    }


def test_grassroots_secretary_may_not_issue(people: People):
    assert client_for(people.shushan_secretary).get(reverse("documents:issue")).status_code == 403


def test_forward_page(tree: Tree, people: People):
    national = issue(tree.root, levels=["province"], forward_required=True)
    receipt = Receipt.objects.get(document=national, unit=tree.anhui)
    client = client_for(people.anhui_admin, language="en")
    page = client.get(_detail(national)).content.decode()
    assert 'data-testid="forward"' in page
    url = reverse("documents:forward", kwargs={"pk": receipt.pk})
    refused = client.post(url, {"levels": ["national"]})
    assert 'data-field="levels"' in refused.content.decode()
    response = client.post(
        url, {"number": "皖个协发〔2009〕2号", "body": "请转发。", "levels": ["grassroots"]}
    )
    forward = Document.objects.get(forwarded_from=national)
    assert response["Location"] == _detail(forward)
    assert forward.recipient_count == 2
    # a second forward is refused with the reason
    again = client.post(url, {"levels": ["grassroots"]}, follow=True)
    assert "forwarded this document already" in again.content.decode()
    # the national issuer sees the chain's status below 安徽
    body = client_for(people.national, language="en").get(_detail(national)).content.decode()
    assert 'data-testid="total-received">4<' in body  # 2 provinces + 2 associations


def test_correction_page_supersedes(tree: Tree, people: People):
    original = issue(tree.anhui, levels=["city"], number="皖个协发〔2009〕3号")
    client = client_for(people.anhui_admin, language="en")
    url = reverse("documents:correct", kwargs={"pk": original.pk})
    form = client.get(url).content.decode()
    assert 'data-testid="supersedes-note"' in form
    response = client.post(
        url,
        {
            "title": "更正通知",
            "number": "皖个协发〔2009〕4号",
            "issued_on": timezone.localdate().isoformat(),
            "levels": ["city"],
        },
    )
    correction = Document.objects.get(supersedes=original)
    assert response["Location"] == _detail(correction)
    old = client.get(_detail(original)).content.decode()
    assert 'data-testid="superseded"' in old and 'data-testid="correct"' not in old
    assert client.get(url).status_code == 302  # not twice


def test_attachment_is_served_to_recipients(tree: Tree, people: People, notice):
    attachment = notice.attachments.get()
    response = client_for(people.shushan_secretary).get(
        reverse("documents:attachment", kwargs={"pk": attachment.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unit_tab_lists_received_and_issued(tree: Tree, people: People, notice):
    issue(tree.shushan, levels=["branch"], number="蜀1", title="蜀山区的通知", actor=Actor.system())
    body = (
        client_for(people.hefei_admin, language="en")
        .get(reverse("documents:unit_documents", kwargs={"pk": tree.shushan.pk}))
        .content.decode()
    )
    assert notice.title in body and "蜀山区的通知" in body


# --- query counts ------------------------------------------------------------------------------


def _add_documents_to(unit: Unit, issuer: Unit, n: int) -> None:
    start = Document.objects.count()
    now = timezone.now()
    documents = Document.objects.bulk_create(
        [
            Document(
                issuer=issuer,
                number=f"N{start + i}",
                title=f"通知{start + i}",
                issued_on=now.date(),
                issued_at=now,
                recipient_count=1,
            )
            for i in range(n)
        ],
        batch_size=500,
    )
    Receipt.objects.bulk_create(
        [
            Receipt(
                document=d,
                origin=d,
                unit=unit,
                level=unit.level,
                province_id=unit.pk if unit.level == "province" else None,
                received_at=now,
                acknowledged_at=now if i % 2 else None,
            )
            for i, d in enumerate(documents)
        ],
        batch_size=500,
    )


def test_inbox_query_count_is_flat_from_10_to_1000_documents(tree: Tree, people: People):
    client = client_for(people.anhui_admin, language="en")
    assert_queries_flat(
        client,
        reverse("documents:inbox"),
        lambda n: _add_documents_to(tree.anhui, tree.root, n),
        label="inbox",
    )


def _add_associations_with_receipts(document: Document, parent: Unit, n: int) -> None:
    units = add_children(parent, n)
    now = timezone.now()
    Receipt.objects.bulk_create(
        [
            Receipt(
                document=document,
                origin=document,
                unit=u,
                level=u.level,
                province=tree_province(parent),
                grassroots=u,
                received_at=now,
                read_at=now if i % 2 else None,
                acknowledged_at=now if i % 3 == 0 else None,
                on_time=True,
            )
            for i, u in enumerate(units)
        ],
        batch_size=500,
    )


def tree_province(unit: Unit) -> Unit:
    return Unit.objects.get(path=unit.path[: 2 * Unit.steplen])


@pytest.mark.parametrize("where", ["root", "anhui", "hefei"])
def test_status_page_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, notice, where: str
):
    client = client_for(people.national, language="en")
    unit = getattr(tree, where)
    assert_queries_flat(
        client,
        _detail(notice, None if where == "root" else unit),
        lambda n: _add_associations_with_receipts(notice, tree.hefei, n),
        label=where,
    )


def test_unit_tab_query_count_is_flat(tree: Tree, people: People):
    client = client_for(people.national, language="en")
    assert_queries_flat(
        client,
        reverse("documents:unit_documents", kwargs={"pk": tree.anhui.pk}),
        lambda n: _add_documents_to(tree.anhui, tree.root, n),
        label="unit tab",
    )
