"""Issue 17, point 2: a token carries the territory it was issued with. A commission member's token
sees that commission's territory and stops (401 `token_membership_ended`) when the seat ends; only
users in the auditor role get national (or regional) tokens; `issue_token` says the scope it issued."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from api import tokens
from api.models import ApiToken
from core.models import AuditEvent
from territory.models import Commission, Membership

from . import factories as f

pytestmark = pytest.mark.django_db


def _contests(client):
    response = client.get("/api/v1/candidates/")
    assert response.status_code == 200, response.content
    return {c["contest"] for c in response.json()["results"]}


@pytest.fixture
def member(world):
    """Staff of the Karaganda regional TEC (no auditor role)."""
    user = f.user("tec-karaganda", staff=True)
    user.tec = Commission.objects.create(kind="regional", name="Karaganda TEC", unit=world.karaganda[0])
    user.seat = Membership.objects.create(user=user, commission=user.tec, role="secretary")
    return user


def test_a_members_token_carries_the_seat_and_dies_with_it(member, cec_staff, client_for, world):
    token, raw = tokens.issue_token(member, cec_staff, 30)
    assert (token.scope, token.scope_commission, token.scope_unit) == ("commission", member.tec, None)
    assert _contests(client_for(raw)) == {world.contest_k.pk}
    member.seat.active_to = datetime.date(2000, 1, 1)  # the seat ended (before today)
    member.seat.save()
    response = client_for(raw).get("/api/v1/candidates/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_membership_ended"
    assert "seat" in body["detail"]
    # every resource, not only one
    assert client_for(raw).get("/api/v1/units/").json()["code"] == "token_membership_ended"


def test_a_seat_on_another_commission_does_not_back_the_token(member, cec_staff, client_for, world):
    _, raw = tokens.issue_token(member, cec_staff, 30)
    akmola = Commission.objects.create(kind="regional", name="Akmola TEC", unit=world.akmola[0])
    Membership.objects.create(user=member, commission=akmola, role="member")
    member.seat.active_to = datetime.date(2000, 1, 1)
    member.seat.save()
    assert client_for(raw).get("/api/v1/units/").json()["code"] == "token_membership_ended"


def test_the_scope_stays_the_issued_one_when_the_member_gains_a_wider_seat(cec_staff, client_for, world):
    user = f.user("tec-district", staff=True)
    district_tec = Commission.objects.create(kind="district", name="district TEC", unit=world.karaganda[1])
    Membership.objects.create(user=user, commission=district_tec, role="chair")
    _, raw = tokens.issue_token(user, cec_staff, 30)
    assert _contests(client_for(raw)) == {world.contest_k.pk}
    cec = Commission.objects.create(kind="cec", name="CEC")
    Membership.objects.create(user=user, commission=cec, role="member")
    assert _contests(client_for(raw)) == {world.contest_k.pk}  # not national: the issued district only
    units = client_for(raw).get("/api/v1/units/").json()["results"]
    assert {u["kato"][:2] for u in units} == {"35"}


def test_a_precinct_members_token_sees_the_station(cec_staff, client_for, world):
    user = f.user("chair-k", staff=True)
    precinct = Commission.objects.create(kind="precinct", name="PEC 1", polling_station=world.station_k)
    Membership.objects.create(user=user, commission=precinct, role="chair")
    token, raw = tokens.issue_token(user, cec_staff, 30)
    assert token.scope_commission == precinct
    stations = client_for(raw).get("/api/v1/polling-stations/").json()["results"]
    assert [s["id"] for s in stations] == [world.station_k.pk]


def test_the_auditors_national_token_works_and_is_national(national_token, client_for, world):
    assert national_token.token.scope == "national"
    assert _contests(client_for(national_token.raw)) == {world.contest_k.pk, world.contest_a.pk}
    event = AuditEvent.objects.for_object(national_token.token).get(action="api_token.issue")
    assert event.data["scope"] == "national"


def test_national_and_regional_tokens_only_for_the_auditor_role(cec_staff, member, world):
    staff = f.user("staff-no-seat", staff=True)
    with pytest.raises(tokens.NationalTokenOnlyForAuditors) as error:
        tokens.issue_token(staff, cec_staff, 30)
    assert error.value.code == "national_token_not_auditor"
    with pytest.raises(tokens.NationalTokenOnlyForAuditors):
        tokens.issue_token(cec_staff, cec_staff, 30)  # a superuser is not an auditor either
    with pytest.raises(tokens.RegionTokenOnlyForAuditors) as error:
        tokens.issue_token(member, cec_staff, 30, scope_unit=world.akmola[0])
    assert error.value.code == "region_token_not_auditor"
    assert not ApiToken.objects.exists()


def test_a_member_with_several_seats_names_the_commission(cec_staff, member, world, client_for):
    akmola = Commission.objects.create(kind="regional", name="Akmola TEC", unit=world.akmola[0])
    Membership.objects.create(user=member, commission=akmola, role="member")
    with pytest.raises(tokens.TokenSeatAmbiguous) as error:
        tokens.issue_token(member, cec_staff, 30)
    assert error.value.details == {"commissions": sorted([member.tec.pk, akmola.pk])}
    other = Commission.objects.create(kind="district", name="other TEC", unit=world.akmola[1])
    with pytest.raises(tokens.TokenSeatNotHeld):
        tokens.issue_token(member, cec_staff, 30, commission=other)
    with pytest.raises(tokens.InvalidTokenScope):
        tokens.issue_token(member, cec_staff, 30, commission=akmola, scope_unit=world.akmola[0])
    _, raw = tokens.issue_token(member, cec_staff, 30, commission=akmola)
    assert _contests(client_for(raw)) == {world.contest_a.pk}


def test_a_seat_that_has_ended_cannot_back_a_new_token(cec_staff, member):
    member.seat.active_to = datetime.date(2000, 1, 1)
    member.seat.save()
    with pytest.raises(tokens.TokenSeatNotHeld):
        tokens.issue_token(member, cec_staff, 30, commission=member.tec)
    with pytest.raises(tokens.NationalTokenOnlyForAuditors):
        tokens.issue_token(member, cec_staff, 30)


def test_a_token_without_a_known_seat_never_works(auditor, cec_staff, client_for, world):
    """Tokens whose seat the scope migration could not tell (scope `commission`, no commission)."""
    token, raw = tokens.issue_token(auditor, cec_staff, 30)
    ApiToken.objects.filter(pk=token.pk).update(scope="commission")
    assert client_for(raw).get("/api/v1/units/").json()["code"] == "token_membership_ended"


def test_issue_token_command_says_the_scope(member, world, capsys):
    call_command("issue_token", "tec-karaganda")
    captured = capsys.readouterr()
    assert f"scope: commission {member.tec.pk} (Karaganda TEC) while the seat lasts" in captured.err
    f.user("observer", auditor=True)
    call_command("issue_token", "observer")
    assert "scope: national" in capsys.readouterr().err
    call_command("issue_token", "observer", "--region", "35")
    assert "scope: region 350000000" in capsys.readouterr().err


def test_issue_token_command_refuses_a_national_token_to_a_non_auditor(world, member):
    f.user("staff-no-seat", staff=True)
    with pytest.raises(CommandError, match="national_token_not_auditor: National and regional tokens"):
        call_command("issue_token", "staff-no-seat")
    with pytest.raises(CommandError, match="region_token_not_auditor"):
        call_command("issue_token", "tec-karaganda", "--region", "11")
    with pytest.raises(CommandError, match="No commission with id 999999"):
        call_command("issue_token", "tec-karaganda", "--commission", "999999")
    assert not ApiToken.objects.exists()
