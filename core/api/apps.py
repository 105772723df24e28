"""App config of the API machinery (so that its admin module is discovered)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "core.api"
    label = "core_api"
    verbose_name = _("Auditors' API")
