"""The user's territory (`scope_for`), the registry's (`registry_scope_for`: no precinct seats), and the
one test of holding a station or a unit (`Scope.holds_station`, `Scope.holds_unit`)."""

from django.contrib.auth.models import AnonymousUser

from registry.selectors import registry_scope_for
from territory.scope import NATIONAL, NO_SCOPE, scope_for


def test_regional_tec_holds_its_region_only(world, django_assert_num_queries):
    scope = scope_for(world.tec_user)
    with django_assert_num_queries(0):
        assert scope.holds_station(world.kar_station)
        assert not scope.holds_station(world.akmola_station)
    assert scope.holds_unit(world.kar_village) and scope.holds_unit(world.karaganda)
    assert not scope.holds_unit(world.akmola_village)


def test_district_tec_holds_its_district_not_the_neighbour(world):
    scope = scope_for(world.district_user)
    assert scope.holds_station(world.kar_station) and scope.holds_unit(world.kar_rural)
    assert not scope.holds_unit(world.shet) and not scope.holds_unit(world.karaganda)
    assert not scope.holds_station(world.akmola_station)


def test_precinct_seat_holds_its_station_but_gives_no_registry_territory(world):
    scope = scope_for(world.clerk)
    assert scope.holds_station(world.kar_station) and not scope.holds_station(world.akmola_station)
    assert scope.holds_unit(world.kar_village) and not scope.holds_unit(world.akmola_village)
    registry = registry_scope_for(world.clerk)
    assert registry.empty and not registry.holds_unit(world.kar_village)


def test_registry_scope_keeps_territorial_seats(world):
    assert registry_scope_for(world.cec_user).national
    assert registry_scope_for(world.tec_user).holds_unit(world.kar_village)
    assert not registry_scope_for(world.tec_user).holds_unit(world.akmola_village)


def test_national_and_no_scope(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert NATIONAL.holds_station(world.akmola_station) and NATIONAL.holds_unit(world.akmola)
        assert not NO_SCOPE.holds_station(world.kar_station) and not NO_SCOPE.holds_unit(world.karaganda)
    assert scope_for(AnonymousUser()) is NO_SCOPE
