"""manage.py sync_roles: create the commission groups and grant every app's permissions (idempotent)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number
from territory import roles

# The groups' names are identifiers (the admin and the code look them up); what each is, in words.
GROUP_LABELS = {
    roles.CEC: gettext_lazy("members of the Central Election Commission"),
    roles.TEC: gettext_lazy("members of territorial election commissions"),
    roles.PRECINCT: gettext_lazy("members of precinct election commissions"),
    roles.AUDITORS: gettext_lazy("auditors (read-only API)"),
}


class Command(LocalizedCommand):
    help = gettext_lazy("Create the commission groups and grant them the permissions of every app (adds only).")

    def handle(self, *args, **options):
        groups = roles.sync_groups()
        for name, group in sorted(groups.items()):
            self.stdout.write(
                _("%(group)s: %(count)s permissions (%(label)s)")
                % {"group": name, "label": GROUP_LABELS.get(name, name), "count": number(group.permissions.count())}
            )
