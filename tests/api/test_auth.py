"""Authentication and permission: anonymous, expired, revoked, malformed, non-auditor, staff session."""

import datetime

import pytest
from django.contrib.auth.models import Group

from api import tokens
from api.models import ApiToken
from core import clock
from core.models import AuditEvent

from . import factories as f
from .conftest import MOMENT

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_with_challenge_and_json_body(client_for, world):
    response = client_for().get("/api/v1/units/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["code"] == "not_authenticated"


def test_api_root_needs_auth_and_lists_resources(client_for, api):
    assert client_for().get("/api/v1/").status_code == 401
    body = api.get("/api/v1/").json()
    assert {"units", "polling-stations", "elections", "contests", "candidates", "audit-events"} <= set(body)


def test_unknown_token_is_401(client_for, world):
    response = client_for("ea_" + "x" * 43).get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token \u00e9\u00e9"])
def test_malformed_header_is_401(client_for, world, header):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] in {"token_malformed", "token_invalid"}


def test_expired_token_is_401_saying_expired(client_for, national_token):
    with clock.frozen(national_token.token.expires_at + datetime.timedelta(seconds=1)):
        response = client_for(national_token.raw).get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_revoked_token_is_401_saying_revoked(client_for, national_token, cec_staff):
    tokens.revoke_token(national_token.token, cec_staff, reason="left the mission")
    response = client_for(national_token.raw).get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    event = AuditEvent.objects.for_object(national_token.token).get(action="api_token.revoke")
    assert event.reason == "left the mission"


def test_revoking_twice_is_refused(national_token, cec_staff):
    tokens.revoke_token(national_token.token, cec_staff)
    with pytest.raises(tokens.TokenAlreadyRevoked) as error:
        tokens.revoke_token(national_token.token, cec_staff)
    assert error.value.code == "token_already_revoked"


def test_token_of_user_no_longer_auditor_is_403(client_for, national_token, auditor):
    auditor.groups.remove(Group.objects.get(name=tokens.AUDITOR_GROUP))
    response = client_for(national_token.raw).get("/api/v1/units/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_auditor"


def test_token_of_inactive_user_is_401(client_for, national_token, auditor):
    auditor.is_active = False
    auditor.save()
    response = client_for(national_token.raw).get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_issue_refuses_non_auditor_and_bad_expiry_and_non_region(world, cec_staff, auditor):
    clerk = f.user("clerk")
    with pytest.raises(tokens.NotAnAuditor) as error:
        tokens.issue_token(clerk, cec_staff, 30)
    assert error.value.code == "not_auditor"
    for days in (0, -1, tokens.MAX_DAYS + 1):
        with pytest.raises(tokens.InvalidTokenExpiry):
            tokens.issue_token(auditor, cec_staff, days)
    with pytest.raises(tokens.InvalidTokenScope):
        tokens.issue_token(auditor, cec_staff, 30, scope_unit=world.karaganda[1])
    assert not ApiToken.objects.exists()


def test_issue_stores_only_the_hash_and_audits(auditor, cec_staff):
    with clock.frozen(MOMENT):
        token, raw = tokens.issue_token(auditor, cec_staff, 10, name="OSCE mission")
    assert raw not in {token.key_hash, token.key_prefix}
    assert token.key_hash == tokens.hash_token(raw)
    assert token.expires_at == MOMENT + datetime.timedelta(days=10)
    event = AuditEvent.objects.for_object(token).get()
    assert event.action == "api_token.issue" and event.actor == cec_staff
    assert raw not in str(event.data)


def test_last_used_is_recorded(api, national_token):
    assert api.get("/api/v1/units/").status_code == 200
    national_token.token.refresh_from_db()
    assert national_token.token.last_used_at is not None


def test_staff_session_may_browse(client, cec_staff, world):
    client.force_login(cec_staff)
    response = client.get("/api/v1/units/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_non_staff_session_is_403(client, world):
    client.force_login(f.user("someone", auditor=True))
    assert client.get("/api/v1/units/").status_code == 403
