"""The API's physical limit for the bench: one plain WSGI function, no Django, answering the first page
of `results`, `protocols` and `candidates` of an election (`/api/v1/<page>/?election=<id>`) with the
same JSON bytes as the project's API, from psycopg directly.

Served by gunicorn with the project's own configuration (deploy/gunicorn.conf.py), as the project is
(devtools.bench.api starts both). Per request: the token checked with one prepared query, as
api.authentication does it (the token found by its prefix and compared by SHA-256 in constant time;
refused when revoked, expired, its user inactive, a commission token whose seat ended; read only by
an auditor: group "auditors", or staff for a commission token), then the page's prepared queries
(a count and the rows; the candidates of a result or the votes of a protocol), the rows turned into
dicts and orjson. What it leaves out on purpose, as a limit does: Django's request cycle and
middleware, throttling, the audit of use (`last_used_at`), the page cache and every parameter but
`election`. It serves national tokens only (a regional or commission token is checked, then answered
501) and one language (BENCH_BASELINE_LANGUAGE: the project's default, as no Accept-Language is
sent); a candidacy refused for failed requirements (whose reason is translated text) is answered
501. `manage.py bench` checks, before measuring, that its three pages equal the project's byte for
byte (devtools.bench.api.check_pages), so the limit is honest.

Configuration (set by the bench): DATABASE_URL, BENCH_BASELINE_LANGUAGE, BENCH_BASELINE_TIME_ZONE,
BENCH_BASELINE_PAGE_SIZE.
"""

import decimal
import hashlib
import hmac
import os
import threading
import urllib.parse
from base64 import b64encode
from zoneinfo import ZoneInfo

import orjson
import psycopg

# The project's own values, restated because this process runs without Django (importing the apps
# would set it up); tests/devtools/test_bench_api.py pins each to its source.
TOKEN_KEYWORDS = (b"token", b"bearer")
TOKEN_PREFIX = "ea_"
PREFIX_LENGTH = 12
AUDITOR_GROUP = "auditors"
WITH_FIGURES = ("verified", "certified")
FIGURES = (
    "voters",
    "ballots_received",
    "issued_station",
    "issued_mobile",
    "spoiled",
    "unused",
    "found_stationary",
    "found_mobile",
    "invalid",
)
CENT = decimal.Decimal("0.01")

TOKEN_SQL = """
SELECT t.key_hash, t.scope, t.revoked_at IS NOT NULL, t.expires_at <= now(), u.is_active, u.is_staff,
       EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
               WHERE ug.user_id = t.user_id AND g.name = %(group)s),
       EXISTS (SELECT 1 FROM territory_membership m
               WHERE m.user_id = t.user_id AND m.commission_id = t.scope_commission_id
                 AND (m.active_from IS NULL OR m.active_from <= (now() AT TIME ZONE 'UTC')::date)
                 AND (m.active_to IS NULL OR m.active_to >= (now() AT TIME ZONE 'UTC')::date))
FROM core_apitoken t JOIN auth_user u ON u.id = t.user_id
WHERE t.key_prefix = %(prefix)s
"""

# The unit's names as of the election's day: the earliest covering version, else the unit's own.
_UNIT = """
u.id, u.kato, u.kind, COALESCE(v.name_kk, u.name_kk), COALESCE(v.name_ru, u.name_ru),
COALESCE(v.name_en, u.name_en), u.region_id, u.district_id
"""
_VERSION = """
LEFT JOIN LATERAL (
    SELECT name_kk, name_ru, name_en FROM territory_adminunitversion
    WHERE unit_id = u.id AND valid_to >= e.election_day AND (valid_from IS NULL OR valid_from <= e.election_day)
    ORDER BY valid_to LIMIT 1
) v ON true
"""

RESULTS_COUNT = "SELECT count(*) FROM results_contestresult WHERE election_id = %(election)s AND basis = 'official'"
RESULTS_PAGE = f"""
SELECT r.id, r.election_id, r.contest_id, r.basis, {_UNIT}, r.region_id, r.district_id, r.registered_voters,
       r.ballots_issued, r.turnout_percent, r.ballots_found, r.invalid, r.valid, r.against_all,
       r.protocols_counted, r.protocols_expected, r.candidates, r.outcome, r.winner_id, r.runoff::text,
       r.tied::text, r.flags::text, r.computed_at
FROM results_contestresult r
JOIN registry_election e ON e.id = r.election_id
LEFT JOIN territory_adminunit u ON u.id = r.unit_id
{_VERSION}
WHERE r.election_id = %(election)s AND r.basis = 'official'
ORDER BY r.election_id, r.basis, u.kato, r.id
LIMIT %(limit)s
"""
RESULT_CANDIDATES = """
SELECT c.contest_id, c.candidacy_id, p.surname, p.given_name, p.patronymic, pa.short_name, c.votes,
       c.share_percent, c.rank, c.is_winner
FROM results_candidateresult c
JOIN registry_candidacy ca ON ca.id = c.candidacy_id
JOIN registry_person p ON p.id = ca.person_id
LEFT JOIN registry_party pa ON pa.id = ca.party_id
WHERE c.contest_id = ANY(%(contests)s) AND c.basis = 'official'
ORDER BY c.contest_id, c.basis, c.rank, c.candidacy_id
"""

PROTOCOLS_PAGE = f"""
SELECT p.id, p.election_id, p.contest_id, p.polling_station_id, s.number, p.region_id, p.district_id, p.state,
       p.version, p.cycle, p.state_changed_at, p.certified_at, {", ".join(f"p.{name}" for name in FIGURES)},
       p.against_all
FROM results_protocol p JOIN territory_pollingstation s ON s.id = p.polling_station_id
WHERE p.election_id = %(election)s
ORDER BY p.id
LIMIT %(limit)s
"""
PROTOCOL_VOTES = """
SELECT protocol_id, candidacy_id, votes FROM results_protocolvote
WHERE protocol_id = ANY(%(protocols)s) ORDER BY protocol_id, candidacy_id
"""

CANDIDATES_COUNT = "SELECT count(*) FROM registry_candidacy WHERE election_id = %(election)s"
CANDIDATES_PAGE = f"""
SELECT ca.id, ca.election_id, ca.contest_id, {_UNIT}, ca.person_id, pe.surname, pe.given_name, pe.patronymic,
       pe.sex, pe.birth_date, e.election_day, pe.education, ca.nomination_type, ca.party_id, pa.short_name,
       ca.status, ca.nominated_on, ca.decided_on, ca.ended_on, ca.reason, ca.reason_failures::text
FROM registry_candidacy ca
JOIN registry_person pe ON pe.id = ca.person_id
LEFT JOIN registry_party pa ON pa.id = ca.party_id
JOIN registry_contest co ON co.id = ca.contest_id
JOIN registry_election e ON e.id = co.election_id
LEFT JOIN territory_adminunit u ON u.id = co.unit_id
{_VERSION}
WHERE ca.election_id = %(election)s
ORDER BY ca.contest_id, ca.id
LIMIT %(limit)s
"""


class Refused(Exception):
    def __init__(self, status, code):
        super().__init__(code)
        self.status, self.code = status, code


class Config:
    def __init__(self, environ=os.environ):
        self.database_url = environ["DATABASE_URL"]
        self.language = environ.get("BENCH_BASELINE_LANGUAGE", "ru")[:2]
        self.zone = ZoneInfo(environ.get("BENCH_BASELINE_TIME_ZONE", "UTC"))
        self.page_size = int(environ.get("BENCH_BASELINE_PAGE_SIZE", "100"))


_config = None
_local = threading.local()


def config():
    global _config
    if _config is None:
        _config = Config()
    return _config


def _connection():
    conn = getattr(_local, "connection", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(config().database_url, autocommit=True)
        _local.connection = conn
    return conn


def _rows(conn, sql, params):
    with conn.cursor() as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def check_token(conn, authorization):
    """None when the token may read national pages; otherwise Refused (401, 403, or 501 for a
    valid token with a territory, which the baseline does not serve)."""
    parts = authorization.split()
    if not parts or parts[0].lower() not in TOKEN_KEYWORDS:
        raise Refused(401, "not_authenticated")
    if len(parts) != 2:
        raise Refused(401, "token_malformed")
    try:
        raw = parts[1].decode("ascii")
    except UnicodeDecodeError:
        raise Refused(401, "token_malformed") from None
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < PREFIX_LENGTH or len(raw) > 200:
        raise Refused(401, "token_invalid")
    digest = hashlib.sha256(raw.encode()).hexdigest()
    for key_hash, scope, revoked, expired, active, staff, in_group, seat_held in _rows(
        conn, TOKEN_SQL, {"prefix": raw[:PREFIX_LENGTH], "group": AUDITOR_GROUP}
    ):
        if not hmac.compare_digest(key_hash, digest):
            continue
        if revoked:
            raise Refused(401, "token_revoked")
        if expired:
            raise Refused(401, "token_expired")
        if not active:
            raise Refused(401, "user_inactive")
        if scope == "commission" and not seat_held:
            raise Refused(401, "token_membership_ended")
        if not (in_group or (scope == "commission" and staff)):
            raise Refused(403, "not_auditor")
        if scope != "national":
            raise Refused(501, "scope_not_served_by_the_baseline")
        return
    raise Refused(401, "token_invalid")


def _name(kk, ru, en, language):
    if language == "kk":
        return kk or ru
    if language == "en":
        return en or ru or kk
    return ru or kk


def _unit(row, language):
    if row[0] is None:
        return None
    return {
        "id": row[0],
        "kato": row[1],
        "kind": row[2],
        "name": _name(row[3], row[4], row[5], language),
        "region": row[6],
        "district": row[7],
    }


def _moment(value, zone):
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json(text):
    """A JSON column read as text (whatever loaders the connection has)."""
    return None if text is None else orjson.loads(text)


def _day(value):
    return None if value is None else value.isoformat()


def _replace_query(url, key, value):
    """rest_framework.utils.urls.replace_query_param."""
    scheme, netloc, path, query, fragment = urllib.parse.urlsplit(url)
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    params[key] = [value]
    return urllib.parse.urlunsplit(
        (scheme, netloc, path, urllib.parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )


def _url(environ):
    """The request's absolute URL, as Django's build_absolute_uri() gives it for a plain path."""
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    query = environ.get("QUERY_STRING", "")
    return f"{environ['wsgi.url_scheme']}://{host}{environ['PATH_INFO']}" + (f"?{query}" if query else "")


def results_page(conn, election, url, cfg):
    (count,) = _rows(conn, RESULTS_COUNT, {"election": election})[0]
    page = _rows(conn, RESULTS_PAGE, {"election": election, "limit": cfg.page_size})
    by_contest = {}
    if page:
        for contest, candidacy, surname, given, patronymic, party, votes, share, rank, won in _rows(
            conn, RESULT_CANDIDATES, {"contests": [row[2] for row in page]}
        ):
            by_contest.setdefault(contest, []).append(
                {
                    "candidacy": candidacy,
                    "surname": surname,
                    "given_name": given,
                    "patronymic": patronymic,
                    "party": party,
                    "votes": votes,
                    "share_percent": None if share is None else str(share),
                    "rank": rank,
                    "is_winner": won,
                }
            )
    results = []
    for row in page:
        turnout = row[16]
        results.append(
            {
                "id": row[0],
                "election": row[1],
                "contest": row[2],
                "basis": row[3],
                "unit": _unit(row[4:12], cfg.language),
                "region": row[12],
                "district": row[13],
                "registered_voters": row[14],
                "ballots_issued": row[15],
                "turnout_percent": None if turnout is None else f"{turnout.quantize(CENT):f}",
                "ballots_found": row[17],
                "invalid": row[18],
                "valid": row[19],
                "against_all": row[20],
                "protocols_counted": row[21],
                "protocols_expected": row[22],
                "candidates": row[23],
                "outcome": row[24],
                "winner": row[25],
                "runoff": _json(row[26]),
                "tied": _json(row[27]),
                "flags": _json(row[28]),
                "computed_at": _moment(row[29], cfg.zone),
                "candidate_results": by_contest.get(row[2], []),
            }
        )
    more = count > cfg.page_size
    return {
        "count": count,
        "next": _replace_query(url, "page", "2") if more else None,
        "previous": None,
        "results": results,
    }


def _turnout(voters, station, mobile):
    """results.selectors.protocol_turnout_percent."""
    if voters in (None, 0) or station is None:
        return None
    share = decimal.Decimal(station + mobile) * 100 / decimal.Decimal(voters)
    return float(share.quantize(CENT, rounding=decimal.ROUND_HALF_UP))


def protocols_page(conn, election, url, cfg):
    found = _rows(conn, PROTOCOLS_PAGE, {"election": election, "limit": cfg.page_size + 1})
    page = found[: cfg.page_size]
    published = [row[0] for row in page if row[7] in WITH_FIGURES]
    votes = {}
    if published:
        for protocol, candidacy, count in _rows(conn, PROTOCOL_VOTES, {"protocols": published}):
            votes.setdefault(protocol, []).append({"candidacy": candidacy, "votes": count})
    results = []
    n = len(FIGURES)
    for row in page:
        figures = turnout = None
        shown = row[7] in WITH_FIGURES
        if shown:
            figures = dict(zip(FIGURES, row[12 : 12 + n], strict=True))
            figures["against_all"] = row[12 + n]
            turnout = _turnout(figures["voters"], figures["issued_station"], figures["issued_mobile"])
        results.append(
            {
                "id": row[0],
                "election": row[1],
                "contest": row[2],
                "polling_station": row[3],
                "station_number": row[4],
                "region": row[5],
                "district": row[6],
                "state": row[7],
                "version": row[8],
                "cycle": row[9],
                "state_changed_at": _moment(row[10], cfg.zone),
                "certified_at": _moment(row[11], cfg.zone),
                "figures": figures,
                "votes": votes.get(row[0], []) if shown else [],
                "turnout_percent": turnout,
            }
        )
    following = None
    if len(found) > len(page):
        # DRF's CursorPagination: the last row's (unique) id as the position, no offset.
        cursor = b64encode(urllib.parse.urlencode({"p": str(page[-1][0])}).encode("ascii")).decode("ascii")
        following = _replace_query(url, "cursor", cursor)
    return {"next": following, "previous": None, "results": results}


def _age(born, day):
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def candidates_page(conn, election, url, cfg):
    (count,) = _rows(conn, CANDIDATES_COUNT, {"election": election})[0]
    page = _rows(conn, CANDIDATES_PAGE, {"election": election, "limit": cfg.page_size})
    results = []
    for row in page:
        failures = _json(row[27])
        if failures:
            raise Refused(501, "failed_requirements_not_served_by_the_baseline")
        results.append(
            {
                "id": row[0],
                "election": row[1],
                "contest": row[2],
                "unit": _unit(row[3:11], cfg.language),
                "person": row[11],
                "surname": row[12],
                "given_name": row[13],
                "patronymic": row[14],
                "sex": row[15],
                "age": _age(row[16], row[17]),
                "education": row[18],
                "nomination_type": row[19],
                "party": None if row[20] is None else {"id": row[20], "short_name": row[21]},
                "status": row[22],
                "nominated_on": _day(row[23]),
                "decided_on": _day(row[24]),
                "ended_on": _day(row[25]),
                "reason": row[26] or "",
                "reason_failures": [],
            }
        )
    more = count > cfg.page_size
    return {
        "count": count,
        "next": _replace_query(url, "page", "2") if more else None,
        "previous": None,
        "results": results,
    }


PAGES = {
    "/api/v1/results/": results_page,
    "/api/v1/protocols/": protocols_page,
    "/api/v1/candidates/": candidates_page,
}


def render(data):
    """JSON bytes as rest_framework.renderers.JSONRenderer writes them (compact, UTF-8, U+2028 and
    U+2029 escaped)."""
    body = orjson.dumps(data)
    if b"\xe2\x80" in body:
        body = body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
    return body


def answer(conn, environ, cfg=None):
    """(HTTP status, JSON body) of a request (a WSGI environ) on a psycopg connection; `cfg` a Config
    (default: from the environment)."""
    handler = PAGES.get(environ.get("PATH_INFO", ""))
    if handler is None or environ.get("REQUEST_METHOD") != "GET":
        return 404, b'{"status":404,"code":"not_found"}'
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    election = query.get("election", [""])
    if set(query) != {"election"} or len(election) != 1 or not election[0].isascii() or not election[0].isdigit():
        return 400, b'{"status":400,"code":"invalid"}'
    try:
        check_token(conn, environ.get("HTTP_AUTHORIZATION", "").encode("latin-1"))
        data = handler(conn, int(election[0]), _url(environ), cfg or config())
    except Refused as refused:
        return refused.status, orjson.dumps({"status": refused.status, "code": refused.code})
    return 200, render(data)


STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    404: "404 Not Found",
    501: "501 Not Implemented",
}


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        status, body = 200, b'{"status":"ok"}'
    else:
        conn = _connection()
        try:
            status, body = answer(conn, environ)
        except psycopg.Error:
            conn.close()  # a fresh connection for the next request
            raise
    start_response(STATUS[status], [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
