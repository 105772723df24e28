"""The demo election after `load_demo`: official national turnout 78.54%, every contest decided or
flagged, and a rerun of the aggregation changes nothing. One load for the whole module (slow)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import Election
from results.aggregation import recompute
from results.models import AnomalyFlag, ContestResult, Protocol, TurnoutRollup
from results.outcomes import Code

pytestmark = pytest.mark.django_db


def test_demo_figures_after_load_demo():
    call_command("load_demo", stdout=StringIO())
    # load_demo also calls a by-election (office register) and runs a district election with its runoffs.
    election = Election.objects.get(kind="regular", office_type="rural_district")
    whole = TurnoutRollup.objects.get(election=election, basis="official", level="election")
    assert whole.turnout_percent == Decimal("78.54")
    # Both elections end aggregated: the district election (synthetic) has every contest decided or flagged.
    district = Election.objects.get(kind="regular", office_type="district")
    assert TurnoutRollup.objects.filter(election=district, basis="official", level="election").exists()
    district_rows = ContestResult.objects.filter(election=district, basis="official")
    assert district_rows.count() == 45 and not district_rows.filter(outcome=Code.INCOMPLETE).exists()

    rows = list(ContestResult.objects.filter(election=election, basis="official").values_list("outcome", "flags"))
    assert len(rows) == 730
    undecided = [(o, f) for o, f in rows if o != Code.ELECTED and not f]
    assert undecided == []
    # The demo leaves a few protocols uncertified (empty, in entry, discrepancy, verified): their
    # contests are incomplete and flagged so; the others are decided.
    assert all("incomplete" in f for o, f in rows if o == Code.INCOMPLETE)
    assert sum(1 for o, _ in rows if o == Code.ELECTED) > 700
    assert TurnoutRollup.objects.filter(election=election, basis="official", level="region").count() == 14

    _the_planted_anomalies_raise_their_flags(election)

    before = sorted(
        ContestResult.objects.filter(election=election).values_list("contest_id", "basis", "outcome", "ballots_issued")
    )
    recompute(election)
    after = sorted(
        ContestResult.objects.filter(election=election).values_list("contest_id", "basis", "outcome", "ballots_issued")
    )
    assert after == before


def _the_planted_anomalies_raise_their_flags(election):
    """devtools.demo.results plants anomalies in verified protocols; the aggregation flags them."""
    flags = AnomalyFlag.objects.filter(election=election, polling_station__isnull=False)
    (full,) = flags.filter(code="turnout.near_full")
    assert full.values["percent"] == "100.00"
    assert flags.filter(code="turnout.outlier", polling_station=full.polling_station).exists()
    assert flags.filter(code="invalid_share.high", values__percent="7.92").count() == 1
    assert flags.filter(code="mobile_share.high", values__percent="24.81").count() == 1
    # The demo district: three planted round turnouts and one by chance, where 0.33 were expected.
    peak = flags.filter(code="turnout.integer_peak")
    assert {f.district.kato for f in peak} == {"352000000"}
    assert sorted(f.values["percent"] for f in peak) == ["75.00", "75.00", "77.00", "91.00"]
    assert {(f.values["round_stations"], f.values["expected"], f.values["stations"]) for f in peak} == {(4, "0.33", 22)}
    planted = Protocol.objects.filter(election=election, state="verified", district__kato="352000000")
    assert len({f.polling_station_id for f in peak} & set(planted.values_list("polling_station_id", flat=True))) == 3


def test_without_protocols_the_demo_contests_are_all_flagged_incomplete(monkeypatch):
    """The territory and registry steps alone: every contest is still covered (incomplete)."""
    from devtools.management.commands import load_demo

    monkeypatch.setattr(
        load_demo, "STEPS", ("devtools.demo.territory", "devtools.demo.registry", "devtools.demo.aggregation")
    )
    call_command("load_demo", stdout=StringIO())
    election = Election.objects.get(kind="regular")  # load_demo also calls a by-election (office register)
    rows = list(ContestResult.objects.filter(election=election, basis="official").values_list("outcome", "flags"))
    assert len(rows) == 730
    assert all(o == Code.INCOMPLETE and "incomplete" in f for o, f in rows)
