"""The office register demo: the 2021 winners registered as akims (730 contests less those flagged
for a repeat election and those still pending), a few terms with reports, one no-confidence
procedure ending a term and its by-election; idempotent."""

import datetime
from io import StringIO

import pytest

from core.audit import verify_chain
from core.models import AuditEvent
from devtools.demo import aggregation as demo_aggregation
from devtools.demo import offices as demo_offices
from devtools.demo import results as demo
from registry.models import ContestFollowUp, Election, MaslikhatReport, NoConfidenceVote, TermOfOffice
from results.models import ContestResult

pytestmark = pytest.mark.django_db


def test_demo_office_register():
    import devtools.demo.registry
    import devtools.demo.territory

    devtools.demo.territory.load(StringIO())
    devtools.demo.registry.load(StringIO())
    demo.load(StringIO())
    demo_aggregation.load(StringIO())
    out = StringIO()
    demo_offices.load(out)
    text = out.getvalue()

    election = devtools.demo.registry.existing_election()
    assert (election.status, election.results_established_on) == ("results_established", datetime.date(2021, 7, 27))
    official = ContestResult.objects.filter(election=election, basis="official")
    assert election.contests.count() == 730
    pending = official.filter(outcome="incomplete").count()  # protocols the results demo leaves in entry
    flagged = ContestFollowUp.objects.filter(contest__election=election, action="repeat_election")
    # the five single-candidate contests of the registry demo, and nothing else
    assert sorted(flagged.values_list("flags", flat=True)) == [["few_candidates"]] * 5
    assert not ContestFollowUp.objects.filter(contest__election=election, action__in=["tie", "runoff"]).exists()

    holders = TermOfOffice.objects.filter(election=election)
    assert holders.count() == 730 - flagged.count() - pending
    assert holders.count() == ContestFollowUp.objects.filter(action="winner_registered").count()
    assert f"winners registered as akims: {holders.count()}" in text
    for follow_up in flagged.select_related("contest__unit"):
        assert follow_up.contest.unit.kato in text  # every flag is listed
    assert set(holders.values_list("started_on", "planned_end_on").distinct()) == {
        (datetime.date(2021, 8, 2), datetime.date(2025, 8, 2))
    }

    removed = holders.get(end_reason="no_confidence")
    assert removed.ended_on == datetime.date(2023, 4, 20)
    vote = NoConfidenceVote.objects.get(term=removed)
    assert (vote.outcome, vote.grounds) == ("passed", "reports_not_approved")
    by_election = removed.by_election
    assert (by_election.kind, by_election.origin, by_election.election_day) == (
        "by_election",
        election,
        datetime.date(2023, 6, 29),
    )
    assert list(by_election.contests.values_list("unit_id", flat=True)) == [removed.unit_id]
    assert holders.filter(ended_on__isnull=True).count() == holders.count() - 1
    assert MaslikhatReport.objects.filter(term__election=election).count() == 5
    assert NoConfidenceVote.objects.filter(outcome="failed").count() == 1

    before = (AuditEvent.objects.count(), TermOfOffice.objects.count(), Election.objects.count())
    demo_offices.load(StringIO())
    assert (AuditEvent.objects.count(), TermOfOffice.objects.count(), Election.objects.count()) == before
    assert verify_chain()[1] is None
