"""Admin of protocols: read-only figures and entries, scoped, with certify / reopen actions via the services.

The protocol page shows each entry as a labelled table (paper codes and labels, candidates by
ballot number and name), the figures of an entry only once both entries of its cycle are finished
(blind double entry), and the reasons of its reopenings and resolutions from the audit trail.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.models import AuditEvent
from core.numbers import percent
from territory.admin import RegionListFilter
from territory.admin_scoping import ScopedAdminMixin, register_scope_rule
from territory.kato import Kind
from territory.scope import units_for

from ..controls import AGAINST_ALL, FIGURE_NAMES, FIGURES
from ..models import PROGRESS_GROUPS, Protocol, ProtocolEntry, ProtocolVote
from ..selectors import entry_figures_visible_to
from ..services import certify_protocols, reopen_protocol
from ..tec_queue import ballot

register_scope_rule(Protocol, station_field="polling_station")

REASON_LABELS = {
    "protocol.reopen": _("reopened"),
    "protocol.resolve_keep_entry": _("discrepancy resolved: an entry kept"),
    "protocol.resolve_corrected": _("discrepancy resolved: corrected figures"),
    "protocol.resolve_discard_both": _("discrepancy resolved: both entries discarded"),
}
# Audit actions whose reason the protocol page shows.
REASONED_ACTIONS = (
    "protocol.reopen",
    "protocol.resolve_keep_entry",
    "protocol.resolve_corrected",
    "protocol.resolve_discard_both",
)


class TerritoryRegionFilter(RegionListFilter):
    """Regions of the user's territory; none offered when there is only one to choose."""

    def lookups(self, request, model_admin):
        choices = super().lookups(request, model_admin)
        return choices if len(choices) > 1 else []


class TerritoryDistrictFilter(admin.SimpleListFilter):
    """Districts of the user's territory (of the chosen region); none offered when there is only one."""

    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = units_for(request.user).filter(kind__in=[Kind.DISTRICT, Kind.CITY_REGIONAL])
        region = request.GET.get("region")
        if region and region.isdigit():
            districts = districts.filter(region_id=region)
        choices = [(str(d.pk), f"{d.name} ({d.kato})") for d in districts.order_by("kato")]
        return choices if len(choices) > 1 else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(district_id=value)


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


class BallotMixin:
    """The contest's ballot (number, candidacy id, name), read once per page."""

    def _ballot(self, contest_id):
        cache = self.__dict__.setdefault("_ballots", {})
        if contest_id not in cache:
            cache[contest_id] = ballot([contest_id]).get(contest_id, [])
        return cache[contest_id]

    def get_formset(self, request, obj=None, **kwargs):
        self.__dict__.pop("_ballots", None)
        return super().get_formset(request, obj, **kwargs)


class ProtocolEntryInline(BallotMixin, ReadOnlyInline):
    model = ProtocolEntry
    fields = ("cycle", "kind", "status", "clerk", "figures_table", "explanations", "reason", "finished_at")
    readonly_fields = fields
    ordering = ("cycle", "slot", "started_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clerk", "protocol__election")

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request (ModelAdmin.get_inline_instances): the viewer is this request's.
        self.viewer = request.user
        return super().get_formset(request, obj, **kwargs)

    def _visible(self, entry):
        # Blind double entry, for staff too: the one rule of results.selectors.
        return entry_figures_visible_to(getattr(self, "viewer", None), entry.protocol, entry)

    @admin.display(description=_("figures"))
    def figures_table(self, entry):
        protocol = entry.protocol
        if not self._visible(entry):
            return _("hidden until both entries are finished")
        values = entry.values if isinstance(entry.values, dict) else {}
        specs = [*FIGURES, AGAINST_ALL] if protocol.election.against_all else list(FIGURES)
        votes = values.get("votes") if isinstance(values.get("votes"), dict) else {}
        listed = self._ballot(protocol.contest_id)
        return render_to_string(
            "admin/results/entry_figures.html",
            {
                "figures": [(code, label, values.get(name)) for name, code, label in specs],
                "votes": [(number, name, votes.get(str(cid))) for number, cid, name in listed],
            },
        )

    @admin.display(description=_("warnings explained"))
    def explanations(self, entry):
        if not self._visible(entry) or not isinstance(entry.acknowledged, dict):
            return "-"
        return render_to_string("admin/results/entry_explanations.html", {"items": sorted(entry.acknowledged.items())})


class ProtocolVoteInline(BallotMixin, ReadOnlyInline):
    model = ProtocolVote
    fields = ("ballot_number", "candidacy", "votes")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("candidacy__person", "candidacy__contest__unit")

    @admin.display(description=_("No. on the ballot"))
    def ballot_number(self, vote):
        listed = self._ballot(vote.candidacy.contest_id)
        return next((number for number, cid, _name in listed if cid == vote.candidacy_id), "-")


@admin.register(Protocol)
class ProtocolAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_station_field = "polling_station"
    audit_admin_changes = False  # nothing changes here except through the services, which audit
    # Narrow columns: the list fits the screen (the contest's unit and KATO code, not its long label).
    list_display = ("polling_station", "contest_unit", "district_name", "state", "turnout_percent", "state_changed_at")
    list_filter = ("state", "election", TerritoryRegionFilter, TerritoryDistrictFilter)
    list_select_related = ("polling_station", "contest__unit", "district")
    search_fields = (
        "contest__unit__kato",
        "contest__unit__name_kk",
        "contest__unit__name_ru",
        "contest__unit__name_en",
        "polling_station__number",
    )
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
        "reasons",
        "printable",
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

    @admin.display(description=_("contest"), ordering="contest__unit__kato")
    def contest_unit(self, obj):
        return str(obj.contest.unit)  # the unit's name and KATO code

    @admin.display(description=_("district"), ordering="district__kato")
    def district_name(self, obj):
        return obj.district.name if obj.district_id else "-"

    @admin.display(description=_("reopenings and resolutions"))
    def reasons(self, obj):
        events = AuditEvent.objects.for_object(obj).filter(action__in=REASONED_ACTIONS).order_by("created_at", "id")
        rows = [
            {
                "when": e.created_at,
                "action": REASON_LABELS.get(e.action, e.action),
                "who": e.actor_name,
                "role": e.actor_role,
                "commission": e.commission,
                "reason": e.reason,
            }
            for e in events
        ]
        return render_to_string("admin/results/protocol_reasons.html", {"rows": rows})

    @admin.display(description=_("printable protocol"))
    def printable(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("results:protocol_print", args=[obj.pk]), _("Print"))

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
