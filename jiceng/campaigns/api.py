"""The campaign's REST endpoints (issue 10), mounted under /api/v1/ by api/urls.py. Each stands
on `ScopedViewSet` (api/base.py): the unit a request is about is resolved once, in the user's
subtree (404 outside it, 400 naming a malformed `unit`).

- `GET campaigns/` and `campaigns/{id}/`: the campaigns the user can see — run by the user's
  unit or a unit above it (those it takes part in), or by a unit inside the user's subtree —
  the detail with its plan (`selectors.campaign_plan`). Any other campaign is 404.
- `GET campaigns/{id}/progress/?unit=`: `selectors.campaign_progress` for the unit (default:
  the user's), read from the summary rows in a fixed number of queries; the campaign must be
  one seen from that unit.
- `GET units/{id}/tasks/?campaign=`: the unit's own task states (`selectors.unit_task_states`)
  in a campaign it takes part in (default: `selectors.current_campaign`).
- `POST units/{id}/tasks/{task}/complete/`: a form or meeting task done, through
  `completion.task_complete` with the evidence the campaign tab's form makes
  (`forms.CompleteForm`, so both check the same rules). `Perm.CAMPAIGN_REPORT`; a state
  conflict is a 409 with a stable code (`already_done`, `already_waived`,
  `campaign_not_running`, `wrong_completion_kind`).
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.accounts.roles import Perm
from jiceng.api import converters  # noqa: F401  (registers the `id` path converter)
from jiceng.api.base import ScopedViewSet
from jiceng.api.schema import BAD_PARAMETERS, EMPTY_MEANS_ABSENT
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError
from jiceng.org.anchors import ancestor_paths
from jiceng.org.filters import MAX_ID, IdField
from jiceng.org.models import Unit

from . import completion, selectors
from .forms import CompleteForm, task_prefix
from .models import Campaign, CompletionKind, CompletionState, Task
from .serializers import (
    CampaignDetailSerializer,
    CampaignProgressSerializer,
    CampaignSerializer,
    TaskCompleteSerializer,
    UnitTaskSerializer,
    UnitTasksSerializer,
    api_state,
)

#: A 409 body: a stable code and a message for people.
CONFLICT = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
    },
    "required": ["code", "detail"],
}
#: The kinds of task completed through the API: typed fields only (files — a document task's
#: document, a meeting's photos — go through the campaign tab).
COMPLETED_BY_API = frozenset({CompletionKind.FORM, CompletionKind.MEETING})
#: The refusals of `completion.task_complete` that are a state of the task, not bad input.
STATE_CONFLICTS = frozenset({"already_done", "already_waived", "campaign_not_running"})


class Conflict(DomainError):
    """The task's or the campaign's state refuses the request (HTTP 409)."""

    http_status = 409


def _id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        OpenApiParameter.QUERY,
        required=False,
        description=description,
        extensions={EMPTY_MEANS_ABSENT: True},
    )


def _query_id(request: Request, name: str) -> int | None:
    """The id in query parameter `name`: None when absent or empty, 400 naming it when
    malformed."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        key: int = IdField().clean(raw)
    except forms.ValidationError as error:
        raise ValidationError({name: error.messages}) from None
    return key


def visible_campaigns(unit: Unit) -> QuerySet[Campaign]:
    """The campaigns seen from `unit`: run by it or above it (`campaigns_for_unit`), or by a
    unit inside its subtree (a province's own campaign, seen from the nation)."""
    return (selectors.campaigns_for_unit(unit) | Campaign.objects.in_subtree(unit)).select_related(
        "unit"
    )


def _figures(progress: selectors.Progress) -> dict[str, Any]:
    return {
        "expected": progress.expected,
        "done": progress.done,
        "on_time": progress.on_time,
        "late": progress.late,
        "waived": progress.waived,
        "not_done": progress.not_done,
        "reporting_rate": progress.reporting_rate,
        "on_time_rate": progress.on_time_rate,
    }


def _task_state(state: selectors.UnitTaskState) -> dict[str, Any]:
    task, row = state.task, state.completion
    done = row is not None and row.state == CompletionState.DONE
    waived = row is not None and row.state == CompletionState.WAIVED
    return {
        "id": task.pk,
        "phase": task.phase_id,
        "phase_name": task.phase.name,
        "title": task.title,
        "level": task.level,
        "completion": task.completion,
        "deadline": state.deadline,
        "state": api_state(state.state),
        "on_time": row.on_time if done and row is not None else None,
        "done_at": row.done_at if done and row is not None else None,
        "done_by": str(row.done_by) if done and row is not None and row.done_by else None,
        "waived_at": row.waived_at if waived and row is not None else None,
        "waived_by": str(row.waived_by) if waived and row is not None and row.waived_by else None,
        "waived_reason": row.waived_reason if waived and row is not None else None,
    }


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Campaigns seen from the user's unit, latest year first."""

    queryset = Campaign.objects.all()

    def _campaigns(self) -> QuerySet[Campaign]:
        return visible_campaigns(self.unit).order_by("-year", "pk")

    @extend_schema(responses=CampaignSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The campaigns your unit takes part in (run by it or above it), and those run by
        units inside your area."""
        page = self.paginate_queryset(self._campaigns())
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    @extend_schema(responses=CampaignDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A campaign with its phases (ISO dates) and, in each, the campaign's own tasks."""
        campaign = self._campaigns().filter(pk=kwargs["pk"]).first()
        if campaign is None:
            raise exceptions.NotFound
        body = {
            "id": campaign.pk,
            "name": campaign.name,
            "year": campaign.year,
            "status": campaign.status,
            "unit_id": campaign.unit_id,
            "unit": campaign.unit,
            "phases": selectors.campaign_plan(campaign),
        }
        return Response(CampaignDetailSerializer(body).data)


class CampaignProgressViewSet(ScopedViewSet):
    """A campaign's progress in a unit's subtree (`?unit=`, default your unit)."""

    queryset = Campaign.objects.all()
    unit_query_param = "unit"

    @extend_schema(
        parameters=[
            _id_parameter("unit", "The unit whose subtree is counted (default: your unit).")
        ],
        responses=CampaignProgressSerializer,
    )
    def progress(self, request: Request, pk: int) -> Response:
        """Per task: expected, done, on time, late, waived, not done; per child unit the same
        over every task with the reporting and on-time rates; and the totals. Read from the
        summary rows in a fixed number of queries, however many children."""
        campaign = visible_campaigns(self.unit).filter(pk=pk).first()
        if campaign is None:
            raise exceptions.NotFound
        progress = selectors.campaign_progress(campaign, self.unit)
        body = {
            "campaign_id": campaign.pk,
            "unit_id": self.unit.pk,
            "total": _figures(progress.total),
            "tasks": [
                {
                    "id": row.task.pk,
                    "phase": row.task.phase_id,
                    "level": row.task.level,
                    "title": row.task.title,
                    "deadline": row.deadline,
                    "owner_unit_id": row.task.owner_unit_id,
                    **_figures(row.progress),
                }
                for row in progress.tasks
            ],
            "children": [
                {
                    "id": row.unit.pk,
                    "code": row.unit.code,
                    "name": row.unit.name,
                    "level": row.unit.level,
                    **_figures(row.progress),
                }
                for row in progress.children
            ],
        }
        return Response(CampaignProgressSerializer(body).data)


class UnitTasksViewSet(ScopedViewSet):
    """A unit's own tasks in a campaign, and completing one (`Perm.CAMPAIGN_REPORT`)."""

    queryset = Unit.objects.all()
    unit_url_kwarg = "pk"
    serializer_class = TaskCompleteSerializer  # what OPTIONS describes for POST

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # the unit first: 404 outside the area
        user: Any = request.user  # SignedIn ran
        if request.method == "POST" and not user.can(Perm.CAMPAIGN_REPORT):
            raise PermissionDenied

    def _states(self, campaign: Campaign) -> list[selectors.UnitTaskState]:
        return selectors.unit_task_states(campaign, self.unit)

    @extend_schema(
        parameters=[
            _id_parameter(
                "campaign",
                "A campaign the unit takes part in (default: the running one, if any).",
            )
        ],
        responses=UnitTasksSerializer,
    )
    def tasks(self, request: Request, pk: int) -> Response:
        """The unit's own tasks in the campaign: the deadline in force for it and its state
        (done, waived, not done, overdue), who did it when, or why it was waived."""
        key = _query_id(request, "campaign")
        if key is None:
            campaign = selectors.current_campaign(self.unit)
        else:
            campaign = selectors.campaigns_for_unit(self.unit).filter(pk=key).first()
            if campaign is None:
                raise exceptions.NotFound
        states = self._states(campaign) if campaign is not None else []
        body = {
            "unit_id": self.unit.pk,
            "campaign": campaign,
            "results": [_task_state(state) for state in states],
        }
        return Response(UnitTasksSerializer(body).data)

    def _task(self, task_pk: int) -> Task:
        """One of the unit's tasks (of a campaign it takes part in, for its level, from a plan
        above it), else 404."""
        paths = ancestor_paths(self.unit.path)
        task = (
            Task.objects.filter(
                pk=task_pk,
                parent_task__isnull=True,
                level=self.unit.level,
                owner_unit__path__in=[p for p in paths if p != self.unit.path],
                phase__campaign__unit__path__in=paths,
            )
            .select_related("phase__campaign__unit", "owner_unit")
            .first()
        )
        if task is None:
            raise exceptions.NotFound
        return task

    @extend_schema(
        request=TaskCompleteSerializer,
        responses={
            200: UnitTaskSerializer,
            400: OpenApiResponse(BAD_PARAMETERS, "A field is missing or malformed."),
            409: OpenApiResponse(
                CONFLICT,
                "Done already (`already_done`), waived (`already_waived`), the campaign is "
                "not running (`campaign_not_running`), or the task is completed some other "
                "way (`wrong_completion_kind`).",
            ),
        },
    )
    def complete(self, request: Request, pk: int, task_pk: int) -> Response:
        """Record a form task (`note`) or a meeting task (`date`, `place`, `attendance`, and
        optionally `note`) as done by the unit, now. Answers the task's new state."""
        task = self._task(task_pk)
        if task.completion not in COMPLETED_BY_API:
            raise Conflict(
                _("“%(task)s” is completed by “%(kind)s”, not with a form.")
                % {"task": task.title, "kind": task.get_completion_display()},
                code="wrong_completion_kind",
            )
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        prefix = task_prefix(task)
        form = CompleteForm(
            {f"{prefix}-{name}": value for name, value in body.validated_data.items()}, task=task
        )
        if not form.is_valid():
            raise ValidationError(
                {
                    "non_field_errors" if name == NON_FIELD_ERRORS else name: [
                        str(e) for e in errors
                    ]
                    for name, errors in form.errors.items()
                }
            )
        try:
            completion.task_complete(
                actor=Actor.from_request(request),
                task=task,
                unit=self.unit,
                evidence=form.evidence(),
            )
        except DomainError as error:
            if error.code in STATE_CONFLICTS:
                raise Conflict(error.message, code=error.code) from error
            raise
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ValidationError(detail) from error
        state = next(s for s in self._states(task.phase.campaign) if s.task.pk == task.pk)
        return Response(UnitTaskSerializer(_task_state(state)).data)


urlpatterns = [
    path(
        "campaigns/",
        CampaignViewSet.as_view({"get": "list"}),
        name="campaign-list",
    ),
    path(
        "campaigns/<id:pk>/",
        CampaignViewSet.as_view({"get": "retrieve"}),
        name="campaign-detail",
    ),
    path(
        "campaigns/<id:pk>/progress/",
        CampaignProgressViewSet.as_view({"get": "progress"}),
        name="campaign-progress",
    ),
    path(
        "units/<id:pk>/tasks/",
        UnitTasksViewSet.as_view({"get": "tasks"}),
        name="unit-tasks",
    ),
    path(
        "units/<id:pk>/tasks/<id:task_pk>/complete/",
        UnitTasksViewSet.as_view({"post": "complete"}),
        name="unit-task-complete",
    ),
]
