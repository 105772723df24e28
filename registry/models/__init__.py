"""Models of the candidate registry: elections and their rules, contests, parties, people, candidacies."""

from .candidacy import Candidacy, CandidacyQuerySet
from .election import AgainstAllEffect, Contest, Election, ElectionKind, WinnerRule
from .offices import ContestFollowUp, DismissalInitiative, MaslikhatReport, NoConfidenceVote
from .people import EARLY_END_REASONS, Education, EndReason, Party, Person, PriorTerm, Sex, TermOfOffice

__all__ = [
    "EARLY_END_REASONS",
    "ContestFollowUp",
    "DismissalInitiative",
    "ElectionKind",
    "EndReason",
    "MaslikhatReport",
    "NoConfidenceVote",
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
