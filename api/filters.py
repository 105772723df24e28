"""Filters shared by the API's FilterSets: units given by KATO code, strict validation."""

import datetime
import re

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import NotFound

from territory import kato
from territory.models import AdminUnit


def describe(filter_, schema):
    """Give a filter with a custom field its OpenAPI type and its help text as the description (kept
    lazy: it becomes text when a schema is generated, in that request's language)."""
    help_text = filter_.extra.get("help_text")
    set_override(filter_, "field", {**schema, **({"description": help_text} if help_text else {})})


_DIGITS = re.compile(r"^[0-9]+$")
MAX_ID = 2**63 - 1  # the largest id (and whole number) a query compares: a bigint
KINDS_AT_LEVEL = {level: [k for k, lvl in kato.LEVEL.items() if lvl == level] for level in (1, 2, 3, 4)}
LEVEL_NAMES = {1: _("region"), 2: _("district")}


class UnitByKatoField(forms.CharField):
    """A unit at `level` given by its KATO prefix (2 digits for a region, 4 for a district) or its
    full 9-digit code; cleaned to the AdminUnit, or invalid when there is no such unit."""

    def __init__(self, *args, level, **kwargs):
        self.level = level
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        width = kato.PREFIX_LENGTH[self.level]
        if not _DIGITS.match(value) or len(value) not in (width, 9):
            raise forms.ValidationError(
                _("Give the %(level)s's KATO prefix (%(width)d digits) or its 9-digit KATO code."),
                code="invalid",
                params={"level": LEVEL_NAMES[self.level], "width": width},
            )
        code = value.ljust(9, "0")
        unit = AdminUnit.objects.filter(kato=code, kind__in=KINDS_AT_LEVEL[self.level]).first()
        if unit is None:
            raise forms.ValidationError(
                _("There is no %(level)s with KATO code %(code)s."),
                code="invalid_choice",
                params={"level": LEVEL_NAMES[self.level], "code": code},
            )
        return unit


class UnitByKatoFilter(django_filters.Filter):
    """Rows whose unit (path `unit_path`; "" for units themselves) lies in the given unit's subtree."""

    field_class = UnitByKatoField

    def __init__(self, *args, unit_path="", **kwargs):
        self.unit_path = unit_path
        super().__init__(*args, **kwargs)
        describe(self, {"type": "string", "pattern": "^[0-9]+$", "maxLength": 9})

    def filter(self, qs, value):
        if value is None:
            return qs
        subtree = AdminUnit.objects.within(value).values("pk")
        lookup = f"{self.unit_path}__in" if self.unit_path else "pk__in"
        return qs.filter(**{lookup: subtree})


class KatoPrefixFilter(django_filters.CharFilter):
    """Units whose KATO code starts with the given digits (1 to 9)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("validators", [RegexValidator(r"^[0-9]{1,9}$", message=_("A KATO prefix is 1 to 9 digits."))])
        super().__init__(*args, **kwargs)


class UnitByIdFilter(django_filters.ModelChoiceFilter):
    """Rows whose unit lies in the subtree of the unit with the given id (of the given level)."""

    def __init__(self, *args, unit_path="", level=1, **kwargs):
        self.unit_path = unit_path
        kwargs.setdefault("queryset", AdminUnit.objects.filter(kind__in=KINDS_AT_LEVEL[level]))
        super().__init__(*args, **kwargs)
        describe(self, {"type": "integer"})

    def filter(self, qs, value):
        if value is None:
            return qs
        subtree = AdminUnit.objects.within(value).values("pk")
        lookup = f"{self.unit_path}__in" if self.unit_path else "pk__in"
        return qs.filter(**{lookup: subtree})


def territory_filterset(unit_path):
    """A FilterSet base with region, region_id, district and district_id for rows reached by `unit_path`."""
    filters = {
        "region": UnitByKatoFilter(
            unit_path=unit_path,
            level=1,
            help_text=_("Region by KATO: its 2-digit prefix (e.g. 35) or its 9-digit code."),
        ),
        "region_id": UnitByIdFilter(unit_path=unit_path, level=1, help_text=_("Region by its id in this API.")),
        "district": UnitByKatoFilter(
            unit_path=unit_path,
            level=2,
            help_text=_("District by KATO: its 4-digit prefix (e.g. 3520) or its 9-digit code."),
        ),
        "district_id": UnitByIdFilter(unit_path=unit_path, level=2, help_text=_("District by its id in this API.")),
    }
    return type("TerritoryFilterSet", (django_filters.FilterSet,), filters)


class InstantField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, cleaned to UTC. PostgreSQL refuses a UTC offset beyond ±15:59 that
    Python accepts (up to ±23:59), and a database error would end the request's transaction: any
    offset Python parses is turned into the same moment in UTC first, and a moment outside the
    calendar once in UTC is invalid (400), not an error of the database."""

    default_error_messages = {"out_of_range": _("This moment is outside the calendar (years 1 to 9999 in UTC).")}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    """A moment filter (ISO 8601, any UTC offset), compared in UTC: see InstantField."""

    field_class = InstantField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (`0.5` is invalid, not compared as a decimal), at most MAX_ID unless bounded lower."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("min_value", -MAX_ID)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is invalid instead of silently ignored."""

    TRUE, FALSE = {"true", "1"}, {"false", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        describe(self, {"type": "boolean"})


class UnknownReference(NotFound):
    """A filter names a row that does not exist (an id, a KATO code): 404, as for a page past the last.
    Its value is well-formed, so the schema allows it; the 404 says the thing it points to is not there."""

    default_code = "not_found"

    def __init__(self, errors):
        self._errors = errors
        super().__init__(_("Nothing has the value given in: %(names)s.") % {"names": ", ".join(errors)})

    def errors(self):
        return self._errors


def _is_reference(field, raw):
    """A well-formed reference: a UnitByKatoField's valid code, or an id in the range of ids."""
    if isinstance(field, UnitByKatoField):
        return True
    return (
        isinstance(field, forms.ModelChoiceField)
        and isinstance(raw, str)
        and raw.isascii()
        and raw.isdigit()
        and 1 <= int(raw) <= MAX_ID
    )


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter's backend; in the browsable API, id filters are text boxes, not selects that
    would list every contest or polling station of the country. A request whose only invalid
    values are references to rows that do not exist is answered 404 (UnknownReference), any other
    invalid value 400."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            form = filterset.form
            errors = form.errors.as_data()
            if all(
                _is_reference(form.fields[name], form.data.get(name)) and all(e.code == "invalid_choice" for e in found)
                for name, found in errors.items()
            ):
                raise UnknownReference({name: [str(m) for m in filterset.errors[name]] for name in errors})
            raise utils.translate_validation(filterset.errors)
        return filterset.qs

    def to_html(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for field in filterset.form.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.widget = forms.TextInput()
        return loader.get_template(self.template).render({"filter": filterset}, request)
