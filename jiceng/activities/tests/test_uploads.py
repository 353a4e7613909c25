"""Every upload of the app goes through core/files: refused unless its content is a type we
take, stored under the detected type's extension, served with an allow-listed type."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.activities.models import ActivityPhoto, RuleDocument, RuleItem
from jiceng.core.tests.uploads import docx_upload, pdf_upload, zip_upload

from .helpers import make_activity

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _rule_url(tree: Tree) -> str:
    item = RuleItem.objects.get(code="finance")
    return reverse(
        "activities:rule_document_edit", kwargs={"pk": tree.shushan.pk, "item_pk": item.pk}
    )


def test_a_zip_renamed_docx_is_refused_with_a_clear_message(tree: Tree, people: People):
    c = client_for(people.shushan_secretary, language="en")
    response = c.post(
        _rule_url(tree), {"document": zip_upload("财务制度.docx"), "adopted_on": "2021-03-01"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["document"]
    assert "“财务制度.docx” is not a document we accept" in errors[0]
    assert "Word or Excel file" in errors[0]
    assert not RuleDocument.objects.exists()


def test_a_real_docx_is_stored_and_downloaded_as_word(tree: Tree, people: People):
    c = client_for(people.shushan_secretary)
    response = c.post(
        _rule_url(tree), {"document": docx_upload("财务制度.docx"), "adopted_on": "2021-03-01"}
    )
    assert response.status_code == 302
    doc = RuleDocument.objects.get()
    assert (doc.document.name or "").endswith(".docx")
    download = c.get(reverse("activities:rule_document_file", kwargs={"pk": doc.pk}))
    assert download["Content-Type"] == DOCX_TYPE
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_uploaded_as_a_web_page_is_downloaded_as_a_pdf(tree: Tree, people: People):
    c = client_for(people.shushan_secretary)
    c.post(_rule_url(tree), {"document": pdf_upload("制度.html"), "adopted_on": "2021-03-01"})
    doc = RuleDocument.objects.get()
    assert (doc.document.name or "").endswith(".pdf")
    download = c.get(reverse("activities:rule_document_file", kwargs={"pk": doc.pk}))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert ".html" not in download["Content-Disposition"]


def test_a_text_file_named_jpg_is_refused_as_an_activity_photo(tree: Tree, people: People):
    activity = make_activity(tree.branch)
    fake = SimpleUploadedFile("现场.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    response = client_for(people.branch_staff, language="en").post(
        reverse("activities:activity_photo_add", kwargs={"pk": activity.pk}), {"image": fake}
    )
    assert response.status_code == 200
    assert 'data-field="image"' in response.content.decode()
    assert not ActivityPhoto.objects.exists()
