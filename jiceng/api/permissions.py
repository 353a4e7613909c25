from typing import Any

from rest_framework.permissions import BasePermission


class SignedIn(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)
