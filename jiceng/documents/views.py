"""The documents' pages: the inbox, the issued list, issuing (and correcting), a document with
its acknowledgement status, acknowledging, forwarding, chasing, attachments, and the unit tab.
Thin: parse, call one service or selector, render. Scope: `selectors.document_for_user_or_404`
and `receipt_for_user_or_404` (404 outside the user's part of the tree)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import require, unit_in_scope_or_404
from jiceng.core.views import act, paginate, query_string, save_flow
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Unit
from jiceng.org.pages import unit_page

from . import selectors, services
from .forms import ForwardForm, IssueForm
from .models import Attachment, Document

TAB = "documents"


def _detail_url(document: Document | int, unit: Unit | None = None) -> str:
    pk = document if isinstance(document, int) else document.pk
    url = reverse("documents:detail", kwargs={"pk": pk})
    return url + (f"?unit={unit.pk}" if unit is not None else "")


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.inbox(request.user.unit))
    return render(
        request,
        "documents/inbox.html",
        {"page": page, "unit": request.user.unit, "today": timezone.localdate()},
    )


@login_required
def issued(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.issued(request.user.unit))
    return render(request, "documents/issued.html", {"page": page, "unit": request.user.unit})


@require(Perm.CAMPAIGN_MANAGE)
def issue(request: AuthedRequest) -> HttpResponse:
    return _issue(request, supersedes=None)


@require(Perm.CAMPAIGN_MANAGE)
def correct(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue a correction: a new document superseding this one (by its own issuer)."""
    document = selectors.document_for_user_or_404(request.user, pk)
    if document.issuer_id != request.user.unit_id:
        messages.error(request, _("Only the unit that issued a document may correct it."))
        return redirect(_detail_url(document))
    if hasattr(document, "superseded_by"):
        messages.error(request, _("This document has been superseded already."))
        return redirect(_detail_url(document))
    return _issue(request, supersedes=document)


def _issue(request: AuthedRequest, *, supersedes: Document | None) -> HttpResponse:
    unit = request.user.unit
    initial: dict[str, Any] = {}
    if supersedes is not None:
        initial = {
            "title": supersedes.title,
            "body": supersedes.body,
            "levels": supersedes.recipient_levels,
            "forward_required": supersedes.forward_required,
            "ack_deadline": supersedes.ack_deadline,
        }
    form = IssueForm(request.POST or None, request.FILES or None, unit=unit, initial=initial)
    response, form = save_flow(
        request,
        form,
        lambda f: services.document_issue(
            actor=Actor.from_request(request),
            issuer=unit,
            data=f.data_for_service(),
            recipients=f.recipients(),
            attachments=f.uploads(),
            supersedes=supersedes,
        ),
        done=lambda d: _detail_url(d),
        message=lambda d: (
            _("“%(document)s” issued to %(n)s units.") % {"document": d, "n": d.recipient_count}
        ),
    )
    if response is not None:
        return response
    return render(
        request,
        "documents/issue.html",
        {"form": form, "unit": unit, "supersedes": supersedes},
    )


def _status_unit(request: AuthedRequest, document: Document) -> Unit | None:
    """Whose part of the tree the status shows: `?unit=` (in the user's subtree and the
    issuer's), else the issuer for a user at or above it, else the user's own unit."""
    raw = request.GET.get("unit")
    issuer = document.issuer
    if raw:
        unit = unit_in_scope_or_404(request.user, raw)
        if not unit.path.startswith(issuer.path):
            raise Http404
        return unit
    mine = request.user.unit
    return issuer if issuer.path.startswith(mine.path) else mine


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_user_or_404(request.user, pk)
    user = request.user
    receipt = selectors.receipt_of(document, user.unit)
    if receipt is not None:
        services.receipt_mark_read(actor=Actor.from_request(request), receipt=receipt)
    area = _status_unit(request, document)
    chain = selectors.chain(document)
    status = None
    pending = None
    if area is not None and (area.pk == document.issuer_id or area.numchild):
        status = selectors.document_status(document, area)
        if status.children or area.pk == document.issuer_id:
            pending = paginate(request, selectors.pending_receipts(document, area))
        else:
            status = None  # nobody below it received it: its own receipt says it all
    issuer = document.issuer
    top = issuer if issuer.path.startswith(user.unit.path) else user.unit
    can_forward = (
        receipt is not None
        and receipt.forwarded_id is None
        and user.unit.numchild > 0
        and user.can(Perm.CAMPAIGN_REPORT)
        and not hasattr(document, "superseded_by")
    )
    context = {
        "document": document,
        "receipt": receipt,
        "attachments": selectors.attachments(document, chain),
        "chain": chain,
        "today": timezone.localdate(),
        "status": status,
        "pending": pending,
        "area": area,
        "page_query": query_string(unit=area.pk) if area is not None else "",
        "top": top,
        "breadcrumbs": _area_breadcrumbs(top, area),
        "can_acknowledge": receipt is not None
        and receipt.acknowledged_at is None
        and user.can(Perm.CAMPAIGN_REPORT),
        "can_forward": can_forward,
        "can_chase": status is not None
        and status.total.not_acknowledged > 0
        and user.can(Perm.CAMPAIGN_MANAGE),
        "can_correct": document.issuer_id == user.unit_id
        and user.can(Perm.CAMPAIGN_MANAGE)
        and not hasattr(document, "superseded_by"),
    }
    return render(request, "documents/detail.html", context)


def _area_breadcrumbs(top: Unit, area: Unit | None) -> list[Unit]:
    """From below `top` (where the status starts for this user) down to the unit whose part
    is shown (one query; none at the top itself)."""
    if area is None or area.pk == top.pk:
        return []
    paths = [p for p in ancestor_paths(area.path) if len(p) > len(top.path)]
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


@require(Perm.CAMPAIGN_REPORT)
@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_for_user_or_404(request.user, pk)

    def message(first: bool) -> str:
        if first:
            return _("“%(document)s” acknowledged.") % {"document": receipt.document}
        return _("“%(document)s” was acknowledged already.") % {"document": receipt.document}

    return act(
        request,
        lambda: services.receipt_acknowledge(actor=Actor.from_request(request), receipt=receipt),
        done=_detail_url(receipt.document),
        message=message,
    )


@require(Perm.CAMPAIGN_REPORT)
def forward(request: AuthedRequest, pk: int) -> HttpResponse:
    receipt = selectors.receipt_for_user_or_404(request.user, pk)
    received = receipt.document
    form = ForwardForm(
        request.POST or None,
        request.FILES or None,
        unit=receipt.unit,
        title=received.title,
        initial={
            "levels": [],
            "ack_deadline": received.ack_deadline,
            "forward_required": received.forward_required,
        },
    )
    response, form = save_flow(
        request,
        form,
        lambda f: services.document_forward(
            actor=Actor.from_request(request),
            receipt=receipt,
            data=f.data_for_service(),
            recipients=f.recipients(),
            attachments=f.uploads(),
        ),
        done=lambda d: _detail_url(d),
        message=lambda d: _("Forwarded to %(n)s units.") % {"n": d.recipient_count},
    )
    if response is not None:
        return response
    return render(
        request,
        "documents/forward.html",
        {"form": form, "receipt": receipt, "document": received, "unit": receipt.unit},
    )


@require(Perm.CAMPAIGN_MANAGE)
@require_POST
def chase(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_user_or_404(request.user, pk)
    area = _status_unit(request, document) or request.user.unit
    if request.POST.get("unit"):
        area = unit_in_scope_or_404(request.user, request.POST["unit"])
        if not area.path.startswith(document.issuer.path):
            raise Http404
    return act(
        request,
        lambda: services.document_chase(
            actor=Actor.from_request(request), document=document, unit=area
        ),
        done=_detail_url(document, None if area.pk == document.issuer_id else area),
        message=lambda n: (
            _("Reminder sent to %(n)s units.") % {"n": n}
            if n
            else _("Every unit has acknowledged: nobody to remind.")
        ),
    )


@login_required
def attachment(request: AuthedRequest, pk: int) -> FileResponse:
    item = get_object_or_404(Attachment.objects.only("pk", "document_id", "file", "name"), pk=pk)
    selectors.document_for_user_or_404(request.user, item.document_id)
    return serve_file(item.file, download_name=item.name)


@login_required
def unit_documents(request: AuthedRequest, pk: int) -> HttpResponse:
    unit, context = unit_page(request, pk, tab=TAB)
    context.update(
        received=selectors.unit_received(unit),
        issued=selectors.unit_issued(unit),
        is_own=unit.pk == request.user.unit_id,
        today=timezone.localdate(),
    )
    return render(request, "documents/unit_documents.html", context)
