"""The demo territory: the figures of docs/DOMAIN.md ("The demo election"), idempotent loading,
the demo users and their access."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.urls import reverse

from devtools.demo import territory as demo
from devtools.management.commands import load_demo
from territory.kato import Kind
from territory.models import AdminUnit, Commission, Membership, PollingStation

pytestmark = pytest.mark.django_db

RURAL_PER_REGION = {
    "11": 90, "15": 50, "19": 71, "23": 30, "27": 45, "31": 40, "35": 80,
    "39": 50, "43": 35, "47": 15, "55": 50, "59": 25, "61": 80, "63": 69,
}  # fmt: skip


def _counts():
    User = get_user_model()
    return {
        "units": AdminUnit.objects.count(),
        "stations": PollingStation.objects.count(),
        "commissions": Commission.objects.count(),
        "memberships": Membership.objects.count(),
        "users": User.objects.count(),
        "voters": PollingStation.objects.aggregate(n=Sum("registered_voters"))["n"],
        "unit_rows": list(
            AdminUnit.objects.order_by("kato").values_list(
                "kato", "kind", "name_ru", "parent_id", "region_id", "district_id", "registered_voters"
            )
        ),
    }


@pytest.fixture
def loaded(db):
    demo.load(io.StringIO())


def test_figures_of_the_2021_election(loaded):
    regions = AdminUnit.objects.filter(kind=Kind.REGION)
    assert sorted(r.kato[:2] for r in regions) == sorted(RURAL_PER_REGION)
    assert regions.get(kato="350000000").name_ru == "Карагандинская область"
    assert regions.get(kato="350000000").name_kk == "Қарағанды облысы"
    assert regions.get(kato="190000000").name_en == "Almaty Region"
    rural = AdminUnit.objects.filter(kind=Kind.RURAL_DISTRICT)
    assert rural.count() == 730
    per_region = dict(rural.values_list("region__kato").annotate(n=Count("id")))
    assert {code[:2]: n for code, n in per_region.items()} == RURAL_PER_REGION
    assert PollingStation.objects.count() == 1847
    total = PollingStation.objects.aggregate(n=Sum("registered_voters"))["n"]
    assert 1_150_000 <= total <= 1_250_000


def test_every_rural_district_has_villages_stations_and_its_voters(loaded):
    stations_by_rural = dict(
        PollingStation.objects.values_list("unit__parent__kato").annotate(v=Sum("registered_voters"))
    )
    for rural in AdminUnit.objects.filter(kind=Kind.RURAL_DISTRICT):
        assert rural.registered_voters == stations_by_rural[rural.kato]
        assert rural.name_ru.endswith("(демо)") and rural.name_en.endswith("(demo)")
    villages = AdminUnit.objects.filter(kind=Kind.VILLAGE).values("parent").annotate(n=Count("id"))
    assert {row["n"] for row in villages} <= {1, 2, 3}
    assert villages.count() == 730


def test_denormalised_region_and_district_are_right(loaded):
    for village in AdminUnit.objects.filter(kind=Kind.VILLAGE).select_related("parent__parent__parent")[:200]:
        assert village.district_id == village.parent.parent_id
        assert village.region_id == village.parent.parent.parent_id
    assert not PollingStation.objects.exclude(district_id=F("unit__district_id")).exists()
    assert not PollingStation.objects.exclude(region_id=F("unit__region_id")).exists()


def test_commissions_at_every_level(loaded):
    by_kind = dict(Commission.objects.values_list("kind").annotate(n=Count("id")))
    districts = AdminUnit.objects.filter(kind=Kind.DISTRICT).count()
    assert by_kind == {"cec": 1, "regional": 14, "district": districts, "precinct": 1847}


def test_demo_station_key_names_the_first_station_of_the_first_karaganda_rural_district(loaded):
    first_rural = AdminUnit.objects.filter(kind=Kind.RURAL_DISTRICT, region__kato="350000000").order_by("kato")[0]
    first_station = (
        PollingStation.objects.filter(unit__parent=first_rural).order_by("district__kato", "number").select_related()
    )[0]
    assert (first_station.district.kato, first_station.number) == demo.DEMO_STATION_KEY
    pec = Commission.objects.get(polling_station=first_station)
    roles = set(Membership.objects.filter(commission=pec).values_list("user__username", "role"))
    assert roles == {("chair1", "chair"), ("clerk1", "clerk"), ("clerk2", "clerk")}
    tec = Membership.objects.get(user__username="tec-district")
    assert (tec.commission.kind, tec.commission.unit_id, tec.role) == ("district", first_station.district_id, "chair")


def test_second_load_changes_nothing(loaded):
    before = _counts()
    out = io.StringIO()
    changes = demo.load(out)
    assert not any(changes.values())
    assert "nothing changed" in out.getvalue()
    assert _counts() == before


def test_load_repairs_what_differs(loaded):
    AdminUnit.objects.filter(kato="350000000").update(name_ru="broken")
    PollingStation.objects.filter(number=1, district__kato="352000000").update(registered_voters=1)
    changes = demo.load(io.StringIO())
    assert changes["units updated"] == 1 and changes["stations updated"] == 1
    assert AdminUnit.objects.get(kato="350000000").name_ru == "Карагандинская область"


def test_the_plan_is_deterministic():
    first, second = demo.build_plan(), demo.build_plan()
    assert first == second
    assert sum(s.registered_voters for s in first.stations) == demo.TOTAL_VOTERS


def test_demo_users_groups_and_staff(loaded):
    User = get_user_model()
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    expected = {
        "cec": ("cec", True),
        "tec-karaganda": ("tec", True),
        "tec-district": ("tec", True),
        "chair1": ("precinct", False),
        "clerk1": ("precinct", False),
        "clerk2": ("precinct", False),
        "auditor": ("auditors", False),
    }
    for username, (group, staff) in expected.items():
        user = users[username]
        assert [g.name for g in user.groups.all()] == [group]
        assert user.is_staff is staff
        assert user.check_password("demo")


def _log_in(client, username, page="admin:login"):
    # Through a login page: django-axes needs the request that client.login() does not pass.
    client.post(reverse(page), {"username": username, "password": "demo"})
    return "_auth_user_id" in client.session


def test_demo_logins_work_in_the_admin(client, loaded):
    assert _log_in(client, "cec")
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:territory_adminunit_changelist")).status_code == 200
    client.logout()
    assert _log_in(client, "tec-karaganda")
    response = client.get(reverse("admin:territory_adminunit_changelist"), {"q": "11"})
    assert response.status_code == 200 and response.context["cl"].result_count == 0
    client.logout()
    assert _log_in(client, "clerk1", "results:login")  # not staff: the admin's login refuses them
    assert client.get(reverse("admin:index")).status_code == 302


def test_demo_password_comes_from_settings(db, settings):
    settings.DEMO_PASSWORD = "another-secret"
    demo.load(io.StringIO())
    assert get_user_model().objects.get(username="cec").check_password("another-secret")


def test_load_demo_command_runs_the_steps_present_and_prints_the_logins(db, monkeypatch):
    monkeypatch.setattr(load_demo, "STEPS", ("devtools.demo.territory", "territory.no_such_demo"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Demo logins (password: 'demo')" in text
    for username in ("cec", "tec-karaganda", "tec-district", "chair1", "clerk1", "clerk2", "auditor"):
        assert f"  {username} " in text
    call_command("load_demo", stdout=(again := io.StringIO()))  # all steps, twice: idempotent
    call_command("load_demo", stdout=(again := io.StringIO()))
    assert "territory: already loaded, nothing changed" in again.getvalue()
    assert PollingStation.objects.count() == 1847
