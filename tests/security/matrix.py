"""The permission matrix of docs/PERMISSIONS.md: reading the table, the routes of the URLconf, and the probes.

A cell says what a role may do with a route: `all` (allowed on objects in and outside the role's
territory), `own` (allowed in its territory, refused outside it), `—` (refused). For a list the
"object" is a row in it: `own` means the in-territory row is listed and the other is not.
"""

import datetime
import re
from pathlib import Path

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import ApiToken
from core import audit, clock
from core.models import AuditCheckpoint
from registry.models import (
    ContestFollowUp,
    DismissalInitiative,
    MaslikhatReport,
    NoConfidenceVote,
    Party,
    TermOfOffice,
)
from results import aggregation
from results.models import AnomalyFlag, ContestResult, ProtocolEntry, TurnoutRollup
from results.services import certify_protocol, save_entry
from results.services.attachments import attach_protocol_file
from territory.models import Membership
from tests.results.attachment_files import png_bytes, upload

DOC = Path(__file__).resolve().parents[2] / "docs" / "PERMISSIONS.md"
ROLES = [
    "anonymous",
    "clerk",
    "precinct_chair",
    "district_tec",
    "regional_tec",
    "cec",
    "auditor",
    "scoped_auditor",
    "superuser",
]
ALL, OWN, NONE = "all", "own", "—"

# Routes the matrix does not walk, each with its reason.
EXCLUDED = {
    "healthz": "liveness probe: no data, no authentication (tests/deploy/test_health.py)",
    "readyz": "readiness probe: no data, no authentication (tests/deploy/test_health.py)",
    "api-schema": "the OpenAPI document: describes the API, holds no data",
    "api-docs": "Swagger UI page over the schema, no data (CSP: tests/security/test_hardening.py)",
    "api-redoc": "Redoc page over the schema, no data (CSP: tests/security/test_hardening.py)",
    "api-root": "the router's index of resource URLs, no data",
    "^api/": "404 for every other /api/ path",
    "set_language": "language switch: sets a cookie, no data",
    "admin:login": "login page (throttling and audit: tests/security/test_hardening.py)",
    "admin:logout": "logout",
    "results:login": "login page (throttling and audit: tests/security/test_hardening.py)",
    "results:logout": "logout",
    "entry/login/": "the former address of results:login, the same login view",
    "results:home": "/ redirects by role to a page of this table (tests/devtools/test_demo_homes_and_links.py)",
    "admin:password_change": "one's own password (validators: tests/security/test_hardening.py)",
    "admin:password_change_done": "confirmation page of one's own password change",
    "admin:jsi18n": "the admin's JavaScript translation catalogue",
    "admin:autocomplete": "no ModelAdmin declares autocomplete_fields; answers only for those that do",
    "admin:view_on_site": "redirects to get_absolute_url, which no model defines",
    "admin/(?P<url>.*)$": "the admin's catch-all: 404 or the login page",
    "admin:<model> object redirect": "admin/<app>/<model>/<id>/ redirects to the change view the matrix walks",
}
STATIC_PREFIXES = ("static/",)


# --- the URLconf ---------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def all_routes():
    """(route pattern, name or None) of every URL the project serves."""
    return list(_walk(get_resolver().url_patterns))


_ADMIN_OBJECT_REDIRECT = re.compile(r"^admin/\w+/\w+/<path:object_id>/$")


def route_key(route, name):
    """How the matrix names a route: its name, else its pattern (grouped for the admin's redirects)."""
    if name:
        return name
    if _ADMIN_OBJECT_REDIRECT.match(route):
        return "admin:<model> object redirect"
    if route.startswith("admin/") and route.endswith("(?P<url>.*)$"):
        return "admin/(?P<url>.*)$"
    return route


# --- the document's table ------------------------------------------------------------------------


def read_matrix():
    """{(route, method): {role: cell}} from the table of docs/PERMISSIONS.md."""
    text = DOC.read_text()
    table = text.split("<!-- matrix -->", 1)[1].split("<!-- /matrix -->", 1)[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header[:2] == ["route", "method"] and header[2:] == ROLES, header
    matrix = {}
    for line in lines[2:]:
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        route, method, values = cells[0], cells[1], cells[2:]
        assert all(v in (ALL, OWN, NONE) for v in values), line
        matrix[(route, method)] = dict(zip(ROLES, values, strict=True))
    return matrix


# --- the objects in and outside Karaganda -------------------------------------------------------


def add_objects(w):
    """Objects of every admin model and API resource: (in the Karaganda roles' territory, in Akmola)."""
    w.party = Party.objects.create(name_ru="Партия", name_kk="Партия", short_name="P")
    w.term = TermOfOffice.objects.create(
        person=w.c1.person,
        unit=w.rural,
        office_type=w.rural.kind,
        started_on=datetime.date(2021, 8, 1),
        election=w.election,
        candidacy=w.c1,
    )
    w.other_term = TermOfOffice.objects.create(
        person=w.foreign.person,
        unit=w.other_rural,
        office_type=w.other_rural.kind,
        started_on=datetime.date(2021, 8, 1),
        election=w.election,
        candidacy=w.foreign,
    )
    moment = datetime.datetime(2021, 9, 1, tzinfo=datetime.UTC)

    def report(term):
        return MaslikhatReport.objects.create(
            term=term, reported_on=datetime.date(2021, 9, 1), approved=True, decision_reference="1", recorded_at=moment
        )

    def initiative(term):
        return DismissalInitiative.objects.create(
            term=term, submitted_on=datetime.date(2021, 9, 1), signatures=10, outcome="rejected", recorded_at=moment
        )

    def vote(term):
        return NoConfidenceVote.objects.create(
            term=term,
            held_on=datetime.date(2021, 9, 1),
            votes_for=1,
            votes_against=9,
            outcome="rejected",
            grounds=NoConfidenceVote.Grounds.choices[0][0],
            decision_reference="2",
            recorded_at=moment,
        )

    def follow_up(contest, term):
        return ContestFollowUp.objects.create(
            contest=contest,
            action=ContestFollowUp.Action.choices[0][0],
            outcome="winner",
            term=term,
            decided_at=moment,
        )

    with transaction.atomic():
        w.event = audit.record(actor=w.cec, action="test.event", obj=w.protocol)
        w.other_event = audit.record(actor=w.cec, action="test.event", obj=w.other_protocol)
    # Checkpoints are public to every API reader (no territory): both objects are "in".
    w.checkpoints = [
        AuditCheckpoint.objects.create(
            created_at=moment,
            occasion="manual",
            size=n,
            chains=1,
            last_event_id=w.event.pk,
            root="0" * 64,
            signature="s",
            public_key="k",
        )
        for n in (1, 2)
    ]
    # A photograph of each protocol's paper, attached by a clerk of its precinct.
    w.attachment = attach_protocol_file(w.protocol, upload(png_bytes()), w.clerk1)[0]
    w.other_attachment = attach_protocol_file(w.other_protocol, upload(png_bytes(width=5)), w.outsider)[0]
    w.attempt = AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    w.access_log = AccessLog.objects.create(username="x", ip_address="127.0.0.1")
    w.failure_log = AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", locked_out=False)
    w.objects = {
        "auth.group": (Group.objects.get(name="tec"),) * 2,
        "auth.user": (w.clerk1, w.outsider),
        "axes.accessattempt": (w.attempt,) * 2,
        "axes.accesslog": (w.access_log,) * 2,
        "axes.accessfailurelog": (w.failure_log,) * 2,
        "core.auditevent": (w.event, w.other_event),
        "core.auditcheckpoint": tuple(w.checkpoints),
        "api.apitoken": (ApiToken.objects.get(user=w.scoped_auditor),) * 2,
        "territory.adminunit": (w.rural, w.other_rural),
        "territory.pollingstation": (w.station, w.other_station),
        "territory.commission": (w.precinct, w.other_precinct),
        "territory.membership": (
            Membership.objects.get(user=w.clerk1),
            Membership.objects.get(user=w.outsider),
        ),
        "registry.election": (w.election,) * 2,
        "registry.contest": (w.contest, w.other_contest),
        "registry.party": (w.party,) * 2,
        "registry.person": (w.c1.person, w.foreign.person),
        "registry.candidacy": (w.c1, w.foreign),
        "registry.termofoffice": (w.term, w.other_term),
        "registry.maslikhatreport": (report(w.term), report(w.other_term)),
        "registry.dismissalinitiative": (initiative(w.term), initiative(w.other_term)),
        "registry.noconfidencevote": (vote(w.term), vote(w.other_term)),
        "registry.contestfollowup": (follow_up(w.contest, w.term), follow_up(w.other_contest, w.other_term)),
        "results.protocol": (w.protocol, w.other_protocol),
        "results.protocolattachment": (w.attachment, w.other_attachment),
    }


def add_results(w):
    """Entries, certified protocols and result tables (for the API and the result admin)."""
    for protocol, first, second in ((w.protocol, w.clerk1, w.clerk2), (w.other_protocol, w.outsider, w.outsider_tec)):
        values = w.values() if protocol == w.protocol else other_values(w)
        save_entry(protocol, first, values, finish=True)
        save_entry(protocol, second, values, finish=True)
        protocol.refresh_from_db()
        certify_protocol(protocol, w.superuser)
    aggregation.recompute(w.election, wait=True)
    w.objects["results.contestresult"] = (
        ContestResult.objects.filter(contest=w.contest).first(),
        ContestResult.objects.filter(contest=w.other_contest).first(),
    )
    w.objects["results.protocolentry"] = (
        ProtocolEntry.objects.filter(protocol=w.protocol).first(),
        ProtocolEntry.objects.filter(protocol=w.other_protocol).first(),
    )
    w.objects["results.turnoutrollup"] = (
        TurnoutRollup.objects.filter(unit=w.rural).first(),
        TurnoutRollup.objects.filter(unit=w.other_rural).first(),
    )
    # One flag per territory, as the aggregation would write it (the matrix's stations are too few
    # for the rules to raise one): what is walked here is who may read it, not why it was raised.
    w.objects["results.anomalyflag"] = tuple(
        AnomalyFlag.objects.create(
            election=w.election,
            contest=protocol.contest,
            polling_station=protocol.polling_station,
            code="turnout.near_full",
            values={"percent": "99.50", "part": 199, "whole": 200},
            computed_at=clock.now(),
        )
        for protocol in (w.protocol, w.other_protocol)
    )


def other_values(w, **overrides):
    """A consistent protocol of the Akmola station (V=500, one candidate)."""
    values = {
        "voters": "500",
        "ballots_received": "500",
        "issued_station": "300",
        "issued_mobile": "50",
        "spoiled": "10",
        "unused": "140",
        "found_stationary": "300",
        "found_mobile": "50",
        "invalid": "30",
        "votes": {str(w.foreign.pk): "320"},
    }
    values.update(overrides)
    return values


API_OBJECTS = {
    "unit": "territory.adminunit",
    "polling-station": "territory.pollingstation",
    "election": "registry.election",
    "contest": "registry.contest",
    "party": "registry.party",
    "candidate": "registry.candidacy",
    "office-term": "registry.termofoffice",
    "protocol": "results.protocol",
    "protocol-entry": "results.protocolentry",
    "protocol-attachment": "results.protocolattachment",
    "anomaly-flag": "results.anomalyflag",
    "result": "results.contestresult",
    "turnout": "results.turnoutrollup",
    "audit-event": "core.auditevent",
    "audit-checkpoint": "core.auditcheckpoint",
}
# Routes of the API outside the router, each with the resource of its object.
API_ACTIONS = {"election-nist-cdf": "election"}


def snapshot(obj):
    """A comparable picture of one row (None when it is gone)."""
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else repr(sorted(model_to_dict(fresh).items(), key=lambda kv: kv[0]))


def admin_model(name):
    """(ModelAdmin's model label, view) for admin:<app>_<model>_<view>, or None."""
    if not name.startswith("admin:"):
        return None
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model._meta.label_lower, name[len(prefix) :]
    return None


def reverse_for(name, obj=None, **kwargs):
    return reverse(name, kwargs=kwargs) if obj is None else reverse(name, args=[obj.pk])
