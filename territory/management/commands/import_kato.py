"""manage.py import_kato FILE: load a KATO extract into the unit tree, all rows or none."""

import datetime

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand
from territory.kato_import import KatoImportInvalid, import_kato


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("--as-of takes a date as YYYY-MM-DD, not %(value)s") % {"value": value}) from error


class Command(LocalizedCommand):
    help = gettext_lazy(
        "Import a KATO extract: the importer's CSV (columns code, name_kk, name_ru; optional name_en, kind, "
        "parent) or the statistics office's export (XLSX or CSV with te or ab/cd/ef/hij, k, kaz_name, "
        "rus_name). Every row is checked first; on any bad row every error is printed and nothing is "
        "written. With --as-of the file is the territory from that date on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help=gettext_lazy("path of the file (XLSX, or CSV in UTF-8 or cp1251; comma, semicolon or tab separated)"),
        )
        parser.add_argument(
            "--progress-every", type=int, default=1000, help=gettext_lazy("print progress every N rows")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext_lazy("check, list what would change, write nothing")
        )
        parser.add_argument(
            "--as-of",
            help=gettext_lazy(
                "YYYY-MM-DD: new units start on this day, units missing from the file end the day before, "
                "renamed or re-parented units keep their old state as a dated version"
            ),
        )
        parser.add_argument(
            "--encoding",
            help=gettext_lazy(
                "the CSV's encoding when it is another one (e.g. kz1048); default: UTF-8, else Windows-1251"
            ),
        )

    def handle(self, *args, file, progress_every, dry_run, as_of=None, encoding=None, **options):
        day = _day(as_of) if as_of else None

        def progress(done, total, phase):
            self.stderr.write(
                _("%(phase)s %(done)s/%(total)s rows (%(percent)s%%)")
                % {"phase": phase, "done": done, "total": total, "percent": 100 * done // max(total, 1)}
            )

        try:
            report = import_kato(
                file,
                progress=progress,
                progress_every=max(progress_every, 1),
                dry_run=dry_run,
                as_of=day,
                encoding=encoding,
            )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except KatoImportInvalid as error:
            for row_error in error.report.errors:
                self.stderr.write(str(row_error))
            raise CommandError(str(error.message)) from None
        prefix = _("dry run, nothing written: ") if dry_run else ""
        self.stdout.write(prefix + str(report.summary()))
        if dry_run or options.get("verbosity", 1) > 1:
            for line in report.listing():
                self.stdout.write(line)
