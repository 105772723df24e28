"""Admin screens of the candidate registry for commission staff; every list and action is scoped by territory."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import audit
from core.errors import DomainError
from core.models import AuditEvent
from core.reasons import MAX_REASON_LENGTH
from territory import scope as territory_scope
from territory.admin import RegionListFilter
from territory.admin_scoping import ScopedAdminMixin, register_scope_rule
from territory.kato import Kind
from territory.models import AdminUnit

from . import importing, selectors, services, stats
from .iin import mask
from .models import Candidacy, Contest, Election, Party, Person, TermOfOffice


def show_deadline(moment, zone):
    """A deadline in the election's own zone, named: "14 июля 2021 г. 18:00 (Asia/Almaty, UTC+06:00)"."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone.key}, UTC{offset[:3]}:{offset[3:]})"


def deadline_rows(rows, zone):
    return format_html_join("", "<div>{}: {}</div>", ((label, show_deadline(moment, zone)) for label, moment in rows))


register_scope_rule(Contest, unit_field="unit")
register_scope_rule(Candidacy, unit_field="contest__unit")


def is_national(request):
    return selectors.territorial_scope(request.user).national


def report_outcomes(request, done, failed, verb):
    """One message for what succeeded, one per row that did not (with the reason)."""
    if done:
        messages.success(request, _("%(verb)s: %(n)d.") % {"verb": verb, "n": len(done)})
    for obj, error in failed:
        text = str(error.message)
        failures = error.details.get("failures") if isinstance(error.details, dict) else None
        if failures:
            text += " " + "; ".join(f["message"] for f in failures)
        messages.error(request, format_html("{}: {} [{}]", obj, text, error.code))


def run_per_row(request, queryset, call, verb):
    done, failed = [], []
    for obj in queryset:
        try:
            call(obj)
        except DomainError as error:
            failed.append((obj, error))
        else:
            done.append(obj)
    report_outcomes(request, done, failed, verb)


# --- filters --------------------------------------------------------------------------------------


class CandidacyRegionFilter(RegionListFilter):
    region_path = "contest__unit__region_id"


class ContestRegionFilter(RegionListFilter):
    region_path = "unit__region_id"


class DistrictFilter(admin.SimpleListFilter):
    """Districts of the user's territory (of the chosen region, when one is chosen)."""

    title = _("district")
    parameter_name = "district"
    district_path = "contest__unit__district_id"

    def lookups(self, request, model_admin):
        districts = territory_scope.units_for(request.user).filter(kind__in=[Kind.DISTRICT, Kind.CITY_REGIONAL])
        region = request.GET.get("region")
        if region and region.isdigit():
            districts = districts.filter(region_id=region)
        return [(str(d.pk), f"{d.name} ({d.kato})") for d in districts.order_by("kato")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{self.district_path: value})


class ContestDistrictFilter(DistrictFilter):
    district_path = "unit__district_id"


class ContestFilter(admin.SimpleListFilter):
    """Contests of the chosen district (choose a district first: a country has thousands)."""

    title = _("contest")
    parameter_name = "contest"

    def lookups(self, request, model_admin):
        district = request.GET.get("district")
        if not (district and district.isdigit()):
            return []
        contests = selectors.contests_for(request.user).filter(unit__district_id=district).select_related("unit")
        return [(str(c.pk), f"{c.unit.name} ({c.unit.kato})") for c in contests.order_by("unit__kato")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(contest_id=value)
        return queryset


class FewerThanTwoFilter(admin.SimpleListFilter):
    title = _("registered candidates")
    parameter_name = "fewer_than_two"

    def lookups(self, request, model_admin):
        return [("yes", _("fewer than 2")), ("no", _("2 or more"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(registered_count__lt=2)
        if self.value() == "no":
            return queryset.filter(registered_count__gte=2)
        return queryset


# --- search by name and masked IIN ----------------------------------------------------------------

_MASKED = re.compile(r"^(\d{0,11})\*+(\d{0,11})$")


def iin_search_q(term, prefix):
    """A Q matching a full IIN or a masked one ("80********23"), or None when the term is neither."""
    term = term.strip()
    if re.fullmatch(r"\d{12}", term):
        return Q(**{f"{prefix}iin": term})
    match = _MASKED.match(term)
    if match and (match.group(1) or match.group(2)):
        return Q(**{f"{prefix}iin__startswith": match.group(1), f"{prefix}iin__endswith": match.group(2)})
    return None


class IinSearchMixin:
    iin_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        q = iin_search_q(search_term, self.iin_prefix)
        if q is not None:
            return queryset.filter(q), False
        return super().get_search_results(request, queryset, search_term)


# --- candidacies ----------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_REASON_LENGTH
    )


@admin.register(Candidacy)
class CandidacyAdmin(IinSearchMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_unit_field = "contest__unit"
    audit_admin_changes = False  # nothing changes here but through the services, which record
    iin_prefix = "person__"
    change_form_template = "admin/registry/candidacy/change_form.html"
    list_display = (
        "person_name",
        "masked_iin",
        "contest_unit",
        "region",
        "nomination_type",
        "party",
        "status",
        "sex",
        "nominated_on",
    )
    list_filter = (
        "election",
        CandidacyRegionFilter,
        DistrictFilter,
        ContestFilter,
        "status",
        "nomination_type",
        "party",
        "person__sex",
    )
    search_fields = ("person__surname", "person__given_name", "person__patronymic")
    search_help_text = _("Surname, given name or patronymic; or an IIN, in full or masked (80********23).")
    list_select_related = ("person", "party", "contest__unit__region", "election")
    list_per_page = 100
    actions = ["register_selected", "refuse_selected", "withdraw_selected", "deregister_selected"]
    fields = (
        "person_link",
        "masked_iin",
        "contest",
        "election",
        "nomination_type",
        "party",
        "status",
        "reason",
        "nominated_on",
        "decided_on",
        "ended_on",
        "signatures_required",
        "signatures_submitted",
        "signatures_valid",
        "deposit_paid",
        "deposit_amount",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "party", "contest__unit__region", "election")

    def has_add_permission(self, request):
        return False  # nominations come in through the import (or the services)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("candidate"), ordering="person__surname")
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description=_("IIN"))
    def masked_iin(self, obj):
        return mask(obj.person.iin)

    @admin.display(description=_("contest"), ordering="contest__unit__kato")
    def contest_unit(self, obj):
        return f"{obj.contest.unit.name} ({obj.contest.unit.kato})"

    @admin.display(description=_("region"))
    def region(self, obj):
        region = obj.contest.unit.region
        return region.name if region else "-"

    @admin.display(description=_("sex"), ordering="person__sex")
    def sex(self, obj):
        return obj.person.get_sex_display()

    @admin.display(description=_("person"))
    def person_link(self, obj):
        url = reverse("admin:registry_person_change", args=[obj.person_id])
        return format_html('<a href="{}">{}</a>', url, obj.person.full_name)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["eligibility_failures"] = selectors.eligibility_report(obj)
            extra_context["history"] = AuditEvent.objects.for_object(obj).order_by("id")
        return super().change_view(request, object_id, form_url, extra_context)

    # Actions: each calls the service per row and reports every row that failed, with the reason.
    def _changeable(self, request, queryset):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return queryset.select_related("person", "contest__unit")

    @admin.action(description=_("Register the selected candidates"))
    def register_selected(self, request, queryset):
        run_per_row(
            request, self._changeable(request, queryset), lambda c: services.register(request.user, c), _("Registered")
        )

    def _with_reason(self, request, queryset, title, call, verb, required):
        queryset = self._changeable(request, queryset)
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid() and (form.cleaned_data["reason"].strip() or not required):
                run_per_row(request, queryset, lambda c: call(c, form.cleaned_data["reason"]), verb)
                return None
            if form.is_valid():
                form.add_error("reason", _("Give the reason."))
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "objects": queryset,
            "action": request.POST.get("action"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "reason_required": required,
        }
        return TemplateResponse(request, "admin/registry/candidacy/reason.html", context)

    @admin.action(description=_("Refuse registration of the selected candidates…"))
    def refuse_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            _("Refuse registration (leave the reason empty to use the failed requirements)"),
            lambda c, reason: services.refuse(request.user, c, reason=reason),
            _("Refused"),
            required=False,
        )

    @admin.action(description=_("Record withdrawal of the selected candidates…"))
    def withdraw_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            _("Record the candidates' withdrawal"),
            lambda c, reason: services.withdraw(request.user, c, reason=reason),
            _("Withdrawn"),
            required=False,
        )

    @admin.action(description=_("Cancel registration of the selected candidates…"))
    def deregister_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            _("Cancel registration"),
            lambda c, reason: services.deregister(request.user, c, reason=reason),
            _("Registration cancelled"),
            required=True,
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
    surname = forms.CharField(label=_("surname (new person)"), required=False)
    given_name = forms.CharField(label=_("given name (new person)"), required=False)
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
        return not selectors.territorial_scope(request.user).empty and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not selectors.territorial_scope(request.user).empty and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_national(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return is_national(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="admin.registry.election." + ("changed" if change else "added"),
                obj=obj,
                data={"changed": list(form.changed_data)},
            )

    @admin.display(description=_("deadlines (local time)"))
    def deadlines(self, obj):
        if obj.pk is None:
            return "—"
        rows = [
            (_("nomination ends"), obj.nomination_deadline),
            (_("registration ends"), obj.registration_deadline),
            (_("withdrawal and deregistration end"), obj.withdrawal_deadline),
        ]
        return deadline_rows(rows, obj.zone)

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
        from .services.contests import STAGE_ORDER

        def advance(election):
            index = STAGE_ORDER.index(election.status)
            if index + 1 >= len(STAGE_ORDER):
                raise DomainError(code="election_closed", message=_("The election is closed."))
            services.advance_election(request.user, election, STAGE_ORDER[index + 1])

        run_per_row(request, queryset, advance, _("Moved to the next stage"))

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
                with transaction.atomic():
                    person = Person.objects.filter(iin=data["iin"]).first()
                    if person is None:
                        person = services.create_person(
                            request.user,
                            iin=data["iin"],
                            **{
                                k: data[k]
                                for k in (
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
                            },
                            residence_unit=data["contest"].unit,
                        )
                    candidacy = services.nominate(
                        request.user,
                        contest=data["contest"],
                        person=person,
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
        from .services.bulk import COLUMNS, REQUIRED_COLUMNS

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
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="admin.registry.party." + ("changed" if change else "added"),
                obj=obj,
                data={"changed": list(form.changed_data)},
            )


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


# Office-holders (terms of office) and their accountability records: registry.offices.admin.
from .offices import admin as offices_admin  # noqa: E402, F401
