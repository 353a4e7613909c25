"""Kinds of notification: a code, a category label and a message template.

An app registers its kinds at import time of its own ``reminders.py`` (or wherever it sends
notices). The text of a notification is rendered when it is shown, in the reader's language,
from ``kind.message % params``; so params hold plain values (names, ISO dates, numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Kind:
    code: str  # e.g. "campaign.task_due", "documents.acknowledge"
    label: StrPromise  # gettext_lazy, shown as the category
    message: StrPromise  # gettext_lazy %-format with named params


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    """Register `kind` (idempotent for the same kind; a different kind under a taken code is a
    programming error)."""
    existing = _KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {kind.code!r} registered twice")
    _KINDS[kind.code] = kind


def get_kind(code: str) -> Kind:
    """The kind registered under `code` (KeyError if none)."""
    return _KINDS[code]


def find_kind(code: str) -> Kind | None:
    return _KINDS.get(code)
