"""The demo election in the NIST SP 1500-100 v2 format: `export_results` writes a file valid against
NIST's schema whose totals are those of the result tables. One load of the demo (slow)."""

import json
from collections import defaultdict
from io import StringIO

import jsonschema
import pytest
from django.core.management import call_command
from django.db.models import Sum

from registry.models import Election
from results.models import Basis, CandidateResult, ContestResult, Protocol
from results.models.protocols import WITH_FIGURES
from results.nist_cdf import SCHEMA_PATH

pytestmark = pytest.mark.django_db


def test_the_demo_election_exports_valid_and_equal_to_the_result_tables(tmp_path):
    call_command("load_demo", stdout=StringIO())
    election = Election.objects.get(kind="regular", office_type="rural_district")
    target = tmp_path / "demo.json"
    err = StringIO()
    call_command(
        "export_results", "--election", str(election.pk), "--format", "nist-cdf", "--output", str(target), stderr=err
    )
    data = json.loads(target.read_bytes())
    jsonschema.Draft4Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(data)
    assert err.getvalue().rstrip().endswith(f"Done: 730 contests written to {target}.")

    (report,) = data["Election"]
    contests = report["Contest"]
    assert len(contests) == ContestResult.objects.filter(election=election, basis=Basis.OFFICIAL).count() == 730
    # Every candidate's total is the result table's, and the sum of its polling stations'.
    tables = dict(
        CandidateResult.objects.filter(election=election, basis=Basis.PRELIMINARY).values_list("candidacy_id", "votes")
    )
    checked = 0
    for contest in contests:
        district = contest["ElectionDistrictId"]
        for selection in contest["ContestSelection"]:
            if "CandidateIds" not in selection:
                continue
            pk = int(selection["CandidateIds"][0].removeprefix("can-"))
            total = [c["Count"] for c in selection["VoteCounts"] if c["GpUnitId"] == district]
            stations = [c["Count"] for c in selection["VoteCounts"] if c["GpUnitId"] != district]
            assert total == [tables[pk]] == [sum(stations)]
            checked += 1
    assert checked == len(tables)
    # Ballots of the country and the stations against the tables and the protocols.
    ballots = {b["GpUnitId"]: b for b in report["BallotCounts"]}
    sums = ContestResult.objects.filter(election=election, basis=Basis.PRELIMINARY).aggregate(
        found=Sum("ballots_found"), invalid=Sum("invalid")
    )
    assert (ballots["gpu-kz"]["BallotsCast"], ballots["gpu-kz"]["BallotsRejected"]) == (sums["found"], sums["invalid"])
    station_ballots = [b for gpu, b in ballots.items() if gpu.count("-") == 2]
    counted = Protocol.objects.filter(election=election, state__in=WITH_FIGURES)
    assert len(station_ballots) == counted.count()
    assert sum(b["BallotsRejected"] for b in station_ballots) == sums["invalid"]
    # Statuses: the demo leaves a few protocols uncertified.
    statuses = defaultdict(int)
    for unit in data["GpUnit"]:
        if unit["Type"] == "precinct":
            statuses[unit["CountStatus"][0]["Status"]] += 1
    certified = Protocol.objects.filter(election=election, state="certified").count()
    assert statuses["completed"] == certified
    assert statuses["in-process"] == counted.count() - certified > 0
    assert statuses["not-processed"] > 0
    assert data["Status"] == "unofficial-partial"
