"""Admin of elections: rules and deadlines, contests per unit, nominations, imports, statistics, the next stage."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from territory import scope as territory_scope
from territory.kato import Kind
from territory.models import AdminUnit

from .. import importing, selectors, services, stats
from ..calendar import election_calendar
from ..models import Candidacy, Contest, Election, Party, Person
from ..services.bulk import COLUMNS, REQUIRED_COLUMNS
from .common import (
    is_national,
    run_per_row,
    show_deadline,
)

# --- elections ------------------------------------------------------------------------------------


class CreateContestsForm(forms.Form):
    under = forms.ModelChoiceField(label=_("region or district"), queryset=AdminUnit.objects.none())
    kind = forms.ChoiceField(label=_("kind of unit"), choices=Kind.CHOICES)

    def __init__(self, *args, user, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["under"].queryset = territory_scope.units_for(user).filter(
            kind__in=[Kind.REGION, Kind.CITY_REPUBLICAN, Kind.DISTRICT, Kind.CITY_REGIONAL]
        )
        self.fields["kind"].initial = election.office_type


class NominateForm(forms.Form):
    """One nomination; the person is found by IIN, or entered when new."""

    contest = forms.ModelChoiceField(label=_("contest"), queryset=Contest.objects.none())
    nomination_type = forms.ChoiceField(label=_("nominated"), choices=Candidacy.NominationType.choices)
    party = forms.ModelChoiceField(label=_("party"), queryset=Party.objects.all(), required=False)
    iin = forms.CharField(label=_("IIN"), max_length=12, min_length=12)
    surname = forms.CharField(
        label=_("surname"), help_text=_("As recorded: a person the registry knows is found by IIN and name together.")
    )
    given_name = forms.CharField(label=_("given name"))
    patronymic = forms.CharField(label=_("patronymic"), required=False)
    education = forms.ChoiceField(label=_("education"), choices=Person._meta.get_field("education").choices)
    occupation = forms.CharField(label=_("occupation"), required=False)
    qualification = forms.ChoiceField(label=_("qualification check"), choices=Person.Qualification.choices)
    qualification_checked_on = forms.DateField(label=_("checked on"), required=False)
    qualification_checked_by = forms.CharField(label=_("checked by"), required=False)
    has_criminal_record = forms.BooleanField(label=_("unexpunged criminal record"), required=False)
    has_corruption_offence = forms.BooleanField(label=_("corruption offence"), required=False)
    signatures_submitted = forms.IntegerField(label=_("signatures submitted"), min_value=0, initial=0)
    signatures_valid = forms.IntegerField(label=_("valid signatures"), min_value=0, initial=0)
    deposit_paid = forms.BooleanField(label=_("deposit paid"), required=False)

    def __init__(self, *args, user, election, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contest"].queryset = (
            selectors.contests_for(user).filter(election=election).select_related("unit").order_by("unit__kato")
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    register = forms.BooleanField(label=_("also register every candidate"), required=False)


# The fields of the nomination form that describe a person new to the registry.
PERSON_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "education",
    "occupation",
    "qualification",
    "qualification_checked_on",
    "qualification_checked_by",
    "has_criminal_record",
    "has_corruption_offence",
)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("name", "election_day", "office_type", "status", "links")
    list_filter = ("status", "office_type", "kind")
    readonly_fields = ("status", "kind", "origin", "results_established_on", "deadlines")
    actions = ["advance_selected", "create_contests_action"]
    fieldsets = (
        (None, {"fields": ("name_kk", "name_ru", "name_en", "office_type", "election_day", "called_on", "status")}),
        (
            _("Candidates"),
            {
                "fields": (
                    "min_age",
                    "min_education",
                    "term_years",
                    "term_limit",
                    "signature_threshold_percent",
                    "deposit_wage_multiple",
                    "minimum_wage",
                    "deposit_refund_vote_percent",
                )
            },
        ),
        (
            _("Timeline"),
            {
                "fields": (
                    "nomination_end_offset_days",
                    "registration_end_offset_days",
                    "withdrawal_end_offset_days",
                    "cutoff_time",
                    "time_zone",
                    "nomination_extension_days",
                    "min_candidates",
                    "deadlines",
                )
            },
        ),
        (_("Outcome"), {"fields": ("against_all", "winner_rule", "min_turnout_percent", "against_all_effect")}),
        (
            _("After the count"),
            {
                "fields": (
                    "kind",
                    "origin",
                    "results_established_on",
                    "winner_registration_days",
                    "runoff_offset_days",
                    "by_election_call_offset_days",
                    "by_election_day_offset_days",
                )
            },
        ),
    )

    def has_module_permission(self, request):
        return not selectors.registry_scope_for(request.user).empty and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not selectors.registry_scope_for(request.user).empty and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_national(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_national(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.save_election_rules(request.user, obj, changed=form.changed_data)

    @admin.display(description=_("calendar (local time)"))
    def deadlines(self, obj):
        if obj.pk is None:
            return "—"
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            (
                (row.label, show_deadline(row.deadline, obj.zone) if row.deadline else date_format(row.day))
                for row in election_calendar(obj)
            ),
        )

    @admin.display(description=_("pages"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:registry_election_stats", args=[obj.pk]),
            _("statistics"),
            reverse("admin:registry_election_create_contests", args=[obj.pk]),
            _("create contests"),
            reverse("admin:registry_election_import", args=[obj.pk]),
            _("import nominations"),
            reverse("admin:registry_election_nominate", args=[obj.pk]),
            _("nominate"),
        )

    @admin.action(description=_("Move the selected elections to their next stage"))
    def advance_selected(self, request, queryset):
        run_per_row(
            request,
            queryset,
            lambda election: services.advance_to_next_stage(request.user, election),
            _("Moved to the next stage"),
        )

    @admin.action(description=_("Create contests for all units of a kind under a region or district…"))
    def create_contests_action(self, request, queryset):
        election = queryset.first()
        if queryset.count() != 1:
            messages.error(request, _("Choose exactly one election."))
            return None
        return HttpResponseRedirect(reverse("admin:registry_election_create_contests", args=[election.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/stats/", wrap(self.stats_view), name="registry_election_stats"),
            path(
                "<int:pk>/create-contests/", wrap(self.create_contests_view), name="registry_election_create_contests"
            ),
            path("<int:pk>/import/", wrap(self.import_view), name="registry_election_import"),
            path("<int:pk>/nominate/", wrap(self.nominate_view), name="registry_election_nominate"),
            *super().get_urls(),
        ]

    def _page(self, request, election, title, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": election,
                "election": election,
                "title": title,
                **context,
            },
        )

    def _election(self, request, pk):
        election = get_object_or_404(Election, pk=pk)
        if not self.has_view_permission(request, election):
            raise PermissionDenied
        return election

    def stats_view(self, request, pk):
        election = self._election(request, pk)
        figures = stats.election_stats(election)
        return self._page(
            request,
            election,
            _("Candidate statistics"),
            "admin/registry/election/stats.html",
            stats=figures,
            extra=stats.breakdowns(election),
        )

    def create_contests_view(self, request, pk):
        election = self._election(request, pk)
        if not request.user.has_perm("registry.add_contest"):
            raise PermissionDenied
        form = CreateContestsForm(request.POST or None, user=request.user, election=election)
        if request.method == "POST" and form.is_valid():
            try:
                created, existing = services.create_contests(
                    request.user, election, under=form.cleaned_data["under"], kind=form.cleaned_data["kind"]
                )
            except DomainError as error:
                form.add_error(None, f"{error.message} [{error.code}]")
            else:
                messages.success(
                    request,
                    _("%(created)d contests created, %(existing)d already existed.")
                    % {"created": created, "existing": existing},
                )
                return HttpResponseRedirect(
                    reverse("admin:registry_contest_changelist") + f"?election__id__exact={election.pk}"
                )
        return self._page(request, election, _("Create contests"), "admin/registry/election/form.html", form=form)

    def nominate_view(self, request, pk):
        election = self._election(request, pk)
        if not request.user.has_perm("registry.add_candidacy"):
            raise PermissionDenied
        form = NominateForm(request.POST or None, user=request.user, election=election)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                candidacy = services.nominate_person(
                    request.user,
                    contest=data["contest"],
                    iin=data["iin"],
                    person_fields={k: data[k] for k in PERSON_FIELDS},
                    nomination_type=data["nomination_type"],
                    party=data["party"],
                    signatures_submitted=data["signatures_submitted"],
                    signatures_valid=data["signatures_valid"],
                    deposit_paid=data["deposit_paid"],
                )
            except DomainError as error:
                form.add_error(None, f"{error.message} [{error.code}]")
                for failure in error.details.get("failures", []):
                    form.add_error(None, failure["message"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Nominated: %(who)s.") % {"who": candidacy.person.full_name})
                return HttpResponseRedirect(reverse("admin:registry_candidacy_change", args=[candidacy.pk]))
        return self._page(request, election, _("Nominate a candidate"), "admin/registry/election/form.html", form=form)

    def import_view(self, request, pk):
        election = self._election(request, pk)
        if not request.user.has_perm("registry.add_candidacy"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        rows = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = importing.import_file(
                    request.user, election, upload.read(), upload.name, register=form.cleaned_data["register"]
                )
            except DomainError as error:
                form.add_error(None, f"{error.message} [{error.code}]")
                rows = error.details.get("rows", [])
            else:
                messages.success(request, _("%(n)d nominations imported.") % {"n": len(report)})
                return HttpResponseRedirect(
                    reverse("admin:registry_candidacy_changelist") + f"?election__id__exact={election.pk}"
                )
        return self._page(
            request,
            election,
            _("Import nominations"),
            "admin/registry/election/form.html",
            form=form,
            rows=rows,
            columns=COLUMNS,
            required_columns=REQUIRED_COLUMNS,
            multipart=True,
        )
