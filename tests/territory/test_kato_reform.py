"""The 2022 territorial reform loaded over a 2021 election: `import_kato --as-of 2022-06-08` forms the
Abai (10), Zhetisu (33) and Ulytau (62) regions; the 2021 election's registry statistics, results and
exports stay as they were, while the territory of 2023 shows the new regions."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from core import clock
from registry.stats import election_stats
from results.aggregation import recompute
from results.models import ContestResult, Protocol, TurnoutRollup
from results.services import certify_protocol, create_protocols_for_contest, save_entry
from territory.models import AdminUnit, AdminUnitVersion, Commission, PollingStation
from territory.selectors import units_on

from ..results.factories import COUNTING, World, member, unit, user
from ..results.helpers import verified
from .kato_extracts import importer_csv

pytestmark = pytest.mark.django_db

ELECTION_DAY = datetime.date(2021, 7, 25)
AS_OF = "2022-06-08"


@pytest.fixture
def election_2021(db):
    """The results tests' world (Karaganda 35 with the Abai district and its contest, Akmola 11),
    plus East Kazakhstan (63) and Almaty (19) regions with a district each; counted and certified."""
    with clock.frozen(COUNTING):
        w = World()
        w.east = unit("630000000", "region", name="Восточно-Казахстанская область")
        w.ayagoz = unit("634000000", "district", w.east, "Аягозский район")
        w.almaty = unit("190000000", "region", name="Алматинская область")
        w.aksu = unit("194000000", "district", w.almaty, "Аксуский район")
        create_protocols_for_contest(w.contest, w.cec)
        create_protocols_for_contest(w.other_contest, w.cec)
        w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
        w.protocol2 = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
        certify_protocol(verified(w), w.tec)
        a = member(user("p2-clerk-a"), w.precinct2, "clerk")
        b = member(user("p2-clerk-b"), w.precinct2, "clerk")
        values = w.values(voters="800")
        save_entry(w.protocol2, a, values, finish=True)
        save_entry(w.protocol2, b, values, finish=True)
        certify_protocol(w.protocol2, w.tec)
        recompute(w.election)
    return w


def _extract_2022():
    """The 2022 classifier of the same territory (the names of the units that stay are those of the
    2021 world): the Abai district (with the election's rural
    district and village) moves from Karaganda to the new Ulytau region with new codes; Ayagoz
    district to the new Abai region, Aksu district to the new Zhetisu region; the Akmola region and
    the other contest's rural district are renamed."""
    return [
        ("110000000", "Акмолинская обл.", "Акмолинская обл.", {}),
        ("112000000", "112000000", "112000000", {}),
        ("112030000", "Новый с.о.", "Новый с.о.", {}),
        ("350000000", "Карагандинская область", "Карагандинская область", {}),
        ("620000000", "Ұлытау облысы", "Улытауская область", {}),
        ("622000000", "Абай ауданы", "Абайский район", {}),
        ("622030000", "А ауылдық округі", "Сельский округ А", {}),
        ("622030100", "А ауылы", "Село А", {}),
        ("630000000", "Восточно-Казахстанская область", "Восточно-Казахстанская область", {}),
        ("100000000", "Абай облысы", "Абайская область", {}),
        ("104000000", "Аягөз ауданы", "Аягозский район", {}),
        ("190000000", "Алматинская область", "Алматинская область", {}),
        ("330000000", "Жетісу облысы", "Жетысуская область", {}),
        ("334000000", "Ақсу ауданы", "Аксуский район", {}),
    ]


def _exports(client, election):
    tables = {}
    for table in ("contests", "candidates", "turnout"):
        response = client.get(reverse("results_reports:csv", args=[election.pk, table]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        # the computed_at column of the contests table is the time of the last run
        tables[table] = [row[:-1] for row in rows] if table == "contests" else rows
    return tables


def _results(election):
    contests = list(
        ContestResult.objects.filter(election=election)
        .order_by("unit_id", "basis")
        .values_list("unit_id", "region_id", "district_id", "basis", "ballots_issued", "valid", "winner_id")
    )
    turnout = list(
        TurnoutRollup.objects.filter(election=election)
        .order_by("level", "unit_id", "basis")
        .values_list("level", "unit_id", "basis", "registered_voters", "ballots_issued", "turnout_percent")
    )
    return contests, turnout


def _references():
    return (
        list(PollingStation.objects.order_by("pk").values_list("pk", "unit_id", "region_id", "district_id")),
        list(Commission.objects.order_by("pk").values_list("pk", "unit_id")),
    )


def test_the_2021_election_keeps_its_map_after_the_2022_reform(tmp_path, client, election_2021):
    w = election_2021
    client.force_login(w.cec)
    stats_before, exports_before = election_stats(w.election), _exports(client, w.election)
    results_before, references_before = _results(w.election), _references()
    assert stats_before["by_region"]["11"]["name"] == "Акмолинская область"
    assert [row[1] for row in exports_before["contests"][1:]] == ["112030000"] * 2 + ["Сельский округ А"] * 2
    path = tmp_path / "kato-2022.csv"
    path.write_bytes(importer_csv(_extract_2022()))

    out = io.StringIO()
    call_command("import_kato", str(path), "--as-of", AS_OF, stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines()[-1] == (
        "14 rows: 8 created, 2 updated, 4 unchanged; as of 2022-06-08: 5 ended, 2 kept as dated versions"
    )
    with clock.frozen(COUNTING):
        recompute(w.election)  # the nightly run over the new territory
    assert election_stats(w.election) == stats_before
    assert _exports(client, w.election) == exports_before
    assert _results(w.election) == results_before
    assert _references() == references_before
    w.contest.refresh_from_db()
    assert w.contest.unit_id == w.rural.pk  # nothing an election refers to moved

    on_2021 = set(AdminUnit.objects.as_of(ELECTION_DAY).regions().values_list("kato", flat=True))
    on_2023 = set(AdminUnit.objects.as_of(datetime.date(2023, 1, 1)).regions().values_list("kato", flat=True))
    assert on_2021 == {"110000000", "350000000", "630000000", "190000000"}
    assert on_2023 == on_2021 | {"100000000", "330000000", "620000000"}
    rural_2023 = AdminUnit.objects.as_of(datetime.date(2023, 1, 1)).get(name_ru="Сельский округ А")
    assert (rural_2023.kato, rural_2023.region.kato, rural_2023.district.kato) == (
        "622030000",
        "620000000",
        "622000000",
    )
    akmola = AdminUnit.objects.get(kato="110000000")
    assert akmola.name_ru == "Акмолинская обл."
    assert units_on([akmola], ELECTION_DAY)[akmola.pk].name_ru == "Акмолинская область"
    assert AdminUnitVersion.objects.count() == 2

    # the same file again changes nothing
    again = io.StringIO()
    call_command("import_kato", str(path), "--as-of", AS_OF, stdout=again, stderr=io.StringIO())
    assert again.getvalue().splitlines()[-1] == (
        "14 rows: 0 created, 0 updated, 14 unchanged; as of 2022-06-08: 0 ended, 0 kept as dated versions"
    )


def test_the_dashboard_and_the_printable_protocol_show_the_election_days_names(client, election_2021, tmp_path):
    w = election_2021
    client.force_login(w.cec)
    page = reverse("results_reports:election", args=[w.election.pk])
    before = client.get(page)
    regions_before = [(row["kato"], row["name"]) for row in before.context["children"]]
    assert ("110000000", "Акмолинская область") in regions_before
    path = tmp_path / "kato-2022.csv"
    path.write_bytes(importer_csv(_extract_2022()))
    call_command("import_kato", str(path), "--as-of", AS_OF, stdout=io.StringIO(), stderr=io.StringIO())

    after = client.get(page)
    assert [(row["kato"], row["name"]) for row in after.context["children"]] == regions_before
    assert "Акмолинская обл." not in after.content.decode()
    protocol = client.get(reverse("results_reports:protocol", args=[w.other_contest.pk]))
    assert protocol.context["contest"].unit.name_ru == "112030000"
    assert AdminUnit.objects.get(pk=w.other_contest.unit_id).name_ru == "Новый с.о."


def test_the_api_shows_the_election_days_names(client, election_2021, tmp_path):
    from api import rows
    from registry.models import Contest

    path = tmp_path / "kato-2022.csv"
    path.write_bytes(importer_csv(_extract_2022()))
    call_command("import_kato", str(path), "--as-of", AS_OF, stdout=io.StringIO(), stderr=io.StringIO())
    queryset = rows.dated_unit_names(
        Contest.objects.filter(pk=election_2021.other_contest.pk), "unit", "election__election_day"
    )
    row = queryset.values(*rows.unit_columns("unit"), *rows.dated_unit_columns("unit")).get()
    assert row["unit__name_ru"] == "Новый с.о."
    assert rows.unit_brief(row, "unit")["name"] == "112030000"  # the name of 25 July 2021


def test_the_api_turnout_and_results_name_the_units_of_the_election_day(election_2021, tmp_path):
    from rest_framework.test import APIClient

    from api import tokens

    from ..api import factories as api_factories

    auditor = api_factories.user("auditor", auditor=True)
    staff = api_factories.user("cec-staff", staff=True, superuser=True)
    _token, raw = tokens.issue_token(auditor, staff, 365)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    path = tmp_path / "kato-2022.csv"
    path.write_bytes(importer_csv(_extract_2022()))
    call_command("import_kato", str(path), "--as-of", AS_OF, stdout=io.StringIO(), stderr=io.StringIO())
    election = election_2021.election

    with translation.override("ru"):
        turnout = api.get(f"/api/v1/turnout/?election={election.pk}&level=region", HTTP_ACCEPT_LANGUAGE="ru")
        results = api.get(f"/api/v1/results/?election={election.pk}&basis=official", HTTP_ACCEPT_LANGUAGE="ru")
    assert turnout.status_code == 200 and results.status_code == 200
    regions = {row["unit"]["kato"]: row["unit"]["name"] for row in turnout.json()["results"]}
    assert regions["110000000"] == "Акмолинская область"
    units = {row["unit"]["kato"]: row["unit"]["name"] for row in results.json()["results"]}
    assert units["112030000"] == "112030000"
    one = api.get(f"/api/v1/results/{results.json()['results'][0]['id']}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert one.json()["unit"]["name"] == units[one.json()["unit"]["kato"]]
