"""Fault: the database connection drops in the middle of a clerk's entry.

Through the real entry page, the backend serving the request is terminated from another connection
(`pg_terminate_backend`), as a database restart or a network cut would, at two moments inside
`save_entry`'s transaction:

- before the finishing transition's statement (the protocol is locked, nothing written yet);
- after every write of the entry (on PostgreSQL the entry row, the protocol's UPDATE and its audit
  records are one statement), before the COMMIT.

Either way the clerk gets the form back with a clear message (503, not a 500 traceback), nothing of
the entry is saved (no entry row, protocol unchanged, no audit record), and submitting again works.
"""

from unittest import mock

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core import clock
from core.models import AuditEvent
from results.models import Protocol, ProtocolEntry, ProtocolState
from results.services import create_protocols_for_contest
from results.services import entry as entry_service
from tests.results.factories import COUNTING, World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate(pid):
    """Kill backend `pid` from a separate connection (not Django's)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0] is True


def form_data(w, protocol):
    values = w.values()
    data = {k: v for k, v in values.items() if k != "votes"}
    data |= {f"vote_{cid}": n for cid, n in values["votes"].items()}
    return {**data, "version": str(protocol.version), "action": "finish"}


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("moment", ["before the writes", "after the writes, before the commit"])
def test_connection_dropped_during_an_entry(client, moment):
    with clock.frozen(COUNTING):
        w = World()
        create_protocols_for_contest(w.contest, w.cec)
    protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    client.force_login(w.clerk1)
    audit_before = AuditEvent.objects.count()
    url = reverse("results:entry", args=[protocol.pk])

    real_advance = entry_service.advance
    killed = []

    def advance_after_losing_the_connection(*args, **kwargs):
        finishing = any(event == "finish_first" for event, _ in args[1]) and not killed
        if finishing and moment == "before the writes":
            # Inside save_entry's transaction, the protocol locked: its entry not yet written.
            assert connection.in_atomic_block
            assert not ProtocolEntry.objects.filter(protocol=protocol).exists()
            killed.append(backend_pid())
            terminate(killed[-1])
        result = real_advance(*args, **kwargs)
        if finishing and moment == "after the writes, before the commit":
            # Every write of the entry is done, seen inside the uncommitted transaction.
            assert connection.in_atomic_block
            assert ProtocolEntry.objects.filter(protocol=protocol, status="finished").exists()
            assert Protocol.objects.get(pk=protocol.pk).state == ProtocolState.FIRST_ENTRY_DONE
            assert AuditEvent.objects.count() > audit_before
            killed.append(backend_pid())
            terminate(killed[-1])
        return result

    with clock.frozen(COUNTING), mock.patch.object(entry_service, "advance", advance_after_losing_the_connection):
        response = client.post(url, form_data(w, protocol))
    assert killed, "the fault was not injected"
    assert response.status_code == 503
    page = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        lost = translation.gettext(
            "The connection to the database was lost, so your entry was not saved. Check the figures and submit again."
        )
    assert lost in page
    assert 'name="issued_station"' in page and 'value="700"' in page, "the clerk's figures are kept in the form"

    # Nothing of the entry survived the rollback.
    protocol.refresh_from_db()
    assert protocol.state == ProtocolState.EMPTY
    assert ProtocolEntry.objects.filter(protocol=protocol).count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert not AuditEvent.objects.for_object(protocol).exists()

    # The clerk submits again: it works.
    with clock.frozen(COUNTING):
        response = client.post(url, form_data(w, protocol))
    assert response.status_code == 302
    assert response["Location"] == reverse("results:my_stations")
    protocol.refresh_from_db()
    assert protocol.state == ProtocolState.FIRST_ENTRY_DONE
    assert ProtocolEntry.objects.filter(protocol=protocol, status="finished").count() == 1
    assert AuditEvent.objects.count() > audit_before
