"""The dashboard's levels on the demo (issue 23): no page longer than three screens, and a district
TEC's dashboard starts at its district with no link leading outside it.

Row budget: at 1400 x 1000 three screens are 3,000 px. A level page spends about 1,500 px on what
does not grow with the data (header, search box, summary, the two charts of one page of units at
22 px a bar, pager); an admin table row or list item takes about 25 px, which leaves room for 60.
Lists are paged by 20 (`results.level_lists.PAGE_SIZE`) so a page stays well inside the budget;
the browser test (tests/integration/test_browser_dashboard.py) measures the pixels themselves.

The demo is loaded once for the module (about 40 s) inside a transaction rolled back at the end.
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import resolve, reverse

from registry.models import Contest
from results.models import Protocol
from territory.models import AdminUnit
from territory.scope import scope_for

pytestmark = pytest.mark.django_db

ROW_BUDGET = 60
MAX_PAGES = 150  # depth first: every level is reached well before
DASHBOARD = reverse("results_reports:index")
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(PASSWORD_HASHERS=MD5):
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


class _Page(HTMLParser):
    """The links of a page and the rows (table rows and list items) of its main content."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.rows, self.depth = [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "content-main":
            self.depth = 1
        elif tag == "div" and self.depth:
            self.depth += 1
        if self.depth and tag in ("tr", "li"):
            self.rows += 1
        if self.depth and tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def crawl(client, start):
    """{path with query: (status, rows, [linked paths with their query])} of the dashboard pages
    reached from `start` by their links, depth first (the breadcrumbs and the header's links are not in the main
    content: the links the test follows are the pages' own)."""
    queue, seen, pages = deque([start]), set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop()  # depth first
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            pages[url] = (response.status_code, 0, [response["Location"]])
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        links = []
        for href in parser.hrefs:
            parts = urlsplit(urljoin(url, href))
            if parts.path.startswith(DASHBOARD) and not re.search(r"\.(csv|xlsx)$", parts.path):
                link = parts.path + (f"?{parts.query}" if parts.query else "")
                links.append(link)
                if "page=" not in parts.query and "sort=" not in parts.query and "order=" not in parts.query:
                    queue.append(link)
        pages[url] = (response.status_code, parser.rows, links)
    return pages


def test_no_dashboard_page_of_the_demo_renders_more_rows_than_three_screens_hold(demo, client):
    client.force_login(get_user_model().objects.get(username="cec"))
    pages = crawl(client, DASHBOARD)
    levels = {resolve(urlsplit(url).path).url_name for url in pages}
    assert {"index", "election", "unit", "contest", "station"} <= levels
    assert all(status in (200, 302) for status, _rows, _links in pages.values())
    too_long = {url: rows for url, (_status, rows, _links) in pages.items() if rows > ROW_BUDGET}
    assert not too_long, too_long
    # The country lists more regions than a page holds? Then its second page exists and is short too.
    election = next(url for url in pages if resolve(urlsplit(url).path).url_name == "election")
    response = client.get(election + "?sort=-turnout")
    assert response.status_code == 200


def _inside(district, match):
    kwargs = match.kwargs
    if match.url_name == "unit":
        unit = AdminUnit.objects.get(pk=kwargs["unit_id"])
        return district.pk in (unit.pk, unit.district_id)
    if match.url_name == "contest":
        return Protocol.objects.filter(contest_id=kwargs["contest_id"]).exclude(district=district).count() == 0
    if match.url_name == "station":
        return Protocol.objects.get(pk=kwargs["protocol_id"]).district_id == district.pk
    if match.url_name in ("protocol", "rounds"):
        contest = Contest.objects.get(pk=kwargs["contest_id"])
        return contest.unit_id == district.pk or contest.unit.district_id == district.pk
    return match.url_name in ("index", "search")


def test_a_district_tecs_dashboard_starts_at_its_district_and_never_links_outside_it(demo, client):
    user = get_user_model().objects.get(username="tec-district")
    client.force_login(user)
    [district_id] = scope_for(user).district_ids
    district = AdminUnit.objects.get(pk=district_id)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    start = resolve(response["Location"])
    assert (start.url_name, start.kwargs["unit_id"]) == ("unit", district.pk)
    pages = crawl(client, DASHBOARD)
    assert len(pages) > 5
    outside = []
    for url, (status, _rows, links) in pages.items():
        assert status in (200, 302), (url, status)
        for link in links:
            match = resolve(urlsplit(link).path)
            if match.url_name == "election":  # e.g. the rounds page's elections: they lead to the district
                response = client.get(link)
                target = resolve(urlsplit(response["Location"]).path) if response.status_code == 302 else None
                if target is None or not _inside(district, target):
                    outside.append((url, link))
            elif not _inside(district, match):
                outside.append((url, link))
    assert not outside, outside
    # Every page reached answers; the pages above and beside the district do not.
    assert (
        client.get(reverse("results_reports:unit", args=[start.kwargs["election_id"], district.region_id])).status_code
        == 404
    )
