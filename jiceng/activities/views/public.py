"""The public complaint page: a member raises a complaint or asks for help, with no account.

Opened on phones from a link or poster the association shares; see `antiabuse` for how it
tells people from scripts."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from jiceng.core.clientip import client_address
from jiceng.core.errors import DomainError
from jiceng.core.forms import apply_errors
from jiceng.org.models import Unit

from .. import antiabuse, services
from ..forms import PublicComplaintForm

_THANKS_SALT = "jiceng.activities.complaint-thanks"
#: How long the thank-you link shows the reference number.
_THANKS_MAX_AGE = 24 * 3600


def _accepting_unit(code: str) -> Unit:
    """The unit by its code, if it takes complaints (404 for any other code)."""
    unit = Unit.objects.filter(code=code[:15]).first()
    if unit is None or not services.accepts_complaints(unit):
        raise Http404
    return unit


@never_cache
@require_http_methods(["GET", "POST"])
def public_complaint_new(request: HttpRequest, code: str) -> HttpResponse:
    unit = _accepting_unit(code)
    form = PublicComplaintForm(request.POST or None, unit_pk=unit.pk)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            actor = services.PublicActor(user=None, source_address=client_address(request))
            try:
                complaint = services.complaint_submit(
                    actor=actor, unit=unit, data=form.model_data()
                )
            except (ValidationError, DomainError) as exc:
                apply_errors(form, exc)
                status = exc.http_status if isinstance(exc, DomainError) else 200
            else:
                token = signing.dumps(complaint.reference, salt=_THANKS_SALT)
                thanks = reverse("activities:public_complaint_thanks", kwargs={"code": unit.code})
                return redirect(f"{thanks}?r={token}")
        else:
            status = form.refusal.http_status if form.refusal else 200
            if form.refusal and form.refusal.code in ("form_expired", "form_invalid"):
                form.fresh_stamp()
    return render(
        request,
        "activities/public_complaint_form.html",
        {"unit": unit, "form": form, "honeypot": antiabuse.HONEYPOT_FIELD},
        status=status,
    )


@never_cache
def public_complaint_thanks(request: HttpRequest, code: str) -> HttpResponse:
    unit = _accepting_unit(code)
    try:
        reference = signing.loads(
            request.GET.get("r", ""), salt=_THANKS_SALT, max_age=_THANKS_MAX_AGE
        )
    except signing.BadSignature:
        return redirect("activities:public_complaint_new", code=unit.code)
    return render(
        request, "activities/public_complaint_thanks.html", {"unit": unit, "reference": reference}
    )
