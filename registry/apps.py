"""Elections and their rules, contests, parties, people, candidacies and registration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Candidate registry")

    def ready(self):
        # territory.roles is the one table of group permissions; later apps add their rows to it.
        from territory import roles

        from .roles import REGISTRY_GROUP_PERMISSIONS

        for group, names in REGISTRY_GROUP_PERMISSIONS.items():
            table = roles.GROUP_PERMISSIONS.setdefault(group, [])
            table.extend(name for name in names if name not in table)
