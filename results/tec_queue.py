"""Reads of the TEC's certification queue: verified protocols with their figures, the controls'
warnings and the clerks' explanations, and the filters of the user's own territory.

A page of rows costs a fixed number of queries whatever its length: protocols, votes,
candidates, entries, attachments (no query per row). Units carry their names of the protocol's election day (the
page shows them in its language).
"""

from dataclasses import dataclass, field

from core.numbers import percent
from registry.models import Candidacy
from territory.kato import Kind
from territory.models import AdminUnit
from territory.scope import filter_by_station, units_for
from territory.selectors import names_on_day, with_names_on

from . import controls
from .attachments import attachments_of
from .controls import AGAINST_ALL, FIGURES
from .models import Protocol, ProtocolEntry, ProtocolState, ProtocolVote

DATED = ("district", "contest__unit")  # the units a row shows, named as on the election day


@dataclass
class QueueWarning:
    message: str
    explanations: list = field(default_factory=list)  # [(entry label, clerk user name, text)]


@dataclass
class QueueRow:
    protocol: Protocol
    figures: list  # [(paper code, label, value)] in the order of the paper protocol
    votes: list  # [(ballot number, candidate name, votes)] in ballot order
    warnings: list  # [QueueWarning]
    version: str = ""  # the version the user saw (posted back to refuse a protocol changed since)
    attachments: list = field(default_factory=list)  # photographs and PDFs of the signed paper

    def __post_init__(self):
        self.version = self.version or str(self.protocol.version)

    @property
    def turnout_percent(self):
        p = self.protocol
        if p.turnout is None:
            return None
        return str(percent(p.issued_station + p.issued_mobile, p.voters))


def verified_protocols(user, *, region_id=None, district_id=None):
    """The verified protocols of the user's territory, optionally of one region or district."""
    queryset = filter_by_station(user, Protocol.objects.filter(state=ProtocolState.VERIFIED), "polling_station")
    if region_id:
        queryset = queryset.filter(region_id=region_id)
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    queryset = with_names_on(queryset, "election__election_day", *DATED)
    return queryset.select_related("polling_station", "contest__unit", "district", "election").order_by(
        "district__kato", "polling_station__number", "contest__unit__kato", "pk"
    )


def territory_filters(user):
    """(regions, districts) of the user's territory that hold protocols: a district TEC gets its own
    district only, a regional TEC its region's districts, the CEC every one."""
    scoped = filter_by_station(user, Protocol.objects.all(), "polling_station")
    units = units_for(user)
    regions = list(units.filter(kind__in=[Kind.REGION, Kind.CITY_REPUBLICAN], pk__in=scoped.values("region_id")))
    districts = list(units.filter(kind__in=[Kind.DISTRICT, Kind.CITY_REGIONAL], pk__in=scoped.values("district_id")))
    return regions, districts


def ballot(contest_ids):
    """{contest id: [(ballot number, candidacy id, name)]}: registered candidates in ballot order
    (the order of the entry form: c1, c2, ...)."""
    out = {}
    rows = (
        Candidacy.objects.registered()
        .filter(contest_id__in=contest_ids)
        .select_related("person")
        .order_by("contest_id", "person__surname", "person__given_name", "pk")
    )
    for c in rows:
        listed = out.setdefault(c.contest_id, [])
        listed.append((len(listed) + 1, c.pk, f"{c.person.surname} {c.person.given_name}".strip()))
    return out


def queue_rows(protocols):
    """QueueRow per protocol (a list or a sliced queryset of `verified_protocols`)."""
    protocols = names_on_day(protocols, *DATED)
    if not protocols:
        return []
    ids = [p.pk for p in protocols]
    ballots = ballot({p.contest_id for p in protocols})
    votes = {}
    for pid, cid, n in ProtocolVote.objects.filter(protocol_id__in=ids).values_list(
        "protocol_id", "candidacy_id", "votes"
    ):
        votes.setdefault(pid, {})[cid] = n
    cycles = {p.pk: p.cycle for p in protocols}
    entries = {}
    for entry in (
        ProtocolEntry.objects.filter(protocol_id__in=ids, status=ProtocolEntry.Status.FINISHED)
        .select_related("clerk")
        .order_by("slot")
    ):
        if entry.cycle == cycles[entry.protocol_id]:
            entries.setdefault(entry.protocol_id, []).append(entry)
    attachments = attachments_of(ids)
    thresholds = controls.default_thresholds()  # the same for every election (settings)
    rows = []
    for p in protocols:
        against_all = bool(p.election.against_all)
        figure_specs = [*FIGURES, AGAINST_ALL] if against_all else list(FIGURES)
        figures = [(code, label, getattr(p, name)) for name, code, label in figure_specs]
        listed = ballots.get(p.contest_id, [])
        mine = votes.get(p.pk, {})
        row_votes = [(number, name, mine.get(cid)) for number, cid, name in listed]
        values = {name: getattr(p, name) for name, _code, _label in figure_specs}
        values["votes"] = {str(cid): mine.get(cid) for _number, cid, _name in listed}
        report = controls.run_controls(
            values,
            candidacies={cid: name for _number, cid, name in listed},
            against_all=against_all,
            thresholds=thresholds,
        )
        warnings = []
        for result in report.results:
            explanations = [
                (e.get_kind_display(), e.clerk.get_username(), e.acknowledged[result.code])
                for e in entries.get(p.pk, [])
                if isinstance(e.acknowledged, dict) and e.acknowledged.get(result.code)
            ]
            warnings.append(QueueWarning(result.message, explanations))
        rows.append(QueueRow(p, figures, row_votes, warnings, attachments=attachments.get(p.pk, [])))
    return rows


def territory_of(user, unit_id, kinds):
    """The unit if it is one of `kinds` inside the user's territory, else None (a forged filter)."""
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return units_for(user, AdminUnit.objects.filter(kind__in=kinds)).filter(pk=unit_id).first()
