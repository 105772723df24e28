"""Seats made, changed and ended through the Membership admin go through territory.services: groups follow.

The pages a member opens depend on their seat (scope) and on their group (the admin's model
permissions); a seat made in the admin gives both, and ending it takes both away.
"""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core import clock
from core.models import AuditEvent
from territory import roles
from territory.models import Membership
from territory.services import CommissionOutOfScope, change_membership, remove_member, sync_groups_of_ended_seats

from .factories import COUNTING, member, user

pytestmark = pytest.mark.django_db

TODAY = COUNTING.date()
ADMIN = "/" + settings.ADMIN_URL


def _client(account):
    client = Client()
    client.force_login(account)
    return client


def _refused(response):
    """The admin turns away a user without a seat: to its login page (no scope) or 403 (no permission)."""
    return response.status_code == 403 or (response.status_code == 302 and "/login/" in response.url)


def _groups(account):
    return sorted(account.groups.values_list("name", flat=True))


@pytest.fixture
def cec(world):
    roles.sync_user_groups(world.cec)
    return _client(world.cec)


def _seat_through_admin(cec, account, commission, role, **dates):
    data = {"user": account.pk, "commission": commission.pk, "role": role, "_save": "Save"}
    data.update({k: v.isoformat() for k, v in dates.items()})
    response = cec.post(f"{ADMIN}territory/membership/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Membership.objects.get(user=account, commission=commission, role=role)


def test_a_clerk_seated_through_the_admin_opens_the_entry_form_and_loses_it_when_removed(world, cec):
    newcomer = user("newcomer")
    entry_url = reverse("results:entry", args=[world.protocol.pk])
    page = _client(newcomer)
    assert page.get(entry_url).status_code == 404

    seat = _seat_through_admin(cec, newcomer, world.precinct, "clerk")
    assert _groups(newcomer) == ["precinct"]
    assert page.get(entry_url).status_code == 200
    appointed = AuditEvent.objects.for_object(seat).get()
    assert (appointed.action, appointed.actor, appointed.to_state) == ("territory.member_appointed", world.cec, "clerk")

    response = cec.post(f"{ADMIN}territory/membership/{seat.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=seat.pk).exists()
    assert _groups(newcomer) == []
    assert page.get(entry_url).status_code == 404
    removed = AuditEvent.objects.filter(action="territory.member_removed").get()
    assert (removed.actor, removed.from_state, removed.data["user"]) == (world.cec, "clerk", "newcomer")
    # The service writes the audit record; the admin's generic one is not written twice.
    assert not AuditEvent.objects.filter(action__startswith="admin.territory.membership").exists()


def test_tec_staff_seated_through_the_admin_open_the_admin_and_lose_it_when_the_seat_ends(world, cec):
    newcomer = user("tec-newcomer", is_staff=True)
    changelist = f"{ADMIN}territory/pollingstation/"
    page = _client(newcomer)
    assert _refused(page.get(changelist))

    seat = _seat_through_admin(cec, newcomer, world.district_tec, "member")
    assert _groups(newcomer) == ["tec"]
    response = page.get(changelist)
    assert response.status_code == 200
    assert f"{ADMIN}territory/pollingstation/{world.station.pk}/change/" in response.content.decode()

    # Ended by date: the last day of the seat was yesterday.
    yesterday = TODAY - datetime.timedelta(days=1)
    data = {"commission": world.district_tec.pk, "role": "member", "active_to": yesterday.isoformat(), "_save": "Save"}
    response = cec.post(f"{ADMIN}territory/membership/{seat.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    seat.refresh_from_db()
    assert seat.active_to == yesterday
    assert _groups(newcomer) == []
    assert _refused(page.get(changelist))
    changed = AuditEvent.objects.filter(action="territory.membership_changed").get()
    assert changed.data["changes"] == {"active_to": ["", yesterday.isoformat()]}


def test_the_user_of_a_seat_cannot_be_swapped_in_the_change_form(world, cec):
    seat = Membership.objects.get(user=world.clerk1)
    data = {"user": world.nobody.pk, "commission": world.precinct.pk, "role": "clerk", "_save": "Save"}
    assert cec.post(f"{ADMIN}territory/membership/{seat.pk}/change/", data).status_code == 302
    seat.refresh_from_db()
    assert seat.user == world.clerk1


def test_a_seat_ending_today_still_counts_today_and_not_tomorrow(world):
    newcomer = member(user("newcomer"), world.precinct, "clerk")
    Membership.objects.filter(user=newcomer).update(active_to=TODAY)
    roles.sync_user_groups(newcomer)
    assert _groups(newcomer) == ["precinct"]
    entry_url = reverse("results:entry", args=[world.protocol.pk])
    assert _client(newcomer).get(entry_url).status_code == 200
    assert sync_groups_of_ended_seats(on=TODAY) == 0
    assert _groups(newcomer) == ["precinct"]

    tomorrow = COUNTING + datetime.timedelta(days=1)
    with clock.frozen(tomorrow):
        assert _client(newcomer).get(entry_url).status_code == 404
        assert sync_groups_of_ended_seats() == 1
        assert sync_groups_of_ended_seats() == 0  # idempotent
    assert _groups(newcomer) == []


def test_another_active_seat_keeps_the_group(world):
    newcomer = member(user("newcomer"), world.precinct, "clerk")
    member(newcomer, world.precinct2, "clerk")
    roles.sync_user_groups(newcomer)
    remove_member(world.cec, Membership.objects.get(user=newcomer, commission=world.precinct))
    assert _groups(newcomer) == ["precinct"]
    remove_member(world.cec, Membership.objects.get(user=newcomer, commission=world.precinct2))
    assert _groups(newcomer) == []


def test_groups_not_given_by_seats_are_kept(world):
    newcomer = member(user("newcomer"), world.precinct, "clerk")
    roles.sync_groups()
    newcomer.groups.add(*roles.Group.objects.filter(name=roles.AUDITORS))
    roles.sync_user_groups(newcomer)
    remove_member(world.cec, Membership.objects.get(user=newcomer))
    assert _groups(newcomer) == [roles.AUDITORS]


def test_a_seat_outside_the_actors_territory_is_neither_removed_nor_changed(world):
    roles.sync_user_groups(world.outsider)
    seat = Membership.objects.get(user=world.outsider)
    with pytest.raises(CommissionOutOfScope) as caught:
        remove_member(world.tec, seat)
    assert caught.value.code == "commission_out_of_scope"
    with pytest.raises(CommissionOutOfScope):
        change_membership(world.tec, seat, commission=world.precinct, role="clerk")
    seat.refresh_from_db()
    assert (seat.commission, seat.role) == (world.other_precinct, "clerk")
    assert _groups(world.outsider) == ["precinct"]
    assert not AuditEvent.objects.filter(action__startswith="territory.member").exists()


def test_moving_a_seat_into_a_commission_outside_the_territory_is_refused(world):
    seat = Membership.objects.get(user=world.clerk1)
    with pytest.raises(CommissionOutOfScope):
        change_membership(world.tec, seat, commission=world.other_precinct, role="clerk")
    seat.refresh_from_db()
    assert seat.commission == world.precinct


def test_tec_staff_cannot_remove_a_seat_outside_their_territory_through_the_admin(world):
    roles.sync_user_groups(world.tec)
    seat = Membership.objects.get(user=world.outsider)
    response = _client(world.tec).post(f"{ADMIN}territory/membership/{seat.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    assert Membership.objects.filter(pk=seat.pk).exists()


def test_bulk_delete_in_the_admin_removes_each_seat_through_the_service(world, cec):
    first = member(user("first"), world.precinct, "clerk")
    second = member(user("second"), world.precinct2, "clerk")
    for account in (first, second):
        roles.sync_user_groups(account)
    seats = Membership.objects.filter(user__in=[first, second])
    data = {"action": "delete_selected", "_selected_action": [s.pk for s in seats], "post": "yes"}
    assert cec.post(f"{ADMIN}territory/membership/", data).status_code == 302
    assert not Membership.objects.filter(user__in=[first, second]).exists()
    assert (_groups(first), _groups(second)) == ([], [])
    assert AuditEvent.objects.filter(action="territory.member_removed").count() == 2
