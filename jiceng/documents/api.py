"""The documents' REST endpoints (issue 10), mounted under /api/v1/ by api/urls.py.

- `GET /api/v1/documents/` — what was addressed to the user's unit and what it issued, newest
  first (cursor pages), each with the unit's own receipt (or null).
- `GET /api/v1/documents/{id}/` — one document the user may see (404 otherwise: the same rule
  as the pages, `selectors.document_for_user_or_404`), with its attachments and the
  acknowledgement status of the user's part of the tree, by level and by child unit.
- `POST /api/v1/documents/{id}/acknowledge/` — acknowledge for the user's unit, or with
  `unit` for a unit below it (as the pages allow); idempotent (`acknowledged` says whether this
  call did it). A document not addressed to that unit is 404.
"""

from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.api import converters  # noqa: F401  (registers the `id` path converter)
from jiceng.api.base import ScopedViewSet
from jiceng.api.pagination import IdCursorPagination
from jiceng.core.actor import Actor
from jiceng.core.scope import unit_in_scope_or_404

from . import selectors, services
from .models import Document, Receipt


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(help_text="Acknowledged on or before the deadline.")
    forwarded = serializers.IntegerField(
        source="forwarded_id", allow_null=True, help_text="The forwarding document's id."
    )


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The document number (文号); may be empty.")
    title = serializers.CharField()
    issuer = UnitRefSerializer()
    issued_on = serializers.DateField()
    ack_deadline = serializers.DateField(allow_null=True)
    forward_required = serializers.BooleanField()
    recipient_count = serializers.IntegerField()
    forwarded_from = serializers.IntegerField(source="forwarded_from_id", allow_null=True)
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    superseded_by = serializers.SerializerMethodField()
    receipt = serializers.SerializerMethodField(
        help_text="Your unit's receipt of it, or null when it was not addressed to your unit."
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_superseded_by(self, document: Document) -> int | None:
        later = getattr(document, "superseded_by", None)
        return later.pk if later is not None else None

    @extend_schema_field(ReceiptSerializer(allow_null=True))
    def get_receipt(self, document: Document) -> dict[str, Any] | None:
        receipts: dict[int, Receipt] = self.context.get("receipts", {})
        receipt = receipts.get(document.pk)
        return ReceiptSerializer(receipt).data if receipt is not None else None


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    read = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    not_acknowledged = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Not acknowledged, past the deadline.")
    to_forward = serializers.IntegerField()
    forwarded = serializers.IntegerField()


class LevelFiguresSerializer(FiguresSerializer):
    level = serializers.CharField()


class ChildFiguresSerializer(FiguresSerializer):
    unit = UnitRefSerializer()


class StatusSerializer(serializers.Serializer):
    unit = UnitRefSerializer(help_text="Whose part of the tree the figures cover.")
    total = FiguresSerializer()
    levels = LevelFiguresSerializer(many=True)
    children = ChildFiguresSerializer(many=True)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class DocumentDetailSerializer(DocumentSerializer):
    body = serializers.CharField()
    attachments = AttachmentSerializer(many=True)
    status = StatusSerializer(allow_null=True)


class AcknowledgeRequestSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Acknowledge for this unit below yours (default: your own unit).",
    )


class AcknowledgeSerializer(serializers.Serializer):
    acknowledged = serializers.BooleanField(
        help_text="True when this call acknowledged it; false when it was already."
    )
    receipt = ReceiptSerializer()


def _unit(unit: Any) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "level": unit.level}


def _figures(f: selectors.Figures) -> dict[str, Any]:
    names = (*selectors.FIGURES, "late", "not_acknowledged")
    return {name: getattr(f, name) for name in names}


class DocumentCursor(IdCursorPagination):
    page_size = 50


class DocumentViewSet(ScopedViewSet):
    """Documents: your inbox and what your unit issued; one document with its status."""

    queryset = Document.objects.all()
    serializer_class = AcknowledgeRequestSerializer  # what OPTIONS describes for POST
    pagination_class = DocumentCursor
    filterset_class = None

    def _document(self) -> Document:
        try:
            return selectors.document_for_user_or_404(self.request.user, self.kwargs["pk"])  # type: ignore[arg-type]
        except Http404:
            raise NotFound from None

    @extend_schema(responses=DocumentSerializer(many=True))
    def list(self, request: Request) -> Response:
        """What was addressed to your unit and what it issued, newest first."""
        page = self.paginate_queryset(selectors.api_documents(request.user))  # type: ignore[arg-type]
        documents = list(page or [])
        receipts = {
            r.document_id: r
            for r in Receipt.objects.filter(
                unit=self.unit, document_id__in=[d.pk for d in documents]
            )
        }
        data = DocumentSerializer(documents, many=True, context={"receipts": receipts}).data
        return self.get_paginated_response(data)

    @extend_schema(responses=DocumentDetailSerializer)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        """One document with its attachments and the acknowledgement status of your part of
        the tree (null for a unit with nobody below it that received it)."""
        document = self._document()
        mine = request.user.unit  # type: ignore[union-attr]
        area = document.issuer if document.issuer.path.startswith(mine.path) else mine
        receipt = selectors.receipt_of(document, mine)
        status = None
        if area.pk == document.issuer_id or area.numchild:
            s = selectors.document_status(document, area)
            status = {
                "unit": _unit(area),
                "total": _figures(s.total),
                "levels": [{"level": line.level, **_figures(line.figures)} for line in s.levels],
                "children": [
                    {"unit": _unit(line.unit), **_figures(line.figures)} for line in s.children
                ],
            }
        body = {
            **DocumentSerializer(
                document, context={"receipts": {document.pk: receipt} if receipt else {}}
            ).data,
            "body": document.body,
            "attachments": [
                {
                    "id": a.pk,
                    "name": a.name,
                    "size": a.size,
                    "url": reverse("documents:attachment", kwargs={"pk": a.pk}),
                }
                for a in selectors.attachments(document, selectors.chain(document))
            ],
            "status": status,
        }
        return Response(body)

    @extend_schema(request=AcknowledgeRequestSerializer, responses=AcknowledgeSerializer)
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        """Acknowledge the document (签收) for your unit, or for `unit` below it. Idempotent.
        404 when it was not addressed to that unit."""
        document = self._document()
        query = AcknowledgeRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        user: Any = request.user
        unit = user.unit
        if query.validated_data.get("unit"):
            try:
                unit = unit_in_scope_or_404(user, query.validated_data["unit"])
            except Http404:
                raise NotFound from None
        receipt = (
            Receipt.objects.select_related("unit", "document")
            .filter(document=document, unit=unit)
            .first()
        )
        if receipt is None:
            raise NotFound(detail=_("This document was not addressed to that unit."))
        first = services.receipt_acknowledge(actor=Actor.from_request(request), receipt=receipt)
        receipt.refresh_from_db()
        return Response(AcknowledgeSerializer({"acknowledged": first, "receipt": receipt}).data)


urlpatterns = [
    path("documents/", DocumentViewSet.as_view({"get": "list"}), name="document-list"),
    path(
        "documents/<id:pk>/",
        DocumentViewSet.as_view({"get": "retrieve"}),
        name="document-detail",
    ),
    path(
        "documents/<id:pk>/acknowledge/",
        DocumentViewSet.as_view({"post": "acknowledge"}),
        name="document-acknowledge",
    ),
]
