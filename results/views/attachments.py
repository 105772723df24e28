"""Attaching a photograph or PDF of the signed paper protocol (entry page), and serving it back.

Files are read only through `attachment_file`: logged in, and only for a protocol of the user's
territory (404 otherwise, as for the protocol itself), streamed from the attachments storage with
the type decided at upload, never one the browser might guess (nosniff).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, OutOfScope
from results.attachments import file_response, visible_attachments
from results.services.attachments import attach_protocol_file

from .common import entry_login_required, protocol_or_404


@entry_login_required
@require_POST
def attach(request, pk):
    protocol = protocol_or_404(request.user, pk)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _g("Choose a file to attach."))
        return redirect("results:entry", pk=protocol.pk)
    try:
        attachment, created = attach_protocol_file(protocol, uploaded, request.user)
    except OutOfScope:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("results:entry", pk=protocol.pk)
    if created:
        text = _g("File %(name)s attached. Its SHA-256 is %(sha256)s.")
    else:
        text = _g("This file is already attached to the protocol (SHA-256 %(sha256)s); it was not added again.")
    messages.success(request, text % {"name": attachment.original_name, "sha256": attachment.sha256})
    return redirect("results:entry", pk=protocol.pk)


@entry_login_required
@require_GET
def attachment_file(request, pk):
    return file_response(get_object_or_404(visible_attachments(request.user), pk=pk))
