"""The demo starts every journey: for the demo precinct team, one protocol untouched (clerk1 and
clerk2 enter it), one in discrepancy (chair1 resolves it), one verified (tec-district certifies it),
and a by-election with candidacies nominated and awaiting registration; `load_demo` prints where
to go and who logs in. One module-scoped load of the whole demo, rolled back at the end."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from devtools.demo.territory import DEMO_STATION_KEY
from registry.models import Candidacy, Election
from registry.selectors import local_today
from results.models import Protocol, ProtocolEntry, ProtocolState
from results.navigation import may_use_tec_pages
from results.permissions import can_certify, can_resolve, check_enter


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def users(loaded, db):
    return {u.username: u for u in get_user_model().objects.all()}


def demo_protocols():
    """(the demo precinct's protocol, the team's protocol to resolve, the team's protocol to certify)."""
    untouched = Protocol.objects.select_related("polling_station").get(
        polling_station__district__kato=DEMO_STATION_KEY[0], polling_station__number=DEMO_STATION_KEY[1]
    )
    entered = Protocol.objects.filter(entries__clerk__username="clerk1").select_related("polling_station").distinct()
    by_state = {}
    for protocol in entered:
        by_state.setdefault(protocol.state, []).append(protocol)
    assert sorted(by_state) == [ProtocolState.IN_DISCREPANCY, ProtocolState.VERIFIED]
    assert all(len(found) == 1 for found in by_state.values())
    return untouched, by_state[ProtocolState.IN_DISCREPANCY][0], by_state[ProtocolState.VERIFIED][0]


def test_one_protocol_each_for_clerks_chair_and_tec(users):
    untouched, to_resolve, to_certify = demo_protocols()
    assert (untouched.state, untouched.entries.count()) == (ProtocolState.EMPTY, 0)
    for protocol in (to_resolve, to_certify):
        assert protocol.polling_station.district.kato == DEMO_STATION_KEY[0]  # tec-district's district
    for protocol in (to_resolve, to_certify):
        clerks = set(
            protocol.entries.filter(status=ProtocolEntry.Status.FINISHED).values_list("clerk__username", flat=True)
        )
        assert clerks == {"clerk1", "clerk2"}
    for name in ("clerk1", "clerk2"):
        check_enter(users[name], untouched.polling_station)  # raises if they may not enter it
    assert can_resolve(users["chair1"], to_resolve.polling_station)
    assert can_certify(users["tec-district"], to_certify.polling_station)
    assert may_use_tec_pages(users["tec-district"])


def test_the_journeys_start_on_the_users_pages(client, users):
    untouched, to_resolve, to_certify = demo_protocols()
    client.force_login(users["clerk1"])
    stations = client.get(reverse("results:my_stations"))
    assert untouched in stations.context["protocols"]
    client.force_login(users["chair1"])
    assert to_resolve in client.get(reverse("results:discrepancies")).context["protocols"]
    client.force_login(users["tec-district"])
    queue = client.get(reverse("results:tec_queue"))
    assert to_certify.pk in [row.protocol.pk for row in queue.context["rows"]]


def test_candidacies_await_registration_in_an_open_by_election(users, loaded):
    from registry import services

    by_election = Election.objects.get(kind="by_election", status=Election.Status.NOMINATION)
    nominated = Candidacy.objects.filter(election=by_election, status=Candidacy.Status.NOMINATED)
    assert nominated.count() == 3
    contest = by_election.contests.get()
    assert contest.unit.district.kato == DEMO_STATION_KEY[0]  # tec-district's own district
    # Still open: registration is possible today (the by-election is anchored on the loading day).
    assert local_today(by_election) < contest.registration_deadline.date()
    candidacy = nominated.order_by("pk").first()
    services.register(users["tec-district"], candidacy)
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.REGISTERED


def test_the_2021_figures_are_unchanged(loaded):
    from devtools.demo.registry import existing_election

    election = existing_election()
    assert Candidacy.objects.filter(election=election, status=Candidacy.Status.REGISTERED).count() == 2297
    assert not Candidacy.objects.filter(election=election, status=Candidacy.Status.NOMINATED).exists()


def test_load_demo_prints_the_addresses_and_the_logins(loaded):
    for text in ("/login/", "/admin/", "/entry/", "/tec/queue/", "/api/docs/"):
        assert text in loaded
    for username in ("cec", "tec-karaganda", "tec-district", "chair1", "clerk1", "clerk2", "auditor"):
        assert f"  {username} " in loaded


def test_a_second_load_changes_nothing(loaded, db):
    from core.models import AuditEvent

    before = (AuditEvent.objects.count(), Election.objects.count(), Candidacy.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (AuditEvent.objects.count(), Election.objects.count(), Candidacy.objects.count()) == before
