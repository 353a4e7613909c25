from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from jiceng.accounts.roles import Perm
from jiceng.core.audit import audit_entries_for_user
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require


@require(Perm.AUDIT_VIEW)
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit log of the user's subtree, newest first; filter by unit code or action."""
    entries = audit_entries_for_user(request.user)
    code = request.GET.get("unit", "").strip()[:15]
    action = request.GET.get("action", "").strip()[:64]
    if code:
        entries = entries.filter(unit__code=code)
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "code": code, "action": action})
