"""manage.py import_kato: all or nothing with a row report, idempotent re-import, progress."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from territory.kato import Kind
from territory.kato_import import KatoImportInvalid, import_kato
from territory.models import AdminUnit

pytestmark = pytest.mark.django_db

GOOD = """code,name_kk,name_ru,name_en
350000000,Қарағанды облысы,Карагандинская область,Karaganda Region
352000000,Абай ауданы,Абайский район,Abai District
352031000,Тест ауылдық округі,Тестовый сельский округ,
352031101,Тест ауылы,Тестовое село,
352033000,Топар кенті,Поселок Топар,
"""


def _write(tmp_path, text, name="kato.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _snapshot():
    return list(AdminUnit.objects.order_by("kato").values_list("kato", "kind", "name_ru", "parent_id", "region_id"))


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path, world):
    before = _snapshot()
    bad = _write(
        tmp_path,
        "code,name_kk,name_ru\n"
        "390000000,Қостанай облысы,Костанайская область\n"  # row 2: good on its own
        "35200000,A,B\n"  # row 3: 8 digits
        "35203100X,A,B\n"  # row 4: a letter
        "392000000,A,\n"  # row 5: no Russian name
        "133031000,A,B\n"  # row 6: parent 133000000 nowhere
        "352031101,A,B\n"  # row 7: already in the database: fine
        "352031101,A,B\n",  # row 8: the same code twice
    )
    with pytest.raises(CommandError, match="5 errors"):
        call_command("import_kato", str(bad), stderr=(err := io.StringIO()), stdout=io.StringIO())
    lines = err.getvalue().splitlines()
    assert "row 3: code: A KATO code has exactly 9 digits." in lines
    assert "row 4: code: A KATO code has digits only." in lines
    assert any(line.startswith("row 5: name_ru: ") for line in lines)
    assert any(line.startswith("row 6: parent: no unit with any of the KATO codes 133000000") for line in lines)
    assert "row 8: code: the KATO code 352031101 is already on row 7" in lines
    assert not any(line.startswith(("row 2:", "row 7:")) for line in lines)
    assert _snapshot() == before
    assert not AdminUnit.objects.filter(kato="390000000").exists()


def test_nesting_errors_have_the_models_messages(tmp_path, world):
    bad = _write(
        tmp_path,
        "code,name_kk,name_ru,kind\n"
        "350000201,A,B,\n"  # a village whose parent (from its prefix) would be the region
        "352000301,A,B,village\n"  # a village under a district
        "352031000,A,B,district\n",  # a district's kind on a rural-district code
    )
    with pytest.raises(KatoImportInvalid) as caught:
        import_kato(bad)
    errors = {(e.row, e.field): e.message for e in caught.value.report.errors}
    model_error = AdminUnit(kato="350000201", kind=Kind.VILLAGE, parent=world.karaganda, name_kk="A", name_ru="B")
    with pytest.raises(ValidationError) as model_caught:
        model_error.full_clean()
    assert errors[(2, "parent")] == str(model_caught.value.message_dict["parent"][0])
    assert errors[(3, "parent")].startswith("A village cannot sit under a district")
    assert errors[(4, "parent")].startswith("A district cannot sit under a district")
    assert caught.value.code == "kato_import_invalid"


def test_missing_columns_are_reported(tmp_path, db):
    with pytest.raises(KatoImportInvalid) as caught:
        import_kato(_write(tmp_path, "code,name\n350000000,X\n"))
    assert [str(e) for e in caught.value.report.errors] == ["row 1: header: missing columns: name_kk, name_ru"]


def test_import_creates_the_tree_with_region_and_district(tmp_path, db):
    report = import_kato(_write(tmp_path, GOOD))
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    region = AdminUnit.objects.get(kato="350000000")
    village = AdminUnit.objects.get(kato="352031101")
    township = AdminUnit.objects.get(kato="352033000")
    assert region.kind == Kind.REGION and region.name_en == "Karaganda Region"
    assert village.kind == Kind.VILLAGE and village.parent.kato == "352031000"
    assert (village.region.kato, village.district.kato) == ("350000000", "352000000")
    assert (township.kind, township.region.kato, township.district.kato) == (
        Kind.TOWNSHIP,  # "Поселок Топар": the name says so
        "350000000",
        "352000000",
    )
    assert AuditEvent.objects.filter(action="territory.kato_imported").count() == 1


def test_reimport_of_the_same_file_changes_nothing(tmp_path, db):
    path = _write(tmp_path, GOOD)
    import_kato(path)
    before = _snapshot()
    out = io.StringIO()
    call_command("import_kato", str(path), stdout=out, stderr=io.StringIO())
    assert "5 rows: 0 created, 0 updated, 5 unchanged" in out.getvalue()
    assert _snapshot() == before
    assert AuditEvent.objects.filter(action="territory.kato_imported").count() == 1


def test_kind_column_overrides_and_existing_kind_is_kept(tmp_path, db):
    import_kato(_write(tmp_path, GOOD))
    AdminUnit.objects.filter(kato="352033000").update(kind=Kind.TOWNSHIP)
    report = import_kato(_write(tmp_path, GOOD, "again.csv"))
    assert report.unchanged == 5  # the township stays a township: no kind in the file
    with_kind = "code,name_kk,name_ru,kind\n352033000,Топар кенті,Поселок Топар,rural_district\n"
    report = import_kato(_write(tmp_path, with_kind, "kind.csv"))
    assert report.updated == 1
    assert AdminUnit.objects.get(kato="352033000").kind == Kind.RURAL_DISTRICT


def test_changed_names_are_updated_and_counted(tmp_path, db):
    import_kato(_write(tmp_path, GOOD))
    report = import_kato(_write(tmp_path, GOOD.replace("Абайский район", "Абайский р-н"), "v2.csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert AdminUnit.objects.get(kato="352000000").name_ru == "Абайский р-н"


def test_parents_are_found_in_the_database(tmp_path, world):
    report = import_kato(_write(tmp_path, "code,name_kk,name_ru\n352031102,Жаңа,Новое\n"))
    assert report.created == 1
    village = AdminUnit.objects.get(kato="352031102")
    assert (village.parent_id, village.region_id, village.district_id) == (
        world.kar_rural.pk,
        world.karaganda.pk,
        world.abai.pk,
    )


def test_semicolon_files_and_dry_run(tmp_path, db):
    path = _write(tmp_path, GOOD.replace(",", ";"))
    out = io.StringIO()
    call_command("import_kato", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "dry run" in out.getvalue() and "5 created" in out.getvalue()
    assert not AdminUnit.objects.exists()


def test_progress_is_shown_on_large_files(tmp_path, db):
    lines = ["code,name_kk,name_ru", "350000000,Қарағанды,Караганда", "352000000,Абай,Абай"]
    for ef in range(31, 81):
        lines.append(f"3520{ef:02d}000,Округ {ef},Округ {ef}")
        lines.extend(f"3520{ef:02d}{hij:03d},Ауыл {hij},Село {hij}" for hij in range(101, 121))
    path = _write(tmp_path, "\n".join(lines) + "\n")
    err = io.StringIO()
    call_command("import_kato", str(path), "--progress-every", "250", stdout=io.StringIO(), stderr=err)
    progress = err.getvalue().splitlines()
    total = len(lines) - 1
    assert f"checked 250/{total} rows (23%)" in progress
    assert f"written {total - total % 250}/{total} rows ({100 * (total - total % 250) // total}%)" in progress
    assert AdminUnit.objects.count() == total


def test_missing_file_is_a_command_error(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_kato", str(tmp_path / "nope.csv"))
