"""Issue 17, point 8: bad nominations files give one clear error per bad cell (row and column),
write nothing and never a traceback: NUL, over-long text, huge numbers, decimals and non-ASCII digits
where a count is expected, files in Windows-1251 (read) or in an encoding that does not fit (named)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.models import AuditEvent
from registry import errors, importing
from registry.models import Candidacy, Person
from registry.services.bulk import MAX_COUNT

from .test_import import HEADER, csv_bytes, rejected, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def election_open(units, election, contest, nomination_time):
    return election


def _csv(rows, encoding="utf-8"):
    lines = [",".join(HEADER)] + [",".join(str(r.get(h, "")) for h in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def _nothing_written():
    assert not Person.objects.exists() and not Candidacy.objects.exists() and not AuditEvent.objects.exists()


def _refused(actor, election, data, filename="n.csv", **kw):
    with pytest.raises(errors.ImportRejected) as excinfo:
        importing.import_file(actor, election, data, filename, **kw)
    _nothing_written()
    return excinfo


BAD_CELLS = [
    ({"surname": "Ахме\x00тов"}, "text_has_nul", "Column surname"),
    ({"given_name": "Ерлан\x00"}, "text_has_nul", "Column given_name"),
    ({"surname": "А" * 101}, "too_long", "Column surname: 101 characters, at most 100."),
    ({"party": "P" * 301}, "too_long", "Column party: 301 characters, at most 300."),
    ({"signatures_submitted": str(2**63 + 1)}, "number_too_large", "Column signatures_submitted"),
    ({"signatures_submitted": str(MAX_COUNT + 1)}, "number_too_large", "larger than 2147483647"),
    ({"signatures_submitted": "20.5"}, "bad_number", "Column signatures_submitted: '20.5'"),
    ({"signatures_submitted": "20.0"}, "bad_number", "Column signatures_submitted: '20.0'"),
    ({"signatures_valid": "1e3"}, "bad_number", "Column signatures_valid"),
    ({"signatures_submitted": "٢٠"}, "bad_number", "digits 0-9"),  # Arabic-Indic
    ({"signatures_submitted": "２０"}, "bad_number", "digits 0-9"),  # fullwidth
    ({"signatures_submitted": "-5"}, "bad_number", "Column signatures_submitted"),
]


@pytest.mark.parametrize(("cells", "code", "text"), BAD_CELLS)
def test_a_bad_cell_is_named_by_row_and_column(election_open, tec35, cells, code, text):
    rows = [row(birth=datetime.date(1981, 1, 1)), row(**cells)]
    excinfo = _refused(tec35, election_open, _csv(rows))
    assert rejected(excinfo) == {2: [code]}
    (message,) = [e["message"] for r in excinfo.value.details["rows"] for e in r["errors"]]
    assert text in message


def test_the_boundaries_themselves_are_accepted(election_open, tec35):
    rows = [row(surname="А" * 100, signatures_submitted=str(MAX_COUNT), signatures_valid=str(MAX_COUNT))]
    report = importing.import_file(tec35, election_open, _csv(rows), "n.csv")
    assert report[0]["status"] == "ok"
    assert Candidacy.objects.get().signatures_submitted == MAX_COUNT


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([r.get(h, "") for h in HEADER])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_numbers_whole_are_counts_and_fractions_or_huge_ones_are_not(election_open, tec35):
    rows = [
        row(signatures_submitted=20.5),
        row(birth=datetime.date(1981, 1, 1), signatures_submitted=1e30),
        row(birth=datetime.date(1982, 1, 1), signatures_submitted=2**64),
    ]
    excinfo = _refused(tec35, election_open, _xlsx(rows), "n.xlsx")
    assert rejected(excinfo) == {1: ["bad_number"], 2: ["number_too_large"], 3: ["number_too_large"]}
    report = importing.import_file(tec35, election_open, _xlsx([row(signatures_submitted=20.0)]), "n.xlsx")
    assert report[0]["status"] == "ok" and Candidacy.objects.get().signatures_submitted == 20


def test_a_windows_1251_file_is_read_with_its_cyrillic_names(election_open, tec35):
    rows = [row(surname="Акмолинская", given_name="Карагандинская")]
    data = _csv(rows, "cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    report = importing.import_file(tec35, election_open, data, "n.csv")
    assert report[0]["status"] == "ok"
    assert Person.objects.get().surname == "Акмолинская"


def test_a_named_encoding_is_used_kazakh_letters_in_kz1048(election_open, tec35):
    data = _csv([row(surname="Қарағанды", given_name="Әлия", sex="F")], "kz1048")
    importing.import_file(tec35, election_open, data, "n.csv", encoding="kz1048")
    assert Person.objects.get().surname == "Қарағанды"


def test_an_encoding_that_does_not_fit_is_named_with_the_line(election_open, tec35):
    data = _csv([row(birth=datetime.date(1981, 1, 1)), row(surname="Акмолинская")], "cp1251")
    excinfo = _refused(tec35, election_open, data, encoding="utf-8")
    (error,) = excinfo.value.details["rows"][0]["errors"]
    assert error["code"] == "bad_encoding"
    assert "Line 2" in error["message"] and "utf-8" in error["message"]  # the first row's Cyrillic
    excinfo = _refused(tec35, election_open, data, encoding="no-such-encoding")
    assert "no-such-encoding" in excinfo.value.details["rows"][0]["errors"][0]["message"]


def test_a_field_over_the_csv_limit_is_a_clear_error(election_open, tec35):
    excinfo = _refused(tec35, election_open, _csv([row(surname="x" * 200_000)]))
    (error,) = excinfo.value.details["rows"][0]["errors"]
    assert error["code"] == "bad_csv" and "Line 2" in error["message"]


def test_the_command_prints_row_and_column_and_exits_non_zero(election_open, tec35, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    rows = [row(birth=datetime.date(1981, 1, 1)), row(surname="Ахме\x00тов")]
    path.write_bytes(_csv(rows))
    with pytest.raises(CommandError, match="import_rejected"):
        call_command("import_nominations", "--election", str(election_open.pk), "--file", str(path))
    err = capsys.readouterr().err
    assert "row 2: [text_has_nul] Column surname" in err and "Traceback" not in err
    _nothing_written()
    # in Windows-1251, a NUL makes the guess fail (the line is named) unless the encoding is named
    path.write_bytes(_csv(rows, "cp1251"))
    with pytest.raises(CommandError, match="import_rejected"):
        call_command("import_nominations", "--election", str(election_open.pk), "--file", str(path))
    assert "row 0: [bad_encoding] Line 2" in capsys.readouterr().err
    with pytest.raises(CommandError, match="import_rejected"):
        call_command(
            "import_nominations", "--election", str(election_open.pk), "--file", str(path), "--encoding", "cp1251"
        )
    assert "row 2: [text_has_nul] Column surname" in capsys.readouterr().err
    _nothing_written()
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_nominations", "--election", str(election_open.pk), "--file", str(tmp_path / "none.csv"))


def test_the_command_takes_an_encoding(election_open, tmp_path, capsys):
    path = tmp_path / "kz.csv"
    path.write_bytes(_csv([row(surname="Қарағанды")], "kz1048"))
    call_command("import_nominations", "--election", str(election_open.pk), "--file", str(path), "--encoding", "kz1048")
    assert Person.objects.get().surname == "Қарағанды"


def test_unchanged_helpers_still_write_utf8_with_bom(election_open, tec35):
    report = importing.import_file(tec35, election_open, csv_bytes([row()]), "n.csv")
    assert report[0]["status"] == "ok"
