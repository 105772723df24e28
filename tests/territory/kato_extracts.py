"""Builders of KATO extracts for the importer tests: the importer's CSV and the statistics office's
export (CSV or XLSX), in UTF-8 (with or without a BOM) or cp1251, and a national-size synthetic
classifier shaped like the real one (irregular nesting)."""

import csv
import io
import random

from openpyxl import Workbook

from territory import kato

STAT_HEADER = ["te", "ab", "cd", "ef", "hij", "k", "kaz_name", "rus_name", "nn"]


def importer_csv(units, delimiter=",", encoding="utf-8", columns=("code", "name_kk", "name_ru")):
    """`units`: [(code, name_kk, name_ru, extra {column: value})]; bytes of the importer's CSV."""
    out = io.StringIO()
    extra_columns = sorted({name for *_rest, extra in units for name in extra})
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([*columns, *extra_columns])
    for code, name_kk, name_ru, extra in units:
        writer.writerow([code, name_kk, name_ru, *(extra.get(name, "") for name in extra_columns)])
    return out.getvalue().encode(encoding)


def _level(code):
    return len(kato.code_prefix(code))


def stat_rows(units):
    return [
        [code, code[:2], code[2:4], code[4:6], code[6:], _level(code), name_kk, name_ru, number]
        for number, (code, name_kk, name_ru, _extra) in enumerate(units, start=1)
    ]


def stat_csv(units, delimiter=";", encoding="utf-8"):
    """The statistics office's export saved as CSV (semicolons, as a spreadsheet saves it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(STAT_HEADER)
    writer.writerows(stat_rows(units))
    return out.getvalue().encode(encoding)


def stat_xlsx(units, title="КАТО"):
    """The statistics office's export as XLSX: a title line, then the header, codes as numbers."""
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(STAT_HEADER)
    for row in stat_rows(units):
        sheet.append([int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]), *row[5:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(units, fmt, encoding="utf-8"):
    """Bytes of the extract in `fmt` ("importer", "stat_csv" or "stat_xlsx")."""
    if fmt == "importer":
        return importer_csv(units, encoding=encoding)
    if fmt == "stat_csv":
        return stat_csv(units, encoding=encoding)
    return stat_xlsx(units)


def national(seed=2022, regions=17, cities=3):
    """A synthetic national classifier of about 16,000 units shaped like the real one: regions with
    districts and city administrations; rural districts, village and settlement administrations;
    towns directly under their district (no rural district between: 11 38 20 100); villages directly
    under a city administration; cities of republican significance with districts of third-level
    codes; points below some villages. Returns [(code, name_kk, name_ru, {})]."""
    rng = random.Random(seed)
    units = []

    def add(code, ru, kk=None):
        units.append((code, kk if kk is not None else ru.replace("р-н", "ауданы"), ru, {}))

    region_codes = [10, 11, 15, 19, 23, 27, 31, 33, 35, 39, 43, 47, 48, 55, 59, 61, 62][:regions]
    for ab in region_codes:
        add(f"{ab}0000000", f"Область {ab}", f"{ab} облысы")
        districts = rng.randint(9, 13)
        for d in range(districts):
            cd = 10 + 2 * d
            if d < 2:  # city administrations: villages and townships directly under them
                add(f"{ab}{cd}00000", f"Город {ab}{cd} Г.А.")
                for v in range(rng.randint(2, 6)):
                    add(f"{ab}{cd}00{200 + 2 * v:03d}", f"с.Пригород {ab}{cd}{v}")
                add(f"{ab}{cd}03000", f"п.Рабочий {ab}{cd}")
                continue
            add(f"{ab}{cd}00000", f"Район {ab}{cd} р-н")
            add(f"{ab}{cd}20100", f"г.Райцентр {ab}{cd}")  # a town right under its district
            for r in range(rng.randint(12, 18)):
                ef = 30 + 2 * r
                marker = rng.choice(["с.о.", "с.о.", "с.о.", "с.а.", "п.а."])
                add(f"{ab}{cd}{ef}000", f"Округ {ab}{cd}{ef} {marker}")
                for v in range(rng.randint(3, 7)):
                    village = f"{ab}{cd}{ef}{1 + v}00"
                    add(village, f"с.Село {village}")
                    if rng.random() < 0.08:  # winter pastures below the village
                        for p in range(rng.randint(1, 3)):
                            add(f"{village[:7]}{p + 1:02d}", f"зим.Точка {village}{p}")
    for ab in (71, 75, 79)[:cities]:
        add(f"{ab}0000000", f"г.Город {ab}")
        for d in range(rng.randint(4, 8)):
            add(f"{ab}{11 + d}10000", f"Район {ab}{d} р-н")
    return units
