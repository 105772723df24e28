"""The model of the API: auditors' tokens (moved from core with their table, `core_apitoken`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def usable_at(self, moment):
        return self.filter(revoked_at__isnull=True, expires_at__gt=moment)


class ApiToken(models.Model):
    """A read-only API token of an auditor; only its SHA-256 is stored (see `api.tokens`).

    `key_prefix` (the first characters of the token) finds the row; the hash proves the rest.
    A token carries the territory it was issued with (`scope`), never a wider one later:
    `national` and `region` (`scope_unit`) tokens are issued only to users in the auditor role
    (group “auditors”); a `commission` token is a commission member's, sees that commission's
    territory and works only while the member holds an active seat on it (`scope_commission`).
    """

    class Scope(models.TextChoices):
        NATIONAL = "national", _("national")
        REGION = "region", _("one region")
        COMMISSION = "commission", _("a commission's territory")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auditor"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("note"), max_length=200, blank=True, help_text=_("What the token is for."))
    key_prefix = models.CharField(_("token prefix"), max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(_("token SHA-256"), max_length=64, unique=True, editable=False)
    scope_unit = models.ForeignKey(
        "territory.AdminUnit",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a national auditor."),
    )
    scope = models.CharField(_("territory"), max_length=20, choices=Scope.choices, editable=False)
    scope_commission = models.ForeignKey(
        "territory.Commission",
        verbose_name=_("commission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a commission member's token: the seat that backs it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("issued at"), editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    # Events of tokens were recorded as "core.apitoken" before the model moved here from core; kept,
    # so that a token's audit chain goes on under the same name (core.audit.object_type_of).
    audit_object_type = "core.apitoken"

    class Meta:
        db_table = "core_apitoken"  # the table of the model's first home (core), kept with its rows
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="token_expires_later"
            ),
            # A token's territory is exactly one of: the country, a region, a commission's seat (a
            # commission token whose seat was unknown when scopes were introduced has none: it never works).
            models.CheckConstraint(
                condition=(
                    models.Q(scope="national", scope_unit__isnull=True, scope_commission__isnull=True)
                    | models.Q(scope="region", scope_unit__isnull=False, scope_commission__isnull=True)
                    | models.Q(scope="commission", scope_unit__isnull=True)
                ),
                name="token_scope_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.key_prefix}… ({self.user})"
