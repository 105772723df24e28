"""Reads of results entry: the candidates of a protocol, its current entries, progress counts."""

from django.db.models import Q

from registry.models import Candidacy

from .controls import default_thresholds
from .models import Protocol, ProtocolEntry, ProtocolState


def candidacies_of(contest_id):
    """{candidacy id: "Surname Given name (party)"} of the contest's registered candidates, ballot order."""
    rows = (
        Candidacy.objects.registered()
        .filter(contest_id=contest_id)
        .select_related("person", "party")
        .order_by("person__surname", "person__given_name", "pk")
    )
    out = {}
    for c in rows:
        name = f"{c.person.surname} {c.person.given_name}".strip()
        if c.party_id:
            name = f"{name} ({c.party})"
        out[c.pk] = name
    return out


def control_context(protocol, candidacies=None):
    """Keyword arguments for `controls.run_controls` for this protocol."""
    return {
        "candidacies": candidacies if candidacies is not None else candidacies_of(protocol.contest_id),
        "against_all": bool(protocol.election.against_all),
        "thresholds": default_thresholds(),
    }


def live_entries(protocol, with_clerks=True):
    """The current cycle's draft and finished entries, by slot."""
    entries = ProtocolEntry.objects.filter(
        protocol=protocol, cycle=protocol.cycle, status__in=[ProtocolEntry.Status.DRAFT, ProtocolEntry.Status.FINISHED]
    )
    if with_clerks:
        entries = entries.select_related("clerk")
    return {e.slot: e for e in entries}


def protocols_for_stations(stations):
    return (
        Protocol.objects.filter(polling_station__in=stations)
        .select_related("polling_station", "contest__unit", "election")
        .order_by("polling_station__number", "contest__unit__kato")
    )


def discrepancies(queryset=None):
    queryset = Protocol.objects.all() if queryset is None else queryset
    return queryset.filter(state=ProtocolState.IN_DISCREPANCY).select_related(
        "polling_station", "contest__unit", "election", "district"
    )


def entry_by(protocol, user):
    """The user's live entry in the current cycle, if any."""
    return (
        ProtocolEntry.objects.filter(protocol=protocol, cycle=protocol.cycle, clerk=user)
        .filter(Q(status=ProtocolEntry.Status.DRAFT) | Q(status=ProtocolEntry.Status.FINISHED))
        .first()
    )
