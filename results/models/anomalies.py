"""Anomaly flags for auditors (derived data written by results.aggregation, never edited).

One row per flag raised by results.anomalies: a polling station's protocol in a contest, or a
contest's totals (no station). The whole election's rows are replaced by every aggregation run.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import anomalies


class AnomalyFlagQuerySet(models.QuerySet):
    def of_election(self, election):
        return self.filter(election=election)


class AnomalyFlag(models.Model):
    """A statistical signal worth an auditor's look, with the figures that raised it; never a verdict."""

    election = models.ForeignKey(
        "registry.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="anomaly_flags"
    )
    contest = models.ForeignKey(
        "registry.Contest", verbose_name=_("contest"), on_delete=models.CASCADE, related_name="anomaly_flags"
    )
    polling_station = models.ForeignKey(
        "territory.PollingStation",
        verbose_name=_("polling station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="anomaly_flags",
    )
    district = models.ForeignKey(
        "territory.AdminUnit", verbose_name=_("district"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("code"), max_length=40, choices=anomalies.CHOICES)
    values = models.JSONField(_("figures that raised it"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    objects = AnomalyFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("anomaly flag")
        verbose_name_plural = _("anomaly flags")
        ordering = ["election_id", "contest_id", "polling_station_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "polling_station", "code"],
                condition=models.Q(polling_station__isnull=False),
                name="one_anomaly_flag_per_station_code",
            ),
            models.UniqueConstraint(
                fields=["contest", "code"],
                condition=models.Q(polling_station__isnull=True),
                name="one_anomaly_flag_per_contest_code",
            ),
        ]
        indexes = [models.Index(fields=["election", "code"], name="anomaly_flag_election_code")]

    def __str__(self):
        return f"{self.contest_id}/{self.polling_station_id}: {self.code}"

    def explanation(self):
        return anomalies.explain(self.code, self.values)
