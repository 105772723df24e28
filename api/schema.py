"""OpenAPI generation: the token security scheme, error responses and the `format` parameter, in the
request's language.

The schema is generated per request (nothing caches it), inside the language LocaleMiddleware chose
(the language cookie, then Accept-Language), or `?lang=`; every description is a lazy translation,
turned into text only then. Operation and component descriptions come from the docstrings of the
viewsets and serializers: their English text is the msgid, listed in DOCSTRINGS so that the
catalogues carry it (tests/i18n/test_api_docs_language.py fails when a docstring is missing here).
"""

import django_filters
from django.template import loader
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from territory import kato

from .errors import ErrorSerializer
from .filters import MAX_ID, IntegerFilter, KatoPrefixFilter, UnitByKatoFilter

ERROR_STATUSES = (400, 401, 403, 404, 429)

TITLE = _("electadmin auditors' API")
DESCRIPTION = _("Read-only data of elections, candidates, protocols and results. See docs/API.md.")
# The title and description in the request's language (the project's settings hold English text).
LANGUAGE_SETTINGS = {"TITLE": TITLE, "DESCRIPTION": DESCRIPTION}

DOCSTRINGS = (
    gettext_noop("Administrative units of the KATO hierarchy."),
    gettext_noop("Candidacies, registered and past (refused, withdrawn, deregistered)."),
    gettext_noop("Contest results (official by default, or preliminary) with the votes of every candidate."),
    gettext_noop("Contests: one akim post in one unit, with candidate counts."),
    gettext_noop("Elections with every rule they run by."),
    gettext_noop("Every entry of protocols past verification: who (user id), when, and the values entered."),
    gettext_noop("Polling stations (precincts) with their registered voters."),
    gettext_noop("Precinct protocols: state always; official figures and votes once verified."),
    gettext_noop("Statistical anomaly flags per polling station and per contest: signals, never verdicts."),
    gettext_noop(
        "Photographs and PDFs of signed paper protocols (verified or certified): SHA-256, size, type, download URL."
    ),
    gettext_noop("A photograph or PDF of a signed paper protocol: its hash, size, type and download URL."),
    gettext_noop("The file itself, with its type and name (images inline, PDFs as downloads)."),
    gettext_noop(
        "One election's results in the NIST SP 1500-100 v2 common data format (one ElectionReport, JSON), within the\n"
        "token's territory: contests, candidates, parties, units down to polling stations, vote and ballot counts and\n"
        "their status."
    ),
    gettext_noop("Registered political parties."),
    gettext_noop(
        "Signed checkpoints of the audit trail, newest first: size, chains, Merkle root, signature, public key."
    ),
    gettext_noop("Terms of office of akims (the office register): current and past office-holders."),
    gettext_noop(
        "Transitions of candidacies, contests, elections and protocols: who (role, commission), when, from, to, why."
    ),
    gettext_noop("Turnout and protocol progress rolled up by unit, district, region and election."),
    gettext_noop("A candidacy with the public facts of its person: name, sex, age on election day."),
    gettext_noop("The body of every error response (for the schema)."),
    gettext_noop("The official figures of a protocol (V, R, Is, Im, S, U, Fs, Fm, N, A)."),
    gettext_noop(
        "A term of office: the akim's name, the unit, the party at election and the dates; nothing else\n"
        "about the person."
    ),
)

# Descriptions of DRF's paginators' parameters, shown in the schema: DRF's own Russian catalogue lacks
# them (its Kazakh one has them), so the project's catalogue, read first, carries both languages.
DRF_STRINGS = (
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("The pagination cursor value."),
)


def translated(text):
    """A docstring's description in the active language ("" stays "": gettext("") is the catalogue's header)."""
    return gettext(text) if text else text


def csv_rows_schema(header):
    """A CSV body read as its rows (a dict per line keyed by the header): every column, text."""
    return {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {column: {"type": "string"} for column in header},
            "required": list(header),
        },
    }


def bound_filter_parameter(parameter, filter_):
    """Declare what the server accepts of a filter's value: ids from 1 (a well-formed id of no row is
    a 404), the field's own bounds, KATO codes by their widths; and an empty value, which django-filter
    reads as "no filter" (so it is allowed: `allowEmptyValue`)."""
    schema = parameter.setdefault("schema", {})
    if not isinstance(filter_, django_filters.MultipleChoiceFilter):  # an empty choice of these is invalid
        parameter["allowEmptyValue"] = True
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        schema.update({"type": "integer", "minimum": 1, "maximum": MAX_ID})
    elif isinstance(filter_, UnitByKatoFilter):
        width = kato.PREFIX_LENGTH[filter_.extra["level"]]
        schema.update({"type": "string", "pattern": f"^([0-9]{{{width}}}|[0-9]{{9}})$"})
        schema.pop("maxLength", None)
    elif isinstance(filter_, KatoPrefixFilter):
        schema.update({"type": "string", "pattern": "^[0-9]{1,9}$"})
    elif isinstance(filter_, IntegerFilter):
        schema["type"] = "integer"
    elif isinstance(filter_, django_filters.ChoiceFilter) and callable(filter_.extra.get("choices")):
        # Choices known when the request comes (e.g. the audited types): listed as they are now.
        schema.update({"type": "string", "enum": [value for value, _label in filter_.extra["choices"]()]})
    for name, key in (("min_value", "minimum"), ("max_value", "maximum")):
        if filter_.extra.get(name) is not None:
            schema[key] = filter_.extra[name]


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        # HTTP bearer: the docs' Authorize dialog takes the bare token and sends `Bearer <token>`,
        # which the API accepts as it accepts `Token <token>` (an apiKey scheme on the Authorization
        # header would send whatever is pasted, the bare token failing).
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "An auditor's token (`manage.py issue_token`): paste it bare in the docs' Authorize dialog. "
                "Sent as `Authorization: Bearer <token>` or `Authorization: Token <token>`."
            ),
        }


class ApiSchema(AutoSchema):
    """Every operation documents its error bodies and the `format` parameter (json or csv)."""

    def get_description(self):
        return translated(super().get_description())

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            filters = getattr(getattr(self.view, "filterset_class", None), "base_filters", {})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["name"] in filters:
                    bound_filter_parameter(parameter, filters[parameter["name"]])
            self._declare_contents(operation.get("responses", {}))
        return operation

    def _declare_contents(self, responses):
        """Errors are JSON whatever format was asked (api.viewsets.ApiMixin); a CSV is rows of text
        under the columns the view writes (api.viewsets.ReadOnlyViewSet.csv_header)."""
        for status, response in responses.items():
            content = response.get("content", {})
            if str(status) != "200":
                response["content"] = {k: v for k, v in content.items() if k == "application/json"}
            elif "text/csv" in content and hasattr(self.view, "csv_header"):
                content["text/csv"] = {"schema": csv_rows_schema(self.view.csv_header())}

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if schema.get("description"):
            schema["description"] = translated(schema["description"])
        return schema

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
                description=_("Response format: `json` (default) or `csv` (lists are streamed, unpaginated)."),
            ),
        ]


class SchemaPageRenderer(OpenApiYamlRenderer):
    """The schema for a browser (Accept: text/html): its YAML shown in a page in the request's language,
    instead of a file of a type browsers download. Programs get YAML (Accept: */*) or `?format=json`."""

    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = (renderer_context or {}).get("request")
        context = {
            "language": get_language(),
            "title": TITLE,
            "docs_url": reverse("api-docs"),
            "schema": super().render(data, accepted_media_type, renderer_context).decode("utf-8"),
        }
        return loader.render_to_string("api/schema.html", context, request=request).encode(self.charset)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema in the request's language; its file is named in ASCII whatever the language.
    Shown inline: YAML or JSON as asked, or an HTML page of the YAML for a browser."""

    custom_settings = LANGUAGE_SETTINGS
    # The page last: a client accepting anything (*/*) gets YAML, as before.
    renderer_classes = [*SpectacularAPIView.renderer_classes, SchemaPageRenderer]

    def _get_filename(self, request, version):
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"electadmin-api{f'-{version}' if version else ''}.{suffix}"


class SwaggerView(SpectacularSwaggerSplitView):
    title = TITLE


class RedocView(SpectacularRedocView):
    title = TITLE
