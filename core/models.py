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


class AuditCheckpoint(models.Model):
    """A signed state of the whole audit trail, as a Certificate Transparency signed tree head.

    Made by `core.checkpoints.make_checkpoint` only (at every aggregation run and hourly); never
    updated or deleted (on PostgreSQL a trigger refuses both, and TRUNCATE). See core/checkpoints.py.
    """

    class Occasion(models.TextChoices):
        AGGREGATION = "aggregation", _("aggregation run")
        HOURLY = "hourly", _("hourly")
        MANUAL = "manual", _("by hand")

    created_at = models.DateTimeField(_("signed at"), db_index=True)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices)
    size = models.PositiveBigIntegerField(_("events"))
    chains = models.PositiveBigIntegerField(_("chains"))
    # The cut: every audit event with an id up to this one, and no other.
    last_event_id = models.BigIntegerField(_("last event"))
    root = models.CharField(_("Merkle root"), max_length=64)
    signature = models.CharField(_("signature"), max_length=100)
    public_key = models.CharField(_("public key"), max_length=64)
    # [[stream, length, head], ...] of the chains that changed since the previous checkpoint.
    changes = models.JSONField(_("changed chain heads"), default=list, blank=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M} {self.size} {self.root[:12]}"

    def signed_text(self):
        from .checkpoints import signed_text

        return signed_text(
            size=self.size,
            chains=self.chains,
            last_event_id=self.last_event_id,
            root=self.root,
            created_at=self.created_at,
        )
