"""The API's OpenAPI generation: every operation documents the error answers it can give, the
same way for all, so a client (and schemathesis) knows them:

- 403 without valid credentials (`SignedIn`; the API never says 401);
- 400 when it takes query parameters: an object naming each bad parameter with its messages;
- 404 when it has an id in the path (malformed, unknown or outside the user's area), or a query
  parameter that can point outside the area (`unit`) or past the end (`page`).

Query parameters of a FilterSet say what their form field accepts (bounds, lengths, no NUL
character) and that an empty value means "not narrowed by it" (`allowEmptyValue`, as a page's
form sends it), so that what the schema calls valid is what the API accepts.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry
from drf_spectacular.utils import OpenApiResponse

#: A 403 or 404 body: DRF's `{"detail": "…"}`.
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
#: A 400 body: each bad parameter with its messages, `{"parent": ["…"]}`.
BAD_PARAMETERS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "minProperties": 1,
}
#: Query parameters that name something that may not exist for the user.
LOOKUP_PARAMETERS = {"unit", "page"}


#: Form fields refuse the NUL character (Django's ProhibitNullCharactersValidator).
NO_NUL = "^[^\x00]*$"


def field_constraints(field: forms.Field) -> dict[str, Any]:
    """The JSON Schema keywords of what a form field accepts beyond its type."""
    constraints: dict[str, Any] = {}
    if isinstance(field, forms.IntegerField):
        if field.min_value is not None:
            constraints["minimum"] = field.min_value
        if field.max_value is not None:
            constraints["maximum"] = field.max_value
    elif isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField):
        if field.max_length is not None:
            constraints["maxLength"] = field.max_length
        constraints["pattern"] = NO_NUL
    return constraints


#: The extension an `OpenApiParameter` carries (`extensions={EMPTY_MEANS_ABSENT: True}`) when
#: the view reads an empty value as absent; it becomes `allowEmptyValue` in the schema.
EMPTY_MEANS_ABSENT = "x-empty-means-absent"


class ApiAutoSchema(AutoSchema):
    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        self._constrain_filters(parameters)
        for parameter in parameters:
            # A hand-declared parameter that an empty value leaves out (`EMPTY_MEANS_ABSENT`).
            if parameter.pop(EMPTY_MEANS_ABSENT, False):
                parameter["allowEmptyValue"] = True
        query = {p["name"] for p in parameters if p["in"] == "query"}
        in_path = any(p["in"] == "path" for p in parameters)
        errors: dict[str, OpenApiResponse] = {}
        if query:
            errors["400"] = OpenApiResponse(BAD_PARAMETERS, _("A parameter is malformed."))
        errors["403"] = OpenApiResponse(DETAIL, _("Not signed in."))
        if in_path or query & LOOKUP_PARAMETERS:
            errors["404"] = OpenApiResponse(DETAIL, _("Not found, or outside your area."))
        responses = operation.setdefault("responses", {})
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return operation

    def _constrain_filters(self, parameters: list[dict[str, Any]]) -> None:
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None:
            return
        filters = filterset_class.base_filters
        for parameter in parameters:
            declared = filters.get(parameter["name"]) if parameter["in"] == "query" else None
            if declared is None:
                continue
            if parameter["schema"].get("type") in ("integer", "string"):
                parameter["schema"].update(field_constraints(declared.field))
            if not declared.field.required:
                parameter["allowEmptyValue"] = True
