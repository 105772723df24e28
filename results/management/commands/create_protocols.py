"""manage.py create_protocols [--election ID]: create the protocols of an election (any kind) once its
candidates are final, or of every election that is due."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number
from core.errors import DomainError
from registry.models import Election
from results.services import creation


class Command(LocalizedCommand):
    help = gettext_lazy("Create the protocols of an election whose candidates are final (default: every election due).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--election", type=int, help=gettext_lazy("id of the election (default: every election due)")
        )

    def handle(self, *args, election=None, **options):
        if election is None:
            created = creation.create_due_protocols(None)
        else:
            try:
                target = Election.objects.get(pk=election)
            except Election.DoesNotExist as exc:
                raise CommandError(_("no election %(id)s") % {"id": election}) from exc
            try:
                created = {target.pk: creation.create_protocols_for_election(target, None)}
            except DomainError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
        for election_id, count in created.items():
            self.stdout.write(
                _("election %(id)s: %(count)s protocols created") % {"id": election_id, "count": number(count)}
            )
        if not created:
            self.stdout.write(_("no election is due"))
