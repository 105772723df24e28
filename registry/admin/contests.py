"""Admin of contests: the scoped list with candidacy counts, nomination extensions and the contest page."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from territory.admin_scoping import ScopedAdminMixin

from .. import services
from ..models import Contest
from .common import (
    ContestDistrictFilter,
    ContestRegionFilter,
    FewerThanTwoFilter,
    deadline_rows,
    run_per_row,
)

# --- contests -------------------------------------------------------------------------------------


@admin.register(Contest)
class ContestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "unit"
    audit_admin_changes = True
    list_display = (
        "unit_name",
        "kato",
        "region",
        "election",
        "status",
        "registered_voters",
        "registered_count",
        "active_count",
        "fewer_than_two",
    )
    list_filter = ("election", ContestRegionFilter, ContestDistrictFilter, "status", FewerThanTwoFilter)
    search_fields = ("^unit__kato", "unit__name_ru", "unit__name_kk")
    list_select_related = ("unit__region", "election")
    list_per_page = 100
    actions = ["extend_nomination_selected"]
    fields = ("election", "unit", "seats", "status", "registered_voters", "nomination_extended_until", "deadlines")
    readonly_fields = ("election", "unit", "status", "nomination_extended_until", "deadlines")

    @admin.display(description=_("deadlines (local time)"))
    def deadlines(self, obj):
        rows = [(_("nomination ends"), obj.nomination_deadline), (_("registration ends"), obj.registration_deadline)]
        return deadline_rows(rows, obj.election.zone)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit__region", "election").with_candidate_counts()

    def has_add_permission(self, request):
        return False  # contests are created per kind of unit, from the election page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unit"), ordering="unit__name_ru")
    def unit_name(self, obj):
        return obj.unit.name

    @admin.display(description=_("KATO"), ordering="unit__kato")
    def kato(self, obj):
        return obj.unit.kato

    @admin.display(description=_("region"))
    def region(self, obj):
        return obj.unit.region.name if obj.unit.region_id else "-"

    @admin.display(description=_("registered"), ordering="registered_count")
    def registered_count(self, obj):
        return obj.registered_count

    @admin.display(description=_("nominated or registered"), ordering="active_count")
    def active_count(self, obj):
        return obj.active_count

    @admin.display(description=_("fewer than 2"), boolean=True)
    def fewer_than_two(self, obj):
        return obj.registered_count < 2

    @admin.action(description=_("Extend nomination in the selected contests"))
    def extend_nomination_selected(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        run_per_row(
            request,
            queryset,
            lambda c: services.extend_nomination(request.user, c, reason="admin"),
            _("Nomination extended"),
        )
