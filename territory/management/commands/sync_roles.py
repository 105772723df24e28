"""manage.py sync_roles: create the commission groups and grant every app's permissions (idempotent)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from territory import roles


class Command(BaseCommand):
    help = _("Create the commission groups and grant them the permissions of every app (adds only).")

    def handle(self, *args, **options):
        groups = roles.sync_groups()
        for name, group in sorted(groups.items()):
            self.stdout.write(
                _("%(group)s: %(count)d permissions") % {"group": name, "count": group.permissions.count()}
            )
