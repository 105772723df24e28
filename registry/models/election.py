"""Elections with their rules (as data, never constants in code) and contests, one per electoral unit."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.names import TrilingualNameMixin
from territory.kato import Kind
from territory.models import AdminUnit

from .people import Education

OFFICE_KINDS = [
    Kind.RURAL_DISTRICT,
    Kind.VILLAGE,
    Kind.TOWNSHIP,
    Kind.CITY_DISTRICT,
    Kind.DISTRICT,
    Kind.CITY_REGIONAL,
]


class WinnerRule(models.TextChoices):
    PLURALITY = "plurality", _("plurality (most votes wins)")
    ABSOLUTE_MAJORITY = "absolute_majority", _("absolute majority, with a runoff")


class AgainstAllEffect(models.TextChoices):
    NONE = "none", _("counted, no effect on the outcome")
    INVALIDATES_IF_LEADS = "invalidates_if_leads", _("the election is void if 'against all' leads")


class ElectionKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    RUNOFF = "runoff", _("runoff (second round)")
    BY_ELECTION = "by_election", _("by-election after an early termination")
    REPEAT = "repeat", _("repeat election")


class Election(TrilingualNameMixin, models.Model):
    """An election day for one kind of office, with every rule of the contest as a field."""

    class Status(models.TextChoices):
        CALLED = "called", _("called")
        NOMINATION = "nomination", _("nomination")
        REGISTRATION = "registration", _("registration")
        CAMPAIGN = "campaign", _("campaign")
        VOTING = "voting", _("voting")
        COUNTING = "counting", _("counting")
        RESULTS_ESTABLISHED = "results_established", _("results established")
        CLOSED = "closed", _("closed")

    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    office_type = models.CharField(
        _("office type"),
        max_length=20,
        choices=[(k, label) for k, label in Kind.CHOICES if k in OFFICE_KINDS],
        help_text=_("The kind of unit whose akim is elected; contests are held in units of this kind."),
    )
    election_day = models.DateField(_("election day"))
    called_on = models.DateField(_("called on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CALLED)

    # Candidate requirements.
    min_age = models.PositiveSmallIntegerField(_("minimum age on election day"), default=25)
    min_education = models.CharField(
        _("minimum education"), max_length=20, choices=Education.choices, default=Education.HIGHER
    )
    term_years = models.PositiveSmallIntegerField(_("term of office, years"), default=4)
    term_limit = models.PositiveSmallIntegerField(
        _("term limit"), default=2, help_text=_("Terms in the same post a person may hold; 0 means no limit.")
    )
    signature_threshold_percent = models.DecimalField(
        _("signatures required from self-nominees, percent of the contest's voters"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    deposit_wage_multiple = models.DecimalField(
        _("deposit, multiple of the minimum wage"), max_digits=6, decimal_places=2, default=Decimal("1.00")
    )
    minimum_wage = models.PositiveIntegerField(
        _("minimum monthly wage of the year, tenge"), default=0, help_text=_("42,500 tenge in 2021.")
    )
    deposit_refund_vote_percent = models.DecimalField(
        _("deposit refunded at this share of the vote, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text=_("Also refunded to the winner and to a candidate who dies; see the refund rule."),
    )

    # Timeline, as day offsets from election day with a local cut-off time.
    nomination_end_offset_days = models.SmallIntegerField(_("nomination ends, days from election day"), default=-16)
    registration_end_offset_days = models.SmallIntegerField(_("registration ends, days from election day"), default=-11)
    withdrawal_end_offset_days = models.SmallIntegerField(
        _("withdrawal and deregistration end, days from election day"), default=-1
    )
    cutoff_time = models.TimeField(_("local cut-off time of deadlines"), default=datetime.time(18, 0))
    time_zone = models.CharField(_("time zone"), max_length=50, default="Asia/Almaty")
    nomination_extension_days = models.PositiveSmallIntegerField(_("nomination extension, days"), default=5)
    min_candidates = models.PositiveSmallIntegerField(_("minimum candidates per contest"), default=2)

    # Outcome.
    against_all = models.BooleanField(_("'against all' on the ballot"), default=False)
    winner_rule = models.CharField(
        _("winner rule"), max_length=20, choices=WinnerRule.choices, default=WinnerRule.PLURALITY
    )
    min_turnout_percent = models.DecimalField(
        _("minimum turnout for validity, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("0 means no minimum."),
    )
    against_all_effect = models.CharField(
        _("effect of 'against all'"), max_length=25, choices=AgainstAllEffect.choices, default=AgainstAllEffect.NONE
    )

    # After the count (registry.offices, results.winners): the winner's registration, runoffs and by-elections.
    kind = models.CharField(_("kind of election"), max_length=20, choices=ElectionKind.choices, default="regular")
    origin = models.ForeignKey(
        "self",
        verbose_name=_("called because of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        help_text=_("For a runoff, the election it continues; for a by-election, the election of the ended term."),
    )
    results_established_on = models.DateField(
        _("results established on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the election enters the stage 'results established'."),
    )
    results_within_days = models.PositiveSmallIntegerField(
        _("results established within, days after election day"), default=3
    )
    winner_registration_days = models.PositiveSmallIntegerField(
        _("winner registered within, days after the results are established"), default=7
    )
    runoff_offset_days = models.PositiveSmallIntegerField(_("runoff held, days after election day"), default=14)
    by_election_call_offset_days = models.PositiveSmallIntegerField(
        _("by-election called, days after an early termination"), default=10
    )
    by_election_day_offset_days = models.PositiveSmallIntegerField(
        _("by-election day, days after an early termination"),
        default=70,
        help_text=_("At least 40 days after the call, as for any election."),
    )

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-election_day", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_turnout_percent__gte=0) & Q(min_turnout_percent__lte=100),
                name="election_min_turnout_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(signature_threshold_percent__gte=0) & Q(signature_threshold_percent__lte=100),
                name="election_signature_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(nomination_end_offset_days__lte=models.F("registration_end_offset_days")),
                name="election_nomination_ends_before_registration",
            ),
            models.CheckConstraint(
                condition=Q(against_all=True) | Q(against_all_effect="none"),
                name="election_against_all_effect_needs_against_all",
            ),
            models.CheckConstraint(
                condition=Q(by_election_day_offset_days__gte=models.F("by_election_call_offset_days") + 40),
                name="election_by_election_called_40_days_before",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "by_election"]) | Q(origin__isnull=False),
                name="election_runoff_or_repeat_has_origin",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.election_day:%d.%m.%Y})"

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)

    def local_deadline(self, day):
        """The aware moment at which `day` ends for deadlines: the cut-off time in the election's zone."""
        return datetime.datetime.combine(day, self.cutoff_time, tzinfo=self.zone)

    def day_at_offset(self, offset_days):
        return self.election_day + datetime.timedelta(days=offset_days)

    @property
    def nomination_deadline(self):
        return self.local_deadline(self.day_at_offset(self.nomination_end_offset_days))

    @property
    def registration_deadline(self):
        return self.local_deadline(self.day_at_offset(self.registration_end_offset_days))

    @property
    def withdrawal_deadline(self):
        return self.local_deadline(self.day_at_offset(self.withdrawal_end_offset_days))

    @property
    def deposit_amount(self):
        """The election deposit in tenge (multiple x minimum wage, rounded to whole tenge)."""
        return int((self.deposit_wage_multiple * self.minimum_wage).to_integral_value())


class ContestQuerySet(models.QuerySet):
    def with_candidate_counts(self):
        """Annotate `registered_count` (registered candidacies) and `active_count` (nominated or registered)."""
        registered = models.Count("candidacies", filter=Q(candidacies__status="registered"))
        active = models.Count("candidacies", filter=Q(candidacies__status__in=["nominated", "registered"]))
        return self.annotate(registered_count=registered, active_count=active)


class Contest(models.Model):
    """The election of one akim in one electoral unit."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        NOMINATION_EXTENDED = "nomination_extended", _("nomination extended")
        CANCELLED = "cancelled", _("cancelled")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="contests"
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("electoral unit"), on_delete=models.PROTECT, related_name="contests"
    )
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    registered_voters = models.PositiveIntegerField(
        _("registered voters"), default=0, help_text=_("Sum over the polling stations serving the unit.")
    )
    nomination_extended_until = models.DateField(_("nomination extended until"), null=True, blank=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["election_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "unit"], name="one_contest_per_unit_per_election"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="contest_at_least_one_seat"),
        ]

    def __str__(self):
        return f"{self.unit.name} ({self.unit.kato}) — {self.election.election_day:%d.%m.%Y}"

    @property
    def nomination_deadline(self):
        if self.nomination_extended_until:
            return self.election.local_deadline(self.nomination_extended_until)
        return self.election.nomination_deadline

    @property
    def registration_deadline(self):
        """Registration of a contest whose nomination was extended runs to the end of the extension
        plus the gap between nomination and registration in the rules."""
        election = self.election
        if self.nomination_extended_until:
            gap = election.registration_end_offset_days - election.nomination_end_offset_days
            extended = self.nomination_extended_until + datetime.timedelta(days=gap)
            return max(election.registration_deadline, election.local_deadline(extended))
        return election.registration_deadline
