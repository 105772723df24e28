"""Exports: CSV streamed and scoped, XLSX readable, the printable results protocol."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from results.aggregation import recompute
from results.services import certify_protocol, save_entry

from .factories import member, user
from .helpers import verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world):
    certify_protocol(verified(world), world.tec)
    # Station 2 has its own precinct commission: two of its clerks enter the same figures.
    a = member(user("p2-clerk-a"), world.precinct2, "clerk")
    b = member(user("p2-clerk-b"), world.precinct2, "clerk")
    values = world.values(voters="800")
    save_entry(world.protocol2, a, values, finish=True)
    save_entry(world.protocol2, b, values, finish=True)
    certify_protocol(world.protocol2, world.tec)
    recompute(world.election)
    return world


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_exports_need_staff(client, counted):
    for target in (
        reverse("results_reports:csv", args=[counted.election.pk, "contests"]),
        reverse("results_reports:xlsx", args=[counted.election.pk]),
        reverse("results_reports:protocol", args=[counted.contest.pk]),
    ):
        assert client.get(target).status_code == 302
        client.force_login(counted.clerk1)
        assert client.get(target).status_code == 302
        client.logout()


def test_unknown_table_is_404(client, counted):
    client.force_login(counted.cec)
    assert client.get(reverse("results_reports:csv", args=[counted.election.pk, "secrets"])).status_code == 404


def test_contests_csv_is_scoped_to_the_users_territory(client, counted):
    client.force_login(counted.tec)
    rows = read_csv(client.get(reverse("results_reports:csv", args=[counted.election.pk, "contests"])))
    body = rows[1:]
    assert len(body) == 2  # one contest (Karaganda), two bases
    assert {r[0] for r in body} == {counted.rural.kato}
    official = next(r for r in body if r[5] == "official")  # the basis's code; its label is in r[4]
    assert official[4] == "official (certified protocols)"
    assert official[7] == "1500"  # ballots issued
    assert official[13] == "2"  # protocols counted
    client.force_login(counted.cec)
    rows = read_csv(client.get(reverse("results_reports:csv", args=[counted.election.pk, "contests"])))
    assert len(rows) - 1 == 4


def test_candidates_csv_has_the_votes(client, counted):
    client.force_login(counted.cec)
    rows = read_csv(client.get(reverse("results_reports:csv", args=[counted.election.pk, "candidates"])))
    official = [r for r in rows[1:] if r[3] == "official" and r[0] == counted.rural.kato]
    assert sorted(int(r[8]) for r in official) == [240, 400, 800]
    assert {(r[5], r[6]) for r in official} == {("self-nominated", "self")}


def test_turnout_csv_for_a_district_hides_the_national_rows(client, counted):
    client.force_login(counted.tec)
    rows = read_csv(client.get(reverse("results_reports:csv", args=[counted.election.pk, "turnout"])))
    levels = {r[3] for r in rows[1:]}  # the level's code; its label is in r[2]
    assert "election" not in levels and "region" not in levels
    assert "district" in levels


def test_xlsx_has_three_sheets_with_numbers(client, counted):
    client.force_login(counted.cec)
    response = client.get(reverse("results_reports:xlsx", args=[counted.election.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["contests", "candidates", "turnout"]
    contests = list(workbook["contests"].iter_rows(values_only=True))
    assert len(contests) == 1 + 4
    official = next(r for r in contests[1:] if r[0] == counted.rural.kato and r[5] == "official")
    assert official[7] == 1500  # 750 ballots issued at each of the two stations
    assert isinstance(official[8], float)


def test_printable_protocol_lists_figures_votes_and_outcome(client, counted):
    client.force_login(counted.tec)
    response = client.get(reverse("results_reports:protocol", args=[counted.contest.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "results/print.css" in html and 'media="print"' in html
    assert "Ахметов" in html and "800" in html
    assert response.context["result"].outcome == "elected"
    assert response.context["result"].winner_id == counted.c1.pk


def test_protocol_of_a_contest_outside_the_territory_is_404(client, counted):
    client.force_login(counted.tec)
    response = client.get(reverse("results_reports:protocol", args=[counted.other_contest.pk]))
    assert response.status_code == 404


def test_xlsx_continues_on_a_new_sheet_when_one_is_full(client, counted, monkeypatch):
    from results import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # header + 2 rows per sheet
    client.force_login(counted.cec)
    response = client.get(reverse("results_reports:xlsx", args=[counted.election.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames[:2] == ["contests", "contests (2)"]
    rows = [r for name in ("contests", "contests (2)") for r in list(workbook[name].iter_rows(values_only=True))[1:]]
    assert len(rows) == 4
    header = list(workbook["contests"].iter_rows(values_only=True))[0]
    assert list(workbook["contests (2)"].iter_rows(values_only=True))[0] == header


def test_names_are_never_exported_as_formulas(client, counted):
    counted.c1.person.__class__.objects.filter(pk=counted.c1.person_id).update(surname="=HYPERLINK(1)")
    client.force_login(counted.cec)
    rows = read_csv(client.get(reverse("results_reports:csv", args=[counted.election.pk, "candidates"])))
    names = [r[4] for r in rows[1:]]
    assert "'=HYPERLINK(1) Test" in names
    assert not any(n.startswith("=") for n in names)
    response = client.get(reverse("results_reports:xlsx", args=[counted.election.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [r[4] for r in list(workbook["candidates"].iter_rows(values_only=True))[1:]]
    assert "'=HYPERLINK(1) Test" in cells


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_csv_and_xlsx(client, counted, start):
    """Issue 17, point 3: each character a spreadsheet reads as the start of a formula, in both exports."""
    surname = f"{start}cmd|' /C calc'!A0"
    counted.c1.person.__class__.objects.filter(pk=counted.c1.person_id).update(surname=surname)
    unit = counted.protocol.contest.unit
    unit.__class__.objects.filter(pk=unit.pk).update(name_ru=f"{start}1+1")
    client.force_login(counted.cec)
    response = client.get(reverse("results_reports:csv", args=[counted.election.pk, "candidates"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))  # keeps a CR inside a cell as it is
    assert f"'{surname} Test" in [r[4] for r in rows[1:]]
    assert f"'{start}1+1" in [r[1] for r in rows[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("results_reports:xlsx", args=[counted.election.pk])).streaming_content)),
        read_only=True,
    )
    candidates = list(workbook["candidates"].iter_rows(values_only=True))[1:]
    # (an XML parser reads a CR back as LF: what matters is the apostrophe before it)
    assert f"'{surname} Test".replace("\r", "\n") in [r[4] for r in candidates]
    texts = [
        c for sheet in workbook.worksheets for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)
    ]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in texts)
    # numbers stay numbers in the workbook
    assert all(isinstance(r[8], int) for r in candidates)
