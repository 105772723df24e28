"""Factories and builders for the registry tests: units, users with commission seats, elections, people."""

import datetime
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from registry import iin
from registry.models import Contest, Education, Election, Party, Person
from territory.kato import Kind
from territory.models import AdminUnit, Commission, Membership, PollingStation

ALMATY = ZoneInfo("Asia/Almaty")
E_DAY = datetime.date(2021, 7, 25)
_serial = itertools.count(1000)
_seq = itertools.count(1)


def at(day, hour, minute=0, second=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=ALMATY)


def unit(kato, kind, parent=None, name=None, voters=None):
    name = name or f"Unit {kato}"
    return AdminUnit.objects.create(
        kato=kato, kind=kind, parent=parent, name_kk=name, name_ru=name, name_en=name, registered_voters=voters
    )


def station(unit_obj, number, voters):
    return PollingStation.objects.create(number=number, unit=unit_obj, registered_voters=voters)


def small_territory():
    """Two regions, each with a district and two rural districts (with a polling station each)."""
    units = {}
    for prefix in ("35", "39"):
        region = unit(f"{prefix}0000000", Kind.REGION)
        district = unit(f"{prefix}2000000", Kind.DISTRICT, region)
        units[prefix] = region
        units[f"{prefix}-d"] = district
        for r in (1, 2):
            rd = unit(f"{prefix}20{r}0000"[:6] + "000", Kind.RURAL_DISTRICT, district)
            station(rd, r, 1500 + r)
            units[f"{prefix}-rd{r}"] = rd
    return units


def user_with_seat(username, kind, unit_obj=None, role="secretary", staff=True):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=staff)
    if kind == "cec":
        commission, _ = Commission.objects.get_or_create(kind="cec", defaults={"name": "CEC"})
    elif kind == "precinct":
        commission = Commission.objects.create(
            kind="precinct", name=f"PEC {username}", polling_station=unit_obj.polling_stations.first()
        )
    else:
        commission, _ = Commission.objects.get_or_create(kind=kind, unit=unit_obj, defaults={"name": f"TEC {unit_obj}"})
    Membership.objects.create(user=user, commission=commission, role=role)
    from territory import roles

    roles.sync_user_groups(user)
    return user


def election(**overrides):
    values = {
        "name_kk": "Сайлау",
        "name_ru": "Выборы",
        "name_en": "Election",
        "office_type": Kind.RURAL_DISTRICT,
        "election_day": E_DAY,
        "status": Election.Status.NOMINATION,
        "minimum_wage": 42500,
    }
    values.update(overrides)
    return Election.objects.create(**values)


def contest(election_obj, unit_obj, voters=1500):
    return Contest.objects.create(election=election_obj, unit=unit_obj, registered_voters=voters)


def make_iin(birth_date, sex="M"):
    value, used = iin.build_next_iin(birth_date, sex, next(_serial))
    while next(_serial) < used:  # skip the serials build_next_iin passed over: the next call must not reuse one
        pass
    return value


def person(birth_date=datetime.date(1980, 3, 1), sex="M", **overrides):
    values = {
        "iin": make_iin(birth_date, sex),
        "surname": f"Тестов{next(_seq)}",
        "given_name": "Ерлан",
        "education": Education.HIGHER,
        "qualification": Person.Qualification.PASSED,
        "qualification_checked_on": datetime.date(2021, 7, 1),
        "qualification_checked_by": "Agency",
    }
    values.update(overrides)
    return Person.objects.create(**values)


def party(short="Nur Otan", **overrides):
    values = {"name_kk": short, "name_ru": short, "short_name": short, "registration_number": f"r-{short}"}
    values.update(overrides)
    return Party.objects.create(**values)


__all__ = ["Decimal"]
