"""The denormalised region and district of units and stations, on create and on re-parenting."""

import pytest

from territory.kato import Kind
from territory.models import AdminUnit, PollingStation

from .factories import station, unit

pytestmark = pytest.mark.django_db


def test_region_and_district_follow_the_parent_chain(world):
    assert (world.karaganda.region_id, world.karaganda.district_id) == (None, None)
    assert (world.abai.region_id, world.abai.district_id) == (world.karaganda.pk, None)
    assert (world.kar_rural.region_id, world.kar_rural.district_id) == (world.karaganda.pk, world.abai.pk)
    assert (world.kar_village.region_id, world.kar_village.district_id) == (world.karaganda.pk, world.abai.pk)
    assert (world.kar_station.region_id, world.kar_station.district_id) == (world.karaganda.pk, world.abai.pk)


def test_moving_a_rural_district_moves_its_villages_and_stations(world):
    rural, village = world.kar_rural, world.kar_village
    rural.parent = world.shet
    rural.kato = "352231000"
    rural.save()
    village.refresh_from_db()
    world.kar_station.refresh_from_db()
    assert village.district_id == world.shet.pk
    assert world.kar_station.district_id == world.shet.pk
    assert world.kar_station.region_id == world.karaganda.pk


def test_moving_a_district_to_another_region_moves_its_whole_subtree(world):
    abai = world.abai
    abai.parent = world.akmola
    abai.save()
    rows = dict(AdminUnit.objects.filter(pk__in=[world.kar_rural.pk, world.kar_village.pk]).values_list("pk", "region"))
    assert rows == {world.kar_rural.pk: world.akmola.pk, world.kar_village.pk: world.akmola.pk}
    assert AdminUnit.objects.get(pk=world.kar_village.pk).district_id == abai.pk
    assert PollingStation.objects.get(pk=world.kar_station.pk).region_id == world.akmola.pk
    # Units of other subtrees are untouched.
    assert AdminUnit.objects.get(pk=world.akmola_village.pk).district_id == world.akkol.pk


def test_a_save_without_a_move_touches_nothing_below(world, django_assert_num_queries):
    world.abai.name_ru = "Абайский район"
    with django_assert_num_queries(2):  # read the old region/district, write the row
        world.abai.save()


def test_station_takes_region_and_district_of_its_unit(world):
    township = unit("352033000", Kind.TOWNSHIP, world.abai)
    s = station(township, 9)
    assert (s.region_id, s.district_id) == (world.karaganda.pk, world.abai.pk)
    on_district = station(world.shet, 10)
    assert (on_district.region_id, on_district.district_id) == (world.karaganda.pk, world.shet.pk)
