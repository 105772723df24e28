"""Administrative units (KATO tree), polling stations, commissions and memberships."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.names import TrilingualNameMixin

from . import kato
from .kato import Kind


def validate_kato(value):
    errors = kato.kato_errors(value)
    if errors:
        raise ValidationError(errors, code="kato")


class AdminUnitQuerySet(models.QuerySet):
    def of_kind(self, *kinds):
        return self.filter(kind__in=kinds)

    def active_on(self, day):
        return self.filter(Q(active_from__isnull=True) | Q(active_from__lte=day)).filter(
            Q(active_to__isnull=True) | Q(active_to__gte=day)
        )

    def as_of(self, day):
        """The territory on `day`: the units active that day (names and parents as of the day through
        `territory.selectors`)."""
        return self.active_on(day)

    def regions(self):
        return self.filter(kind__in=[Kind.REGION, Kind.CITY_REPUBLICAN])

    def within(self, unit):
        """The unit and every unit below it."""
        level = kato.LEVEL[unit.kind]
        if level == 1:
            return self.filter(Q(pk=unit.pk) | Q(region=unit))
        if level == 2:
            return self.filter(Q(pk=unit.pk) | Q(district=unit))
        if level == 3:  # its villages and the points below them
            return self.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))
        return self.filter(Q(pk=unit.pk) | Q(parent=unit))


class AdminUnit(TrilingualNameMixin, models.Model):
    """A unit of the hierarchy, keyed by its 9-digit KATO code.

    `region` and `district` are denormalised from the parent chain (set in `save`), so that a
    roll-up by region or district is one GROUP BY and a subtree is one indexed filter.
    """

    kato = models.CharField(_("KATO code"), max_length=9, unique=True, validators=[validate_kato])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.CHOICES, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    lacks_kazakh_name = models.BooleanField(
        _("lacks a Kazakh name"),
        default=False,
        help_text=_("The classifier gave no Kazakh name: the Russian name stands in."),
    )
    registered_voters = models.PositiveIntegerField(_("registered voters"), null=True, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["kato"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=models.F("active_from")),
                name="unit_active_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kato})"

    @property
    def level(self):
        return kato.LEVEL[self.kind]

    def ancestors(self):
        """Parents from the top down (walks the chain: use for one object, not lists)."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def path(self):
        return " / ".join(unit.name for unit in [*self.ancestors(), self])

    def clean(self):
        super().clean()
        if not self.kato or not self.kind or self.kind not in kato.LEVEL:
            return
        if kato.kato_errors(self.kato):
            return  # reported by the field validator
        parent = self.parent if self.parent_id else None
        errors = kato.nesting_errors_by_field(
            self.kato, self.kind, parent.kato if parent else None, parent.kind if parent else None
        )
        if parent is not None and self.pk and parent.pk == self.pk:
            errors.setdefault("parent", []).append(_("A unit cannot be its own parent unit."))
        if errors:
            raise ValidationError(errors)

    def _derive_region_district(self):
        parent = self.parent
        level = kato.LEVEL.get(self.kind)
        if level == 1 or parent is None:
            self.region_id = None
            self.district_id = None
            return
        self.region_id = parent.pk if parent.level == 1 else parent.region_id
        if level == 2:
            self.district_id = None
        else:
            self.district_id = parent.pk if parent.level == 2 else parent.district_id

    def save(self, *args, **kwargs):
        self._derive_region_district()
        before = None
        if self.pk and not self._state.adding:
            before = AdminUnit.objects.filter(pk=self.pk).values_list("region_id", "district_id").first()
        super().save(*args, **kwargs)
        if before is not None and before != (self.region_id, self.district_id):
            self._propagate_to_subtree()

    def descendant_ids(self):
        """Ids of every unit below this one (one query per level, at most three)."""
        ids, frontier = [], [self.pk]
        while frontier:
            frontier = list(AdminUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids

    def _propagate_to_subtree(self):
        """After a re-parenting: the subtree and its polling stations take this unit's region and district."""
        if self.level < 2:
            return  # a top-level unit's subtree keeps it as region and its own districts
        district_id = self.pk if self.level == 2 else self.district_id
        below = self.descendant_ids()
        if below:
            changes = {"region_id": self.region_id}
            if self.level > 2:
                changes["district_id"] = district_id
            AdminUnit.objects.filter(pk__in=below).update(**changes)
        PollingStation.objects.filter(unit_id__in=[self.pk, *below]).update(
            region_id=self.region_id, district_id=district_id
        )


class AdminUnitVersion(TrilingualNameMixin, models.Model):
    """A past state of a unit: its kind, names and parent from `valid_from` (empty: since the unit
    began) to `valid_to`, both inclusive. The unit's own row holds its state after the last version.

    Written by the KATO importer (`import_kato --as-of`) when the classifier renames or re-parents a
    unit, so that an election keeps reading the territory as of its day (`territory.selectors`).
    """

    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("administrative unit"), on_delete=models.CASCADE, related_name="versions"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.CHOICES)
    parent = models.ForeignKey(
        AdminUnit,
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("administrative unit version")
        verbose_name_plural = _("administrative unit versions")
        ordering = ["unit_id", "valid_to"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_to"], name="one_unit_version_per_end"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_version_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit_id}, {self.valid_from or '…'} – {self.valid_to})"


class PollingStationQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)


class PollingStation(models.Model):
    """A polling station (precinct) serving one unit; its number is unique in its district."""

    number = models.PositiveIntegerField(_("number"))
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("unit served"),
        on_delete=models.PROTECT,
        related_name="polling_stations",
    )
    district = models.ForeignKey(
        AdminUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
    )
    region = models.ForeignKey(
        AdminUnit,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    registered_voters = models.IntegerField(
        _("registered voters"),
        validators=[MinValueValidator(0, message=_("Registered voters cannot be negative."))],
    )

    objects = PollingStationQuerySet.as_manager()

    class Meta:
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        ordering = ["district_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="station_number_in_district"),
            models.CheckConstraint(condition=Q(registered_voters__gte=0), name="station_voters_non_negative"),
        ]

    def __str__(self):
        return _("Polling station No. %(number)s") % {"number": self.number}

    def clean(self):
        super().clean()
        if self.unit_id and self.unit.level < 2:
            raise ValidationError({"unit": _("A polling station serves a district-level unit or below.")})

    def save(self, *args, **kwargs):
        unit = self.unit
        self.region_id = unit.pk if unit.level == 1 else unit.region_id
        self.district_id = unit.pk if unit.level == 2 else unit.district_id
        super().save(*args, **kwargs)


class Commission(models.Model):
    """An election commission with its jurisdiction: CEC, a TEC of a region or district, or a precinct."""

    class Kind(models.TextChoices):
        CEC = "cec", _("Central Election Commission")
        REGIONAL = "regional", _("regional territorial commission")
        DISTRICT = "district", _("district territorial commission")
        PRECINCT = "precinct", _("precinct commission")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commissions",
    )
    polling_station = models.OneToOneField(
        PollingStation,
        verbose_name=_("polling station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission",
    )

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cec") & Q(unit__isnull=True) & Q(polling_station__isnull=True))
                | (Q(kind__in=["regional", "district"]) & Q(unit__isnull=False) & Q(polling_station__isnull=True))
                | (Q(kind="precinct") & Q(polling_station__isnull=False)),
                name="commission_jurisdiction_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "unit"], condition=Q(kind__in=["regional", "district"]), name="one_tec_per_unit"
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="cec"), name="one_cec"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.CEC and (self.unit_id or self.polling_station_id):
            errors["unit"] = _("The CEC has the whole country as its jurisdiction: leave unit and station empty.")
        if self.kind in (self.Kind.REGIONAL, self.Kind.DISTRICT):
            if not self.unit_id:
                errors["unit"] = _("A territorial commission needs its unit.")
            elif self.kind == self.Kind.REGIONAL and self.unit.level != 1:
                errors["unit"] = _(
                    "A regional commission's unit must be a region or a city of republican significance."
                )
            elif self.kind == self.Kind.DISTRICT and self.unit.level != 2:
                errors["unit"] = _(
                    "A district commission's unit must be a district or a city of regional significance."
                )
        if self.kind == self.Kind.PRECINCT and not self.polling_station_id:
            errors["polling_station"] = _("A precinct commission needs its polling station.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.kind == self.Kind.PRECINCT and self.polling_station_id and not self.unit_id:
            self.unit_id = self.polling_station.unit_id
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(Q(active_from__isnull=True) | Q(active_from__lte=day)).filter(
            Q(active_to__isnull=True) | Q(active_to__gte=day)
        )


class Membership(models.Model):
    """A user's seat on a commission: gives both their role and their territory."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        DEPUTY = "deputy", _("deputy chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")
        CLERK = "clerk", _("clerk")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    commission = models.ForeignKey(
        Commission, verbose_name=_("commission"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "commission", "role"], name="one_role_per_commission"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.commission}"

    def clean(self):
        super().clean()
        if self.active_from and self.active_to and self.active_to < self.active_from:
            raise ValidationError({"active_to": _("A seat cannot end before it begins.")})
