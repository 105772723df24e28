"""Result tables written by results.aggregation (derived data: rebuilt from protocols, never edited).

Every row carries a `basis`: `official` counts certified protocols only, `preliminary` counts
verified and certified ones; and `computed_at`, the moment of the run that wrote it.
Imported by results.models so that Django registers these models in the results app.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..outcomes import Code


class Basis(models.TextChoices):
    OFFICIAL = "official", _("official (certified protocols)")
    PRELIMINARY = "preliminary", _("preliminary (verified and certified protocols)")


class ContestResultQuerySet(models.QuerySet):
    def official(self):
        return self.filter(basis=Basis.OFFICIAL)

    def preliminary(self):
        return self.filter(basis=Basis.PRELIMINARY)

    def needing_attention(self):
        """Rows with any flag (tie, runoff, invalid, few candidates, incomplete, nobody elected)."""
        return self.exclude(flags=[])


class ContestResult(models.Model):
    """The totals and outcome of one contest, on one basis."""

    election = models.ForeignKey(
        "registry.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="contest_results"
    )
    contest = models.ForeignKey(
        "registry.Contest", verbose_name=_("contest"), on_delete=models.CASCADE, related_name="results"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    unit = models.ForeignKey(
        "territory.AdminUnit", verbose_name=_("electoral unit"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "territory.AdminUnit", verbose_name=_("region"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        "territory.AdminUnit", verbose_name=_("district"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    registered_voters = models.PositiveIntegerField(_("voters on the lists of the protocols counted"), default=0)
    ballots_issued = models.PositiveIntegerField(_("ballots issued (voters who took part)"), default=0)
    turnout_percent = models.DecimalField(_("turnout, %"), max_digits=5, decimal_places=2, null=True)
    ballots_found = models.PositiveIntegerField(_("ballots found in the boxes"), default=0)
    invalid = models.PositiveIntegerField(_("invalid ballots"), default=0)
    valid = models.PositiveIntegerField(_("valid ballots"), default=0)
    against_all = models.PositiveIntegerField(_("against all"), default=0)
    protocols_counted = models.PositiveIntegerField(_("protocols counted"), default=0)
    protocols_expected = models.PositiveIntegerField(_("protocols expected"), default=0)
    candidates = models.PositiveSmallIntegerField(_("registered candidates"), default=0)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Code.CHOICES)
    winner = models.ForeignKey(
        "registry.Candidacy",
        verbose_name=_("winner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    runoff = models.JSONField(_("runoff candidacies"), default=list, blank=True)
    tied = models.JSONField(_("tied candidacies"), default=list, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ContestResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("contest result")
        verbose_name_plural = _("contest results")
        ordering = ["election_id", "basis", "unit__kato"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "basis"], name="one_result_per_contest_basis"),
            models.CheckConstraint(
                condition=Q(protocols_counted__lte=models.F("protocols_expected")),
                name="contest_result_counted_within_expected",
            ),
        ]
        indexes = [models.Index(fields=["election", "basis"], name="contest_result_election_basis")]

    def __str__(self):
        return f"{self.contest_id} {self.basis}: {self.outcome}"


class CandidateResult(models.Model):
    """One candidacy's votes in its contest, on one basis. `share_percent` is of the valid ballots."""

    election = models.ForeignKey("registry.Election", on_delete=models.CASCADE, related_name="+")
    contest = models.ForeignKey("registry.Contest", on_delete=models.CASCADE, related_name="+")
    candidacy = models.ForeignKey(
        "registry.Candidacy", verbose_name=_("candidacy"), on_delete=models.CASCADE, related_name="results"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    share_percent = models.DecimalField(_("share of valid ballots, %"), max_digits=5, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, help_text=_("1 for the most votes; ties share."))
    is_winner = models.BooleanField(_("winner"), default=False)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("candidate result")
        verbose_name_plural = _("candidate results")
        ordering = ["contest_id", "basis", "rank", "candidacy_id"]
        constraints = [
            models.UniqueConstraint(fields=["candidacy", "basis"], name="one_result_per_candidacy_basis"),
        ]
        indexes = [models.Index(fields=["contest", "basis"], name="candidate_result_contest_basis")]

    def __str__(self):
        return f"{self.candidacy_id} {self.basis}: {self.votes}"


class TurnoutLevel(models.TextChoices):
    UNIT = "unit", _("electoral unit")
    DISTRICT = "district", _("district")
    REGION = "region", _("region")
    ELECTION = "election", _("election")


class TurnoutRollup(models.Model):
    """Turnout and protocol progress summed over the contests of a unit, district, region or the
    whole election (`unit` is null at the election level)."""

    election = models.ForeignKey(
        "registry.Election", verbose_name=_("election"), on_delete=models.CASCADE, related_name="turnout_rollups"
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    level = models.CharField(_("level"), max_length=10, choices=TurnoutLevel.choices)
    unit = models.ForeignKey(
        "territory.AdminUnit", verbose_name=_("unit"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    contests = models.PositiveIntegerField(_("contests"), default=0)
    contests_complete = models.PositiveIntegerField(_("contests with every protocol counted"), default=0)
    registered_voters = models.PositiveBigIntegerField(_("voters on the lists of the protocols counted"), default=0)
    ballots_issued = models.PositiveBigIntegerField(_("ballots issued"), default=0)
    turnout_percent = models.DecimalField(_("turnout, %"), max_digits=5, decimal_places=2, null=True)
    protocols_counted = models.PositiveBigIntegerField(_("protocols counted"), default=0)
    protocols_expected = models.PositiveBigIntegerField(_("protocols expected"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("turnout roll-up")
        verbose_name_plural = _("turnout roll-ups")
        ordering = ["election_id", "basis", "level", "unit__kato"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "basis", "level", "unit"],
                condition=Q(unit__isnull=False),
                name="one_rollup_per_unit_basis",
            ),
            models.UniqueConstraint(
                fields=["election", "basis"],
                condition=Q(level="election"),
                name="one_election_rollup_per_basis",
            ),
            models.CheckConstraint(
                condition=Q(level="election", unit__isnull=True) | (~Q(level="election") & Q(unit__isnull=False)),
                name="rollup_unit_matches_level",
            ),
        ]

    def __str__(self):
        return f"{self.level} {self.unit_id} {self.basis}: {self.turnout_percent}"


class PendingDelta(models.Model):
    """A change of counted figures not yet in the result tables (a queue, not a record).

    PostgreSQL only: written by the triggers of migration 0004 on protocols, vote counts and
    candidacies (one grouped row per election, contest, candidacy or none, and basis, per
    statement), consumed by results.aggregation (`apply_deltas` adds them to the result rows; a
    from-scratch run deletes those it counts). Signed differences: `votes` for a candidacy's row,
    the contest figures for a contest-level row (`candidacy` null). `rebuild` asks for the contest
    to be recomputed from its protocols (a candidacy registered, withdrawn or moved; result rows
    written before the triggers existed). No foreign-key constraints: the triggers of bulk loads
    must stay cheap, and a queued row never blocks deleting what it names.
    """

    election = models.ForeignKey(
        "registry.Election", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    contest = models.ForeignKey(
        "registry.Contest", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    candidacy = models.ForeignKey(
        "registry.Candidacy",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    basis = models.CharField(max_length=12, choices=Basis.choices)
    rebuild = models.BooleanField(default=False)
    votes = models.BigIntegerField(default=0)
    registered_voters = models.BigIntegerField(default=0)
    ballots_issued = models.BigIntegerField(default=0)
    ballots_found = models.BigIntegerField(default=0)
    invalid = models.BigIntegerField(default=0)
    against_all = models.BigIntegerField(default=0)
    protocols_counted = models.BigIntegerField(default=0)
    protocols_expected = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("pending result change")
        verbose_name_plural = _("pending result changes")
        default_permissions = ()

    def __str__(self):
        return f"{self.contest_id}/{self.candidacy_id} {self.basis}"
