"""Accountability of an akim in office (reports to the maslikhat, community dismissal initiatives,
votes of no confidence) and what a commission decided for a contest after the count (winner
registered, runoff called, repeat election needed, tie for the commission).

Written only through `registry.offices.services` (and `results.winners` for the follow-ups).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .election import Contest, Election
from .people import TermOfOffice


class MaslikhatReport(models.Model):
    """The akim's report to the local maslikhat, approved or not by its decision."""

    term = models.ForeignKey(
        TermOfOffice, verbose_name=_("term of office"), on_delete=models.PROTECT, related_name="reports"
    )
    reported_on = models.DateField(_("reported on"))
    approved = models.BooleanField(_("approved by the maslikhat"))
    decision_reference = models.CharField(_("decision of the maslikhat"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("report to the maslikhat")
        verbose_name_plural = _("reports to the maslikhat")
        ordering = ["term_id", "reported_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term", "reported_on"], name="maslikhat_report_one_per_day"),
            models.CheckConstraint(condition=~Q(decision_reference=""), name="maslikhat_report_has_decision"),
        ]

    def __str__(self):
        verdict = _("approved") if self.approved else _("not approved")
        return f"{self.reported_on:%d.%m.%Y}: {verdict}"


class DismissalInitiative(models.Model):
    """An initiative of the local community to dismiss the akim, with the signatures collected."""

    class Outcome(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("initiative outcome", "registered")
        REJECTED = "rejected", _("rejected")

    term = models.ForeignKey(
        TermOfOffice, verbose_name=_("term of office"), on_delete=models.PROTECT, related_name="initiatives"
    )
    submitted_on = models.DateField(_("submitted on"))
    signatures = models.PositiveIntegerField(_("signatures"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    decision_reference = models.CharField(_("decision on the initiative"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("community dismissal initiative")
        verbose_name_plural = _("community dismissal initiatives")
        ordering = ["term_id", "submitted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["registered", "rejected"]), name="initiative_outcome_known"
            ),
        ]

    def __str__(self):
        return f"{self.submitted_on:%d.%m.%Y}: {self.get_outcome_display()} ({self.signatures})"


class NoConfidenceVote(models.Model):
    """A vote of no confidence in the akim by the maslikhat, held on recorded grounds."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("passed: the term ends")
        FAILED = "failed", pgettext_lazy("vote", "failed")

    class Grounds(models.TextChoices):
        REPORTS_NOT_APPROVED = "reports_not_approved", _("two reports not approved in the current term")
        COMMUNITY_INITIATIVE = "community_initiative", _("a registered community dismissal initiative")

    term = models.ForeignKey(
        TermOfOffice, verbose_name=_("term of office"), on_delete=models.PROTECT, related_name="no_confidence_votes"
    )
    held_on = models.DateField(_("held on"))
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    grounds = models.CharField(_("grounds"), max_length=30, choices=Grounds.choices)
    grounds_reports = models.ManyToManyField(
        MaslikhatReport, verbose_name=_("reports not approved"), blank=True, related_name="+"
    )
    grounds_initiative = models.ForeignKey(
        DismissalInitiative,
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reference = models.CharField(_("decision of the maslikhat"), max_length=200)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("vote of no confidence")
        verbose_name_plural = _("votes of no confidence")
        ordering = ["term_id", "held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="passed") | Q(votes_for__gt=models.F("votes_against")),
                name="no_confidence_passed_needs_more_for",
            ),
            models.CheckConstraint(
                condition=~Q(grounds="community_initiative") | Q(grounds_initiative__isnull=False),
                name="no_confidence_initiative_named",
            ),
            models.CheckConstraint(condition=~Q(decision_reference=""), name="no_confidence_has_decision"),
        ]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y}: {self.get_outcome_display()} ({self.votes_for}:{self.votes_against})"


class ContestFollowUp(models.Model):
    """What the commission did with a contest's official outcome: one decision per contest."""

    class Action(models.TextChoices):
        WINNER_REGISTERED = "winner_registered", _("winner registered as akim")
        RUNOFF = "runoff", _("runoff called")
        REPEAT_ELECTION = "repeat_election", _("flagged for a repeat election")
        TIE = "tie", _("tie: for the commission to decide")

    contest = models.OneToOneField(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="follow_up"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    outcome = models.CharField(_("official outcome"), max_length=24)
    flags = models.JSONField(_("flags of the outcome"), default=list, blank=True)
    term = models.OneToOneField(
        TermOfOffice,
        verbose_name=_("term of office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_up",
    )
    follow_up_election = models.ForeignKey(
        Election,
        verbose_name=_("runoff election"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("contest follow-up")
        verbose_name_plural = _("contest follow-ups")
        ordering = ["contest_id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="winner_registered") | Q(term__isnull=False), name="follow_up_winner_has_term"
            ),
            models.CheckConstraint(
                condition=~Q(action="runoff") | Q(follow_up_election__isnull=False),
                name="follow_up_runoff_has_election",
            ),
        ]

    def __str__(self):
        return f"{self.contest_id}: {self.get_action_display()}"
