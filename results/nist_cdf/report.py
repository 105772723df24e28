"""The reads of an election's NIST SP 1500-100 v2 report (see results.nist_cdf): every row read in key
order with `.values().iterator()`, the elements written as they come."""

import datetime
import itertools
from operator import itemgetter

from django.db.models import Count, F, Max, Q, Sum

from registry.models import Candidacy, Contest, Party
from territory.models import AdminUnit
from territory.scope import NATIONAL
from territory.selectors import NAME_FIELDS, name_on, units_on

from ..models import Basis, CandidateResult, ContestResult, Protocol, ProtocolState, ProtocolVote, TurnoutRollup
from ..models.protocols import WITH_FIGURES
from .elements import (
    COUNTRY_ID,
    COUNTRY_NAMES,
    ELECTION_TYPES,
    ISSUER,
    ISSUER_ABBREVIATION,
    PRE_ELECTION_STATUS,
    UNIT_TYPES,
    VENDOR,
    Groups,
    array,
    dumps,
    other_id,
    post_status,
    station_id,
    status_list,
    text,
    typed,
    unit_id,
    vote_count,
)


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

    def _in_scope(self, queryset, path):
        """The rows whose unit at `path` lies in the territory: a region's figures are not a district's to see."""
        if self.scope.national:
            return queryset
        return queryset.filter(**{f"{path}__in": AdminUnit.objects.filter(self.scope.unit_q()).values("pk")})

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
        """{unit pk (None: the election): (registered, issued, counted, expected, certified)} from the
        turnout roll-ups in the territory (the preliminary basis; certified: the official one's count)."""
        pre, official = Q(basis=Basis.PRELIMINARY), Q(basis=Basis.OFFICIAL)
        rows = (
            self._in_scope(TurnoutRollup.objects.filter(election=self.election), "unit")
            .values("unit_id", "level")
            .annotate(
                has_preliminary=Count("pk", filter=pre),
                registered=Sum("registered_voters", filter=pre),
                issued=Sum("ballots_issued", filter=pre),
                counted=Sum("protocols_counted", filter=pre),
                expected=Sum("protocols_expected", filter=pre),
                certified=Sum("protocols_counted", filter=official),
            )
            .order_by("unit_id", "level")
        )
        # A unit rolled up at two levels (a district that is itself a contest's unit) has equal rows: one is kept.
        rollups = {}
        for row in rows:
            if row["has_preliminary"]:
                figures = (row["registered"], row["issued"], row["counted"], row["expected"], row["certified"] or 0)
                rollups.setdefault(row["unit_id"], figures)
        return rollups

    def _unit_figures(self, unit_pk, rollups):
        if unit_pk not in rollups:
            return {}
        registered, issued, counted, expected, certified = rollups[unit_pk]
        return {
            "CountStatus": status_list(expected, counted, certified),
            "SubUnitsReported": counted,
            "TotalSubUnits": expected,
            "VotersParticipated": issued,
            "VotersRegistered": registered,
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
        country = typed(
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
            item = typed(
                "ReportingUnit",
                ComposingGpUnitIds=children.get(unit.pk) or None,
                ExternalIdentifier=[other_id("kato", unit.kato)],
                Name=text(unit.name_kk, unit.name_ru, unit.name_en),
                OtherType=None if kind else unit.kind,
                Type=kind or "other",
                **self._unit_figures(unit.pk, rollups),
            )
            item["@id"] = unit_id(unit.kato)
            yield item
        for row in stations.iterator(chunk_size=2000):
            item = typed(
                "ReportingUnit",
                CountStatus=status_list(row["total"], row["counted"], row["certified"]),
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
            grouped = self._in_scope(results.exclude(**{f"{path}__isnull": True}), path)
            for row in grouped.values(kato=F(f"{path}__kato")).annotate(**sums).order_by():
                by_unit.setdefault(row["kato"], row)
        rows = [(COUNTRY_ID, results.aggregate(**sums))] if self.scope.national and results.exists() else []
        rows += [(unit_id(kato), by_unit[kato]) for kato in sorted(by_unit)]
        for gpu, row in rows:
            yield typed(
                "BallotCounts", BallotsCast=row["cast"], BallotsRejected=row["rejected"], GpUnitId=gpu, Type="total"
            )
        for row in self._station_rows().filter(counted__gt=0).iterator(chunk_size=2000):
            yield typed(
                "BallotCounts",
                BallotsCast=row["found"],
                BallotsRejected=row["invalid"],
                GpUnitId=station_id(row["district_kato"], row["polling_station__number"]),
                Type="total",
            )

    # Candidates and parties ---------------------------------------------------------------------

    def _official_outcomes(self):
        return Groups(
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
            item = typed(
                "Candidate",
                BallotName=text(name, name),
                PartyId=f"par-{row['party_id']}" if row["party_id"] else None,
                PostElectionStatus=post_status(row["pk"], outcome),
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
            item = typed(
                "Party",
                Abbreviation=text(party["short_name"], party["short_name"]),
                ExternalIdentifier=[other_id("registration-number", party["registration_number"])],
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
        figures = Groups(
            protocols.values("contest_id", "state", "against_all", **station)
            .order_by("contest_id", "district_kato", "number")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        votes = Groups(
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
        candidacies = Groups(
            self.candidacies().values("pk", "contest_id").order_by("contest_id", "pk").iterator(chunk_size=2000),
            "contest_id",
        )
        totals = Groups(
            CandidateResult.objects.filter(election=election, basis=Basis.PRELIMINARY)
            .values("contest_id", "candidacy_id", "votes")
            .order_by("contest_id", "candidacy_id")
            .iterator(chunk_size=2000),
            "contest_id",
        )
        results = Groups(
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
                vote_count(station_id(v["district_kato"], v["number"]), v["votes"])
                for v in by_candidacy.get(candidacy["pk"], [])
            ]
            if candidacy["pk"] in totals:
                counts.append(vote_count(gpu, totals[candidacy["pk"]]))
            item = typed("CandidateSelection", CandidateIds=[f"can-{candidacy['pk']}"], VoteCounts=counts)
            item["@id"] = f"cs-{candidacy['pk']}"
            selections.append(item)
        if self.election.against_all:
            counts = [
                vote_count(station_id(f["district_kato"], f["number"]), f["against_all"])
                for f in contest_figures
                if f["state"] in WITH_FIGURES and f["against_all"] is not None
            ]
            if result:
                counts.append(vote_count(gpu, result[0]["against_all"]))
            item = typed("CandidateSelection", VoteCounts=counts)
            item["@id"] = f"cs-{row['pk']}-against-all"
            selections.append(item)
        total = len(contest_figures)
        counted = sum(1 for f in contest_figures if f["state"] in WITH_FIGURES)
        certified = sum(1 for f in contest_figures if f["state"] == ProtocolState.CERTIFIED)
        item = typed(
            "CandidateContest",
            BallotTitle=text(row["unit_name_kk"], row["unit_name_ru"], row["unit_name_en"]),
            ContestSelection=selections,
            CountStatus=status_list(total, counted, certified),
            ElectionDistrictId=gpu,
            ExternalIdentifier=[other_id("kato", row["unit__kato"])],
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
        yield from array(self.ballot_counts())
        yield ',"Candidate":'
        yield from array(self.candidates())
        yield ',"Contest":'
        yield from array(self.contest_items(progress))
        p = self.progress()
        kind = ELECTION_TYPES.get(election.kind)
        tail = {
            "CountStatus": status_list(p["total"], p["counted"], p["certified"]),
            "ElectionScopeId": COUNTRY_ID,
            "EndDate": self.day.isoformat(),
            "ExternalIdentifier": [other_id("electadmin-election-id", election.pk)],
            "Name": text(election.name_kk, election.name_ru, election.name_en),
            "StartDate": self.day.isoformat(),
            "Type": kind or "other",
        }
        if not kind:
            tail["OtherType"] = election.kind
        yield "," + dumps(tail)[1:-1] + "}],"
        yield dumps({"Format": "precinct-level", "GeneratedDate": self.generated_date()})[1:-1]
        yield ',"GpUnit":'
        yield from array(self.gp_units())
        yield ",".join(
            [
                "",
                dumps({"Issuer": ISSUER, "IssuerAbbreviation": ISSUER_ABBREVIATION})[1:-1],
                '"Party":',
            ]
        )
        yield from array(self.parties())
        tail = {"SequenceEnd": 1, "SequenceStart": 1, "Status": self.status(), "VendorApplicationId": VENDOR}
        yield "," + dumps(tail)[1:-1] + "}\n"


def election_report(election, scope=NATIONAL, progress=None):
    """The NIST SP 1500-100 v2 ElectionReport of `election` within `scope`, as text chunks."""
    return Report(election, scope).chunks(progress)
