"""manage.py aggregate --election ID [--full]: recompute an election's result tables synchronously."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number
from registry.models import Election
from results.aggregation import recompute


def progress_bar(done, total, width=30):
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Command(LocalizedCommand):
    help = gettext_lazy(
        "Recompute the result tables of an election with the code of the Celery task, in this process. "
        "Default: contests in batches (one transaction each) with a progress bar; --full: everything in "
        "one transaction. Waits for a running aggregation of the same election instead of skipping."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help=gettext_lazy("Election id."))
        parser.add_argument(
            "--full", action="store_true", help=gettext_lazy("Recompute everything in one transaction.")
        )
        parser.add_argument("--batch", type=int, default=100, help=gettext_lazy("Contests per batch (default 100)."))

    def handle(self, *args, election, full, batch, **options):
        election_obj = Election.objects.filter(pk=election).first()
        if election_obj is None:
            raise CommandError(_("No election with id %(id)s.") % {"id": election})
        if batch < 1:
            raise CommandError(_("--batch must be at least 1."))
        self.stdout.write(str(election_obj))
        if full:
            self.stdout.write(_("Full recomputation in one transaction..."))
            summary = recompute(election_obj, wait=True)
        else:
            ids = list(election_obj.contests.order_by("pk").values_list("pk", flat=True))
            summary = None
            for start in range(0, len(ids), batch):
                summary = recompute(election_obj, ids[start : start + batch], wait=True)
                self.stdout.write("\r" + progress_bar(min(start + batch, len(ids)), len(ids)), ending="")
                self.stdout.flush()
            self.stdout.write("")
            if summary is None:
                summary = recompute(election_obj, [], wait=True)
        rollup = election_obj.turnout_rollups.filter(level="election", basis="official").first()
        turnout = f"{number(rollup.turnout_percent)}%" if rollup and rollup.turnout_percent is not None else "-"
        self.stdout.write(
            self.style.SUCCESS(
                _("Done: %(contests)s contests, %(rollups)s roll-ups; official turnout %(turnout)s.")
                % {
                    "contests": number(election_obj.contests.count()),
                    "rollups": number(summary.rollups),
                    "turnout": turnout,
                }
            )
        )
