"""manage.py import_kato FILE.csv: load a KATO extract into the unit tree, all rows or none."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from territory.kato_import import KatoImportInvalid, import_kato


class Command(BaseCommand):
    help = (
        "Import a KATO extract (CSV with columns code, name_kk, name_ru; optional name_en, kind). "
        "Every row is checked first; on any bad row every error is printed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="path of the CSV file (UTF-8 or Windows-1251, detected; comma, semicolon or tab separated)"
        )
        parser.add_argument("--encoding", help="the file's encoding when it is another one (e.g. kz1048)")
        parser.add_argument("--progress-every", type=int, default=1000, help="print progress every N rows")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file, progress_every, dry_run, encoding, **options):
        def progress(done, total, phase):
            self.stderr.write(
                _("%(phase)s %(done)s/%(total)s rows (%(percent)s%%)")
                % {"phase": phase, "done": done, "total": total, "percent": 100 * done // max(total, 1)}
            )

        try:
            report = import_kato(
                file, progress=progress, progress_every=max(progress_every, 1), dry_run=dry_run, encoding=encoding
            )
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except KatoImportInvalid as error:
            for row_error in error.report.errors:
                self.stderr.write(str(row_error))
            raise CommandError(str(error.message)) from None
        prefix = _("dry run, nothing written: ") if dry_run else ""
        self.stdout.write(prefix + str(report.summary()))
