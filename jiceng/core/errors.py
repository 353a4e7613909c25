"""Domain errors: one type, a stable code and a translatable message, mapped to HTTP centrally."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the action. `code` is stable; `message` is for people."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: Any, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code


class ConflictError(DomainError):
    """Someone else saved the record after it was loaded: the caller must look again."""

    code = "conflict"
    http_status = 409

    def __init__(self, current: Any):
        super().__init__(
            _(
                "Someone else saved this record after you opened it. The newer version is shown "
                "below; check it and save again."
            )
        )
        self.current = current


class ForbiddenAction(DomainError):
    """The user's role may not do this (they may see the object, but not change it)."""

    code = "forbidden"
    http_status = 403
