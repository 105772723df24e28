"""manage.py load_demo: load the 2021 demo election (territory, then registry and results when present)."""

import importlib
import importlib.util

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

# Each step's module has `load(stdout)`; a step whose module does not exist yet is skipped.
# Then the demo election is aggregated (results tables, dashboard figures), and its winners are
# registered as akims with some accountability records (the office register). Last, a second
# election (district akims, synthetic figures) runs through the whole cycle, runoffs included.
STEPS = (
    "devtools.demo.territory",
    "devtools.demo.registry",
    "devtools.demo.results",
    "devtools.demo.aggregation",
    "devtools.demo.offices",
    "devtools.demo.district_election",
    "devtools.demo.nominations",
)
# Where each part lives (paths after the server's address) and who starts there.
ADDRESSES = (
    ("results:login", "log in (every role); / then leads each user to their home"),
    ("admin:index", "admin (cec, tec-karaganda, tec-district)"),
    ("results:my_stations", "entry pages (clerk1, clerk2; chair1 also resolves discrepancies)"),
    ("results:tec_queue", "certification queue (tec-district, tec-karaganda)"),
    ("api-docs", "API docs (auditor: an API token, `manage.py issue_token`)"),
)


class Command(BaseCommand):
    help = "Load the demo election of 25 July 2021 (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="the server's address, printed before each path"
        )

    def handle(self, *args, **options):
        self.base_url = options["base_url"].rstrip("/")
        logins = []
        for name in STEPS:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            with transaction.atomic():
                module.load(self.stdout)
            logins.extend(getattr(module, "DEMO_LOGINS", []))
        self.print_logins(logins)

    def print_logins(self, logins):
        if not logins:
            return
        width = max(len(username) for username, _ in logins)
        self.stdout.write("")
        self.stdout.write(
            gettext("Demo logins (password: %(password)s), admin at %(admin)s:")
            % {"password": repr(settings.DEMO_PASSWORD), "admin": reverse("admin:index")}
        )
        self.stdout.write(f"  {gettext('user name').ljust(width)}  {gettext('role')}")
        for username, description in logins:
            self.stdout.write(f"  {username.ljust(width)}  {description}")
        self.stdout.write("")
        self.stdout.write(gettext("Addresses:"))
        base_url = getattr(self, "base_url", "http://127.0.0.1:8000")  # print_logins may be called alone
        urls = [(f"{base_url}{reverse(name)}", what) for name, what in ADDRESSES]
        url_width = max(len(url) for url, _what in urls)
        for url, what in urls:
            self.stdout.write(f"  {url.ljust(url_width)}  {what}")
