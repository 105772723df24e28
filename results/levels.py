"""Reads of the dashboard's levels: the election (country), a region, a district, a contest, a
polling station's protocol; each scoped to the viewer's territory, names as of the election day.

Every function is a read (no write) costing a fixed number of queries whatever the size of the
level; the rows it returns are plain dicts the views sort and page (`results.level_lists`).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.models import AuditEvent
from registry.models import Candidacy, Contest, Election
from territory import kato
from territory.models import AdminUnit
from territory.scope import filter_by_station, filter_by_unit, scope_for
from territory.selectors import names_on_day, units_on, with_names_on

from .controls import AGAINST_ALL, FIGURES
from .models import (
    PROGRESS_GROUPS,
    CandidateResult,
    ContestResult,
    Protocol,
    ProtocolState,
    TurnoutLevel,
    TurnoutRollup,
)
from .outcomes import FLAG_LABELS, LABELS
from .protocol_history import history_rows
from .selectors import candidacies_of, entry_figures_visible_to, live_entries, protocol_turnout_percent

PROGRESS_LABELS = {
    "empty": gettext_lazy("empty"),
    "in_entry": gettext_lazy("in entry"),
    "in_discrepancy": gettext_lazy("discrepancy"),
    "verified": gettext_lazy("verified"),
    "certified": gettext_lazy("certified"),
}
REGION, DISTRICT, CONTEST, STATION, ELECTION = "region", "district", "contest", "station", "election"


@dataclass
class Level:
    """Where a page stands: its kind (election, region, district, contest, station), its unit (a
    UnitOnDay, a Contest or a Protocol; None for the election) and the election."""

    kind: str
    unit: object
    election: Election
    crumbs: list = field(default_factory=list)  # (label, url) from the top, the pages the viewer may open


# Who may open which level ----------------------------------------------------------------------


def may_open_election(user):
    return scope_for(user).national


def may_open_unit(user, unit_id, region_id):
    """A region's or district's page: national staff, the region's, or the district's own."""
    scope = scope_for(user)
    return (
        scope.national or unit_id in scope.region_ids or unit_id in scope.district_ids or region_id in scope.region_ids
    )


def roots(user):
    """The units the viewer's dashboard starts at: their regions and districts (none when national)."""
    scope = scope_for(user)
    if scope.national:
        return []
    return sorted(set(scope.region_ids) | set(scope.district_ids))


def latest_counted(user):
    """The latest election with protocols in the viewer's territory, or None (one query)."""
    protocols = filter_by_station(user, Protocol.objects.all(), "polling_station")
    latest = protocols.order_by("-election__election_day", "-election_id").values_list("election_id", flat=True)
    election_id = latest.first()
    return Election.objects.filter(pk=election_id).first() if election_id else None


# Levels and their breadcrumbs -----------------------------------------------------------------


def _crumbs(user, election, region=None, district=None):
    crumbs = []
    if may_open_election(user):
        crumbs.append((str(election), reverse("results_reports:election", args=[election.pk])))
    for unit in (region, district):
        if unit is not None and may_open_unit(user, unit.pk, unit.parent_id if unit is district else None):
            crumbs.append((unit.name, reverse("results_reports:unit", args=[election.pk, unit.pk])))
    return crumbs


def election_level(user, election):
    return Level(ELECTION, None, election, _crumbs(user, election))


def unit_level(user, election, unit_id):
    """A region's or district's level, as of the election day; 404 outside the viewer's territory."""
    unit = AdminUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    day = election.election_day
    on_day = units_on([unit], day)[unit.pk]
    level = kato.LEVEL.get(on_day.kind)
    if level not in (1, 2):
        raise Http404
    parent = None
    if level == 2 and on_day.parent_id:
        parent_unit = AdminUnit.objects.filter(pk=on_day.parent_id).first()
        parent = units_on([parent_unit], day)[parent_unit.pk] if parent_unit else None
    if not may_open_unit(user, unit.pk, parent.pk if parent else None):
        raise Http404
    kind = REGION if level == 1 else DISTRICT
    region, district = (on_day, None) if level == 1 else (parent, on_day)
    return Level(kind, on_day, election, _crumbs(user, election, region, district))


def _region_and_district(election, region_id, district_id):
    ids = [i for i in (region_id, district_id) if i]
    units = units_on(AdminUnit.objects.filter(pk__in=ids), election.election_day)
    return units.get(region_id), units.get(district_id)


def contest_level(user, election, contest_id):
    contests = filter_by_unit(user, Contest.objects.filter(election=election), "unit")
    contest = with_names_on(contests.select_related("unit"), election.election_day, "unit").filter(pk=contest_id)
    contest = next(iter(names_on_day(contest, "unit")), None)
    if contest is None:
        raise Http404
    where = Protocol.objects.filter(contest=contest).values("region_id", "district_id").first() or {}
    region, district = _region_and_district(
        election, where.get("region_id") or contest.unit.region_id, where.get("district_id") or contest.unit.district_id
    )
    crumbs = _crumbs(user, election, region, district)
    return Level(CONTEST, contest, election, crumbs)


def station_level(user, election, protocol_id):
    protocols = filter_by_station(user, Protocol.objects.filter(election=election), "polling_station")
    protocol = protocols.select_related("polling_station", "contest__unit").filter(pk=protocol_id).first()
    if protocol is None:
        raise Http404
    contest = contest_level(user, election, protocol.contest_id)
    url = reverse("results_reports:contest", args=[election.pk, protocol.contest_id])
    contest.crumbs.append((contest.unit.unit.name, url))
    return Level(STATION, protocol, election, contest.crumbs)


# Figures of a level ---------------------------------------------------------------------------


def _protocols(user, level):
    qs = filter_by_station(user, Protocol.objects.filter(election=level.election), "polling_station")
    if level.kind == REGION:
        return qs.filter(region_id=level.unit.pk)
    if level.kind == DISTRICT:
        return qs.filter(district_id=level.unit.pk)
    if level.kind == CONTEST:
        return qs.filter(contest=level.unit)
    return qs


def _results(user, level, basis):
    qs = filter_by_unit(user, ContestResult.objects.filter(election=level.election, basis=basis), "unit")
    if level.kind == REGION:
        return qs.filter(region_id=level.unit.pk)
    if level.kind == DISTRICT:
        return qs.filter(district_id=level.unit.pk)
    if level.kind == CONTEST:
        return qs.filter(contest=level.unit)
    return qs


def progress_counts(user, level):
    """{group: count, "total": count} of the level's protocols (one query)."""
    row = (
        _protocols(user, level)
        .order_by()
        .aggregate(
            total=Count("pk"), **{name: Count("pk", filter=_in(states)) for name, states in PROGRESS_GROUPS.items()}
        )
    )
    return row


def _in(states):
    return Q(state__in=states)


def demographics(user, election):
    """Registered candidacies by sex and by nomination type (one grouped query)."""
    qs = filter_by_unit(user, Candidacy.objects.filter(election=election, status="registered"), "contest__unit")
    rows = qs.order_by().values("person__sex", "nomination_type").annotate(n=Count("pk"))
    by_sex, by_type = defaultdict(int), defaultdict(int)
    for r in rows:
        by_sex[r["person__sex"]] += r["n"]
        by_type[r["nomination_type"]] += r["n"]
    return dict(by_sex), dict(by_type)


def turnout_of(user, level, basis):
    """The level's turnout roll-up (a TurnoutRollup or ContestResult), or None before aggregation."""
    if level.kind == ELECTION:
        if not scope_for(user).national:
            return None
        return TurnoutRollup.objects.filter(election=level.election, basis=basis, level=TurnoutLevel.ELECTION).first()
    if level.kind in (REGION, DISTRICT):
        rollup_level = TurnoutLevel.REGION if level.kind == REGION else TurnoutLevel.DISTRICT
        return TurnoutRollup.objects.filter(
            election=level.election, basis=basis, level=rollup_level, unit_id=level.unit.pk
        ).first()
    return ContestResult.objects.filter(contest=level.unit, basis=basis).first()


def outcome_counts(user, level, basis):
    """([(label, code, n)] per outcome, [(label, flag, n)] per flag, last computed_at) of the
    contests inside the level (two queries)."""
    qs = _results(user, level, basis)
    by_code = {r["outcome"]: r["n"] for r in qs.order_by().values("outcome").annotate(n=Count("pk"))}
    computed = qs.aggregate(at=Max("computed_at"))["at"]
    flags = defaultdict(int)
    for row in qs.needing_attention().values_list("flags", flat=True):
        for flag in row:
            flags[flag] += 1
    return (
        [(LABELS.get(code, code), code, n) for code, n in sorted(by_code.items())],
        [(FLAG_LABELS.get(flag, flag), flag, n) for flag, n in sorted(flags.items())],
        computed,
    )


# The units one level down ---------------------------------------------------------------------


def _share(row):
    return (row["certified"] / row["total"] * 100) if row.get("total") else 0


def _unit_rows(user, level, basis, group, rollup_level):
    """Rows of the regions (or districts) of the level: names as of the day, progress, turnout."""
    rows = list(_protocols(user, level).progress(group))
    ids = [r[group] for r in rows if r[group]]
    names = units_on(AdminUnit.objects.filter(pk__in=ids), level.election.election_day)
    rollups = {
        r.unit_id: r
        for r in TurnoutRollup.objects.filter(election=level.election, basis=basis, level=rollup_level, unit_id__in=ids)
    }
    out = []
    for r in rows:
        unit = names.get(r[group])
        if unit is None:
            continue
        rollup = rollups.get(unit.pk)
        out.append(
            {
                **{k: r[k] for k in ("total", *PROGRESS_GROUPS)},
                "pk": unit.pk,
                "name": unit.name,
                "kato": unit.kato,
                "turnout": rollup.turnout_percent if rollup else None,
                "counted": rollup.protocols_counted if rollup else 0,
                "expected": rollup.protocols_expected if rollup else r["total"],
                "progress": _share(r),
                "margin": None,
            }
        )
    return out


def region_rows(user, level, basis):
    return _unit_rows(user, level, basis, "region_id", TurnoutLevel.REGION)


def district_rows(user, level, basis):
    return _unit_rows(user, level, basis, "district_id", TurnoutLevel.DISTRICT)


def root_rows(user, election, basis):
    """The country page of a viewer with several regions or districts: those units' rows."""
    ids = set(roots(user))
    level = election_level(user, election)
    rows = region_rows(user, level, basis) + district_rows(user, level, basis)
    return [r for r in rows if r["pk"] in ids]


def _margins(contest_ids, basis):
    """{contest id: (winner's share - runner-up's share)} from the candidates' results (one query)."""
    shares = defaultdict(list)
    qs = CandidateResult.objects.filter(contest_id__in=contest_ids, basis=basis).order_by(
        "contest_id", "rank", "-votes"
    )
    for contest_id, share in qs.values_list("contest_id", "share_percent"):
        shares[contest_id].append(share or 0)
    return {cid: (s[0] - (s[1] if len(s) > 1 else 0)) for cid, s in shares.items() if s}


def contest_rows(user, level, basis):
    """Rows of the contests of a district: progress, turnout, outcome, winner, margin, flags."""
    protocols = _protocols(user, level)
    progress = {r["contest_id"]: r for r in protocols.progress("contest_id")}
    contests = with_names_on(
        filter_by_unit(user, Contest.objects.filter(pk__in=list(progress)), "unit").select_related("unit"),
        level.election.election_day,
        "unit",
    )
    results = {
        r.contest_id: r
        for r in ContestResult.objects.filter(contest_id__in=list(progress), basis=basis).select_related(
            "winner__person"
        )
    }
    margins = _margins(list(progress), basis)
    out = []
    for contest in names_on_day(contests, "unit"):
        p = progress[contest.pk]
        result = results.get(contest.pk)
        winner = result.winner if result and result.winner_id else None
        out.append(
            {
                **{k: p[k] for k in ("total", *PROGRESS_GROUPS)},
                "pk": contest.pk,
                "name": contest.unit.name,
                "kato": contest.unit.kato,
                "turnout": result.turnout_percent if result else None,
                "progress": _share(p),
                "outcome": result.get_outcome_display() if result else "",
                "winner": f"{winner.person.surname} {winner.person.given_name}" if winner else "",
                "margin": margins.get(contest.pk) if winner else None,
                "flags": [FLAG_LABELS.get(f, f) for f in result.flags] if result else [],
            }
        )
    return out


def station_rows(user, level):
    """Rows of the contest's protocols (one per polling station): state, turnout, link."""
    protocols = _protocols(user, level).select_related("polling_station")
    out = []
    for p in protocols:
        turnout = protocol_turnout_percent(p.voters, p.issued_station, p.issued_mobile)
        certified = p.state == ProtocolState.CERTIFIED
        out.append(
            {
                "pk": p.pk,
                "name": str(p.polling_station),
                "kato": f"{p.polling_station.number:06d}",
                "sort_name": f"{p.polling_station.number:06d}",
                "address": p.polling_station.address,
                "state": p.get_state_display(),
                "turnout": turnout,
                "progress": 100 if certified else 0,
                "margin": None,
            }
        )
    return out


# A contest and a protocol ---------------------------------------------------------------------


def candidate_rows(contest, basis):
    """Every candidate of the contest with votes and share (the computed results, rank order)."""
    qs = (
        CandidateResult.objects.filter(contest=contest, basis=basis)
        .select_related("candidacy__person", "candidacy__party")
        .order_by("rank", "-votes", "candidacy__person__surname")
    )
    return [
        {
            "name": f"{r.candidacy.person.surname} {r.candidacy.person.given_name}",
            "party": r.candidacy.party.short_name
            if r.candidacy.party_id
            else r.candidacy.get_nomination_type_display(),
            "votes": r.votes,
            "share": r.share_percent,
            "winner": r.is_winner,
        }
        for r in qs
    ]


def _nominated(candidacy):
    return candidacy.party.short_name if candidacy.party_id else candidacy.get_nomination_type_display()


def protocol_figures(user, protocol):
    """Rows (code, label, official, entry 1, entry 2) of a protocol, each entry's figures shown only
    when the blind-entry rule lets `user` see them (None: hidden; "" : not entered)."""
    entries = live_entries(protocol, with_clerks=False)
    shown = {slot: entry_figures_visible_to(user, protocol, entry) for slot, entry in entries.items()}
    against_all = bool(protocol.election.against_all)
    votes = {v.candidacy_id: v.votes for v in protocol.votes.all()}
    names = [(name, code, label) for name, code, label in FIGURES] + ([AGAINST_ALL] if against_all else [])

    def entry_value(slot, path, cid=None):
        entry = entries.get(slot)
        if entry is None:
            return ""
        if not shown[slot]:
            return None
        values = entry.values or {}
        return (values.get("votes") or {}).get(str(cid)) if cid else values.get(path)

    rows = [
        {
            "code": code,
            "label": label,
            "official": getattr(protocol, name),
            "a": entry_value(1, name),
            "b": entry_value(2, name),
        }
        for name, code, label in names
    ]
    for cid, cname in candidacies_of(protocol.contest_id).items():
        rows.append(
            {
                "code": "",
                "label": cname,
                "official": votes.get(cid),
                "a": entry_value(1, None, cid),
                "b": entry_value(2, None, cid),
            }
        )
    return rows, sorted(entries)


def protocol_history(protocol):
    """The protocol's audit events, oldest first, with translated labels."""
    events = AuditEvent.objects.for_object(protocol).order_by("created_at", "id")
    return history_rows(events)
