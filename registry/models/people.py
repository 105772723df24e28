"""People who stand for office, their terms of office, and the parties that nominate them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.names import TrilingualNameMixin
from territory.kato import Kind
from territory.models import AdminUnit

from .. import iin as iin_rules


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Education(models.TextChoices):
    """Education levels in ascending order (RANK gives the order for minimum-education rules)."""

    NONE = "none", pgettext_lazy("education", "none")
    SECONDARY = "secondary", _("general secondary")
    VOCATIONAL = "vocational", _("technical and vocational")
    HIGHER = "higher", _("higher")
    POSTGRADUATE = "postgraduate", _("postgraduate")


EDUCATION_RANK = {value: rank for rank, value in enumerate(Education.values)}


class Party(TrilingualNameMixin, models.Model):
    """A registered political party."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=50, unique=True)
    registration_number = models.CharField(_("registration number"), max_length=50, unique=True)
    active_from = models.DateField(_("registered on"), null=True, blank=True)
    active_to = models.DateField(_("dissolved or renamed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="party_active_range",
            ),
        ]

    def __str__(self):
        return self.short_name

    def is_active_on(self, day):
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


def validate_iin(value):
    errors = iin_rules.iin_errors(value)
    if errors:
        raise ValidationError([e.message for e in errors], code="iin")


class Person(models.Model):
    """A person who may stand for office. Birth date and sex are derived from the IIN, never typed."""

    iin = models.CharField(_("IIN"), max_length=12, unique=True, validators=[validate_iin])
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    citizen = models.BooleanField(_("citizen of Kazakhstan"), default=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    occupation = models.CharField(_("occupation"), max_length=300, blank=True)
    residence_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Qualification(models.TextChoices):
        NOT_CHECKED = "not_checked", _("not checked")
        PASSED = "passed", _("passed")
        FAILED = "failed", pgettext_lazy("qualification check", "failed")

    qualification = models.CharField(
        _("civil-service qualification check"),
        max_length=20,
        choices=Qualification.choices,
        default=Qualification.NOT_CHECKED,
    )
    qualification_checked_on = models.DateField(_("qualification checked on"), null=True, blank=True)
    qualification_checked_by = models.CharField(_("qualification checked by"), max_length=300, blank=True)
    has_criminal_record = models.BooleanField(_("unexpunged criminal record"), default=False)
    has_corruption_offence = models.BooleanField(_("corruption offence"), default=False)
    is_synthetic = models.BooleanField(
        _("synthetic (demo) person"), default=False, help_text=_("Invented for the demo: not a real person.")
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["surname", "given_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualification="not_checked") | Q(qualification_checked_on__isnull=False),
                name="person_qualification_check_dated",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    @property
    def masked_iin(self):
        return iin_rules.mask(self.iin)

    def derive_from_iin(self):
        """Set birth date and sex from the IIN (raises ValueError on an invalid IIN)."""
        self.birth_date, sex = iin_rules.birth_date_and_sex(self.iin)
        self.sex = Sex.MALE if sex == iin_rules.MALE else Sex.FEMALE

    def clean(self):
        super().clean()
        if self.iin and not iin_rules.iin_errors(self.iin):
            self.derive_from_iin()

    def save(self, *args, **kwargs):
        self.derive_from_iin()
        super().save(*args, **kwargs)


class EndReason(models.TextChoices):
    """Why a term of office ended. Every reason but `completed` is an early termination (a by-election follows)."""

    COMPLETED = "completed", _("term completed")
    NO_CONFIDENCE = "no_confidence", _("vote of no confidence")
    RESIGNATION = "resignation", _("resignation")
    DEATH = "death", _("death")
    COURT_DECISION = "court_decision", _("court decision")
    OTHER = "other", _("other (reason given)")


EARLY_END_REASONS = [r for r in EndReason.values if r != EndReason.COMPLETED]


class TermOfOfficeQuerySet(models.QuerySet):
    def in_office(self):
        return self.filter(ended_on__isnull=True)

    def ended(self):
        return self.filter(ended_on__isnull=False)

    def in_same_post(self, *, person, unit, office_type):
        return self.filter(person=person, unit=unit, office_type=office_type)


class TermOfOffice(models.Model):
    """A term a person held (or holds) as akim of a unit: counted by the term-limit rule.

    Opened through `registry.offices.services.open_term_of_office` (an elected akim, or a prior term
    entered by staff); ended by `complete_term` or `terminate_term` (early: a by-election follows).
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="terms")
    unit = models.ForeignKey(AdminUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    office_type = models.CharField(
        _("office type"), max_length=20, choices=Kind.CHOICES, help_text=_("The kind of unit of the post.")
    )
    started_on = models.DateField(pgettext_lazy("period", "from"))
    ended_on = models.DateField(pgettext_lazy("period", "to"), null=True, blank=True)
    election = models.ForeignKey(
        "registry.Election",
        verbose_name=_("elected at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="terms_opened",
    )
    candidacy = models.ForeignKey(
        "registry.Candidacy",
        verbose_name=_("winning candidacy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="terms",
        help_text=_("The candidacy that won the election (its party is the party at election)."),
    )
    term_number = models.PositiveSmallIntegerField(
        _("term number"), default=1, help_text=_("1 for the person's first term in this post, 2 for the second…")
    )
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    end_reason_text = models.TextField(_("end reason, in words"), blank=True)
    end_decision_reference = models.CharField(_("decision ending the term"), max_length=200, blank=True)
    by_election = models.ForeignKey(
        "registry.Election",
        verbose_name=_("by-election"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces_terms",
    )

    objects = TermOfOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        ordering = ["person_id", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="term_of_office_range",
            ),
            models.UniqueConstraint(fields=["person", "unit", "started_on"], name="term_of_office_unique_start"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(ended_on__isnull=True), name="term_of_office_one_open_per_unit"
            ),
            models.UniqueConstraint(
                fields=["candidacy"], condition=Q(candidacy__isnull=False), name="term_of_office_one_per_candidacy"
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gt=models.F("started_on")),
                name="term_of_office_planned_end_after_start",
            ),
            models.CheckConstraint(condition=Q(term_number__gte=1), name="term_of_office_number_positive"),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(ended_on__isnull=False), name="term_of_office_reason_needs_end"
            ),
            models.CheckConstraint(
                condition=~Q(end_reason="other") | ~Q(end_reason_text=""), name="term_of_office_other_reason_given"
            ),
            models.CheckConstraint(
                condition=Q(by_election__isnull=True) | Q(end_reason__in=EARLY_END_REASONS),
                name="term_of_office_by_election_after_early_end",
            ),
        ]

    def __str__(self):
        end = f"{self.ended_on:%Y}" if self.ended_on else "…"
        return f"{self.unit.name}, {self.started_on:%Y}–{end}"

    @property
    def in_office(self):
        return self.ended_on is None


# The issue calls these "prior terms"; the same table holds terms opened after an election.
PriorTerm = TermOfOffice
