"""Scoping through HTTP: who gets into the admin, what they list, open and change."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from territory.models import AdminUnit, Membership, PollingStation

from .factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _unit_changelist():
    return reverse("admin:territory_adminunit_changelist")


def _change(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_clerks_get_no_admin_at_all(client, world):
    client.force_login(world.clerk)
    for url in (reverse("admin:index"), _unit_changelist(), _change(world.kar_village)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_a_seat_get_no_admin(client, world):
    client.force_login(UserFactory(username="drifter", is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(_unit_changelist())
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_tec_karaganda_lists_karaganda_units_and_no_akmola_unit(client, world):
    client.force_login(world.tec_user)
    response = client.get(_unit_changelist(), {"all": ""}, **EN)
    assert response.status_code == 200
    listed = {unit.kato for unit in response.context["cl"].result_list}
    assert listed == {"350000000", "352000000", "352200000", "352031000", "352031101"}
    assert "112031101" not in response.content.decode()


def test_tec_karaganda_cannot_open_or_change_an_akmola_unit(client, world):
    client.force_login(world.tec_user)
    url = _change(world.akmola_village)
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(url, {"kato": "112031101", "kind": "village", "name_kk": "x", "name_ru": "hacked"})
    assert response.status_code in (302, 403, 404)
    assert AdminUnit.objects.get(pk=world.akmola_village.pk).name_ru == "Akmola village ru"


def test_tec_karaganda_cannot_search_its_way_out(client, world):
    client.force_login(world.tec_user)
    response = client.get(_unit_changelist(), {"q": "11"}, **EN)
    assert list(response.context["cl"].result_list) == []


def test_region_filter_lists_only_the_users_regions(client, world):
    client.force_login(world.tec_user)
    response = client.get(_unit_changelist(), **EN)
    region_filter = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "region")
    assert [value for value, _label in region_filter.lookup_choices] == [str(world.karaganda.pk)]
    client.force_login(world.cec_user)
    response = client.get(_unit_changelist(), {"region": str(world.akmola.pk)}, **EN)
    assert {u.kato for u in response.context["cl"].result_list} == {"110000000", "112000000", "112031000", "112031101"}


def test_district_tec_sees_its_district_only(client, world):
    client.force_login(world.district_user)
    response = client.get(_unit_changelist(), **EN)
    assert {u.kato for u in response.context["cl"].result_list} == {"352000000", "352031000", "352031101"}
    # Its own district is shown, not changed.
    response = client.get(_change(world.abai), **EN)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_cec_sees_everything_and_the_tree_path(client, world):
    client.force_login(world.cec_user)
    response = client.get(_unit_changelist(), **EN)
    assert len(response.context["cl"].result_list) == AdminUnit.objects.count()
    body = response.content.decode()
    assert "Karaganda / Abai / Karaganda rural / Karaganda village (352031101)" in body


def test_changelists_of_stations_commissions_memberships_are_scoped(client, world):
    client.force_login(world.tec_user)
    stations = client.get(reverse("admin:territory_pollingstation_changelist"), **EN).context["cl"].result_list
    assert list(stations) == [world.kar_station]
    commissions = client.get(reverse("admin:territory_commission_changelist"), **EN).context["cl"].result_list
    assert set(commissions) == {world.tec_karaganda, world.tec_abai, world.pec_karaganda}
    memberships = client.get(reverse("admin:territory_membership_changelist"), **EN).context["cl"].result_list
    assert {m.user.username for m in memberships} == {"tec-karaganda", "tec-abai", "clerk"}
    assert client.get(_change(world.akmola_station)).status_code in (302, 403, 404)
    assert client.get(_change(world.tec_akmola)).status_code in (302, 403, 404)


def test_autocomplete_of_parents_is_scoped(client, world):
    client.force_login(world.tec_user)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "territory", "model_name": "adminunit", "field_name": "parent", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert world.karaganda.pk in ids and world.akmola.pk not in ids


def _add_unit(client, **data):
    payload = {"kato": "", "kind": "village", "parent": "", "name_kk": "Жаңа", "name_ru": "Новое", "name_en": ""}
    payload.update(data)
    return client.post(reverse("admin:territory_adminunit_add"), payload, **EN)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kato": "35203110"}, "kato", "A KATO code has exactly 9 digits."),
        ({"kato": "35203110A"}, "kato", "A KATO code has digits only."),
        ({"kato": "362031102"}, "kato", "must start with its parent unit&#x27;s prefix 352031"),
        ({"kato": "350000102", "parent": "karaganda"}, "parent", "A village cannot sit under a region"),
    ],
)
def test_bad_units_are_refused_by_the_admin_with_a_field_error(client, world, data, field, message):
    client.force_login(world.cec_user)
    data.setdefault("parent", "kar_rural")
    data["parent"] = str(getattr(world, data["parent"]).pk)
    before = AdminUnit.objects.count()
    response = _add_unit(client, **data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert message.replace("&#x27;", "'") in " ".join(errors[field])
    assert message in response.content.decode()
    assert AdminUnit.objects.count() == before


def test_tec_cannot_add_a_unit_under_another_region_or_a_new_region(client, world):
    client.force_login(world.tec_user)
    response = _add_unit(client, kato="112031102", parent=str(world.akmola_rural.pk))
    assert "outside your territory" in " ".join(response.context["adminform"].form.errors["parent"])
    response = _add_unit(client, kato="390000000", kind="region", parent="")
    assert "outside your territory" in " ".join(response.context["adminform"].form.errors["parent"])
    assert not AdminUnit.objects.filter(kato__in=["112031102", "390000000"]).exists()


def test_tec_adds_a_village_in_its_region_with_an_audit_record(client, world):
    client.force_login(world.tec_user)
    response = _add_unit(client, kato="352031102", parent=str(world.kar_rural.pk))
    assert response.status_code == 302
    village = AdminUnit.objects.get(kato="352031102")
    assert (village.region_id, village.district_id) == (world.karaganda.pk, world.abai.pk)
    event = AuditEvent.objects.for_object(village).get()
    assert event.action == "admin.territory.adminunit.added" and event.actor == world.tec_user


def test_polling_station_with_negative_voters_is_refused_by_the_admin(client, world):
    client.force_login(world.tec_user)
    response = client.post(
        reverse("admin:territory_pollingstation_add"),
        {"number": "5", "unit": str(world.kar_village.pk), "address": "", "registered_voters": "-3"},
        **EN,
    )
    assert response.status_code == 200
    assert "Registered voters cannot be negative." in response.context["adminform"].form.errors["registered_voters"]
    assert not PollingStation.objects.filter(number=5).exists()


def test_polling_station_in_another_region_is_refused_by_the_admin(client, world):
    client.force_login(world.tec_user)
    response = client.post(
        reverse("admin:territory_pollingstation_add"),
        {"number": "5", "unit": str(world.akmola_village.pk), "address": "", "registered_voters": "10"},
        **EN,
    )
    assert "outside your territory" in " ".join(response.context["adminform"].form.errors["unit"])
    assert not PollingStation.objects.filter(number=5).exists()


def test_membership_in_a_commission_outside_the_scope_is_refused(client, world):
    client.force_login(world.tec_user)
    newcomer = UserFactory(username="newcomer")
    response = client.post(
        reverse("admin:territory_membership_add"),
        {"user": str(newcomer.pk), "commission": str(world.tec_akmola.pk), "role": "member"},
        **EN,
    )
    assert response.status_code == 200
    assert "outside your territory" in " ".join(response.context["adminform"].form.errors["commission"])
    assert not Membership.objects.filter(user=newcomer).exists()


def test_membership_in_a_commission_inside_the_scope_is_accepted(client, world):
    client.force_login(world.tec_user)
    newcomer = UserFactory(username="newcomer")
    response = client.post(
        reverse("admin:territory_membership_add"),
        {"user": str(newcomer.pk), "commission": str(world.tec_abai.pk), "role": "member"},
        **EN,
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, commission=world.tec_abai).exists()


def test_membership_form_refuses_out_of_scope_commission_even_if_choices_were_wider(rf, world):
    """The form check goes through scope.commissions_for, not only through the choices."""
    from django.contrib import admin

    model_admin = admin.site._registry[Membership]
    request = rf.get("/")
    request.user = world.tec_user

    class Form:
        cleaned_data = {"commission": world.tec_akmola}

    assert "commission" in model_admin.scope_form_errors(request, Form(), Membership())
    Form.cleaned_data = {"commission": world.tec_abai}
    assert model_admin.scope_form_errors(request, Form(), Membership()) == {}
