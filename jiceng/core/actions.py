"""The registry of audit actions: every `action` code the log may hold, with its label.

Each app declares its actions once, in `<app>/audit_actions.py`, with `register(code, label)`;
core's `AppConfig.ready` imports those modules (`autodiscover`). `audit_record` refuses a code
that is not registered, so no action ships without a label people can read.
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

#: Lower-case words joined by dots, at least two parts; fits `AuditEntry.action`.
CODE_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class AuditAction:
    code: str
    #: A short imperative phrase in English, marked with gettext_lazy ("Edit venue").
    label: str | Promise

    def __str__(self) -> str:
        return str(self.label)


_registry: dict[str, AuditAction] = {}


def register(code: str, label: str | Promise) -> AuditAction:
    """Declare an action. A code is registered once; a malformed code is refused."""
    if not CODE_RE.match(code) or len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"malformed audit action code: {code!r}")
    if code in _registry:
        raise ValueError(f"audit action {code!r} is already registered")
    action = AuditAction(code, label)
    _registry[code] = action
    return action


def is_registered(code: str) -> bool:
    return code in _registry


def check_registered(code: str) -> None:
    """Raise ValueError for a code no app declared (a programming error, not user input)."""
    if code not in _registry:
        raise ValueError(
            f"unregistered audit action {code!r}: declare it in the app's audit_actions.py"
        )


def label_for(code: str) -> str:
    """The action's label in the active language; an unknown code (an old entry) as itself."""
    action = _registry.get(code)
    return str(action.label) if action is not None else code


def registered_actions() -> list[AuditAction]:
    """Every registered action, ordered by code."""
    return [_registry[code] for code in sorted(_registry)]


def autodiscover() -> None:
    """Import `audit_actions` from every installed app (core's `AppConfig.ready`)."""
    autodiscover_modules("audit_actions")
