"""Admin of the audit trail (core's AuditEvent): read-only, for national staff (CEC) and auditors.

It lives in territory, not core, because who may read it is a question of territory (core imports
no app of the project).
"""

from django.contrib import admin

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
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

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
