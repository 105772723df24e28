"""The second demo election (district akims, synthetic figures): rules other than 2021's, 45
contests, four runoffs held to the end, one contest void for turnout, one tie flagged; every step
through the services; idempotent; check_cycle finds nothing stuck."""

import io
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from core.audit import verify_chain
from core.models import AuditEvent
from devtools.demo import district_election as demo
from devtools.demo import territory as demo_territory
from registry.models import Candidacy, ContestFollowUp, TermOfOffice
from results.models import ContestResult, Protocol, ProtocolEntry

pytestmark = pytest.mark.django_db


def test_district_election_demo(client):
    demo_territory.load(StringIO())
    out = StringIO()
    election = demo.load(out)
    text = out.getvalue()

    assert (election.office_type, election.winner_rule, election.against_all, election.min_turnout_percent) == (
        "district",
        "absolute_majority",
        True,
        50,
    )
    assert election.status == "results_established"
    assert election.contests.count() == 45
    assert Candidacy.objects.registered().filter(election=election).count() == 135
    assert set(Candidacy.objects.filter(election=election).values_list("person__is_synthetic", flat=True)) == {True}

    official = ContestResult.objects.filter(election=election, basis="official")
    outcomes = sorted(official.values_list("outcome", flat=True))
    assert outcomes.count("elected") == 39
    assert (outcomes.count("runoff"), outcomes.count("invalid_turnout"), outcomes.count("tie")) == (4, 1, 1)
    void = official.get(outcome="invalid_turnout")
    assert void.turnout_percent < 50
    actions = sorted(ContestFollowUp.objects.filter(contest__election=election).values_list("action", flat=True))
    assert (actions.count("winner_registered"), actions.count("runoff")) == (39, 4)
    assert (actions.count("repeat_election"), actions.count("tie")) == (1, 1)
    assert "ties for the commission: 1" in text and "runoffs called: 4" in text

    # Every protocol entered twice by two clerks and certified, in both rounds.
    rounds = [election.pk, *election.follow_ups.values_list("pk", flat=True)]
    protocols = Protocol.objects.filter(election__in=rounds)
    assert protocols.exclude(state="certified").count() == 0
    assert ProtocolEntry.objects.filter(protocol__in=protocols).count() == 2 * protocols.count()

    runoffs = list(election.follow_ups.filter(kind="runoff"))
    assert len(runoffs) == 4
    for runoff in runoffs:
        assert (runoff.winner_rule, runoff.status, runoff.election_day.isoformat()) == (
            "plurality",
            "results_established",
            "2024-12-01",
        )
        contest = runoff.contests.get()
        first_round = ContestFollowUp.objects.get(follow_up_election=runoff).contest
        assert first_round.unit_id == contest.unit_id
        result = ContestResult.objects.get(contest=contest, basis="official")
        assert result.outcome == "elected"
        term = TermOfOffice.objects.get(unit=contest.unit)
        assert (term.election_id, term.candidacy_id, term.term_number) == (runoff.pk, result.winner_id, 1)
        assert contest.protocols.count() == first_round.protocols.count()
    assert TermOfOffice.objects.filter(office_type="district").count() == 43

    for target in [election, *runoffs]:
        report = io.StringIO()
        call_command("check_cycle", election=target.pk, stdout=report)  # no SystemExit: nothing stuck
        assert "0 stuck" in report.getvalue()
    stats = io.StringIO()
    call_command("registry_stats", election=election.pk, json=True, stdout=stats)
    assert (json.loads(stats.getvalue())["registered"], json.loads(stats.getvalue())["contests"]) == (135, 45)
    assert verify_chain()[1] is None

    # The dashboard lists the district election and shows it, with its runoffs linked.
    client.force_login(get_user_model().objects.get(username="cec"))
    index = client.get(reverse("results_reports:index")).content.decode()
    assert reverse("results_reports:election", args=[election.pk]) in index
    page = client.get(reverse("results_reports:election", args=[election.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for runoff in runoffs:
        assert reverse("results_reports:election", args=[runoff.pk]) in html

    events = AuditEvent.objects.count()
    again = StringIO()
    assert demo.load(again) == election
    assert "already loaded" in again.getvalue()
    assert AuditEvent.objects.count() == events
