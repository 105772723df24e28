"""An election's results in the NIST SP 1500-100 v2 common data format (Election Results Reporting,
JSON): one `ElectionReport`, written as a stream of text chunks. A reader only: it writes nothing.

What goes where (the schema is results/standards/nist-sp-1500-100-v2/):
- `GpUnit`: the country ("gpu-kz"), the units of the KATO hierarchy that hold the contests and the
  polling stations ("gpu-<KATO>", names of the election day in kk/ru/en, the KATO code as an
  ExternalIdentifier of OtherType "kato"), and the polling stations ("gpu-<district KATO>-<number>",
  Type "precinct"). A unit's VotersRegistered, VotersParticipated (ballots issued, Is + Im) and
  SubUnitsReported/TotalSubUnits (protocols counted/expected) come from the turnout roll-ups; a
  station's from its protocol.
- `Election.Contest`: one CandidateContest per contest ("con-<id>"), a CandidateSelection per
  candidacy on the ballot ("cs-<candidacy id>", and "cs-<contest id>-against-all" when the ballot
  has the line), with VoteCounts (Type "total") per polling station and for the contest's unit.
- `Election.Candidate` ("can-<id>", the name as registered) and `Party` ("par-<id>").
- `Election.BallotCounts` per unit and station: BallotsCast (ballots found in the boxes, Fs + Fm)
  and BallotsRejected (invalid ballots, N).
- Status: a station's or contest's CountStatus (Type "total") is "completed" when every protocol
  is certified (official), "in-process" when some have verified figures not yet certified
  (unofficial), "not-processed" when none has figures; the report's Status is "certified",
  "unofficial-complete", "unofficial-partial" or, without protocols, "pre-election".

The counts are those of every protocol with figures (verified or certified: the "preliminary"
basis of the result tables), so a contest's total is the sum of its stations'; which of them are
official the statuses say. An election elects one kind of office, so a polling station counts in
one contest of it.

Memory stays flat: rows are read with `.values().iterator()` in key order and joined while
streaming; only the units and station ids of the hierarchy are held. The same data gives the same
bytes: keys sorted, rows in a fixed order, ids from stable codes, no clock (GeneratedDate is the
latest aggregation, else the latest protocol change, else the election day).
"""

import datetime
import itertools
import json
from operator import itemgetter
from pathlib import Path

from django.db.models import Count, F, Max, Q, Sum

from registry.models import Candidacy, Contest, Party
from territory.models import AdminUnit
from territory.scope import NATIONAL
from territory.selectors import NAME_FIELDS, name_on, units_on

from .models import Basis, CandidateResult, ContestResult, Protocol, ProtocolState, ProtocolVote, TurnoutRollup
from .models.protocols import WITH_FIGURES

SCHEMA_PATH = Path(__file__).parent / "standards" / "nist-sp-1500-100-v2" / "NIST_V2_election_results_reporting.json"
ISSUER = "Central Election Commission of the Republic of Kazakhstan"
ISSUER_ABBREVIATION = "CEC RK"
VENDOR = "electadmin"
COUNTRY_ID = "gpu-kz"
COUNTRY_NAMES = ("Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan")
PREFIX = "ElectionResults."

# Kinds of units (territory.kato.Kind) that have a ReportingUnitType of their own; the others are
# "other", with the kind's code as OtherType.
UNIT_TYPES = {
    "city_republican": "city",
    "city_regional": "city",
    "city_district": "city",
    "township": "town",
    "village": "village",
}
ELECTION_TYPES = {"regular": "general", "runoff": "runoff", "by_election": "special"}
PRE_ELECTION_STATUS = {
    Candidacy.Status.NOMINATED: "filed",
    Candidacy.Status.REGISTERED: "qualified",
    Candidacy.Status.WITHDRAWN: "withdrawn",
}


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _typed(kind, **fields):
    return {"@type": PREFIX + kind, **{k: v for k, v in fields.items() if v is not None}}


def text(kk, ru, en=""):
    """An InternationalizedText of the given names (empty ones left out)."""
    strings = [
        _typed("LanguageString", Content=c, Language=lang) for lang, c in (("kk", kk), ("ru", ru), ("en", en)) if c
    ]
    return _typed("InternationalizedText", Text=strings)


def _other_id(kind, value):
    return _typed("ExternalIdentifier", Type="other", OtherType=kind, Value=str(value))


def unit_id(kato):
    return f"gpu-{kato}"


def station_id(district_kato, number):
    return f"gpu-{district_kato}-{number}"


def count_status(total, counted, certified):
    """The CountItemStatus of protocols: completed (all certified), in-process, not-processed."""
    if total and certified == total:
        return "completed"
    return "in-process" if counted else "not-processed"


def _status_list(total, counted, certified):
    return [_typed("CountStatus", Status=count_status(total, counted, certified), Type="total")]


class _Groups:
    """The rows of an iterator ordered by `key`, handed out group by group for ascending keys."""

    def __init__(self, rows, key):
        self._groups = itertools.groupby(rows, key=itemgetter(key))
        self._next = next(self._groups, None)

    def take(self, value):
        while self._next is not None and self._next[0] < value:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != value:
            return []
        rows = list(self._next[1])
        self._next = next(self._groups, None)
        return rows


def _array(items):
    first = True
    yield "["
    for item in items:
        yield ("\n" if first else ",\n") + _dumps(item)
        first = False
    yield "]" if first else "\n]"


class Report:
    """The reads of one election's report within a territory (a territory.scope.Scope)."""

    def __init__(self, election, scope=NATIONAL):
        self.election = election
        self.scope = scope
        self.day = election.election_day

    # Selections ---------------------------------------------------------------------------------

    def contests(self):
        qs = Contest.objects.filter(election=self.election)
        if self.scope.national:
            return qs
        if self.scope.empty:
            return qs.none()
        by_unit = Contest.objects.filter(self.scope.unit_q("unit")).values("pk")
        by_station = Protocol.objects.filter(self.scope.station_q("polling_station")).values("contest_id")
        return qs.filter(Q(pk__in=by_unit) | Q(pk__in=by_station))

    def protocols(self):
        qs = Protocol.objects.filter(election=self.election, contest__in=self.contests().values("pk"))
        return qs if self.scope.national else qs.filter(self.scope.station_q("polling_station"))

    def candidacies(self):
        voted = ProtocolVote.objects.filter(protocol__election=self.election).values("candidacy_id")
        return Candidacy.objects.filter(contest__in=self.contests().values("pk")).filter(
            Q(status=Candidacy.Status.REGISTERED) | Q(pk__in=voted)
        )

    def exists(self):
        """Whether the territory holds anything of the election (a contest)."""
        return self.contests().exists()

    # The report's header ------------------------------------------------------------------------

    def progress(self):
        return self.protocols().aggregate(
            total=Count("pk"),
            counted=Count("pk", filter=Q(state__in=WITH_FIGURES)),
            certified=Count("pk", filter=Q(state=ProtocolState.CERTIFIED)),
        )

    def status(self):
        p = self.progress()
        if not p["total"]:
            return "pre-election"
        if p["certified"] == p["total"]:
            return "certified"
        return "unofficial-complete" if p["counted"] == p["total"] else "unofficial-partial"

    def generated_date(self):
        """The latest aggregation of the election, else the latest protocol change, else its day."""
        moments = [
            ContestResult.objects.filter(election=self.election).aggregate(m=Max("computed_at"))["m"],
            TurnoutRollup.objects.filter(election=self.election).aggregate(m=Max("computed_at"))["m"],
        ]
        moment = max((m for m in moments if m is not None), default=None)
        if moment is None:
            moment = self.protocols().aggregate(m=Max("state_changed_at"))["m"]
        if moment is None:
            moment = datetime.datetime.combine(self.day, datetime.time(), tzinfo=self.election.zone)
        return moment.astimezone(self.election.zone).replace(microsecond=0).isoformat()

    # Units ----------------------------------------------------------------------------------------

    def _station_rows(self):
        return (
            self.protocols()
            .values(
                "polling_station_id",
                "polling_station__unit_id",
                "polling_station__number",
                "polling_station__registered_voters",
                district_kato=F("polling_station__district__kato"),
            )
            .annotate(
                total=Count("pk"),
                counted=Count("pk", filter=Q(state__in=WITH_FIGURES)),
                certified=Count("pk", filter=Q(state=ProtocolState.CERTIFIED)),
                voters=Sum("voters"),
                issued=Sum(F("issued_station") + F("issued_mobile")),
                found=Sum(F("found_stationary") + F("found_mobile")),
                invalid=Sum("invalid"),
            )
            .order_by("district_kato", "polling_station__number", "polling_station_id")
        )

    def units(self):
        """{pk: UnitOnDay} of the units holding the contests and stations, and every unit above them."""
        first = AdminUnit.objects.filter(
            Q(pk__in=self.contests().values("unit_id")) | Q(pk__in=self.protocols().values("polling_station__unit_id"))
        )
        found = units_on(first, self.day)
        frontier = {u.parent_id for u in found.values() if u.parent_id} - found.keys()
        while frontier:
            more = units_on(AdminUnit.objects.filter(pk__in=frontier), self.day)
            found.update(more)
            frontier = {u.parent_id for u in more.values() if u.parent_id} - found.keys()
        return found

    def _rollups(self):
        """{(level, unit pk or None): {basis: row}} of the turnout roll-ups."""
        rollups = {}
        for row in TurnoutRollup.objects.filter(election=self.election).values(
            "level",
            "unit_id",
            "basis",
            "registered_voters",
            "ballots_issued",
            "protocols_counted",
            "protocols_expected",
        ):
            rollups.setdefault(row["unit_id"], {}).setdefault(row["basis"], row)
        return rollups

    def _unit_figures(self, unit_pk, rollups):
        bases = rollups.get(unit_pk)
        if not bases or Basis.PRELIMINARY not in bases:
            return {}
        pre = bases[Basis.PRELIMINARY]
        official = bases.get(Basis.OFFICIAL, {"protocols_counted": 0})
        expected = pre["protocols_expected"]
        return {
            "CountStatus": _status_list(expected, pre["protocols_counted"], official["protocols_counted"]),
            "SubUnitsReported": pre["protocols_counted"],
            "TotalSubUnits": expected,
            "VotersParticipated": pre["ballots_issued"],
            "VotersRegistered": pre["registered_voters"],
        }

    def gp_units(self):
        units = self.units()
        rollups = self._rollups()
        children = {}
        for unit in sorted(units.values(), key=lambda u: u.kato):
            children.setdefault(unit.parent_id, []).append(unit_id(unit.kato))
        stations = self._station_rows()
        for row in stations.values_list("polling_station__unit_id", "district_kato", "polling_station__number"):
            children.setdefault(row[0], []).append(station_id(row[1], row[2]))
        country = _typed(
            "ReportingUnit",
            ComposingGpUnitIds=children.get(None, []),
            Name=text(*COUNTRY_NAMES),
            Type="country",
        )
        country["@id"] = COUNTRY_ID
        if self.scope.national:
            country.update(self._unit_figures(None, rollups))
        yield country
        for unit in sorted(units.values(), key=lambda u: u.kato):
            kind = UNIT_TYPES.get(unit.kind)
            item = _typed(
                "ReportingUnit",
                ComposingGpUnitIds=children.get(unit.pk) or None,
                ExternalIdentifier=[_other_id("kato", unit.kato)],
                Name=text(unit.name_kk, unit.name_ru, unit.name_en),
                OtherType=None if kind else unit.kind,
                Type=kind or "other",
                **self._unit_figures(unit.pk, rollups),
            )
            item["@id"] = unit_id(unit.kato)
            yield item
        for row in stations.iterator(chunk_size=2000):
            item = _typed(
                "ReportingUnit",
                CountStatus=_status_list(row["total"], row["counted"], row["certified"]),
                Number=str(row["polling_station__number"]),
                SubUnitsReported=row["counted"],
                TotalSubUnits=row["total"],
                Type="precinct",
                VotersParticipated=row["issued"],
                VotersRegistered=row["voters"]
                if row["voters"] is not None
                else row["polling_station__registered_voters"],
            )
            item["@id"] = station_id(row["district_kato"], row["polling_station__number"])
            yield item

    # Ballot counts --------------------------------------------------------------------------------

    def ballot_counts(self):
        """BallotCounts of the country, regions, districts and contests' units (summed from the
        contest results), then of each station with figures."""
        results = ContestResult.objects.filter(
            election=self.election, basis=Basis.PRELIMINARY, contest__in=self.contests().values("pk")
        )
        sums = {"cast": Sum("ballots_found"), "rejected": Sum("invalid")}
        by_unit = {}
        for path in ("unit", "district", "region"):
            for row in results.exclude(**{f"{path}__isnull": True}).values(kato=F(f"{path}__kato")).annotate(**sums):
                by_unit.setdefault(row["kato"], row)
        rows = [(COUNTRY_ID, results.aggregate(**sums))] if self.scope.national and results.exists() else []
        rows += [(unit_id(kato), by_unit[kato]) for kato in sorted(by_unit)]
        for gpu, row in rows:
            yield _typed(
                "BallotCounts", BallotsCast=row["cast"], BallotsRejected=row["rejected"], GpUnitId=gpu, Type="total"
            )
        for row in self._station_rows().filter(counted__gt=0).iterator(chunk_size=2000):
            yield _typed(
                "BallotCounts",
                BallotsCast=row["found"],
                BallotsRejected=row["invalid"],
                GpUnitId=station_id(row["district_kato"], row["polling_station__number"]),
                Type="total",
            )

    # Candidates and parties ---------------------------------------------------------------------

    def _official_outcomes(self):
        return _Groups(
            ContestResult.objects.filter(
                election=self.election, basis=Basis.OFFICIAL, contest__in=self.contests().values("pk")
            )
            .values("contest_id", "outcome", "winner_id", "runoff")
            .order_by("contest_id")
            .iterator(chunk_size=2000),
            "contest_id",
        )

    def candidates(self):
        outcomes = self._official_outcomes()
        rows = (
            self.candidacies()
            .values(
                "pk",
                "contest_id",
                "status",
                "party_id",
                "person__surname",
                "person__given_name",
                "person__patronymic",
            )
            .order_by("contest_id", "pk")
        )
        contest_id, outcome = None, None
        for row in rows.iterator(chunk_size=2000):
            if row["contest_id"] != contest_id:
                contest_id = row["contest_id"]
                found = outcomes.take(contest_id)
                outcome = found[0] if found else None
            name = " ".join(
                p for p in (row["person__surname"], row["person__given_name"], row["person__patronymic"]) if p
            )
            item = _typed(
                "Candidate",
                BallotName=text(name, name),
                PartyId=f"par-{row['party_id']}" if row["party_id"] else None,
                PostElectionStatus=_post_status(row["pk"], outcome),
                PreElectionStatus=PRE_ELECTION_STATUS.get(row["status"]),
            )
            item["@id"] = f"can-{row['pk']}"
            yield item

    def parties(self):
        for party in (
            Party.objects.filter(pk__in=self.candidacies().values("party_id"))
            .order_by("pk")
            .values("pk", "name_kk", "name_ru", "name_en", "short_name", "registration_number")
        ):
            item = _typed(
                "Party",
                Abbreviation=text(party["short_name"], party["short_name"]),
                ExternalIdentifier=[_other_id("registration-number", party["registration_number"])],
                Name=text(party["name_kk"], party["name_ru"], party["name_en"]),
            )
            item["@id"] = f"par-{party['pk']}"
            yield item

    # Contests -------------------------------------------------------------------------------------

    def contest_rows(self):
        names = {f"unit_{field}": name_on("unit", self.day, field) for field in NAME_FIELDS}
        return self.contests().annotate(**names).values("pk", "seats", "unit_id", "unit__kato", *names).order_by("pk")

    def contest_items(self, progress=None):
        election = self.election
        protocols = self.protocols()
        station = {"district_kato": F("polling_station__district__kato"), "number": F("polling_station__number")}
        figures = _Groups(
            protocols.values("contest_id", "state", "against_all", **station)
            .order_by("contest_id", "district_kato", "number")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        votes = _Groups(
            ProtocolVote.objects.filter(protocol__in=protocols.filter(state__in=WITH_FIGURES).values("pk"))
            .values(
                "candidacy_id",
                "votes",
                contest_id=F("protocol__contest_id"),
                district_kato=F("protocol__polling_station__district__kato"),
                number=F("protocol__polling_station__number"),
            )
            .order_by("contest_id", "candidacy_id", "district_kato", "number")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        candidacies = _Groups(
            self.candidacies().values("pk", "contest_id").order_by("contest_id", "pk").iterator(chunk_size=2000),
            "contest_id",
        )
        totals = _Groups(
            CandidateResult.objects.filter(election=election, basis=Basis.PRELIMINARY)
            .values("contest_id", "candidacy_id", "votes")
            .order_by("contest_id", "candidacy_id")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        results = _Groups(
            ContestResult.objects.filter(election=election, basis=Basis.PRELIMINARY)
            .values("contest_id", "against_all")
            .order_by("contest_id")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        variation = (
            "majority" if election.winner_rule == "absolute_majority" and election.kind != "runoff" else "plurality"
        )
        total = self.contests().count() if progress else 0
        for done, row in enumerate(self.contest_rows().iterator(chunk_size=2000), start=1):
            pk = row["pk"]
            contest_figures = figures.take(pk)
            yield self._contest(
                row,
                variation,
                contest_figures,
                votes.take(pk),
                candidacies.take(pk),
                {r["candidacy_id"]: r["votes"] for r in totals.take(pk)},
                results.take(pk),
            )
            if progress:
                progress(done, total)

    def _contest(self, row, variation, contest_figures, votes, candidacies, totals, result):
        gpu = unit_id(row["unit__kato"])
        by_candidacy = {key: list(group) for key, group in itertools.groupby(votes, key=itemgetter("candidacy_id"))}
        selections = []
        for candidacy in candidacies:
            counts = [
                _vote_count(station_id(v["district_kato"], v["number"]), v["votes"])
                for v in by_candidacy.get(candidacy["pk"], [])
            ]
            if candidacy["pk"] in totals:
                counts.append(_vote_count(gpu, totals[candidacy["pk"]]))
            item = _typed("CandidateSelection", CandidateIds=[f"can-{candidacy['pk']}"], VoteCounts=counts)
            item["@id"] = f"cs-{candidacy['pk']}"
            selections.append(item)
        if self.election.against_all:
            counts = [
                _vote_count(station_id(f["district_kato"], f["number"]), f["against_all"])
                for f in contest_figures
                if f["state"] in WITH_FIGURES and f["against_all"] is not None
            ]
            if result:
                counts.append(_vote_count(gpu, result[0]["against_all"]))
            item = _typed("CandidateSelection", VoteCounts=counts)
            item["@id"] = f"cs-{row['pk']}-against-all"
            selections.append(item)
        total = len(contest_figures)
        counted = sum(1 for f in contest_figures if f["state"] in WITH_FIGURES)
        certified = sum(1 for f in contest_figures if f["state"] == ProtocolState.CERTIFIED)
        item = _typed(
            "CandidateContest",
            BallotTitle=text(row["unit_name_kk"], row["unit_name_ru"], row["unit_name_en"]),
            ContestSelection=selections,
            CountStatus=_status_list(total, counted, certified),
            ElectionDistrictId=gpu,
            ExternalIdentifier=[_other_id("kato", row["unit__kato"])],
            Name=row["unit_name_kk"] or row["unit_name_ru"],
            NumberElected=row["seats"],
            SubUnitsReported=counted,
            TotalSubUnits=total,
            VoteVariation=variation,
            VotesAllowed=row["seats"],
        )
        item["@id"] = f"con-{row['pk']}"
        return item

    # The whole report -----------------------------------------------------------------------------

    def chunks(self, progress=None):
        """The report as text chunks; `progress(done, total)` is called after each contest."""
        election = self.election
        yield '{"@type":"ElectionResults.ElectionReport","Election":['
        yield '{"@type":"ElectionResults.Election","BallotCounts":'
        yield from _array(self.ballot_counts())
        yield ',"Candidate":'
        yield from _array(self.candidates())
        yield ',"Contest":'
        yield from _array(self.contest_items(progress))
        p = self.progress()
        kind = ELECTION_TYPES.get(election.kind)
        tail = {
            "CountStatus": _status_list(p["total"], p["counted"], p["certified"]),
            "ElectionScopeId": COUNTRY_ID,
            "EndDate": self.day.isoformat(),
            "ExternalIdentifier": [_other_id("electadmin-election-id", election.pk)],
            "Name": text(election.name_kk, election.name_ru, election.name_en),
            "StartDate": self.day.isoformat(),
            "Type": kind or "other",
        }
        if not kind:
            tail["OtherType"] = election.kind
        yield "," + _dumps(tail)[1:-1] + "}],"
        yield _dumps({"Format": "precinct-level", "GeneratedDate": self.generated_date()})[1:-1]
        yield ',"GpUnit":'
        yield from _array(self.gp_units())
        yield ",".join(
            [
                "",
                _dumps({"Issuer": ISSUER, "IssuerAbbreviation": ISSUER_ABBREVIATION})[1:-1],
                '"Party":',
            ]
        )
        yield from _array(self.parties())
        tail = {"SequenceEnd": 1, "SequenceStart": 1, "Status": self.status(), "VendorApplicationId": VENDOR}
        yield "," + _dumps(tail)[1:-1] + "}\n"


def _vote_count(gpu, count):
    return _typed("VoteCounts", Count=count, GpUnitId=gpu, Type="total")


def _post_status(candidacy_pk, outcome):
    """winner, advanced-to-runoff or defeated once the official result decides; None otherwise."""
    if outcome is None:
        return None
    if outcome["outcome"] == "elected":
        return "winner" if outcome["winner_id"] == candidacy_pk else "defeated"
    if outcome["outcome"] == "runoff":
        return "advanced-to-runoff" if candidacy_pk in (outcome["runoff"] or []) else "defeated"
    return None


def election_report(election, scope=NATIONAL, progress=None):
    """The NIST SP 1500-100 v2 ElectionReport of `election` within `scope`, as text chunks."""
    return Report(election, scope).chunks(progress)
