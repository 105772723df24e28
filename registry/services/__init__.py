"""The registry's services: every state change of elections, contests and candidacies goes through here.

Terms of office and their accountability have their own services: `registry.offices.services`.
"""

from .bulk import import_nominations, register_many
from .candidacy import check_nomination, deregister, nominate, refuse, register, update_documents, withdraw
from .contests import advance_election, create_contests, extend_nomination
from .people import create_person

__all__ = [
    "advance_election",
    "check_nomination",
    "create_contests",
    "create_person",
    "deregister",
    "extend_nomination",
    "import_nominations",
    "nominate",
    "refuse",
    "register",
    "register_many",
    "update_documents",
    "withdraw",
]
