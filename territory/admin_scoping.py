"""Scoped admin: the mixin every ModelAdmin of electadmin uses, so staff see and change only their territory.

Usage in any app's admin.py:

    from territory.admin_scoping import ScopedAdminMixin, register_scope_rule

    register_scope_rule(Contest, unit_field="unit")       # FKs to Contest are limited to the user's scope

    @admin.register(Candidacy)
    class CandidacyAdmin(ScopedAdminMixin, admin.ModelAdmin):
        scope_unit_field = "contest__unit"               # or scope_station_field / scope_commission_field

The mixin filters `get_queryset` through `territory.scope`, checks view/change/delete per object,
limits every foreign-key choice to the user's scope (for the models with a rule), refuses a form
whose object would fall outside the scope (a field error), and writes every add, change and delete
through territory.services (save_record, delete_records), which audit them.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from . import scope as territory_scope
from . import services
from .models import AdminUnit, Commission, Membership, PollingStation

OUT_OF_SCOPE_CHOICE = _("That choice is outside your territory or does not exist.")
OUT_OF_SCOPE_OBJECT = _("This is outside your territory.")

# model -> function(user, queryset) -> the part of queryset inside the user's scope.
_SCOPE_RULES = {}


def register_scope_rule(model, *, unit_field=None, station_field=None, commission_field=None, rule=None):
    """Say how to scope `model`: through a path to a unit, a polling station or a commission, or a function.

    Every ScopedAdminMixin limits foreign keys to a model with a rule to the user's scope.
    """
    if rule is None:
        rule = scope_rule(unit_field=unit_field, station_field=station_field, commission_field=commission_field)
    _SCOPE_RULES[model] = rule
    return rule


def scope_rule(*, unit_field=None, station_field=None, commission_field=None):
    """A function(user, queryset) restricting a queryset through the first path given."""
    if unit_field is not None:
        if unit_field == "":
            return lambda user, qs: territory_scope.units_for(user, qs)
        return lambda user, qs: territory_scope.filter_by_unit(user, qs, unit_field)
    if station_field is not None:
        if station_field == "":
            return lambda user, qs: territory_scope.stations_for(user, qs)
        return lambda user, qs: territory_scope.filter_by_station(user, qs, station_field)
    if commission_field is not None:
        if commission_field == "":
            return lambda user, qs: territory_scope.commissions_for(user, qs)
        return lambda user, qs: qs.filter(**{f"{commission_field}__in": territory_scope.commissions_for(user)})
    return None


def scoped(user, model, queryset=None):
    """The part of `queryset` (default: all rows of `model`) inside the user's scope; None when unscoped."""
    rule = _SCOPE_RULES.get(model)
    if rule is None:
        return None
    return rule(user, model._default_manager.all() if queryset is None else queryset)


register_scope_rule(AdminUnit, unit_field="")
register_scope_rule(PollingStation, station_field="")
register_scope_rule(Commission, commission_field="")
register_scope_rule(Membership, commission_field="commission")


def _follow(obj, path):
    """Walk `a__b__c` from obj through attributes; None when a link is missing."""
    for part in path.split("__"):
        if obj is None:
            return None
        try:
            obj = getattr(obj, part)
        except ObjectDoesNotExist:
            return None
    return obj


class ScopedAdminMixin:
    """Put before `admin.ModelAdmin`. Set exactly one of the three scope paths (or override `scope_queryset`).

    - `scope_unit_field`: path from the model to an AdminUnit ("" when the model is AdminUnit);
    - `scope_station_field`: path to a PollingStation ("" when the model is PollingStation);
    - `scope_commission_field`: path to a Commission ("" when the model is Commission).
    - `scope_national_only`: no territory path: only national users (CEC, superusers) see rows.
    - `audit_admin_changes`: write an audit record for admin add/change/delete (default True; turn it
      off where `save_model` calls a service that records its own).
    """

    scope_unit_field = None
    scope_station_field = None
    scope_commission_field = None
    scope_national_only = False
    audit_admin_changes = True

    # --- reading -------------------------------------------------------------------------------
    def user_scope(self, request):
        return territory_scope.scope_for(request.user)

    def scope_queryset(self, request, queryset):
        """The part of `queryset` inside the user's scope."""
        user_scope = self.user_scope(request)
        if user_scope.empty:
            return queryset.none()
        if self.scope_national_only:
            return queryset if user_scope.national else queryset.none()
        rule = scope_rule(
            unit_field=self.scope_unit_field,
            station_field=self.scope_station_field,
            commission_field=self.scope_commission_field,
        )
        if rule is None:
            raise NotImplementedError(f"{type(self).__name__} sets no scope path and does not override scope_queryset")
        return rule(request.user, queryset)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def is_in_scope(self, request, obj):
        if obj is None or obj.pk is None:
            return True
        if self.user_scope(request).national:
            return True
        return self.scope_queryset(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    # --- permissions ---------------------------------------------------------------------------
    def has_module_permission(self, request):
        return not self.user_scope(request).empty and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.is_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return not self.user_scope(request).empty and super().has_add_permission(request, *args)

    # --- forms ---------------------------------------------------------------------------------
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and related in _SCOPE_RULES:
            base = self.get_field_queryset(None, db_field, request)
            kwargs["queryset"] = scoped(request.user, related, base)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and related in _SCOPE_RULES:
            field.error_messages["invalid_choice"] = OUT_OF_SCOPE_CHOICE
        return field

    def scope_form_errors(self, request, form, instance):
        """Field errors ({field: message}) when the submitted object would fall outside the user's scope.

        The default follows the scope path through the form's value of its first field: a
        commission, polling station or unit the user may not see is refused on that field.
        """
        user_scope = self.user_scope(request)
        if user_scope.national:
            return {}
        for path, model in (
            (self.scope_unit_field, AdminUnit),
            (self.scope_station_field, PollingStation),
            (self.scope_commission_field, Commission),
        ):
            if not path:
                continue
            first, _sep, rest = path.partition("__")
            if first not in form.cleaned_data:
                continue  # not on the form (or already refused by the field)
            target = _follow(form.cleaned_data[first], rest) if rest else form.cleaned_data[first]
            if target is None or not scoped(request.user, model, model._default_manager.filter(pk=target.pk)).exists():
                return {first: OUT_OF_SCOPE_OBJECT}
        return {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class ScopedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                for field, message in model_admin.scope_form_errors(request, self, self.instance).items():
                    self.add_error(field if field in self.fields else None, message)
                return cleaned

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm

    # --- writing, through territory.services, with an audit record -------------------------------
    def save_model(self, request, obj, form, change):
        changes = {
            name: [str(form.initial.get(name, "")), str(form.cleaned_data.get(name, ""))] for name in form.changed_data
        }
        services.save_record(request.user, obj, adding=not change, changes=changes, audited=self.audit_admin_changes)

    def delete_model(self, request, obj):
        services.delete_records(
            request.user, self.model._default_manager.filter(pk=obj.pk), audited=self.audit_admin_changes
        )

    def delete_queryset(self, request, queryset):
        services.delete_records(request.user, queryset, audited=self.audit_admin_changes)
