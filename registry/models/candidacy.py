"""Candidacies: a person standing in a contest, nominated by a party or self, and their status."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .election import Contest, Election
from .people import Party, Person

ACTIVE_STATUSES = ("nominated", "registered")


class CandidacyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def registered(self):
        return self.filter(status=Candidacy.Status.REGISTERED)

    def in_election(self, election):
        return self.filter(election=election)


class Candidacy(models.Model):
    """A person nominated in a contest. Its status changes only through `registry.services`; the
    audit trail (core.AuditEvent for this row) is its full transition history."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", pgettext_lazy("candidacy status", "nominated")
        REGISTERED = "registered", pgettext_lazy("candidacy status", "registered")
        REFUSED = "refused", _("refused registration")
        WITHDRAWN = "withdrawn", _("withdrawn")
        DEREGISTERED = "deregistered", _("registration cancelled")

    class NominationType(models.TextChoices):
        PARTY = "party", _("by a party")
        SELF = "self", _("self-nominated")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="candidacies")
    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.PROTECT, related_name="candidacies"
    )
    # Denormalised from contest so that "one active candidacy per person per election" is a constraint.
    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="candidacies", editable=False
    )
    nomination_type = models.CharField(_("nominated"), max_length=10, choices=NominationType.choices)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOMINATED, db_index=True
    )
    nominated_on = models.DateField(_("nominated on"))
    decided_on = models.DateField(
        _("decision on"), null=True, blank=True, help_text=_("Date of registration or refusal.")
    )
    ended_on = models.DateField(_("withdrawn or deregistered on"), null=True, blank=True)
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("The reason given with the current status (refusal, withdrawal, cancellation)."),
    )
    # A refusal for failed requirements keeps their codes and values, not words (registry.reasons
    # renders them in the reader's language); `reason` then stays empty.
    reason_failures = models.JSONField(
        _("failed requirements"),
        default=list,
        blank=True,
        help_text=_("The failed requirements given as the reason of a refusal: codes and the values compared."),
    )
    signatures_required = models.PositiveIntegerField(_("signatures required"), default=0)
    signatures_submitted = models.PositiveIntegerField(_("signatures submitted"), default=0)
    signatures_valid = models.PositiveIntegerField(_("valid signatures"), default=0)
    deposit_paid = models.BooleanField(_("deposit paid"), default=False)
    deposit_amount = models.PositiveIntegerField(_("deposit, tenge"), default=0)

    objects = CandidacyQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        ordering = ["contest_id", "pk"]
        indexes = [
            models.Index(fields=["election", "status"]),
            # The API's candidates pages of one election, in ballot-list order (contest, id): without
            # it PostgreSQL walks the contest index past every other election's candidacies.
            models.Index(fields=["election", "contest", "id"], name="candidacy_election_contest_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "election"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_candidacy_per_person_per_election",
            ),
            models.UniqueConstraint(
                fields=["party", "contest"],
                condition=Q(status__in=ACTIVE_STATUSES) & Q(nomination_type="party"),
                name="one_active_party_nomination_per_contest",
            ),
            models.CheckConstraint(
                condition=(Q(nomination_type="party") & Q(party__isnull=False))
                | (Q(nomination_type="self") & Q(party__isnull=True)),
                name="candidacy_party_iff_party_nomination",
            ),
            models.CheckConstraint(
                condition=Q(signatures_valid__lte=models.F("signatures_submitted")),
                name="candidacy_valid_signatures_le_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.contest.unit.name}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    def save(self, *args, **kwargs):
        if self.contest_id and not self.election_id:
            self.election_id = self.contest.election_id
        super().save(*args, **kwargs)
