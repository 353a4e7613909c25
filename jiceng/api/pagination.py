"""The API's two paginations. A malformed page number or cursor is a 400 naming its parameter
(DRF's own answer is a 404, and a cursor whose position is not an id reached the query as a
ValueError, i.e. a 500); a well-formed page past the end stays a 404."""

import base64
import binascii
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from jiceng.org.filters import MAX_ID, IdField


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of PAGE_SIZE; `page` is a positive whole number (or "last")."""

    def get_page_number(self, request: Request, paginator: Paginator) -> Any:
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            return raw
        try:
            return IdField().clean(raw)
        except forms.ValidationError:
            raise ValidationError({self.page_query_param: [self.invalid_page_message]}) from None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                parameter["allowEmptyValue"] = True  # the first page
        return parameters


class IdCursorPagination(pagination.CursorPagination):
    """Cursor pages ordered by id (newest first): a cursor's position is a row id, checked as
    one before it reaches the query."""

    ordering = "-id"

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        invalid = ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            if encoded:  # DRF's decoding drops characters outside base64: "!!!" was no cursor
                base64.b64decode(encoded.encode("ascii"), validate=True)
            cursor = super().decode_cursor(request)
        except (binascii.Error, UnicodeEncodeError, NotFound):
            raise invalid from None
        if cursor is None or cursor.position is None:
            return cursor
        try:
            position = IdField().clean(cursor.position)
        except forms.ValidationError:
            raise invalid from None
        return pagination.Cursor(offset=cursor.offset, reverse=cursor.reverse, position=position)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["allowEmptyValue"] = True  # the first page
                parameter["description"] = _(
                    "The `next` or `previous` link of a page holds it; any other value is refused."
                )
        return parameters
