"""Celery tasks of core: a thin wrapper over core.checkpoints (Celery beat runs it hourly)."""

import logging

from celery import shared_task

from .checkpoints import SigningKeyMissing, make_checkpoint
from .models import AuditCheckpoint

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=12 * 60)
def make_audit_checkpoint():
    """Sign and store a checkpoint of the audit trail; returns its id (None without a signing key)."""
    try:
        checkpoint = make_checkpoint(AuditCheckpoint.Occasion.HOURLY)
    except SigningKeyMissing as exc:
        logger.error("audit checkpoint not made: %s", exc)
        return None
    return checkpoint.pk
