"""Who is acting and from where: passed to every service so audit entries are complete."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from .clientip import client_address

if TYPE_CHECKING:
    from jiceng.accounts.models import User


@dataclass(frozen=True)
class Actor:
    user: "User | None"
    source_address: str | None = None

    @property
    def name(self) -> str:
        return self.user.get_username() if self.user else "system"

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        # The client's address, by the trusted proxy header behind a proxy (core/clientip.py).
        return cls(user=request.user, source_address=client_address(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls) -> "Actor":
        return cls(user=None, source_address=None)
