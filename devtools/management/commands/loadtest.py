"""manage.py loadtest: a bounded load test of the entry pages and the API against gunicorn.

Run it on a scratch PostgreSQL database (it builds a synthetic election there and refuses a
database that already has elections):

    createdb -h 127.0.0.1 -U postgres electadmin_load
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/electadmin_load
    DEBUG=1 .venv/bin/python manage.py migrate
    DEBUG=1 .venv/bin/python manage.py loadtest --clerks 50 --protocols-per-clerk 4 --auditors 20

gunicorn runs with the production settings (DEBUG=0) on a free loopback port; everything stops
by itself (request bounds and --max-seconds). Exit status 1 when any request failed or any
acknowledged entry is missing from the database.
"""

import json
import platform
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand
from devtools.loadtest import runner, seed, server


class Command(LocalizedCommand):
    help = gettext_lazy("Bounded load test: clerks entering protocols and auditors reading the API, against gunicorn.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--clerks", type=int, default=50, help=gettext_lazy("concurrent clerks (even: two per protocol)")
        )
        parser.add_argument(
            "--protocols-per-clerk", type=int, default=4, help=gettext_lazy("protocols each clerk pair enters")
        )
        parser.add_argument(
            "--auditors", type=int, default=20, help=gettext_lazy("concurrent auditors reading the API")
        )
        parser.add_argument(
            "--auditor-requests", type=int, default=200, help=gettext_lazy("at most this many requests each")
        )
        parser.add_argument("--workers", type=int, default=2, help=gettext_lazy("gunicorn workers"))
        parser.add_argument("--max-seconds", type=int, default=600, help=gettext_lazy("the run stops after this long"))
        parser.add_argument(
            "--ramp-up",
            type=float,
            default=0.0,
            help=gettext_lazy("seconds over which the clerks start (0: all at once)"),
        )
        parser.add_argument(
            "--json", action="store_true", help=gettext_lazy("print the figures as compact JSON (one line)")
        )

    def handle(self, *args, **o):
        if connection.vendor != "postgresql":
            raise CommandError(_("The load test runs on PostgreSQL: set DATABASE_URL to a scratch database."))
        if o["clerks"] < 2 or o["clerks"] % 2:
            raise CommandError(_("--clerks must be even and at least 2 (two clerks enter each protocol)."))
        try:
            plan = seed.seed(
                pairs=o["clerks"] // 2, protocols_per_pair=o["protocols_per_clerk"], auditors=o["auditors"]
            )
        except (RuntimeError, ValueError) as error:
            raise CommandError(str(error)) from None
        with tempfile.TemporaryDirectory(prefix="loadtest-") as workdir:
            with server.gunicorn(workdir, workers=o["workers"]) as port:
                connection.close()  # the server's connections only, while it runs
                stats = runner.run(
                    plan,
                    port,
                    max_seconds=o["max_seconds"],
                    auditor_requests=o["auditor_requests"],
                    ramp_up=o["ramp_up"],
                )
            inside_server = runner.server_times(Path(workdir) / "gunicorn.out")
        result = {
            "clerks": o["clerks"],
            "auditors": o["auditors"],
            "workers": o["workers"],
            "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
            "ramp_up_seconds": o["ramp_up"],
            **stats.summary(),
            "server_time": inside_server,
            **runner.count(plan, stats),
        }
        self.stdout.write(json.dumps(result, indent=None if o["json"] else 2, ensure_ascii=False, default=str))
        if result["errors"] or result["lost"] or result["entries_in_database"] != result["entries_acknowledged"]:
            raise SystemExit(1)
