"""Reads of protocol attachments (photographs and PDFs of the signed paper protocol), and the one
response that serves a file (the pages' and the API's).

Writes are `results.services.attachments`. Every read here is scoped by the caller's territory,
so an attachment of a station outside it is never found (the pages answer 404).
"""

from django.http import FileResponse, Http404

from results.models import ProtocolAttachment
from territory.scope import filter_by_station


def attachments_of(protocol_ids):
    """{protocol id: [attachment, ...]} in upload order, in one query (lists of protocols)."""
    found = {}
    for attachment in ProtocolAttachment.objects.filter(protocol_id__in=list(protocol_ids)).order_by(
        "protocol_id", "uploaded_at", "pk"
    ):
        found.setdefault(attachment.protocol_id, []).append(attachment)
    return found


def visible_attachments(user):
    """The attachments of the protocols of `user`'s territory."""
    return filter_by_station(user, ProtocolAttachment.objects.all(), "protocol__polling_station").select_related(
        "protocol"
    )


def file_response(attachment):
    """The attachment's bytes with its type, its name and no sniffing; images inline, PDFs as downloads."""
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Length"] = str(attachment.size)
    return response
