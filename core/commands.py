"""The base of the project's management commands: one language for the whole run, help included.

`LocalizedCommand` adds `--language {kk,ru,en}` (default: the language already active, which under
manage.py is LANGUAGE_CODE) and speaks it everywhere a person reads:

- `manage.py <command> --help`: argparse builds and prints the help while parsing, before handle(),
  so `run_from_argv` reads `--language` from argv first and activates it around the parsing;
  the command's `help=` texts are `gettext_lazy` and are rendered once that language is active;
- argparse's own words ("usage:", "options", "show this help message and exit", "the following
  arguments are required: ..."): argparse translates with the gettext domain "argparse", which no
  catalogue of the project's languages ships, so its strings are in the project's catalogue under
  the context "argparse" (ARGPARSE_STRINGS) and the parser's methods run with argparse's `_` and
  `ngettext` pointed at them (`argparse_in_active_language`);
- Django's options of every command (--verbosity, --settings, ...): Django does not mark their
  help for translation, so the same English texts are msgids of the project (BASE_OPTION_HELPS);
- a CommandError: "Error: <message>" in the run's language, instead of the class name.
"""

import argparse
import contextlib
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, npgettext, npgettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

ARGPARSE_CONTEXT = "argparse"

# The strings argparse (Python 3.11) shows to the user of a command: in a --help, and in the errors of a
# command line it cannot parse. Marked here so that makemessages extracts them; never shown from here.
ARGPARSE_STRINGS = (
    pgettext_lazy("argparse", "usage: "),
    pgettext_lazy("argparse", "positional arguments"),
    pgettext_lazy("argparse", "options"),
    pgettext_lazy("argparse", "show this help message and exit"),
    pgettext_lazy("argparse", "%(prog)s: error: %(message)s\n"),
    pgettext_lazy("argparse", "argument %(argument_name)s: %(message)s"),
    pgettext_lazy("argparse", "the following arguments are required: %s"),
    pgettext_lazy("argparse", "one of the arguments %s is required"),
    pgettext_lazy("argparse", "unrecognized arguments: %s"),
    pgettext_lazy("argparse", "not allowed with argument %s"),
    pgettext_lazy("argparse", "ignored explicit argument %r"),
    pgettext_lazy("argparse", "expected one argument"),
    pgettext_lazy("argparse", "expected at most one argument"),
    pgettext_lazy("argparse", "expected at least one argument"),
    pgettext_lazy("argparse", "ambiguous option: %(option)s could match %(matches)s"),
    pgettext_lazy("argparse", "unexpected option string: %s"),
    pgettext_lazy("argparse", "invalid %(type)s value: %(value)r"),
    pgettext_lazy("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
    npgettext_lazy("argparse", "expected %s argument", "expected %s arguments", 1),
)

# Django's options of every command, with Django's own (untranslated) help texts as msgids.
BASE_OPTION_HELPS = {
    "--version": _("Show program's version number and exit."),
    "--verbosity": _("Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"),
    "--settings": _(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t provided, the '
        "DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    "--pythonpath": _('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    "--traceback": _("Display a full stack trace on CommandError exceptions."),
    "--no-color": _("Don't colorize the command output."),
    "--force-color": _("Force colorization of the command output."),
    "--skip-checks": _("Skip system checks."),
}


def _argparse_gettext(message):
    return pgettext(ARGPARSE_CONTEXT, message)


def _argparse_ngettext(singular, plural, n):
    return npgettext(ARGPARSE_CONTEXT, singular, plural, n)


@contextlib.contextmanager
def argparse_in_active_language():
    """Within the block, argparse's messages come from the project's catalogue in the active language."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _argparse_gettext, _argparse_ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def language_choices():
    return [code for code, _name in settings.LANGUAGES]


def language_in_argv(argv):
    """The value of --language in a command line (`--language kk` or `--language=kk`), if valid."""
    for index, arg in enumerate(argv):
        value = None
        if arg == "--language" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--language="):
            value = arg.partition("=")[2]
        if value in language_choices():
            return value
    return None


class LocalizedParser(CommandParser):
    """Django's CommandParser whose parsing, help and errors speak the active language."""

    def parse_known_args(self, args=None, namespace=None):
        with argparse_in_active_language():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with argparse_in_active_language():
            return super().format_usage()

    def format_help(self):
        with argparse_in_active_language():
            return super().format_help()

    def error(self, message):
        if self.called_from_command_line:
            with argparse_in_active_language():
                super().error(message)
        raise CommandError(gettext("Error: %(message)s") % {"message": message})


class LocalizedCommand(BaseCommand):
    """A management command that speaks one language, that of --language or else the active one."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        with argparse_in_active_language():  # "options", "positional arguments", -h's help: made here
            parser = super().create_parser(prog_name, subcommand, **kwargs)
            parser.add_argument(
                "--language",
                choices=language_choices(),
                default=None,
                help=_("language of the help and of the output (default: the LANGUAGE_CODE setting)"),
            )
        # Django makes a plain CommandParser; this one keeps argparse in the active language later too.
        parser.__class__ = LocalizedParser
        if parser.description is not None:
            parser.description = str(parser.description)
        for action in parser._actions:
            long_option = next((s for s in action.option_strings if s.startswith("--")), None)
            if long_option in BASE_OPTION_HELPS and action.help is not argparse.SUPPRESS:
                action.help = BASE_OPTION_HELPS[long_option]
            if isinstance(action.help, Promise):
                action.help = str(action.help)
        return parser

    def run_from_argv(self, argv):
        language = language_in_argv(argv[2:]) or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            super().run_from_argv(argv)

    def execute(self, *args, **options):
        language = options.get("language") or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            try:
                return super().execute(*args, **options)
            except CommandError as error:
                if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                    raise
                if isinstance(error, SystemCheckError):
                    raise
                self.stderr.write(gettext("Error: %(message)s") % {"message": error})
                sys.exit(error.returncode)


def number(value, decimal_pos=None):
    """A count or figure written the active language's way (ru, kk: 1 234 567,5; en: 1,234,567.5)."""
    return formats.number_format(value, decimal_pos, use_l10n=True, force_grouping=True)


def table(header, rows, *, right=(), indent="  ", gap="  "):
    """Lines of a plain-text table: each column as wide as its widest rendered cell, header included,
    so every column starts at the same offset on every line whatever the language (Kazakh headers are
    the longest). Columns whose index is in `right` are right-aligned (figures); the last column is
    not padded."""
    cells = [[str(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    last = len(header) - 1
    lines = []
    for row in cells:
        padded = [
            cell if i == last and i not in right else cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append(indent + gap.join(padded))
    return lines
