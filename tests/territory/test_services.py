"""appoint_member: a seat on a commission outside the actor's territory is refused, nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from territory.models import Membership
from territory.services import CommissionOutOfScope, appoint_member

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_commission_outside_the_actors_territory_is_refused(world):
    newcomer = UserFactory(username="newcomer")
    with pytest.raises(CommissionOutOfScope) as caught:
        appoint_member(world.tec_user, user=newcomer, commission=world.tec_akmola, role="member")
    assert caught.value.code == "commission_out_of_scope"
    assert caught.value.details["field"] == "commission"
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not AuditEvent.objects.exists()


def test_clerks_cannot_seat_anyone_outside_their_precinct(world):
    newcomer = UserFactory(username="newcomer")
    with pytest.raises(CommissionOutOfScope) as caught:
        appoint_member(world.clerk, user=newcomer, commission=world.tec_abai, role="member")
    assert caught.value.code == "commission_out_of_scope"


def test_dates_in_the_wrong_order_are_refused(world):
    newcomer = UserFactory(username="newcomer")
    with pytest.raises(ValidationError) as caught:
        appoint_member(
            world.tec_user,
            user=newcomer,
            commission=world.tec_abai,
            role="member",
            active_from=datetime.date(2021, 7, 1),
            active_to=datetime.date(2021, 6, 1),
        )
    assert "active_to" in caught.value.message_dict
    assert not Membership.objects.filter(user=newcomer).exists()


def test_seat_inside_the_territory_is_made_with_group_and_audit(world):
    newcomer = UserFactory(username="newcomer")
    membership = appoint_member(world.tec_user, user=newcomer, commission=world.tec_abai, role="secretary")
    assert list(newcomer.groups.values_list("name", flat=True)) == ["tec"]
    event = AuditEvent.objects.for_object(membership).get()
    assert (event.action, event.actor, event.to_state) == ("territory.member_appointed", world.tec_user, "secretary")


def test_save_record_and_delete_records_write_the_admin_audit_trail(world):
    from territory.models import PollingStation
    from territory.services import delete_records, save_record

    station = PollingStation(unit=world.kar_village, number=7, registered_voters=300)
    save_record(world.tec_user, station, adding=True, changes={"number": ["", "7"]})
    added = AuditEvent.objects.for_object(station).get()
    assert (added.action, added.actor, added.data) == (
        "admin.territory.pollingstation.added",
        world.tec_user,
        {"changes": {"number": ["", "7"]}},
    )
    deleted, _ = delete_records(world.tec_user, PollingStation.objects.filter(pk=station.pk))
    assert deleted == 1
    gone = AuditEvent.objects.filter(action="admin.territory.pollingstation.deleted").get()
    assert gone.data == {"was": str(station)}


def test_unaudited_records_leave_no_event(world):
    from territory.models import PollingStation
    from territory.services import delete_records, save_record

    station = save_record(
        world.tec_user,
        PollingStation(unit=world.kar_village, number=8, registered_voters=10),
        adding=True,
        changes={},
        audited=False,
    )
    delete_records(world.tec_user, PollingStation.objects.filter(pk=station.pk), audited=False)
    assert not PollingStation.objects.filter(number=8).exists()
    assert not AuditEvent.objects.exists()
