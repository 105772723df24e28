"""The results app's permissions reach the commission groups through the one roles table."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from territory import roles

pytestmark = pytest.mark.django_db


def test_results_permissions_are_in_the_roles_table():
    for group in (roles.CEC, roles.TEC):
        assert "results.view_protocol" in roles.GROUP_PERMISSIONS[group]
        assert "results.view_contestresult" in roles.GROUP_PERMISSIONS[group]
    assert not any(name.startswith("results.") for name in roles.GROUP_PERMISSIONS[roles.PRECINCT])


def test_sync_roles_grants_protocol_view_to_tec_without_the_demo(capsys):
    call_command("sync_roles")
    tec = Group.objects.get(name=roles.TEC)
    codenames = set(tec.permissions.values_list("codename", flat=True))
    assert {"view_protocol", "view_protocolentry", "view_contestresult"} <= codenames
    assert "change_protocol" not in codenames
    assert "tec:" in capsys.readouterr().out
    # A second run changes nothing.
    before = tec.permissions.count()
    call_command("sync_roles")
    assert tec.permissions.count() == before
