"""Reads of results entry: the candidates of a protocol, its current entries, progress counts, and
who may see the figures of entries (blind double entry)."""

from django.db.models import Q

from registry.models import Candidacy

from .controls import thresholds_for
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


# Blind double entry: the figures of a protocol's entries are shown once both entries of the
# current cycle are finished; before that, to nobody (staff and superusers included) but the clerk
# of an entry, who sees their own. After a reopen the earlier cycles' entries are hidden again
# until the new cycle's two entries are finished: they would show the next clerks the figures.
FIGURES_VISIBLE_STATES = (ProtocolState.IN_DISCREPANCY, ProtocolState.VERIFIED, ProtocolState.CERTIFIED)
# Keys of an audit record's data that carry an entry's figures.
FIGURE_DATA_KEYS = ("values", "acknowledged", "differences", "differs_from_first", "differs_from_second")


def entry_figures_visible_to(user, protocol, entry=None):
    """May `user` see the figures of `protocol`'s entries (of `entry`, when given)?

    The one rule every page, the admin and the API apply: yes once both entries of the current
    cycle are finished (in discrepancy, verified, certified); before, only the entry's own clerk,
    for their own live entry.
    """
    if protocol.state in FIGURES_VISIBLE_STATES:
        return True
    return (
        entry is not None
        and user is not None
        and entry.clerk_id == getattr(user, "pk", None)
        and entry.cycle == protocol.cycle
        and entry.status != ProtocolEntry.Status.DISCARDED
    )


def entries_with_visible_figures(queryset):
    """The entries (a ProtocolEntry queryset) whose figures `entry_figures_visible_to` shows anyone."""
    return queryset.filter(protocol__state__in=FIGURES_VISIBLE_STATES)


def audit_data_visible_to(user, event):
    """The data of a protocol's audit record as `user` may see it: without the entries' figures
    while `entry_figures_visible_to` hides them (registered with core.audit in ResultsConfig)."""
    data = event.data if isinstance(event.data, dict) else {}
    if not any(key in data for key in FIGURE_DATA_KEYS):
        return data
    protocol = Protocol.objects.filter(pk=event.object_id).only("state").first()
    if protocol is not None and entry_figures_visible_to(user, protocol):
        return data
    return {key: value for key, value in data.items() if key not in FIGURE_DATA_KEYS} | {"figures": "hidden"}
