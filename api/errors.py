"""One JSON body for every 4xx: `{"status", "code", "detail", "errors"}`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from .filters import UnknownReference
from .parameters import UnknownQueryParameter


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (for the schema)."""

    status = serializers.IntegerField(help_text=gettext_lazy("The HTTP status code."))
    code = serializers.CharField(
        help_text=gettext_lazy("A stable, machine-readable code, e.g. `invalid`, `token_expired`.")
    )
    detail = serializers.CharField(help_text=gettext_lazy("What was wrong, for people."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("For invalid input or unknown parameters: the messages per query parameter."),
    )


def _first_code(codes):
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, UnknownQueryParameter | UnknownReference):
        body = {
            "status": response.status_code,
            "code": exc.default_code,
            "detail": str(exc.detail),
            "errors": exc.errors(),
        }
    elif isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            errors = {
                key: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for key, msgs in detail.items()
            }
        else:
            errors = {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}
        body = {
            "status": response.status_code,
            "code": "invalid",
            "detail": _("Invalid request parameters: %(names)s.") % {"names": ", ".join(errors)},
            "errors": errors,
        }
    elif isinstance(exc, exceptions.APIException):
        body = {
            "status": response.status_code,
            "code": _first_code(exc.get_codes()),
            "detail": str(exc.detail) if not isinstance(exc.detail, dict | list) else str(response.data),
        }
    else:
        return response
    response.data = body
    return response
