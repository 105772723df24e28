"""Who may see and change what: the one scoping helper used by the admin, the pages and the API.

A user's territory comes from their active memberships in commissions: CEC members (and
superusers) see the whole country; a regional or district commission's members see that unit's
subtree; a precinct commission's members see their polling station and the unit it serves.
"""

from dataclasses import dataclass

from django.db.models import Q

from core import clock

from .models import AdminUnit, Commission, Membership, PollingStation

_CACHE_ATTR = "_territory_scope"


@dataclass(frozen=True)
class Scope:
    national: bool
    region_ids: frozenset
    district_ids: frozenset
    station_ids: frozenset

    @property
    def empty(self):
        return not (self.national or self.region_ids or self.district_ids or self.station_ids)

    def unit_q(self, prefix=""):
        """A Q selecting the units of this scope; `prefix` reaches a unit through a relation."""
        if self.national:
            return Q()
        p = f"{prefix}__" if prefix else ""
        q = Q(**{f"{p}pk__in": []})
        if self.region_ids:
            q |= Q(**{f"{p}pk__in": self.region_ids}) | Q(**{f"{p}region_id__in": self.region_ids})
        if self.district_ids:
            q |= Q(**{f"{p}pk__in": self.district_ids}) | Q(**{f"{p}district_id__in": self.district_ids})
        if self.station_ids:
            q |= Q(**{f"{p}polling_stations__in": self.station_ids})
        return q

    def holds_station(self, station):
        """Whether the polling station lies in this scope (no query: the station's own ids)."""
        if self.national:
            return True
        return (
            station.pk in self.station_ids
            or station.region_id in self.region_ids
            or station.district_id in self.district_ids
        )

    def holds_unit(self, unit):
        """Whether the unit lies in this scope (one query unless national or empty)."""
        if self.national:
            return True
        if self.empty:
            return False
        return type(unit).objects.filter(self.unit_q(), pk=unit.pk).exists()

    def station_q(self, prefix=""):
        """A Q selecting the polling stations of this scope."""
        if self.national:
            return Q()
        p = f"{prefix}__" if prefix else ""
        q = Q(**{f"{p}pk__in": []})
        if self.region_ids:
            q |= Q(**{f"{p}region_id__in": self.region_ids})
        if self.district_ids:
            q |= Q(**{f"{p}district_id__in": self.district_ids})
        if self.station_ids:
            q |= Q(**{f"{p}pk__in": self.station_ids})
        return q


NO_SCOPE = Scope(False, frozenset(), frozenset(), frozenset())
NATIONAL = Scope(True, frozenset(), frozenset(), frozenset())


def commission_scope(kind, unit_id, station_id):
    """The territory of one seat on a commission of `kind` (its unit, or its polling station)."""
    if kind == Commission.Kind.CEC:
        return NATIONAL
    if kind == Commission.Kind.REGIONAL and unit_id:
        return Scope(False, frozenset({unit_id}), frozenset(), frozenset())
    if kind == Commission.Kind.DISTRICT and unit_id:
        return Scope(False, frozenset(), frozenset({unit_id}), frozenset())
    if kind == Commission.Kind.PRECINCT and station_id:
        return Scope(False, frozenset(), frozenset(), frozenset({station_id}))
    return NO_SCOPE


def active_memberships(user):
    if not user or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.active_on(clock.now().date()).filter(user=user).select_related("commission")


def scope_for(user):
    """The user's territory, computed once per user object."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = NATIONAL
    else:
        regions, districts, stations = set(), set(), set()
        national = False
        for membership in active_memberships(user):
            commission = membership.commission
            if commission.kind == Commission.Kind.CEC:
                national = True
            elif commission.kind == Commission.Kind.REGIONAL:
                regions.add(commission.unit_id)
            elif commission.kind == Commission.Kind.DISTRICT:
                districts.add(commission.unit_id)
            elif commission.kind == Commission.Kind.PRECINCT:
                stations.add(commission.polling_station_id)
        scope = NATIONAL if national else Scope(False, frozenset(regions), frozenset(districts), frozenset(stations))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def units_for(user, queryset=None):
    """The units the user may see (and, for commission staff, change)."""
    queryset = AdminUnit.objects.all() if queryset is None else queryset
    scope = scope_for(user)
    if scope.empty:
        return queryset.none()
    if scope.national:
        return queryset
    return queryset.filter(scope.unit_q()).distinct()


def stations_for(user, queryset=None):
    """The polling stations the user may see."""
    queryset = PollingStation.objects.all() if queryset is None else queryset
    scope = scope_for(user)
    if scope.empty:
        return queryset.none()
    return queryset.filter(scope.station_q())


def filter_by_unit(user, queryset, unit_field):
    """Restrict any queryset with a path to a unit (e.g. `unit`, `contest__unit`) to the user's scope."""
    scope = scope_for(user)
    if scope.empty:
        return queryset.none()
    if scope.national:
        return queryset
    return queryset.filter(scope.unit_q(unit_field)).distinct()


def filter_by_station(user, queryset, station_field):
    """Restrict a queryset with a path to a polling station to the user's scope."""
    scope = scope_for(user)
    if scope.empty:
        return queryset.none()
    return queryset.filter(scope.station_q(station_field))


def commissions_for(user, queryset=None):
    """Commissions inside the user's territory (whose memberships they may manage)."""
    queryset = Commission.objects.all() if queryset is None else queryset
    scope = scope_for(user)
    if scope.empty:
        return queryset.none()
    if scope.national:
        return queryset
    q = Q(pk__in=[])
    if scope.region_ids:
        q |= Q(unit_id__in=scope.region_ids) | Q(unit__region_id__in=scope.region_ids)
    if scope.district_ids:
        q |= Q(unit_id__in=scope.district_ids) | Q(unit__district_id__in=scope.district_ids)
    if scope.station_ids:
        q |= Q(polling_station_id__in=scope.station_ids)
    return queryset.filter(q)
