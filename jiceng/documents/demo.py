"""Demo data: the national notice forwarding the Standard 《全国基层个体劳动者协会私营企业协会
工作规范（试行）》 down the tree (national → provinces → cities → grassroots associations),
part-acknowledged. The attachment says that it is a placeholder: the Standard's text is not
reproduced. Everything goes through the services (the system as actor, with explicit times)."""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.org.models import Level, Unit

from .models import Document, Receipt
from .services import (
    DocumentData,
    Recipients,
    document_forward,
    document_issue,
)

STANDARD = "《全国基层个体劳动者协会私营企业协会工作规范（试行）》"
TITLE = f"关于印发{STANDARD}的通知"
#: The association whose secretary (the demo login "shushan") is left to acknowledge it.
DEMO_ASSOCIATION = "340104"
BODY = (
    "各省、自治区、直辖市个体劳动者（私营企业）协会：\n\n"
    f"现将{STANDARD}印发给你们，请结合本地实际认真贯彻执行，并逐级转发至各基层协会。"
    "各基层协会收到后请及时签收。\n\n"
    "（演示数据：附件为占位文件，不含《规范》原文。）"
)
PLACEHOLDER = (
    "占位文件 / PLACEHOLDER\n"
    f"此处应为{STANDARD}的正文。演示系统不收录其原文，本文件仅为占位。\n"
    "This is a placeholder for the text of the Standard; the demo does not reproduce it."
)


def placeholder_docx(text: str = PLACEHOLDER) -> bytes:
    """A minimal Word document holding `text`, a paragraph per line (the demo's placeholders)."""
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in text.splitlines()
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_documents(national: Unit, *, today: datetime.date | None = None) -> Document | None:
    """The notice and its forwards, acknowledged in a pattern by code order: of each level's
    recipients one in three on time, one late, one silent; 蜀山区 (the demo secretary's) has
    read nothing yet. Idempotent: nothing when the notice exists. Returns the notice."""
    today = today or timezone.localdate()
    year = today.year
    number = f"个协发〔{year}〕12号"
    if Document.objects.filter(issuer=national, number=number).exists():
        return None
    actor = Actor.system()
    issued = today - datetime.timedelta(days=40)
    deadline = today - datetime.timedelta(days=10)
    with transaction.atomic():
        notice = document_issue(
            actor=actor,
            issuer=national,
            data=DocumentData(
                title=TITLE,
                number=number,
                body=BODY,
                forward_required=True,
                ack_deadline=deadline,
                issued_on=issued,
            ),
            recipients=Recipients(levels=[Level.PROVINCE]),
            attachments=[
                SimpleUploadedFile(
                    "规范（占位）.docx",
                    placeholder_docx(),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                )
            ],
        )
        _walk(notice, actor, issued, deadline)
    return notice


def _walk(notice: Document, actor: Actor, issued: datetime.date, deadline: datetime.date) -> None:
    """Acknowledge and forward level by level (provinces, then cities)."""
    documents = [notice]
    step = 0
    while documents:
        step += 1
        receipts = list(
            Receipt.objects.filter(document__in=documents)
            .select_related("unit", "document")
            .order_by("unit__code")
        )
        documents = []
        on_time: list[int] = []
        late: list[int] = []
        for i, receipt in enumerate(receipts):
            if receipt.unit.code != DEMO_ASSOCIATION:  # left for the demo secretary
                [on_time, late, []][i % 3].append(receipt.pk)
        # Acknowledged on paper, recorded set-based (two statements a level).
        _acknowledge(on_time, _at(issued + datetime.timedelta(days=step + 2)), on_time=True)
        _acknowledge(late, _at(deadline + datetime.timedelta(days=step)), on_time=False)
        below = _children([r.unit for r in receipts])
        for receipt in receipts:
            unit = receipt.unit
            # Forwarded by everyone with units below, even the silent (they forward unsigned).
            children = below.get(unit.pk, [])
            if children:
                documents.append(
                    document_forward(
                        actor=actor,
                        receipt=receipt,
                        data=DocumentData(
                            title=receipt.document.title,
                            body=f"现将中国个体劳动者协会{notice.number}文件转发给你们，"
                            "请认真学习，抓好落实，并及时签收。",
                            forward_required=unit.level == Level.PROVINCE,
                            ack_deadline=deadline,
                            issued_on=issued + datetime.timedelta(days=step),
                        ),
                        recipients=Recipients(units=children),
                    )
                )


def _acknowledge(pks: list[int], at: datetime.datetime, *, on_time: bool) -> None:
    Receipt.objects.filter(pk__in=pks).update(acknowledged_at=at, read_at=at, on_time=on_time)


def _children(units: list[Unit]) -> dict[int, list[Unit]]:
    """The cities and associations right below each province or city (one query)."""
    parents = [u.pk for u in units if u.level in (Level.PROVINCE, Level.CITY) and u.numchild]
    children: dict[int, list[Unit]] = {}
    for child in Unit.objects.filter(
        parent_id__in=parents, level__in=[Level.CITY, Level.GRASSROOTS]
    ).only("pk", "parent_id"):
        children.setdefault(child.parent_id, []).append(child)
    return children


def seed_demo_documents(national: Unit, *, today: datetime.date | None = None) -> Document | None:
    """What `seed_demo` adds: the Standard's notice down the tree, part-acknowledged, as if
    seeded on `today` (default: today)."""
    return seed_documents(national, today=today)
