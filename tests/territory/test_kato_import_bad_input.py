"""Issue 17, point 8: import_kato with bad input gives one clear line per error naming the row and the
column, writes nothing and exits non-zero, never a traceback: NUL bytes, over-long names, codes with a
huge number, a decimal point or non-ASCII digits, Windows-1251 files (read) and files in an encoding
that does not fit (named)."""

import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from territory.models import AdminUnit

pytestmark = pytest.mark.django_db

HEADER = "code,name_kk,name_ru\n"
REGION = "390000000,Қостанай облысы,Костанайская область\n"


def _snapshot():
    return list(AdminUnit.objects.order_by("kato").values_list("kato", "kind", "name_kk", "name_ru"))


def _run(path, *args):
    err, out = io.StringIO(), io.StringIO()
    try:
        call_command("import_kato", str(path), *args, stderr=err, stdout=out)
    except CommandError as error:
        return False, err.getvalue() + str(error)
    return True, out.getvalue()


def _refused(tmp_path, data, *args):
    path = tmp_path / "kato.csv"
    path.write_bytes(data)
    before, events = _snapshot(), AuditEvent.objects.count()
    ok, output = _run(path, *args)
    assert not ok and "Traceback" not in output
    assert _snapshot() == before and AuditEvent.objects.count() == events
    return output


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("392000000,Абай\x00 ауданы,Абайский район\n", "row 3: name_kk: contains a NUL character"),
        ("392000000,Абай ауданы,Абайский\x00 район\n", "row 3: name_ru: contains a NUL character"),
        ("3920000\x0000,A,B\n", "row 3: code: contains a NUL character"),
        (
            "392000000,A," + "Б" * 201 + "\n",
            "row 3: name_ru: Ensure this value has at most 200 characters (it has 201)",
        ),
        (f"{2**63 + 1},A,B\n", "row 3: code: A KATO code has exactly 9 digits."),
        ("39200.000,A,B\n", "row 3: code: A KATO code has digits only."),
        ("٣٩٢٠٠٠٠٠٠,A,B\n", "row 3: code: A KATO code has digits only."),  # Arabic-Indic digits
        ("３９２００００００,A,B\n", "row 3: code: A KATO code has digits only."),  # fullwidth digits
    ],
)
def test_a_bad_cell_is_named_by_row_and_column(tmp_path, world, line, expected):
    output = _refused(tmp_path, (HEADER + REGION + line).encode("utf-8"))
    assert expected in output
    assert "row 2:" not in output  # the good row is not blamed
    assert not AdminUnit.objects.filter(kato="390000000").exists()


def test_the_boundary_length_is_accepted(tmp_path, world):
    path = tmp_path / "kato.csv"
    path.write_bytes((HEADER + REGION.replace("Костанайская область", "Б" * 200)).encode())
    ok, _out = _run(path)
    assert ok and AdminUnit.objects.get(kato="390000000").name_ru == "Б" * 200


def test_a_windows_1251_file_is_read(tmp_path, world):
    path = tmp_path / "kato.csv"
    path.write_bytes((HEADER + "390000000,Костанай облысы,Акмолинская область\n").encode("cp1251"))
    ok, output = _run(path)
    assert ok, output
    assert AdminUnit.objects.get(kato="390000000").name_ru == "Акмолинская область"


def test_kazakh_letters_in_kz1048_with_the_encoding_named(tmp_path, world):
    path = tmp_path / "kato.csv"
    path.write_bytes((HEADER + "390000000,Қарағанды облысы,Карагандинская область\n").encode("kz1048"))
    ok, output = _run(path, "--encoding", "kz1048")
    assert ok, output
    assert AdminUnit.objects.get(kato="390000000").name_kk == "Қарағанды облысы"


def test_an_encoding_that_does_not_fit_is_named_with_the_line(tmp_path, world):
    data = (HEADER + "390000000,Kostanai,Акмолинская область\n").encode("cp1251")
    output = _refused(tmp_path, data, "--encoding", "utf-8")
    assert "row 2: encoding: Line 2: byte 0xc0 cannot be read as utf-8" in output
    output = _refused(tmp_path, "\ufeffcode,name_kk,name_ru\n".encode("utf-16"))
    assert "encoding: Line 1" in output and "UTF-8 / cp1251" in output
    output = _refused(tmp_path, data, "--encoding", "no-such-encoding")
    assert "no-such-encoding" in output


def test_a_field_over_the_csv_limit_and_a_missing_file(tmp_path, world):
    output = _refused(tmp_path, (HEADER + "390000000,A," + "Б" * 200_000 + "\n").encode())
    assert "row 2: file: field larger than field limit" in output
    ok, output = _run(tmp_path / "none.csv")
    assert not ok and "No such file" in output
