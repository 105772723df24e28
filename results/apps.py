"""Precinct protocols, double entry, controls, certification and aggregation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self):
        # territory.roles is the one table of group permissions; later apps add their rows to it.
        from territory import roles

        from .roles import RESULTS_GROUP_PERMISSIONS

        for group, names in RESULTS_GROUP_PERMISSIONS.items():
            table = roles.GROUP_PERMISSIONS.setdefault(group, [])
            table.extend(name for name in names if name not in table)
