"""The last step of `load_demo`: a full aggregation of the demo election (idempotent)."""

from django.utils.translation import gettext

from core.commands import number
from registry.models import Election
from results.aggregation import recompute


def load(stdout):
    for election in Election.objects.exclude(status=Election.Status.CLOSED).order_by("pk"):
        summary = recompute(election, wait=True)
        rollup = election.turnout_rollups.filter(level="election", basis="official").first()
        turnout = f"{number(rollup.turnout_percent)}%" if rollup and rollup.turnout_percent is not None else "-"
        stdout.write(
            gettext("Aggregated %(election)s: %(contests)s contests, official turnout %(turnout)s")
            % {"election": election, "contests": number(summary.contests), "turnout": turnout}
        )
