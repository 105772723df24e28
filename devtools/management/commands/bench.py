"""manage.py bench [--preset kz|national|tiny] [--stations N --contests N --candidates A-B]: the
performance benchmark of issue 9 (see docs/PERFORMANCE.md): builds a synthetic election (or reuses
the one an earlier run built for the same size and seed), measures aggregation against a SQL
baseline, entry, the API and memory, checks the totals against the baseline, and writes its section
of docs/PERFORMANCE.md. Exits non-zero when the totals differ from the baseline's."""

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from core.commands import LocalizedCommand, number
from devtools.bench import aggregate, builder, report
from devtools.bench.presets import PRESETS, Scale


def _vm_hwm():
    try:
        return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The presets whose figures the targets of issue 21 are set at.
SCALED = ("kz", "national")
API_PAGES = ("results", "protocols", "candidates")
DOC_NOTE_ENTRY_POSTGRES = "Entry: measured on PostgreSQL only (SQLite serialises writers)."


class Command(LocalizedCommand):
    help = gettext_lazy("Benchmark aggregation, entry and the API on a synthetic election; write docs/PERFORMANCE.md.")

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--preset", choices=sorted(PRESETS), default=None, help=gettext_lazy("a size of docs/PERFORMANCE.md"))
        add("--stations", type=int, metavar="N", help=gettext_lazy("polling stations (one protocol each)"))
        add("--contests", type=int, metavar="N", help=gettext_lazy("contests"))
        add("--candidates", metavar="N|MIN-MAX", help=gettext_lazy("candidates per contest: N or MIN-MAX"))
        add("--runs", type=int, default=3, metavar="N", help=gettext_lazy("runs per figure (the median is reported)"))
        add("--seed", type=int, default=1, metavar="N", help=gettext_lazy("seed of the synthetic election"))
        add("--skip-entry", action="store_true", help=gettext_lazy("do not measure entry"))
        add("--skip-api", action="store_true", help=gettext_lazy("do not measure the API"))
        add("--skip-memory", action="store_true", help=gettext_lazy("do not measure memory"))
        add(
            "--doc",
            default=str(Path(settings.BASE_DIR) / "docs" / "PERFORMANCE.md"),
            metavar="FILE",
            help=gettext_lazy("the document whose section is written"),
        )
        add("--no-doc", action="store_true", help=gettext_lazy("print the table, do not write the document"))
        add("--label", help=gettext_lazy("section title (default: the preset or the size)"))
        add("--note", action="append", default=[], help=gettext_lazy("a line added under the table"))
        add(
            "--entry-per-worker",
            type=int,
            default=40,
            metavar="N",
            help=gettext_lazy("protocols each entry worker enters"),
        )
        add("--api-requests", type=int, default=1500, metavar="N", help=gettext_lazy("at most this many API requests"))
        add(
            "--api-seconds",
            type=int,
            default=60,
            metavar="N",
            help=gettext_lazy("at most this long for the API figure"),
        )
        # Internal: the memory figure runs one aggregation in a fresh child process.
        add("--child-aggregate", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, **o):
        if o["child_aggregate"]:
            return self._child(o["child_aggregate"])
        scale, key = self._scale(o)
        load_start, run_start = os.getloadavg()[0], time.perf_counter()
        say = self.stdout.write
        user = builder.bench_user()
        election = builder.existing(scale, o["seed"])
        built = None
        if election is None:
            start = time.perf_counter()
            election = builder.build(scale, seed=o["seed"], say=say)
            built = time.perf_counter() - start
            say(
                gettext("bench: built %(scale)s in %(seconds)s s") % {"scale": scale.label, "seconds": number(built, 1)}
            )
        else:
            say(gettext("bench: reusing election %(id)s (%(scale)s)") % {"id": election.pk, "scale": scale.label})
        from results.models import ProtocolVote

        figures = {"votes": ProtocolVote.objects.filter(protocol__election=election).count(), "notes": o["note"]}
        if not o["skip_memory"]:
            figures["rss_before"], figures["rss"] = self._memory(election)
            say(gettext("bench: aggregation peak RSS %(mib)s MiB") % {"mib": number(figures["rss"], 1)})
        agg = aggregate.measure(election, user, runs=o["runs"], seed=o["seed"], say=say)
        figures["aggregation"], figures["difference"] = agg, agg["difference"]
        if not o["skip_entry"]:
            if connection.vendor != "postgresql":
                figures["notes"].append(DOC_NOTE_ENTRY_POSTGRES)
            else:
                from devtools.bench import entry

                figures["entry"] = entry.measure(
                    election, user, per_worker=o["entry_per_worker"], runs=o["runs"], seed=o["seed"], say=say
                )
        if not o["skip_api"]:
            from devtools.bench import api

            figures["api"] = api.measure(election, user, requests=o["api_requests"], seconds=o["api_seconds"], say=say)
        figures["load"] = (load_start, os.getloadavg()[0])
        figures["run_seconds"] = time.perf_counter() - run_start
        doc = Path(o["doc"])
        targets = self._targets(key, figures, doc)
        label = o["label"] or (f"{key} ({scale.label})" if o["preset"] else f"custom {scale.label}")
        # The section is part of docs/PERFORMANCE.md, an English document: it is written and shown in English.
        with translation.override("en"):
            body = report.render(key, scale, label, figures, targets, built_seconds=built)
        say(gettext("bench: the section of %(doc)s (in English, as the document):") % {"doc": doc.name})
        say(body)
        if not o["no_doc"]:
            report.write_section(doc, key, body)
            say(gettext("bench: wrote section %(key)r of %(doc)s") % {"key": key, "doc": doc})
        if figures["difference"] is None:
            say(gettext("totals equal baseline: yes"))
        else:
            say(gettext("totals equal baseline: no"))
            say(gettext("first difference: %(difference)s") % {"difference": figures["difference"]})
            raise CommandError(gettext("totals differ from the SQL baseline"))
        api_difference = (figures.get("api") or {}).get("difference")
        if api_difference:
            raise CommandError(
                gettext("the API baseline answers differently from the project: %(where)s") % {"where": api_difference}
            )

    def _scale(self, o):
        base = PRESETS[o["preset"] or "kz"]
        if o["candidates"]:
            lo, _, hi = o["candidates"].partition("-")
            cmin, cmax = int(lo), int(hi or lo)
        else:
            cmin, cmax = base.candidates_min, base.candidates_max
        try:
            scale = Scale(o["stations"] or base.stations, o["contests"] or base.contests, cmin, cmax)
        except ValueError as error:
            raise CommandError(str(error)) from None
        key = o["preset"] if scale == base and o["preset"] else f"custom-{scale.label}"
        return scale, key

    def _memory(self, election):
        """(MiB before the run, peak MiB) of a fresh process running one full aggregation."""
        out = subprocess.run(
            [sys.executable, "manage.py", "bench", "--child-aggregate", str(election.pk)],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
        before, peak = out.stdout.split()[-2:]
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return float(before), max(float(peak), 0.0) if peak else child_peak

    def _child(self, election_id):
        from registry.models import Election
        from results.aggregation import recompute

        election = Election.objects.get(pk=election_id)
        connection.ensure_connection()
        before = _vm_hwm()
        recompute(election, wait=True)
        self.stdout.write(f"{before:.1f} {_vm_hwm():.1f}")

    def _targets(self, key, figures, doc):
        """'yes' / 'no (...)' / '' (not applicable at this scale) per figure."""
        t = {}
        agg = figures.get("aggregation") or {}
        national = key == "national"
        scaled = key in SCALED
        if agg:
            ratio = agg["full"] / agg["baseline"]
            t["full"] = ("yes" if ratio <= 1.3 else "no") + ("" if scaled else " (target at kz and national)")
            if agg["one"] is not None:
                t["one"] = "yes" if agg["one"] < 0.05 else "no"
            share = agg["share"] / agg["full"]
            t["share"] = ("yes" if share < 0.2 else "no") + ("" if national else " (target at national)")
        entry = figures.get("entry") or {}
        for workers in {w for _, w in entry}:
            s, b = entry.get(("services", workers)), entry.get(("baseline", workers))
            if s and b:
                ok = s["rate"] >= 0.5 * b["rate"] and s["errors"] == 0
                t[f"entry{workers}"] = ("yes" if ok else "no") if workers == 8 else ""
        api = figures.get("api") or {}
        project, baseline = api.get("project") or {}, api.get("baseline")
        for page in API_PAGES:
            if page not in project:
                continue
            if baseline is None:
                t[f"api_{page}"] = "n/a (the baseline runs on PostgreSQL only)"
                continue
            ok = api_target_met(project[page], baseline[page]) and api.get("difference") is None
            t[f"api_{page}"] = ("yes" if ok else "no") + ("" if scaled else " (target at kz and national)")
        if figures.get("rss") is not None and national:
            text = doc.read_text() if doc.exists() else ""
            kz = report.recorded_rss(text, "kz")
            t["rss"] = "n/a (no kz figure)" if kz is None else ("yes" if figures["rss"] <= 1.2 * kz else "no")
            t["rss"] += f" ({figures['rss'] / kz:.2f}x kz)" if kz else ""
        return t


def api_target_met(project, baseline):
    """The API's target for one page: the project's throughput at least half the baseline's, its p95
    at most twice the baseline's, and no errors on either side."""
    if project["errors"] or baseline["errors"] or not project["n"] or not baseline["n"]:
        return False
    return project["rps"] >= 0.5 * baseline["rps"] and project["p95"] <= 2 * baseline["p95"]
