"""The catalogue of candidate requirements: pure functions returning every failed rule at once.

No database access here: `facts_for` in `registry.selectors` gathers the facts, these functions judge
them against the election's rules. Each failure carries a stable code and the values compared; its words come
from `registry.reasons`, in the reader's language, when it is shown.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from .models.people import EDUCATION_RANK, Education
from .reasons import render_failure


@dataclass(frozen=True)
class Failure:
    """A failed rule: its stable code and the values compared (all a program or a later reader needs;
    the words are `registry.reasons.render_failure`'s, in the language of whoever reads them)."""

    code: str
    values: dict = field(default_factory=dict)

    @property
    def message(self):
        """The failure in the active language (rendered when read, never stored)."""
        return render_failure(self.code, self.values)

    def as_dict(self):
        return {"code": self.code, "message": self.message, "values": self.values}


@dataclass(frozen=True)
class Rules:
    """The election rules the catalogue reads (a plain copy of the Election's fields)."""

    election_day: datetime.date
    min_age: int = 25
    min_education: str = Education.HIGHER
    term_limit: int = 2
    signature_threshold_percent: Decimal = Decimal("1.00")
    office_type: str = "rural_district"

    @classmethod
    def of(cls, election):
        return cls(
            election_day=election.election_day,
            min_age=election.min_age,
            min_education=election.min_education,
            term_limit=election.term_limit,
            signature_threshold_percent=election.signature_threshold_percent,
            office_type=election.office_type,
        )


@dataclass(frozen=True)
class Facts:
    """What is known about one candidacy, gathered without rules."""

    birth_date: datetime.date
    citizen: bool
    education: str
    qualification: str
    has_criminal_record: bool
    has_corruption_offence: bool
    # Terms of office held in the same post (same unit, same kind of office), started before election day.
    terms_in_same_post: int
    nomination_type: str
    contest_voters: int
    signatures_valid: int
    deposit_paid: bool
    # The terms counted, as (started_on, ended_on or None) ISO pairs, listed in the refusal when given.
    terms_listed: tuple = ()


def age_on(birth_date, day):
    """Completed years on `day` (someone born on 29 February comes of age on 1 March in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def signatures_required(contest_voters, threshold_percent):
    """Signatures a self-nominee needs: the threshold share of the contest's voters, rounded up."""
    return math.ceil(Decimal(contest_voters) * Decimal(threshold_percent) / Decimal(100))


def check_age(facts, rules):
    age = age_on(facts.birth_date, rules.election_day)
    if age < rules.min_age:
        return Failure(
            "age_below_minimum", {"age": age, "min_age": rules.min_age, "birth_date": facts.birth_date.isoformat()}
        )
    return None


def check_citizenship(facts, rules):
    if not facts.citizen:
        return Failure("not_citizen", {"citizen": False})
    return None


def check_education(facts, rules):
    # An education outside the scale (a bad import) is below every minimum.
    if facts.education not in EDUCATION_RANK or EDUCATION_RANK[facts.education] < EDUCATION_RANK[rules.min_education]:
        return Failure("education_below_minimum", {"education": facts.education, "min_education": rules.min_education})
    return None


def check_qualification(facts, rules):
    if facts.qualification != "passed":
        return Failure("qualification_not_passed", {"qualification": facts.qualification, "required": "passed"})
    return None


def check_criminal_record(facts, rules):
    if facts.has_criminal_record:
        return Failure("criminal_record", {"has_criminal_record": True})
    return None


def check_corruption(facts, rules):
    if facts.has_corruption_offence:
        return Failure("corruption_offence", {"has_corruption_offence": True})
    return None


def check_term_limit(facts, rules):
    if rules.term_limit and facts.terms_in_same_post >= rules.term_limit:
        return Failure(
            "term_limit_reached",
            {"terms": facts.terms_in_same_post, "term_limit": rules.term_limit}
            | ({"terms_held": [list(t) for t in facts.terms_listed]} if facts.terms_listed else {}),
        )
    return None


def check_signatures(facts, rules):
    if facts.nomination_type != "self":
        return None
    required = signatures_required(facts.contest_voters, rules.signature_threshold_percent)
    if facts.signatures_valid < required:
        return Failure(
            "signatures_insufficient",
            {
                "signatures_valid": facts.signatures_valid,
                "signatures_required": required,
                "threshold_percent": str(rules.signature_threshold_percent),
                "contest_voters": facts.contest_voters,
            },
        )
    return None


def check_deposit(facts, rules):
    if not facts.deposit_paid:
        return Failure("deposit_not_paid", {"deposit_paid": False})
    return None


# The catalogue, in the order the commission reads it.
RULES = (
    check_citizenship,
    check_age,
    check_education,
    check_qualification,
    check_criminal_record,
    check_corruption,
    check_term_limit,
    check_signatures,
    check_deposit,
)

# Rules no later document can cure: checked already when the nomination is received.
NOMINATION_RULES = (check_citizenship, check_age)


def failures(facts, rules, catalogue=RULES):
    """Every failed rule (a list of Failure; empty when the candidate is eligible)."""
    return [failure for check in catalogue if (failure := check(facts, rules)) is not None]
