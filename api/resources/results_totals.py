"""API resources of results' totals: contest results and turnout roll-ups, read from the tables
the aggregation writes (read-only)."""

from collections import defaultdict

import django_filters
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Count, Max, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import rows
from api.filters import territory_filterset
from api.prepared import PreparedValues
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from registry.models import Contest, Election
from results.models import Basis, CandidateResult, ContestResult, TurnoutLevel, TurnoutRollup
from results.outcomes import Code
from territory.models import AdminUnit
from territory.selectors import names_on_day, with_names_on

from .registry import UnitBriefSerializer


class CandidateResultSerializer(serializers.ModelSerializer):
    surname = serializers.CharField(source="candidacy.person.surname", read_only=True)
    given_name = serializers.CharField(source="candidacy.person.given_name", read_only=True)
    patronymic = serializers.CharField(source="candidacy.person.patronymic", read_only=True)
    party = serializers.CharField(
        source="candidacy.party.short_name", read_only=True, allow_null=True, default=None, help_text=_("Short name.")
    )

    class Meta:
        model = CandidateResult
        fields = [
            "candidacy",
            "surname",
            "given_name",
            "patronymic",
            "party",
            "votes",
            "share_percent",
            "rank",
            "is_winner",
        ]


class ContestResultSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    runoff = serializers.ListField(child=serializers.IntegerField(), help_text=_("Candidacy ids going to a runoff."))
    tied = serializers.ListField(child=serializers.IntegerField(), help_text=_("Candidacy ids tied for first place."))
    flags = serializers.ListField(
        child=serializers.CharField(), help_text=_("Conditions for the commission's attention.")
    )
    candidate_results = serializers.SerializerMethodField(help_text=_("Votes per candidate, by rank."))

    class Meta:
        model = ContestResult
        fields = [
            "id",
            "election",
            "contest",
            "basis",
            "unit",
            "region",
            "district",
            "registered_voters",
            "ballots_issued",
            "turnout_percent",
            "ballots_found",
            "invalid",
            "valid",
            "against_all",
            "protocols_counted",
            "protocols_expected",
            "candidates",
            "outcome",
            "winner",
            "runoff",
            "tied",
            "flags",
            "computed_at",
            "candidate_results",
        ]

    @extend_schema_field(CandidateResultSerializer(many=True))
    def get_candidate_results(self, result):
        # Plain dicts (same fields as CandidateResultSerializer): no serializer instance per row.
        rows = []
        for row in getattr(result, "candidate_rows", []):
            person, party = row.candidacy.person, row.candidacy.party
            rows.append(
                {
                    "candidacy": row.candidacy_id,
                    "surname": person.surname,
                    "given_name": person.given_name,
                    "patronymic": person.patronymic,
                    "party": party.short_name if party else None,
                    "votes": row.votes,
                    "share_percent": None if row.share_percent is None else str(row.share_percent),
                    "rank": row.rank,
                    "is_winner": row.is_winner,
                }
            )
        return rows


class BasisFilterMixin:
    """`basis` defaults to official when the parameter is not given."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.data.get("basis"):
            queryset = queryset.filter(basis=Basis.OFFICIAL)
        return queryset


class ContestResultFilter(BasisFilterMixin, territory_filterset("unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    contest = django_filters.ModelChoiceFilter(queryset=Contest.objects.all(), help_text=_("Contest id."))
    unit = django_filters.ModelChoiceFilter(queryset=AdminUnit.objects.all(), help_text=_("Electoral unit id."))
    basis = django_filters.ChoiceFilter(
        choices=Basis.choices,
        help_text=_("official (certified protocols; the default) or preliminary (verified and certified)."),
    )
    outcome = django_filters.ChoiceFilter(choices=Code.CHOICES, help_text=_("Outcome of the contest."))

    class Meta:
        model = ContestResult
        fields = ["election", "contest", "unit", "basis", "outcome"]


def _version_aggregates():
    """Row count, highest id, latest computed_at and, on PostgreSQL, the sum of the rows' xmin (the
    transaction that last wrote each row: any rewrite moves it, even at an equal clock, as in tests;
    SQLite's delete-and-insert moves the ids)."""
    totals = {"n": Count("pk"), "top": Max("pk"), "last": Max("computed_at")}
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        totals["writes"] = Sum(RawSQL("xmin::text::bigint", []))
    return totals


# The election's roll-up rows (one per basis): every aggregation run that writes anything, full,
# incremental or by deltas, writes them too, in the same transaction (results.aggregation:
# "the election row always"); two rows, read by index. Reading the contest and candidate rows
# themselves cost PostgreSQL 6 and 12 ms a request at kz.
_ELECTION_VERSION = PreparedValues(
    lambda election: (
        TurnoutRollup.objects.filter(election_id=election, level=TurnoutLevel.ELECTION)
        .order_by()
        .values("election_id")
        .annotate(**_version_aggregates())
        .values_list(*_version_aggregates())
    ),
    election=-7,
)


def result_tables_version(request):
    """The version of pages built from the result tables (api.cache): the signature of the
    requested election's roll-up rows (of every election's without a valid `election`); see
    _ELECTION_VERSION. Rows changed outside aggregation (a cascade from a deleted contest) show
    within API_CACHE_SECONDS."""
    election = request.query_params.get("election", "")
    if election.isascii() and election.isdigit() and len(election) <= 18:
        found = _ELECTION_VERSION.rows(router.db_for_read(TurnoutRollup), election=int(election))
        return (election, *(found[0] if found else ()))
    elections = TurnoutRollup.objects.filter(level=TurnoutLevel.ELECTION)
    return ("", *elections.aggregate(**_version_aggregates()).values())


class ContestResultViewSet(ReadOnlyViewSet):
    """Contest results (official by default, or preliminary) with the votes of every candidate."""

    serializer_class = ContestResultSerializer
    filterset_class = ContestResultFilter
    csv_rows_per = ("candidate_results", CandidateResultSerializer)  # CSV: one line per candidate
    queryset = ContestResult.objects.select_related("unit").order_by("election_id", "basis", "unit__kato", "pk")
    # List pages from .values() (api.rows); the same JSON as ContestResultSerializer.
    list_fields = (
        "id",
        "election_id",
        "contest_id",
        "basis",
        *rows.unit_columns("unit"),
        *rows.dated_unit_columns("unit"),
        "region_id",
        "district_id",
        "registered_voters",
        "ballots_issued",
        "turnout_percent",
        "ballots_found",
        "invalid",
        "valid",
        "against_all",
        "protocols_counted",
        "protocols_expected",
        "candidates",
        "outcome",
        "winner_id",
        "runoff",
        "tied",
        "flags",
        "computed_at",
    )

    def get_queryset(self):
        queryset = restrict(self.request, super().get_queryset(), unit="unit")
        return rows.dated_unit_names(queryset, "unit", "election__election_day")

    def page_version(self, request):
        return result_tables_version(request)

    def list_rows(self, page):
        percent = rows.converter(ContestResultSerializer, "turnout_percent")
        moment = rows.moments(ContestResultSerializer, "computed_at")
        candidates = self._candidate_results({(row["contest_id"], row["basis"]) for row in page})
        return [
            {
                "id": row["id"],
                "election": row["election_id"],
                "contest": row["contest_id"],
                "basis": row["basis"],
                "unit": rows.unit_brief(row, "unit"),
                "region": row["region_id"],
                "district": row["district_id"],
                "registered_voters": row["registered_voters"],
                "ballots_issued": row["ballots_issued"],
                "turnout_percent": percent(row["turnout_percent"]),
                "ballots_found": row["ballots_found"],
                "invalid": row["invalid"],
                "valid": row["valid"],
                "against_all": row["against_all"],
                "protocols_counted": row["protocols_counted"],
                "protocols_expected": row["protocols_expected"],
                "candidates": row["candidates"],
                "outcome": row["outcome"],
                "winner": row["winner_id"],
                # As the serializer's ListFields give them.
                "runoff": [None if x is None else int(x) for x in row["runoff"]],
                "tied": [None if x is None else int(x) for x in row["tied"]],
                "flags": [None if x is None else str(x) for x in row["flags"]],
                "computed_at": moment(row["computed_at"]),
                "candidate_results": candidates.get((row["contest_id"], row["basis"]), []),
            }
            for row in page
        ]

    @staticmethod
    def _candidate_results(keys):
        """{(contest id, basis): [candidate results as CandidateResultSerializer gives them]}."""
        by_key = defaultdict(list)
        if not keys:
            return by_key
        found = (
            CandidateResult.objects.filter(contest_id__in={c for c, _ in keys}, basis__in={b for _, b in keys})
            .order_by("contest_id", "basis", "rank", "candidacy_id")
            .values_list(
                "contest_id",
                "basis",
                "candidacy_id",
                "candidacy__person__surname",
                "candidacy__person__given_name",
                "candidacy__person__patronymic",
                "candidacy__party__short_name",
                "votes",
                "share_percent",
                "rank",
                "is_winner",
            )
        )
        for contest_id, basis, candidacy_id, surname, given_name, patronymic, party, votes, share, rank, won in found:
            by_key[(contest_id, basis)].append(
                {
                    "candidacy": candidacy_id,
                    "surname": surname,
                    "given_name": given_name,
                    "patronymic": patronymic,
                    "party": party,
                    "votes": votes,
                    "share_percent": None if share is None else str(share),
                    "rank": rank,
                    "is_winner": won,
                }
            )
        return by_key

    def prepare_rows(self, rows):
        """Load the candidate results of the whole page in one query; units named as on election day."""
        if not rows:
            return rows
        names_on_day(rows, "unit")
        keys = {(row.contest_id, row.basis) for row in rows}
        by_key = defaultdict(list)
        candidates = (
            CandidateResult.objects.filter(contest_id__in={c for c, _ in keys}, basis__in={b for _, b in keys})
            .select_related("candidacy__person", "candidacy__party")
            .order_by("contest_id", "basis", "rank", "candidacy_id")
        )
        for candidate in candidates:
            by_key[(candidate.contest_id, candidate.basis)].append(candidate)
        for row in rows:
            row.candidate_rows = by_key.get((row.contest_id, row.basis), [])
        return rows


class TurnoutSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TurnoutRollup
        fields = [
            "id",
            "election",
            "basis",
            "level",
            "unit",
            "contests",
            "contests_complete",
            "registered_voters",
            "ballots_issued",
            "turnout_percent",
            "protocols_counted",
            "protocols_expected",
            "computed_at",
        ]


class TurnoutFilter(BasisFilterMixin, territory_filterset("unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    basis = django_filters.ChoiceFilter(
        choices=Basis.choices,
        help_text=_("official (certified protocols; the default) or preliminary (verified and certified)."),
    )
    level = django_filters.ChoiceFilter(
        choices=TurnoutLevel.choices, help_text=_("Roll-up level: unit, district, region or election.")
    )
    unit = django_filters.ModelChoiceFilter(queryset=AdminUnit.objects.all(), help_text=_("Unit id."))

    class Meta:
        model = TurnoutRollup
        fields = ["election", "basis", "level", "unit"]


class TurnoutViewSet(ReadOnlyViewSet):
    """Turnout and protocol progress rolled up by unit, district, region and election."""

    serializer_class = TurnoutSerializer
    filterset_class = TurnoutFilter
    queryset = TurnoutRollup.objects.select_related("unit").order_by(
        "election_id", "basis", "level", "unit__kato", "pk"
    )

    def get_queryset(self):
        queryset = restrict(self.request, super().get_queryset(), unit="unit")
        return with_names_on(queryset, "election__election_day", "unit")

    def prepare_rows(self, rows):
        """The units named as on the election's day (annotated in the same query)."""
        return names_on_day(rows, "unit")

    def page_version(self, request):
        return result_tables_version(request)
