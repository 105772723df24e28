"""`manage.py import_nominations --election ID --file PATH [--user NAME] [--register] [--encoding NAME]`:
all or nothing; on a bad file one line per error, naming the row and the column, and a non-zero exit."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.commands import LocalizedCommand, number
from core.errors import DomainError
from registry.importing import import_file
from registry.models import Election


class Command(LocalizedCommand):
    help = gettext_lazy("Import nominations from a CSV or XLSX file: every row or none, with a row report.")

    def add_arguments(self, parser):
        parser.add_argument("--election", type=int, required=True, help=gettext_lazy("Election id."))
        parser.add_argument("--file", required=True, help=gettext_lazy("The CSV or XLSX file of nominations."))
        parser.add_argument(
            "--user", help=gettext_lazy("Act as this user (their territory applies); default: the system.")
        )
        parser.add_argument(
            "--register", action="store_true", help=gettext_lazy("Also register every imported candidacy.")
        )
        parser.add_argument(
            "--encoding",
            help=gettext_lazy(
                "The CSV file's encoding (e.g. cp1251, kz1048); default: UTF-8 (with or without BOM), else cp1251."
            ),
        )

    def handle(self, *args, **options):
        try:
            election = Election.objects.get(pk=options["election"])
        except Election.DoesNotExist as exc:
            raise CommandError(_("No election with id %(id)s.") % {"id": options["election"]}) from exc
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            report = import_file(
                actor, election, data, path.name, register=options["register"], encoding=options["encoding"]
            )
        except DomainError as exc:
            self.stderr.write(str(exc.message))
            for line in _error_lines(exc.details):
                self.stderr.write(line)
            self.stderr.write(json.dumps(exc.details, ensure_ascii=False, indent=2, default=str))
            raise CommandError(exc.code) from None
        self.stdout.write(_("%(n)s nominations imported.") % {"n": number(len(report))})


def _error_lines(details):
    """One line per error of a rejected file: “row N: [code] message”."""
    for row in details.get("rows", []):
        for error in row.get("errors", []) or [{"code": row.get("code", ""), "message": row.get("message", "")}]:
            yield _("row %(row)s: [%(code)s] %(message)s") % {
                "row": row.get("row", row.get("candidacy", "")),
                "code": error.get("code", ""),
                "message": error.get("message", ""),
            }
