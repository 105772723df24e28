"""The core app: the audit trail, the clock, domain errors and the security signals."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Audit and common")

    def ready(self):
        from . import security  # noqa: F401  (connects the login audit receivers)
