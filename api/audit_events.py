"""The `audit-events` resource: transitions of published objects (candidacies, contests, protocols...).

Apps register which object types are published here and how to scope them
(`register_audited_type`), so core never imports the apps above it.
"""

import django_filters
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import AuditEvent

from .filters import InstantFilter
from .pagination import CursorPagination
from .scoping import scope_for_request
from .viewsets import ReadOnlyViewSet

# object type label ("registry.candidacy") -> function(request) giving the visible rows' queryset
AUDITED_TYPES = {}


def register_audited_type(label, visible_rows):
    """Publish the audit events of objects of model `label`; `visible_rows(request)` is the
    queryset of the objects the request may see (already scoped)."""
    AUDITED_TYPES[label] = visible_rows


class AuditEventSerializer(serializers.ModelSerializer):
    who = serializers.SerializerMethodField(help_text=_("The actor by role and commission (never a name)."))

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "action",
            "object_type",
            "object_id",
            "from_state",
            "to_state",
            "reason",
            "who",
        ]

    def get_who(self, event) -> dict[str, str]:
        return {"role": event.actor_role, "commission": event.commission}


def _object_type_choices():
    return [(label, label) for label in sorted(AUDITED_TYPES)]


class AuditEventFilter(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(
        choices=_object_type_choices,
        help_text=_("Type of the object: registry.candidacy, registry.contest, registry.election or results.protocol."),
    )
    object_id = django_filters.CharFilter(max_length=40, help_text=_("Id of the object (use with object_type)."))
    action = django_filters.CharFilter(max_length=60, help_text=_("Action, e.g. candidacy.register."))
    since = InstantFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("At or after this moment (ISO 8601).")
    )
    until = InstantFilter(field_name="created_at", lookup_expr="lt", help_text=_("Before this moment (ISO 8601)."))

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "action", "since", "until"]


class AuditEventViewSet(ReadOnlyViewSet):
    """Transitions of candidacies, contests, elections and protocols: who (role, commission), when, from, to, why."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = CursorPagination
    queryset = AuditEvent.objects.all()

    def get_queryset(self):
        national = scope_for_request(self.request).national
        visible = Q(pk__in=[])
        for label, visible_rows in AUDITED_TYPES.items():
            if national:
                visible |= Q(object_type=label)
                continue
            ids = visible_rows(self.request).annotate(_sid=Cast("pk", CharField())).values("_sid")
            visible |= Q(object_type=label, object_id__in=ids)
        return super().get_queryset().filter(visible).order_by("id")
