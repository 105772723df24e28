"""CSV output, throttling per token, the OpenAPI schema and docs, and how tokens are issued."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command

from api import tokens
from api.models import ApiToken

from . import factories as f

pytestmark = pytest.mark.django_db


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_csv_list_is_streamed_unpaginated_with_flat_columns(api, world):
    response = api.get("/api/v1/contests/?format=csv")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="contests-all-elections.csv"'
    rows = _csv(response)
    assert {row["unit.kato"] for row in rows} == {"352030000", "112030000"}
    assert set(rows[0]) >= {"id", "election", "unit.id", "unit.name", "registered_candidates"}


def test_csv_respects_filters_and_scope(api, regional_api, world):
    assert [row["kato"] for row in _csv(api.get("/api/v1/units/?format=csv&kind=village"))] == [
        "112030100",
        "352030100",
    ]
    assert {row["kato"][:2] for row in _csv(regional_api.get("/api/v1/units/?format=csv"))} == {"35"}


def test_csv_of_nested_lists_and_detail(api, world):
    rows = _csv(api.get("/api/v1/results/?format=csv"))
    # One line per candidate (tests/api/test_misuse.py pins the columns).
    assert len(rows) == 2 and "candidate_results.candidacy" in rows[0] and "candidate_results" not in rows[0]
    detail = _csv(api.get(f"/api/v1/candidates/{world.cand_k1.pk}/?format=csv"))
    assert detail[0]["surname"] == "Synthetic" and detail[0]["party.short_name"] == "AMANAT"


def test_throttle_per_token_with_retry_after(settings, api, client_for, world, cec_staff):
    settings.API_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert api.get("/api/v1/elections/").status_code == 200
    response = api.get("/api/v1/elections/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"
    # Another token has its own budget.
    _, raw = tokens.issue_token(f.user("second", auditor=True), cec_staff, 30)
    assert client_for(raw).get("/api/v1/elections/").status_code == 200


def test_throttle_can_be_disabled(settings, api, world):
    settings.API_THROTTLE_RATE = ""
    for _ in range(5):
        assert api.get("/api/v1/elections/").status_code == 200


def test_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--urlconf", "api.urls", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml")
    )
    text = (tmp_path / "s.yaml").read_text()
    for path in ("/api/v1/protocols/", "/api/v1/results/", "/api/v1/turnout/", "/api/v1/audit-events/"):
        assert path in text
    assert "tokenAuth" in text


def test_schema_describes_every_filter(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "query":
                assert parameter.get("description"), f"{path} ?{parameter['name']} has no description"


def test_docs_are_served_without_a_cdn(client):
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url).content.decode()
        assert "drf_spectacular_sidecar" in page
        for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
            assert cdn not in page


def test_issue_token_command_prints_a_working_token(client_for, world, capsys):
    auditor = f.user("observer", auditor=True)
    call_command("issue_token", "observer", "--days", "7", "--region", "35")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=auditor)
    assert token.scope_unit == world.karaganda[0] and raw.startswith(token.key_prefix)
    units = client_for(raw).get("/api/v1/units/").json()["results"]
    assert {u["kato"][:2] for u in units} == {"35"}


def test_issue_token_command_refusals(world):
    f.user("plain")
    with pytest.raises(CommandError, match="not_auditor"):
        call_command("issue_token", "plain")
    with pytest.raises(CommandError, match="No such user"):
        call_command("issue_token", "nobody")
    with pytest.raises(CommandError, match="No region"):
        call_command("issue_token", "plain", "--region", "99", "--add-to-auditors")
    assert not ApiToken.objects.exists()
    call_command("issue_token", "plain", "--add-to-auditors")
    assert ApiToken.objects.filter(user__username="plain").exists()


def test_admin_issues_a_token_shown_once_and_revokes(client, cec_staff, world):
    auditor = f.user("mission", auditor=True)
    client.force_login(cec_staff)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": auditor.pk, "name": "mission", "expires_in_days": 30, "scope_unit": world.akmola[0].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = ApiToken.objects.get(user=auditor)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    raw = next(word for m in shown for word in m.split() if word.startswith(tokens.TOKEN_PREFIX))
    assert tokens.find_token(raw) == token and token.created_by == cec_staff
    # Shown on the next page only, then never again.
    assert raw in client.get("/admin/api/apitoken/").content.decode()
    assert raw not in client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_admin_is_for_national_staff_only(client, world):
    from django.contrib.auth.models import Permission

    from territory.models import Commission, Membership

    token_perms = Permission.objects.filter(content_type__app_label="api", codename__endswith="apitoken")
    regional = f.user("tec-staff", staff=True)
    regional.user_permissions.add(*token_perms)
    tec = Commission.objects.create(kind="regional", name="Karaganda TEC", unit=world.karaganda[0])
    Membership.objects.create(user=regional, commission=tec, role="secretary")
    client.force_login(regional)
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    assert client.get("/admin/api/apitoken/").status_code == 403

    national = f.user("cec-staff", staff=True)
    national.user_permissions.add(*token_perms)
    cec = Commission.objects.create(kind="cec", name="CEC")
    Membership.objects.create(user=national, commission=cec, role="member")
    client.force_login(national)
    assert client.get("/admin/api/apitoken/add/").status_code == 200
