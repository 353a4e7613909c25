"""Test data for the app: uploads of each kind, and records made through the services."""

import datetime
import io
import time
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiceng.activities import antiabuse, services
from jiceng.activities.models import Activity, ActivityKind, Complaint, RuleItem
from jiceng.core.actor import Actor
from jiceng.org.models import Unit

SYSTEM = Actor.system()
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def image_upload(name: str = "photo.png", fmt: str = "PNG", size: int = 8) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def pdf_upload(name: str = "rules.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def docx_upload(name: str = "rules.docx") -> SimpleUploadedFile:
    """A Word document: a zip with the OOXML parts that make it one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def zip_upload(name: str = "rules.docx") -> SimpleUploadedFile:
    """A plain zip, named like a Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.js", "alert(1)")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe_upload(name: str = "rules.pdf") -> SimpleUploadedFile:
    """A program pretending to be a PDF by its name."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/pdf")


def make_activity(unit: Unit, **extra: Any) -> Activity:
    data: dict[str, Any] = {
        "date": timezone.localdate(),
        "kind": ActivityKind.TRAINING,
        "title": "财税知识培训",
        "participants": 30,
        "members_served": 25,
    }
    data.update(extra)
    return services.activity_create(actor=SYSTEM, unit=unit, data=data)


def make_complaint(unit: Unit, **extra: Any) -> Complaint:
    data: dict[str, Any] = {
        "kind": "complaint",
        "subject": "市场收费不合理",
        "content": "摊位费比去年涨了一倍。",
        "submitter_name": "张先生",
        "submitter_contact": "13812345678",
    }
    data.update(extra)
    return services.complaint_record(actor=SYSTEM, unit=unit, data=data)


def move(complaint: Complaint, to: str, response: str = "已处理。") -> Complaint:
    return services.complaint_transition(
        actor=SYSTEM,
        complaint=complaint,
        to_state=to,
        response=response,
        expected_lock_version=complaint.lock_version,
    )


def old_stamp(unit: Unit, seconds: float = 10) -> str:
    """A form stamp issued `seconds` ago (a person has had time to fill the form in)."""
    return antiabuse.form_stamp(unit.pk, now=time.time() - seconds)


def public_data(unit: Unit, **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "help_request",
        "subject": "咨询创业贷款",
        "content": "想了解个体工商户创业担保贷款怎么申请。",
        "submitter_name": "李女士",
        "submitter_contact": "13900001111",
        "stamp": old_stamp(unit),
        antiabuse.HONEYPOT_FIELD: "",
    }
    data.update(extra)
    return data


def items() -> list[RuleItem]:
    return list(RuleItem.objects.filter(is_active=True).order_by("position"))


def adopt(unit: Unit, item: RuleItem, on: datetime.date | None = None) -> Any:
    return services.rule_document_create(
        actor=SYSTEM,
        unit=unit,
        item=item,
        data={"document": pdf_upload(), "adopted_on": on or datetime.date(2020, 5, 1)},
    )


def english(client: Any) -> Any:
    """Pages speak Chinese unless the language cookie says otherwise; tests read English."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
