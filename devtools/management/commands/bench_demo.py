"""manage.py bench_demo [--runs N] [--no-doc]: how long a newcomer's `make run` spends in
`load_demo` (issue 21, part 4: 15 s or less on SQLite), median of fresh runs against the Django
start-up measured in the same run; writes its section of docs/PERFORMANCE.md (devtools/bench/demo.py).
Exits non-zero when a run fails; a missed target is reported, not an error."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from core.commands import LocalizedCommand, number
from devtools.bench import demo, report


class Command(LocalizedCommand):
    help = gettext_lazy("Time load_demo on SQLite in fresh processes; write docs/PERFORMANCE.md.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs", type=int, default=3, metavar="N", help=gettext_lazy("runs per figure (the median is reported)")
        )
        parser.add_argument(
            "--doc",
            default=str(Path(settings.BASE_DIR) / "docs" / "PERFORMANCE.md"),
            metavar="FILE",
            help=gettext_lazy("the document whose section is written"),
        )
        parser.add_argument(
            "--no-doc", action="store_true", help=gettext_lazy("print the table, do not write the document")
        )

    def handle(self, *args, **o):
        if o["runs"] < 1:
            raise CommandError(gettext("--runs must be at least 1."))
        names = {
            "startup": gettext("Django start-up"),
            "migrate": gettext("migrate on an empty file"),
            "load": gettext("load_demo, one run"),
        }

        def say(step, seconds):
            self.stdout.write(
                gettext("bench_demo: %(step)s: %(seconds)s s")
                % {"step": names[step], "seconds": number(round(seconds, 1), 1)}
            )

        try:
            figures = demo.measure(o["runs"], say=say)
        except demo.StepFailed as error:
            raise CommandError(gettext("A measured command failed: %(error)s") % {"error": error}) from None
        with translation.override("en"):
            body = demo.render(figures)
        # The same line as `manage.py bench`'s: what follows is the document's, in English.
        self.stdout.write(
            gettext("bench: the section of %(doc)s (in English, as the document):") % {"doc": Path(o["doc"]).name}
        )
        self.stdout.write(body)
        if not o["no_doc"]:
            report.write_section(o["doc"], demo.KEY, body)
            self.stdout.write(
                gettext("bench_demo: wrote section %(key)r of %(doc)s") % {"key": demo.KEY, "doc": o["doc"]}
            )
        self.stdout.write(
            gettext("target (%(target)s s or less): met") % {"target": number(demo.TARGET_SECONDS, 0)}
            if demo.met(figures)
            else gettext("target (%(target)s s or less): missed") % {"target": number(demo.TARGET_SECONDS, 0)}
        )
