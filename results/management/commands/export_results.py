"""manage.py export_results --election ID --format nist-cdf [--output FILE]: an election's results in a
standard format (NIST SP 1500-100 v2 JSON, results/nist_cdf/), the whole country, written as it is
read. Without --output the report goes to the standard output; progress and messages go to the
standard error, so that they never mix with the data."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number
from registry.models import Election
from results.nist_cdf import election_report

FORMATS = {"nist-cdf": election_report}


def progress_bar(done, total, width=30):
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Command(LocalizedCommand):
    help = gettext_lazy(
        "Export the results of an election in a standard format: nist-cdf is the NIST SP 1500-100 v2 "
        "election results common data format (JSON), with every contest, candidate, party, unit and "
        "polling station. Written to FILE, or to the standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help=gettext_lazy("Election id."))
        parser.add_argument(
            "--format", required=True, choices=sorted(FORMATS), help=gettext_lazy("Format of the export.")
        )
        parser.add_argument(
            "--output",
            metavar="FILE",
            help=gettext_lazy("File to write (replaced only once complete); default: the standard output."),
        )

    def handle(self, *args, election, format, output, **options):
        election_obj = Election.objects.filter(pk=election).first()
        if election_obj is None:
            raise CommandError(_("No election with id %(id)s.") % {"id": election})
        show = options.get("verbosity", 1) > 0
        if show:
            self.stderr.write(str(election_obj))

        def progress(done, total):
            if show:
                self.stderr.write("\r" + progress_bar(done, total), ending="")
                self.stderr.flush()

        chunks = FORMATS[format](election_obj, progress=progress)
        if output:
            self._write_file(Path(output), chunks)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.flush()
        if show:
            self.stderr.write("")
            contests = number(election_obj.contests.count())
            if output:
                message = _("Done: %(contests)s contests written to %(file)s.") % {"contests": contests, "file": output}
            else:
                message = _("Done: %(contests)s contests written.") % {"contests": contests}
            self.stderr.write(self.style.SUCCESS(message))

    def _write_file(self, path, chunks):
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise CommandError(_("No such directory: %(directory)s.") % {"directory": directory})
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in chunks:
                    file.write(chunk.encode("utf-8"))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
