"""Hardening: login throttling (axes) on both login pages, login audit, idle timeout of clerks,
Content-Security-Policy without inline script, admin at ADMIN_URL, weak passwords refused."""

import datetime
import importlib
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import clear_url_caches, reverse

from core import clock
from core.audit import verify_chain
from core.models import AuditEvent

from .conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN_PAGES = ["admin:login", "results:login"]


def _post_login(client, page, username, password):
    return client.post(reverse(page), {"username": username, "password": password})


def _logged_in(client):
    return "_auth_user_id" in client.session


# --- login throttling ------------------------------------------------------------------------


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_lockout_after_the_failure_limit_even_with_the_right_password(client, world, settings, page):
    settings.AXES_FAILURE_LIMIT = 3
    username = "tec-district" if page == "admin:login" else "clerk1"
    for _ in range(2):
        response = _post_login(client, page, username, "wrong-guess")
        assert response.status_code == 200 and not _logged_in(client)
    response = _post_login(client, page, username, "wrong-guess")  # the third failure locks
    assert response.status_code == 429

    response = _post_login(client, page, username, PASSWORD)

    assert response.status_code == 429 and not _logged_in(client)
    assert "Too many failed logins" in response.content.decode() or response.context["failure_limit"] == 3
    # Failures are counted (axes), not chained: one event for the lockout, in the user's chain.
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
    (locked,) = AuditEvent.objects.filter(action="auth.locked_out")
    user = get_user_model().objects.get(username=username)
    assert locked.stream == f"auth.user:{user.pk}" and locked.data == {"failures": 3, "path": reverse(page)}
    assert AccessAttempt.objects.get(username=username).failures_since_start == 3
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_the_lockout_ends_after_the_cool_off(client, world, settings, page):
    settings.AXES_FAILURE_LIMIT = 2
    username = "tec-district" if page == "admin:login" else "clerk1"
    for _ in range(2):
        _post_login(client, page, username, "wrong-guess")
    assert _post_login(client, page, username, PASSWORD).status_code == 429

    # The attempts are older than the cool-off (axes counts on the database's clock).
    past = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    _post_login(client, page, username, PASSWORD)

    assert _logged_in(client)


def test_the_lockout_is_per_user_name_not_for_the_whole_office(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        _post_login(client, "results:login", "clerk1", "wrong-guess")
    _post_login(client, "results:login", "clerk2", PASSWORD)
    assert _logged_in(client)


def test_behind_the_proxy_the_lockout_is_per_client_address(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(3):
        client.post(reverse("results:login"), {"username": "clerk1", "password": "wrong-guess"}, **attacker)
    assert (
        client.post(reverse("results:login"), {"username": "clerk1", "password": PASSWORD}, **attacker).status_code
        == 429
    )

    # The clerk at the polling station, behind the same nginx, still logs in.
    client.post(
        reverse("results:login"), {"username": "clerk1", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert _logged_in(client)


def test_a_forged_forwarded_address_from_an_untrusted_peer_is_ignored(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXY_IPS = ["10.9.9.9"]  # the test client's 127.0.0.1 is not a trusted proxy
    for n in range(3):  # a new forged address each time does not escape the count
        client.post(
            reverse("results:login"),
            {"username": "clerk1", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        reverse("results:login"), {"username": "clerk1", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert response.status_code == 429 and not _logged_in(client)


def test_only_the_address_nginx_appended_counts(rf, settings):
    from core.security import client_ip

    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "203.0.113.9"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="192.0.2.50")
    assert client_ip(request) == "192.0.2.50"


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "counted"),
    [
        # Sent straight to the server: the header is the client's word, the peer's address counts.
        (["127.0.0.1"], "198.51.100.20", "203.0.113.1", "198.51.100.20"),
        (["127.0.0.1"], "198.51.100.20", "127.0.0.1", "198.51.100.20"),
        # "*" would let every peer choose its address: not honoured for throttling.
        (["*"], "198.51.100.20", "203.0.113.1", "198.51.100.20"),
        # One hop only: a chain of addresses counts by its last entry, the one our proxy appended.
        (["10.0.0.0/8"], "10.1.2.3", "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        # Not an address: the proxy's own address counts, not the text.
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4, not-an-address", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_spoofed_forwarded_addresses_do_not_change_the_counted_one(rf, settings, trusted, remote, forwarded, counted):
    from core.security import client_ip

    settings.TRUSTED_PROXY_IPS = trusted
    request = rf.post("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == counted


def test_xff_sent_directly_to_the_server_is_counted_under_the_senders_address(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_USERNAME_FAILURE_LIMIT = 100
    settings.TRUSTED_PROXY_IPS = ["10.9.9.9"]
    for n in range(2):
        client.post(
            reverse("results:login"),
            {"username": "clerk1", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            REMOTE_ADDR="198.51.100.20",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.20"}


def test_guessing_from_many_addresses_locks_the_user_name(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_USERNAME_FAILURE_LIMIT = 6
    for n in range(3):  # two guesses from each of three addresses: none of them reaches 5
        for _ in range(2):
            response = client.post(
                reverse("results:login"),
                {"username": "clerk1", "password": "wrong-guess"},
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            )
    assert response.status_code == 429
    # Locked everywhere, the right password included, from an address that never failed.
    response = client.post(
        reverse("results:login"), {"username": "clerk1", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429 and not _logged_in(client)
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1
    # Another user name is not touched.
    client.post(
        reverse("results:login"), {"username": "clerk2", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.0"
    )
    assert _logged_in(client)


def test_one_guess_short_of_the_user_name_limit_does_not_lock(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_USERNAME_FAILURE_LIMIT = 6
    for n in range(5):
        client.post(
            reverse("results:login"),
            {"username": "clerk1", "password": "wrong-guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    client.post(
        reverse("results:login"), {"username": "clerk1", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert _logged_in(client)


def test_the_user_name_lock_ends_after_the_cool_off_and_failures_during_it_do_not_stretch_it(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_USERNAME_FAILURE_LIMIT = 3

    def guess(n, password="wrong-guess"):
        return client.post(
            reverse("results:login"),
            {"username": "clerk1", "password": password},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    for n in range(3):
        guess(n)
    locked_at = dict(AccessAttempt.objects.values_list("ip_address", "attempt_time"))
    for n in range(3, 8):  # more guesses while locked: refused, not counted, the lock not renewed
        assert guess(n).status_code == 429
    assert dict(AccessAttempt.objects.values_list("ip_address", "attempt_time")) == locked_at
    past = datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    guess(9, PASSWORD)
    assert _logged_in(client)


# --- login audit -----------------------------------------------------------------------------


def test_logins_are_audited_with_the_user_name_and_never_the_password(client, world):
    secret = "Wrong-Pa55-guess"
    before = AuditEvent.objects.count()
    _post_login(client, "admin:login", "tec-district", secret)
    _post_login(client, "admin:login", "tec-district", PASSWORD)

    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in events] == ["auth.login"]  # the failure is counted by axes, not chained
    (ok,) = events
    assert ok.actor == world.tec and ok.data["staff"] is True and ok.object_id == str(world.tec.pk)
    for event in events:
        text = repr(event.__dict__)
        assert secret not in text and PASSWORD not in text.replace("prev_hash", "")
    assert verify_chain()[1] is None


def test_a_session_made_in_code_is_not_a_login_to_audit(client, world):
    client.force_login(world.tec)
    assert not AuditEvent.objects.filter(action__startswith="auth.").exists()


def test_failed_logins_under_new_user_names_are_counted_not_chained(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    before = AuditEvent.objects.count()
    for n in range(40):
        for _ in range(3):  # each made-up name even reaches the lockout
            _post_login(client, "results:login", f"nobody-{n}", "x")
    assert AuditEvent.objects.count() == before
    assert AccessAttempt.objects.filter(username__startswith="nobody-").count() == 40
    assert AccessAttempt.objects.get(username="nobody-7").failures_since_start == 2  # refused ones do not count


def test_a_lockout_is_recorded_once_however_many_attempts_follow(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(6):
        _post_login(client, "results:login", "clerk1", "wrong-guess")
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1


# --- idle timeout of clerks ------------------------------------------------------------------


def test_a_clerk_idle_longer_than_the_limit_is_logged_out(client, world, settings, counting_night):
    settings.CLERK_SESSION_IDLE_MINUTES = 30
    client.force_login(world.clerk1)
    assert client.get(reverse("results:my_stations")).status_code == 200
    with clock.frozen(counting_night + datetime.timedelta(minutes=29)):
        assert client.get(reverse("results:my_stations")).status_code == 200  # activity moves the clock on
    with clock.frozen(counting_night + datetime.timedelta(minutes=29 + 31)):
        response = client.get(reverse("results:my_stations"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("results:login"))
    assert not _logged_in(client)
    page = client.get(response["Location"])
    assert [m.message for m in page.context["messages"]]  # says why the clerk must log in again


def test_staff_are_not_subject_to_the_clerks_idle_limit(client, world, counting_night):
    client.force_login(world.tec)
    with clock.frozen(counting_night + datetime.timedelta(hours=2)):
        assert client.get(reverse("results:progress")).status_code == 200
    assert _logged_in(client)


def test_the_session_lifetime_comes_from_the_environment(settings):
    assert settings.SESSION_COOKIE_AGE > 0
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


# --- Content-Security-Policy -----------------------------------------------------------------


class InlineFinder(HTMLParser):
    """Collects what a strict CSP refuses: inline scripts, event-handler attributes, style attributes and blocks."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
        if any(str(v).strip().lower().startswith("javascript:") for v in attrs.values() if v):
            self.problems.append(f"<{tag} javascript: URL>")
        if tag == "script" and not attrs.get("src"):
            self._in = "script"
        if tag == "style":
            self._in = "style"

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in and data.strip():
            self.problems.append(f"inline <{self._in}>: {data.strip()[:60]}")


def inline_problems(html):
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict(response, *, allow_inline_style=False):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    if not allow_inline_style:
        assert "'unsafe-inline'" not in policy["style-src"]
    problems = inline_problems(response.content.decode())
    assert not problems, problems


def _pages(w):
    return {
        "entry login": (None, reverse("results:login")),
        "admin login": (None, reverse("admin:login")),
        "my stations": (w.clerk1, reverse("results:my_stations")),
        "entry form": (w.clerk1, reverse("results:entry", args=[w.protocol.pk])),
        "progress": (w.tec, reverse("results:progress")),
        "tec protocols": (w.tec, reverse("results:tec_protocols")),
        "discrepancies": (w.chair, reverse("results:discrepancies")),
        "admin index": (w.cec, reverse("admin:index")),
        "protocol changelist": (w.cec, reverse("admin:results_protocol_changelist")),
        "protocol change": (w.cec, reverse("admin:results_protocol_change", args=[w.protocol.pk])),
        "person add": (w.cec, reverse("admin:registry_person_add")),
        "dashboard": (w.cec, reverse("results_reports:election", args=[w.election.pk])),
        "superuser user add": (w.superuser, reverse("admin:auth_user_add")),
    }


@pytest.mark.parametrize(
    "page",
    [
        "entry login",
        "admin login",
        "my stations",
        "entry form",
        "progress",
        "tec protocols",
        "discrepancies",
        "admin index",
        "protocol changelist",
        "protocol change",
        "person add",
        "dashboard",
        "superuser user add",
    ],
)
def test_pages_carry_a_strict_csp_and_have_no_inline_script_or_style(client, world, page):
    user, url = _pages(world)[page]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert_strict(response)


def test_the_swagger_page_loads_its_init_script_from_a_url(client, world):
    client.force_login(world.cec)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert_strict(response)
    assert directives(response)["img-src"] == ["'self'", "data:"]
    html = response.content.decode()
    assert "fonts.googleapis" not in html and "?script" in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_the_redoc_page_has_no_inline_script_and_no_outside_fonts(client, world):
    client.force_login(world.cec)
    response = client.get(reverse("api-redoc"))
    assert response.status_code == 200
    # Redoc injects its own <style> elements at run time: only this page allows inline styles.
    assert_strict(response, allow_inline_style=True)
    assert "fonts.googleapis" not in response.content.decode()
    assert directives(response)["worker-src"] == ["'self'", "blob:"]


def test_the_inline_finder_finds_what_the_csp_refuses():
    html = '<script>alert(1)</script><a onclick="x()" style="color:red" href="javascript:void(0)">a</a>'
    html += '<script src="/static/a.js"></script><style>b{}</style>'
    assert len(inline_problems(html)) == 5


# --- admin at ADMIN_URL ----------------------------------------------------------------------


@pytest.fixture
def admin_elsewhere(settings):
    import electadmin.urls

    settings.ADMIN_URL = "office-7f3k/"
    importlib.reload(electadmin.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = "admin/"
    importlib.reload(electadmin.urls)
    clear_url_caches()


def test_the_admin_lives_at_admin_url(client, world, admin_elsewhere):
    assert reverse("admin:index") == "/office-7f3k/"
    assert reverse("results_reports:index") == "/office-7f3k/results/dashboard/"
    client.force_login(world.cec)
    assert client.get("/office-7f3k/").status_code == 200
    assert client.get("/office-7f3k/results/dashboard/").status_code == 200
    assert client.get("/admin/").status_code == 404
    # Pages outside the admin link to it through reverse(), never a fixed path.
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302


def test_an_admin_url_of_the_wrong_shape_is_refused_at_start():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", ADMIN_URL="/admin", DJANGO_SETTINGS_MODULE="electadmin.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "ADMIN_URL must look like" in result.stderr


# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weak", "weak_for_clerk"),
    [("12345678", "12345678"), ("password", "password"), ("short", "short"), ("auditor-35x", "clerk1-1")],
)
def test_a_weak_password_is_refused_in_the_admin(client, world, weak, weak_for_clerk):
    client.force_login(world.superuser)
    users_before = get_user_model().objects.count()
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "auditor-35x", "password1": weak, "password2": weak, "usable_password": "true"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert get_user_model().objects.count() == users_before

    old_hash = world.clerk1.password
    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.clerk1.pk]),
        {"password1": weak_for_clerk, "password2": weak_for_clerk},
    )
    assert response.status_code == 200 and response.context["form"].errors
    world.clerk1.refresh_from_db()
    assert world.clerk1.password == old_hash


def test_a_strong_password_is_accepted_in_the_admin(client, world):
    client.force_login(world.superuser)
    strong = "Stepnogorsk-2021-ballot"
    response = client.post(
        reverse("admin:auth_user_add"),
        {"username": "new-clerk", "password1": strong, "password2": strong, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="new-clerk").check_password(strong)
