"""The auditors' read-only API: above territory, registry and results, imported by none of them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Auditors' API")
