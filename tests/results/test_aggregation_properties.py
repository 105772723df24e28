"""Aggregation invariants (hypothesis): totals are the sums of the counted protocols, a rerun
changes nothing, reopening a protocol takes it out of the official totals."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core import clock
from results.aggregation import recompute
from results.models import CandidateResult, ContestResult, Protocol, ProtocolState, ProtocolVote, TurnoutRollup

from . import aggregation_data as data

S = ProtocolState
STATES = [S.EMPTY, S.FIRST_ENTRY_DONE, S.IN_DISCREPANCY, S.VERIFIED, S.CERTIFIED]

protocol_strategy = st.fixed_dictionaries(
    {
        "state": st.sampled_from(STATES),
        "votes": st.lists(st.integers(0, 500), min_size=3, max_size=3),
        "invalid": st.integers(0, 40),
        "mobile": st.integers(0, 30),
        "abstained": st.integers(0, 400),
    }
)
contests_strategy = st.lists(st.lists(protocol_strategy, min_size=1, max_size=4), min_size=1, max_size=3)


def build(contests_spec):
    region = data.region()
    district = data.district(region)
    election = data.election()
    built = []
    for spec in contests_spec:
        contest, cands, stations = data.contest(
            election, data.rural_district(district), candidates=3, stations=len(spec)
        )
        for station, p in zip(stations, spec, strict=True):
            total = sum(p["votes"]) + p["invalid"]
            mobile = min(p["mobile"], total)
            with_figures = p["state"] in (S.VERIFIED, S.CERTIFIED)
            if with_figures:
                figs = data.figures(total + p["abstained"], total - mobile, mobile, p["invalid"], p["votes"])
                data.protocol(contest, station, p["state"], figs, dict(zip(cands, p["votes"], strict=True)))
            else:
                data.protocol(contest, station, p["state"])
        built.append((contest, cands, spec))
    return election, built


def snapshot(election):
    def rows(qs):
        return sorted(
            tuple(sorted((k, str(v)) for k, v in r.items() if k not in ("id", "computed_at"))) for r in qs.values()
        )

    return (
        rows(ContestResult.objects.filter(election=election)),
        rows(CandidateResult.objects.filter(election=election)),
        rows(TurnoutRollup.objects.filter(election=election)),
    )


class AggregationProperties(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(contests_strategy)
    def test_contest_totals_equal_the_sums_of_the_counted_protocols(self, spec):
        election, built = build(spec)
        recompute(election)
        for basis, states in (("official", {S.CERTIFIED}), ("preliminary", {S.VERIFIED, S.CERTIFIED})):
            national_issued = national_voters = 0
            for contest, cands, protocols in built:
                counted = [p for p in protocols if p["state"] in states]
                row = ContestResult.objects.get(contest=contest, basis=basis)
                issued = sum(sum(p["votes"]) + p["invalid"] for p in counted)
                voters = sum(sum(p["votes"]) + p["invalid"] + p["abstained"] for p in counted)
                assert row.ballots_issued == issued
                assert row.ballots_found == issued
                assert row.registered_voters == voters
                assert row.invalid == sum(p["invalid"] for p in counted)
                assert row.valid == sum(sum(p["votes"]) for p in counted)
                assert (row.protocols_counted, row.protocols_expected) == (len(counted), len(protocols))
                for i, cand in enumerate(cands):
                    votes = CandidateResult.objects.get(candidacy=cand, basis=basis).votes
                    assert votes == sum(p["votes"][i] for p in counted)
                national_issued += issued
                national_voters += voters
            whole = TurnoutRollup.objects.get(election=election, basis=basis, level="election")
            assert (whole.ballots_issued, whole.registered_voters) == (national_issued, national_voters)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(contests_strategy)
    def test_running_twice_changes_nothing(self, spec):
        election, built = build(spec)
        recompute(election)
        first = snapshot(election)
        recompute(election)
        assert snapshot(election) == first
        recompute(election, [contest.pk for contest, _, _ in built])
        assert snapshot(election) == first

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(contests_strategy, st.data())
    def test_reopening_a_protocol_removes_it_from_official_totals(self, spec, draw):
        election, built = build(spec)
        recompute(election)
        certified = list(Protocol.objects.filter(election=election, state=S.CERTIFIED).order_by("pk"))
        if not certified:
            return
        victim = draw.draw(st.sampled_from(certified))
        before = ContestResult.objects.get(contest_id=victim.contest_id, basis="official")
        issued = victim.issued_station + victim.issued_mobile
        # What reopen_protocol does to the row (the service itself is tested by the results tests).
        ProtocolVote.objects.filter(protocol=victim).delete()
        nulls = dict.fromkeys(
            [
                "voters",
                "ballots_received",
                "issued_station",
                "issued_mobile",
                "spoiled",
                "unused",
                "found_stationary",
                "found_mobile",
                "invalid",
                "against_all",
                "certified_at",
                "certified_by",
            ]
        )
        Protocol.objects.filter(pk=victim.pk).update(
            state=S.FIRST_ENTRY_IN_PROGRESS, state_changed_at=clock.now(), **nulls
        )
        recompute(election, [victim.contest_id])
        after = ContestResult.objects.get(contest_id=victim.contest_id, basis="official")
        assert after.protocols_counted == before.protocols_counted - 1
        assert after.ballots_issued == before.ballots_issued - issued
        assert after.outcome == "incomplete"
