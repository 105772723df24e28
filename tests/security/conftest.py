"""Fixtures of the security tests: two regions (Karaganda 35, Akmola 11), a protocol in each, a user per role."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from api import cache as page_cache
from api import tokens
from core import clock
from results.models import Protocol
from results.services import create_protocols_for_contest
from territory import roles
from territory.models import Commission
from tests.results.factories import COUNTING, World, user

PASSWORD = "pw"  # the results factories' password


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    # Attachments of the matrix's protocols are stored here, never in the checkout's media/.
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and axes' caches are per test; so are kept API pages (api.cache).
    cache.clear()
    page_cache.clear()
    yield
    cache.clear()
    page_cache.clear()


@pytest.fixture
def counting_night():
    with clock.frozen(COUNTING) as moment:
        yield moment


def build_world():
    """The results tests' world plus what the matrix needs: commissions in Akmola, groups, auditors, tokens."""
    w = World()
    create_protocols_for_contest(w.contest, w.cec)
    create_protocols_for_contest(w.other_contest, w.cec)
    w.protocol = Protocol.objects.get(contest=w.contest, polling_station=w.station)
    w.protocol2 = Protocol.objects.get(contest=w.contest, polling_station=w.station2)
    w.other_protocol = Protocol.objects.get(contest=w.other_contest)
    w.other_district_tec = Commission.objects.create(kind="district", name="ТИК Акмола", unit=w.other_district)
    w.other_regional_tec = Commission.objects.create(kind="regional", name="ТИК 11", unit=w.other_region)
    roles.sync_groups()
    # The results app grants its view permissions in its demo loader (devtools/demo/results.py), not in the table.
    results_view = [f"results.view_{m}" for m in ("protocol", "protocolentry", "protocolvote")]
    roles.sync_groups({roles.CEC: results_view, roles.TEC: results_view})
    for staff in (w.tec, w.regional, w.cec):
        roles.sync_user_groups(staff)
    auditors = Group.objects.get(name=tokens.AUDITOR_GROUP)
    w.auditor = user("auditor")
    w.auditor.groups.add(auditors)
    w.scoped_auditor = user("auditor-35")
    w.scoped_auditor.groups.add(auditors)
    w.superuser = user("root", is_staff=True, is_superuser=True)
    _, w.auditor_token = tokens.issue_token(w.auditor, w.superuser, 30)
    _, w.scoped_token = tokens.issue_token(w.scoped_auditor, w.superuser, 30, scope_unit=w.region)
    # The precinct chair of the Karaganda station (non-staff) and a clerk (World.chair, World.clerk1).
    w.users = {
        "anonymous": None,
        "clerk": w.clerk1,
        "precinct_chair": w.chair,
        "district_tec": w.tec,
        "regional_tec": w.regional,
        "cec": w.cec,
        "auditor": w.auditor,
        "scoped_auditor": w.scoped_auditor,
        "superuser": w.superuser,
    }
    w.tokens = {"auditor": w.auditor_token, "scoped_auditor": w.scoped_token}
    return w


@pytest.fixture
def world(db, counting_night):
    return build_world()
