"""Reads of results entry: the candidates of a protocol, its current entries, progress counts."""

from django.db.models import Q
from django.utils.translation import gettext as _g

from core.numbers import percent
from registry.models import Candidacy

from .controls import thresholds_for
from .errors import EntryNotOpen, EntryTakenByOther, ProtocolCertified, SameClerk
from .models import Protocol, ProtocolEntry, ProtocolState


def protocol_turnout_percent(voters, issued_station, issued_mobile):
    """A protocol's turnout as published: (Is + Im) / V x 100 rounded to 2 places (a float, as
    `Protocol.turnout` gives the share); None without official figures (V empty or 0, Is empty)."""
    if voters in (None, 0) or issued_station is None:
        return None
    return float(percent(issued_station + issued_mobile, voters))


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
        "thresholds": thresholds_for(protocol.election),
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


def entry_slot(protocol, user, entries):
    """(slot, start event or None) for `user` entering `protocol` now, or raise why not.

    `entries`: the protocol's live entries by slot (`live_entries`). Raises EntryTakenByOther,
    SameClerk, ProtocolCertified or EntryNotOpen. The entry service and the entry page both ask here.
    """
    S = ProtocolState
    state = protocol.state
    if state == S.EMPTY:
        return 1, "start_first"
    if state == S.FIRST_ENTRY_IN_PROGRESS:
        if entries[1].clerk_id != user.pk:
            raise EntryTakenByOther()
        return 1, None
    if state == S.FIRST_ENTRY_DONE:
        if entries[1].clerk_id == user.pk:
            raise SameClerk()
        return 2, "start_second"
    if state == S.SECOND_ENTRY_IN_PROGRESS:
        if entries[2].clerk_id != user.pk:
            raise SameClerk() if entries[1].clerk_id == user.pk else EntryTakenByOther()
        return 2, None
    if state == S.CERTIFIED:
        raise ProtocolCertified()
    raise EntryNotOpen(
        _g("No entry can be made now: the protocol is %(state)s.") % {"state": protocol.get_state_display()},
        details={"state": state},
    )


def entry_situation(protocol, user, entries):
    """(may the user enter now, a note for the entry page explaining why not or which entry this is)."""
    S = ProtocolState
    try:
        _slot, start_event = entry_slot(protocol, user, entries)
    except SameClerk:
        if protocol.state == S.FIRST_ENTRY_DONE:
            return False, _g("You made the first entry. The second entry must be made by another clerk.")
        return False, _g("Another clerk is entering this protocol now.")
    except EntryTakenByOther:
        return False, _g("Another clerk is entering this protocol now.")
    except ProtocolCertified:
        return False, _g("The protocol is certified and locked.")
    except EntryNotOpen:
        if protocol.state == S.IN_DISCREPANCY:
            return False, _g("The two entries differ. The commission's chair will resolve it.")
        return False, _g("Both entries agree: the protocol is verified.")
    if start_event == "start_second":
        return True, _g("This is the second, independent entry: type the figures from the paper protocol.")
    return True, ""
