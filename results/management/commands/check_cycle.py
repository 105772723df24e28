"""manage.py check_cycle --election ID: every contest of the election that is stuck in the cycle
(no protocols, no result, a result with no follow-up where one is due); exits 1 if any is."""

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.commands import LocalizedCommand
from registry.models import Election
from results.cycle import contest_states


class Command(LocalizedCommand):
    help = gettext_lazy(
        "List the contests of an election that are stuck: candidates final but no protocols, every protocol "
        "certified but no official result, results established but no follow-up recorded. Exits 1 if any is; "
        "--all lists every contest with its state."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help=gettext_lazy("Election id."))
        parser.add_argument(
            "--all",
            dest="show_all",
            action="store_true",
            help=gettext_lazy("List every contest, not only the stuck ones."),
        )

    def handle(self, *args, election, show_all, **options):
        target = Election.objects.filter(pk=election).first()
        if target is None:
            raise CommandError(_("No election with id %(id)s.") % {"id": election})
        states = contest_states(target)
        stuck = [s for s in states if s.stuck]
        self.stdout.write(str(target))
        for s in states if show_all else stuck:
            marker = pgettext("contest state", "STUCK") if s.stuck else pgettext("contest state", "ok")
            self.stdout.write(f"{marker} {s.kato} {s.name}: {s.state} ({s.label}){' ' + s.detail if s.detail else ''}")
        tally = {}
        for s in states:
            tally[s.state] = tally.get(s.state, 0) + 1
        self.stdout.write(
            _("%(n)d contests, %(stuck)d stuck") % {"n": len(states), "stuck": len(stuck)}
            + (": " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())) if tally else "")
        )
        if stuck:
            sys.exit(1)
