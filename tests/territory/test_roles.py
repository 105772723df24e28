"""Groups and their permissions: created once, missing permissions skipped, re-runs change nothing."""

import pytest
from django.contrib.auth.models import Group

from territory import roles
from territory.models import Membership

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _perm_names(group):
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type"))


def test_sync_groups_creates_the_four_groups_with_their_permissions():
    groups = roles.sync_groups()
    assert set(groups) == {"cec", "tec", "precinct", "auditors"}
    assert _perm_names(groups["cec"]) == sorted(roles.GROUP_PERMISSIONS["cec"])
    assert "core.view_auditevent" in _perm_names(groups["auditors"])
    assert "territory.delete_adminunit" not in _perm_names(groups["tec"])


def test_sync_groups_twice_changes_nothing():
    roles.sync_groups()
    first = {g.name: _perm_names(g) for g in Group.objects.all()}
    roles.sync_groups()
    assert {g.name: _perm_names(g) for g in Group.objects.all()} == first


def test_permissions_of_apps_still_to_come_are_skipped():
    groups = roles.sync_groups({"tec": ["territory.view_adminunit", "nowhere.view_thing", "territory.fly_unit"]})
    assert _perm_names(groups["tec"]) == ["territory.view_adminunit"]


def test_permissions_granted_elsewhere_are_kept():
    groups = roles.sync_groups({"precinct": ["territory.view_adminunit"]})
    roles.sync_groups()
    assert "territory.view_adminunit" in _perm_names(groups["precinct"])


def test_a_seat_puts_the_user_in_its_group(world):
    user = UserFactory(username="seated")
    Membership.objects.create(user=user, commission=world.tec_abai, role=Membership.Role.MEMBER)
    roles.sync_user_groups(user)
    assert list(user.groups.values_list("name", flat=True)) == ["tec"]
