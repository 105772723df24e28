"""OpenAPI generation: the token security scheme, error responses and the `format` parameter, in the
request's language.

The schema is generated per request (nothing caches it), inside the language LocaleMiddleware chose
(the language cookie, then Accept-Language), or `?lang=`; every description is a lazy translation,
turned into text only then. Operation and component descriptions come from the docstrings of the
viewsets and serializers: their English text is the msgid, listed in DOCSTRINGS so that the
catalogues carry it (tests/i18n/test_api_docs_language.py fails when a docstring is missing here).
"""

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from .errors import ErrorSerializer

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


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("An auditor's token, sent as `Authorization: Token <token>`."),
        }


class ApiSchema(AutoSchema):
    """Every operation documents its error bodies and the `format` parameter (json or csv)."""

    def get_description(self):
        return translated(super().get_description())

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


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema in the request's language; its file is named in ASCII whatever the language."""

    custom_settings = LANGUAGE_SETTINGS

    def _get_filename(self, request, version):
        suffix = self.perform_content_negotiation(request, force=True)[0].format
        return f"electadmin-api{f'-{version}' if version else ''}.{suffix}"


class SwaggerView(SpectacularSwaggerSplitView):
    title = TITLE


class RedocView(SpectacularRedocView):
    title = TITLE
