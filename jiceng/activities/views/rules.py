"""Rules pages: a unit's checklist with its documents and coverage (and its sub-units'), and
the national checklist's management."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.files import serve_file
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import act, posted_lock_version, save_flow
from jiceng.org.pages import unit_page

from .. import selectors, services
from ..forms import RuleDocumentForm, RuleItemCreateForm, RuleItemForm
from ..models import RuleDocument, RuleItem

TAB = "rules"


def _rules_url(unit_pk: int) -> str:
    return reverse("activities:rules", kwargs={"pk": unit_pk})


def _document(request: AuthedRequest, pk: int) -> RuleDocument:
    return get_in_scope_or_404(
        RuleDocument.objects.select_related("unit", "item"), request.user, pk=pk
    )


@login_required
def rules(request: AuthedRequest, pk: int) -> HttpResponse:
    """The checklist with ✔/✘ and the unit's documents, its coverage, its sub-units'."""
    unit, context = unit_page(request, pk, tab=TAB)
    context.update(
        checklist=selectors.rules_checklist(unit=unit),
        children=selectors.rules_coverage_children(unit=unit),
    )
    return render(request, "activities/rules.html", context)


@require(Perm.RULES_EDIT)
def rule_document_edit(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    """Record the adopted document for a checklist item, or replace it / change its date."""
    unit, context = unit_page(request, pk, tab=TAB)
    item = get_object_or_404(RuleItem, pk=item_pk)
    document = RuleDocument.objects.filter(unit=unit, item=item).first()
    if document is None and not item.is_active:
        raise Http404
    actor = Actor.from_request(request)

    def save(form: RuleDocumentForm) -> object:
        if document is None:
            return services.rule_document_create(
                actor=actor, unit=unit, item=item, data=form.model_data()
            )
        return services.rule_document_update(
            actor=actor,
            document=document,
            data=form.model_data(),
            expected_lock_version=form.expected_lock_version,
        )

    response, form = save_flow(
        request,
        RuleDocumentForm(
            request.POST or None,
            request.FILES or None,
            instance=document or RuleDocument(unit=unit, item=item),
        ),
        save,
        done=_rules_url(unit.pk),
        message=_("Saved."),
    )
    if response is not None:
        return response
    context.update(
        form=form,
        title=item.display_name,
        cancel=_rules_url(unit.pk),
        multipart=True,
        document=document,
    )
    return render(request, "activities/form.html", context)


@require(Perm.RULES_EDIT)
@require_POST
def rule_document_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    return act(
        request,
        lambda: services.rule_document_delete(
            actor=Actor.from_request(request),
            document=document,
            expected_lock_version=posted_lock_version(request, document.lock_version),
        ),
        done=_rules_url(document.unit_id),
        message=_("Document removed."),
    )


@login_required
def rule_document_file(request: AuthedRequest, pk: int) -> FileResponse:
    document = _document(request, pk)
    return serve_file(document.document, download_name=document.document_name or None)


# --- The national checklist ---------------------------------------------------------------------


def _checklist_url() -> str:
    return reverse("activities:rule_checklist")


@require(Perm.RULES_CHECKLIST_MANAGE)
def rule_checklist(request: AuthedRequest) -> HttpResponse:
    """Every item, active or not, with how many units use it."""
    usage = selectors.rule_item_usage()
    items = selectors.rule_items(include_inactive=True)
    return render(
        request,
        "activities/rule_checklist.html",
        {"rows": [(item, usage.get(item.pk, 0)) for item in items]},
    )


@require(Perm.RULES_CHECKLIST_MANAGE)
def rule_item_create(request: AuthedRequest) -> HttpResponse:
    response, form = save_flow(
        request,
        RuleItemCreateForm(request.POST or None),
        lambda f: services.rule_item_create(actor=Actor.from_request(request), data=f.model_data()),
        done=_checklist_url(),
        message=_("Checklist item added."),
    )
    if response is not None:
        return response
    return render(
        request,
        "activities/plain_form.html",
        {"form": form, "title": _("Add a checklist item"), "cancel": _checklist_url()},
    )


@require(Perm.RULES_CHECKLIST_MANAGE)
def rule_item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RuleItem, pk=pk)
    response, form = save_flow(
        request,
        RuleItemForm(request.POST or None, instance=item),
        lambda f: services.rule_item_update(
            actor=Actor.from_request(request),
            item=item,
            data=f.model_data(),
            expected_lock_version=f.expected_lock_version,
        ),
        done=_checklist_url(),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    return render(
        request,
        "activities/plain_form.html",
        {"form": form, "title": item.display_name, "cancel": _checklist_url()},
    )


@require(Perm.RULES_CHECKLIST_MANAGE)
@require_POST
def rule_item_move(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RuleItem, pk=pk)
    direction = request.POST.get("direction", "")
    if direction in ("up", "down"):
        services.rule_item_move(actor=Actor.from_request(request), item=item, direction=direction)
    return redirect(_checklist_url())


@require(Perm.RULES_CHECKLIST_MANAGE)
@require_POST
def rule_item_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    """Deactivate an active item, or bring an inactive one back."""
    item = get_object_or_404(RuleItem, pk=pk)

    def toggled(_result: object) -> str:
        if item.is_active:
            return _("“%(item)s” is back on the checklist.") % {"item": item}
        return _("“%(item)s” is off the checklist; documents recorded for it are kept.") % {
            "item": item
        }

    return act(
        request,
        lambda: services.rule_item_set_active(
            actor=Actor.from_request(request),
            item=item,
            active=not item.is_active,
            expected_lock_version=posted_lock_version(request, item.lock_version),
        ),
        done=_checklist_url(),
        message=toggled,
    )


@require(Perm.RULES_CHECKLIST_MANAGE)
@require_POST
def rule_item_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RuleItem, pk=pk)
    return act(
        request,
        lambda: services.rule_item_delete(actor=Actor.from_request(request), item=item),
        done=_checklist_url(),
        message=_("Checklist item deleted."),
    )
