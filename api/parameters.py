"""Unknown query parameters: a misspelt filter is answered 400 naming it, never ignored.

The parameters a request may carry are the ones its operation's schema declares: the FilterSet's
filters (list), the paginator's (list), `format` (every operation) and those a viewset names per
action in `query_parameters` (e.g. `{"retrieve": {"heads"}}` for an @extend_schema parameter).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings

REPEATED = _("Give this parameter once.")


class UnknownQueryParameter(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unknown_parameter"
    message = _("Unknown query parameter.")

    def __init__(self, unknown, known):
        self.unknown = sorted(unknown)
        self.known = sorted(known)
        super().__init__(
            _("Unknown query parameter: %(names)s. This endpoint accepts: %(known)s.")
            % {"names": ", ".join(self.unknown), "known": ", ".join(self.known) or "—"}
        )

    def errors(self):
        return {name: [str(self.message)] for name in self.unknown}


def paging_parameters(paginator):
    """The query parameters a paginator reads (page, page_size, cursor...)."""
    if paginator is None:
        return set()
    names = ("page_query_param", "page_size_query_param", "cursor_query_param", "limit_query_param")
    return {getattr(paginator, name) for name in names if getattr(paginator, name, None)}


def known_parameters(view):
    """The query parameters the view's current action accepts."""
    known = {api_settings.URL_FORMAT_OVERRIDE}
    action = getattr(view, "action", None)
    known |= set(getattr(view, "query_parameters", {}).get(action, ()))
    if action == "list":
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        known |= paging_parameters(getattr(view, "paginator", None))
        for backend in getattr(view, "filter_backends", ()):
            name = getattr(backend, "ordering_param", None)
            if name:
                known.add(name)
    return known


def repeatable_parameters(view):
    """The parameters that may be given several times: multiple-choice filters of a list."""
    if getattr(view, "action", None) != "list" or getattr(view, "filterset_class", None) is None:
        return set()
    return {
        name
        for name, filter_ in view.filterset_class.base_filters.items()
        if isinstance(filter_, django_filters.MultipleChoiceFilter)
    }


def check_parameters(view, request):
    """Raise UnknownQueryParameter when the request carries a parameter its operation does not accept
    (a method the view does not serve is left to its 405)."""
    if not hasattr(view, request.method.lower()):
        return
    known = known_parameters(view)
    unknown = set(request.query_params) - known
    if unknown:
        raise UnknownQueryParameter(unknown, known)
    repeatable = repeatable_parameters(view)
    repeated = sorted(
        name for name in request.query_params if len(request.query_params.getlist(name)) > 1 and name not in repeatable
    )
    if repeated:
        raise ValidationError({name: [REPEATED] for name in repeated}, code="invalid")
