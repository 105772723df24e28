"""Admin of candidacies: the scoped list with its filters and the register / refuse / withdraw / deregister actions."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent
from core.reasons import MAX_REASON_LENGTH
from territory.admin_scoping import ScopedAdminMixin

from .. import selectors, services
from ..iin import mask
from ..models import Candidacy
from ..reasons import reason_text
from .common import (
    CandidacyRegionFilter,
    ContestFilter,
    DistrictFilter,
    IinSearchMixin,
    run_per_row,
)
from .history import candidacy_history

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
        "reason_shown",
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
        "reason_shown",
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

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        """The typed reason as typed; the failed requirements in the reader's language."""
        return reason_text(obj.reason, obj.reason_failures)

    @admin.display(description=_("person"))
    def person_link(self, obj):
        url = reverse("admin:registry_person_change", args=[obj.person_id])
        return format_html('<a href="{}">{}</a>', url, obj.person.full_name)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["eligibility_failures"] = selectors.eligibility_report(obj)
            extra_context["history"] = candidacy_history(AuditEvent.objects.for_object(obj).order_by("id"))
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
