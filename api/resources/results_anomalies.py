"""API resource of the anomaly flags (results.anomalies): statistical signals for auditors, per
polling station and per contest, read from the table the aggregation writes (read-only). A flag
is a signal for a closer look, never a verdict; its explanation says so in the request's language."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.filters import territory_filterset
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from registry.models import Contest, Election
from results import anomalies
from results.models import AnomalyFlag
from territory.models import PollingStation


class AnomalyFlagSerializer(serializers.ModelSerializer):
    station_number = serializers.IntegerField(
        source="polling_station.number", read_only=True, allow_null=True, default=None
    )
    label = serializers.SerializerMethodField(help_text=_("What the code means, in the request's language."))
    values = serializers.DictField(help_text=_("The figures that raised the flag (percentages as text)."))
    explanation = serializers.SerializerMethodField(
        help_text=_("The flag in plain words with its figures, in the request's language; a signal, never a verdict.")
    )

    class Meta:
        model = AnomalyFlag
        fields = [
            "id",
            "election",
            "contest",
            "polling_station",
            "station_number",
            "district",
            "code",
            "label",
            "values",
            "explanation",
            "computed_at",
        ]

    def get_label(self, flag) -> str:
        return str(anomalies.LABELS.get(flag.code, flag.code))

    def get_explanation(self, flag) -> str:
        return flag.explanation()


class AnomalyFlagFilter(territory_filterset("contest__unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    contest = django_filters.ModelChoiceFilter(queryset=Contest.objects.all(), help_text=_("Contest id."))
    polling_station = django_filters.ModelChoiceFilter(
        queryset=PollingStation.objects.all(), help_text=_("Polling station id.")
    )
    code = django_filters.ChoiceFilter(choices=anomalies.CHOICES, help_text=_("Code of the flag."))

    class Meta:
        model = AnomalyFlag
        fields = ["election", "contest", "polling_station", "code"]


class AnomalyFlagViewSet(ReadOnlyViewSet):
    """Statistical anomaly flags per polling station and per contest: signals, never verdicts."""

    serializer_class = AnomalyFlagSerializer
    filterset_class = AnomalyFlagFilter
    queryset = AnomalyFlag.objects.select_related("polling_station").order_by(
        "election_id", "contest_id", "polling_station_id", "code", "pk"
    )

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), unit="contest__unit")
