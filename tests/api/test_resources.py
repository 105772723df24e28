"""Each resource: list, detail, filters, and what it must never show."""

import datetime

import pytest

from registry.models import Election
from results.models import ContestResult

pytestmark = pytest.mark.django_db


def results_of(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response):
    return {row["id"] for row in results_of(response)}


def test_units_filters(api, world):
    k_region, k_district, k_rural, k_village = world.karaganda
    assert len(results_of(api.get("/api/v1/units/"))) == 8
    assert ids(api.get("/api/v1/units/?region=35")) == {u.pk for u in world.karaganda}
    assert ids(api.get("/api/v1/units/?region=350000000")) == {u.pk for u in world.karaganda}
    assert ids(api.get(f"/api/v1/units/?region_id={k_region.pk}")) == {u.pk for u in world.karaganda}
    assert ids(api.get("/api/v1/units/?district=3520")) == {k_district.pk, k_rural.pk, k_village.pk}
    assert ids(api.get("/api/v1/units/?kind=village")) == {k_village.pk, world.akmola[3].pk}
    assert ids(api.get("/api/v1/units/?kind=village&kind=region")) == {
        k_village.pk,
        world.akmola[3].pk,
        k_region.pk,
        world.akmola[0].pk,
    }
    assert ids(api.get(f"/api/v1/units/?parent={k_district.pk}")) == {k_rural.pk}
    assert ids(api.get("/api/v1/units/?kato=352030")) == {k_rural.pk, k_village.pk}
    detail = api.get(f"/api/v1/units/{k_rural.pk}/").json()
    assert detail["kato"] == "352030000" and detail["region"] == k_region.pk and detail["level"] == 3


def test_polling_stations(api, world):
    assert ids(api.get("/api/v1/polling-stations/")) == {world.station_k.pk, world.station_a.pk}
    assert ids(api.get("/api/v1/polling-stations/?region=11")) == {world.station_a.pk}
    row = api.get(f"/api/v1/polling-stations/{world.station_k.pk}/").json()
    assert row["unit_kato"] == "352030000" and row["registered_voters"] == 1000


def test_elections_and_parties(api, world):
    assert ids(api.get("/api/v1/elections/?year=2021")) == {world.election.pk}
    assert ids(api.get("/api/v1/elections/?year=2020")) == set()
    assert ids(api.get("/api/v1/elections/?election_day=2021-07-25")) == {world.election.pk}
    assert ids(api.get("/api/v1/parties/?short_name=AMANAT")) == {world.party.pk}


def test_contests_filters(api, world):
    assert ids(api.get(f"/api/v1/contests/?election={world.election.pk}")) == {world.contest_k.pk, world.contest_a.pk}
    assert ids(api.get("/api/v1/contests/?region=35")) == {world.contest_k.pk}
    assert ids(api.get("/api/v1/contests/?district=1120")) == {world.contest_a.pk}
    assert ids(api.get(f"/api/v1/contests/?unit={world.karaganda[2].pk}")) == {world.contest_k.pk}
    # Karaganda has one registered (one withdrew), Akmola one: both short of the minimum of two.
    assert ids(api.get("/api/v1/contests/?fewer_than_two_candidates=true")) == {world.contest_k.pk, world.contest_a.pk}
    assert ids(api.get("/api/v1/contests/?fewer_than_two_candidates=false")) == set()
    assert ids(api.get("/api/v1/contests/?status=open")) == {world.contest_k.pk, world.contest_a.pk}
    row = api.get(f"/api/v1/contests/{world.contest_k.pk}/").json()
    assert row["registered_candidates"] == 1 and row["active_candidates"] == 1
    assert row["unit"]["kato"] == "352030000"


def test_candidates_filters_and_age(api, world):
    everyone = {world.cand_k1.pk, world.cand_k2.pk, world.cand_a1.pk}
    assert ids(api.get("/api/v1/candidates/")) == everyone
    assert ids(api.get("/api/v1/candidates/?status=registered")) == {world.cand_k1.pk, world.cand_a1.pk}
    assert ids(api.get("/api/v1/candidates/?status=withdrawn")) == {world.cand_k2.pk}
    assert ids(api.get("/api/v1/candidates/?sex=F")) == {world.cand_k2.pk}
    assert ids(api.get(f"/api/v1/candidates/?party={world.party.pk}")) == {world.cand_k1.pk}
    assert ids(api.get("/api/v1/candidates/?nomination_type=self")) == {world.cand_k2.pk, world.cand_a1.pk}
    assert ids(api.get(f"/api/v1/candidates/?contest={world.contest_a.pk}")) == {world.cand_a1.pk}
    assert ids(api.get("/api/v1/candidates/?region=35")) == {world.cand_k1.pk, world.cand_k2.pk}
    assert ids(api.get(f"/api/v1/candidates/?election={world.election.pk}")) == everyone
    row = api.get(f"/api/v1/candidates/{world.cand_k1.pk}/").json()
    # Born 14 March 1980, election day 25 July 2021.
    assert row["age"] == 41 and row["sex"] == "M" and row["party"]["short_name"] == "AMANAT"
    for forbidden in ("iin", "birth_date", "residence_unit", "address", "has_criminal_record"):
        assert forbidden not in row
    # Born 2 November 1975: 45 on 25 July 2021 (the birthday is later in the year).
    assert api.get(f"/api/v1/candidates/{world.cand_k2.pk}/").json()["age"] == 45


def test_protocols_show_figures_only_once_verified(api, world):
    assert ids(api.get("/api/v1/protocols/")) == {world.protocol_k.pk, world.protocol_a.pk}
    certified = api.get(f"/api/v1/protocols/{world.protocol_k.pk}/").json()
    assert certified["state"] == "certified" and certified["figures"]["voters"] == 1000
    assert certified["votes"] == [{"candidacy": world.cand_k1.pk, "votes": 400}]
    assert certified["turnout_percent"] == 41.0
    assert "certified_by" not in certified
    in_entry = api.get(f"/api/v1/protocols/{world.protocol_a.pk}/").json()
    assert in_entry["figures"] is None and in_entry["votes"] == [] and in_entry["turnout_percent"] is None
    assert ids(api.get("/api/v1/protocols/?state=certified")) == {world.protocol_k.pk}
    assert ids(api.get(f"/api/v1/protocols/?station={world.station_a.pk}")) == {world.protocol_a.pk}
    assert ids(api.get("/api/v1/protocols/?region=11")) == {world.protocol_a.pk}
    assert ids(api.get(f"/api/v1/protocols/?contest={world.contest_k.pk}")) == {world.protocol_k.pk}
    assert ids(api.get("/api/v1/protocols/?changed_since=2000-01-01T00:00:00Z")) == {
        world.protocol_k.pk,
        world.protocol_a.pk,
    }
    assert ids(api.get("/api/v1/protocols/?changed_since=2999-01-01T00:00:00Z")) == set()


def test_entries_only_of_protocols_past_verification(api, world):
    assert ids(api.get("/api/v1/protocol-entries/")) == {world.entry_k.pk}
    assert api.get(f"/api/v1/protocol-entries/{world.entry_a.pk}/").status_code == 404
    row = api.get(f"/api/v1/protocol-entries/{world.entry_k.pk}/").json()
    assert row["clerk"] == world.clerk.pk and row["kind"] == "first" and row["values"]["voters"] == 1000
    assert "clerk-k" not in str(row)
    assert ids(api.get(f"/api/v1/protocol-entries/?protocol={world.protocol_k.pk}")) == {world.entry_k.pk}
    assert ids(api.get("/api/v1/protocol-entries/?kind=second")) == set()


def test_results_default_to_official_with_candidates(api, world):
    official = results_of(api.get(f"/api/v1/results/?election={world.election.pk}"))
    assert {row["basis"] for row in official} == {"official"}
    assert {row["contest"] for row in official} == {world.contest_k.pk, world.contest_a.pk}
    karaganda = next(row for row in official if row["contest"] == world.contest_k.pk)
    assert karaganda["candidate_results"][0]["candidacy"] == world.cand_k1.pk
    assert karaganda["candidate_results"][0]["votes"] == 400
    preliminary = results_of(api.get("/api/v1/results/?basis=preliminary"))
    assert {row["basis"] for row in preliminary} == {"preliminary"}
    assert ids(api.get("/api/v1/results/?region=11")) == set(
        ContestResult.objects.filter(contest=world.contest_a, basis="official").values_list("pk", flat=True)
    )


def test_turnout_levels(api, world):
    rows = results_of(api.get(f"/api/v1/turnout/?election={world.election.pk}&level=election"))
    assert len(rows) == 1 and rows[0]["unit"] is None and rows[0]["basis"] == "official"
    regions = results_of(api.get("/api/v1/turnout/?level=region"))
    assert {row["unit"]["kato"] for row in regions} == {"350000000", "110000000"}


def test_audit_events_filters(api, world):
    assert ids(api.get("/api/v1/audit-events/")) == {
        world.event_k.pk,
        world.event_a.pk,
        world.event_pk.pk,
        world.event_pa.pk,
    }
    assert ids(api.get("/api/v1/audit-events/?object_type=registry.candidacy")) == {world.event_k.pk, world.event_a.pk}
    assert ids(api.get(f"/api/v1/audit-events/?object_type=registry.candidacy&object_id={world.cand_k1.pk}")) == {
        world.event_k.pk
    }
    assert ids(api.get("/api/v1/audit-events/?action=protocol.certify")) == {world.event_pk.pk}
    assert ids(api.get("/api/v1/audit-events/?since=2999-01-01T00:00:00Z")) == set()
    row = api.get(f"/api/v1/audit-events/{world.event_k.pk}/").json()
    assert row["who"] == {"role": "secretary", "commission": "District TEC"}
    assert row["from_state"] == "nominated" and row["to_state"] == "registered"


def test_audit_events_hide_token_events(api, world, national_token):
    types = {row["object_type"] for row in results_of(api.get("/api/v1/audit-events/"))}
    assert types == {"registry.candidacy", "results.protocol"}


def test_audit_events_of_contests_and_elections_are_scoped(api, regional_api, world):
    from . import factories as f

    contest_event = f.transition(world.contest_a, "registry.extend_nomination", "open", "nomination_extended")
    election_event = f.transition(world.election, "registry.advance_election", "called", "nomination")
    person_event = f.transition(world.people[0], "registry.create_person", "", "")
    national = {row["id"] for row in api.get("/api/v1/audit-events/?page_size=1000").json()["results"]}
    assert {contest_event.pk, election_event.pk} <= national
    assert person_event.pk not in national
    regional = {row["id"] for row in regional_api.get("/api/v1/audit-events/?page_size=1000").json()["results"]}
    assert election_event.pk in regional
    assert contest_event.pk not in regional  # Akmola's contest
    assert regional_api.get(f"/api/v1/audit-events/{contest_event.pk}/").status_code == 404


def test_office_terms(api, world):
    assert ids(api.get("/api/v1/office-terms/")) == {world.term_k.pk, world.term_a.pk}
    assert ids(api.get("/api/v1/office-terms/?region=11")) == {world.term_a.pk}
    assert ids(api.get("/api/v1/office-terms/?in_office=true")) == {world.term_k.pk, world.term_a.pk}
    assert ids(api.get("/api/v1/office-terms/?in_office=false")) == set()
    row = api.get(f"/api/v1/office-terms/{world.term_k.pk}/").json()
    assert row["party"]["short_name"] == "AMANAT" and row["unit"]["kato"] == "352030000"
    for forbidden in ("iin", "birth_date", "end_reason_text", "end_decision_reference"):
        assert forbidden not in row


def test_elections_show_the_election_they_follow_and_their_calendar(api, world):
    runoff = Election.objects.create(
        name_ru="Повторное голосование",
        name_kk="Қайта дауыс беру",
        office_type=world.election.office_type,
        election_day=datetime.date(2021, 8, 8),
        kind="runoff",
        origin=world.election,
        winner_rule="plurality",
    )
    first = api.get(f"/api/v1/elections/{world.election.pk}/").json()
    assert first["follows"] is None
    assert [(e["id"], e["kind"]) for e in first["follow_up_elections"]] == [(runoff.pk, "runoff")]
    row = api.get(f"/api/v1/elections/{runoff.pk}/").json()
    assert (row["follows"]["id"], row["follows"]["kind"]) == (world.election.pk, "regular")
    assert row["follows"]["url"].endswith(f"/api/v1/elections/{world.election.pk}/")
    calendar = {r["key"]: (r["day"], r["deadline"]) for r in row["calendar"]}
    assert calendar["nomination_ends"] == ("2021-07-23", "2021-07-23T18:00:00+06:00")  # 16 days before
    assert calendar["election_day"] == ("2021-08-08", None)
    assert calendar["results_established_by"][0] == "2021-08-11"
    assert "runoff_day" not in calendar  # a runoff has none of its own
    assert [r["key"] for r in first["calendar"]][-1] in {"winner_registered_by", "runoff_day"}
