"""The `audit-checkpoints` resource: the signed checkpoints of the audit trail (core.checkpoints).

A checkpoint holds no event's content: the number of events up to its cut, the number of chains,
a Merkle root over every chain's head, the time, the Ed25519 signature and public key, and the
exact text the signature covers. So every token sees every checkpoint, and an auditor who keeps
one can later prove, with `manage.py verify_audit --checkpoint FILE`, that the trail extends it.
The detail page with `?heads=1` adds every chain's head (what `audit_checkpoint --export` writes).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.filters import InstantFilter
from api.viewsets import ReadOnlyViewSet
from core.checkpoints import FORMAT, export
from core.models import AuditCheckpoint


class AuditCheckpointSerializer(serializers.ModelSerializer):
    time = serializers.DateTimeField(source="created_at", help_text=_("When the checkpoint was signed."))
    signed_text = serializers.SerializerMethodField(help_text=_("The exact text the signature covers."))
    format = serializers.SerializerMethodField(help_text=_("The checkpoint format (what verify_audit expects)."))

    class Meta:
        model = AuditCheckpoint
        fields = [
            "format",
            "id",
            "time",
            "occasion",
            "size",
            "chains",
            "last_event_id",
            "root",
            "signature",
            "public_key",
            "signed_text",
        ]

    def get_format(self, checkpoint) -> str:
        return FORMAT

    def get_signed_text(self, checkpoint) -> str:
        return checkpoint.signed_text()


class AuditCheckpointFilter(django_filters.FilterSet):
    since = InstantFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Signed at or after this moment (ISO 8601).")
    )
    until = InstantFilter(
        field_name="created_at", lookup_expr="lt", help_text=_("Signed before this moment (ISO 8601).")
    )

    class Meta:
        model = AuditCheckpoint
        fields = ["since", "until"]


class AuditCheckpointViewSet(ReadOnlyViewSet):
    """Signed checkpoints of the audit trail, newest first: size, chains, Merkle root, signature, public key."""

    serializer_class = AuditCheckpointSerializer
    filterset_class = AuditCheckpointFilter
    queryset = AuditCheckpoint.objects.order_by("-id")
    query_parameters = {"retrieve": {"heads"}}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "heads",
                OpenApiTypes.BOOL,
                description=_("1: add every chain's head [chain, length, head hash], as the export does."),
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        checkpoint = self.get_object()
        data = self.get_serializer(checkpoint).data
        if request.query_params.get("heads") in ("1", "true"):
            data["heads"] = export(checkpoint)["heads"]
        return Response(data)
