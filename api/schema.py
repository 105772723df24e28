"""OpenAPI generation: the token security scheme, error responses and the `format` parameter."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .errors import ErrorSerializer

ERROR_STATUSES = (400, 401, 403, 404, 429)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An auditor's token, sent as `Authorization: Token <token>`.",
        }


class ApiSchema(AutoSchema):
    """Every operation documents its error bodies and the `format` parameter (json or csv)."""

    def get_response_serializers(self):
        base = super().get_response_serializers()
        if isinstance(base, dict):
            return base
        return {200: base, **dict.fromkeys(ERROR_STATUSES, ErrorSerializer)}

    def get_override_parameters(self):
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="Response format: `json` (default) or `csv` (lists are streamed, unpaginated).",
            ),
        ]
