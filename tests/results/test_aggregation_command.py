"""manage.py aggregate: same tables as the task, batches with a progress bar, errors for bad input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from results.models import ContestResult, TurnoutRollup

from . import aggregation_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def election():
    region = data.region()
    district = data.district(region)
    election = data.election()
    for votes in ([10, 4], [3, 9], [5, 5]):
        c, cands, stations = data.contest(election, data.rural_district(district))
        data.simple_protocol(c, stations[0], cands, votes)
    return election


def test_unknown_election_is_an_error():
    with pytest.raises(CommandError):
        call_command("aggregate", "--election", "424242")


def test_bad_batch_is_an_error(election):
    with pytest.raises(CommandError):
        call_command("aggregate", "--election", str(election.pk), "--batch", "0")
    assert not ContestResult.objects.exists()


def test_batches_show_progress_and_give_the_full_result(election):
    out = StringIO()
    call_command("aggregate", "--election", str(election.pk), "--batch", "2", stdout=out)
    text = out.getvalue()
    assert "2/3" in text and "3/3" in text
    batched = sorted(ContestResult.objects.values_list("contest_id", "basis", "outcome", "ballots_issued"))
    rollup = TurnoutRollup.objects.get(election=election, level="election", basis="official").ballots_issued
    call_command("aggregate", "--election", str(election.pk), "--full", stdout=StringIO())
    assert sorted(ContestResult.objects.values_list("contest_id", "basis", "outcome", "ballots_issued")) == batched
    assert TurnoutRollup.objects.get(election=election, level="election", basis="official").ballots_issued == rollup
    assert rollup == 14 + 12 + 10
    assert "official turnout 1.20%." in text
