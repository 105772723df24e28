"""Precinct protocols, double entry, controls, certification and aggregation."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Results")

    def ready(self):
        # territory.roles is the one table of group permissions; later apps add their rows to it.
        from core import audit
        from territory import roles

        from .roles import RESULTS_GROUP_PERMISSIONS
        from .selectors import audit_data_visible_to

        # Blind double entry in the audit trail's admin too: no entry figures before both are done.
        audit.register_data_gate("results.protocol", audit_data_visible_to)

        for group, names in RESULTS_GROUP_PERMISSIONS.items():
            table = roles.GROUP_PERMISSIONS.setdefault(group, [])
            table.extend(name for name in names if name not in table)
