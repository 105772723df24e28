"""The permission matrix of docs/PERMISSIONS.md, walked through HTTP for every role.

One parametrised test (role x area) requests every admin view, results page and API resource of
the matrix for an object in the role's territory (Karaganda) and one outside it (Akmola), and
compares what happened with the table. A refusal must change nothing: the audit trail's length
and the object's row are compared before and after. A second test fails when the URLconf has a
route that is neither in the matrix nor excluded with a reason.
"""

import json
import os

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from core.errors import DomainError
from core.models import AuditEvent
from results.models import Protocol
from results.services import certify_protocol, save_entry
from tests.results.attachment_files import png_bytes, upload

from . import matrix as m


def _area(route):
    if route.startswith(("admin:", "results_reports:")):
        return "admin"
    if route.startswith("results:"):
        return "pages"
    return "api"


def _cell(in_ok, out_ok):
    if in_ok and out_ok:
        return m.ALL
    if in_ok:
        return m.OWN
    if out_ok:
        return "out-only"
    return m.NONE


class Probe:
    def __init__(self, client, world, role):
        self.client, self.w, self.role = client, world, role
        self.user = world.users[role]
        self.problems = []
        if role in world.tokens:
            self.client.defaults["HTTP_AUTHORIZATION"] = f"Token {world.tokens[role]}"
        if self.user is not None:
            self.client.force_login(self.user)

    # one request, inside a savepoint that is rolled back: every probe starts from the same world
    def request(self, method, url, obj=None, data=None, setup=None, allowed_if=None):
        with transaction.atomic():
            if setup is not None:
                setup()
            audit_before = AuditEvent.objects.count()
            row_before = m.snapshot(obj) if obj is not None else None
            response = getattr(self.client, method.lower())(url, data or {})
            assert response.status_code < 500, (self.role, method, url, response.status_code)
            changed = AuditEvent.objects.count() != audit_before or (obj is not None and m.snapshot(obj) != row_before)
            ok = allowed_if(response, changed) if allowed_if else response.status_code == 200
            if not ok and changed:
                self.problems.append(f"{self.role} {method} {url}: refused ({response.status_code}) but changed data")
            if method == "GET" and changed:
                self.problems.append(f"{self.role} GET {url}: a GET changed data")
            transaction.set_rollback(True)
        return ok, response


def _changed(response, changed):
    return changed


def _form_accepted(response, changed):
    """The admin showed the form (again) or saved it. A refusal is 403, 404, the login page, or the
    admin's index (where the admin sends an id it does not show, "perhaps it was deleted")."""
    if response.status_code == 302:
        return "login" not in response["Location"] and response["Location"] != reverse("admin:index")
    return response.status_code == 200


def _takes_no_object(route):
    try:
        reverse(route)
    except NoReverseMatch:
        return False
    return True


# --- the admin -----------------------------------------------------------------------------------


# The dashboard's levels (issue 23); the election's page and the index send a region's or a
# district's staff (302) to their own region's or district's page: `—` for them in the table.
DASHBOARD_LEVELS = {
    "results_reports:unit": lambda w: (w.district, w.other_district),
    "results_reports:contest": lambda w: (w.contest, w.other_contest),
    "results_reports:station": lambda w: (w.protocol, w.other_protocol),
}


def probe_admin(p, route, method):
    w = p.w
    found = m.admin_model(route)
    if found is None:  # the dashboard, the admin index and app index
        if route in ("results_reports:protocol", "results_reports:rounds"):
            return _cell(*(p.request("GET", reverse(route, args=[c.pk]))[0] for c in (w.contest, w.other_contest)))
        if route == "results_reports:live":  # the live figures of a district: in and out
            url = reverse(route, args=[w.election.pk])
            return _cell(*(p.request("GET", f"{url}?unit={d.pk}")[0] for d in (w.district, w.other_district)))
        if route in DASHBOARD_LEVELS:  # a district, a contest, a polling station's protocol: in and out
            objects = DASHBOARD_LEVELS[route](w)
            return _cell(*(p.request("GET", reverse(route, args=[w.election.pk, o.pk]))[0] for o in objects))
        kwargs = {
            "results_reports:election": {"election_id": w.election.pk},
            "results_reports:search": {"election_id": w.election.pk},
            "results_reports:anomalies": {"election_id": w.election.pk},
            "results_reports:xlsx": {"election_id": w.election.pk},
            "results_reports:csv": {"election_id": w.election.pk, "table": "contests"},
            "admin:app_list": {"app_label": "registry"},
        }.get(route, {})
        ok = p.request("GET", reverse(route, kwargs=kwargs))[0]
        return _cell(ok, ok)
    label, view = found
    in_obj, out_obj = w.objects[label]
    if view == "changelist":
        ok, response = p.request("GET", reverse(route))
        if not ok:
            return m.NONE
        html = response.content.decode()
        change = route.replace("_changelist", "_change")
        return _cell(*(reverse(change, args=[o.pk]) in html for o in (in_obj, out_obj)))
    if _takes_no_object(route):  # add views and object-less custom views
        ok = p.request(method, reverse(route), allowed_if=_form_accepted)[0]  # an empty POST: the form again
        return _cell(ok, ok)
    results = []
    for obj in (in_obj, out_obj):
        url = reverse(route, args=[obj.pk])
        if method == "POST" and view == "delete":  # the confirmation: allowed when the row is gone
            ok = p.request("POST", url, obj, {"post": "yes"}, allowed_if=lambda r, c, o=obj: m.snapshot(o) is None)[0]
        elif method == "POST":  # an empty change form: shown again with errors, or saved (allowed), or refused
            ok = p.request("POST", url, obj, allowed_if=_form_accepted)[0]
        else:
            ok = p.request("GET", url, obj)[0]
        results.append(ok)
    return _cell(*results)


# --- the results pages ---------------------------------------------------------------------------


def _both(w):
    return ((w.protocol, w.clerk1, w.clerk2, None), (w.other_protocol, w.outsider, w.outsider_tec, None))


def _values(w, protocol, **overrides):
    return w.values(**overrides) if protocol.pk == w.protocol.pk else m.other_values(w, **overrides)


def _in_discrepancy(w):
    for protocol, a, b, _v in _both(w):
        values = _values(w, protocol)
        save_entry(protocol, a, values, finish=True)
        differing = _values(w, protocol, spoiled="11", unused=str(int(values["unused"]) - 1))
        save_entry(Protocol.objects.get(pk=protocol.pk), b, differing, finish=True)


def _verified(w):
    for protocol, a, b, _v in _both(w):
        save_entry(protocol, a, _values(w, protocol), finish=True)
        save_entry(protocol, b, _values(w, protocol), finish=True)


def _certified(w):
    _verified(w)
    for protocol, *_ in _both(w):
        certify_protocol(Protocol.objects.get(pk=protocol.pk), w.superuser)


def _form(w, protocol, version, **extra):
    values = _values(w, protocol)
    data = {k: v for k, v in values.items() if k != "votes"}
    data.update({f"vote_{cid}": n for cid, n in values["votes"].items()})
    data.update({"version": str(version), **extra})
    return data


def probe_pages(p, route, method):
    w = p.w
    if route in (
        "results:my_stations",
        "results:discrepancies",
        "results:progress",
        "results:tec_protocols",
        "results:tec_queue",
    ):
        ok = p.request("GET", reverse(route))[0]
        return _cell(ok, ok)
    results = []
    for protocol, *_ in _both(w):
        url = reverse(route) if route == "results:certify_selected" else reverse(route, args=[protocol.pk])

        if route == "results:attachment":
            attachment = w.objects["results.protocolattachment"][0 if protocol.pk == w.protocol.pk else 1]
            ok = p.request("GET", reverse(route, args=[attachment.pk]), attachment)[0]
        elif route == "results:attach":
            photo = upload(png_bytes(width=11), "again.png")
            ok = p.request("POST", url, protocol, {"file": photo}, allowed_if=_changed)[0]
        elif route == "results:protocol_print" or (route == "results:entry" and method == "GET"):
            ok = p.request("GET", url, protocol)[0]
        elif route == "results:entry":
            ok = p.request("POST", url, protocol, _form(w, protocol, 0, action="draft"), allowed_if=_changed)[0]
        elif route == "results:abandon":

            def draft(protocol=protocol):
                try:
                    save_entry(protocol, p.user, _values(w, protocol))
                except Exception:  # a user who may not enter: the draft is someone else's
                    owner = w.clerk1 if protocol.pk == w.protocol.pk else w.outsider
                    save_entry(protocol, owner, _values(w, protocol))

            ok = _abandon(p, url, protocol, draft)
        elif route == "results:abandon_draft":

            def clerks_draft(protocol=protocol):
                owner = w.clerk1 if protocol.pk == w.protocol.pk else w.outsider
                save_entry(protocol, owner, _values(w, protocol))

            if method == "GET":
                ok = p.request("GET", url, protocol, setup=clerks_draft)[0]
            else:
                ok = _post_after(p, url, protocol, clerks_draft, lambda: {"reason": "the clerk fell ill"})
        elif route == "results:discrepancy":
            ok = p.request("GET", url, protocol, setup=lambda: _in_discrepancy(w))[0]
        elif route == "results:resolve":
            ok = _post_after(
                p, url, protocol, lambda: _in_discrepancy(w), {"choice": "keep_1", "reason": "paper", "confirm": "yes"}
            )
        elif route == "results:certify":
            ok = _post_after(p, url, protocol, lambda: _verified(w), {})
        elif route == "results:certify_selected":

            def confirmed(protocol=protocol):
                version = Protocol.objects.get(pk=protocol.pk).version
                return {"protocol": str(protocol.pk), f"version-{protocol.pk}": str(version), "confirm": "1"}

            ok = _post_after(p, url, protocol, lambda: _verified(w), confirmed)
        elif route == "results:reopen":
            ok = _post_after(p, url, protocol, lambda: _certified(w), {"reason": "recount"})
        else:
            raise AssertionError(f"no probe for {route}")
        results.append(ok)
    return _cell(*results)


def _abandon(p, url, protocol, draft):
    def data():
        return {"version": str(Protocol.objects.get(pk=protocol.pk).version)}

    return _post_after(p, url, protocol, draft, data)


def _post_after(p, url, protocol, setup, data):
    """POST once the setup ran (the version is read after it); allowed when the protocol changed."""
    with transaction.atomic():
        setup()
        body = data() if callable(data) else dict(data)
        body.setdefault("version", str(Protocol.objects.get(pk=protocol.pk).version))
        ok = p.request("POST", url, protocol, body, allowed_if=_changed)[0]
        transaction.set_rollback(True)
    return ok


# --- the API -------------------------------------------------------------------------------------


def probe_api(p, route, method):
    w = p.w
    basename, kind = (m.API_ACTIONS[route], "action") if route in m.API_ACTIONS else route.rsplit("-", 1)
    in_obj, out_obj = w.objects[m.API_OBJECTS[basename]]
    if kind == "list":
        ok, response = p.request("GET", reverse(route), data={"page_size": 1000})
        if not ok:
            return m.NONE
        ids = {row.get("id") for row in json.loads(response.content)["results"]}
        return _cell(in_obj.pk in ids, out_obj.pk in ids)
    return _cell(*(p.request("GET", reverse(route, args=[o.pk]), o)[0] for o in (in_obj, out_obj)))


PROBES = {"admin": probe_admin, "pages": probe_pages, "api": probe_api}


def routes_to_walk():
    """(route, method) of every route the matrix walks: what docs/PERMISSIONS.md must list."""
    keys = []
    for route, name in m.all_routes():
        key = m.route_key(route, name)
        if key in m.EXCLUDED or route.startswith(m.STATIC_PREFIXES) or any(k[0] == key for k in keys):
            continue
        keys.append((key, "GET"))
        if key.endswith(("_delete", "_change", "_add")) or key in ("results:entry", "results:abandon_draft"):
            keys.append((key, "POST"))
    keys = [(k, "POST") if k in POST_ONLY else (k, meth) for k, meth in keys]
    return keys


POST_ONLY = {
    "results:abandon",
    "results:attach",
    "results:resolve",
    "results:certify",
    "results:certify_selected",
    "results:reopen",
}


@pytest.mark.parametrize("area", ["admin", "pages", "api"])
@pytest.mark.parametrize("role", m.ROLES)
def test_the_permission_matrix(client, world, role, area):
    m.add_objects(world)
    if area != "pages":  # the pages start from empty protocols; the others need certified ones and results
        m.add_results(world)
    observe = os.environ.get("MATRIX_OBSERVE")
    if observe:  # writing the table's first draft: record what happens instead of checking
        expected = {key: None for key in routes_to_walk() if _area(key[0]) == area}
    else:
        expected = {key: cells[role] for key, cells in m.read_matrix().items() if _area(key[0]) == area}
    probe = Probe(client, world, role)
    observed = {}
    for route, method in expected:
        observed[(route, method)] = PROBES[area](probe, route, method)
    if observe:
        with open(observe, "a") as out:
            out.write(json.dumps([role, area, [[r, meth, c] for (r, meth), c in observed.items()]]) + "\n")
        return
    wrong = [
        f"{route} {method}: expected {expected[(route, method)]}, got {got}"
        for (route, method), got in observed.items()
        if got != expected[(route, method)]
    ]
    assert not wrong and not probe.problems, "\n".join(wrong + probe.problems)


def test_every_route_is_in_the_matrix_or_excluded_with_a_reason():
    covered = {route for route, _method in m.read_matrix()}
    missing = sorted(
        {
            m.route_key(route, name)
            for route, name in m.all_routes()
            if m.route_key(route, name) not in covered
            and m.route_key(route, name) not in m.EXCLUDED
            and not route.startswith(m.STATIC_PREFIXES)
        }
    )
    assert not missing, f"routes neither in docs/PERMISSIONS.md nor excluded: {missing}"
    stale = sorted(covered - {m.route_key(r, n) for r, n in m.all_routes()})
    assert not stale, f"docs/PERMISSIONS.md names routes that do not exist: {stale}"


RESOLVERS = {"precinct_chair", "district_tec", "regional_tec", "cec", "superuser"}
ENTERERS = {"clerk", "precinct_chair"}


@pytest.mark.parametrize("role", m.ROLES)
def test_the_three_person_rule(client, world, role):
    """Through the resolve page: a supervisor resolves a discrepancy between two other people's
    entries, never one in which they made an entry (as the second here; the first in
    tests/results/test_entry_pages.py); and whoever may certify may not enter at all."""
    w = world
    probe = Probe(client, w, role)
    url = reverse("results:resolve", args=[w.protocol.pk])
    body = {"choice": "keep_1", "reason": "paper", "confirm": "yes"}

    def entries_by(first, second):
        def setup():
            save_entry(w.protocol, first, w.values(), finish=True)
            save_entry(
                Protocol.objects.get(pk=w.protocol.pk), second, w.values(spoiled="11", unused="239"), finish=True
            )

        return setup

    third_person = _post_after(probe, url, w.protocol, entries_by(w.clerk1, w.clerk2), body)
    assert third_person == (role in RESOLVERS), role
    if probe.user is not None and probe.user.pk != w.clerk1.pk:
        entered = True
        try:
            with transaction.atomic():
                save_entry(w.protocol, probe.user, w.values())
                transaction.set_rollback(True)
        except DomainError:
            entered = False
        assert entered == (role in ENTERERS), role
        if entered:
            own = _post_after(probe, url, w.protocol, entries_by(w.clerk1, probe.user), body)
            assert own is False, role
    assert not probe.problems, probe.problems
