"""Bulk import of nominations from CSV and XLSX: all or nothing, with a row report."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core import clock
from core.models import AuditEvent
from registry import importing
from registry.models import Candidacy, Person

from . import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["iin", "surname", "given_name", "unit_kato", "nomination_type", "party", "signatures_submitted",
          "signatures_valid", "deposit_paid", "education", "qualification", "qualification_checked_on"]  # fmt: skip


@pytest.fixture
def setup(units, election, contest, other_contest):
    f.party("Ak Zhol")
    f.contest(election, units["35-rd2"])
    return {"election": election, "contest": contest}


def row(unit_kato="352010000", nomination_type="self", party="", birth=datetime.date(1980, 5, 5), sex="M", **kw):
    values = {
        "iin": f.make_iin(birth, sex),
        "surname": "Ахметов",
        "given_name": "Ерлан",
        "unit_kato": unit_kato,
        "nomination_type": nomination_type,
        "party": party,
        "signatures_submitted": "20",
        "signatures_valid": "18",
        "deposit_paid": "yes",
        "education": "higher",
        "qualification": "passed",
        "qualification_checked_on": "2021-07-01",
    }
    values.update(kw)
    return values


def csv_bytes(rows, header=HEADER, sep=","):
    lines = [sep.join(header)] + [sep.join(str(r.get(h, "")) for h in header) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def xlsx_bytes(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rejected(excinfo):
    assert excinfo.value.code == "import_rejected"
    return {r["row"]: [e["code"] for e in r["errors"]] for r in excinfo.value.details["rows"]}


def test_csv_with_a_missing_column_is_refused(setup, tec35, nomination_time):
    data = csv_bytes([row()], header=[h for h in HEADER if h != "unit_kato"])
    with pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], data, "n.csv")
    assert rejected(excinfo) == {0: ["missing_columns"]}
    assert not Person.objects.exists()


def test_one_bad_row_rejects_the_whole_file_with_a_row_report(setup, tec35, nomination_time):
    good = row()
    rows = [
        good,
        row(iin="800505300000"),  # wrong check digit
        row(unit_kato="999999000"),  # no such contest
        row(nomination_type="party", party="Nope"),
        row(birth=datetime.date(1996, 7, 26)),  # 24 on election day
        row(iin=good["iin"]),  # the same person twice
        row(signatures_valid="abc"),
        row(education="phd"),
        row(unit_kato="392010000"),  # outside tec35's territory
    ]
    with pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], csv_bytes(rows), "n.csv")
    assert rejected(excinfo) == {
        2: ["iin_check_digit"],
        3: ["unknown_contest"],
        4: ["unknown_party"],
        5: ["not_eligible"],
        6: ["second_active_candidacy"],
        7: ["bad_number"],
        8: ["bad_education"],
        9: ["out_of_scope"],
    }
    assert not Person.objects.exists() and not Candidacy.objects.exists() and not AuditEvent.objects.exists()


def test_party_twice_in_one_contest_within_the_file(setup, tec35, nomination_time):
    rows = [row(nomination_type="party", party="Ak Zhol"), row(nomination_type="party", party="Ak Zhol")]
    with pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], csv_bytes(rows, sep=";"), "n.csv")
    assert rejected(excinfo) == {2: ["party_already_nominated"]}


def test_csv_import_writes_every_row_and_its_audit_record(setup, tec35, nomination_time):
    rows = [row(), row(sex="F", nomination_type="party", party="Ak Zhol"), row(unit_kato="352020000")]
    report = importing.import_file(tec35, setup["election"], csv_bytes(rows), "n.csv")
    assert [r["status"] for r in report] == ["ok"] * 3
    assert Candidacy.objects.filter(status="nominated").count() == 3
    woman = Person.objects.get(iin=rows[1]["iin"])
    assert woman.sex == "F" and woman.birth_date == datetime.date(1980, 5, 5)
    assert AuditEvent.objects.filter(action="registry.nominate").count() == 3
    from core.audit import verify_chain

    assert verify_chain() == (3, None)
    # The same file again: every row is now a second active candidacy.
    with pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], csv_bytes(rows), "n.csv")
    assert set(rejected(excinfo)) == {1, 2, 3}


def test_xlsx_import_with_register(setup, tec35, nomination_time):
    rows = [row(), row(unit_kato="352020000")]
    report = importing.import_file(tec35, setup["election"], xlsx_bytes(rows), "n.xlsx", register=True)
    assert len(report) == 2
    assert Candidacy.objects.filter(status="registered").count() == 2


def test_xlsx_register_failure_rolls_back_the_nominations(setup, tec35, nomination_time):
    rows = [row(), row(unit_kato="352020000", deposit_paid="no")]
    with pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], xlsx_bytes(rows), "n.xlsx", register=True)
    assert excinfo.value.code == "import_rejected"
    assert not Candidacy.objects.exists() and not Person.objects.exists()


def test_import_after_the_deadline(setup, tec35):
    with clock.frozen(f.at(datetime.date(2021, 7, 9), 18)), pytest.raises(Exception) as excinfo:
        importing.import_file(tec35, setup["election"], csv_bytes([row()]), "n.csv")
    assert rejected(excinfo) == {1: ["nomination_deadline_passed"]}


def test_bad_files(setup, tec35, nomination_time):
    for data, name, code in [
        (b"", "n.csv", "empty"),
        (b"\xff\xfe\x00bad", "n.csv", "bad_encoding"),
        (b"not a zip", "n.xlsx", "bad_file"),
        (b"x", "n.pdf", "bad_format"),
    ]:
        with pytest.raises(Exception) as excinfo:
            importing.import_file(tec35, setup["election"], data, name)
        assert rejected(excinfo) == {0: [code]}


def test_management_command(setup, tmp_path, nomination_time, capsys):
    path = tmp_path / "n.csv"
    path.write_bytes(csv_bytes([row(iin="1")]))
    with pytest.raises(CommandError):
        call_command("import_nominations", election=setup["election"].pk, file=str(path))
    path.write_bytes(csv_bytes([row()]))
    call_command("import_nominations", election=setup["election"].pk, file=str(path), user="")
    assert Candidacy.objects.count() == 1
