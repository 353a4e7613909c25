"""Fixtures of the documents' tests: uploads in a directory of the test's own, and a helper
that issues a document as the system or as a user."""

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from jiceng.core.actor import Actor
from jiceng.documents.models import Document
from jiceng.documents.services import DocumentData, Recipients, document_issue
from jiceng.org.models import Unit


@pytest.fixture(autouse=True)
def _media(media_in_tmp: Path) -> Path:
    return media_in_tmp


def issue(
    issuer: Unit,
    *,
    levels: Sequence[str] = (),
    units: Sequence[Unit] = (),
    number: str = "个协发〔2009〕12号",
    title: str = "关于转发《规范》的通知",
    actor: Actor | None = None,
    deadline: datetime.date | None = None,
    forward_required: bool = False,
    attachments: Sequence[Any] = (),
    supersedes: Document | None = None,
) -> Document:
    return document_issue(
        actor=actor or Actor.system(),
        issuer=issuer,
        data=DocumentData(
            title=title,
            number=number,
            body="请各地认真学习贯彻。",
            forward_required=forward_required,
            ack_deadline=deadline,
        ),
        recipients=Recipients(levels=levels, units=units),
        attachments=attachments,
        supersedes=supersedes,
    )
