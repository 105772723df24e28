"""Photographs (JPEG, PNG) and scans (PDF) of a protocol's signed paper original.

Written only by `results.services.attachments.attach_protocol_file`, which checks the type by the
file's content, its size and the uploader's seat, and records the SHA-256 in the protocol's audit
chain. The file is kept in the `attachments` storage of `settings.STORAGES` (local files under
MEDIA_ROOT by default, which no URL serves) under a name made of the protocol and the hash: the
uploader's file name is kept, cleaned, only to be shown and offered on download.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def attachment_storage():
    """The storage of protocol attachments, as settings.STORAGES["attachments"] chooses it (a callable,
    so that migrations name this function rather than one deployment's storage)."""
    return storages["attachments"]


class ProtocolAttachment(models.Model):
    class ContentType(models.TextChoices):
        JPEG = "image/jpeg", _("JPEG image")
        PNG = "image/png", _("PNG image")
        PDF = "application/pdf", _("PDF document")

    IMAGES = (ContentType.JPEG, ContentType.PNG)

    protocol = models.ForeignKey(
        "Protocol", verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=attachment_storage, max_length=200, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    content_type = models.CharField(_("content type"), max_length=40, choices=ContentType.choices, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    cycle = models.PositiveIntegerField(_("entry cycle"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), editable=False)

    class Meta:
        verbose_name = _("protocol attachment")
        verbose_name_plural = _("protocol attachments")
        ordering = ["protocol_id", "uploaded_at", "id"]
        constraints = [
            # The same file twice on one protocol is one attachment (a double submit, a second
            # clerk uploading the same photo): the service answers with the first.
            models.UniqueConstraint(fields=["protocol", "sha256"], name="one_attachment_per_file_per_protocol"),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="attachment_allowed_type",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="attachment_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def is_image(self):
        return self.content_type in self.IMAGES
