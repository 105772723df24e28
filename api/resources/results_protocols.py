"""API resources of results' protocols: protocols and their entries (read-only).

Figures of a protocol are published once it is verified; entries only of verified or certified
protocols. Nobody is named: entries show the clerk's user id, audit events role and commission.
A protocol's turnout is the one `results.selectors.protocol_turnout_percent` gives.
"""

from collections import defaultdict

import django_filters
from django.db import router
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import rows
from api.audit_events import register_audited_type
from api.filters import InstantFilter, IntegerFilter, territory_filterset
from api.pagination import CursorPagination
from api.prepared import PreparedValues
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from registry.models import Contest, Election
from results.controls import FIGURE_NAMES
from results.models import WITH_FIGURES, Protocol, ProtocolEntry, ProtocolState, ProtocolVote
from results.selectors import entries_with_visible_figures, protocol_turnout_percent
from territory.models import PollingStation

from .registry import election_exists


class FiguresSerializer(serializers.Serializer):
    """The official figures of a protocol (V, R, Is, Im, S, U, Fs, Fm, N, A)."""

    voters = serializers.IntegerField()
    ballots_received = serializers.IntegerField()
    issued_station = serializers.IntegerField()
    issued_mobile = serializers.IntegerField()
    spoiled = serializers.IntegerField()
    unused = serializers.IntegerField()
    found_stationary = serializers.IntegerField()
    found_mobile = serializers.IntegerField()
    invalid = serializers.IntegerField()
    against_all = serializers.IntegerField(allow_null=True)


class VoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtocolVote
        fields = ["candidacy", "votes"]


class ProtocolSerializer(serializers.ModelSerializer):
    station_number = serializers.IntegerField(source="polling_station.number", read_only=True)
    figures = serializers.SerializerMethodField(help_text=_("Official figures; null until the protocol is verified."))
    votes = serializers.SerializerMethodField(help_text=_("Votes per candidacy; empty until the protocol is verified."))
    turnout_percent = serializers.SerializerMethodField(help_text=_("(Is + Im) / V x 100, once verified."))

    class Meta:
        model = Protocol
        fields = [
            "id",
            "election",
            "contest",
            "polling_station",
            "station_number",
            "region",
            "district",
            "state",
            "version",
            "cycle",
            "state_changed_at",
            "certified_at",
            "figures",
            "votes",
            "turnout_percent",
        ]

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, protocol):
        if protocol.state not in WITH_FIGURES:
            return None
        figures = {name: getattr(protocol, name) for name in FIGURE_NAMES}
        figures["against_all"] = protocol.against_all
        return figures

    @extend_schema_field(VoteSerializer(many=True))
    def get_votes(self, protocol):
        if protocol.state not in WITH_FIGURES:
            return []
        # Plain dicts: a serializer instance per protocol would dominate the time of a large page.
        return [{"candidacy": vote.candidacy_id, "votes": vote.votes} for vote in protocol.votes.all()]

    def get_turnout_percent(self, protocol) -> float | None:
        if protocol.state not in WITH_FIGURES:
            return None
        return protocol_turnout_percent(protocol.voters, protocol.issued_station, protocol.issued_mobile)


class ProtocolFilter(territory_filterset("polling_station__unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    contest = django_filters.ModelChoiceFilter(queryset=Contest.objects.all(), help_text=_("Contest id."))
    station = django_filters.ModelChoiceFilter(
        field_name="polling_station", queryset=PollingStation.objects.all(), help_text=_("Polling station id.")
    )
    state = django_filters.MultipleChoiceFilter(
        choices=ProtocolState.choices, help_text=_("State of the protocol; repeat for several.")
    )
    changed_since = InstantFilter(
        field_name="state_changed_at",
        lookup_expr="gt",
        help_text=_("Protocols whose state changed after this moment (ISO 8601, e.g. 2021-07-25T20:00:00+06:00)."),
    )

    class Meta:
        model = Protocol
        fields = ["election", "contest", "station", "state", "changed_since"]


class ProtocolViewSet(ReadOnlyViewSet):
    """Precinct protocols: state always; official figures and votes once verified."""

    serializer_class = ProtocolSerializer
    filterset_class = ProtocolFilter
    pagination_class = CursorPagination
    csv_rows_per = ("votes", VoteSerializer)  # CSV: one line per candidate
    plain_filters = {"election": ("election_id", election_exists)}
    queryset = (
        Protocol.objects.select_related("polling_station")
        .prefetch_related(Prefetch("votes", queryset=ProtocolVote.objects.order_by("candidacy_id")))
        .order_by("id")
    )
    # List pages from .values() (api.rows); the same JSON as ProtocolSerializer.
    list_fields = (
        "id",
        "election_id",
        "contest_id",
        "polling_station_id",
        "polling_station__number",
        "region_id",
        "district_id",
        "state",
        "version",
        "cycle",
        "state_changed_at",
        "certified_at",
        *FIGURE_NAMES,
        "against_all",
    )

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), station="polling_station")

    def list_rows(self, page):
        moment = rows.moments(ProtocolSerializer, "state_changed_at")
        with_figures = [row["id"] for row in page if row["state"] in WITH_FIGURES]
        votes = defaultdict(list)
        if with_figures:
            for protocol_id, candidacy_id, count in self._votes(page, with_figures):
                votes[protocol_id].append({"candidacy": candidacy_id, "votes": count})
        out = []
        for row in page:
            published = row["state"] in WITH_FIGURES
            figures = turnout = None
            if published:
                figures = {name: row[name] for name in FIGURE_NAMES}
                figures["against_all"] = row["against_all"]
                turnout = protocol_turnout_percent(row["voters"], row["issued_station"], row["issued_mobile"])
            out.append(
                {
                    "id": row["id"],
                    "election": row["election_id"],
                    "contest": row["contest_id"],
                    "polling_station": row["polling_station_id"],
                    "station_number": row["polling_station__number"],
                    "region": row["region_id"],
                    "district": row["district_id"],
                    "state": row["state"],
                    "version": row["version"],
                    "cycle": row["cycle"],
                    "state_changed_at": moment(row["state_changed_at"]),
                    "certified_at": moment(row["certified_at"]),
                    "figures": figures,
                    "votes": votes[row["id"]] if published else [],
                    "turnout_percent": turnout,
                }
            )
        return out

    def _votes(self, page, with_figures):
        """(protocol id, candidacy id, votes) of the protocols `with_figures`, by protocol and candidacy.

        A prepared page (`plain_value`: the first page of an election, national) holds every protocol
        of the election from its first id to its last: its votes are read by that range, in a query
        compiled once (_PAGE_VOTES); others by the list of ids."""
        if page and self.plain_value == ("election_id", page[0]["election_id"]):
            wanted = set(with_figures)
            found = _PAGE_VOTES.rows(
                router.db_for_read(ProtocolVote), election=self.plain_value[1], low=page[0]["id"], high=page[-1]["id"]
            )
            return [row for row in found if row[0] in wanted]
        return (
            ProtocolVote.objects.filter(protocol_id__in=with_figures)
            .order_by("protocol_id", "candidacy_id")
            .values_list("protocol_id", "candidacy_id", "votes")
        )


_PAGE_VOTES = PreparedValues(
    lambda election, low, high: (
        ProtocolVote.objects.filter(protocol__election_id=election, protocol_id__gte=low, protocol_id__lte=high)
        .order_by("protocol_id", "candidacy_id")
        .values_list("protocol_id", "candidacy_id", "votes")
    ),
    election=-7,
    low=-8,
    high=-9,
)


class EntrySerializer(serializers.ModelSerializer):
    election = serializers.IntegerField(source="protocol.election_id", read_only=True)
    contest = serializers.IntegerField(source="protocol.contest_id", read_only=True)
    clerk = serializers.IntegerField(
        source="clerk_id", read_only=True, help_text=_("Id of the user who entered it (no name is published).")
    )
    values = serializers.JSONField(help_text=_("The figures as entered, with `votes` as {candidacy id: count}."))
    acknowledged = serializers.JSONField(help_text=_("Warnings the clerk acknowledged, with their explanations."))

    class Meta:
        model = ProtocolEntry
        fields = [
            "id",
            "protocol",
            "election",
            "contest",
            "cycle",
            "slot",
            "kind",
            "status",
            "clerk",
            "values",
            "acknowledged",
            "reason",
            "started_at",
            "finished_at",
            "discarded_at",
        ]


class EntryFilter(territory_filterset("protocol__polling_station__unit")):
    protocol = IntegerFilter(field_name="protocol_id", min_value=1, max_value=2**62, help_text=_("Protocol id."))
    election = django_filters.ModelChoiceFilter(
        field_name="protocol__election", queryset=Election.objects.all(), help_text=_("Election id.")
    )
    contest = django_filters.ModelChoiceFilter(
        field_name="protocol__contest", queryset=Contest.objects.all(), help_text=_("Contest id.")
    )
    station = django_filters.ModelChoiceFilter(
        field_name="protocol__polling_station",
        queryset=PollingStation.objects.all(),
        help_text=_("Polling station id."),
    )
    kind = django_filters.ChoiceFilter(
        choices=ProtocolEntry.Kind.choices, help_text=_("First or second entry, or a supervisor's correction.")
    )
    status = django_filters.ChoiceFilter(choices=ProtocolEntry.Status.choices, help_text=_("Status of the entry."))

    class Meta:
        model = ProtocolEntry
        fields = ["protocol", "election", "contest", "station", "kind", "status"]


class EntryViewSet(ReadOnlyViewSet):
    """Every entry of protocols past verification: who (user id), when, and the values entered."""

    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    pagination_class = CursorPagination
    queryset = (
        ProtocolEntry.objects.select_related("protocol")
        .filter(protocol__state__in=WITH_FIGURES)
        .exclude(status=ProtocolEntry.Status.DRAFT)
        .order_by("id")
    )

    def get_queryset(self):
        # Published entries only (verified or certified, no drafts), and never one whose figures
        # blind double entry still hides (results.selectors, the rule of the pages and the admin).
        queryset = entries_with_visible_figures(super().get_queryset())
        return restrict(self.request, queryset, station="protocol__polling_station")


def _visible_protocols(request):
    return restrict(request, Protocol.objects.all(), station="polling_station")


register_audited_type("results.protocol", _visible_protocols)
