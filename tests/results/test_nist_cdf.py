"""The NIST SP 1500-100 v2 export (results/nist_cdf/, `export_results`, the API's nist-cdf action):
valid against NIST's schema, totals equal to the result tables, statuses, deterministic, streamed,
scoped to the token's territory, and the command's bad input."""

import json

import jsonschema
import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from api import tokens
from registry.models import Contest, Election
from results.aggregation import recompute
from results.models import Basis, CandidateResult, ContestResult, Protocol, TurnoutRollup
from results.nist_cdf import SCHEMA_PATH, Report, election_report
from results.services import certify_protocol, create_protocols_for_contest, save_entry
from territory.scope import Scope
from tests.api.factories import user as api_user

from .factories import World, candidacy, member, station, unit, user
from .helpers import verified

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def report(election, **kw):
    return "".join(election_report(election, **kw))


def parsed(election, **kw):
    data = json.loads(report(election, **kw))
    VALIDATOR.validate(data)
    return data


def enter_station2(w, certify=False):
    a = member(user("p2-clerk-a"), w.precinct2, "clerk")
    b = member(user("p2-clerk-b"), w.precinct2, "clerk")
    values = w.values(voters="800", issued_station="600", unused="340", found_stationary="600")
    values["votes"] = {str(w.c1.pk): "300", str(w.c2.pk): "200", str(w.c3.pk): "120"}
    save_entry(w.protocol2, a, values, finish=True)
    save_entry(w.protocol2, b, values, finish=True)
    if certify:
        certify_protocol(Protocol.objects.get(pk=w.protocol2.pk), w.tec)


@pytest.fixture
def counted(world):
    """Station 1 certified, station 2 verified (not certified), Akmola's station not entered."""
    certify_protocol(verified(world), world.tec)
    enter_station2(world)
    recompute(world.election)
    return world


def by_id(items):
    return {item["@id"]: item for item in items}


def vote_counts(selection):
    return {c["GpUnitId"]: c["Count"] for c in selection["VoteCounts"]}


def station_gpu(w, s):
    return f"gpu-{w.district.kato}-{s.number}"


# Validity and content ---------------------------------------------------------------------------


def test_the_schema_is_nists_draft_4_and_refuses_a_broken_report():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert (SCHEMA_PATH.parent / "LICENSE.md").read_bytes().startswith(b"# National Institute of Standards")
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate({"@type": "ElectionResults.ElectionReport", "Format": "precinct-level"})


def test_the_report_is_valid_and_describes_the_election(counted):
    data = parsed(counted.election)
    assert data["Format"] == "precinct-level"
    assert data["VendorApplicationId"] == "electadmin"
    (election,) = data["Election"]
    assert election["StartDate"] == election["EndDate"] == "2021-07-25"
    assert election["Type"] == "general"
    assert election["ElectionScopeId"] == "gpu-kz"
    assert {(t["Language"], t["Content"]) for t in election["Name"]["Text"]} == {
        ("kk", "Ауыл әкімдерінің сайлауы"),
        ("ru", "Выборы акимов сельских округов"),
    }
    contests = by_id(election["Contest"])
    assert set(contests) == {f"con-{counted.contest.pk}", f"con-{counted.other_contest.pk}"}
    contest = contests[f"con-{counted.contest.pk}"]
    assert contest["@type"] == "ElectionResults.CandidateContest"
    assert contest["VotesAllowed"] == contest["NumberElected"] == 1
    assert contest["VoteVariation"] == "plurality"
    assert contest["ElectionDistrictId"] == f"gpu-{counted.rural.kato}"
    # The ballot: registered candidacies only (the withdrawn one is not on it), in id order.
    selections = contest["ContestSelection"]
    assert [s["CandidateIds"] for s in selections] == [[f"can-{c.pk}"] for c in (counted.c1, counted.c2, counted.c3)]
    candidates = by_id(election["Candidate"])
    assert f"can-{counted.withdrawn.pk}" not in candidates
    assert candidates[f"can-{counted.c1.pk}"]["BallotName"]["Text"][0]["Content"] == "Ахметов Test"
    assert candidates[f"can-{counted.c1.pk}"]["PreElectionStatus"] == "qualified"


def test_units_are_the_kato_hierarchy_down_to_the_polling_stations(counted):
    data = parsed(counted.election)
    units = by_id(data["GpUnit"])
    w = counted
    assert list(units)[:2] == ["gpu-kz", "gpu-110000000"]  # the country, then units by KATO, then stations
    assert units["gpu-kz"]["Type"] == "country"
    assert units["gpu-kz"]["ComposingGpUnitIds"] == ["gpu-110000000", "gpu-350000000"]
    assert units["gpu-350000000"]["ComposingGpUnitIds"] == ["gpu-352000000"]
    assert units[f"gpu-{w.rural.kato}"]["ComposingGpUnitIds"] == [f"gpu-{w.village.kato}", station_gpu(w, w.station)]
    assert units[f"gpu-{w.village.kato}"]["ComposingGpUnitIds"] == [station_gpu(w, w.station2)]
    rural = units[f"gpu-{w.rural.kato}"]
    assert rural["ExternalIdentifier"] == [
        {"@type": "ElectionResults.ExternalIdentifier", "OtherType": "kato", "Type": "other", "Value": "352030000"}
    ]
    assert (rural["Type"], rural["OtherType"]) == ("other", "rural_district")
    assert units[f"gpu-{w.village.kato}"]["Type"] == "village"
    assert units[station_gpu(w, w.station)]["Type"] == "precinct"
    assert units[station_gpu(w, w.station)]["Number"] == "1"


def test_unit_names_are_those_of_the_election_day(counted):
    from territory.models import AdminUnitVersion

    AdminUnitVersion.objects.create(
        unit=counted.rural,
        valid_to=counted.election.election_day,
        kind="rural_district",
        parent=counted.district,
        name_kk="Ескі округ",
        name_ru="Старый округ",
        name_en="Old district",
    )
    data = parsed(counted.election)
    rural = by_id(data["GpUnit"])[f"gpu-{counted.rural.kato}"]
    assert [(t["Language"], t["Content"]) for t in rural["Name"]["Text"]] == [
        ("kk", "Ескі округ"),
        ("ru", "Старый округ"),
        ("en", "Old district"),
    ]
    contest = by_id(data["Election"][0]["Contest"])[f"con-{counted.contest.pk}"]
    assert contest["Name"] == "Ескі округ"


def test_totals_equal_the_result_tables_and_the_sum_of_the_stations(counted):
    w = counted
    data = parsed(w.election)
    contest = by_id(data["Election"][0]["Contest"])[f"con-{w.contest.pk}"]
    rural, s1, s2 = f"gpu-{w.rural.kato}", station_gpu(w, w.station), station_gpu(w, w.station2)
    expected = {w.c1.pk: (400, 300), w.c2.pk: (200, 200), w.c3.pk: (120, 120)}
    for selection in contest["ContestSelection"]:
        pk = int(selection["CandidateIds"][0].removeprefix("can-"))
        counts = vote_counts(selection)
        table = CandidateResult.objects.get(candidacy_id=pk, basis=Basis.PRELIMINARY).votes
        assert (counts[s1], counts[s2]) == expected[pk]
        assert counts[rural] == table == sum(expected[pk])
        assert {c["Type"] for c in selection["VoteCounts"]} == {"total"}
    ballots = {b["GpUnitId"]: b for b in data["Election"][0]["BallotCounts"]}
    result = ContestResult.objects.get(contest=w.contest, basis=Basis.PRELIMINARY)
    for gpu in (rural, "gpu-352000000", "gpu-350000000", "gpu-kz"):
        assert (ballots[gpu]["BallotsCast"], ballots[gpu]["BallotsRejected"]) == (result.ballots_found, result.invalid)
    assert (ballots[s1]["BallotsCast"], ballots[s1]["BallotsRejected"]) == (750, 30)
    assert (ballots[s2]["BallotsCast"], ballots[s2]["BallotsRejected"]) == (650, 30)
    assert ballots[rural]["BallotsCast"] == 750 + 650
    assert station_gpu(w, w.other_station).replace("352", "112") not in ballots  # no figures, no counts
    units = by_id(data["GpUnit"])
    rollup = TurnoutRollup.objects.get(election=w.election, basis=Basis.PRELIMINARY, level="unit", unit=w.rural)
    assert (units[rural]["VotersRegistered"], units[rural]["VotersParticipated"]) == (
        rollup.registered_voters,
        rollup.ballots_issued,
    )
    assert (units[rural]["VotersRegistered"], units[rural]["VotersParticipated"]) == (1800, 750 + 650)
    assert (units[s2]["VotersRegistered"], units[s2]["VotersParticipated"]) == (800, 650)
    national = TurnoutRollup.objects.get(election=w.election, basis=Basis.PRELIMINARY, level="election")
    assert units["gpu-kz"]["VotersRegistered"] == national.registered_voters
    assert (units["gpu-kz"]["SubUnitsReported"], units["gpu-kz"]["TotalSubUnits"]) == (2, 3)


def test_a_district_election_reports_its_districts_figures(db, counting_night):
    """The contest's unit is the district itself: its figures are those of its roll-up, once."""
    w = World()
    district_election = Election.objects.create(
        office_type="district", election_day=w.election.election_day, name_ru="Выборы акимов районов", name_kk="Аудан"
    )
    contest = Contest.objects.create(election=district_election, unit=w.district)
    candidacy(contest, "Районный")
    create_protocols_for_contest(contest, w.cec)
    recompute(district_election)
    rollup = TurnoutRollup.objects.get(election=district_election, unit=w.district, basis=Basis.PRELIMINARY)
    district = by_id(parsed(district_election)["GpUnit"])[f"gpu-{w.district.kato}"]
    assert (district["SubUnitsReported"], district["TotalSubUnits"]) == (0, rollup.protocols_expected) == (0, 2)
    assert district["CountStatus"][0]["Status"] == "not-processed"


def test_against_all_is_a_selection_of_its_own(db, counting_night):
    w = World(against_all=True)
    create_protocols_for_contest(w.contest, w.cec)
    w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    certify_protocol(verified(w), w.tec)
    recompute(w.election)
    contest = by_id(parsed(w.election)["Election"][0]["Contest"])[f"con-{w.contest.pk}"]
    against = by_id(contest["ContestSelection"])[f"cs-{w.contest.pk}-against-all"]
    assert "CandidateIds" not in against
    assert vote_counts(against) == {station_gpu(w, w.station): 10, f"gpu-{w.rural.kato}": 10}


def test_no_against_all_selection_without_the_line(counted):
    contest = by_id(parsed(counted.election)["Election"][0]["Contest"])[f"con-{counted.contest.pk}"]
    assert [s["@id"] for s in contest["ContestSelection"]] == [
        f"cs-{c.pk}" for c in (counted.c1, counted.c2, counted.c3)
    ]


# Statuses ---------------------------------------------------------------------------------------


def status_of(item):
    (status,) = item["CountStatus"]
    assert status["Type"] == "total"
    return status["Status"]


def karaganda(w):
    return Scope(False, frozenset({w.region.pk}), frozenset(), frozenset())


def test_official_for_certified_protocols_unofficial_otherwise(counted):
    w = counted
    data = parsed(w.election)
    units = by_id(data["GpUnit"])
    assert status_of(units[station_gpu(w, w.station)]) == "completed"  # certified: official
    assert status_of(units[station_gpu(w, w.station2)]) == "in-process"  # verified only: unofficial
    assert status_of(units[f"gpu-{w.other_district.kato}-1"]) == "not-processed"
    contests = by_id(data["Election"][0]["Contest"])
    assert status_of(contests[f"con-{w.contest.pk}"]) == "in-process"
    assert (contests[f"con-{w.contest.pk}"]["SubUnitsReported"], contests[f"con-{w.contest.pk}"]["TotalSubUnits"]) == (
        2,
        2,
    )
    assert status_of(contests[f"con-{w.other_contest.pk}"]) == "not-processed"
    assert data["Status"] == "unofficial-partial"
    # Karaganda alone: every protocol has figures, one is not certified yet.
    assert parsed(w.election, scope=karaganda(w))["Status"] == "unofficial-complete"
    assert "PostElectionStatus" not in by_id(parsed(w.election)["Election"][0]["Candidate"])[f"can-{w.c1.pk}"]


def test_certified_once_every_protocol_is(counted):
    w = counted
    certify_protocol(Protocol.objects.get(pk=w.protocol2.pk), w.tec)
    recompute(w.election)
    data = parsed(w.election, scope=karaganda(w))
    assert data["Status"] == "certified"
    assert status_of(by_id(data["Election"][0]["Contest"])[f"con-{w.contest.pk}"]) == "completed"
    assert status_of(by_id(data["GpUnit"])[f"gpu-{w.rural.kato}"]) == "completed"
    candidates = by_id(data["Election"][0]["Candidate"])
    assert [candidates[f"can-{c.pk}"]["PostElectionStatus"] for c in (w.c1, w.c2, w.c3)] == [
        "winner",
        "defeated",
        "defeated",
    ]


def test_before_any_protocol_the_report_is_pre_election(db, counting_night):
    w = World()
    data = parsed(w.election)
    assert data["Status"] == "pre-election"
    assert data["GeneratedDate"] == "2021-07-25T00:00:00+06:00"  # the election day, in its zone
    assert [u["@id"] for u in data["GpUnit"] if u["Type"] == "precinct"] == []


# Determinism and streaming ----------------------------------------------------------------------


def test_same_data_same_bytes_whatever_the_language(counted):
    first = report(counted.election)
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            assert report(counted.election) == first
    computed = ContestResult.objects.filter(election=counted.election).latest("computed_at").computed_at
    assert (
        json.loads(first)["GeneratedDate"]
        == computed.astimezone(counted.election.zone).replace(microsecond=0).isoformat()
    )


def test_the_report_is_written_in_many_chunks(counted):
    chunks = list(election_report(counted.election))
    assert len(chunks) > 20
    assert all(isinstance(chunk, str) for chunk in chunks)
    assert max(len(chunk) for chunk in chunks) < len("".join(chunks)) / 4


def test_the_number_of_queries_does_not_grow_with_the_contests(counted):
    w = counted
    before = len(_queries(w.election))
    # A third region with its own contest, station, candidates and protocol.
    region = unit("150000000", "region", name="Актюбинская область")
    district = unit("152000000", "district", region)
    rural = unit("152030000", "rural_district", district)
    station(rural, 1, voters=300)
    contest = Contest.objects.create(election=w.election, unit=rural)
    candidacy(contest, "Новый")
    candidacy(contest, "Другой")
    create_protocols_for_contest(contest, w.cec)
    recompute(w.election)
    data = json.loads(report(w.election))
    assert f"con-{contest.pk}" in by_id(data["Election"][0]["Contest"])
    assert len(_queries(w.election)) == before


def _queries(election):
    with CaptureQueriesContext(connection) as captured:
        report(election)
    return captured.captured_queries


# The API ----------------------------------------------------------------------------------------


def token_client(issuer, scope_unit=None, name="nist-auditor"):
    account = api_user(name, auditor=True)
    _, raw = tokens.issue_token(account, issuer, 365, scope_unit=scope_unit)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def url(election_id):
    return f"/api/v1/elections/{election_id}/nist-cdf/"


@pytest.fixture
def issuer(db):
    return api_user("cec-issuer", staff=True, superuser=True)


def test_the_api_streams_the_report_as_json_with_a_named_file(counted, issuer):
    response = token_client(issuer).get(url(counted.election.pk))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="election-{counted.election.pk}-2021-07-25-nist-cdf.json"'
    )
    body = b"".join(response.streaming_content)
    assert body == report(counted.election).encode("utf-8")
    VALIDATOR.validate(json.loads(body))


def test_a_regional_token_sees_its_region_only(counted, issuer):
    w = counted
    body = b"".join(token_client(issuer, scope_unit=w.region).get(url(w.election.pk)).streaming_content)
    data = json.loads(body)
    VALIDATOR.validate(data)
    assert body == report(w.election, scope=karaganda(w)).encode("utf-8")
    assert [c["@id"] for c in data["Election"][0]["Contest"]] == [f"con-{w.contest.pk}"]
    ids = {u["@id"] for u in data["GpUnit"]}
    assert "gpu-110000000" not in ids and f"gpu-{w.other_district.kato}-1" not in ids
    assert f"can-{w.foreign.pk}" not in {c["@id"] for c in data["Election"][0]["Candidate"]}
    country = by_id(data["GpUnit"])["gpu-kz"]
    assert country["ComposingGpUnitIds"] == ["gpu-350000000"]
    assert "VotersRegistered" not in country  # the national figures are not the region's to see
    assert "gpu-kz" not in {b["GpUnitId"] for b in data["Election"][0]["BallotCounts"]}


def test_a_district_sees_no_figures_of_its_region(counted):
    w = counted
    district = Scope(False, frozenset(), frozenset({w.district.pk}), frozenset())
    data = parsed(w.election, scope=district)
    units = by_id(data["GpUnit"])
    assert "VotersRegistered" not in units["gpu-350000000"]  # the region: named, its figures not shown
    assert units["gpu-352000000"]["VotersRegistered"] == 1800
    ballots = {b["GpUnitId"] for b in data["Election"][0]["BallotCounts"]}
    assert "gpu-350000000" not in ballots and "gpu-352000000" in ballots
    regional = parsed(w.election, scope=karaganda(w))
    assert by_id(regional["GpUnit"])["gpu-350000000"]["VotersRegistered"] == 1800


def test_a_token_of_a_region_without_contests_gets_404(counted, issuer):
    elsewhere = unit("150000000", "region", name="Актюбинская область")
    response = token_client(issuer, scope_unit=elsewhere).get(url(counted.election.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_election_and_no_token(counted, issuer):
    assert token_client(issuer).get(url(999999)).status_code == 404
    assert token_client(issuer, name="other").get("/api/v1/elections/abc/nist-cdf/").status_code == 404
    assert APIClient().get(url(counted.election.pk)).status_code in (401, 403)
    refused = token_client(issuer, name="writer").post(url(counted.election.pk))
    assert (refused.status_code, refused.json()["code"]) == (405, "method_not_allowed")
    assert Report(counted.election, Scope(False, frozenset(), frozenset(), frozenset())).exists() is False


def test_the_endpoint_is_in_the_openapi_schema(db, issuer):
    client = APIClient()
    client.force_login(issuer)
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/elections/{id}/nist-cdf/"]["get"]
    assert operation["operationId"] == "elections_nist_cdf"
    assert "application/json" in operation["responses"]["200"]["content"]
    assert {"404", "403"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["id"]


# The command ------------------------------------------------------------------------------------


def test_the_command_writes_the_same_bytes_as_the_api(counted, issuer, tmp_path, capsys):
    target = tmp_path / "report.json"
    call_command(
        "export_results", "--election", str(counted.election.pk), "--format", "nist-cdf", "--output", str(target)
    )
    api_body = b"".join(token_client(issuer).get(url(counted.election.pk)).streaming_content)
    assert target.read_bytes() == api_body
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no partial file left
    err = capsys.readouterr().err
    assert "2/2" in err  # progress on the standard error
    assert err.rstrip().endswith(f"Done: 2 contests written to {target}.")


def test_the_command_writes_to_the_standard_output(counted, capsys):
    call_command("export_results", "--election", str(counted.election.pk), "--format", "nist-cdf", verbosity=0)
    captured = capsys.readouterr()
    assert captured.out == report(counted.election)
    assert captured.err == ""


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Қате: Идентификаторы 999999 болатын сайлау жоқ.\n"),
        ("ru", "Ошибка: Выборов с идентификатором 999999 нет.\n"),
        ("en", "Error: No election with id 999999.\n"),
    ],
)
def test_unknown_election_exits_1_in_the_run_language(db, capsys, language, message):
    command = load_command_class("results", "export_results")
    argv = ["manage.py", "export_results", "--election", "999999", "--format", "nist-cdf", "--language", language]
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(argv)
    assert exit_.value.code == 1
    assert capsys.readouterr().err == message


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "kk",
            "manage.py export_results: қате: --format аргументі: жарамсыз таңдау: 'csv' "
            "(мыналардан таңдаңыз: 'nist-cdf')",
        ),
        (
            "ru",
            "manage.py export_results: ошибка: аргумент --format: недопустимый выбор: 'csv' (выберите из 'nist-cdf')",
        ),
        ("en", "manage.py export_results: error: argument --format: invalid choice: 'csv' (choose from 'nist-cdf')"),
    ],
)
def test_another_format_is_an_argparse_error(db, capsys, language, message):
    command = load_command_class("results", "export_results")
    argv = ["manage.py", "export_results", "--election", "1", "--format", "csv", "--language", language]
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith("\n" + message + "\n")


@pytest.mark.parametrize(
    ("language", "done"),
    [
        ("kk", "Дайын: 2 сайлау округі {file} файлына жазылды.\n"),
        ("ru", "Готово: округов выборов — 2, записано в {file}.\n"),
        ("en", "Done: 2 contests written to {file}.\n"),
    ],
)
def test_the_commands_messages_are_in_the_run_language(counted, tmp_path, capsys, language, done):
    target = tmp_path / "r.json"
    command = load_command_class("results", "export_results")
    election = str(counted.election.pk)
    command.run_from_argv(
        ["manage.py", "export_results", "--election", election, "--format", "nist-cdf", "--output", str(target)]
        + ["--language", language]
    )
    err = capsys.readouterr().err
    with translation.override(language):
        assert err.startswith(str(counted.election) + "\n")  # the election's name in the run's language
    assert err.endswith("] 2/2\n" + done.format(file=target))


def test_a_missing_directory_is_a_command_error(counted, tmp_path):
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command(
            "export_results",
            "--election",
            str(counted.election.pk),
            "--format",
            "nist-cdf",
            "--output",
            str(tmp_path / "nowhere" / "r.json"),
        )
    assert str(error.value) == f"No such directory: {tmp_path / 'nowhere'}."
