"""Every project command speaks one language, that of --language or else the active one (LANGUAGE_CODE
under manage.py): its --help (argparse's and Django's words included), its output and its errors."""

import argparse
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, load_command_class
from django.utils import translation

from core.commands import LocalizedCommand, language_in_argv, table
from core.models import AuditEvent
from devtools.demo.territory import DEMO_LOGINS
from devtools.management.commands.load_demo import login_lines

# Every command of the project (core's makemessages is a developer's wrapper of Django's, left as it is).
COMMANDS = {
    "issue_token": "api",
    "audit_checkpoint": "core",
    "setup_db_roles": "core",
    "verify_audit": "core",
    "bench": "devtools",
    "bench_demo": "devtools",
    "load_demo": "devtools",
    "loadtest": "devtools",
    "import_nominations": "registry",
    "registry_stats": "registry",
    "aggregate": "results",
    "check_cycle": "results",
    "create_protocols": "results",
    "export_results": "results",
    "import_kato": "territory",
    "sync_roles": "territory",
}
KAZAKH_LETTERS = re.compile("[әғқңөұүһі]", re.IGNORECASE)
CYRILLIC = re.compile("[а-яёәғқңөұүһі]", re.IGNORECASE)
# Words that are Russian and not Kazakh (Kazakh writes ы and э too, so letters alone would not do).
RUSSIAN_WORDS = {"и", "или", "по", "для", "из", "от", "в", "с", "на", "умолчанию", "если", "только", "что", "при"}
# Latin words a Kazakh or Russian help may keep: names of programs, formats, settings, file columns and values.
TECHNICAL = {
    "API", "BOM", "CSV", "Celery", "SQLite", "CommandError", "Ed25519", "JSON", "Python", "SQL", "XLSX", "auditors",
    "base64", "code", "file", "gunicorn", "k", "kind", "kk", "en", "ru", "kz", "migrate", "national",
    "parent", "seed", "stdout", "tiny", "te", "N", "MIN-MAX", "UTF-8", "Windows-1251", "YYYY-MM-DD", "nist-cdf",
    *COMMANDS,
}  # fmt: skip


def help_of(name, language):
    command = load_command_class(COMMANDS[name], name)
    with translation.override(language):
        return command.create_parser("manage.py", name).format_help()


def latin_words(text):
    """The Latin words of a help, once option strings, metavars and identifiers are left out."""
    text = re.sub(r"(?<!\w)-{1,2}[\w-]+", " ", text)  # option strings
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.\-/]*[A-Za-z0-9]|[A-Za-z]", text)
    return {w for w in words if w not in TECHNICAL and not (w.isupper() or re.search(r"[\d_./]", w))}


@pytest.fixture(autouse=True)
def _wide_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps the help at the terminal's width


def test_every_project_command_is_localized():
    found = {}
    for app in ("api", "core", "devtools", "registry", "results", "territory"):
        for path in (Path(settings.BASE_DIR) / app / "management" / "commands").glob("[a-z]*.py"):
            found[path.stem] = app
    found.pop("makemessages")
    assert found == COMMANDS
    for name, app in COMMANDS.items():
        assert isinstance(load_command_class(app, name), LocalizedCommand), name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_kazakh_help_is_kazakh(name):
    text = help_of(name, "kk")
    assert text.startswith("қолданылуы: manage.py ")
    assert "опциялар:" in text and "осы анықтаманы көрсетіп, шығу" in text
    assert "Шығыс толықтығы: 0 = ең аз, 1 = қалыпты, 2 = толық, 3 = өте толық" in text
    assert latin_words(text) == set(), name
    words = set(re.findall(r"[а-яёәғқңөұүһі]+", text.lower()))
    assert words & RUSSIAN_WORDS == set(), name
    assert "ё" not in text.lower() and "ъ" not in text.lower()
    description = text.split("\n\n")[1]
    assert KAZAKH_LETTERS.search(description), description


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_russian_help_is_russian(name):
    text = help_of(name, "ru")
    assert text.startswith("использование: manage.py ")
    assert "параметры:" in text and "показать эту справку и выйти" in text
    assert latin_words(text) == set(), name
    assert not KAZAKH_LETTERS.search(text), KAZAKH_LETTERS.findall(text)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_english_help_is_english(name):
    text = help_of(name, "en")
    assert text.startswith("usage: manage.py ")
    assert "show this help message and exit" in text
    assert not CYRILLIC.search(text), CYRILLIC.findall(text)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "kk",
            """қолданылуы: manage.py sync_roles [-h] [--language {kk,ru,en}] [--version] [-v {0,1,2,3}]
                                 [--settings SETTINGS] [--pythonpath PYTHONPATH] [--traceback]
                                 [--no-color] [--force-color] [--skip-checks]

Комиссия топтарын құрып, оларға барлық қосымшаның рұқсаттарын беру (тек қосады).

опциялар:
  -h, --help            осы анықтаманы көрсетіп, шығу
  --language {kk,ru,en}
                        анықтама мен шығыстың тілі (әдепкісі: LANGUAGE_CODE баптауы)
  --version             Бағдарламаның нұсқасын көрсетіп, шығу.
  -v {0,1,2,3}, --verbosity {0,1,2,3}
                        Шығыс толықтығы: 0 = ең аз, 1 = қалыпты, 2 = толық, 3 = өте толық
  --settings SETTINGS   Баптаулар модулінің Python жолы, мысалы "myproject.settings.main".
                        Берілмесе, DJANGO_SETTINGS_MODULE орта айнымалысы қолданылады.
  --pythonpath PYTHONPATH
                        Python жолына қосылатын каталог, мысалы "/home/djangoprojects/myproject".
  --traceback           CommandError қатесінде шақырулар стегін толық көрсету.
  --no-color            Команда шығысын түспен бөлмеу.
  --force-color         Команда шығысын міндетті түрде түспен бөлу.
  --skip-checks         Жүйелік тексерулерді өткізіп жіберу.
""",
        ),
        (
            "ru",
            """использование: manage.py sync_roles [-h] [--language {kk,ru,en}] [--version] [-v {0,1,2,3}]
                                    [--settings SETTINGS] [--pythonpath PYTHONPATH] [--traceback]
                                    [--no-color] [--force-color] [--skip-checks]

Создать группы комиссий и выдать им права всех приложений (только добавляет).

параметры:
  -h, --help            показать эту справку и выйти
  --language {kk,ru,en}
                        язык справки и вывода (по умолчанию: настройка LANGUAGE_CODE)
  --version             Показать номер версии программы и выйти.
  -v {0,1,2,3}, --verbosity {0,1,2,3}
                        Подробность вывода: 0 = минимальный, 1 = обычный, 2 = подробный, 3 = очень
                        подробный
  --settings SETTINGS   Путь Python к модулю настроек, например "myproject.settings.main". Если не
                        указан, используется переменная окружения DJANGO_SETTINGS_MODULE.
  --pythonpath PYTHONPATH
                        Каталог, добавляемый в путь Python, например
                        "/home/djangoprojects/myproject".
  --traceback           Показывать полный стек вызовов при ошибке CommandError.
  --no-color            Не раскрашивать вывод команды.
  --force-color         Всегда раскрашивать вывод команды.
  --skip-checks         Пропустить системные проверки.
""",
        ),
        (
            "en",
            """usage: manage.py sync_roles [-h] [--language {kk,ru,en}] [--version] [-v {0,1,2,3}]
                            [--settings SETTINGS] [--pythonpath PYTHONPATH] [--traceback]
                            [--no-color] [--force-color] [--skip-checks]

Create the commission groups and grant them the permissions of every app (adds only).

options:
  -h, --help            show this help message and exit
  --language {kk,ru,en}
                        language of the help and of the output (default: the LANGUAGE_CODE
                        setting)
  --version             Show program's version number and exit.
  -v {0,1,2,3}, --verbosity {0,1,2,3}
                        Verbosity level; 0=minimal output, 1=normal output, 2=verbose output,
                        3=very verbose output
  --settings SETTINGS   The Python path to a settings module, e.g. "myproject.settings.main". If
                        this isn't provided, the DJANGO_SETTINGS_MODULE environment variable will
                        be used.
  --pythonpath PYTHONPATH
                        A directory to add to the Python path, e.g.
                        "/home/djangoprojects/myproject".
  --traceback           Display a full stack trace on CommandError exceptions.
  --no-color            Don't colorize the command output.
  --force-color         Force colorization of the command output.
  --skip-checks         Skip system checks.
""",
        ),
    ],
)
def test_sync_roles_help_pinned(language, expected):
    assert help_of("sync_roles", language) == expected


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "kk",
            [
                "  --election ELECTION   Сайлаудың идентификаторы.",
                "  --all                 Тек тоқтап қалғандарын емес, барлық округті тізімдеу.",
            ],
        ),
        (
            "ru",
            [
                "  --election ELECTION   Идентификатор выборов.",
                "  --all                 Перечислить все округа, а не только застрявшие.",
            ],
        ),
        (
            "en",
            [
                "  --election ELECTION   Election id.",
                "  --all                 List every contest, not only the stuck ones.",
            ],
        ),
    ],
)
def test_check_cycle_arguments_pinned(language, lines):
    text = help_of("check_cycle", language)
    for line in lines:
        assert line in text.splitlines()


def _manage(*args):
    env = {**os.environ, "DEBUG": "1", "DEVTOOLS": "1", "COLUMNS": "100"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


def test_manage_py_help_follows_language_code_and_the_option():
    """The real path: argparse prints the help while parsing argv, before handle()."""
    default = _manage("verify_audit", "--help")  # LANGUAGE_CODE is Russian
    assert default.returncode == 0
    assert default.stdout.startswith("использование: manage.py verify_audit")
    assert "Проверить хеш-цепочки журнала аудита" in default.stdout
    kazakh = _manage("verify_audit", "--language", "kk", "--help")
    assert kazakh.stdout.startswith("қолданылуы: manage.py verify_audit")
    assert "  --skip-checks         Жүйелік тексерулерді өткізіп жіберу." in kazakh.stdout
    english = _manage("verify_audit", "--help", "--language=en")
    assert english.stdout.startswith("usage: manage.py verify_audit")
    missing = _manage("check_cycle", "--language", "kk")
    assert missing.returncode == 2
    assert missing.stderr.endswith("manage.py check_cycle: қате: мына аргументтер міндетті: --election\n")


def test_help_through_run_from_argv_in_process(capsys):
    command = load_command_class("results", "aggregate")
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "aggregate", "--help", "--language", "kk"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("қолданылуы: manage.py aggregate")
    assert "  --full                Барлығын бір транзакцияда қайта есептеу." in out
    assert argparse._("options") == "options"  # argparse is itself again once the command is done


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Қате: Идентификаторы 999999 болатын сайлау жоқ.\n"),
        ("ru", "Ошибка: Выборов с идентификатором 999999 нет.\n"),
        ("en", "Error: No election with id 999999.\n"),
    ],
)
def test_command_error_in_the_run_language(db, capsys, language, message):
    command = load_command_class("results", "aggregate")
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "aggregate", "--election", "999999", "--language", language])
    assert exit_.value.code == 1
    assert capsys.readouterr().err == message


def test_call_command_parse_error_in_the_active_language():
    with translation.override("kk"), pytest.raises(CommandError) as error:
        call_command("check_cycle")
    assert str(error.value) == "Қате: мына аргументтер міндетті: --election"
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("check_cycle", "--language", "ru")  # parsed before --language applies: the active one
    assert str(error.value) == "Error: the following arguments are required: --election"


def test_language_in_argv():
    assert language_in_argv(["--election", "3", "--language", "kk"]) == "kk"
    assert language_in_argv(["--language=en"]) == "en"
    assert language_in_argv(["--language", "de"]) is None
    assert language_in_argv(["--language"]) is None


@pytest.mark.parametrize(
    ("language", "out", "err"),
    [
        (
            "kk",
            "аудит тізбегі бүтін: тексерілген жазбалар: {count}\n",
            "сақталған бақылау нүктесі әлі жоқ: тек тізбектер тексерілді (manage.py audit_checkpoint)\n",
        ),
        (
            "ru",
            "цепочка аудита не нарушена: проверено записей: {count}\n",
            "сохранённых контрольных точек пока нет: проверены только цепочки (manage.py audit_checkpoint)\n",
        ),
        (
            "en",
            "audit chain intact: {count} records verified\n",
            "no stored checkpoint yet: only the chains were checked (manage.py audit_checkpoint)\n",
        ),
    ],
)
def test_verify_audit_output_pinned(world, language, out, err):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("verify_audit", "--language", language, stdout=stdout, stderr=stderr)
    count = AuditEvent.objects.count()
    assert count > 0
    assert stdout.getvalue() == out.format(count=count)
    assert stderr.getvalue() == err


REGISTRY_STATS = {
    "kk": """сайлау округтері: 2, тіркелген кандидаттар: 4
өзін-өзі ұсынғандар: 4 (100,0%)
партиялар ұсынғандар: 0 (0,0%)
жынысы бойынша: ер: 4
білімі бойынша: жоғары: 4
тіркелген кандидаттары екеуден аз сайлау округтері: 1
облыс  сайлау округтері  тіркелген  ерлер  әйелдер  жоғары  орташа жасы  ең жасы  ең үлкені  атауы
11                    1          1      1        0       1         41,0       41         41  Ақмола облысы
35                    1          3      3        0       3         41,0       41         41  Қарағанды облысы
""",
    "ru": """округов: 2, зарегистрировано кандидатов: 4
самовыдвиженцев: 4 (100,0%)
выдвинуто партиями: 0 (0,0%)
по полу: мужской: 4
по образованию: высшее: 4
округов, где меньше двух зарегистрированных кандидатов: 1
область  округа выборов  зарегистрировано  мужчин  женщин  высшее  ср. возраст  младший  старший  название
11                    1                 1       1       0       1         41,0       41       41  Акмолинская область
35                    1                 3       3       0       3         41,0       41       41  Карагандинская область
""",
    "en": """contests: 2, registered candidates: 4
self-nominated: 4 (100.0%)
party-nominated: 0 (0.0%)
by sex: male: 4
by education: higher: 4
contests with fewer than two registered candidates: 1
region  contests  registered  men  women  higher  avg age  youngest  oldest  name
11             1           1    1      0       1     41.0        41      41  Akmola region
35             1           3    3      0       3     41.0        41      41  Karaganda region
""",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_registry_stats_output_pinned(world, language):
    world.region.name_kk, world.region.name_en = "Қарағанды облысы", "Karaganda region"
    world.other_region.name_kk, world.other_region.name_en = "Ақмола облысы", "Akmola region"
    world.region.save()
    world.other_region.save()
    out = io.StringIO()
    call_command("registry_stats", "--language", language, "--election", str(world.election.pk), stdout=out)
    lines = out.getvalue().splitlines(keepends=True)
    with translation.override(language):
        assert lines[0] == f"{world.election}\n"
    assert "".join(lines[1:]) == REGISTRY_STATS[language]
    table_lines = [line.rstrip("\n") for line in lines[7:]]
    _assert_right_aligned(table_lines, columns=range(1, 9))


def _column_starts(header):
    return [0] + [m.end() for m in re.finditer(r"\S  +(?=\S)", header)]


def _assert_left_aligned(lines):
    """Each line's cells start where the header's do (cells hold no double space)."""
    starts = _column_starts(lines[0])
    for line in lines[1:]:
        assert _column_starts(line) == starts, (line, starts)


def _assert_right_aligned(lines, columns):
    """The right-aligned columns' cells end where their headers end."""
    header_cells = list(re.finditer(r"\S+(?: \S+)*", lines[0]))
    for line in lines[1:]:
        cells = list(re.finditer(r"\S+(?: \S+)*", line))
        for index in columns:
            assert cells[index].end() == header_cells[index].end(), (line, index)


LOGINS = {
    "kk": [
        "",
        "Демонстрациялық тіркелгілер (құпиясөз: 'demo'), әкімшілік бөлім мекенжайы /admin/:",
        "  пайдаланушы аты  рөлі",
        "  cec              ОСК мүшесі (бүкіл ел)",
        "  tec-karaganda    хатшы, Қарағанды облыстық АСК",
        "  tec-district     төраға, демо учаскенің аудандық АСК (куәландырады)",
        "  chair1           төраға, демо учаскелік комиссия (алшақтықтарды шешеді)",
        "  clerk1           енгізуші, демо учаскелік комиссия",
        "  clerk2           енгізуші, демо учаскелік комиссия",
        "  auditor          аудитор (тек оқуға арналған API)",
    ],
    "ru": [
        "",
        "Демонстрационные учётные записи (пароль: 'demo'), администрирование по адресу /admin/:",
        "  имя пользователя  роль",
        "  cec               член ЦИК (вся страна)",
        "  tec-karaganda     секретарь, Карагандинская областная ТИК",
        "  tec-district      председатель, районная ТИК демо-участка (заверяет)",
        "  chair1            председатель, участковая комиссия демо-участка (разрешает расхождения)",
        "  clerk1            оператор ввода, участковая комиссия демо-участка",
        "  clerk2            оператор ввода, участковая комиссия демо-участка",
        "  auditor           аудитор (API только для чтения)",
    ],
    "en": [
        "",
        "Demo logins (password: 'demo'), admin at /admin/:",
        "  user name      role",
        "  cec            CEC member (whole country)",
        "  tec-karaganda  secretary, Karaganda regional TEC",
        "  tec-district   chair, district TEC of the demo precinct (certifies)",
        "  chair1         chair, demo precinct commission (resolves discrepancies)",
        "  clerk1         clerk, demo precinct commission",
        "  clerk2         clerk, demo precinct commission",
        "  auditor        auditor (read-only API)",
    ],
}
ADDRESS_HEADERS = {"kk": "  мекенжайы                         онда не бар", "ru": "  адрес", "en": "  address"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_load_demo_login_table_in_one_language_and_aligned(settings, language):
    settings.DEMO_PASSWORD = "demo"
    with translation.override(language):
        lines = login_lines(DEMO_LOGINS)
    assert lines[:10] == LOGINS[language]
    _assert_left_aligned(lines[2:10])
    addresses = lines[11:]
    assert addresses[0] == {"kk": "Мекенжайлар:", "ru": "Адреса:", "en": "Addresses:"}[language]
    assert addresses[1].startswith(ADDRESS_HEADERS[language])
    assert len(addresses) == 7
    _assert_left_aligned(addresses[1:])
    text = "\n".join(lines)
    if language == "en":
        assert not CYRILLIC.search(text)
    else:
        # Left aside: addresses, the command in backquotes, the password, user names and the name "API".
        prose = re.sub(r"\S*/\S*|`[^`]*`|'demo'|\bAPI\b", " ", text)
        for username, _role in DEMO_LOGINS:
            prose = re.sub(rf"(?<![\w-]){re.escape(username)}(?![\w-])", " ", prose)
        assert re.findall(r"[A-Za-z]+", prose) == []
    if language == "ru":
        assert not KAZAKH_LETTERS.search(text)


def test_table_widths_come_from_the_rendered_cells():
    lines = table(("пайдаланушы аты", "рөлі"), [("cec", "ОСК мүшесі"), ("tec-karaganda", "хатшы")])
    assert lines == ["  пайдаланушы аты  рөлі", "  cec              ОСК мүшесі", "  tec-karaganda    хатшы"]
    assert table(("n", "name"), [("1000", "a"), ("7", "b")], right=(0,), indent="") == [
        "   n  name",
        "1000  a",
        "   7  b",
    ]


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("kk", r"auditors: \d+ рұқсат \(аудиторлар \(тек оқуға арналған API\)\)"),
        ("ru", r"auditors: разрешений: \d+ \(аудиторы \(API только для чтения\)\)"),
        ("en", r"auditors: \d+ permissions \(auditors \(read-only API\)\)"),
    ],
)
def test_sync_roles_output_names_the_groups_in_the_language(db, language, line):
    out = io.StringIO()
    call_command("sync_roles", "--language", language, stdout=out)
    assert re.fullmatch(line, out.getvalue().splitlines()[0])
