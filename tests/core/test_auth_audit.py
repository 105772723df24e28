"""Changes of users, groups and permissions made on the admin's pages are audit events, in the
chain of the user or group changed, with the acting user; passwords never appear."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from core import audit
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(user)
    return user


def _events(prefix):
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id"))


def test_a_user_created_and_changed_on_the_admin_pages_is_audited(client, root, django_user_model):
    secret = "Str0ng-and-l0ng-pass"
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "newclerk", "password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    user = django_user_model.objects.get(username="newclerk")
    (created,) = _events("user.created")
    assert created.actor == root and created.stream == f"auth.user:{user.pk}"
    assert created.data == {"username": "newclerk", "is_active": True, "is_staff": False, "is_superuser": False}

    group = Group.objects.create(name="TEC secretaries")
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "newclerk",
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:800]
    changed = _events("user.changed")[-1]
    assert changed.data == {"changes": {"is_staff": [False, True]}}
    (added,) = _events("user.groups_added")
    assert added.data == {"groups": ["TEC secretaries"]} and added.actor == root
    for event in AuditEvent.objects.all():
        assert secret not in repr(event.__dict__)
    assert audit.verify_chain()[1] is None


def test_a_password_change_is_recorded_without_the_password(client, root, django_user_model):
    user = django_user_model.objects.create_user("clerk9", password="old-Passw0rd-x")
    secret = "New-Passw0rd-long"
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    (event,) = _events("user.changed")
    assert event.data == {"changes": {"password": "changed"}}
    user.refresh_from_db()
    assert user.password not in repr(event.__dict__) and secret not in repr(event.__dict__)


def test_group_permissions_added_and_removed_and_the_group_deleted(client, root):
    view = Permission.objects.get(codename="view_auditevent")
    add = Permission.objects.get(codename="add_group")
    response = client.post(reverse("admin:auth_group_add"), {"name": "auditors", "permissions": [view.pk, add.pk]})
    assert response.status_code == 302
    group = Group.objects.get(name="auditors")
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "auditors", "permissions": [view.pk]}
    )
    assert response.status_code == 302
    actions = [(e.action, e.data) for e in AuditEvent.objects.filter(stream=f"auth.group:{group.pk}").order_by("id")]
    assert actions[0] == ("group.created", {"name": "auditors"})
    assert ("group.permissions_added", {"permissions": ["auth.add_group", "core.view_auditevent"]}) in actions
    assert ("group.permissions_removed", {"permissions": ["auth.add_group"]}) in actions

    client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    assert not Group.objects.filter(pk=group.pk).exists()
    assert _events("group.deleted")[0].data == {"name": "auditors"}


def test_a_users_own_login_and_changes_made_in_code_write_no_such_event(client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("clerk7", password="Passw0rd-long-x")
    user.groups.add(Group.objects.create(name="g"))
    assert not _events("user.") and not _events("group.")
    client.post(reverse("admin:login"), {"username": "clerk7", "password": "Passw0rd-long-x"})
    assert not _events("user.")  # last_login is not a change worth a record
