"""The results of the 25 July 2021 demo election, entered through the same services as in production.

Every protocol gets two independent entries by two demo data-entry clerks (members of every
precinct commission, with unusable passwords: nobody logs in as them), so each protocol has its
entries, transitions and audit records exactly as real entry leaves them. Then:
- the demo precinct team (clerk1, clerk2, chair1) finds a journey each: the demo precinct's
  protocol untouched (clerk1 and clerk2 enter it); one of the district's protocols left in
  discrepancy, between clerk1's and clerk2's entries (chair1 resolves it); one verified by their
  equal entries (tec-district certifies it). The team is appointed (`appoint_member`, by `cec`) to
  those two stations' commissions. They are drawn like the others, and station 1's figures are
  drawn though not entered, so every other protocol gets the same figures as before (no tie);
- a few protocols stay empty, a few in discrepancy, a few verified but not certified (most of
  them in tec-district's district, so each screen has something to show);
- a few of the verified ones raise the anomaly flags (results.anomalies), their figures planted
  after the draw (so every other protocol keeps its figures): one at 100% turnout, one with a
  share of invalid ballots and one with a share of mobile-box ballots far above their district's,
  and the demo district's others on round turnouts (75.00%, ...), a significant integer peak there;
- all others are certified by the CEC member `cec`, with figures chosen so that the national
  turnout of the certified protocols, sum(Is + Im) / sum(V), is 78.54% (docs/DOMAIN.md, "The demo election").

Deterministic (fixed seed, frozen clock) and idempotent: a second run changes nothing.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils.translation import gettext

from core import clock
from core.commands import number
from registry.models import Candidacy
from results import aggregation_hook, anomalies
from results.models import Protocol, ProtocolState
from results.roles import RESULTS_GROUP_PERMISSIONS
from results.services import certify_protocols, create_protocols_for_election
from results.services.bulk_entry import Submission, finish_entries
from territory import roles
from territory.models import Commission, Membership
from territory.services import appoint_member

SEED = 2021_07_25
TARGET_TURNOUT = Decimal("78.54")
ENTRY_CLERKS = ("demo-entry-a", "demo-entry-b")
ALMATY = ZoneInfo("Asia/Almaty")
# (empty, in discrepancy, verified) left in the demo district and elsewhere.
IN_DEMO_DISTRICT = (3, 3, 4)
ELSEWHERE = (9, 5, 6)
# Anomalies planted in three of the verified protocols elsewhere (devtools.demo.results._planted).
PLANTS = ("full_turnout", "invalid_share", "mobile_share")


def _grant_permissions():
    roles.sync_groups(RESULTS_GROUP_PERMISSIONS)


def _entry_clerks():
    User = get_user_model()
    clerks = []
    for username in ENTRY_CLERKS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": "Demo", "last_name": "data-entry clerk (demo)"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        have = set(Membership.objects.filter(user=user).values_list("commission_id", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(user=user, commission_id=pk, role=Membership.Role.CLERK)
                for pk in Commission.objects.filter(kind=Commission.Kind.PRECINCT).values_list("pk", flat=True)
                if pk not in have
            ],
            batch_size=1000,
        )
        clerks.append(User.objects.get(pk=user.pk))
    return clerks


def _appoint_team(actor, protocols, chair, *clerks):
    """Seat the demo precinct team on these protocols' precinct commissions (once: already seated is kept)."""
    for protocol in protocols:
        commission = Commission.objects.get(kind=Commission.Kind.PRECINCT, polling_station=protocol.polling_station)
        for user, role in [(chair, Membership.Role.CHAIR), *((c, Membership.Role.CLERK) for c in clerks)]:
            if not Membership.objects.filter(user=user, commission=commission, role=role).exists():
                appoint_member(actor, user=user, commission=commission, role=role)


def _split(rng, total, n):
    """`total` votes over `n` candidates: random weights, each of 2+ candidates gets some."""
    if n == 1:
        return [total]
    weights = [rng.uniform(0.15, 1.0) ** 2 for _ in range(n)]
    scale = sum(weights)
    parts = [int(total * w / scale) for w in weights]
    parts[parts.index(max(parts))] += total - sum(parts)
    return parts


def _issued_plan(rng, protocols, certified_ids):
    """Ballots issued (Is + Im) per protocol; the certified ones sum to 78.54% of their voters."""
    issued = {}
    for p in protocols:
        share = min(0.93, max(0.55, rng.gauss(0.785, 0.07)))
        issued[p.pk] = int(p.polling_station.registered_voters * share)
    certified = [p for p in protocols if p.pk in certified_ids]
    voters = sum(p.polling_station.registered_voters for p in certified)
    target = int((Decimal(voters) * TARGET_TURNOUT / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    diff = target - sum(issued[p.pk] for p in certified)
    step = 1 if diff > 0 else -1
    while diff:
        moved = False
        for p in certified:
            if diff == 0:
                break
            v = p.polling_station.registered_voters
            new = issued[p.pk] + step
            if int(v * 0.55) <= new <= int(v * 0.93):
                issued[p.pk] = new
                diff -= step
                moved = True
        if not moved:
            raise RuntimeError("results demo: cannot reach the target turnout")
    return issued


def _values(rng, protocol, issued, candidacies, against_all):
    voters = protocol.polling_station.registered_voters
    mobile = int(issued * rng.uniform(0.02, 0.08))
    station = issued - mobile
    spoiled = rng.randint(0, 6)
    received = voters + rng.randint(0, 25)
    unused = received - issued - spoiled
    invalid = int(issued * rng.uniform(0.005, 0.03))
    against = int(issued * rng.uniform(0.0, 0.02)) if against_all else 0
    parts = _split(rng, issued - invalid - against, len(candidacies))
    values = {
        "voters": voters,
        "ballots_received": received,
        "issued_station": station,
        "issued_mobile": mobile,
        "spoiled": spoiled,
        "unused": unused,
        "found_stationary": station,
        "found_mobile": mobile,
        "invalid": invalid,
        "votes": {str(cid): n for cid, n in zip(candidacies, parts, strict=True)},
    }
    if against_all:
        values["against_all"] = against
    return values


def _reshaped(values, issued, *, invalid=None, mobile=None):
    """The same protocol with `issued` ballots issued, `invalid` of them invalid and `mobile` from the
    mobile boxes (by default in the same proportions as before), the votes rescaled to the rest."""
    old_issued = values["issued_station"] + values["issued_mobile"]
    invalid = values["invalid"] * issued // old_issued if invalid is None else invalid
    mobile = values["issued_mobile"] * issued // old_issued if mobile is None else mobile
    against = values.get("against_all", 0)
    valid = issued - invalid - against
    old = values["votes"]
    total = sum(old.values()) or 1
    votes = {cid: n * valid // total for cid, n in old.items()}
    if votes:
        top = max(votes, key=votes.get)
        votes[top] += valid - sum(votes.values())
    received = max(values["ballots_received"], issued + values["spoiled"])
    return {
        **values,
        "ballots_received": received,
        "issued_station": issued - mobile,
        "issued_mobile": mobile,
        "unused": received - issued - values["spoiled"],
        "found_stationary": issued - mobile,
        "found_mobile": mobile,
        "invalid": invalid,
        "votes": votes,
    }


def _round_issued(voters):
    """Ballots issued for a turnout on a round percentage (results.anomalies.sits_on_round), the one
    nearest 80% between 60% and 94% (below the entry's turnout warning)."""
    candidates = [k for k in range(voters * 60 // 100, voters * 94 // 100 + 1) if anomalies.sits_on_round(k, voters)]
    return min(candidates, key=lambda k: (abs(100 * k - 80 * voters), k))


def _planted(values, kind):
    """The figures of a protocol planted to raise an anomaly flag (PLANTS)."""
    issued = values["issued_station"] + values["issued_mobile"]
    if kind == "full_turnout":
        return _reshaped(values, values["voters"])
    if kind == "invalid_share":
        # 8% invalid: far above the district's 0.5-3%, below the entry's 10% warning.
        return _reshaped(values, issued, invalid=issued * 8 // 100)
    if kind == "mobile_share":
        return _reshaped(values, issued, mobile=issued * 25 // 100)
    return _reshaped(values, _round_issued(values["voters"]))


def _plants(demo_district_verified, elsewhere_verified):
    """{protocol id: kind}: three of the verified protocols elsewhere (by id) and the demo district's."""
    plants = dict(zip(sorted(elsewhere_verified), PLANTS, strict=False))
    plants.update(dict.fromkeys(demo_district_verified, "round_turnout"))
    return plants


def _different(values):
    """The same protocol with one slip: a vote moved between two candidates, or one spoiled/unused."""
    other = {**values, "votes": dict(values["votes"])}
    keys = list(other["votes"])
    if len(keys) >= 2 and other["votes"][keys[0]] > 0:
        other["votes"][keys[0]] -= 1
        other["votes"][keys[1]] += 1
    else:
        other["spoiled"] += 1
        other["unused"] -= 1
    return other


def _candidacies_by_contest(election):
    out = {}
    rows = (
        Candidacy.objects.registered()
        .filter(election=election)
        .select_related("person")
        .order_by("contest_id", "person__surname", "person__given_name", "pk")
    )
    for c in rows:
        out.setdefault(c.contest_id, {})[c.pk] = f"{c.person.surname} {c.person.given_name}"
    return out


def _pick(rng, pool, counts):
    pool = list(pool)
    rng.shuffle(pool)
    empty, disc, ver = counts
    return (
        set(pool[:empty]),
        set(pool[empty : empty + disc]),
        set(pool[empty + disc : empty + disc + ver]),
    )


def load(stdout=None):
    """Enter the demo results (needs the territory and registry demos). A second run changes nothing."""
    from devtools.demo.registry import ELECTION_DAY, existing_election
    from devtools.demo.territory import DEMO_STATION_KEY

    def say(message):
        if stdout is not None:
            stdout.write(message)

    _grant_permissions()
    election = existing_election()
    if election is None:
        say(gettext("results demo: no demo election (load the registry demo first)"))
        return None
    if Protocol.objects.filter(election=election).exclude(state=ProtocolState.EMPTY).exists():
        say(gettext("results demo: already loaded"))
        return election

    User = get_user_model()
    clerk_a, clerk_b = _entry_clerks()
    clerk1 = User.objects.get(username="clerk1")
    clerk2 = User.objects.get(username="clerk2")
    chair1 = User.objects.get(username="chair1")
    cec = User.objects.get(username="cec")
    night = datetime.datetime.combine(ELECTION_DAY, datetime.time(21, 30), tzinfo=ALMATY)

    with aggregation_hook.suppressed():
        with clock.frozen(night):
            create_protocols_for_election(election, cec)
        protocols = list(
            Protocol.objects.filter(election=election)
            .select_related("polling_station", "district")
            .order_by("district__kato", "polling_station__number", "contest_id")
        )
        demo = next(
            p
            for p in protocols
            if p.district.kato == DEMO_STATION_KEY[0] and p.polling_station.number == DEMO_STATION_KEY[1]
        )
        rng = random.Random(SEED)
        in_district = [p.pk for p in protocols if p.district_id == demo.district_id and p.pk != demo.pk]
        elsewhere = [p.pk for p in protocols if p.district_id != demo.district_id]
        e1, d1, v1 = _pick(rng, in_district, IN_DEMO_DISTRICT)
        e2, d2, v2 = _pick(rng, elsewhere, ELSEWHERE)
        empty, discrepancy, verified = e1 | e2, d1 | d2, v1 | v2
        # The team's protocols to resolve and to certify: the first of the district's drawn ones.
        to_resolve, to_certify = min(d1), min(v1)
        team = {to_resolve, to_certify}
        _appoint_team(cec, [p for p in protocols if p.pk in team], chair1, clerk1, clerk2)
        certified = {p.pk for p in protocols} - empty - discrepancy - verified - {demo.pk}
        issued = _issued_plan(rng, protocols, certified)
        candidacies = _candidacies_by_contest(election)
        against_all = bool(election.against_all)
        plants = _plants(v1 - {to_certify}, v2)

        submissions = []
        for p in protocols:
            if p.pk in empty:
                continue
            cands = candidacies.get(p.contest_id, {})
            values = _values(rng, p, issued[p.pk], cands, against_all)
            acknowledged = None
            if p.pk in plants:
                values = _planted(values, plants[p.pk])
                # The entry's turnout warning (above 95%), explained in figures (no language).
                issued_now = values["issued_station"] + values["issued_mobile"]
                acknowledged = {"turnout.suspicious": f"V = {values['voters']}, Is + Im = {issued_now}"}
            if p.pk == demo.pk:
                continue  # untouched: clerk1 and clerk2 enter it (its figures drawn all the same)
            first, second = (clerk1, clerk2) if p.pk in team else (clerk_a, clerk_b)
            entered = _different(values) if p.pk in discrepancy else values
            submissions += [
                Submission(p.pk, first, values, acknowledged),
                Submission(p.pk, second, entered, acknowledged),
            ]
        # Both entries of every protocol, checked and written as save_entry would, in one bulk call.
        with clock.frozen(night):
            finish_entries(submissions, candidacies=candidacies)

        with clock.frozen(night + datetime.timedelta(hours=15)):
            outcome = certify_protocols(sorted(certified), cec)
        failed = [(pid, err.code) for pid, err in outcome if err is not None]
        if failed:
            raise RuntimeError(f"results demo: certification refused: {failed[:5]}")

    totals = Protocol.objects.filter(election=election, state=ProtocolState.CERTIFIED).aggregate(
        v=Sum("voters"), i=Sum("issued_station"), m=Sum("issued_mobile")
    )
    turnout = (Decimal(totals["i"] + totals["m"]) * 100 / totals["v"]).quantize(Decimal("0.01"))
    counts = {s: Protocol.objects.filter(election=election, state=s).count() for s in ProtocolState.values}
    states = ", ".join(f"{ProtocolState(k).label} {number(v)}" for k, v in counts.items() if v)
    say(
        gettext("results demo: %(count)s protocols (%(states)s); turnout of certified protocols %(turnout)s%%")
        % {"count": number(len(protocols)), "states": states, "turnout": number(turnout)}
    )
    return election
