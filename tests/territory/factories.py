"""Factories of the territory tests: units by KATO, stations, commissions, users with a seat."""

import factory
from django.contrib.auth import get_user_model

from territory import roles
from territory.kato import Kind
from territory.models import AdminUnit, Commission, Membership, PollingStation

PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)


def unit(kato, kind, parent=None, name=None, **extra):
    name = name or f"Unit {kato}"
    return AdminUnit.objects.create(
        kato=kato, kind=kind, parent=parent, name_kk=f"{name} kk", name_ru=f"{name} ru", name_en=name, **extra
    )


def station(unit_, number, voters=500):
    return PollingStation.objects.create(unit=unit_, number=number, registered_voters=voters)


def commission(kind, unit_=None, station_=None, name=None):
    return Commission.objects.create(
        kind=kind, unit=unit_, polling_station=station_, name=name or f"{kind} {unit_ or station_ or ''}"
    )


def seat(user, commission_, role=Membership.Role.MEMBER, *, staff=None):
    """Give the user a seat on the commission, its group, and the staff flag of commission staff."""
    Membership.objects.create(user=user, commission=commission_, role=role)
    roles.sync_user_groups(user)
    if staff is None:
        staff = commission_.kind != Commission.Kind.PRECINCT
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return user


class World:
    """Two regions (Akmola 11, Karaganda 35), each with a district, a rural district, a village and a station;
    the CEC and TECs, and users: cec, tec-karaganda (regional TEC), tec-abai (district TEC), clerk (precinct)."""

    def __init__(self):
        roles.sync_groups()
        self.akmola = unit("110000000", Kind.REGION, name="Akmola")
        self.akkol = unit("112000000", Kind.DISTRICT, self.akmola, name="Akkol")
        self.akmola_rural = unit("112031000", Kind.RURAL_DISTRICT, self.akkol, name="Akmola rural")
        self.akmola_village = unit("112031101", Kind.VILLAGE, self.akmola_rural, name="Akmola village")
        self.karaganda = unit("350000000", Kind.REGION, name="Karaganda")
        self.abai = unit("352000000", Kind.DISTRICT, self.karaganda, name="Abai")
        self.shet = unit("352200000", Kind.DISTRICT, self.karaganda, name="Shet")
        self.kar_rural = unit("352031000", Kind.RURAL_DISTRICT, self.abai, name="Karaganda rural")
        self.kar_village = unit("352031101", Kind.VILLAGE, self.kar_rural, name="Karaganda village")
        self.akmola_station = station(self.akmola_village, 1)
        self.kar_station = station(self.kar_village, 1)
        self.cec = commission(Commission.Kind.CEC, name="CEC")
        self.tec_akmola = commission(Commission.Kind.REGIONAL, self.akmola)
        self.tec_karaganda = commission(Commission.Kind.REGIONAL, self.karaganda)
        self.tec_abai = commission(Commission.Kind.DISTRICT, self.abai)
        self.tec_akkol = commission(Commission.Kind.DISTRICT, self.akkol)
        self.pec_karaganda = commission(Commission.Kind.PRECINCT, station_=self.kar_station)
        self.pec_akmola = commission(Commission.Kind.PRECINCT, station_=self.akmola_station)
        self.cec_user = seat(UserFactory(username="cec"), self.cec)
        self.tec_user = seat(UserFactory(username="tec-karaganda"), self.tec_karaganda, Membership.Role.SECRETARY)
        self.district_user = seat(UserFactory(username="tec-abai"), self.tec_abai, Membership.Role.CHAIR)
        self.clerk = seat(UserFactory(username="clerk"), self.pec_karaganda, Membership.Role.CLERK)
