"""The protocol admin: scoped, read-only, certify and reopen actions through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from results.models import ProtocolState

from .helpers import fresh, verified

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:results_protocol_changelist"


def staff(client, user):
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_protocol", "view_protocolentry"]))
    client.force_login(user)
    return client


def test_changelist_is_scoped_and_shows_progress(client, world, django_assert_max_num_queries):
    verified(world)
    staff(client, world.tec)
    with django_assert_max_num_queries(20):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {world.protocol, world.protocol2}
    assert ("verified", 1) in response.context["progress"]
    other = client.get(reverse("admin:results_protocol_change", args=[world.other_protocol.pk]))
    assert other.status_code in (302, 404)


def test_detail_is_read_only_with_entries(client, world):
    verified(world)
    staff(client, world.tec)
    response = client.get(reverse("admin:results_protocol_change", args=[world.protocol.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert b"clerk1" in response.content and b"clerk2" in response.content


def test_certify_action_reports_per_row(client, world):
    verified(world)
    staff(client, world.tec)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "certify_selected", "_selected_action": [world.protocol.pk, world.protocol2.pk]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 protocol(s) certified" in t for t in texts)
    assert any(f"Protocol {world.protocol2.pk}" in t for t in texts)
    assert fresh(world.protocol).state == ProtocolState.CERTIFIED


def test_reopen_action_asks_for_a_reason(client, world):
    verified(world)
    staff(client, world.tec)
    url = reverse(CHANGELIST)
    first = client.post(url, {"action": "reopen_selected", "_selected_action": [world.protocol.pk]})
    assert first.status_code == 200 and b'name="reason"' in first.content
    assert fresh(world.protocol).state == ProtocolState.VERIFIED
    client.post(url, {"action": "reopen_selected", "_selected_action": [world.protocol.pk], "apply": "1", "reason": ""})
    assert fresh(world.protocol).state == ProtocolState.VERIFIED
    client.post(
        url, {"action": "reopen_selected", "_selected_action": [world.protocol.pk], "apply": "1", "reason": "recount"}
    )
    assert fresh(world.protocol).state == ProtocolState.EMPTY


def test_a_chair_with_staff_rights_still_cannot_certify(client, world):
    verified(world)
    world.chair.is_staff = True
    world.chair.save()
    staff(client, world.chair)
    client.post(reverse(CHANGELIST), {"action": "certify_selected", "_selected_action": [world.protocol.pk]})
    assert fresh(world.protocol).state == ProtocolState.VERIFIED
