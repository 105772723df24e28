"""The admin site of electadmin: open only to staff who sit on a commission (or superusers)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class ElectAdminSite(admin.AdminSite):
    site_header = _("electadmin")
    site_title = _("electadmin")
    index_title = _("Election administration")

    def has_permission(self, request):
        """Active staff with an active commission membership; superusers always.

        Clerks and chairs of precinct commissions are not staff: they use the entry pages. A
        staff flag alone is not enough, because the territory a user may see comes from their
        membership: without one they would see nothing anyway.
        """
        from .scope import scope_for  # this module is imported while apps load, before the models

        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or not scope_for(user).empty


class ElectAdminConfig(AdminConfig):
    """`django.contrib.admin` with the site above; INSTALLED_APPS lists it in admin's place."""

    default_site = "territory.admin_site.ElectAdminSite"
