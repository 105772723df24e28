"""Concurrent nominations on PostgreSQL: the locks and constraints let exactly one through."""

import threading

import pytest
from django.db import connection

from core import clock
from registry import services
from registry.models import Candidacy

from . import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    with clock.frozen(f.at(f.E_DAY.replace(day=1), 12)):  # the clock is shared by every thread
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    return outcomes


def test_same_person_nominated_twice_at_once(units, election):
    a, b = f.contest(election, units["35-rd1"]), f.contest(election, units["35-rd2"])
    person = f.person()
    outcomes = _race(
        [
            lambda contest=contest: services.nominate(None, contest=contest, person=person, nomination_type="self")
            for contest in (a, b)
        ]
    )
    codes = sorted(getattr(o, "code", "ok") for o in outcomes)
    assert codes == ["ok", "second_active_candidacy"]
    assert Candidacy.objects.filter(person=person).count() == 1


def test_same_party_nominating_twice_at_once(units, election):
    contest = f.contest(election, units["35-rd1"])
    party = f.party()
    people = [f.person(), f.person()]
    outcomes = _race(
        [
            lambda p=p: services.nominate(None, contest=contest, person=p, nomination_type="party", party=party)
            for p in people
        ]
    )
    codes = sorted(getattr(o, "code", "ok") for o in outcomes)
    assert codes == ["ok", "party_already_nominated"]
    assert Candidacy.objects.filter(party=party).count() == 1
