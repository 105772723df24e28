"""The registry's services: every state change of elections, contests and candidacies goes through here.

Terms of office and their accountability have their own services: `registry.offices.services`.
"""

from .bulk import import_nominations, register_many
from .candidacy import (
    check_nomination,
    deregister,
    nominate,
    nominate_person,
    refuse,
    register,
    update_documents,
    withdraw,
)
from .contests import (
    advance_election,
    advance_to_next_stage,
    create_contests,
    extend_nomination,
    save_election_rules,
)
from .parties import save_party
from .people import create_person, person_for_nomination

__all__ = [
    "advance_election",
    "advance_to_next_stage",
    "check_nomination",
    "create_contests",
    "create_person",
    "person_for_nomination",
    "deregister",
    "extend_nomination",
    "import_nominations",
    "nominate",
    "nominate_person",
    "refuse",
    "register",
    "register_many",
    "save_election_rules",
    "save_party",
    "update_documents",
    "withdraw",
]
