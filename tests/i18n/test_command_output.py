"""Management command output meant for people follows the active language."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from devtools.management.commands.load_demo import Command as LoadDemo

CSV = "code,name_kk,name_ru\n350000000,Қарағанды облысы,Карагандинская область\n352000000,Ауданы,Район\n"


@pytest.mark.parametrize(
    ("language", "progress", "dry_run"),
    [
        ("ru", "проверено 2/2 строк (100%)", "пробный запуск, ничего не записано"),
        ("kk", "тексерілді 2/2 жол (100%)", "сынақ іске қосу, ештеңе жазылған жоқ"),
        ("en", "checked 2/2 rows (100%)", "dry run, nothing written"),
    ],
)
def test_import_kato_progress_and_summary_are_translated(db, tmp_path, language, progress, dry_run):
    path = tmp_path / "kato.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with translation.override(language):
        call_command("import_kato", str(path), "--dry-run", "--progress-every", "1", stdout=out, stderr=err)
    assert progress in err.getvalue()
    assert out.getvalue().startswith(dry_run)


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("ru", "Демонстрационные учётные записи (пароль: 'demo')"),
        ("kk", "Демонстрациялық тіркелгілер (құпиясөз: 'demo')"),
    ],
)
def test_demo_logins_heading_is_translated(settings, language, heading):
    settings.DEMO_PASSWORD = "demo"
    command = LoadDemo(stdout=io.StringIO())
    with translation.override(language):
        command.print_logins([("cec", "CEC")])
    assert heading in command.stdout._out.getvalue()
