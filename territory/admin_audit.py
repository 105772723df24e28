"""Admin of the audit trail (core's AuditEvent): read-only, for national staff (CEC) and auditors.

It lives in territory, not core, because who may read it is a question of territory (core imports
no app of the project).
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import AuditEvent

from .scope import scope_for


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes audit events here; the trail is written by `core.audit.record` only.

    Events carry no territory path, so only national staff (CEC, superusers) see them in the
    admin.
    """

    list_display = ("created_at", "actor_name", "actor_role", "action", "object_type", "object_id", "to_state")
    list_filter = ("action", "object_type", "actor_role", "created_at")
    search_fields = ("actor_name", "action", "object_id", "reason", "commission")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False
    # `data` through the owning app's gate (results: no entry figures before both entries are done).
    readonly_fields = [field.name if field.name != "data" else "shown_data" for field in AuditEvent._meta.fields]
    fields = readonly_fields

    @admin.display(description=_("data"))
    def shown_data(self, event):
        data = audit.data_visible_to(getattr(event, "viewer", None), event)
        return format_html("<pre>{}</pre>", json.dumps(data, indent=1, ensure_ascii=False, default=str))

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            event.viewer = request.user  # the gate decides per viewer (the admin instance is shared)
        return event

    def _national(self, request):
        return scope_for(request.user).national

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if self._national(request) else queryset.none()

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._national(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._national(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
