"""Admin of official outcomes for the commissions: each contest's official result with what was done
about it, and the action that does what the outcome calls for (register the elected akim, call the
runoff, flag a repeat election or a tie) through `results.winners`. Scoped by territory.

Registered by the `results.admin` package. Seeing the list needs the right to add terms of office
(territorial and CEC staff): registering an akim opens a term.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from registry.models import ContestFollowUp
from territory.admin_scoping import ScopedAdminMixin

from .. import winners
from ..models import Basis, ContestResult

PERMISSION = "registry.add_termofoffice"


class ActionFilter(admin.SimpleListFilter):
    title = _("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return [("none", _("not acted on yet")), *ContestFollowUp.Action.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(contest__follow_up__isnull=True)
        if value in ContestFollowUp.Action.values:
            return queryset.filter(contest__follow_up__action=value)
        return queryset


class OfficialOutcomeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "unit"
    audit_admin_changes = False
    list_display = ("unit_name", "election", "outcome", "winner_name", "flag_list", "follow_up")
    list_filter = (ActionFilter, "outcome", "election")
    list_select_related = ("unit", "election", "winner__person", "contest__follow_up")
    search_fields = ("^unit__kato", "unit__name_kk", "unit__name_ru", "unit__name_en")
    list_per_page = 100
    actions = ["act_on_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(basis=Basis.OFFICIAL)

    def _allowed(self, request):
        return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSION)

    def has_module_permission(self, request):
        return not self.user_scope(request).empty and self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and self.is_in_scope(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("electoral unit"), ordering="unit__kato")
    def unit_name(self, obj):
        return f"{obj.unit.name} ({obj.unit.kato})"

    @admin.display(description=_("winner"))
    def winner_name(self, obj):
        return obj.winner.person.full_name if obj.winner_id else "-"

    @admin.display(description=_("flags"))
    def flag_list(self, obj):
        return ", ".join(obj.flags or []) or "-"

    @admin.display(description=_("follow-up"))
    def follow_up(self, obj):
        follow_up = getattr(obj.contest, "follow_up", None)
        if follow_up is None:
            return "-"
        if follow_up.term_id:
            url = reverse("admin:registry_termofoffice_change", args=[follow_up.term_id])
            return format_html('<a href="{}">{}</a>', url, follow_up.get_action_display())
        return follow_up.get_action_display()

    @admin.action(description=_("Act on the official outcome (register the akim, call the runoff or flag)"))
    def act_on_selected(self, request, queryset):
        done = 0
        for result in queryset.select_related("contest", "unit"):
            try:
                winners.act_on_outcome(request.user, result.contest)
            except DomainError as error:
                self.message_user(
                    request,
                    format_html("{}: {} [{}]", result.unit.name, error.message, error.code),
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, _g("Acted on: %(n)d.") % {"n": done}, messages.SUCCESS)


if not admin.site.is_registered(ContestResult):
    admin.site.register(ContestResult, OfficialOutcomeAdmin)
