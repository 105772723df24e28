"""The load test's synthetic election: one region, one district, a rural district (one contest with
three candidates) per clerk pair, `protocols_per_pair` polling stations in each (each with its
precinct commission, both clerks of the pair members of all of them), a CEC member, auditors
with tokens. Protocols are created by `create_protocols_for_contest`.
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext

from api.tokens import AUDITOR_GROUP, issue_token
from core import clock
from registry import iin
from registry.models import Candidacy, Contest, Election, Person
from results import aggregation_hook
from results.models import Protocol
from results.services import create_protocols_for_contest
from territory.models import AdminUnit, Commission, Membership, PollingStation

ELECTION_DAY = datetime.date(2021, 7, 25)
COUNTING = datetime.datetime(2021, 7, 25, 21, 0, tzinfo=datetime.UTC)
VOTERS = 1000
PREFIX = "lt"  # user names of the load test: lt-clerk-<n>, lt-auditor-<n>


@dataclass
class ProtocolPlan:
    pk: int
    form: dict  # the POST fields of a consistent protocol (without csrf token and version)


@dataclass
class Plan:
    election_id: int
    password: str
    pairs: list = field(default_factory=list)  # [(clerk a, clerk b, [ProtocolPlan, ...]), ...]
    auditor_tokens: list = field(default_factory=list)

    @property
    def protocols(self):
        return [p for _a, _b, protocols in self.pairs for p in protocols]


def _form(candidacy_ids):
    """Station figures that pass every control (V=1000, 750 ballots issued, 720 valid)."""
    data = {
        "voters": "1000",
        "ballots_received": "1000",
        "issued_station": "700",
        "issued_mobile": "50",
        "spoiled": "10",
        "unused": "240",
        "found_stationary": "700",
        "found_mobile": "50",
        "invalid": "30",
        "action": "finish",
    }
    for cid, votes in zip(candidacy_ids, ("400", "200", "120"), strict=True):
        data[f"vote_{cid}"] = votes
    return data


def seed(*, pairs, protocols_per_pair, auditors):
    """Build the election; returns the Plan. Refuses a database that already has elections."""
    if Election.objects.exists():
        raise RuntimeError(gettext("the load test needs a scratch database without elections"))
    if not 1 <= pairs <= 99:
        raise ValueError(gettext("between 1 and 99 clerk pairs (one rural district each)"))
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # hashed once: every clerk shares it
    users = get_user_model().objects
    with transaction.atomic(), clock.frozen(COUNTING), aggregation_hook.suppressed():
        region = AdminUnit.objects.create(kato="350000000", kind="region", name_ru="Нагрузочная область")
        district = AdminUnit.objects.create(kato="352000000", kind="district", parent=region, name_ru="Район")
        election = Election.objects.create(
            office_type="rural_district",
            election_day=ELECTION_DAY,
            name_ru="Нагрузочный тест (синтетические данные)",
            name_kk="Жүктеме сынағы",
        )
        cec = users.create(username=f"{PREFIX}-cec", password=hashed, is_staff=True)
        Membership.objects.create(user=cec, commission=Commission.objects.create(kind="cec", name="ЦИК"), role="member")
        plan = Plan(election_id=election.pk, password=password)
        station_number = 0
        for p in range(pairs):
            rural = AdminUnit.objects.create(
                kato=f"3520{p + 1:02d}000", kind="rural_district", parent=district, name_ru=f"Округ {p + 1}"
            )
            contest = Contest.objects.create(election=election, unit=rural)
            candidacy_ids = []
            for c in range(3):
                serial = (p * 3 + c + 1) * 11  # build_next_iin tries up to 10 serials: never overlap
                code, _used = iin.build_next_iin(datetime.date(1980, 1, 1), iin.MALE, serial)
                person = Person.objects.create(
                    iin=code, surname=f"Кандидат {p}-{c}", given_name="Тест", education="higher"
                )
                candidacy = Candidacy.objects.create(
                    person=person,
                    contest=contest,
                    nomination_type="self",
                    status=Candidacy.Status.REGISTERED,
                    nominated_on=datetime.date(2021, 7, 1),
                )
                candidacy_ids.append(candidacy.pk)
            clerks = [users.create(username=f"{PREFIX}-clerk-{2 * p + k}", password=hashed) for k in range(2)]
            for _ in range(protocols_per_pair):
                station_number += 1
                station = PollingStation.objects.create(unit=rural, number=station_number, registered_voters=VOTERS)
                precinct = Commission.objects.create(
                    kind="precinct", name=f"УИК {station_number}", polling_station=station
                )
                for clerk in clerks:
                    Membership.objects.create(user=clerk, commission=precinct, role="clerk")
            create_protocols_for_contest(contest, cec)
            form = _form(candidacy_ids)
            protocols = [
                ProtocolPlan(pk, form)
                for pk in Protocol.objects.filter(contest=contest).order_by("pk").values_list("pk", flat=True)
            ]
            plan.pairs.append((clerks[0].username, clerks[1].username, protocols))
    with transaction.atomic():  # tokens on the real clock: they must not have expired already
        group = Group.objects.get_or_create(name=AUDITOR_GROUP)[0]
        issuer = users.create(username=f"{PREFIX}-issuer", password=hashed, is_staff=True, is_superuser=True)
        for a in range(auditors):
            auditor = users.create(username=f"{PREFIX}-auditor-{a}", password=hashed)
            auditor.groups.add(group)
            _token, raw = issue_token(auditor, issued_by=issuer, expires_in_days=1, name="load test")
            plan.auditor_tokens.append(raw)
    return plan
