"""API resource of the photographs and PDFs of signed paper protocols (`protocol-attachments`).

Published with the protocol's figures: only attachments of verified or certified protocols, of the
token's territory. Each row gives the file's SHA-256 (the one recorded in the protocol's audit
chain, action `protocol.attach`), its size, type and upload time, and the URL that streams the
file itself (`/api/v1/protocol-attachments/<id>/file/`), with the same token and scope.
"""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.decorators import action

from api.errors import ErrorSerializer
from api.filters import territory_filterset
from api.pagination import CursorPagination
from api.renderers import CSVRenderer, JSONRenderer
from api.schema import ERROR_STATUSES
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from registry.models import Election
from results.attachments import file_response
from results.models import WITH_FIGURES, ProtocolAttachment


class AttachmentSerializer(serializers.ModelSerializer):
    """A photograph or PDF of a signed paper protocol: its hash, size, type and download URL."""

    election = serializers.IntegerField(source="protocol.election_id", read_only=True)
    name = serializers.CharField(source="original_name", help_text=_("The uploaded file's name, cleaned."))
    sha256 = serializers.CharField(help_text=_("SHA-256 of the file, hex; the same as in the protocol's audit chain."))
    size = serializers.IntegerField(help_text=_("Size in bytes."))
    content_type = serializers.ChoiceField(
        choices=ProtocolAttachment.ContentType.choices, help_text=_("The type found in the file's content.")
    )
    download_url = serializers.SerializerMethodField(help_text=_("Where to download the file (same token)."))

    class Meta:
        model = ProtocolAttachment
        fields = [
            "id",
            "protocol",
            "election",
            "cycle",
            "name",
            "sha256",
            "size",
            "content_type",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, attachment) -> str:
        path = reverse("protocol-attachment-file", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentFilter(territory_filterset("protocol__polling_station__unit")):
    protocol = django_filters.NumberFilter(
        field_name="protocol_id", min_value=1, max_value=2**62, help_text=_("Protocol id.")
    )
    election = django_filters.ModelChoiceFilter(
        field_name="protocol__election", queryset=Election.objects.all(), help_text=_("Election id.")
    )

    class Meta:
        model = ProtocolAttachment
        fields = ["protocol", "election"]


class FileRenderer(renderers.BaseRenderer):
    """Lets a download be asked for with any Accept header; the file itself is never rendered."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b""


FILE_TYPES = [choice for choice, _label in ProtocolAttachment.ContentType.choices]


class AttachmentViewSet(ReadOnlyViewSet):
    """Photographs and PDFs of signed paper protocols (verified or certified): SHA-256, size, type, download URL."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    pagination_class = CursorPagination
    queryset = (
        ProtocolAttachment.objects.select_related("protocol").filter(protocol__state__in=WITH_FIGURES).order_by("id")
    )

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), station="protocol__polling_station")

    @extend_schema(
        responses={
            **{(200, media_type): OpenApiResponse(OpenApiTypes.BINARY) for media_type in FILE_TYPES},
            **dict.fromkeys(ERROR_STATUSES, ErrorSerializer),
        },
    )
    @action(
        detail=True,
        url_path="file",
        renderer_classes=[JSONRenderer, CSVRenderer, FileRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def file(self, request, *args, **kwargs):
        """The file itself, with its type and name (images inline, PDFs as downloads)."""
        return file_response(self.get_object())

    def finalize_response(self, request, response, *args, **kwargs):
        # An error of the download is JSON like every other error, whatever was accepted.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and isinstance(renderer, FileRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
