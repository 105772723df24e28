"""The eligibility catalogue: each rule on its boundary, and every failure reported at once."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry import eligibility
from registry.eligibility import Facts, Rules, age_on, failures, signatures_required


@pytest.fixture(autouse=True)
def _registry_permissions():
    """These are pure tests: no database (this replaces the registry conftest's group sync, which needs one)."""


E = datetime.date(2021, 7, 25)
RULES = Rules(election_day=E)


def facts(**overrides):
    values = {
        "birth_date": datetime.date(1980, 1, 1),
        "citizen": True,
        "education": "higher",
        "qualification": "passed",
        "has_criminal_record": False,
        "has_corruption_offence": False,
        "terms_in_same_post": 0,
        "nomination_type": "self",
        "contest_voters": 1500,
        "signatures_valid": 15,
        "deposit_paid": True,
    }
    values.update(overrides)
    return Facts(**values)


def codes(f, rules=RULES):
    return [x.code for x in failures(f, rules)]


def test_eligible_candidate_has_no_failures():
    assert codes(facts()) == []


def test_age_24_years_364_days_is_refused_and_25_years_is_not():
    turns_25_tomorrow = datetime.date(1996, 7, 26)
    turns_25_today = datetime.date(1996, 7, 25)
    assert age_on(turns_25_tomorrow, E) == 24
    assert (E - turns_25_tomorrow).days == 365 * 25 + 6 - 1  # 24 years 364 days (+ leap days)
    failed = failures(facts(birth_date=turns_25_tomorrow), RULES)
    assert [f.code for f in failed] == ["age_below_minimum"]
    assert failed[0].values == {"age": 24, "min_age": 25, "birth_date": "1996-07-26"}
    assert codes(facts(birth_date=turns_25_today)) == []


def test_minimum_age_is_a_rule_of_the_election():
    assert codes(facts(birth_date=datetime.date(2000, 1, 1)), Rules(election_day=E, min_age=21)) == []
    assert codes(facts(birth_date=datetime.date(2000, 7, 26)), Rules(election_day=E, min_age=21)) == [
        "age_below_minimum"
    ]


def test_born_29_february_comes_of_age_on_1_march():
    born = datetime.date(1996, 2, 29)
    assert age_on(born, datetime.date(2021, 2, 28)) == 24
    assert age_on(born, datetime.date(2021, 3, 1)) == 25


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 1, 1)))
def test_age_is_completed_years(born):
    age = age_on(born, E)

    # The birthday of `age` years has passed or is today; that of `age + 1` has not.
    def birthday(years):
        try:
            return born.replace(year=born.year + years)
        except ValueError:  # 29 February in a common year: 1 March
            return datetime.date(born.year + years, 3, 1)

    assert birthday(age) <= E < birthday(age + 1)


@pytest.mark.parametrize(
    ("education", "minimum", "ok"),
    [
        ("vocational", "higher", False),
        ("higher", "higher", True),
        ("postgraduate", "higher", True),
        ("secondary", "vocational", False),
        ("vocational", "vocational", True),
        ("none", "none", True),
    ],
)
def test_education_boundary(education, minimum, ok):
    result = codes(facts(education=education), Rules(election_day=E, min_education=minimum))
    assert result == ([] if ok else ["education_below_minimum"])


@pytest.mark.parametrize("state", ["not_checked", "failed"])
def test_qualification_must_be_passed(state):
    assert codes(facts(qualification=state)) == ["qualification_not_passed"]


def test_criminal_record_and_corruption():
    assert codes(facts(has_criminal_record=True)) == ["criminal_record"]
    assert codes(facts(has_corruption_offence=True)) == ["corruption_offence"]


def test_not_a_citizen():
    assert codes(facts(citizen=False)) == ["not_citizen"]


def test_term_limit_boundary():
    assert codes(facts(terms_in_same_post=1)) == []
    failed = failures(facts(terms_in_same_post=2), RULES)
    assert [f.code for f in failed] == ["term_limit_reached"]
    assert failed[0].values == {"terms": 2, "term_limit": 2}
    assert codes(facts(terms_in_same_post=5), Rules(election_day=E, term_limit=0)) == []


def test_signatures_boundary_is_one_percent_rounded_up():
    assert signatures_required(1500, Decimal("1.00")) == 15
    assert signatures_required(1501, Decimal("1.00")) == 16
    assert signatures_required(0, Decimal("1.00")) == 0
    assert codes(facts(contest_voters=1501, signatures_valid=16)) == []
    failed = failures(facts(contest_voters=1501, signatures_valid=15), RULES)
    assert [f.code for f in failed] == ["signatures_insufficient"]
    assert failed[0].values["signatures_required"] == 16
    assert failed[0].values["signatures_valid"] == 15


def test_party_nominees_need_no_signatures():
    assert codes(facts(nomination_type="party", signatures_valid=0)) == []


def test_deposit():
    assert codes(facts(deposit_paid=False)) == ["deposit_not_paid"]


def test_every_failure_is_reported_at_once():
    everything_wrong = facts(
        citizen=False,
        birth_date=datetime.date(2000, 1, 1),
        education="secondary",
        qualification="failed",
        has_criminal_record=True,
        has_corruption_offence=True,
        terms_in_same_post=2,
        signatures_valid=0,
        deposit_paid=False,
    )
    assert codes(everything_wrong) == [
        "not_citizen",
        "age_below_minimum",
        "education_below_minimum",
        "qualification_not_passed",
        "criminal_record",
        "corruption_offence",
        "term_limit_reached",
        "signatures_insufficient",
        "deposit_not_paid",
    ]
    for failure in failures(everything_wrong, RULES):
        assert failure.message and failure.values
        assert set(failure.as_dict()) == {"code", "message", "values"}


def test_catalogue_is_pure_and_lists_each_rule_once():
    assert len(set(eligibility.RULES)) == len(eligibility.RULES)
    assert set(eligibility.NOMINATION_RULES) <= set(eligibility.RULES)


@given(
    born=st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2005, 1, 1)),
    citizen=st.booleans(),
    education=st.sampled_from(["none", "secondary", "vocational", "higher", "postgraduate"]),
    qualification=st.sampled_from(["not_checked", "passed", "failed"]),
    record=st.booleans(),
    corruption=st.booleans(),
    terms=st.integers(min_value=0, max_value=4),
    self_nominated=st.booleans(),
    voters=st.integers(min_value=0, max_value=50000),
    signatures=st.integers(min_value=0, max_value=600),
    deposit=st.booleans(),
)
def test_catalogue_fails_exactly_the_broken_rules(
    born, citizen, education, qualification, record, corruption, terms, self_nominated, voters, signatures, deposit
):
    f = facts(
        birth_date=born,
        citizen=citizen,
        education=education,
        qualification=qualification,
        has_criminal_record=record,
        has_corruption_offence=corruption,
        terms_in_same_post=terms,
        nomination_type="self" if self_nominated else "party",
        contest_voters=voters,
        signatures_valid=signatures,
        deposit_paid=deposit,
    )
    expected = {
        "not_citizen": not citizen,
        "age_below_minimum": age_on(born, E) < 25,
        "education_below_minimum": education not in ("higher", "postgraduate"),
        "qualification_not_passed": qualification != "passed",
        "criminal_record": record,
        "corruption_offence": corruption,
        "term_limit_reached": terms >= 2,
        "signatures_insufficient": self_nominated and signatures * 100 < voters,
        "deposit_not_paid": not deposit,
    }
    assert set(codes(f)) == {code for code, broken in expected.items() if broken}


# Example-based tests: every rule field read from the election, both sides of every comparison,
# the exact message and values of each failure.


def only(f, rules=RULES):
    (failure,) = failures(f, rules)
    return failure.code, str(failure.message), failure.values


def test_rules_of_an_election_copies_every_rule_field():
    election = SimpleNamespace(
        election_day=datetime.date(2024, 11, 3),
        min_age=30,
        min_education="vocational",
        term_limit=3,
        signature_threshold_percent=Decimal("2.50"),
        office_type="city",
    )
    assert Rules.of(election) == Rules(
        election_day=datetime.date(2024, 11, 3),
        min_age=30,
        min_education="vocational",
        term_limit=3,
        signature_threshold_percent=Decimal("2.50"),
        office_type="city",
    )


def test_the_default_rules():
    assert Rules(election_day=E) == Rules(E, 25, "higher", 2, Decimal("1.00"), "rural_district")


def test_failure_as_dict():
    failure = eligibility.Failure("deposit_not_paid", {"deposit_paid": False})
    assert failure.as_dict() == {
        "code": "deposit_not_paid",
        "message": "The election deposit has not been paid.",
        "values": {"deposit_paid": False},
    }
    # A code the renderer does not know reads as itself.
    assert eligibility.Failure("c").values == {} and eligibility.Failure("c").message == "c"


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (datetime.date(1990, 5, 10), datetime.date(2020, 5, 9), 29),  # the day before the birthday
        (datetime.date(1990, 5, 10), datetime.date(2020, 5, 10), 30),  # the birthday
        (datetime.date(1990, 5, 10), datetime.date(2020, 5, 11), 30),
        (datetime.date(1990, 5, 10), datetime.date(2020, 4, 30), 29),  # an earlier month, a later day
        (datetime.date(1990, 5, 10), datetime.date(2020, 6, 1), 30),  # a later month, an earlier day
        (datetime.date(1990, 12, 31), datetime.date(2021, 1, 1), 30),
    ],
)
def test_age_on_both_sides_of_the_birthday(born, day, age):
    assert age_on(born, day) == age


def test_the_age_failure_names_the_age_and_the_minimum():
    assert only(facts(birth_date=datetime.date(1996, 7, 26))) == (
        "age_below_minimum",
        "The candidate is 24 years old on election day; the minimum age is 25.",
        {"age": 24, "min_age": 25, "birth_date": "1996-07-26"},
    )


def test_the_minimum_age_from_the_rules_on_both_sides():
    rules = Rules(election_day=E, min_age=30)
    assert codes(facts(birth_date=datetime.date(1991, 7, 25)), rules) == []  # 30 today
    assert only(facts(birth_date=datetime.date(1991, 7, 26)), rules) == (
        "age_below_minimum",
        "The candidate is 29 years old on election day; the minimum age is 30.",
        {"age": 29, "min_age": 30, "birth_date": "1991-07-26"},
    )


def test_the_citizenship_failure():
    assert only(facts(citizen=False)) == (
        "not_citizen",
        "The candidate is not a citizen of Kazakhstan.",
        {"citizen": False},
    )


def test_the_education_failure_names_both_levels():
    assert only(facts(education="vocational")) == (
        "education_below_minimum",
        "Education 'technical and vocational' is below the required 'higher'.",
        {"education": "vocational", "min_education": "higher"},
    )


@pytest.mark.parametrize("minimum", ["none", "postgraduate"])
def test_an_education_outside_the_scale_is_below_every_minimum(minimum):
    assert only(facts(education="doctorate"), Rules(election_day=E, min_education=minimum)) == (
        "education_below_minimum",
        f"Education 'doctorate' is below the required '{minimum}'.",  # the labels of both are the values
        {"education": "doctorate", "min_education": minimum},
    )


@pytest.mark.parametrize(
    ("education", "minimum", "ok"),
    [
        ("none", "secondary", False),
        ("secondary", "secondary", True),
        ("higher", "postgraduate", False),
        ("postgraduate", "postgraduate", True),
    ],
)
def test_the_minimum_education_from_the_rules_on_both_sides(education, minimum, ok):
    assert codes(facts(education=education), Rules(election_day=E, min_education=minimum)) == (
        [] if ok else ["education_below_minimum"]
    )


def test_the_qualification_failure_names_the_state():
    assert only(facts(qualification="not_checked")) == (
        "qualification_not_passed",
        "The civil-service qualification check has not been done.",
        {"qualification": "not_checked", "required": "passed"},
    )


def test_the_criminal_record_and_corruption_failures():
    assert only(facts(has_criminal_record=True)) == (
        "criminal_record",
        "The candidate has an unexpunged criminal record.",
        {"has_criminal_record": True},
    )
    assert only(facts(has_corruption_offence=True)) == (
        "corruption_offence",
        "The candidate has committed a corruption offence.",
        {"has_corruption_offence": True},
    )


def test_the_term_limit_failure_names_the_terms_and_the_limit():
    assert only(facts(terms_in_same_post=2)) == (
        "term_limit_reached",
        "The candidate has held this post for 2 terms; the limit is 2.",
        {"terms": 2, "term_limit": 2},
    )


def test_the_term_limit_failure_lists_the_terms_when_known():
    terms = (("2013-08-10", "2017-08-10"), ("2017-08-10", None))
    assert only(facts(terms_in_same_post=2, terms_listed=terms)) == (
        "term_limit_reached",
        "The candidate has held this post for 2 terms; the limit is 2. "
        "Terms: Aug. 10, 2013 – Aug. 10, 2017, Aug. 10, 2017 – ….",
        {"terms": 2, "term_limit": 2, "terms_held": [["2013-08-10", "2017-08-10"], ["2017-08-10", None]]},
    )


def test_the_term_limit_from_the_rules_on_both_sides():
    rules = Rules(election_day=E, term_limit=3)
    assert codes(facts(terms_in_same_post=2), rules) == []
    assert (
        only(facts(terms_in_same_post=3), rules)[1] == "The candidate has held this post for 3 terms; the limit is 3."
    )
    assert codes(facts(terms_in_same_post=1), Rules(election_day=E, term_limit=1)) == ["term_limit_reached"]
    assert codes(facts(terms_in_same_post=0), Rules(election_day=E, term_limit=1)) == []
    # 0: no limit at all.
    assert codes(facts(terms_in_same_post=9), Rules(election_day=E, term_limit=0)) == []


@pytest.mark.parametrize(
    ("voters", "percent", "required"),
    [
        (1000, Decimal("2.5"), 25),
        (1001, Decimal("2.5"), 26),  # 25.025, rounded up
        (999, Decimal("0.5"), 5),  # 4.995
        (200, Decimal("0.5"), 1),
        (100, Decimal("3"), 3),
        (1, Decimal("1.00"), 1),
    ],
)
def test_signatures_required_for_other_thresholds(voters, percent, required):
    assert signatures_required(voters, percent) == required


def test_the_signature_threshold_comes_from_the_rules_on_both_sides():
    rules = Rules(election_day=E, signature_threshold_percent=Decimal("2.50"))
    assert codes(facts(contest_voters=1001, signatures_valid=26), rules) == []
    assert only(facts(contest_voters=1001, signatures_valid=25), rules) == (
        "signatures_insufficient",
        "Valid signatures: 25; a self-nominee needs 26 (2.50% of the 1,001 voters on the lists).",
        {
            "signatures_valid": 25,
            "signatures_required": 26,
            "threshold_percent": "2.50",
            "contest_voters": 1001,
        },
    )


def test_the_signature_failure_of_the_default_threshold():
    assert only(facts(contest_voters=1501, signatures_valid=15)) == (
        "signatures_insufficient",
        "Valid signatures: 15; a self-nominee needs 16 (1.00% of the 1,501 voters on the lists).",
        {"signatures_valid": 15, "signatures_required": 16, "threshold_percent": "1.00", "contest_voters": 1501},
    )


def test_the_deposit_failure():
    assert only(facts(deposit_paid=False)) == (
        "deposit_not_paid",
        "The election deposit has not been paid.",
        {"deposit_paid": False},
    )


def test_the_catalogue_in_the_commissions_order():
    catalogue, nomination = eligibility.RULES, eligibility.NOMINATION_RULES
    assert catalogue == (
        eligibility.check_citizenship,
        eligibility.check_age,
        eligibility.check_education,
        eligibility.check_qualification,
        eligibility.check_criminal_record,
        eligibility.check_corruption,
        eligibility.check_term_limit,
        eligibility.check_signatures,
        eligibility.check_deposit,
    )
    assert nomination == (eligibility.check_citizenship, eligibility.check_age)


def test_failures_of_a_part_of_the_catalogue():
    wrong = facts(citizen=False, deposit_paid=False, birth_date=datetime.date(2000, 1, 1))
    assert [f.code for f in failures(wrong, RULES, eligibility.NOMINATION_RULES)] == [
        "not_citizen",
        "age_below_minimum",
    ]
