"""Outcome rules (results.outcomes): every rule and its edges, plus hypothesis properties."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from results.outcomes import (
    ABSOLUTE_MAJORITY,
    AGAINST_ALL_INVALIDATES,
    PLURALITY,
    Code,
    Flag,
    Outcome,
    Rules,
    decide,
    has_absolute_majority,
    turnout_reaches,
)

from .aggregation_data import outcome_figures as figures

PLUR = Rules()
MAJ = Rules(winner_rule=ABSOLUTE_MAJORITY)
AA = Rules(against_all=True, against_all_effect=AGAINST_ALL_INVALIDATES)


# --- unhappy and incomplete first ---------------------------------------------------------------


def test_missing_protocol_makes_the_contest_incomplete_whatever_the_votes():
    out = decide(figures({1: 500, 2: 10}, counted=2, expected=3), PLUR)
    assert out.code == Code.INCOMPLETE
    assert out.winner is None
    assert Flag.INCOMPLETE in out.flags


def test_no_protocol_expected_is_incomplete_not_elected():
    out = decide(figures({1: 5, 2: 1}, counted=0, expected=0), PLUR)
    assert out.code == Code.INCOMPLETE


def test_no_candidates():
    out = decide(figures({}), PLUR)
    assert out.code == Code.NO_CANDIDATES
    assert Flag.FEW_CANDIDATES in out.flags


def test_single_candidate_is_elected_under_plurality_but_flagged():
    out = decide(figures({7: 300}), PLUR)
    assert out.code == Code.ELECTED
    assert out.winner == 7
    assert out.flags == (Flag.FEW_CANDIDATES,)


def test_two_candidates_are_not_flagged_as_few():
    out = decide(figures({1: 300, 2: 200}), PLUR)
    assert out.flags == ()


def test_min_candidates_comes_from_the_rules():
    out = decide(figures({1: 300, 2: 200}), Rules(min_candidates=3))
    assert Flag.FEW_CANDIDATES in out.flags


def test_no_valid_votes_elects_nobody():
    out = decide(figures({1: 0, 2: 0}, issued=40), PLUR)
    assert out.code == Code.NO_VOTES
    assert out.winner is None


# --- plurality ----------------------------------------------------------------------------------


def test_plurality_winner():
    out = decide(figures({1: 100, 2: 300, 3: 299}), PLUR)
    assert (out.code, out.winner) == (Code.ELECTED, 2)


def test_plurality_exact_tie_is_flagged_never_decided():
    out = decide(figures({1: 300, 2: 300, 3: 10}), PLUR)
    assert out.code == Code.TIE
    assert out.winner is None
    assert set(out.tied) == {1, 2}
    assert Flag.TIE in out.flags


def test_plurality_ignores_the_majority():
    out = decide(figures({1: 30, 2: 20, 3: 20, 4: 20}, issued=90), PLUR)
    assert (out.code, out.winner) == (Code.ELECTED, 1)


# --- absolute majority --------------------------------------------------------------------------


def test_majority_more_than_half_of_voters_who_took_part_elects():
    out = decide(figures({1: 51, 2: 49}, issued=100), MAJ)
    assert (out.code, out.winner) == (Code.ELECTED, 1)


def test_exactly_half_is_not_a_majority_and_goes_to_a_runoff():
    out = decide(figures({1: 50, 2: 30, 3: 20}, issued=100), MAJ)
    assert out.code == Code.RUNOFF
    assert out.runoff == (1, 2)
    assert out.winner is None
    assert Flag.RUNOFF in out.flags


def test_majority_base_is_ballots_issued_not_valid_votes():
    # 51 of 100 valid votes but 104 voters took part (4 invalid ballots): 51 * 2 = 102 < 104.
    out = decide(figures({1: 51, 2: 49}, issued=104), MAJ)
    assert out.code == Code.RUNOFF


def test_runoff_with_two_tied_leaders_takes_both():
    out = decide(figures({1: 40, 2: 40, 3: 20}, issued=100), MAJ)
    assert (out.code, out.runoff) == (Code.RUNOFF, (1, 2))


def test_three_tied_leaders_cannot_make_a_runoff_pair():
    out = decide(figures({1: 30, 2: 30, 3: 30}, issued=100), MAJ)
    assert out.code == Code.TIE
    assert set(out.tied) == {1, 2, 3}


def test_tie_for_second_place_is_flagged():
    out = decide(figures({1: 40, 2: 30, 3: 30}, issued=100), MAJ)
    assert out.code == Code.TIE
    assert set(out.tied) == {2, 3}


def test_single_candidate_without_majority_is_not_elected():
    out = decide(figures({1: 40}, issued=100), MAJ)
    assert out.code == Code.NOT_ELECTED
    assert {Flag.NOT_ELECTED, Flag.FEW_CANDIDATES} <= set(out.flags)


@pytest.mark.parametrize(("votes", "issued", "expected"), [(50, 100, False), (51, 100, True), (50, 99, True)])
def test_has_absolute_majority_edges(votes, issued, expected):
    assert has_absolute_majority(votes, issued) is expected


def test_no_majority_with_nobody_voting():
    assert has_absolute_majority(0, 0) is False


# --- minimum turnout ----------------------------------------------------------------------------


def test_turnout_below_the_minimum_invalidates():
    rules = Rules(min_turnout_percent=Decimal("50"))
    out = decide(figures({1: 300, 2: 199}, registered=1000, issued=499), rules)
    assert out.code == Code.INVALID_TURNOUT
    assert Flag.INVALID in out.flags


def test_turnout_exactly_at_the_minimum_is_valid():
    rules = Rules(min_turnout_percent=Decimal("50"))
    out = decide(figures({1: 300, 2: 200}, registered=1000, issued=500), rules)
    assert out.code == Code.ELECTED


def test_fractional_threshold_is_exact():
    assert turnout_reaches(7854, 10000, Decimal("78.54")) is True
    assert turnout_reaches(7853, 10000, Decimal("78.54")) is False


def test_zero_minimum_accepts_any_turnout():
    assert turnout_reaches(0, 0, Decimal(0)) is True
    assert turnout_reaches(1, 0, Decimal("0.01")) is False


# --- against all --------------------------------------------------------------------------------


def test_against_all_leading_invalidates_when_the_rule_says_so():
    out = decide(figures({1: 100, 2: 90}, against_all=101), AA)
    assert out.code == Code.INVALID_AGAINST_ALL
    assert Flag.INVALID in out.flags


def test_against_all_equal_to_the_leader_is_a_tie_for_the_commission():
    out = decide(figures({1: 100, 2: 90}, against_all=100), AA)
    assert out.code == Code.TIE
    assert out.tied == (1,)


def test_against_all_below_the_leader_does_not_matter():
    out = decide(figures({1: 100, 2: 90}, against_all=99), AA)
    assert (out.code, out.winner) == (Code.ELECTED, 1)


def test_against_all_with_no_effect_never_invalidates():
    out = decide(figures({1: 100, 2: 90}, against_all=500), Rules(against_all=True))
    assert (out.code, out.winner) == (Code.ELECTED, 1)


def test_rules_from_an_election_read_every_rule_field():
    election = SimpleNamespace(
        kind="regular",
        winner_rule=ABSOLUTE_MAJORITY,
        min_turnout_percent=Decimal("33.30"),
        against_all=True,
        against_all_effect=AGAINST_ALL_INVALIDATES,
        min_candidates=3,
    )
    assert Rules.from_election(election) == Rules(ABSOLUTE_MAJORITY, Decimal("33.30"), True, AGAINST_ALL_INVALIDATES, 3)
    election.min_candidates = 0
    assert Rules.from_election(election).min_candidates == 0


def test_rules_from_an_election_like_object():
    class E:
        kind = "regular"
        winner_rule = ABSOLUTE_MAJORITY
        min_turnout_percent = Decimal("25.00")
        against_all = True
        against_all_effect = AGAINST_ALL_INVALIDATES
        min_candidates = 2

    assert Rules.from_election(E) == Rules(ABSOLUTE_MAJORITY, Decimal("25.00"), True, AGAINST_ALL_INVALIDATES, 2)


def test_a_runoff_election_is_decided_by_plurality():
    class Runoff:
        kind = "runoff"
        winner_rule = ABSOLUTE_MAJORITY
        min_turnout_percent = Decimal(0)
        against_all = False
        against_all_effect = "none"
        min_candidates = 2

    rules = Rules.from_election(Runoff)
    assert rules.winner_rule == PLURALITY
    out = decide(figures({1: 45, 2: 40}, issued=100), rules)
    assert (out.code, out.winner) == (Code.ELECTED, 1)


# --- the codes, the flags on each outcome, both sides of each comparison -------------------------


def test_the_codes_and_flags_are_stable():
    assert [code for code, _label in Code.CHOICES] == [
        "incomplete",
        "no_candidates",
        "invalid_turnout",
        "no_votes",
        "invalid_against_all",
        "tie",
        "runoff",
        "not_elected",
        "elected",
    ]
    assert [flag for flag, _label in Flag.CHOICES] == [
        "incomplete",
        "few_candidates",
        "tie",
        "runoff",
        "invalid",
        "not_elected",
    ]
    assert (PLURALITY, ABSOLUTE_MAJORITY, AGAINST_ALL_INVALIDATES) == (
        "plurality",
        "absolute_majority",
        "invalidates_if_leads",
    )
    assert Rules() == Rules(PLURALITY, Decimal(0), False, "none", 2)


def test_an_outcome_has_the_label_of_its_code():
    assert str(Outcome(Code.ELECTED, winner=1).label) == "elected"
    assert str(Outcome(Code.RUNOFF).label) == "runoff between the top two"


@pytest.mark.parametrize(
    ("votes", "kwargs", "rules", "code", "flags"),
    [
        ({1: 5, 2: 1}, {"counted": 2}, PLUR, Code.INCOMPLETE, (Flag.INCOMPLETE,)),
        ({}, {}, PLUR, Code.NO_CANDIDATES, (Flag.FEW_CANDIDATES, Flag.NOT_ELECTED)),
        ({}, {}, Rules(min_candidates=0), Code.NO_CANDIDATES, (Flag.NOT_ELECTED,)),
        (
            {1: 5, 2: 1},
            {"registered": 100},
            Rules(min_turnout_percent=Decimal(10)),
            Code.INVALID_TURNOUT,
            (Flag.INVALID,),
        ),
        ({1: 0, 2: 0}, {"issued": 9}, PLUR, Code.NO_VOTES, (Flag.NOT_ELECTED,)),
        ({1: 5, 2: 1}, {"against_all": 6}, AA, Code.INVALID_AGAINST_ALL, (Flag.INVALID,)),
        ({1: 5, 2: 5}, {}, PLUR, Code.TIE, (Flag.TIE,)),
        ({1: 5, 2: 4}, {"issued": 10}, MAJ, Code.RUNOFF, (Flag.RUNOFF,)),
        ({1: 5}, {"issued": 10}, MAJ, Code.NOT_ELECTED, (Flag.FEW_CANDIDATES, Flag.NOT_ELECTED)),
        ({1: 5, 2: 4}, {}, PLUR, Code.ELECTED, ()),
        ({1: 5, 2: 4}, {}, Rules(min_candidates=3), Code.ELECTED, (Flag.FEW_CANDIDATES,)),
        ({1: 5, 2: 4, 3: 0}, {}, Rules(min_candidates=3), Code.ELECTED, ()),
        ({1: 5}, {}, Rules(min_candidates=1), Code.ELECTED, ()),
    ],
)
def test_the_flags_of_each_outcome(votes, kwargs, rules, code, flags):
    out = decide(figures(votes, **kwargs), rules)
    assert (out.code, out.flags) == (code, flags)


def test_one_protocol_expected_and_counted_is_complete():
    assert decide(figures({1: 5, 2: 1}, counted=1, expected=1), PLUR).code == Code.ELECTED
    assert decide(figures({1: 5, 2: 1}, counted=4, expected=3), PLUR).code == Code.ELECTED


def test_against_all_counts_only_when_on_the_ballot():
    # Every candidate 0, 'against all' 5: void when 'against all' is on the ballot and invalidates ...
    assert decide(figures({1: 0, 2: 0}, against_all=5), AA).code == Code.INVALID_AGAINST_ALL
    # ... ignored when it is not on the ballot, whatever the effect says.
    off = Rules(against_all=False, against_all_effect=AGAINST_ALL_INVALIDATES)
    assert decide(figures({1: 0, 2: 0}, against_all=5), off).code == Code.NO_VOTES
    assert decide(figures({1: 10, 2: 0}, against_all=50), off).code == Code.ELECTED
    # On the ballot without effect: the candidates at 0 are tied, not "no votes".
    out = decide(figures({1: 0, 2: 0}, against_all=5), Rules(against_all=True))
    assert (out.code, out.tied) == (Code.TIE, (1, 2))


def test_against_all_equal_to_tied_leaders_ties_them_all():
    out = decide(figures({2: 100, 1: 100, 3: 5}, against_all=100), AA)
    assert (out.code, out.tied) == (Code.TIE, (1, 2))


def test_ties_and_runoffs_list_candidacies_by_votes_then_id():
    assert decide(figures({5: 300, 2: 300, 9: 1}), PLUR).tied == (2, 5)
    assert decide(figures({5: 20, 2: 30, 9: 40}, issued=100), MAJ).runoff == (9, 2)
    assert decide(figures({5: 40, 2: 40, 9: 1}, issued=100), MAJ).runoff == (2, 5)
    assert decide(figures({5: 40, 2: 30, 9: 30}, issued=100), MAJ).tied == (2, 9)
    assert decide(figures({5: 30, 2: 30, 9: 30}, issued=100), MAJ).tied == (2, 5, 9)


def test_majority_with_tied_leaders_is_a_tie_even_with_more_than_half():
    # Only with inconsistent figures (votes above the ballots issued): never decided silently.
    out = decide(figures({1: 60, 2: 60}, issued=100), MAJ)
    assert (out.code, out.tied) == (Code.TIE, (1, 2))


def test_majority_of_two_candidates_without_a_majority_is_a_runoff():
    out = decide(figures({1: 50, 2: 40}, issued=100), MAJ)
    assert (out.code, out.runoff, out.winner) == (Code.RUNOFF, (1, 2), None)


@pytest.mark.parametrize(
    ("votes", "voters", "expected"), [(1, 1, True), (1, 2, False), (2, 3, True), (1, 0, False), (0, 1, False)]
)
def test_has_absolute_majority_small_numbers(votes, voters, expected):
    assert has_absolute_majority(votes, voters) is expected


@pytest.mark.parametrize(
    ("issued", "registered", "minimum", "expected"),
    [
        (0, 1000, Decimal("0.5"), False),
        (5, 1000, Decimal("0.5"), True),
        (4, 1000, Decimal("0.5"), False),
        (1, 1, Decimal(100), True),
        (0, 1, Decimal(100), False),
        (0, 0, Decimal(0), True),
        (0, 5, Decimal(0), True),
        (3, 0, Decimal(1), False),
        (25, 100, Decimal(25), True),
        (24, 100, Decimal(25), False),
    ],
)
def test_turnout_reaches_on_both_sides(issued, registered, minimum, expected):
    assert turnout_reaches(issued, registered, minimum) is expected


# --- properties ---------------------------------------------------------------------------------

votes_maps = st.dictionaries(st.integers(1, 50), st.integers(0, 1000), min_size=0, max_size=6)
rules_strategy = st.builds(
    Rules,
    winner_rule=st.sampled_from([PLURALITY, ABSOLUTE_MAJORITY]),
    min_turnout_percent=st.decimals(0, 100, places=2),
    against_all=st.booleans(),
    against_all_effect=st.sampled_from(["none", AGAINST_ALL_INVALIDATES]),
)


@given(votes=votes_maps, extra=st.integers(0, 200), against=st.integers(0, 500), rules=rules_strategy)
def test_outcome_is_always_coherent(votes, extra, against, rules):
    issued = sum(votes.values()) + against + extra
    out = decide(figures(votes, issued=issued, registered=issued + 300, against_all=against), rules)
    assert out.code in dict(Code.CHOICES)
    if out.code == Code.ELECTED:
        assert out.winner in votes
        assert votes[out.winner] == max(votes.values())
        # The winner is unique: a tie is never decided silently.
        assert sum(1 for v in votes.values() if v == votes[out.winner]) == 1
        if rules.winner_rule == ABSOLUTE_MAJORITY:
            assert 2 * votes[out.winner] > issued
    else:
        assert out.winner is None
    if out.code == Code.RUNOFF:
        assert len(set(out.runoff)) == 2
        top_two = sorted(votes.values(), reverse=True)[:2]
        assert sorted((votes[c] for c in out.runoff), reverse=True) == top_two
    if out.code == Code.TIE:
        assert len({votes[c] for c in out.tied}) == 1
    assert (Flag.FEW_CANDIDATES in out.flags) == (len(votes) < 2)


@given(votes=votes_maps, rules=rules_strategy)
def test_outcome_does_not_depend_on_the_order_of_candidacies(votes, rules):
    forward = decide(figures(dict(votes)), rules)
    backward = decide(figures(dict(reversed(list(votes.items())))), rules)
    assert forward == backward


@given(votes=votes_maps, counted=st.integers(0, 9), missing=st.integers(1, 5), rules=rules_strategy)
def test_any_missing_protocol_means_incomplete(votes, counted, missing, rules):
    out = decide(figures(votes, counted=counted, expected=counted + missing), rules)
    assert out.code == Code.INCOMPLETE
