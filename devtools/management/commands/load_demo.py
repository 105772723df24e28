"""manage.py load_demo: load the 2021 demo election (territory, then registry and results when present)."""

import importlib
import importlib.util
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from core.commands import LocalizedCommand, table

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
    ("results:login", gettext_lazy("log in (every role); / then leads each user to their home")),
    ("admin:index", gettext_lazy("admin (cec, tec-karaganda, tec-district)")),
    ("results:my_stations", gettext_lazy("entry pages (clerk1, clerk2; chair1 also resolves discrepancies)")),
    ("results:tec_queue", gettext_lazy("certification queue (tec-district, tec-karaganda)")),
    ("api-docs", gettext_lazy("API docs (auditor: an API token, `manage.py issue_token`)")),
)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def login_lines(logins, base_url=DEFAULT_BASE_URL):
    """The closing text of load_demo: who can log in and where, in the active language. Both tables'
    columns are as wide as their widest rendered cell, so they line up in every language."""
    lines = [
        "",
        gettext("Demo logins (password: %(password)s), admin at %(admin)s:")
        % {"password": repr(settings.DEMO_PASSWORD), "admin": reverse("admin:index")},
        *table((gettext("user name"), gettext("role")), logins),
        "",
        gettext("Addresses:"),
        *table(
            (gettext("address"), gettext("what is there")),
            [(f"{base_url}{reverse(name)}", what) for name, what in ADDRESSES],
        ),
    ]
    return lines


@contextmanager
def statements_unlogged():
    """Do not keep the load's statements in `connection.queries`, as DEBUG (which `make run` sets)
    otherwise does: the demo runs some 60,000 statements, and on SQLite logging one with its
    parameters costs one more query (to quote them). Nothing else changes: the same cursor runs
    the same statements. A caller capturing the statements (a test's CaptureQueriesContext) still
    gets them."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.force_debug_cursor:
        yield
        return
    db.make_debug_cursor = db.make_cursor  # on this connection object only, until the load ends
    try:
        yield
    finally:
        del db.make_debug_cursor


class Command(LocalizedCommand):
    help = gettext_lazy("Load the demo election of 25 July 2021 (idempotent: a second run changes nothing).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            metavar="URL",
            help=gettext_lazy("the server's address, printed before each path"),
        )

    def handle(self, *args, **options):
        self.base_url = options["base_url"].rstrip("/")
        logins = []
        with statements_unlogged():
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
        for line in login_lines(logins, getattr(self, "base_url", DEFAULT_BASE_URL)):  # may be called alone
            self.stdout.write(line)
