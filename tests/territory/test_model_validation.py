"""Bad input refused by the models (full_clean), with the field and the rule named."""

import pytest
from django.core.exceptions import ValidationError

from territory import kato
from territory.kato import Kind
from territory.models import AdminUnit, PollingStation

pytestmark = pytest.mark.django_db


def _errors(obj):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return {field: [str(m) for m in messages] for field, messages in caught.value.message_dict.items()}


def _unit(code, kind, parent=None):
    return AdminUnit(kato=code, kind=kind, parent=parent, name_kk="kk", name_ru="ru")


@pytest.mark.parametrize(
    "code, message",
    [
        ("35000000", "A KATO code has exactly 9 digits."),
        ("3500000000", "A KATO code has exactly 9 digits."),
        ("35000000A", "A KATO code has digits only."),
        ("３50000000", "A KATO code has digits only."),  # a full-width digit is not a KATO digit
        ("000000000", "The region part (the first two digits) of a KATO code cannot be 00."),
    ],
)
def test_malformed_kato_is_refused_on_the_kato_field(code, message):
    errors = _errors(_unit(code, Kind.REGION))
    assert list(errors) == ["kato"]
    assert message in errors["kato"]


def test_prefix_contradicting_the_parent_is_refused_on_kato(world):
    errors = _errors(_unit("362000000", Kind.DISTRICT, world.karaganda))
    assert list(errors) == ["kato"]
    assert "must start with its parent unit's prefix 35" in errors["kato"][0]


def test_code_of_the_wrong_level_is_refused_on_kato(world):
    errors = _errors(_unit("352031000", Kind.DISTRICT, world.karaganda))
    assert list(errors) == ["kato"]
    assert "does not match the level of a district" in errors["kato"][0]


def test_village_whose_parent_is_a_region_is_refused_on_parent(world):
    errors = _errors(_unit("350000101", Kind.VILLAGE, world.karaganda))
    assert list(errors) == ["parent"]
    assert errors["parent"][0].startswith("A village cannot sit under a region")


def test_district_without_parent_and_region_with_parent_are_refused(world):
    assert "must have a parent unit" in _errors(_unit("359000000", Kind.DISTRICT))["parent"][0]
    assert "top level" in _errors(_unit("390000000", Kind.REGION, world.karaganda))["parent"][0]


def test_unit_cannot_be_its_own_parent(world):
    world.abai.parent = world.abai
    assert "parent" in _errors(world.abai)


def test_well_formed_units_pass(world):
    _unit("352400000", Kind.DISTRICT, world.karaganda).full_clean()
    _unit("352033000", Kind.TOWNSHIP, world.abai).full_clean()
    _unit("352031102", Kind.VILLAGE, world.kar_rural).full_clean()


def test_polling_station_with_negative_voters_is_refused(world):
    errors = _errors(PollingStation(unit=world.kar_village, number=7, registered_voters=-1))
    assert errors == {"registered_voters": ["Registered voters cannot be negative."]}


def test_polling_station_under_a_region_is_refused(world):
    errors = _errors(PollingStation(unit=world.karaganda, number=7, registered_voters=10))
    assert list(errors) == ["unit"]


def test_negative_voters_are_refused_by_the_database_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PollingStation.objects.create(unit=world.kar_village, number=8, registered_voters=-5)
    assert not PollingStation.objects.filter(number=8).exists()


def test_parent_code_and_levels():
    assert kato.parent_code("350000000") is None
    assert kato.parent_code("352000000") == "350000000"
    assert kato.parent_code("352031000") == "352000000"
    assert kato.parent_code("352031101") == "352031000"
    assert [kato.level_of_code(c) for c in ("350000000", "352000000", "352031000", "352031101")] == [1, 2, 3, 4]
