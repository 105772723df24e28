"""Helpers shared by the registry admin: deadlines shown in the election's zone, per-row actions with one
message each, the region/district/contest filters and search by name or masked IIN."""

import re

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from territory import scope as territory_scope
from territory.admin import RegionListFilter
from territory.admin_scoping import register_scope_rule
from territory.kato import Kind

from .. import selectors
from ..models import Candidacy, Contest


def show_deadline(moment, zone):
    """A deadline in the election's own zone, named: "14 июля 2021 г. 18:00 (Asia/Almaty, UTC+06:00)"."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone.key}, UTC{offset[:3]}:{offset[3:]})"


def deadline_rows(rows, zone):
    return format_html_join("", "<div>{}: {}</div>", ((label, show_deadline(moment, zone)) for label, moment in rows))


register_scope_rule(Contest, unit_field="unit")
register_scope_rule(Candidacy, unit_field="contest__unit")


def is_national(request):
    return selectors.registry_scope_for(request.user).national


def report_outcomes(request, done, failed, verb):
    """One message for what succeeded, one per row that did not (with the reason)."""
    if done:
        messages.success(request, _("%(verb)s: %(n)d.") % {"verb": verb, "n": len(done)})
    for obj, error in failed:
        text = str(error.message)
        failures = error.details.get("failures") if isinstance(error.details, dict) else None
        if failures:
            text += " " + "; ".join(f["message"] for f in failures)
        messages.error(request, format_html("{}: {} [{}]", obj, text, error.code))


def run_per_row(request, queryset, call, verb):
    done, failed = [], []
    for obj in queryset:
        try:
            call(obj)
        except DomainError as error:
            failed.append((obj, error))
        else:
            done.append(obj)
    report_outcomes(request, done, failed, verb)


# --- filters --------------------------------------------------------------------------------------


class CandidacyRegionFilter(RegionListFilter):
    region_path = "contest__unit__region_id"


class ContestRegionFilter(RegionListFilter):
    region_path = "unit__region_id"


class DistrictFilter(admin.SimpleListFilter):
    """Districts of the user's territory (of the chosen region, when one is chosen)."""

    title = _("district")
    parameter_name = "district"
    district_path = "contest__unit__district_id"

    def lookups(self, request, model_admin):
        districts = territory_scope.units_for(request.user).filter(kind__in=[Kind.DISTRICT, Kind.CITY_REGIONAL])
        region = request.GET.get("region")
        if region and region.isdigit():
            districts = districts.filter(region_id=region)
        return [(str(d.pk), f"{d.name} ({d.kato})") for d in districts.order_by("kato")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{self.district_path: value})


class ContestDistrictFilter(DistrictFilter):
    district_path = "unit__district_id"


class ContestFilter(admin.SimpleListFilter):
    """Contests of the chosen district (choose a district first: a country has thousands)."""

    title = _("contest")
    parameter_name = "contest"

    def lookups(self, request, model_admin):
        district = request.GET.get("district")
        if not (district and district.isdigit()):
            return []
        contests = selectors.contests_for(request.user).filter(unit__district_id=district).select_related("unit")
        return [(str(c.pk), f"{c.unit.name} ({c.unit.kato})") for c in contests.order_by("unit__kato")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(contest_id=value)
        return queryset


class FewerThanTwoFilter(admin.SimpleListFilter):
    title = _("registered candidates")
    parameter_name = "fewer_than_two"

    def lookups(self, request, model_admin):
        return [("yes", _("fewer than 2")), ("no", _("2 or more"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(registered_count__lt=2)
        if self.value() == "no":
            return queryset.filter(registered_count__gte=2)
        return queryset


# --- search by name and masked IIN ----------------------------------------------------------------

_MASKED = re.compile(r"^(\d{0,11})\*+(\d{0,11})$")


def iin_search_q(term, prefix):
    """A Q matching a full IIN or a masked one ("80********23"), or None when the term is neither."""
    term = term.strip()
    if re.fullmatch(r"\d{12}", term):
        return Q(**{f"{prefix}iin": term})
    match = _MASKED.match(term)
    if match and (match.group(1) or match.group(2)):
        return Q(**{f"{prefix}iin__startswith": match.group(1), f"{prefix}iin__endswith": match.group(2)})
    return None


class IinSearchMixin:
    iin_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        q = iin_search_q(search_term, self.iin_prefix)
        if q is not None:
            return queryset.filter(q), False
        return super().get_search_results(request, queryset, search_term)
