"""Admin screens of the territory: units (KATO tree), polling stations, commissions, memberships; all scoped."""

from django.contrib import admin
from django.contrib.admin import widgets
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import (
    admin_audit,  # noqa: F401  (registers the audit trail's admin)
    admin_users,  # noqa: F401  (the user admin's password page in the reader's language)
    services,
)
from .admin_scoping import OUT_OF_SCOPE_OBJECT, ScopedAdminMixin
from .models import AdminUnit, Commission, Membership, PollingStation
from .scope import commissions_for, scope_for, stations_for, units_for

COMMISSION_OUT_OF_SCOPE = _(
    "This commission is outside your territory: you may seat members only on the commissions of your territory."
)


class RegionListFilter(admin.SimpleListFilter):
    """Filter by region: lists the regions of the user's territory.

    `region_path` is the lookup to the region's id from the listed model; `unit_path`, when set,
    also matches rows whose unit *is* the region.
    """

    title = _("region")
    parameter_name = "region"
    region_path = "region_id"
    unit_path = None

    def lookups(self, request, model_admin):
        user_scope = scope_for(request.user)
        regions = AdminUnit.objects.regions()
        if not user_scope.national:
            regions = regions.filter(
                Q(pk__in=user_scope.region_ids)
                | Q(pk__in=AdminUnit.objects.filter(pk__in=user_scope.district_ids).values("region_id"))
                | Q(pk__in=PollingStation.objects.filter(pk__in=user_scope.station_ids).values("region_id"))
            )
        return [(str(region.pk), f"{region.name} ({region.kato})") for region in regions.order_by("kato")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        q = Q(**{self.region_path: value})
        if self.unit_path:
            q |= Q(**{self.unit_path: value})
        return queryset.filter(q)


class UnitRegionFilter(RegionListFilter):
    region_path = "region_id"
    unit_path = "pk"


class CommissionRegionFilter(RegionListFilter):
    region_path = "unit__region_id"
    unit_path = "unit_id"


class MembershipRegionFilter(RegionListFilter):
    region_path = "commission__unit__region_id"
    unit_path = "commission__unit_id"


def unit_path(unit):
    """The path from the region down to the unit, from the select_related region/district/parent (no query)."""
    chain = []
    if unit.region_id and unit.region_id != unit.pk:
        chain.append(unit.region)
    if unit.district_id and unit.district_id != unit.pk:
        chain.append(unit.district)
    if unit.parent_id and unit.parent_id not in (unit.region_id, unit.district_id):
        chain.append(unit.parent)
    chain.append(unit)
    return " / ".join(str(node.name) for node in chain)


@admin.register(AdminUnit)
class AdminUnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = ""
    list_display = ("kato", "display_name", "kind", "tree_path", "registered_voters")
    list_display_links = ("kato", "display_name")
    list_filter = ("kind", UnitRegionFilter)
    search_fields = ("^kato", "name_ru", "name_kk", "name_en")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent", "region", "district")
    readonly_fields = ("tree_path", "region", "district")
    fields = (
        "kato",
        "kind",
        "parent",
        "name_kk",
        "name_ru",
        "name_en",
        "registered_voters",
        "active_from",
        "active_to",
        "tree_path",
        "region",
        "district",
    )
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent", "region", "district")

    @admin.display(description=_("name"), ordering="name_ru")
    def display_name(self, unit):
        return unit.name

    @admin.display(description=_("path"))
    def tree_path(self, unit):
        if unit.pk is None:
            return "-"
        return f"{unit_path(unit)} ({unit.kato})"

    def has_change_permission(self, request, obj=None):
        # The unit a commission is *of* is seen, not changed, by that commission's staff.
        if obj is not None and self._is_jurisdiction_root(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._is_jurisdiction_root(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def _is_jurisdiction_root(self, request, obj):
        user_scope = scope_for(request.user)
        return not user_scope.national and (obj.pk in user_scope.region_ids or obj.pk in user_scope.district_ids)

    def scope_form_errors(self, request, form, instance):
        if scope_for(request.user).national:
            return {}
        parent = form.cleaned_data.get("parent")
        if parent is None:
            # A unit without a parent is a region: only the CEC creates those.
            return {"parent": OUT_OF_SCOPE_OBJECT} if "parent" not in form.errors else {}
        if not units_for(request.user).filter(pk=parent.pk).exists():
            return {"parent": OUT_OF_SCOPE_OBJECT}
        return {}


@admin.register(PollingStation)
class PollingStationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_station_field = ""
    list_display = ("number", "unit", "district", "region", "registered_voters", "address")
    list_filter = (RegionListFilter,)
    search_fields = ("=number", "^unit__kato", "unit__name_ru", "unit__name_kk", "address")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit", "district", "region")
    readonly_fields = ("district", "region")
    list_per_page = 100


@admin.register(Commission)
class CommissionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_commission_field = ""
    list_display = ("name", "kind", "unit", "polling_station")
    list_filter = ("kind", CommissionRegionFilter)
    search_fields = ("name", "^unit__kato", "unit__name_ru", "unit__name_kk")
    autocomplete_fields = ("unit", "polling_station")
    list_select_related = ("unit", "polling_station")
    list_per_page = 100

    def scope_form_errors(self, request, form, instance):
        user_scope = scope_for(request.user)
        if user_scope.national:
            return {}
        if form.cleaned_data.get("kind") == Commission.Kind.CEC:
            return {"kind": OUT_OF_SCOPE_OBJECT}
        unit, station = form.cleaned_data.get("unit"), form.cleaned_data.get("polling_station")
        if unit is not None and not units_for(request.user).filter(pk=unit.pk).exists():
            return {"unit": OUT_OF_SCOPE_OBJECT}
        if station is not None and not stations_for(request.user).filter(pk=station.pk).exists():
            return {"polling_station": OUT_OF_SCOPE_OBJECT}
        return {}


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_commission_field = "commission"
    list_display = ("user", "role", "commission", "active_from", "active_to")
    list_filter = ("role", "commission__kind", MembershipRegionFilter)
    search_fields = ("user__username", "user__last_name", "commission__name", "^commission__unit__kato")
    autocomplete_fields = ("commission",)
    raw_id_fields = ("user",)
    list_select_related = ("user", "commission")
    list_per_page = 100
    # Every write goes through territory.services, which audits it and keeps the member's groups.
    audit_admin_changes = False

    def get_readonly_fields(self, request, obj=None):
        # A seat belongs to one person: seating someone else is a new seat, not a change of this one.
        return ("user",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        values = {
            "commission": obj.commission,
            "role": obj.role,
            "active_from": obj.active_from,
            "active_to": obj.active_to,
        }
        if change:
            saved = services.change_membership(request.user, obj, **values)
        else:
            saved = services.appoint_member(request.user, user=obj.user, **values)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_member(request.user, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for membership in queryset.select_related("user", "commission"):
                services.remove_member(request.user, membership)

    def scope_form_errors(self, request, form, instance):
        commission = form.cleaned_data.get("commission")
        if commission is not None and not commissions_for(request.user).filter(pk=commission.pk).exists():
            return {"commission": COMMISSION_OUT_OF_SCOPE}
        return {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and field is not None:
            users_admin = self.admin_site._registry.get(db_field.related_model)
            if users_admin is None or not users_admin.has_view_permission(request):
                # No link to the user list or a user's page for staff who may not open them (403).
                field.widget = UserIdWithoutLinksWidget(db_field.remote_field, self.admin_site)
        return field


class UserIdWithoutLinksWidget(widgets.ForeignKeyRawIdWidget):
    """The raw-id input with the chosen user's name, without the lookup and change links."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["related_url"] = None
        context["link_url"] = None
        return context
