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
