"""The assessment's REST endpoints (issue 11), mounted under /api/v1/ by api/urls.py, scoped
as the pages are (`ScopedViewSet`: 404 outside the user's area) and calling the same services.

- `GET rubrics/{id}/` — a rubric's criteria and indicators (rubrics are national: any account).
- `GET assessments/?campaign=&unit=<code>` — the assessments in the unit's subtree (default:
  the user's unit); `GET assessments/{id}/` — state, totals, grade, version and per indicator
  `code`, `self_score`, `computed_score`, `final_score`, `flagged`.
- `POST assessments/` (`campaign`, `unit`) — the association starts its self-inspection.
- `PUT assessments/{id}/scores/{code}/` (`self_score`, `note`) — before submission.
- `POST assessments/{id}/submit|adjust|return|approve|unapprove/`.
- `POST units/{id}/approve-area/?campaign=` and `unapprove-area/`.

Every write takes an optional `version` (the assessment's, as last read): a stale one is a 409
`conflict`. State conflicts are 409 with a stable `code` (`wrong_state`, `not_editable`,
`locked`, `area_not_ready`, `already_approved`, `not_approved`, `campaign_not_running`); a role
without the right is a 403; a bad value a 400 naming the field.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.api import converters  # noqa: F401  (registers the `id` path converter)
from jiceng.api.base import ScopedViewSet
from jiceng.api.permissions import SignedIn
from jiceng.api.schema import BAD_PARAMETERS, DETAIL, EMPTY_MEANS_ABSENT
from jiceng.campaigns.api import CONFLICT, visible_campaigns
from jiceng.core.actor import Actor
from jiceng.core.scope import in_subtree
from jiceng.org.filters import MAX_ID, IdField
from jiceng.org.models import Unit
from jiceng.org.models.tree import code_format

from . import selectors, services
from .models import Assessment, Rubric, RubricItem

CODE_PATTERN = r"^\d{6}(\d{3}){0,3}$"
INDICATOR_PATTERN = r"^\d{1,3}(\.\d{1,3}){0,3}$"
MAX_TEXT = 2000


# --- bodies and answers (for validation and the schema) -----------------------------------------


class RubricItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    parent = serializers.CharField(allow_null=True)  # type: ignore[assignment]  # a field
    depth = serializers.IntegerField()
    name = serializers.CharField()
    basis = serializers.CharField()
    points = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    rule = serializers.CharField(help_text="Empty for a criterion; the rule kind for an indicator.")
    per_item = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    floor = serializers.DecimalField(max_digits=6, decimal_places=1)
    cap = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    tiers = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    source = serializers.CharField()  # type: ignore[assignment]  # the field, not DRF's
    needs_evidence = serializers.BooleanField()


class RubricSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=7, decimal_places=1)
    tolerance = serializers.DecimalField(max_digits=5, decimal_places=1)
    frozen = serializers.BooleanField()
    criteria = serializers.IntegerField()
    indicators = serializers.IntegerField()
    items = RubricItemSerializer(many=True)


class AdjustmentSerializer(serializers.Serializer):
    level = serializers.CharField()
    score = serializers.DecimalField(max_digits=7, decimal_places=1)
    reason = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rule = serializers.CharField()
    points = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    self_score = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    computed_score = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    computed_from = serializers.CharField(allow_null=True)
    final_score = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    flagged = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    returned_reason = serializers.CharField(allow_null=True)
    adjustments = AdjustmentSerializer(many=True)
    evidence = serializers.IntegerField(help_text="How many evidence files it has.")


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    unit = serializers.IntegerField(source="unit_id")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    rubric = serializers.IntegerField(source="rubric_id")
    state = serializers.CharField()
    round = serializers.IntegerField()
    self_total = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    total = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    grade = serializers.CharField(allow_blank=True)
    vetoed = serializers.BooleanField()
    flagged = serializers.IntegerField()
    version = serializers.IntegerField(source="lock_version")


class AssessmentDetailSerializer(AssessmentSerializer):
    indicators = IndicatorSerializer(many=True)


class VersionBody(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The version you last read."
    )


class OpenBody(serializers.Serializer):
    campaign = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ScoreBody(VersionBody):
    self_score = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class AdjustBody(VersionBody):
    code = serializers.RegexField(INDICATOR_PATTERN, max_length=20)
    score = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    reason = serializers.CharField(max_length=MAX_TEXT)


class ReturnBody(VersionBody):
    reason = serializers.CharField(max_length=MAX_TEXT)
    indicators = serializers.DictField(
        child=serializers.CharField(max_length=MAX_TEXT), required=False
    )


class UnapproveBody(VersionBody):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class AreaSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    unit = serializers.IntegerField()
    approved = serializers.BooleanField()


def _conflict(description: str) -> OpenApiResponse:
    return OpenApiResponse(CONFLICT, description)


#: A 400 of a write: each bad field with its messages, or `{"detail": …}` for a body that is no
#: JSON or form data at all.
BAD_BODY = {"anyOf": [BAD_PARAMETERS, DETAIL]}

WRITE_RESPONSES: dict[int, Any] = {
    400: OpenApiResponse(
        BAD_BODY, "A field is missing or malformed (named), or the body cannot be read."
    ),
    409: _conflict(
        "The assessment's state refuses it (`wrong_state`, `not_editable`, `locked`, "
        "`campaign_not_running`) or someone changed it since `version` (`conflict`)."
    ),
}


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _call(write: Callable[[], Any]) -> Any:
    """A service call: its field errors as the API's 400 (each field with its messages); domain
    errors go to the API's one handler (403, 409 with a code)."""
    try:
        return write()
    except DjangoValidationError as error:
        detail = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {"non_field_errors": error.messages}
        )
        raise ValidationError(detail) from error


def _id_parameter(name: str, description: str, *, required: bool = False) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        OpenApiParameter.QUERY,
        required=required,
        description=description,
        extensions={} if required else {EMPTY_MEANS_ABSENT: True},
    )


def _query_id(request: Request, name: str, *, required: bool = False) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        if required:
            raise ValidationError({name: [str(forms.Field.default_error_messages["required"])]})
        return None
    try:
        key: int = IdField().clean(raw)
    except forms.ValidationError as error:
        raise ValidationError({name: error.messages}) from None
    return key


# --- rubrics ----------------------------------------------------------------------------------


def rubric_body(rubric: Rubric) -> dict[str, Any]:
    items = list(RubricItem.objects.filter(rubric=rubric).order_by("order"))
    by_id = {item.pk: item.code for item in items}
    return {
        "id": rubric.pk,
        "name": rubric.name,
        "version": rubric.version,
        "points": rubric.points,
        "tolerance": rubric.tolerance,
        "frozen": rubric.frozen_at is not None,
        "criteria": sum(1 for item in items if item.depth == 1),
        "indicators": sum(1 for item in items if item.rule),
        "items": [
            {
                "code": item.code,
                "parent": by_id.get(item.parent_id) if item.parent_id else None,
                "depth": item.depth,
                "name": item.name,
                "basis": item.basis,
                "points": item.points,
                "rule": item.rule,
                "per_item": item.per_item,
                "floor": item.floor,
                "cap": item.cap,
                "tiers": [[str(t), str(p)] for t, p in item.tiers],
                "source": item.source,
                "needs_evidence": item.needs_evidence,
            }
            for item in items
        ],
    }


class RubricViewSet(ScopedViewSet):
    """Rubrics are the national association's, the same for everyone: any account reads them."""

    queryset = Unit.objects.all()
    permission_classes = [SignedIn]

    @extend_schema(responses=RubricSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        """A rubric's criteria and indicators, each with its rule's parts."""
        rubric = Rubric.objects.filter(pk=pk).first()
        if rubric is None:
            raise exceptions.NotFound
        return Response(RubricSerializer(rubric_body(rubric)).data)


# --- assessments ------------------------------------------------------------------------------


def assessment_body(assessment: Assessment) -> dict[str, Any]:
    sheet = selectors.sheet(assessment)
    data = dict(AssessmentSerializer(assessment).data)
    data["indicators"] = IndicatorSerializer(
        [selectors.api_indicator(row) for row in sheet.rows], many=True
    ).data
    return data


class AssessmentViewSet(ScopedViewSet):
    """Assessments in the user's area, and every step of the workflow on them."""

    queryset = Assessment.objects.select_related("unit__parent", "campaign__unit", "rubric")
    #: The body each action reads (what OPTIONS describes).
    BODIES: dict[str, type[serializers.Serializer]] = {
        "create": OpenBody,
        "score": ScoreBody,
        "submit": VersionBody,
        "adjust": AdjustBody,
        "return_": ReturnBody,
        "approve": VersionBody,
        "unapprove": UnapproveBody,
    }

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.BODIES.get(str(self.action), AssessmentSerializer)

    def _assessment(self, pk: int) -> Assessment:
        assessment = self.get_queryset().filter(pk=pk).first()
        if assessment is None:
            raise exceptions.NotFound
        return assessment

    def _answer(self, assessment: Assessment) -> Response:
        fresh = self._assessment(assessment.pk)
        return Response(assessment_body(fresh))

    @extend_schema(
        parameters=[
            _id_parameter("campaign", "Only this campaign's assessments."),
            OpenApiParameter(
                "unit",
                {"type": "string", "pattern": CODE_PATTERN},
                OpenApiParameter.QUERY,
                required=False,
                description="A unit's code: the assessments in its subtree (default: yours).",
                extensions={EMPTY_MEANS_ABSENT: True},
            ),
        ],
        responses=AssessmentSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """The assessments in a unit's subtree, by unit code."""
        queryset = self.get_queryset()
        code = request.query_params.get("unit")
        if code:
            try:
                code_format(code)
            except DjangoValidationError as error:
                raise ValidationError({"unit": error.messages}) from None
            unit = in_subtree(Unit.objects.all(), self.unit).filter(code=code).first()
            if unit is None:
                raise exceptions.NotFound
            queryset = in_subtree(queryset, unit)
        campaign = _query_id(request, "campaign")
        if campaign is not None:
            queryset = queryset.filter(campaign_id=campaign)
        page = self.paginate_queryset(queryset.order_by("campaign_id", "unit__path"))
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(responses=AssessmentDetailSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        """State, totals, grade and version, and every indicator side by side."""
        return self._answer(self._assessment(pk))

    @extend_schema(
        request=OpenBody,
        responses={
            201: AssessmentDetailSerializer,
            404: OpenApiResponse(DETAIL, "No such campaign or unit in your area."),
            **WRITE_RESPONSES,
        },
    )
    def create(self, request: Request) -> Response:
        """Start the self-inspection of your association in a running campaign (or answer the
        one already started)."""
        body = _body(OpenBody, request)
        campaign = visible_campaigns(self.unit).filter(pk=body["campaign"]).first()
        unit = in_subtree(Unit.objects.all(), self.unit).filter(pk=body["unit"]).first()
        if campaign is None or unit is None:
            raise exceptions.NotFound
        assessment = _call(
            lambda: services.assessment_open(
                actor=Actor.from_request(request), campaign=campaign, unit=unit
            )
        )
        fresh = self._assessment(assessment.pk)
        return Response(assessment_body(fresh), status=201)

    @extend_schema(
        request=ScoreBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def score(self, request: Request, pk: int, code: str) -> Response:
        """Your association's own score of one indicator, with a note, before submission."""
        assessment = self._assessment(pk)
        body = _body(ScoreBody, request)
        _call(
            lambda: services.score_save(
                actor=Actor.from_request(request),
                assessment=assessment,
                code=code,
                self_score=body["self_score"],
                note=body.get("note", ""),
                expected_lock_version=body.get("version"),
            )
        )
        return self._answer(assessment)

    def _step(
        self, request: Request, pk: int, body_class: type[serializers.Serializer], step: Any
    ) -> Response:
        assessment = self._assessment(pk)
        body = _body(body_class, request)
        version = body.pop("version", None)
        _call(
            lambda: step(
                actor=Actor.from_request(request),
                assessment=assessment,
                expected_lock_version=version,
                **body,
            )
        )
        return self._answer(assessment)

    @extend_schema(
        request=VersionBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def submit(self, request: Request, pk: int) -> Response:
        """Submit the self-inspection: every required indicator scored and evidenced (400
        naming each that is not); computed indicators are frozen."""
        return self._step(request, pk, VersionBody, services.assessment_submit)

    @extend_schema(
        request=AdjustBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def adjust(self, request: Request, pk: int) -> Response:
        """A reviewing level's score of one indicator, with the reason."""
        return self._step(request, pk, AdjustBody, services.assessment_adjust)

    @extend_schema(
        request=ReturnBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def return_(self, request: Request, pk: int) -> Response:
        """Send it back to the association, with a reason and reasons per indicator."""
        return self._step(request, pk, ReturnBody, services.assessment_return)

    @extend_schema(
        request=VersionBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def approve(self, request: Request, pk: int) -> Response:
        """The association's parent approves its submitted assessment."""
        return self._step(request, pk, VersionBody, services.assessment_approve)

    @extend_schema(
        request=UnapproveBody, responses={200: AssessmentDetailSerializer, **WRITE_RESPONSES}
    )
    def unapprove(self, request: Request, pk: int) -> Response:
        """The parent or a level above withdraws the approval (unless an area approval above
        locks it)."""
        return self._step(request, pk, UnapproveBody, services.assessment_unapprove)


class AreaViewSet(ScopedViewSet):
    """Approving a city's or a province's area as a whole."""

    queryset = Unit.objects.all()
    unit_url_kwarg = "pk"
    serializer_class = AreaSerializer  # what OPTIONS describes (the answer; no body is read)

    def _campaign(self, request: Request) -> Any:
        key = _query_id(request, "campaign", required=True)
        assert key is not None  # required: a 400 otherwise
        campaign = visible_campaigns(self.unit).filter(pk=key).first()
        if campaign is None:
            raise exceptions.NotFound
        return campaign

    def _answer(self, campaign: Any, approved: bool) -> Response:
        return Response(
            AreaSerializer(
                {"campaign": campaign.pk, "unit": self.unit.pk, "approved": approved}
            ).data
        )

    AREA_RESPONSES: dict[int, Any] = {
        200: AreaSerializer,
        409: _conflict(
            "Not every association or city in the area is approved (`area_not_ready`), it is "
            "approved already (`already_approved`) or not (`not_approved`), or an approval "
            "above locks it (`locked`)."
        ),
    }

    @extend_schema(
        parameters=[_id_parameter("campaign", "The campaign.", required=True)],
        request=None,
        responses=AREA_RESPONSES,
    )
    def approve(self, request: Request, pk: int) -> Response:
        """The area's parent approves it: every assessment in it is locked against changes
        from inside the area."""
        campaign = self._campaign(request)
        _call(
            lambda: services.area_approve(
                actor=Actor.from_request(request), campaign=campaign, area=self.unit
            )
        )
        return self._answer(campaign, True)

    @extend_schema(
        parameters=[_id_parameter("campaign", "The campaign.", required=True)],
        request=None,
        responses=AREA_RESPONSES,
    )
    def unapprove(self, request: Request, pk: int) -> Response:
        """The area's parent or a level above withdraws its approval, one step."""
        campaign = self._campaign(request)
        _call(
            lambda: services.area_unapprove(
                actor=Actor.from_request(request), campaign=campaign, area=self.unit
            )
        )
        return self._answer(campaign, False)


urlpatterns = [
    path("rubrics/<id:pk>/", RubricViewSet.as_view({"get": "retrieve"}), name="rubric-detail"),
    path(
        "assessments/",
        AssessmentViewSet.as_view({"get": "list", "post": "create"}),
        name="assessment-list",
    ),
    path(
        "assessments/<id:pk>/",
        AssessmentViewSet.as_view({"get": "retrieve"}),
        name="assessment-detail",
    ),
    path(
        "assessments/<id:pk>/scores/<str:code>/",
        AssessmentViewSet.as_view({"put": "score"}),
        name="assessment-score",
    ),
    *[
        path(
            f"assessments/<id:pk>/{step}/",
            AssessmentViewSet.as_view({"post": method}),
            name=f"assessment-{step}",
        )
        for step, method in (
            ("submit", "submit"),
            ("adjust", "adjust"),
            ("return", "return_"),
            ("approve", "approve"),
            ("unapprove", "unapprove"),
        )
    ],
    path(
        "units/<id:pk>/approve-area/",
        AreaViewSet.as_view({"post": "approve"}),
        name="unit-approve-area",
    ),
    path(
        "units/<id:pk>/unapprove-area/",
        AreaViewSet.as_view({"post": "unapprove"}),
        name="unit-unapprove-area",
    ),
]
