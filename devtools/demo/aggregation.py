"""The last step of `load_demo`: a full aggregation of the demo election (idempotent)."""

from registry.models import Election
from results.aggregation import recompute


def load(stdout):
    for election in Election.objects.exclude(status=Election.Status.CLOSED).order_by("pk"):
        summary = recompute(election, wait=True)
        rollup = election.turnout_rollups.filter(level="election", basis="official").first()
        turnout = f"{rollup.turnout_percent}%" if rollup and rollup.turnout_percent is not None else "-"
        stdout.write(f"Aggregated {election}: {summary.contests} contests, official turnout {turnout}")
