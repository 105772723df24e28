"""The audit trail: append-only, hash-chained records of every state change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def object_type_of(obj):
    """The object type events about `obj` are recorded under: its model's label ("results.protocol"),
    or the model's `audit_object_type` when it keeps the label of an earlier home."""
    return getattr(obj, "audit_object_type", None) or obj._meta.label_lower


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(object_type=object_type_of(obj), object_id=str(obj.pk))

    def in_chain_order(self):
        """Chain by chain (see core.audit), each in the order it was written."""
        return self.order_by("stream", "id")


class AuditEvent(models.Model):
    """One state change: who, when, what, from which state to which, and why.

    Rows are written only by `core.audit.record`, never updated or deleted (on PostgreSQL a
    trigger refuses both). `hash` is SHA-256 over `prev_hash` and the canonical content, so
    any edit breaks the chain at that row (`manage.py verify_audit`).
    """

    created_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=40, blank=True)
    commission = models.CharField(_("commission"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    # The chain the event belongs to: "<object_type>:<object_id>" ("" for events written before
    # chains were per object). See core.audit.
    stream = models.CharField(_("chain"), max_length=110, blank=True, default="")
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The head of a chain (its last event) and the walk of `verify_audit`.
            models.Index(fields=["stream", "id"], name="audit_stream_id"),
        ]
        constraints = [
            # One successor per record: a forked chain cannot be stored.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_chain_linear"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
