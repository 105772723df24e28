"""API resources of the territory: administrative units and polling stations (read-only)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.filters import IntegerFilter, KatoPrefixFilter, territory_filterset
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from territory.kato import Kind
from territory.models import AdminUnit, PollingStation


class UnitSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    level = serializers.IntegerField(read_only=True, help_text=_("1 region, 2 district, 3 rural district, 4 village."))

    class Meta:
        model = AdminUnit
        fields = [
            "id",
            "kato",
            "kind",
            "level",
            "name",
            "name_kk",
            "name_ru",
            "name_en",
            "parent",
            "region",
            "district",
            "registered_voters",
            "active_from",
            "active_to",
        ]


class UnitFilter(territory_filterset("")):
    kind = django_filters.MultipleChoiceFilter(
        choices=Kind.CHOICES, help_text=_("Kind of unit; repeat the parameter for several.")
    )
    parent = django_filters.ModelChoiceFilter(
        queryset=AdminUnit.objects.all(), help_text=_("Direct children of the unit with this id.")
    )
    kato = KatoPrefixFilter(help_text=_("KATO code prefix (1 to 9 digits)."))

    class Meta:
        model = AdminUnit
        fields = ["kind", "parent", "kato", "region", "region_id", "district", "district_id"]


class UnitViewSet(ReadOnlyViewSet):
    """Administrative units of the KATO hierarchy."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    queryset = AdminUnit.objects.order_by("kato")

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), unit="")


class PollingStationSerializer(serializers.ModelSerializer):
    unit_kato = serializers.CharField(source="unit.kato", read_only=True, help_text=_("KATO code of the unit served."))

    class Meta:
        model = PollingStation
        fields = ["id", "number", "unit", "unit_kato", "district", "region", "address", "registered_voters"]


class PollingStationFilter(territory_filterset("unit")):
    unit = django_filters.ModelChoiceFilter(
        queryset=AdminUnit.objects.all(), help_text=_("Stations serving the unit with this id.")
    )
    number = IntegerFilter(help_text=_("Station number (unique within a district)."))

    class Meta:
        model = PollingStation
        fields = ["unit", "number", "region", "region_id", "district", "district_id"]


class PollingStationViewSet(ReadOnlyViewSet):
    """Polling stations (precincts) with their registered voters."""

    serializer_class = PollingStationSerializer
    filterset_class = PollingStationFilter
    queryset = PollingStation.objects.select_related("unit").order_by("district_id", "number", "pk")

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), station="")
