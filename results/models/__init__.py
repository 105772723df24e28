"""Models of the results app: precinct protocols (`protocols`), photographs of their paper originals
(`attachments`) and the aggregation's result tables (`aggregates`)."""

from .aggregates import Basis, CandidateResult, ContestResult, PendingDelta, TurnoutLevel, TurnoutRollup
from .anomalies import AnomalyFlag
from .attachments import ProtocolAttachment
from .protocols import (
    PROGRESS_GROUPS,
    WITH_FIGURES,
    Protocol,
    ProtocolEntry,
    ProtocolQuerySet,
    ProtocolState,
    ProtocolVote,
)

__all__ = [
    "AnomalyFlag",
    "PROGRESS_GROUPS",
    "WITH_FIGURES",
    "Basis",
    "CandidateResult",
    "ContestResult",
    "PendingDelta",
    "Protocol",
    "ProtocolAttachment",
    "ProtocolEntry",
    "ProtocolQuerySet",
    "ProtocolState",
    "ProtocolVote",
    "TurnoutLevel",
    "TurnoutRollup",
]
