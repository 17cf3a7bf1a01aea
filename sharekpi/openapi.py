"""The OpenAPI schema tells the truth about errors: every operation documents the
error answers the API can give besides the ones its view declares (drf-spectacular
``extend_schema(responses=...)``), with their JSON bodies:

- 400 field errors ``{field: [message, ...]}`` (or ``{"detail": ...}``) where the
  operation takes input (a body, query parameters);
- 401 without valid credentials, 403 when the role may not, 404 for an id that does
  not exist or that the caller may not see;
- 503 with Retry-After while the database is unreachable (sharekpi.api_errors).

tests/test_api_schema.py (schemathesis) holds the API to it.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "One list of messages per field in error (`detail` or "
    "`non_field_errors` for the request as a whole).",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
            {"type": "array", "items": {"type": "object"}},
        ]
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
}


def _json(description: str, schema: dict, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


class ShareKpiAutoSchema(AutoSchema):
    def _takes_input(self) -> bool:
        if self.method in ("POST", "PUT", "PATCH"):
            return True
        return bool(self._get_parameters())

    def _needs_login(self) -> bool:
        return not all(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        extra = {}
        if self._takes_input():
            extra["400"] = _json("Bad input: what is wrong, field by field.", FIELD_ERRORS)
        if self._needs_login():
            extra["401"] = _json("No credentials, or a token that is invalid or expired.", DETAIL)
            extra["403"] = _json("Your role may not do this.", DETAIL)
        paginated = self._is_list_view() and getattr(self.view, "pagination_class", None)
        if "{" in self.path or (paginated and self.method == "GET"):
            # A list's page past the last one is a 404 too (DRF's "Invalid page.").
            extra["404"] = _json("No such id, or outside what you may see.", DETAIL)
        extra["503"] = _json(
            "The database is unavailable for a moment: retry after Retry-After seconds.",
            DETAIL,
            RETRY_AFTER,
        )
        for code, declared in list(responses.items()):
            if code[0] in "45" and "content" not in declared:
                # Declared with a description only: give it its JSON body.
                schema = FIELD_ERRORS if code == "400" else DETAIL
                responses[code] = _json(declared.get("description", ""), schema)
        for code, response in extra.items():
            declared = responses.get(code)
            if declared is None:
                responses[code] = response
            elif "content" not in declared:
                # Declared with a description only: keep its words, add the body.
                responses[code] = {**response, "description": declared["description"]}
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A text field that may not be blank is trimmed first (DRF's default), so
        "   " is blank too: the schema says so with a pattern, not only minLength."""
        from rest_framework import serializers

        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and getattr(field, "trim_whitespace", False)
            and schema.get("type") == "string"
            and "pattern" not in schema
            and "enum" not in schema
        ):
            schema["pattern"] = r"\S"
        return schema


def review_reason_required_to_reject(result, generator, request, public):
    """POSTPROCESSING_HOOK: ``POST shares/{id}/review/`` needs a reason to reject
    (verification.review), which one serializer cannot say: the request body is one
    of two shapes."""
    schemas = result.get("components", {}).get("schemas", {})
    review = schemas.get("ReviewInputRequest")
    if review:
        reason = dict(review["properties"]["reason"])
        schemas["ReviewInputRequest"] = {
            "description": "approve: a reason is optional; reject: a reason is required.",
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "decision": {"type": "string", "enum": ["approve"]},
                        "reason": reason,
                    },
                    "required": ["decision"],
                },
                {
                    "type": "object",
                    "properties": {
                        "decision": {"type": "string", "enum": ["reject"]},
                        "reason": {**reason, "minLength": 1, "pattern": r"\S"},
                    },
                    "required": ["decision", "reason"],
                },
            ],
        }
    return result
