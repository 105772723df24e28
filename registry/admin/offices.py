"""Admin of the office register: office-holders (terms of office) per unit with their history, the
filters of the issue, the accountability timeline on a term's page, and the forms that record
reports, initiatives, votes of no confidence and early terminations through the office services.

Registered by the `registry.admin` package.
Every list and page is scoped by territory (territory.admin_scoping).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import DomainError
from core.models import AuditEvent
from core.reasons import MAX_REASON_LENGTH
from territory.admin import RegionListFilter
from territory.admin_scoping import ScopedAdminMixin, register_scope_rule
from territory.models import AdminUnit

from .. import services as registry_services
from ..errors import NoSuchPerson
from ..models import (
    EARLY_END_REASONS,
    ContestFollowUp,
    DismissalInitiative,
    EndReason,
    MaslikhatReport,
    NoConfidenceVote,
    TermOfOffice,
)
from ..models.election import OFFICE_KINDS
from ..offices import services
from .common import DistrictFilter
from .history import term_history

register_scope_rule(TermOfOffice, unit_field="unit")


class TermRegionFilter(RegionListFilter):
    region_path = "unit__region_id"


class TermDistrictFilter(DistrictFilter):
    district_path = "unit__district_id"


class InOfficeFilter(admin.SimpleListFilter):
    title = _("in office")
    parameter_name = "in_office"

    def lookups(self, request, model_admin):
        return [("yes", _("in office")), ("no", _("ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_office()
        if self.value() == "no":
            return queryset.ended()
        return queryset


class TermNumberFilter(admin.SimpleListFilter):
    title = _("term number")
    parameter_name = "term_number"

    def lookups(self, request, model_admin):
        return [("1", "1"), ("2", "2"), ("3+", _("3 or more"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "3+":
            return queryset.filter(term_number__gte=3)
        if value in ("1", "2"):
            return queryset.filter(term_number=int(value))
        return queryset


class OfficeTypeFilter(admin.SimpleListFilter):
    title = _("office type")
    parameter_name = "office_type"

    def lookups(self, request, model_admin):
        field = TermOfOffice._meta.get_field("office_type")
        return [(k, label) for k, label in field.choices if k in OFFICE_KINDS]

    def queryset(self, request, queryset):
        return queryset.filter(office_type=self.value()) if self.value() else queryset


class ReportForm(forms.Form):
    reported_on = forms.DateField(label=_("reported on"))
    approved = forms.TypedChoiceField(
        label=_("decision of the maslikhat"),
        choices=[("yes", _("approved")), ("no", _("not approved"))],
        coerce=lambda v: v == "yes",
    )
    decision_reference = forms.CharField(label=_("decision (number and date)"), max_length=200)


class InitiativeForm(forms.Form):
    submitted_on = forms.DateField(label=_("submitted on"))
    signatures = forms.IntegerField(label=_("signatures"), min_value=0)
    outcome = forms.ChoiceField(label=_("outcome"), choices=DismissalInitiative.Outcome.choices)
    decision_reference = forms.CharField(label=_("decision"), max_length=200, required=False)


class NoConfidenceForm(forms.Form):
    held_on = forms.DateField(label=_("held on"))
    votes_for = forms.IntegerField(label=_("votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("votes against"), min_value=0)
    outcome = forms.ChoiceField(label=_("outcome"), choices=NoConfidenceVote.Outcome.choices)
    decision_reference = forms.CharField(label=_("decision (number and date)"), max_length=200)


class TerminateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("reason"), choices=[(r, label) for r, label in EndReason.choices if r in EARLY_END_REASONS]
    )
    ended_on = forms.DateField(label=_("ended on"))
    reason_text = forms.CharField(
        label=_("reason in words ('other')"), required=False, widget=forms.Textarea, max_length=MAX_REASON_LENGTH
    )
    decision_reference = forms.CharField(label=_("decision"), max_length=200, required=False)


class PriorTermForm(forms.Form):
    """A term held before the register existed (or outside it): counted by the term limit."""

    iin = forms.CharField(label=_("IIN of the person"), min_length=12, max_length=12)
    surname = forms.CharField(label=_("surname"), max_length=100)
    given_name = forms.CharField(
        label=_("given name"),
        max_length=100,
        help_text=_("As recorded: a person the registry knows is found by IIN and name together."),
    )
    unit_kato = forms.CharField(label=_("KATO code of the unit"), min_length=9, max_length=9)
    office_type = forms.ChoiceField(
        label=_("office type"),
        choices=[(k, label) for k, label in TermOfOffice._meta.get_field("office_type").choices if k in OFFICE_KINDS],
    )
    started_on = forms.DateField(label=pgettext_lazy("period", "from"))
    ended_on = forms.DateField(
        label=pgettext_lazy("period", "to"), required=False, help_text=_("Empty when the akim is still in office.")
    )

    def clean_unit_kato(self):
        unit = AdminUnit.objects.filter(kato=self.cleaned_data["unit_kato"]).first()
        if unit is None:
            raise forms.ValidationError(_("No unit with this KATO code."))
        return unit


# (url name, title, form, service call): one page per accountability record.
TERM_ACTIONS = {
    "report": (_("Record a report to the maslikhat"), ReportForm, services.record_report),
    "initiative": (_("Record a community dismissal initiative"), InitiativeForm, services.record_initiative),
    "no-confidence": (_("Record a vote of no confidence"), NoConfidenceForm, services.hold_no_confidence_vote),
    "terminate": (_("End the term early (a by-election is called)"), TerminateForm, services.terminate_term),
}


def timeline(term):
    """The term's accountability events, in date order: (date, kind, text, reference)."""
    rows = [(term.started_on, _("term started"), _("term number %(n)d") % {"n": term.term_number}, "")]
    for r in term.reports.all():
        verdict = _("approved") if r.approved else _("not approved")
        rows.append((r.reported_on, _("report to the maslikhat"), verdict, r.decision_reference))
    for i in term.initiatives.all():
        text = _("%(outcome)s, %(n)d signatures") % {"outcome": i.get_outcome_display(), "n": i.signatures}
        rows.append((i.submitted_on, _("community dismissal initiative"), text, i.decision_reference))
    for v in term.no_confidence_votes.all():
        text = _("%(outcome)s (%(for)d for, %(against)d against); grounds: %(grounds)s") % {
            "outcome": v.get_outcome_display(),
            "for": v.votes_for,
            "against": v.votes_against,
            "grounds": v.get_grounds_display(),
        }
        rows.append((v.held_on, _("vote of no confidence"), text, v.decision_reference))
    if term.ended_on:
        text = term.get_end_reason_display() + (f": {term.end_reason_text}" if term.end_reason_text else "")
        rows.append((term.ended_on, _("term ended"), text, term.end_decision_reference))
    if term.by_election_id:
        e = term.by_election
        text = _("called %(called)s, election day %(day)s") % {"called": e.called_on, "day": e.election_day}
        rows.append((e.called_on, _("by-election"), text, str(e)))
    return sorted(rows, key=lambda row: row[0])


@admin.register(TermOfOffice)
class TermOfOfficeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Office-holders: every term in the user's territory, current and past; a term's page shows its
    accountability timeline and links to the forms that record it (state changes go through services)."""

    scope_unit_field = "unit"
    change_form_template = "admin/registry/termofoffice/change_form.html"
    list_display = (
        "person_name",
        "unit_link",
        "region",
        "office_type",
        "term_number",
        "started_on",
        "planned_end_on",
        "ended_on",
        "end_reason",
        "in_office",
        "party",
    )
    list_filter = (
        TermRegionFilter,
        TermDistrictFilter,
        OfficeTypeFilter,
        InOfficeFilter,
        "end_reason",
        TermNumberFilter,
        "election",
    )
    list_select_related = ("person", "unit__region", "election", "candidacy__party")
    search_fields = ("person__surname", "person__given_name", "^unit__kato", "unit__name_ru", "unit__name_kk")
    search_help_text = _("Surname or given name of the akim; KATO code (start) or name of the unit.")
    ordering = ("unit__kato", "-started_on")
    list_per_page = 100
    raw_id_fields = ("person", "unit")
    readonly_fields = (
        "person",
        "unit",
        "office_type",
        "term_number",
        "started_on",
        "planned_end_on",
        "ended_on",
        "end_reason",
        "end_reason_text",
        "end_decision_reference",
        "election",
        "candidacy",
        "by_election",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # terms are opened by winner registration or entered as prior terms (services)

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("unit", "unit__id__exact", "person", "person__id__exact") or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("akim"), ordering="person__surname")
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description=_("unit (history)"), ordering="unit__kato")
    def unit_link(self, obj):
        url = reverse("admin:registry_termofoffice_changelist") + f"?unit__id__exact={obj.unit_id}"
        return format_html('<a href="{}">{} ({})</a>', url, obj.unit.name, obj.unit.kato)

    @admin.display(description=_("region"))
    def region(self, obj):
        return obj.unit.region.name if obj.unit.region_id else "-"

    @admin.display(description=_("in office"), boolean=True)
    def in_office(self, obj):
        return obj.ended_on is None

    @admin.display(description=_("party at election"))
    def party(self, obj):
        if obj.candidacy_id is None:
            return "-"
        return obj.candidacy.party.short_name if obj.candidacy.party_id else _("self-nominated")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        term = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if term is not None:
            term = (
                TermOfOffice.objects.select_related("by_election", "unit", "person")
                .prefetch_related("reports", "initiatives", "no_confidence_votes")
                .get(pk=term.pk)
            )
            extra["timeline"] = timeline(term)
            extra["history"] = term_history(AuditEvent.objects.for_object(term).order_by("id"))
            extra["unit_history"] = (
                TermOfOffice.objects.filter(unit_id=term.unit_id).select_related("person").order_by("-started_on")
            )
            if term.ended_on is None and self.has_change_permission(request, term):
                extra["term_actions"] = [
                    (reverse(f"admin:registry_termofoffice_{name.replace('-', '_')}", args=[term.pk]), title)
                    for name, (title, _form, _call) in TERM_ACTIONS.items()
                ]
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        if self.has_change_permission(request):
            extra["prior_term_url"] = reverse("admin:registry_termofoffice_prior")
        return super().changelist_view(request, extra_context=extra)

    def prior_term_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = PriorTermForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                # By IIN and name together, within the user's territory (never by IIN alone).
                person = registry_services.person_for_nomination(
                    request.user, data["iin"], surname=data["surname"], given_name=data["given_name"]
                )
                if person is None:
                    raise NoSuchPerson()
                term = services.open_term_of_office(
                    request.user,
                    person=person,
                    unit=data["unit_kato"],
                    office_type=data["office_type"],
                    started_on=data["started_on"],
                    ended_on=data["ended_on"],
                )
            except DomainError as error:
                form.add_error(None, format_html("{} [{}]", error.message, error.code))
            else:
                messages.success(request, _("Recorded."))
                return HttpResponseRedirect(reverse("admin:registry_termofoffice_change", args=[term.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enter a prior term of office"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/registry/termofoffice/action.html", context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        urls = [path("prior-term/", wrap(self.prior_term_view), name="registry_termofoffice_prior")]
        urls += [
            path(
                f"<int:pk>/{name}/",
                wrap(self._action_view(name)),
                name=f"registry_termofoffice_{name.replace('-', '_')}",
            )
            for name in TERM_ACTIONS
        ]
        return [*urls, *super().get_urls()]

    def _action_view(self, name):
        title, form_class, call = TERM_ACTIONS[name]

        def view(request, pk):
            term = get_object_or_404(self.get_queryset(request), pk=pk)
            if not self.has_change_permission(request, term):
                raise PermissionDenied
            form = form_class(request.POST or None)
            if request.method == "POST" and form.is_valid():
                try:
                    call(request.user, term, **form.cleaned_data)
                except DomainError as error:
                    failed = error.details.get("failed_rules") if isinstance(error.details, dict) else None
                    form.add_error(None, format_html("{} [{}]", error.message, error.code))
                    for rule in failed or []:
                        form.add_error(None, format_html("{}: {}", rule["rule"], rule["message"]))
                else:
                    messages.success(request, _("Recorded."))
                    return HttpResponseRedirect(reverse("admin:registry_termofoffice_change", args=[term.pk]))
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "term": term,
                "form": form,
                "opts": self.model._meta,
            }
            return TemplateResponse(request, "admin/registry/termofoffice/action.html", context)

        return view


class _TermRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only lists of the accountability records (written from the term's page)."""

    scope_unit_field = "term__unit"
    list_select_related = ("term__person", "term__unit")
    search_fields = ("term__person__surname", "^term__unit__kato")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("akim"))
    def akim(self, obj):
        return obj.term.person.full_name

    @admin.display(description=_("unit"))
    def unit(self, obj):
        return f"{obj.term.unit.name} ({obj.term.unit.kato})"


@admin.register(MaslikhatReport)
class MaslikhatReportAdmin(_TermRecordAdmin):
    list_display = ("reported_on", "akim", "unit", "approved", "decision_reference")
    list_filter = ("approved",)


@admin.register(DismissalInitiative)
class DismissalInitiativeAdmin(_TermRecordAdmin):
    list_display = ("submitted_on", "akim", "unit", "signatures", "outcome", "decision_reference")
    list_filter = ("outcome",)


@admin.register(NoConfidenceVote)
class NoConfidenceVoteAdmin(_TermRecordAdmin):
    list_display = ("held_on", "akim", "unit", "votes_for", "votes_against", "outcome", "grounds")
    list_filter = ("outcome", "grounds")


@admin.register(ContestFollowUp)
class ContestFollowUpAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """What was done with each contest's official outcome; the flags for a repeat election."""

    scope_unit_field = "contest__unit"
    list_display = ("contest", "action", "outcome", "flag_list", "term", "follow_up_election", "decided_at")
    list_filter = ("action", "contest__election")
    list_select_related = ("contest__unit", "contest__election", "term__unit", "follow_up_election")
    search_fields = ("^contest__unit__kato", "contest__unit__name_ru")

    @admin.display(description=_("flags"))
    def flag_list(self, obj):
        return ", ".join(obj.flags or []) or "-"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
