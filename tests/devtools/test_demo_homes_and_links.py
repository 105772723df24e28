"""A way in for every role: `/` sends each demo user to their home and anonymous users to the one
login page; the header names the user and their commission; and, crawling from each role's home,
no link leads to a page its viewer may not open (403) or that does not exist (404).

One module-scoped load of the whole demo (territory, registry, results), rolled back at the end.
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from devtools.demo.territory import DEMO_USERS

HOMES = {
    "cec": "admin:index",
    "tec-karaganda": "results:tec_queue",
    "tec-district": "results:tec_queue",
    "chair1": "results:my_stations",
    "clerk1": "results:my_stations",
    "clerk2": "results:my_stations",
    "auditor": "api-docs",
}
MAX_PAGES = 80  # per role
MAX_PER_SHAPE = 2  # pages per path shape (digits folded): two change pages of a model, not all of them
SKIP = ("/logout/", "/i18n/", "/static/")


@pytest.fixture
def _fast_passwords():
    """The demo users' passwords are hashed with the default hasher: keep it (tests/devtools/conftest.py)."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def as_user(demo, db, client):
    def login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return login


def test_every_demo_user_has_a_home():
    assert sorted(HOMES) == sorted(username for username, *_rest in DEMO_USERS)


@pytest.mark.parametrize("username", sorted(HOMES))
def test_root_sends_each_demo_user_home(as_user, username):
    response = as_user(username).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(HOMES[username])
    assert as_user(username).get(response["Location"]).status_code == 200


def test_anonymous_users_get_the_one_login_page(client, demo, db):
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, reverse("results:login"))
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'name="username"' in page.content


@pytest.mark.parametrize(
    ("username", "home"), [("cec", "/admin/"), ("tec-district", "/tec/queue/"), ("clerk1", "/entry/")]
)
def test_logging_in_on_the_one_page_leads_home_by_role(client, demo, db, settings, username, home):
    response = client.post(
        reverse("results:login"), {"username": username, "password": settings.DEMO_PASSWORD}, follow=True
    )
    assert [url for url, _status in response.redirect_chain] == ["/", home]
    assert response.status_code == 200


def test_a_signed_in_user_on_the_login_page_goes_home(as_user):
    response = as_user("clerk2").get(reverse("results:login"))
    assert response.status_code == 302
    assert as_user("clerk2").get(response["Location"])["Location"] == reverse("results:my_stations")


def test_the_admins_view_site_link_leads_to_root(as_user):
    html = as_user("cec").get(reverse("admin:index")).content.decode()
    assert '<a href="/">' in html


@pytest.mark.parametrize(
    ("username", "page", "expected"),
    [
        ("clerk1", "results:my_stations", "clerk1 — clerk, Участковая избирательная комиссия № 1"),
        ("chair1", "results:my_stations", "chair1 — chair, Участковая избирательная комиссия № 1"),
        ("tec-district", "results:tec_queue", "tec-district — chair, "),
        ("tec-district", "admin:index", "tec-district — chair, "),
        ("cec", "admin:index", "cec — member, Центральная избирательная комиссия Республики Казахстан"),
    ],
)
def test_the_header_names_the_user_and_their_commission(as_user, username, page, expected):
    html = as_user(username).get(reverse(page)).content.decode()
    assert expected in html
    assert "Welcome," not in html and "<strong>Demo</strong>" not in html


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("clerk1", ["results:my_stations"], ["results:progress", "results:tec_queue", "results:discrepancies"]),
        ("chair1", ["results:my_stations", "results:discrepancies"], ["results:progress", "results:tec_queue"]),
        (
            "tec-district",
            ["results:tec_queue", "results:progress", "results:discrepancies", "admin:index"],
            ["results:my_stations"],
        ),
    ],
)
def test_header_links_follow_the_views_permissions(as_user, username, shown, hidden):
    client = as_user(username)
    html = client.get(reverse("results:my_stations" if username != "tec-district" else "results:tec_queue"))
    html = html.content.decode()
    nav = html[html.index('<nav aria-label="Sections">') : html.index("</nav>")]
    for name in shown:
        assert f'href="{reverse(name)}"' in nav, name
        assert client.get(reverse(name)).status_code == 200
    for name in hidden:
        assert f'href="{reverse(name)}"' not in nav, name


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _same_site_links(base, html):
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if any(s in parts.path for s in SKIP):
            continue
        out.append(path)
    return out


def _crawl(client, start):
    """{url: status} of the pages reached from `start`, following same-site links, GET only."""
    seen, shapes, failures, visited = {start}, {}, [], 0
    queue = deque([(start, None)])
    while queue and visited < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url, follow=True)
        visited += 1
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if response.status_code in (403, 404) or "/login/" in final and "/login/" not in url:
            failures.append((url, response.status_code, final, referrer))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _same_site_links(final, response.content.decode()):
            shape = re.sub(r"\d+", "N", urlsplit(link).path)
            if link in seen or shapes.get(shape, 0) >= MAX_PER_SHAPE:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append((link, url))
    return visited, failures


@pytest.mark.parametrize("username", sorted(HOMES))
def test_no_link_from_a_roles_home_answers_403_or_404(as_user, username):
    client = as_user(username)
    visited, failures = _crawl(client, "/")
    assert visited >= (1 if username == "auditor" else 3)  # the auditor's home, the API docs, has no links
    assert failures == [], f"{username}: links to pages refused or missing (url, status, landed on, linked from)"


@pytest.mark.parametrize("username", ["tec-district", "cec"])
def test_the_membership_form_offers_no_link_to_the_users_they_may_not_open(as_user, username):
    client = as_user(username)
    html = client.get(reverse("admin:territory_membership_add")).content.decode()
    assert 'name="user"' in html
    assert reverse("admin:auth_user_changelist") not in html
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_superuser_keeps_the_user_lookup(client, demo, db):
    admin = get_user_model().objects.create_superuser("root-for-lookup", password="x")
    client.force_login(admin)
    html = client.get(reverse("admin:territory_membership_add")).content.decode()
    assert f'href="{reverse("admin:auth_user_changelist")}?_to_field=id"' in html
