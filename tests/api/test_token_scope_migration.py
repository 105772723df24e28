"""Migration api.0002_token_scope gives every existing token the territory it may keep: its region;
national for users in the auditor role; the one active seat of a member; otherwise none (it stops)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api.models import ApiToken

# territory too: its later columns (lacks_kazakh_name) have no database default for rows made here.
BEFORE = [("api", "0001_initial"), ("territory", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_get_their_scope():
    apps = _migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Group = apps.get_model("auth", "Group")
        Unit = apps.get_model("territory", "AdminUnit")
        Commission = apps.get_model("territory", "Commission")
        Membership = apps.get_model("territory", "Membership")
        Token = apps.get_model("api", "ApiToken")
        region = Unit.objects.create(kato="350000000", kind="region", name_kk="Қарағанды", name_ru="Караганда")
        tec = Commission.objects.create(kind="regional", name="TEC 35", unit=region)
        other = Commission.objects.create(kind="cec", name="CEC")
        auditor = User.objects.create(username="auditor-old")
        auditor.groups.add(Group.objects.create(name="auditors"))
        member = User.objects.create(username="member-old", is_staff=True)
        Membership.objects.create(user=member, commission=tec, role="member")
        ended = User.objects.create(username="ended-old", is_staff=True)
        Membership.objects.create(user=ended, commission=tec, role="member", active_to=datetime.date(2000, 1, 1))
        several = User.objects.create(username="several-old", is_staff=True)
        Membership.objects.create(user=several, commission=tec, role="member")
        Membership.objects.create(user=several, commission=other, role="member")
        moment = datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)
        for n, (user, unit) in enumerate(
            [(auditor, None), (auditor, region), (member, None), (ended, None), (several, None)]
        ):
            Token.objects.create(
                user=user,
                key_prefix=f"p{n}",
                key_hash=str(n) * 64,
                scope_unit=unit,
                created_at=moment,
                expires_at=moment + datetime.timedelta(days=90),
            )
    finally:
        _migrate(_latest())
    scopes = {
        t.key_prefix: (t.scope, t.scope_unit_id is not None, t.scope_commission_id) for t in ApiToken.objects.all()
    }
    assert scopes == {
        "p0": ("national", False, None),
        "p1": ("region", True, None),
        "p2": ("commission", False, tec.pk),
        "p3": ("commission", False, None),
        "p4": ("commission", False, None),
    }
