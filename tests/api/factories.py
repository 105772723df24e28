"""Small builders of the API tests' world: two regions, stations, an election, candidates, tokens."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from api import tokens
from core import audit
from registry import iin
from registry.models import Candidacy, Contest, Election, Party, Person
from territory.kato import Kind
from territory.models import AdminUnit, PollingStation

_serial = itertools.count(1)


def unit(kato, kind, parent=None, name=None):
    return AdminUnit.objects.create(
        kato=kato, kind=kind, parent=parent, name_kk=name or kato, name_ru=name or kato, name_en=name or kato
    )


def region_tree(prefix, name):
    """A region with one district, one rural district and one village; returns the four units."""
    region = unit(f"{prefix}0000000", Kind.REGION, name=name)
    district = unit(f"{prefix}2000000", Kind.DISTRICT, region, name=f"{name} district")
    rural = unit(f"{prefix}2030000", Kind.RURAL_DISTRICT, district, name=f"{name} rural district")
    village = unit(f"{prefix}2030100", Kind.VILLAGE, rural, name=f"{name} village")
    return region, district, rural, village


def station(unit_, number, voters=1000):
    return PollingStation.objects.create(unit=unit_, number=number, registered_voters=voters, address="School No. 1")


def election(**kwargs):
    defaults = {
        "name_kk": "Ауыл әкімдерін сайлау",
        "name_ru": "Выборы сельских акимов",
        "name_en": "Rural akim elections",
        "office_type": Kind.RURAL_DISTRICT,
        "election_day": datetime.date(2021, 7, 25),
    }
    return Election.objects.create(**{**defaults, **kwargs})


def person(birth_date, sex="M", surname="Synthetic"):
    value, _ = iin.build_next_iin(birth_date, sex, next(_serial))
    return Person.objects.create(
        iin=value, surname=surname, given_name="Test", patronymic="", education="higher", is_synthetic=True
    )


def candidacy(contest, person_, party=None, status=Candidacy.Status.REGISTERED):
    return Candidacy.objects.create(
        person=person_,
        contest=contest,
        nomination_type="party" if party else "self",
        party=party,
        status=status,
        nominated_on=datetime.date(2021, 6, 20),
    )


def party(short_name):
    return Party.objects.create(
        name_kk=short_name, name_ru=short_name, short_name=short_name, registration_number=f"REG-{short_name}"
    )


def contest(election_, unit_):
    return Contest.objects.create(election=election_, unit=unit_)


def user(username, *, auditor=False, staff=False, superuser=False):
    account = get_user_model().objects.create_user(
        username=username, password=None, is_staff=staff, is_superuser=superuser
    )
    if auditor:
        account.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
    return account


def transition(obj, action, from_state, to_state, reason=""):
    with transaction.atomic():
        return audit.record(
            actor=None,
            action=action,
            obj=obj,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            role="secretary",
            commission="District TEC",
        )


def protocol(contest_, station_, *, state="empty", votes=None, voters=1000, certified_by=None):
    """A protocol; with state verified/certified it gets consistent official figures and votes."""
    from core import clock
    from results.models import Protocol, ProtocolVote

    moment = clock.now()
    fields = {}
    if state in ("verified", "certified"):
        votes = votes or {}
        valid = sum(votes.values())
        fields = {
            "voters": voters,
            "ballots_received": voters,
            "issued_station": valid + 10,
            "issued_mobile": 0,
            "spoiled": 0,
            "unused": voters - valid - 10,
            "found_stationary": valid + 10,
            "found_mobile": 0,
            "invalid": 10,
        }
    if state == "certified":
        fields.update(certified_at=moment, certified_by=certified_by)
    row = Protocol.objects.create(
        election=contest_.election,
        contest=contest_,
        polling_station=station_,
        region=station_.region,
        district=station_.district,
        state=state,
        state_changed_at=moment,
        created_at=moment,
        **fields,
    )
    for candidacy_, count in (votes or {}).items():
        ProtocolVote.objects.create(protocol=row, candidacy=candidacy_, votes=count)
    return row


def entry(protocol_, clerk, kind="first", values=None):
    from core import clock
    from results.models import ProtocolEntry

    moment = clock.now()
    return ProtocolEntry.objects.create(
        protocol=protocol_,
        cycle=protocol_.cycle,
        slot=ProtocolEntry.SLOT_OF_KIND[kind],
        kind=kind,
        status="finished",
        clerk=clerk,
        values=values or {"voters": protocol_.voters},
        started_at=moment,
        updated_at=moment,
        finished_at=moment,
    )


def term(candidacy_, started_on=datetime.date(2021, 8, 1)):
    from registry.models import TermOfOffice

    unit_ = candidacy_.contest.unit
    return TermOfOffice.objects.create(
        person=candidacy_.person,
        unit=unit_,
        office_type=unit_.kind,
        started_on=started_on,
        election=candidacy_.election,
        candidacy=candidacy_,
    )
