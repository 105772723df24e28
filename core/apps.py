"""The core app: the audit trail and its checkpoints, the clock, domain errors and the security signals."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Audit and common")

    def ready(self):
        from . import auth_audit, checks, security  # noqa: F401  (signal receivers, deploy checks)
        from .relationships import name_join_models

        name_join_models()
