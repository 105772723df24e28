"""The audit trail in the admin: read-only for everyone, visible to national staff only."""

import pytest
from django.db import transaction
from django.urls import reverse

from core import audit
from core.models import AuditEvent
from tests.territory.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = World()
    with transaction.atomic():
        audit.record(actor=world.cec_user, action="test.done", object_type="test", object_id=1, reason="why")
    return world


def test_cec_lists_and_opens_events_but_cannot_add_change_or_delete(client, world):
    client.force_login(world.cec_user)
    event = AuditEvent.objects.get()
    response = client.get(reverse("admin:core_auditevent_changelist"), {"q": "test.done"})
    assert response.status_code == 200 and list(response.context["cl"].result_list) == [event]
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(change_url, {"reason": "rewritten"}).status_code == 403
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get().reason == "why"
    assert audit.verify_chain() == (1, None)


def test_superuser_cannot_change_events_either(client, world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(root)
    event = AuditEvent.objects.get()
    assert client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403


def test_territorial_staff_do_not_see_the_trail(client, world):
    client.force_login(world.tec_user)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403
