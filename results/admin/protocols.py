"""Admin of protocols: read-only figures and entries, scoped, with certify / reopen actions via the services."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.numbers import percent
from territory.admin_scoping import ScopedAdminMixin, register_scope_rule

from ..controls import FIGURE_NAMES
from ..models import PROGRESS_GROUPS, Protocol, ProtocolEntry, ProtocolVote
from ..services import certify_protocols, reopen_protocol

register_scope_rule(Protocol, station_field="polling_station")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProtocolEntryInline(ReadOnlyInline):
    model = ProtocolEntry
    fields = ("cycle", "slot", "kind", "status", "clerk", "values", "acknowledged", "reason", "finished_at")
    readonly_fields = fields
    ordering = ("cycle", "slot", "started_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clerk")


class ProtocolVoteInline(ReadOnlyInline):
    model = ProtocolVote
    fields = ("candidacy", "votes")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("candidacy__person", "candidacy__contest__unit")


@admin.register(Protocol)
class ProtocolAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_station_field = "polling_station"
    audit_admin_changes = False  # nothing changes here except through the services, which audit
    list_display = ("polling_station", "contest", "district", "state", "turnout_percent", "version", "state_changed_at")
    list_filter = ("state", "election", "region")
    list_select_related = ("polling_station", "contest__unit", "contest__election", "district")
    search_fields = ("contest__unit__kato", "contest__unit__name_ru", "polling_station__number")
    date_hierarchy = None
    readonly_fields = (
        "election",
        "contest",
        "polling_station",
        "region",
        "district",
        "state",
        "version",
        "cycle",
        "state_changed_at",
        *FIGURE_NAMES,
        "against_all",
        "official_entry",
        "certified_at",
        "certified_by",
    )
    fields = readonly_fields
    inlines = [ProtocolVoteInline, ProtocolEntryInline]
    actions = ["certify_selected", "reopen_selected"]
    change_list_template = "results/admin_protocol_change_list.html"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("turnout, %"))
    def turnout_percent(self, obj):
        if obj.turnout is None:
            return None
        return str(percent(obj.issued_station + obj.issued_mobile, obj.voters))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            counts = cl.queryset.order_by().aggregate(
                **{name: Count("pk", filter=Q(state__in=states)) for name, states in PROGRESS_GROUPS.items()}
            )
            response.context_data["progress"] = [(name.replace("_", " "), counts[name]) for name in PROGRESS_GROUPS]
        return response

    def _report(self, request, outcome, success_message):
        done = sum(1 for _pid, error in outcome if error is None)
        if done:
            self.message_user(request, success_message % {"count": done}, messages.SUCCESS)
        for pid, error in outcome:
            if error is not None:
                self.message_user(
                    request, _g("Protocol %(id)s: %(error)s") % {"id": pid, "error": error.message}, messages.ERROR
                )

    @admin.action(description=_("Certify the selected verified protocols"), permissions=["view"])
    def certify_selected(self, request, queryset):
        outcome = certify_protocols(list(queryset.values_list("pk", flat=True)), request.user)
        self._report(request, outcome, _g("%(count)s protocol(s) certified."))

    @admin.action(description=_("Reopen the selected protocols (asks for a reason)"), permissions=["view"])
    def reopen_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if "apply" not in request.POST or not reason:
            if "apply" in request.POST:
                self.message_user(request, _g("A reason is required to reopen."), messages.ERROR)
            return render(
                request,
                "results/admin_reopen.html",
                {
                    **self.admin_site.each_context(request),
                    "protocols": queryset.select_related("polling_station", "contest__unit"),
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                    "title": _g("Reopen protocols"),
                },
            )
        outcome = []
        for pk in queryset.values_list("pk", flat=True):
            try:
                reopen_protocol(pk, request.user, reason=reason)
                outcome.append((pk, None))
            except DomainError as error:
                outcome.append((pk, error))
        self._report(request, outcome, _g("%(count)s protocol(s) reopened."))
        return None
