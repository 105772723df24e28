"""A synthetic election of any size, written through the project's bulk paths.

Territory (regions, districts, rural districts as the contests' units), an election with its
contests and registered candidacies (`bulk_create`), then polling stations through
`results.bulk.copy_rows` (COPY on PostgreSQL) and their protocols with the vote counts through
`results.fixtures.load_protocols`, in chunks of stations, each chunk its own transaction (memory and
deferred constraint checks stay bounded).

Protocols are loaded in their final state with consistent figures: about 90% certified, 6% verified,
4% empty. The builder never sets a state itself: `results.fixtures` derives state and version from
the state machine's table, refuses figures any error control refuses, and records the load in the
audit trail (one record per contest and chunk). Aggregation reads only these rows, so the entry
workflow is measured separately (devtools.bench.entry), through the services. Deterministic for a seed.
"""

import datetime
import math
import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.translation import gettext

from core.commands import number as localized_number
from registry import iin
from registry.models import Candidacy, Contest, Election, Person
from results.bulk import copy_rows, reserve_ids
from results.controls import FIGURE_NAMES
from results.fixtures import FixtureProtocol, load_protocols
from results.models import Protocol, ProtocolState, ProtocolVote
from territory.models import AdminUnit, Commission, Membership, PollingStation

MOMENT = datetime.datetime(2021, 7, 25, 16, 0, tzinfo=datetime.UTC)
CHUNK = 20_000
BENCH_USER = "bench-cec"
LOAD_REASON = "manage.py bench: synthetic election built by devtools.bench.builder"


def election_name(scale, seed):
    return f"bench {scale.label} seed {seed}"


def existing(scale, seed):
    """The election an earlier run built for this scale and seed, or None."""
    return Election.objects.filter(name_en=election_name(scale, seed)).order_by("-pk").first()


def bench_user():
    """The CEC member who certifies (and, in the entry benchmark, supervises)."""
    user, created = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"first_name": "Bench", "last_name": "CEC member (synthetic)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    cec = Commission.objects.filter(kind=Commission.Kind.CEC).first()
    if cec is None:
        cec = Commission.objects.create(kind=Commission.Kind.CEC, name="Central Election Commission")
    Membership.objects.get_or_create(user=user, commission=cec, defaults={"role": Membership.Role.MEMBER})
    return user


def _free_region_codes(count):
    used = set(AdminUnit.objects.filter(kind="region").values_list("kato", flat=True))
    used |= {k[:2] + "0000000" for k in AdminUnit.objects.values_list("kato", flat=True).iterator()}
    free = [f"{c:02d}" for c in range(99, 9, -1) if f"{c:02d}0000000" not in used]
    if len(free) < count:
        raise RuntimeError(f"bench: only {len(free)} free region codes left; use a fresh database")
    return free[:count]


def _territory(contests):
    """Regions, districts and one rural district per contest; returns the rural districts."""
    regions_n = min(17, max(1, contests // 20))
    per_region = min(89, max(min(10, math.ceil(contests / regions_n)), math.ceil(contests / (regions_n * 89))))
    districts_n = min(regions_n * per_region, contests)
    rural_per_district = math.ceil(contests / districts_n)
    if rural_per_district > 89:
        raise ValueError("bench: too many contests for the KATO code space of 17 regions")
    codes = _free_region_codes(regions_n)
    regions = AdminUnit.objects.bulk_create(
        AdminUnit(kato=f"{c}0000000", kind="region", name_kk=f"Bench {c}", name_ru=f"Bench {c}") for c in codes
    )
    districts = AdminUnit.objects.bulk_create(
        AdminUnit(
            kato=f"{regions[i % regions_n].kato[:2]}{10 + i // regions_n:02d}00000",
            kind="district",
            parent=regions[i % regions_n],
            region=regions[i % regions_n],
            name_kk=f"Bench district {i}",
            name_ru=f"Bench district {i}",
        )
        for i in range(districts_n)
    )
    return AdminUnit.objects.bulk_create(
        AdminUnit(
            kato=f"{districts[i % districts_n].kato[:4]}{10 + i // districts_n:02d}000",
            kind="rural_district",
            parent=districts[i % districts_n],
            region_id=districts[i % districts_n].region_id,
            district=districts[i % districts_n],
            name_kk=f"Bench rural district {i}",
            name_ru=f"Bench rural district {i}",
        )
        for i in range(contests)
    )


def _people(count, rng):
    taken = set(Person.objects.values_list("iin", flat=True).iterator())
    people, k = [], 0
    start = datetime.date(1960, 1, 1)
    while len(people) < count:
        birth = start + datetime.timedelta(days=k % 12_000)
        sex = iin.MALE if k % 5 else iin.FEMALE
        code, _ = iin.build_next_iin(birth, sex, 1 + (k // 12_000) * 11 % 9_000)
        k += 1
        if code in taken:
            continue
        taken.add(code)
        people.append(
            Person(
                iin=code,
                birth_date=birth,
                sex=sex,
                surname=f"Bench{len(people)}",
                given_name="Synthetic",
                education="higher",
                is_synthetic=True,
            )
        )
    return Person.objects.bulk_create(people, batch_size=5_000)


def _figures(rng, weights):
    """Consistent protocol figures and votes (list in candidacy order)."""
    voters = rng.randint(400, 2_400)
    issued = int(voters * rng.uniform(0.55, 0.9))
    mobile = int(issued * rng.uniform(0.0, 0.06))
    spoiled = rng.randint(0, 5)
    received = voters + rng.randint(0, 20)
    invalid = int(issued * rng.uniform(0.0, 0.03))
    valid = issued - invalid
    parts = [int(valid * w * rng.uniform(0.8, 1.2)) for w in weights]
    over = sum(parts) - valid
    if over > 0:
        parts[parts.index(max(parts))] -= over
    else:
        parts[0] -= over
    figures = (voters, received, issued - mobile, mobile, spoiled, received - issued - spoiled)
    return figures + (issued - mobile, mobile, invalid, None), parts


def build(scale, *, seed=1, say=print):
    """Build the election; returns it. Takes a few seconds at `kz`, minutes at `national`."""
    rng = random.Random(seed)
    user = bench_user()
    with transaction.atomic():
        units = _territory(scale.contests)
        election = Election.objects.create(
            name_kk=election_name(scale, seed),
            name_ru=election_name(scale, seed),
            name_en=election_name(scale, seed),
            office_type="rural_district",
            election_day=datetime.date(2021, 7, 25),
            status=Election.Status.COUNTING,
        )
        contests = Contest.objects.bulk_create((Contest(election=election, unit=u) for u in units), batch_size=5_000)
        sizes = [rng.randint(scale.candidates_min, scale.candidates_max) for _ in contests]
        people = iter(_people(sum(sizes), rng))
        candidacies = Candidacy.objects.bulk_create(
            (
                Candidacy(
                    person=next(people),
                    contest=contest,
                    election=election,
                    nomination_type=Candidacy.NominationType.SELF,
                    status=Candidacy.Status.REGISTERED,
                    nominated_on=datetime.date(2021, 7, 1),
                    decided_on=datetime.date(2021, 7, 10),
                )
                for contest, n in zip(contests, sizes, strict=True)
                for _ in range(n)
            ),
            batch_size=5_000,
        )
    say(
        gettext("bench: %(contests)s contests, %(candidacies)s candidacies")
        % {"contests": localized_number(len(contests)), "candidacies": localized_number(len(candidacies))}
    )
    by_contest = {}
    for c in candidacies:
        by_contest.setdefault(c.contest_id, []).append(c.pk)
    weights = {}
    for contest_id, ids in by_contest.items():
        raw = [rng.uniform(0.2, 1.0) ** 2 for _ in ids]
        weights[contest_id] = [w / sum(raw) for w in raw]
    next_number = {}
    voters_of = dict.fromkeys(by_contest, 0)
    first_station = reserve_ids(PollingStation, scale.stations)
    first_protocol = reserve_ids(Protocol, scale.stations)
    votes_written = 0
    for start in range(0, scale.stations, CHUNK):
        stations, protocols = [], []
        for s in range(start, min(start + CHUNK, scale.stations)):
            contest, unit = contests[s % len(contests)], units[s % len(contests)]
            number = next_number.get(unit.district_id, 0) + 1
            next_number[unit.district_id] = number
            figures, parts = _figures(rng, weights[contest.pk])
            roll = rng.random()
            state = (
                ProtocolState.CERTIFIED
                if roll < 0.9
                else ProtocolState.VERIFIED
                if roll < 0.96
                else ProtocolState.EMPTY
            )
            station_id, protocol_id = first_station + s, first_protocol + s
            stations.append((station_id, number, unit.pk, unit.district_id, unit.region_id, "", figures[0]))
            voters_of[contest.pk] += figures[0]
            row = FixtureProtocol(protocol_id, contest.pk, station_id, unit.region_id, unit.district_id, state)
            if state != ProtocolState.EMPTY:
                row = row._replace(
                    figures=dict(zip(FIGURE_NAMES, figures, strict=False)),
                    votes=dict(zip(by_contest[contest.pk], parts, strict=True)),
                )
                votes_written += len(parts)
            protocols.append(row)
        with transaction.atomic():
            copy_rows(
                PollingStation,
                ("id", "number", "unit", "district", "region", "address", "registered_voters"),
                stations,
            )
            load_protocols(election, protocols, actor=user, at=MOMENT, reason=LOAD_REASON)
        if scale.stations > CHUNK:
            say(
                gettext("bench: %(stations)s stations, %(votes)s vote counts")
                % {"stations": localized_number(start + len(stations)), "votes": localized_number(votes_written)}
            )
    for contest in contests:
        contest.registered_voters = voters_of[contest.pk]
    Contest.objects.bulk_update(contests, ["registered_voters"], batch_size=5_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (PollingStation, Protocol, ProtocolVote):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return election
