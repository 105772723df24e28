"""import_kato reads the classifier as published: every nesting shape of the real classifier, both
formats (the importer's CSV, the statistics office's export as CSV or XLSX), UTF-8 with or without
a BOM and cp1251; renamed units and units moving to a new region with a new code (--as-of)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from territory import kato
from territory.kato import Kind
from territory.kato_import import FORMAT_IMPORTER, FORMAT_STAT, KatoImportInvalid, import_kato, read_rows
from territory.models import AdminUnit, AdminUnitVersion
from territory.selectors import unit_version_on, units_on

from .kato_extracts import build, importer_csv, national

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2022, 6, 8)

SHAPES = [
    ("110000000", "Ақмола облысы", "Акмолинская область", {}),
    ("113800000", "Бурабай ауданы", "Бурабайский район", {}),
    ("113820100", "Щучинск қ.", "г.Щучинск", {}),  # a town right under its district
    ("113831000", "Қатаркөл а.о.", "Катаркольский с.о.", {}),
    ("113831100", "Қатаркөл а.", "с.Катарколь", {}),
    ("113831101", "Жайлау қыстауы", "зим.Жайлау", {}),  # a point below the village
    ("113833000", "Бурабай к.ә.", "Бурабай п.а.", {}),  # a settlement administration
    ("113833100", "Бурабай к.", "п.Бурабай", {}),
    ("113835000", "Златополь а.ә.", "Златопольская с.а.", {}),  # a village administration
    ("630000000", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", {}),
    ("631000000", "Өскемен Қ.Ә.", "Усть-Каменогорск Г.А.", {}),
    ("631000200", "Меновное а.", "с.Меновное", {}),  # a village right under a city administration
    ("634000000", "Аягөз ауданы", "Аягозский район", {}),
    ("634030000", "Тарбағатай а.о.", "Тарбагатайский с.о.", {}),
    ("634030100", "Тарбағатай а.", "с.Тарбагатай", {}),
    ("710000000", "Астана қ.", "г.Астана", {}),
    ("711110000", "Алматы ауданы", "Алматы р-н", {}),  # a city district under a city of republican significance
]

KINDS_AND_PARENTS = {
    "113820100": (Kind.CITY_DISTRICT, "113800000"),
    "113831000": (Kind.RURAL_DISTRICT, "113800000"),
    "113831100": (Kind.VILLAGE, "113831000"),
    "113831101": (Kind.POINT, "113831100"),
    "113833000": (Kind.SETTLEMENT_ADMINISTRATION, "113800000"),
    "113833100": (Kind.VILLAGE, "113833000"),
    "113835000": (Kind.VILLAGE_ADMINISTRATION, "113800000"),
    "631000000": (Kind.CITY_REGIONAL, "630000000"),
    "631000200": (Kind.VILLAGE, "631000000"),
    "710000000": (Kind.CITY_REPUBLICAN, None),
    "711110000": (Kind.DISTRICT, "710000000"),
}

# 2022: the district of Ayagoz moves to the new Abai region (10) with new codes; a village is renamed.
REFORM = [
    *(u for u in SHAPES if not u[0].startswith("634")),
    ("100000000", "Абай облысы", "Абайская область", {}),
    ("104000000", "Аягөз ауданы", "Аягозский район", {}),
    ("104030000", "Тарбағатай а.о.", "Тарбагатайский с.о.", {}),
    ("104030100", "Тарбағатай а.", "с.Тарбагатай", {}),
]
REFORM = [(c, kk, "с.Катарколь-Новое" if c == "113831100" else ru, x) for c, kk, ru, x in REFORM]

FORMATS = [
    ("importer", "utf-8"),
    ("importer", "utf-8-sig"),
    ("importer", "cp1251"),
    ("stat_csv", "utf-8"),
    ("stat_csv", "utf-8-sig"),
    ("stat_csv", "cp1251"),
    ("stat_xlsx", None),
]


def _kk_cp1251(units):
    """cp1251 has no Kazakh letters: a cp1251 file of the office carries Russian-only names."""
    return [(code, "", ru, extra) for code, _kk, ru, extra in units]


def _extract(units, fmt, encoding):
    if encoding == "cp1251":
        units = _kk_cp1251(units)
    return build(units, fmt, encoding or "utf-8")


def _tree():
    units = AdminUnit.objects.select_related("parent")
    return {u.kato: (u.kind, u.parent.kato if u.parent else None) for u in units}


@pytest.mark.parametrize(("fmt", "encoding"), FORMATS)
def test_every_published_shape_imports_in_each_format_and_encoding(tmp_path, fmt, encoding):
    path = tmp_path / f"kato.{'xlsx' if fmt == 'stat_xlsx' else 'csv'}"
    path.write_bytes(_extract(SHAPES, fmt, encoding))
    report = import_kato(path)
    assert (report.created, report.updated, report.rows) == (len(SHAPES), 0, len(SHAPES))
    assert report.file_format == (FORMAT_IMPORTER if fmt == "importer" else FORMAT_STAT)
    tree = _tree()
    for code, expected in KINDS_AND_PARENTS.items():
        assert tree[code] == expected, code
    village = AdminUnit.objects.get(kato="631000200")
    assert (village.region.kato, village.district.kato) == ("630000000", "631000000")
    point = AdminUnit.objects.get(kato="113831101")
    assert (point.region.kato, point.district.kato) == ("110000000", "113800000")
    city_district = AdminUnit.objects.get(kato="711110000")
    assert (city_district.region.kato, city_district.district_id) == ("710000000", None)
    assert AdminUnit.objects.get(kato="113831100").name_ru == "с.Катарколь"
    if encoding == "cp1251":
        assert len(report.lacking_kazakh_name) == len(SHAPES)
        assert AdminUnit.objects.get(kato="113831100").name_kk == "с.Катарколь"
    else:
        assert report.lacking_kazakh_name == []
        assert AdminUnit.objects.get(kato="113831100").name_kk == "Қатаркөл а."
    # importing twice changes nothing
    again = import_kato(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(SHAPES))


@pytest.mark.parametrize(("fmt", "encoding"), FORMATS)
def test_a_renamed_unit_and_a_unit_moving_to_a_new_region_in_each_format(tmp_path, fmt, encoding):
    first = tmp_path / "2021.bin"
    first.write_bytes(_extract(SHAPES, fmt, encoding))
    import_kato(first)
    old_village = AdminUnit.objects.get(kato="634030100")
    renamed = AdminUnit.objects.get(kato="113831100")
    second = tmp_path / "2022.bin"
    second.write_bytes(_extract(REFORM, fmt, encoding))

    report = import_kato(second, as_of=AS_OF)

    assert (report.created, report.ended, report.versioned) == (4, 3, 1)
    assert sorted(code for code, _name in report.ended_units) == ["634000000", "634030000", "634030100"]
    # (in cp1251 the Russian name stands in for the Kazakh one: both change)
    assert {c[:2] for c in report.changes} - {("113831100", "name_kk")} == {("113831100", "name_ru")}
    old_village.refresh_from_db()
    assert (old_village.active_to, old_village.region.kato) == (datetime.date(2022, 6, 7), "630000000")
    new_village = AdminUnit.objects.get(kato="104030100")
    assert (new_village.active_from, new_village.region.kato, new_village.district.kato) == (
        AS_OF,
        "100000000",
        "104000000",
    )
    renamed.refresh_from_db()
    assert renamed.name_ru == "с.Катарколь-Новое"
    assert unit_version_on(renamed, datetime.date(2021, 7, 25)).name_ru == "с.Катарколь"
    assert unit_version_on(renamed, datetime.date(2022, 6, 7)).name_ru == "с.Катарколь"
    assert unit_version_on(renamed, AS_OF).name_ru == "с.Катарколь-Новое"
    regions_2023 = set(AdminUnit.objects.as_of(datetime.date(2023, 1, 1)).regions().values_list("kato", flat=True))
    regions_2021 = set(AdminUnit.objects.as_of(datetime.date(2021, 7, 25)).regions().values_list("kato", flat=True))
    assert regions_2023 - regions_2021 == {"100000000"}
    assert not AdminUnit.objects.as_of(datetime.date(2023, 1, 1)).filter(kato__startswith="634").exists()
    assert AdminUnit.objects.as_of(datetime.date(2022, 6, 7)).filter(kato__startswith="634").count() == 3

    again = import_kato(second, as_of=AS_OF)
    assert (again.created, again.updated, again.ended, again.versioned) == (0, 0, 0, 0)
    assert AdminUnitVersion.objects.count() == 1


def test_dry_run_lists_what_would_start_end_and_change_and_writes_nothing(tmp_path):
    first = tmp_path / "2021.csv"
    first.write_bytes(importer_csv(SHAPES))
    import_kato(first)
    second = tmp_path / "2022.csv"
    second.write_bytes(importer_csv(REFORM))
    before = _tree()
    out = io.StringIO()
    call_command("import_kato", str(second), "--as-of", "2022-06-08", "--dry-run", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert "starts: 100000000 Абайская область" in lines
    assert "ends: 634000000 Аягозский район" in lines
    assert "changes: 113831100 name_ru: с.Катарколь -> с.Катарколь-Новое" in lines
    assert lines[0] == (
        "dry run, nothing written: 18 rows: 4 created, 1 updated, 13 unchanged; "
        "as of 2022-06-08: 3 ended, 1 kept as dated versions"
    )
    assert _tree() == before
    assert not AdminUnit.objects.filter(active_to__isnull=False).exists()
    assert not AdminUnitVersion.objects.exists()


def test_a_reparented_unit_keeps_its_old_parent_as_a_dated_version(tmp_path):
    first = tmp_path / "2021.csv"
    first.write_bytes(importer_csv(SHAPES))
    import_kato(first)
    # 2022: a rural district is formed between the district and its town (11 38 20 000).
    second = tmp_path / "2022.csv"
    second.write_bytes(importer_csv([*SHAPES, ("113820000", "Щучинск а.о.", "Щучинский с.о.", {})]))
    town = AdminUnit.objects.get(kato="113820100")
    district = town.parent

    import_kato(second, as_of=AS_OF)

    town.refresh_from_db()
    assert town.parent.kato == "113820000" and town.district_id == district.pk
    assert unit_version_on(town, datetime.date(2021, 1, 1)).parent_id == district.pk
    assert units_on([town], AS_OF)[town.pk].parent_id == town.parent_id


def test_a_unit_moving_to_another_district_under_the_same_code_is_refused(tmp_path):
    import_kato(io.BytesIO(importer_csv(SHAPES)))
    moved = importer_csv([(c, kk, ru, {"parent": "634000000" if c == "113831000" else ""}) for c, kk, ru, _x in SHAPES])
    with pytest.raises(KatoImportInvalid) as caught:
        import_kato(io.BytesIO(moved), as_of=AS_OF)
    assert [str(e) for e in caught.value.report.errors][0] == (
        "row 5: code: The KATO code 113831000 must start with its parent unit's prefix 6340."
    )
    assert AdminUnit.objects.get(kato="113831000").parent.kato == "113800000"


def test_missing_kazakh_names_are_listed(tmp_path):
    path = tmp_path / "kato.csv"
    path.write_bytes(
        importer_csv([("110000000", "", "Акмолинская область", {}), ("113800000", "Бурабай", "Бурабайский район", {})])
    )
    out = io.StringIO()
    call_command("import_kato", str(path), "--verbosity", "2", stdout=out, stderr=io.StringIO())
    assert "lacks a Kazakh name: 110000000 Акмолинская область" in out.getvalue().splitlines()
    assert "2 rows: 2 created, 0 updated, 0 unchanged; 1 without a Kazakh name" in out.getvalue()
    region = AdminUnit.objects.get(kato="110000000")
    assert (region.name_kk, region.lacks_kazakh_name) == ("Акмолинская область", True)
    assert AdminUnit.objects.get(kato="113800000").lacks_kazakh_name is False


def test_the_offices_header_is_recognised_after_a_title_and_segments_make_the_code():
    text = "Классификатор КАТО\nab;cd;ef;hij;k;kaz_name;rus_name;nn\n11;0;0;0;1;Ақмола облысы;Акмолинская область;1\n"
    header, rows, fmt = read_rows(text.encode("cp1251", errors="replace"))
    assert fmt == FORMAT_STAT
    assert header[:3] == ["code", "name_kk", "name_ru"]
    assert rows == [(3, {"code": "110000000", "name_kk": "А?мола облысы", "name_ru": "Акмолинская область"})]


def test_an_explicit_parent_column_wins_over_the_code(tmp_path):
    units = [
        ("110000000", "А", "Акмолинская область", {}),
        ("113800000", "Б", "Бурабайский район", {}),
        ("113831000", "В", "Катаркольский с.о.", {}),
        ("113831100", "Г", "с.Катарколь", {"parent": "113800000"}),  # a village under a district: refused
    ]
    with pytest.raises(KatoImportInvalid) as caught:
        import_kato(io.BytesIO(importer_csv(units)))
    assert [(e.row, e.field) for e in caught.value.report.errors] == [(5, "parent")]
    assert "A village cannot sit under a district" in caught.value.report.errors[0].message
    units[3] = ("113831100", "Г", "с.Катарколь", {"parent": "113831000"})
    import_kato(io.BytesIO(importer_csv(units)))
    assert AdminUnit.objects.get(kato="113831100").parent.kato == "113831000"


def test_as_of_refuses_an_ended_unit_coming_back_and_a_bad_date(tmp_path):
    first = tmp_path / "2021.csv"
    first.write_bytes(importer_csv(SHAPES))
    import_kato(first)
    second = tmp_path / "2022.csv"
    second.write_bytes(importer_csv(REFORM))
    import_kato(second, as_of=AS_OF)
    with pytest.raises(KatoImportInvalid) as caught:
        import_kato(first, as_of=datetime.date(2023, 1, 1))
    messages = [str(e) for e in caught.value.report.errors]
    assert "row 14: code: the unit 634000000 ended on 2022-06-07; a unit that ended does not start again" in messages
    with pytest.raises(CommandError, match="--as-of takes a date as YYYY-MM-DD, not 2022-13-01"):
        call_command("import_kato", str(second), "--as-of", "2022-13-01", stdout=io.StringIO())


def test_infer_kind_from_abbreviations():
    assert kato.infer_kind("350000000", None, "Карагандинская область") == Kind.REGION
    assert kato.infer_kind("750000000", None, "г.Алматы") == Kind.CITY_REPUBLICAN
    assert kato.infer_kind("351000000", Kind.REGION, "Караганда Г.А.") == Kind.CITY_REGIONAL
    assert kato.infer_kind("352000000", Kind.REGION, "Абайский район") == Kind.DISTRICT
    assert kato.infer_kind("352033000", Kind.DISTRICT, "п.Топар") == Kind.TOWNSHIP
    assert kato.infer_kind("352035000", Kind.DISTRICT, "Тест с.а.") == Kind.VILLAGE_ADMINISTRATION
    assert kato.infer_kind("352037000", Kind.DISTRICT, "Тест п.а.") == Kind.SETTLEMENT_ADMINISTRATION
    assert kato.infer_kind("352039000", Kind.DISTRICT, "Без пометки") == Kind.RURAL_DISTRICT
    assert kato.infer_kind("352031101", Kind.VILLAGE, "зим.Жайлау") == Kind.POINT
    assert kato.infer_kind("352031100", Kind.RURAL_DISTRICT, "п.Степной") == Kind.VILLAGE
    assert kato.ancestor_codes("113820100") == ["113820000", "113800000", "110000000"]
    assert kato.ancestor_codes("352031101") == ["352031100", "352031000", "352000000", "350000000"]


def test_a_synthetic_classifier_shaped_like_the_national_one_imports_and_reimports_unchanged(tmp_path):
    """Two regions and a city of the national generator (docs/PERFORMANCE.md times the whole)."""
    units = national(regions=2, cities=1)
    path = tmp_path / "national.csv"
    path.write_bytes(importer_csv(units))
    seen = []
    report = import_kato(
        path, progress=lambda done, total, phase: seen.append((done, total, phase)), progress_every=500
    )
    assert report.created == len(units) and not report.errors
    assert (500, len(units), "checked") in seen and (500, len(units), "written") in seen
    kinds = dict(AdminUnit.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert {Kind.POINT, Kind.CITY_DISTRICT, Kind.VILLAGE_ADMINISTRATION, Kind.SETTLEMENT_ADMINISTRATION} <= set(kinds)
    assert kinds[Kind.CITY_REPUBLICAN] == 1 and kinds[Kind.REGION] == 2
    assert AdminUnit.objects.filter(kind=Kind.VILLAGE, parent__kind=Kind.CITY_REGIONAL).exists()
    again = import_kato(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(units))
