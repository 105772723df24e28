"""System checks of core: `manage.py check --deploy` warns when audit checkpoints cannot be signed."""

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


@checks.register(checks.Tags.security, deploy=True)
def audit_signing_key(app_configs, **kwargs):
    raw = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if not raw:
        return [
            checks.Warning(
                _("AUDIT_SIGNING_KEY is not set: no signed checkpoint of the audit trail will be made."),
                hint=_("Make one with `manage.py audit_checkpoint --new-key` (docs/OPERATIONS.md, section 13)."),
                id="core.W001",
            )
        ]
    from .checkpoints import SigningKeyInvalid, _load_private_key

    try:
        _load_private_key(raw)
    except SigningKeyInvalid as exc:
        return [checks.Error(str(exc), id="core.E001")]
    return []
