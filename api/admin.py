"""Admin of API tokens: CEC staff issue (the token is shown once) and revoke; nothing is deleted."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken
from core.errors import DomainError
from territory.models import AdminUnit
from territory.scope import scope_for

from . import tokens


class IssueTokenForm(forms.ModelForm):
    expires_in_days = forms.IntegerField(
        label=_("valid for, days"), min_value=1, max_value=tokens.MAX_DAYS, initial=settings.API_TOKEN_DAYS
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope_unit", "scope_commission"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_staff=True) | Q(groups__name=tokens.AUDITOR_GROUP))
            .distinct()
        )
        self.fields["scope_unit"].queryset = AdminUnit.objects.regions()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "key_prefix",
        "user",
        "name",
        "scope",
        "scope_unit",
        "scope_commission",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("revoked_at", "expires_at")
    list_select_related = ("user", "scope_unit", "scope_commission")
    search_fields = ("key_prefix", "user__username", "name")
    ordering = ("-created_at",)
    actions = ["revoke"]
    readonly_fields = (
        "user",
        "name",
        "scope",
        "scope_unit",
        "scope_commission",
        "key_prefix",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )

    def _national(self, request):
        return scope_for(request.user).national

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = IssueTokenForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self._national(request) else queryset.none()

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._national(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._national(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._national(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._national(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            token, raw = tokens.issue_token(
                data["user"],
                request.user,
                data["expires_in_days"],
                scope_unit=data.get("scope_unit"),
                name=data.get("name", ""),
                commission=data.get("scope_commission"),
            )
        except DomainError as error:
            messages.error(request, error.message)
            raise
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        obj._state = token._state
        messages.warning(
            request,
            _("The new token (scope: %(scope)s), shown only now (copy it; only its hash is kept): %(token)s")
            % {"token": raw, "scope": tokens.describe_scope(token)},
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.revoke_token(token, request.user, reason=_("revoked in the admin"))
            revoked += 1
        self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", revoked) % {"n": revoked})
