"""Who may read the API: auditors with a token, staff with a session."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from api.models import ApiToken

from .tokens import may_read_with


class IsAuditor(BasePermission):
    """A token of an auditor (group “auditors”) or of staff; a staff member's browser session."""

    message = _("Only auditors and commission staff may read this API.")
    code = "not_auditor"

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if isinstance(request.auth, ApiToken):
            return may_read_with(request.auth)
        return bool(user.is_active and user.is_staff)
