"""The notification centre: the user's list, marking one read (then following its link), and
marking all read. Only ever the signed-in user's own notifications: another's is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jiceng.core.http import AuthedRequest
from jiceng.core.views import paginate

from . import selectors, services


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_for_user(request.user))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = services.notification_read(user=request.user, pk=pk)
    url = notification.url
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notifications:list")  # stored paths are checked; belt and braces
    return HttpResponseRedirect(url)


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    services.notifications_read_all(user=request.user)
    return redirect("notifications:list")
