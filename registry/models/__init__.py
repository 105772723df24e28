"""Models of the candidate registry: elections and their rules, contests, parties, people, candidacies."""

from .candidacy import Candidacy, CandidacyQuerySet
from .election import AgainstAllEffect, Contest, Election, WinnerRule
from .people import Education, Party, Person, PriorTerm, Sex, TermOfOffice

__all__ = [
    "AgainstAllEffect",
    "Candidacy",
    "CandidacyQuerySet",
    "Contest",
    "Education",
    "Election",
    "Party",
    "Person",
    "PriorTerm",
    "Sex",
    "TermOfOffice",
    "WinnerRule",
]
