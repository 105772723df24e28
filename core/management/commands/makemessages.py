"""manage.py makemessages that also extracts `_g(...)`, the modules' alias of eager gettext."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # Modules that already use `_` for gettext_lazy import eager gettext as `_g` (results views, services).
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]
