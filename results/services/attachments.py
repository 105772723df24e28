"""Attaching photographs (JPEG, PNG) or a PDF of the signed paper protocol: `attach_protocol_file`.

Who: a member of a commission that may enter the protocol (its precinct commission's clerks,
members, chair and deputy), the same rule as entry (`results.permissions.check_enter`). A
territorial commission or a superuser, who certify protocols, do not attach: the paper is the
precinct's evidence, and whoever certifies on its strength should not be the one supplying it.

When: in every state but certified. A certified protocol is locked (docs/ARCHITECTURE.md): its
certification covered the protocol and the evidence it had; a later photograph would change
what was certified without a trace in its state. To add one, the TEC reopens the protocol, as it
would for any other change.

What: the type is decided by the file's first bytes, never by its name or the browser's claim;
the size is bounded by `settings.RESULTS_ATTACHMENT_MAX_BYTES`; the SHA-256 is computed over the
stream, chunk by chunk; the file is stored in the `attachments` storage under a name of the
service's making, and the hash, size, type and cleaned name go into the protocol's audit chain
in the same transaction as the row. The same file sent again for the same protocol (a double
submit) is answered with the attachment it made the first time, nothing written twice.
"""

import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _g

from core import audit, clock
from core.errors import DomainError
from results.errors import (
    AttachmentEmpty,
    AttachmentNameInvalid,
    AttachmentNotPermitted,
    AttachmentProtocolCertified,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    CertifierMayNotEnter,
)
from results.models import ProtocolAttachment, ProtocolState
from results.permissions import check_enter

from .state_machine import lock

ACTION = "protocol.attach"
MAX_NAME_LENGTH = 200
SIGNATURES = (
    (b"\xff\xd8\xff", ProtocolAttachment.ContentType.JPEG, "jpg"),
    (b"\x89PNG\r\n\x1a\n", ProtocolAttachment.ContentType.PNG, "png"),
    (b"%PDF-", ProtocolAttachment.ContentType.PDF, "pdf"),
)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]")


def detect_type(head):
    """(content type, extension) of a file starting with the bytes `head`, or None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name):
    """The uploader's file name as kept and shown: its last path component, NFC, unsafe characters
    replaced by "_". AttachmentNameInvalid for a NUL, an empty name or one over MAX_NAME_LENGTH."""
    name = name if isinstance(name, str) else ""
    if "\x00" in name:
        raise AttachmentNameInvalid(details={"field": "file"})
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = _UNSAFE.sub("_", name).strip(". ")
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AttachmentNameInvalid(
            _g("The file name must have 1 to %(limit)d characters: rename the file and retry.")
            % {"limit": MAX_NAME_LENGTH},
            details={"field": "file", "limit": MAX_NAME_LENGTH},
        )
    return name


def check_attach(user, protocol):
    """The Actor who may attach files to `protocol`, or OutOfScope / AttachmentNotPermitted."""
    try:
        return check_enter(user, protocol.polling_station)
    except CertifierMayNotEnter:
        raise AttachmentNotPermitted() from None


def can_attach(user, protocol):
    try:
        check_attach(user, protocol)
    except DomainError:
        return False
    return protocol.state != ProtocolState.CERTIFIED


def _measure(uploaded_file, limit):
    """(content type, extension, sha256 hex, size) of the upload, read once in chunks."""
    digest = hashlib.sha256()
    size = 0
    found = None
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        if found is None:
            found = detect_type(chunk[:8]) or False
            if not found and chunk:
                raise AttachmentTypeNotAllowed(details={"field": "file"})
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        digest.update(chunk)
    if size == 0:
        raise AttachmentEmpty(details={"field": "file"})
    if not found:
        raise AttachmentTypeNotAllowed(details={"field": "file"})
    uploaded_file.seek(0)
    return found[0], found[1], digest.hexdigest(), size


def _too_large(limit):
    return AttachmentTooLarge(
        _g("The file is too large: at most %(limit)s are accepted.") % {"limit": limit_text(limit)},
        details={"field": "file", "limit": limit},
    )


def limit_text(limit=None):
    """The size limit as people read it ("10 MB", "1.5 MB", "500 KB", "100 B"), in the active language."""
    limit = settings.RESULTS_ATTACHMENT_MAX_BYTES if limit is None else limit
    for unit, text in ((1024 * 1024, _g("%(count)s MB")), (1024, _g("%(count)s KB"))):
        if limit >= unit:
            return text % {"count": f"{limit / unit:.1f}".removesuffix(".0")}
    return _g("%(count)s B") % {"count": limit}


def attach_protocol_file(protocol, uploaded_file, actor):
    """Attach `uploaded_file` (a Django UploadedFile or File) to `protocol` as `actor`.

    Returns (attachment, created): created is False when this very file was already attached to
    the protocol (the first attachment is returned, nothing is written). Raises OutOfScope,
    AttachmentNotPermitted, AttachmentProtocolCertified, AttachmentNameInvalid, AttachmentEmpty,
    AttachmentTooLarge, AttachmentTypeNotAllowed; nothing is stored then.
    """
    check_attach(actor, protocol)
    name = clean_name(getattr(uploaded_file, "name", ""))
    limit = settings.RESULTS_ATTACHMENT_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    content_type, extension, sha256, size = _measure(uploaded_file, limit)
    existing = ProtocolAttachment.objects.filter(protocol=protocol, sha256=sha256).first()
    if existing is not None:
        return existing, False
    stored = None
    try:
        with transaction.atomic():
            protocol = lock(protocol.pk)
            who = check_attach(actor, protocol)  # again under the lock: seats and state as of now
            if protocol.state == ProtocolState.CERTIFIED:
                raise AttachmentProtocolCertified()
            existing = ProtocolAttachment.objects.filter(protocol=protocol, sha256=sha256).first()
            if existing is not None:
                return existing, False
            attachment = ProtocolAttachment(
                protocol=protocol,
                sha256=sha256,
                content_type=content_type,
                size=size,
                original_name=name,
                cycle=protocol.cycle,
                uploaded_by=actor,
                uploaded_at=clock.now(),
            )
            # The storage renames on a clash (a file left by a crash): keep the name it chose.
            stored = attachment.file.storage.save(
                f"protocols/{protocol.pk}/{sha256}.{extension}", File(uploaded_file, name=name)
            )
            attachment.file.name = stored
            attachment.save(force_insert=True)
            audit.record(
                actor=actor,
                action=ACTION,
                obj=protocol,
                from_state=protocol.state,
                to_state=protocol.state,
                role=who.role,
                commission=who.commission,
                data={
                    "attachment": attachment.pk,
                    "sha256": sha256,
                    "size": size,
                    "content_type": content_type,
                    "name": name,
                },
            )
    except IntegrityError:
        # Another request attached the same file between our check and our insert.
        _discard(stored)
        return ProtocolAttachment.objects.get(protocol=protocol, sha256=sha256), False
    except BaseException:
        _discard(stored)
        raise
    return attachment, True


def _discard(stored):
    """Remove a file stored by a transaction that rolled back, unless a committed row names it."""
    if stored and not ProtocolAttachment.objects.filter(file=stored).exists():
        ProtocolAttachment.file.field.storage.delete(stored)
