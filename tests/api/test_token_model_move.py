"""ApiToken moved from core to api (issue 18): the table and its rows stay, the content type (and the
permissions given on it) follows the model, and a token's audit chain goes on under core.apitoken."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api import tokens
from api.models import ApiToken
from core.models import AuditEvent

BEFORE = [("core", "0004_audit_streams"), ("api", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_the_model_keeps_the_table_of_core():
    assert ApiToken._meta.app_label == "api"
    assert ApiToken._meta.db_table == "core_apitoken"


@pytest.mark.django_db(transaction=True)
def test_migrating_keeps_the_rows_and_moves_the_content_type():
    old_apps = _migrate(BEFORE)
    try:
        user = old_apps.get_model("auth", "User").objects.create(username="auditor-before")
        moment = datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)
        old_token = old_apps.get_model("core", "ApiToken").objects.create(
            user=user,
            key_prefix="abcdef12",
            key_hash="f" * 64,
            created_at=moment,
            expires_at=moment + datetime.timedelta(days=90),
        )
        old_type, _ = ContentType.objects.get_or_create(app_label="core", model="apitoken")
        ContentType.objects.filter(app_label="api", model="apitoken").delete()
        permission, _ = Permission.objects.get_or_create(
            content_type=old_type, codename="view_apitoken", defaults={"name": "Can view API token"}
        )
        group = Group.objects.create(name="token-readers")
        group.permissions.add(permission)
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    token = ApiToken.objects.get(pk=old_token.pk)
    assert (token.user.username, token.key_prefix, token.key_hash) == ("auditor-before", "abcdef12", "f" * 64)
    moved = ContentType.objects.get(pk=old_type.pk)
    assert (moved.app_label, moved.model) == ("api", "apitoken")
    assert not ContentType.objects.filter(app_label="core", model="apitoken").exists()
    assert list(Group.objects.get(name="token-readers").permissions.all()) == [permission]
    assert ContentType.objects.get_for_model(ApiToken) == moved


@pytest.mark.django_db
def test_events_of_a_token_keep_the_object_type_of_its_first_home(django_user_model):
    staff = django_user_model.objects.create(username="cec", is_staff=True, is_superuser=True)
    staff.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
    token, _ = tokens.issue_token(staff, staff, 30)
    tokens.revoke_token(token, staff, reason="lost")
    events = AuditEvent.objects.for_object(token).order_by("id")
    assert [e.action for e in events] == ["api_token.issue", "api_token.revoke"]
    assert {e.object_type for e in events} == {"core.apitoken"}
    assert {e.stream for e in events} == {f"core.apitoken:{token.pk}"}
    assert not AuditEvent.objects.filter(object_type="api.apitoken").exists()
