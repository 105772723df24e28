"""Every page each demo role reaches, in kk, ru and en, shows text of that language only.

For each demo user (the CEC member, the two TEC staff, the precinct chair and clerks, the auditor),
a superuser and an anonymous visitor, and for each language (the switcher's cookie): start from the
role's pages (home, admin index, entry, supervision, TEC pages, dashboard, printable protocol, API
docs and schema, with the demo's real ids) and follow every same-site link, one page per path
shape (digits folded: one change form per model, one entry page...), GET only. Each HTML page's
visible text, and the schema's titles and descriptions, go through tests/i18n/language_leaks.py:
no Cyrillic on English pages, no Kazakh letter on Russian ones, no Russian-only word on Kazakh ones,
names of people and places (and text typed by users) excepted: units, elections and parties by their
name in the page's language (a Russian unit name on a Kazakh page is a leak), people, commissions
(one name each, as registered) and addresses as they are.

The whole demo is loaded once for the module (about 40 s) inside a transaction rolled back at the
end: it is the one world where every role, model and page has data (offices, runoffs, by-elections,
discrepancies, protocols in every state), which a smaller world would have to rebuild.
"""

import io
import json
import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from devtools.demo.territory import DEMO_STATION_KEY, DEMO_USERS
from registry.models import Contest
from registry.models.election import ElectionKind
from results.models import Protocol, ProtocolState

from .language_leaks import leaks, leaks_in_text, names_from_database, schema_text

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru", "en")
SUPERUSER = "superuser"
ANONYMOUS = "anonymous"
ROLES = (*(username for username, *_rest in DEMO_USERS), SUPERUSER, ANONYMOUS)
MAX_PAGES = 250  # per role and language; the largest role (the superuser) reaches about 110 shapes
# Not pages: logging out, the language switcher's POST target, files, JavaScript catalogues, the
# admin's "view on site" redirects, the API's data and the exports (tested with the exports).
SKIP = re.compile(r"/logout/|^/i18n/|^/static/|/jsi18n/|^/admin/r/|^/api/v1/|\.(csv|xlsx)$|/autocomplete/")
SCHEMA = "/api/schema/?format=json"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The admin pages of one unit, election or party (change form, history, deletion) show its name in
# each language, each in its own field: there every language's names are excused.
TRILINGUAL_OBJECT_PAGE = re.compile(
    r"^/admin/(territory/adminunit|territory/adminunitversion|registry/election|registry/party)/\d+/"
)


@dataclass
class Demo:
    names: dict  # language -> language_leaks.Names
    all_names: object  # language_leaks.Names, in every language
    seeds: dict  # the paths every role starts from, by name

    def names_on(self, path, language):
        return self.all_names if TRILINGUAL_OBJECT_PAGE.match(path) else self.names[language]


def _seeds():
    """The roles' pages, with the demo's real ids: linked or not, each role tries them all."""
    untouched = Protocol.objects.get(
        polling_station__district__kato=DEMO_STATION_KEY[0], polling_station__number=DEMO_STATION_KEY[1]
    )
    team = Protocol.objects.filter(entries__clerk__username="clerk1").distinct()
    to_resolve = team.get(state=ProtocolState.IN_DISCREPANCY)
    to_certify = team.get(state=ProtocolState.VERIFIED)
    certified = Protocol.objects.filter(state=ProtocolState.CERTIFIED).order_by("pk").first()
    runoff = Contest.objects.filter(election__kind=ElectionKind.RUNOFF).order_by("pk").first()
    contest = to_certify.contest  # in the district of tec-district and the precinct team
    return {
        "home": "/",
        "login": reverse("results:login"),
        "admin": reverse("admin:index"),
        "my stations": reverse("results:my_stations"),
        "entry": reverse("results:entry", args=[untouched.pk]),
        "discrepancies": reverse("results:discrepancies"),
        "discrepancy": reverse("results:discrepancy", args=[to_resolve.pk]),
        "printable protocol": reverse("results:protocol_print", args=[to_certify.pk]),
        "printable certified protocol": reverse("results:protocol_print", args=[certified.pk]),
        "progress": reverse("results:progress"),
        "tec protocols": reverse("results:tec_protocols"),
        "tec queue": reverse("results:tec_queue"),
        "dashboard": reverse("results_reports:index"),
        "election dashboard": reverse("results_reports:election", args=[contest.election_id]),
        "contest protocol": reverse("results_reports:protocol", args=[contest.pk]),
        "contest rounds": reverse("results_reports:rounds", args=[runoff.pk]),
        "api docs": reverse("api-docs"),
        "api redoc": reverse("api-redoc"),
        "api schema": SCHEMA,
    }


# Pages each role must have read (answered 200), so that a crawl refused everywhere cannot pass.
MUST_READ = {
    "cec": ("admin", "progress", "tec queue", "dashboard", "election dashboard", "contest rounds", "api docs"),
    "tec-karaganda": ("admin", "progress", "tec protocols", "tec queue", "discrepancy", "printable protocol"),
    "tec-district": ("admin", "tec queue", "discrepancies", "discrepancy", "printable protocol", "contest protocol"),
    "chair1": ("my stations", "entry", "discrepancies", "discrepancy", "printable protocol"),
    "clerk1": ("my stations", "entry", "printable protocol"),
    "clerk2": ("my stations", "entry", "printable protocol"),
    "auditor": ("api docs", "api redoc", "api schema"),
    SUPERUSER: ("admin", "progress", "dashboard", "contest protocol", "api docs"),
    ANONYMOUS: ("login",),
}


def _catalogues_compiled():
    """Without the project's compiled catalogues every page would be English and pass: refuse that."""
    for language in ("kk", "ru"):
        with translation.override(language):
            if gettext("Election administration") == "Election administration":
                pytest.fail(f"no compiled {language} catalogue: run `make compilemessages` first", pytrace=False)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    _catalogues_compiled()
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(PASSWORD_HASHERS=MD5):
        call_command("load_demo", stdout=io.StringIO())
        get_user_model().objects.create_superuser(SUPERUSER, password="x")
        yield Demo(
            names={language: names_from_database(language) for language in LANGUAGES},
            all_names=names_from_database("ru", every_language=True),
            seeds=_seeds(),
        )
        transaction.set_rollback(True)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and not href.startswith(("mailto:", "javascript:", "tel:", "#")):
            self.hrefs.append(href)


def _links(base, html):
    """The same-site paths a page links to, without their query (filters, sorting, pages)."""
    parser = _Links()
    parser.feed(html)
    for href in parser.hrefs:
        url, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(url)
        if parts.netloc in ("", "testserver") and not SKIP.search(parts.path):
            yield parts.path


def _shape(path):
    return re.sub(r"\d+", "N", urlsplit(path).path) + ("?" if "?" in path else "")


def _page_leaks(path, response, language, names):
    kind = response.get("Content-Type", "")
    if path == SCHEMA:
        found = (leaks_in_text(text, language, names) for text in schema_text(json.loads(response.content)))
        return list(dict.fromkeys(leak for leak in found if leak is not None))
    if "text/html" not in kind:
        return []
    return leaks(response.content.decode(), language, names)


def crawl(client, demo, language):
    """({path: [leaks]}, {path: status}) of the pages reached from the seeds, one page per path shape."""
    queue, shapes, found, statuses = deque(demo.seeds.values()), set(), {}, {}
    while queue:
        path = queue.popleft()
        if _shape(path) in shapes:
            continue
        assert len(shapes) < MAX_PAGES, f"more than {MAX_PAGES} page shapes: raise MAX_PAGES"
        shapes.add(_shape(path))
        response = client.get(path)
        statuses[path] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(urljoin(path, response["Location"])).path
            if not SKIP.search(target):
                queue.append(target)
            continue
        page_leaks = _page_leaks(path, response, language, demo.names_on(path, language))
        if page_leaks:
            found[path] = page_leaks
        if "text/html" in response.get("Content-Type", ""):
            queue.extend(_links(path, response.content.decode()))
    return found, statuses


def _report(role, language, found):
    count = sum(map(len, found.values()))
    lines = [f"{count} texts not in {language!r} on {len(found)} pages of {role!r} (words: text):"]
    for path, page_leaks in found.items():
        lines.append(f"  {role} {language} {path}")
        lines.extend(f"    {leak}" for leak in page_leaks)
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_is_in_one_language(demo, client, role, language):
    if role != ANONYMOUS:
        client.force_login(get_user_model().objects.get(username=role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    found, statuses = crawl(client, demo, language)
    unread = [name for name in MUST_READ[role] if statuses.get(demo.seeds[name]) != 200]
    assert not unread, f"{role} could not read {unread}: {[statuses.get(demo.seeds[name]) for name in unread]}"
    assert not found, _report(role, language, found)
