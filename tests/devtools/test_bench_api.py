"""The bench's API figure: the hand-written baseline (devtools.bench.api_baseline) answers the three
measured pages with the project's bytes and refuses the tokens the project refuses; the targets of
issue 21 on both sides of each boundary; the report's rows with the baseline and the ratios."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from api import tokens
from api.models import ApiToken
from devtools.bench import api as bench_api
from devtools.bench import api_baseline, builder, report
from devtools.bench.presets import PRESETS
from devtools.management.commands.bench import Command, api_target_met
from results.aggregation import recompute
from territory.models import AdminUnitVersion

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the baseline is written for PostgreSQL, as the bench's figure"
)


def _config(language, page_size):
    return api_baseline.Config(
        {
            "DATABASE_URL": "unused",
            "BENCH_BASELINE_LANGUAGE": language,
            "BENCH_BASELINE_TIME_ZONE": "Asia/Almaty",
            "BENCH_BASELINE_PAGE_SIZE": str(page_size),
        }
    )


def _baseline(path, raw, cfg, authorization=None):
    connection.ensure_connection()
    page, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": page,
        "QUERY_STRING": query,
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "HTTP_AUTHORIZATION": authorization if authorization is not None else f"Token {raw}",
    }
    return api_baseline.answer(connection.connection, environ, cfg)


@pytest.fixture
def election(settings):
    settings.TIME_ZONE = "Asia/Almaty"
    election = builder.build(PRESETS["tiny"], seed=11, say=lambda m: None)
    recompute(election)
    # A unit renamed after the election: both read the name it had on election day.
    unit = election.contests.order_by("pk").first().unit
    AdminUnitVersion.objects.create(
        unit=unit,
        valid_to=election.election_day + datetime.timedelta(days=30),
        kind=unit.kind,
        parent=unit.parent,
        name_kk="Ескі атауы",
        name_ru="Старое название",
        name_en="Old name",
    )
    return election


@pytest.fixture
def raw_token():
    return bench_api.auditor_token(builder.bench_user())


@postgresql
@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("page_size", [100, 3])
def test_the_baseline_answers_the_projects_bytes(election, raw_token, settings, language, page_size):
    settings.API_PAGE_SIZE = page_size
    settings.API_CACHE_SECONDS = 0
    client = APIClient()
    cfg = _config(language, page_size)
    for page, path in bench_api.page_paths(election).items():
        project = client.get(path, HTTP_AUTHORIZATION=f"Token {raw_token}", HTTP_ACCEPT_LANGUAGE=language)
        status, body = _baseline(path, raw_token, cfg)
        assert (project.status_code, status) == (200, 200), page
        assert body == project.content, page
        data = project.json()
        assert data["results"], page
        # The pages hold what the equality is worth: a next link, the renamed unit.
        assert (data["next"] is not None) == (page_size == 3), page
        if page == "results":
            assert {row["unit"]["name"] for row in data["results"]} & {"Старое название", "Ескі атауы"}


@postgresql
def test_the_baseline_refuses_the_tokens_the_project_refuses(election, raw_token, cec_token_factory):
    cfg = _config("ru", 100)
    path = bench_api.page_paths(election)["candidates"]
    cases = cec_token_factory(raw_token)
    for name, authorization in cases.items():
        project = APIClient().get(path, HTTP_AUTHORIZATION=authorization)
        status, _body = _baseline(path, None, cfg, authorization=authorization)
        assert status == project.status_code, name
        assert status in (401, 403), name


@pytest.fixture
def cec_token_factory(django_user_model):
    """{case: Authorization header} of tokens the API refuses."""

    def make(good):
        issuer = builder.bench_user()
        revoked_user = django_user_model.objects.create(username="revoked-auditor")
        revoked_user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
        revoked, revoked_raw = tokens.issue_token(revoked_user, issuer, 1)
        tokens.revoke_token(revoked, issuer)
        expired_user = django_user_model.objects.create(username="expired-auditor")
        expired_user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
        expired, expired_raw = tokens.issue_token(expired_user, issuer, 1)
        ApiToken.objects.filter(pk=expired.pk).update(
            created_at=expired.created_at - datetime.timedelta(days=3),
            expires_at=expired.created_at - datetime.timedelta(days=1),
        )
        left_user = django_user_model.objects.create(username="left-auditor")
        left_user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
        _, left_raw = tokens.issue_token(left_user, issuer, 1)
        left_user.groups.clear()
        inactive_user = django_user_model.objects.create(username="inactive-auditor")
        inactive_user.groups.add(Group.objects.get_or_create(name=tokens.AUDITOR_GROUP)[0])
        _, inactive_raw = tokens.issue_token(inactive_user, issuer, 1)
        django_user_model.objects.filter(pk=inactive_user.pk).update(is_active=False)
        return {
            "unknown": f"Token {good[:-2]}xx",
            "not a token": "Token abc",
            "malformed": f"Token {good} extra",
            "revoked": f"Token {revoked_raw}",
            "expired": f"Token {expired_raw}",
            "left the auditors": f"Bearer {left_raw}",
            "inactive user": f"Token {inactive_raw}",
            "no header": "",
        }

    return make


def test_a_difference_names_the_page_and_the_byte():
    same = dict.fromkeys(bench_api.PAGES, (200, b'{"a":1}'))
    assert bench_api.first_difference(same, dict(same)) is None
    other = {**same, "protocols": (200, b'{"a":2}')}
    difference = bench_api.first_difference(same, other)
    assert difference.startswith("protocols: byte 5 of 7 / 7")
    assert bench_api.first_difference(same, {**same, "candidates": (501, b"")}).startswith("candidates: status 200")


def test_the_render_escapes_as_drf_does():
    from rest_framework.renderers import JSONRenderer

    data = {"name": "Ақмола\u2028line\u2029", "n": [1, 2.5, None, True], "q": 'a"b\\'}
    assert api_baseline.render(data) == JSONRenderer().render(data)


def test_both_servers_run_with_the_projects_gunicorn_configuration(monkeypatch):
    """The bench passes no worker class or count of its own: deploy/gunicorn.conf.py decides."""
    started = []

    class Process:
        pid = 0

        def poll(self):
            return None

    monkeypatch.setattr(bench_api.subprocess, "Popen", lambda command, **kw: started.append((command, kw)) or Process())
    monkeypatch.setattr(bench_api.http.client.HTTPConnection, "request", lambda *a, **k: None)
    monkeypatch.setattr(
        bench_api.http.client.HTTPConnection, "getresponse", lambda *a: type("R", (), {"read": bytes})()
    )
    for app in (bench_api.PROJECT, bench_api.BASELINE):
        bench_api.start_gunicorn(app, None)
    for (command, kw), app in zip(started, (bench_api.PROJECT, bench_api.BASELINE), strict=True):
        assert command[1:] == ["--config", str(Path("deploy") / "gunicorn.conf.py"), app]
        assert kw["env"]["GUNICORN_BIND"].startswith("127.0.0.1:")
    workers, worker_class, _threads = bench_api.gunicorn_settings(bench_api.server_environment(8000))
    assert workers >= 1 and worker_class


# The targets (bench.py `_targets`).


def _api_figures(project_rps=50.0, project_p95=100.0, baseline_rps=100.0, baseline_p95=50.0, errors=(0, 0)):
    def side(rps, p95, error):
        page = {"n": 100, "rps": rps, "p50": p95 / 2, "p95": p95, "errors": error}
        return {p: dict(page) for p in bench_api.PAGES} | {"all": {**page, "first_error": None}}

    return {
        "project": side(project_rps, project_p95, errors[0]),
        "baseline": side(baseline_rps, baseline_p95, errors[1]),
        "difference": None,
        "server": (5, "sync", 1),
        "clients": 20,
    }


def _targets(key, **figures):
    return Command()._targets(key, figures, Path("/nonexistent/PERFORMANCE.md"))


@pytest.mark.parametrize("key", ["kz", "national"])
@pytest.mark.parametrize(
    ("kwargs", "met"),
    [
        ({}, True),  # exactly 0.5x the throughput and 2x the p95
        ({"project_rps": 49.9}, False),
        ({"project_rps": 120.0, "project_p95": 40.0}, True),
        ({"project_p95": 100.1}, False),
        ({"errors": (1, 0)}, False),
        ({"errors": (0, 1)}, False),
    ],
)
def test_the_api_target_is_half_the_throughput_and_twice_the_p95_of_the_baseline(key, kwargs, met):
    targets = _targets(key, api=_api_figures(**kwargs))
    assert {targets[f"api_{page}"] for page in bench_api.PAGES} == {"yes" if met else "no"}


def test_the_api_target_needs_the_baselines_bytes_and_a_baseline():
    api = _api_figures() | {"difference": "results: byte 3"}
    assert _targets("kz", api=api)["api_results"] == "no"
    assert _targets("kz", api=_api_figures() | {"baseline": None})["api_results"].startswith("n/a")
    assert _targets("tiny", api=_api_figures())["api_results"] == "yes (target at kz and national)"
    assert not api_target_met({"n": 0, "rps": 0, "p95": None, "errors": 0}, {"n": 1, "rps": 1, "p95": 1, "errors": 0})


def _aggregation(full, baseline=1.0, share=0.1):
    return {"full": full, "baseline": baseline, "one": 0.01, "share": share, "share_contests": 10}


@pytest.mark.parametrize("key", ["kz", "national"])
def test_the_full_aggregation_target_holds_at_kz_and_national(key):
    assert _targets(key, aggregation=_aggregation(1.3))["full"] == "yes"
    assert _targets(key, aggregation=_aggregation(1.31))["full"] == "no"


def test_the_share_target_stays_at_national_and_other_sizes_are_marked():
    assert _targets("kz", aggregation=_aggregation(1.0, share=0.199))["share"] == "yes (target at national)"
    assert _targets("kz", aggregation=_aggregation(1.0, share=0.2))["share"] == "no (target at national)"
    assert _targets("national", aggregation=_aggregation(1.0, share=0.199))["share"] == "yes"
    assert _targets("tiny", aggregation=_aggregation(1.0))["full"] == "yes (target at kz and national)"


def test_the_report_shows_the_baseline_and_the_ratios(monkeypatch):
    monkeypatch.setattr(report, "commit", lambda: "abc")
    api = _api_figures(project_rps=60.0, project_p95=90.0)
    figures = {"votes": 1, "api": api, "aggregation": _aggregation(1.2)}
    body = report.render("kz", PRESETS["kz"], "kz", figures, _targets("kz", **figures))
    row = next(line for line in body.splitlines() if line.startswith("| API `protocols`"))
    assert "60 req/s" in row and "100 req/s" in row and "(hand-written WSGI)" in row
    assert "throughput 0.60, p95 1.80" in row and row.endswith("| yes |")
    assert "within 1.3x at kz and national | yes |" in body
    assert "5 sync workers" in body and "equal the project's byte for byte: yes" in body
    api["difference"] = "results: byte 3"
    assert "byte for byte: no (results: byte 3)" in report.render("kz", PRESETS["kz"], "kz", {"api": api}, {})


def test_the_report_names_the_anomaly_flags_share_of_the_full_run(monkeypatch):
    monkeypatch.setattr(report, "commit", lambda: "abc")
    aggregation = {**_aggregation(2.0, baseline=1.0), "flags": 0.5}
    body = report.render("kz", PRESETS["kz"], "kz", {"votes": 1, "aggregation": aggregation}, {})
    flags = next(line for line in body.splitlines() if line.startswith("| of which the anomaly flags"))
    assert "| 0.500 s |" in flags and "| 0.25 of full |" in flags
    rest = next(line for line in body.splitlines() if line.startswith("| full aggregation less the anomaly flags"))
    assert "| 1.500 s | 1.000 s | 1.50 |" in rest
    # Without the figure (an older run), neither row.
    body = report.render("kz", PRESETS["kz"], "kz", {"votes": 1, "aggregation": _aggregation(2.0)}, {})
    assert "anomaly flags" not in body


def test_the_baselines_restated_values_are_the_projects():
    """The baseline runs without Django, so it restates what it shares with the project: a change
    to any of them in the project fails here, not as a silently different limit."""
    from api.authentication import ApiTokenAuthentication
    from results.controls import FIGURE_NAMES
    from results.models import WITH_FIGURES

    assert tuple(k.lower().encode() for k in ApiTokenAuthentication.keywords) == api_baseline.TOKEN_KEYWORDS
    assert api_baseline.TOKEN_PREFIX == tokens.TOKEN_PREFIX
    assert api_baseline.PREFIX_LENGTH == tokens.PREFIX_LENGTH
    assert api_baseline.AUDITOR_GROUP == tokens.AUDITOR_GROUP
    assert tuple(WITH_FIGURES) == api_baseline.WITH_FIGURES
    assert api_baseline.FIGURES == FIGURE_NAMES
