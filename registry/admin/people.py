"""Admin of parties and people: parties, and people with their candidacies and terms of office."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from territory import scope as territory_scope
from territory.admin_scoping import ScopedAdminMixin

from .. import services
from ..iin import mask
from ..models import Candidacy, Party, Person, TermOfOffice
from .common import (
    IinSearchMixin,
    is_national,
)

# --- parties, people, terms -----------------------------------------------------------------------


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("short_name", "name", "registration_number", "active_from", "active_to")
    search_fields = ("short_name", "name_ru", "name_kk")

    def has_change_permission(self, request, obj=None):
        return is_national(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_national(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_party(request.user, obj, changed=form.changed_data)


class TermInline(admin.TabularInline):
    model = TermOfOffice
    fk_name = "person"
    extra = 0
    fields = (
        "unit",
        "office_type",
        "term_number",
        "started_on",
        "planned_end_on",
        "ended_on",
        "end_reason",
        "election",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(IinSearchMixin, ScopedAdminMixin, admin.ModelAdmin):
    """People: IIN in full only on the change page; masked in the list; birth date and sex derived."""

    list_display = ("full_name", "masked_iin", "birth_date", "sex", "education", "qualification", "is_synthetic")
    list_filter = ("sex", "education", "qualification", "is_synthetic")
    search_fields = ("surname", "given_name", "patronymic")
    search_help_text = _("Surname, given name or patronymic; or an IIN, in full or masked (80********23).")
    readonly_fields = ("birth_date", "sex")
    autocomplete_fields = ()
    raw_id_fields = ("residence_unit",)
    inlines = [TermInline]
    list_per_page = 100

    def scope_queryset(self, request, queryset):
        """A person is in a user's territory through a candidacy there or their residence."""
        user_scope = self.user_scope(request)
        if user_scope.empty:
            return queryset.none()
        if user_scope.national:
            return queryset
        in_scope_candidacies = territory_scope.filter_by_unit(request.user, Candidacy.objects.all(), "contest__unit")
        in_scope_units = territory_scope.units_for(request.user)
        return queryset.filter(
            Q(pk__in=in_scope_candidacies.values("person_id")) | Q(residence_unit__in=in_scope_units)
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return ("iin", *self.readonly_fields)  # an IIN is not retyped; a wrong one is a new person
        return self.readonly_fields

    @admin.display(description=_("IIN"))
    def masked_iin(self, obj):
        return mask(obj.iin)

    def has_delete_permission(self, request, obj=None):
        return False

    def _audit(self, request, action, obj, data=None):
        # The audit trail may be read outside the admin: it never carries a full IIN.
        changes = (data or {}).get("changes", {})
        if "iin" in changes:
            changes["iin"] = [mask(v) for v in changes["iin"]]
        super()._audit(request, action, obj, data)
