"""The elements of the NIST SP 1500-100 v2 format as plain data: ids, names, statuses, JSON text.
No database: `results.nist_cdf.report` reads the rows and builds the report from these."""

import itertools
import json
from operator import itemgetter
from pathlib import Path

SCHEMA_PATH = (
    Path(__file__).parent.parent / "standards" / "nist-sp-1500-100-v2" / "NIST_V2_election_results_reporting.json"
)
ISSUER = "Central Election Commission of the Republic of Kazakhstan"
ISSUER_ABBREVIATION = "CEC RK"
VENDOR = "electadmin"
COUNTRY_ID = "gpu-kz"
COUNTRY_NAMES = ("Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan")
PREFIX = "ElectionResults."

# Kinds of units (territory.kato.Kind) that have a ReportingUnitType of their own; the others are
# "other", with the kind's code as OtherType.
UNIT_TYPES = {
    "city_republican": "city",
    "city_regional": "city",
    "city_district": "city",
    "township": "town",
    "village": "village",
}
ELECTION_TYPES = {"regular": "general", "runoff": "runoff", "by_election": "special"}
# Candidacy statuses (registry.models.Candidacy.Status) as CandidatePreElectionStatus.
PRE_ELECTION_STATUS = {"nominated": "filed", "registered": "qualified", "withdrawn": "withdrawn"}


def dumps(value):
    """Compact JSON, keys sorted, UTF-8 text left as it is: the same value, the same bytes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def typed(kind, **fields):
    """An element of the schema's `kind` with the given fields (None ones left out)."""
    return {"@type": PREFIX + kind, **{k: v for k, v in fields.items() if v is not None}}


def text(kk, ru, en=""):
    """An InternationalizedText of the given names (empty ones left out)."""
    strings = [
        typed("LanguageString", Content=c, Language=lang) for lang, c in (("kk", kk), ("ru", ru), ("en", en)) if c
    ]
    return typed("InternationalizedText", Text=strings)


def other_id(kind, value):
    return typed("ExternalIdentifier", Type="other", OtherType=kind, Value=str(value))


def unit_id(kato):
    return f"gpu-{kato}"


def station_id(district_kato, number):
    return f"gpu-{district_kato}-{number}"


def count_status(total, counted, certified):
    """The CountItemStatus of protocols: completed (all certified), in-process, not-processed."""
    if total and certified == total:
        return "completed"
    return "in-process" if counted else "not-processed"


def status_list(total, counted, certified):
    return [typed("CountStatus", Status=count_status(total, counted, certified), Type="total")]


class Groups:
    """The rows of an iterator ordered by `key`, handed out group by group for ascending keys."""

    def __init__(self, rows, key):
        self._groups = itertools.groupby(rows, key=itemgetter(key))
        self._next = next(self._groups, None)

    def take(self, value):
        while self._next is not None and self._next[0] < value:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != value:
            return []
        rows = list(self._next[1])
        self._next = next(self._groups, None)
        return rows


def array(items):
    """A JSON array of the items, one chunk per item."""
    first = True
    yield "["
    for item in items:
        yield ("\n" if first else ",\n") + dumps(item)
        first = False
    yield "]" if first else "\n]"


def vote_count(gpu, count):
    return typed("VoteCounts", Count=count, GpUnitId=gpu, Type="total")


def post_status(candidacy_pk, outcome):
    """winner, advanced-to-runoff or defeated once the official result decides; None otherwise."""
    if outcome is None:
        return None
    if outcome["outcome"] == "elected":
        return "winner" if outcome["winner_id"] == candidacy_pk else "defeated"
    if outcome["outcome"] == "runoff":
        return "advanced-to-runoff" if candidacy_pk in (outcome["runoff"] or []) else "defeated"
    return None
