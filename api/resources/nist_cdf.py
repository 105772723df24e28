"""The NIST SP 1500-100 v2 election report of one election (results/nist_cdf/), streamed as JSON
and limited to the request's territory."""

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.renderers import JSONRenderer
from api.schema import ERROR_STATUSES, ApiSchema
from api.scoping import scope_for_request
from api.viewsets import ApiMixin
from registry.models import Election
from results.nist_cdf import Report

CONTENT_TYPE = "application/json"


class NistCdfSchema(ApiSchema):
    """The report is JSON only: no `format` parameter."""

    def get_override_parameters(self):
        return [p for p in super().get_override_parameters() if getattr(p, "name", None) != "format"]


class ElectionNistCdfView(ApiMixin, APIView):
    """One election's results in the NIST SP 1500-100 v2 common data format (one ElectionReport, JSON), within the
    token's territory: contests, candidates, parties, units down to polling stations, vote and ballot counts and
    their status."""

    renderer_classes = [JSONRenderer]
    schema = NistCdfSchema()

    @extend_schema(
        operation_id="elections_nist_cdf",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Election id."))],
        responses={
            200: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=_(
                    "An ElectionReport valid against the NIST SP 1500-100 v2 JSON schema, streamed; the same data "
                    "gives the same bytes."
                ),
            ),
            **dict.fromkeys(ERROR_STATUSES, ErrorSerializer),
        },
    )
    def get(self, request, id):
        election = Election.objects.filter(pk=id).first()
        if election is None:
            raise NotFound()
        report = Report(election, scope_for_request(request))
        if not report.exists():  # nothing of this election in the token's territory
            raise NotFound()
        response = StreamingHttpResponse(report.chunks(), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="election-{election.pk}-{election.election_day:%Y-%m-%d}-nist-cdf.json"'
        )
        return response
