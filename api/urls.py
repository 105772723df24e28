"""The auditors' API: the router of every resource, the OpenAPI schema and its docs page."""

from csp.decorators import csp_update
from django.urls import include, path, re_path

from api.audit_events import AuditEventViewSet
from api.resources.attachments import AttachmentViewSet
from api.resources.audit_checkpoints import AuditCheckpointViewSet
from api.resources.nist_cdf import ElectionNistCdfView
from api.resources.registry import CandidateViewSet, ContestViewSet, ElectionViewSet, OfficeTermViewSet, PartyViewSet
from api.resources.results_anomalies import AnomalyFlagViewSet
from api.resources.results_protocols import EntryViewSet, ProtocolViewSet
from api.resources.results_totals import ContestResultViewSet, TurnoutViewSet
from api.resources.territory import PollingStationViewSet, UnitViewSet
from api.schema import RedocView, SchemaView, SwaggerView
from api.viewsets import ApiRouter, not_found

router = ApiRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("polling-stations", PollingStationViewSet, basename="polling-station")
router.register("elections", ElectionViewSet, basename="election")
router.register("contests", ContestViewSet, basename="contest")
router.register("parties", PartyViewSet, basename="party")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("office-terms", OfficeTermViewSet, basename="office-term")
router.register("protocols", ProtocolViewSet, basename="protocol")
router.register("protocol-entries", EntryViewSet, basename="protocol-entry")
router.register("protocol-attachments", AttachmentViewSet, basename="protocol-attachment")
router.register("results", ContestResultViewSet, basename="result")
router.register("turnout", TurnoutViewSet, basename="turnout")
router.register("anomaly-flags", AnomalyFlagViewSet, basename="anomaly-flag")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("audit-checkpoints", AuditCheckpointViewSet, basename="audit-checkpoint")

urlpatterns = [
    path("api/v1/elections/<int:id>/nist-cdf/", ElectionNistCdfView.as_view(), name="election-nist-cdf"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SchemaView.as_view(urlconf="api.urls"), name="api-schema"),
    # Both docs pages load their scripts from static files (the Swagger UI's init script from
    # ?script, templates/drf_spectacular/), so script-src stays 'self'. Swagger UI draws icons from
    # data: URLs; Redoc injects <style> elements and runs a blob: worker: only these pages allow that.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(SwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["'self'", "blob:"]})(
            RedocView.as_view(url_name="api-schema")
        ),
        name="api-redoc",
    ),
    re_path(r"^api/", not_found),
]
