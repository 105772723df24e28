"""The demo territory of the 25 July 2021 rural akim elections: units, stations, commissions, users.

`load(stdout)` creates what is missing and corrects what differs, keyed on KATO codes and natural
keys, so a second run changes nothing. Everything is derived from a fixed seed (no wall clock).
The figures follow docs/DOMAIN.md ("The demo election"): 14 regions, their districts, 730 rural districts (71 in Almaty
region), 1-3 villages each, 1,847 polling stations and 1,200,000 registered voters in all.
Rural districts, villages, addresses and people are synthetic and marked "(demo)".
"""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from devtools.demo.territory_data import NAME_FIRST, NAME_SECOND, REGIONS
from territory import roles
from territory.kato import Kind
from territory.models import AdminUnit, Commission, Membership, PollingStation

SEED = 20210725
TOTAL_STATIONS = 1847
TOTAL_VOTERS = 1_200_000
# The precinct of clerk1, clerk2 and chair1: (district KATO, station number). It is the first station
# of the first Karaganda rural district by KATO (352031000), in the first Karaganda district.
DEMO_STATION_KEY = ("352000000", 1)
KARAGANDA_KATO = "350000000"

# username, what they are, group, is_staff
DEMO_USERS = [
    ("cec", gettext_lazy("CEC member (whole country)"), roles.CEC, True),
    ("tec-karaganda", gettext_lazy("secretary, Karaganda regional TEC"), roles.TEC, True),
    ("tec-district", gettext_lazy("chair, district TEC of the demo precinct (certifies)"), roles.TEC, True),
    ("chair1", gettext_lazy("chair, demo precinct commission (resolves discrepancies)"), roles.PRECINCT, False),
    ("clerk1", gettext_lazy("clerk, demo precinct commission"), roles.PRECINCT, False),
    ("clerk2", gettext_lazy("clerk, demo precinct commission"), roles.PRECINCT, False),
    ("auditor", gettext_lazy("auditor (read-only API)"), roles.AUDITORS, False),
]
DEMO_LOGINS = [(username, description) for username, description, _group, _staff in DEMO_USERS]


@dataclass
class UnitSpec:
    kato: str
    kind: str
    name_kk: str
    name_ru: str
    name_en: str
    parent: str | None
    registered_voters: int | None = None


@dataclass
class StationSpec:
    district: str
    number: int
    unit: str
    address: str
    registered_voters: int


@dataclass
class Plan:
    units: list = field(default_factory=list)  # parents before children
    stations: list = field(default_factory=list)


def _synthetic_name(rnd):
    first, second = rnd.choice(NAME_FIRST), rnd.choice(NAME_SECOND)
    return tuple(a + b for a, b in zip(first, second, strict=True))


def build_plan():
    """The whole demo territory as plain data (deterministic: the same on every call)."""
    rnd = random.Random(SEED)
    regions, districts, rurals, villages = [], [], [], []
    villages_of = {}
    for prefix, (kk, ru, en), rural_count, district_names in REGIONS:
        region_code = prefix + "0000000"
        regions.append(UnitSpec(region_code, Kind.REGION, kk, ru, en, None))
        district_codes = []
        for index, (dkk, dru, den) in enumerate(district_names):
            code = f"{prefix}{20 + 2 * index:02d}00000"
            district_codes.append(code)
            districts.append(UnitSpec(code, Kind.DISTRICT, dkk, dru, den, region_code))
        per_district = [0] * len(district_codes)
        region_rurals = []
        for j in range(rural_count):
            d = j % len(district_codes)
            code = f"{district_codes[d][:4]}{31 + 2 * per_district[d]:02d}000"
            per_district[d] += 1
            region_rurals.append((code, district_codes[d]))
        for code, district_code in sorted(region_rurals):
            nkk, nru, nen = _synthetic_name(rnd)
            rurals.append(
                UnitSpec(
                    code,
                    Kind.RURAL_DISTRICT,
                    f"{nkk} ауылдық округі (демо)",
                    f"{nru}ский сельский округ (демо)",
                    f"{nen} rural district (demo)",
                    district_code,
                )
            )
            villages_of[code] = []
            for v in range(rnd.randint(1, 3)):
                vkk, vru, ven = _synthetic_name(rnd)
                village = UnitSpec(
                    f"{code[:6]}1{v + 1:02d}",
                    Kind.VILLAGE,
                    f"{vkk} ауылы (демо)",
                    f"село {vru} (демо)",
                    f"{ven} village (demo)",
                    code,
                )
                villages.append(village)
                villages_of[code].append(village)

    # Stations: one per rural district, the rest spread by the seeded generator.
    counts = {rural.kato: 1 for rural in rurals}
    order = [rural.kato for rural in rurals]
    for _ in range(TOTAL_STATIONS - len(order)):
        counts[order[rnd.randrange(len(order))]] += 1
    stations, next_number = [], {}
    rural_by_code = {rural.kato: rural for rural in rurals}
    for code in sorted(order):
        district_code = rural_by_code[code].parent
        for i in range(counts[code]):
            village = villages_of[code][i % len(villages_of[code])]
            number = next_number.get(district_code, 1)
            next_number[district_code] = number + 1
            stations.append(
                StationSpec(
                    district_code,
                    number,
                    village.kato,
                    f"{village.name_ru}, школа, ул. Центральная, {i + 1} (демо)",
                    rnd.randint(250, 1050),
                )
            )
    # Bring the total to exactly TOTAL_VOTERS, spread evenly.
    shortfall = TOTAL_VOTERS - sum(s.registered_voters for s in stations)
    share, rest = divmod(shortfall, len(stations))
    for index, station in enumerate(stations):
        station.registered_voters += share + (1 if index < rest else 0)

    # Registered voters of units: each rural district, district and region sums its stations.
    voters = {}
    parent_of = {u.kato: u.parent for u in [*regions, *districts, *rurals, *villages]}
    for station in stations:
        node = parent_of[station.unit]  # the rural district (villages themselves stay unset)
        while node is not None:
            voters[node] = voters.get(node, 0) + station.registered_voters
            node = parent_of[node]
    for unit in [*regions, *districts, *rurals]:
        unit.registered_voters = voters.get(unit.kato)
    return Plan(units=[*regions, *districts, *rurals, *villages], stations=stations)


# What `load` counts (the keys of the dict it returns), in words.
COUNT_LABELS = {
    "units created": gettext_lazy("units created"),
    "units updated": gettext_lazy("units updated"),
    "stations created": gettext_lazy("stations created"),
    "stations updated": gettext_lazy("stations updated"),
    "commissions created": gettext_lazy("commissions created"),
    "commissions updated": gettext_lazy("commissions updated"),
    "users created": gettext_lazy("users created"),
    "users updated": gettext_lazy("users updated"),
    "memberships created": gettext_lazy("memberships created"),
}


class _Counter(dict):
    def add(self, key, n=1):
        self[key] = self.get(key, 0) + n


def _sync_units(plan, counter):
    """Create or correct the units level by level; returns {kato: AdminUnit}."""
    codes = [spec.kato for spec in plan.units]
    existing = {u.kato: u for u in AdminUnit.objects.filter(kato__in=codes)}
    for level_kinds in ([Kind.REGION], [Kind.DISTRICT], [Kind.RURAL_DISTRICT], [Kind.VILLAGE]):
        to_create, to_update = [], []
        for spec in plan.units:
            if spec.kind not in level_kinds:
                continue
            parent = existing[spec.parent] if spec.parent else None
            wanted = {
                "kind": spec.kind,
                "name_kk": spec.name_kk,
                "name_ru": spec.name_ru,
                "name_en": spec.name_en,
                "registered_voters": spec.registered_voters,
                "parent_id": parent.pk if parent else None,
                "region_id": None if parent is None else (parent.pk if parent.level == 1 else parent.region_id),
                "district_id": None
                if parent is None or parent.level < 2
                else (parent.pk if parent.level == 2 else parent.district_id),
            }
            unit = existing.get(spec.kato)
            if unit is None:
                unit = AdminUnit(kato=spec.kato, **wanted)
                to_create.append(unit)
                existing[spec.kato] = unit
            elif any(getattr(unit, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(unit, name, value)
                to_update.append(unit)
        AdminUnit.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            AdminUnit.objects.bulk_update(
                to_update,
                ["kind", "name_kk", "name_ru", "name_en", "registered_voters", "parent", "region", "district"],
                batch_size=1000,
            )
        counter.add("units created", len(to_create))
        counter.add("units updated", len(to_update))
    return existing


def _sync_stations(plan, units, counter):
    district_ids = {units[s.district].pk for s in plan.stations}
    existing = {(s.district_id, s.number): s for s in PollingStation.objects.filter(district_id__in=district_ids)}
    to_create, to_update = [], []
    for spec in plan.stations:
        unit = units[spec.unit]
        wanted = {
            "unit_id": unit.pk,
            "district_id": unit.district_id,
            "region_id": unit.region_id,
            "address": spec.address,
            "registered_voters": spec.registered_voters,
        }
        key = (units[spec.district].pk, spec.number)
        station = existing.get(key)
        if station is None:
            station = PollingStation(number=spec.number, **wanted)
            to_create.append(station)
            existing[key] = station
        elif any(getattr(station, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(station, name, value)
            to_update.append(station)
    PollingStation.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        PollingStation.objects.bulk_update(
            to_update, ["unit", "district", "region", "address", "registered_voters"], batch_size=1000
        )
    counter.add("stations created", len(to_create))
    counter.add("stations updated", len(to_update))
    return existing


def _sync_commissions(plan, units, stations, counter):
    """One CEC, a TEC per region and per district, a precinct commission per station."""
    wanted = [(Commission.Kind.CEC, None, None, "Центральная избирательная комиссия Республики Казахстан")]
    for spec in plan.units:
        if spec.kind == Kind.REGION:
            wanted.append(
                (Commission.Kind.REGIONAL, units[spec.kato], None, f"{spec.name_ru}: областная избирательная комиссия")
            )
        elif spec.kind == Kind.DISTRICT:
            wanted.append(
                (Commission.Kind.DISTRICT, units[spec.kato], None, f"{spec.name_ru}: районная избирательная комиссия")
            )
    for spec in plan.stations:
        station = stations[(units[spec.district].pk, spec.number)]
        district = units[spec.district]
        wanted.append(
            (
                Commission.Kind.PRECINCT,
                units[spec.unit],
                station,
                f"Участковая избирательная комиссия № {spec.number} ({district.name_ru})",
            )
        )
    existing = {}
    for commission in Commission.objects.all():
        key = commission.polling_station_id if commission.kind == Commission.Kind.PRECINCT else commission.unit_id
        existing[(commission.kind, key)] = commission
    to_create, to_update = [], []
    for kind, unit, station, name in wanted:
        key = (kind, station.pk if kind == Commission.Kind.PRECINCT else (unit.pk if unit else None))
        commission = existing.get(key)
        unit_id = unit.pk if unit else None
        if commission is None:
            commission = Commission(kind=kind, unit_id=unit_id, polling_station=station, name=name)
            to_create.append(commission)
            existing[key] = commission
        elif commission.name != name or commission.unit_id != unit_id:
            commission.name, commission.unit_id = name, unit_id
            to_update.append(commission)
    Commission.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Commission.objects.bulk_update(to_update, ["name", "unit"], batch_size=1000)
    counter.add("commissions created", len(to_create))
    counter.add("commissions updated", len(to_update))
    return existing


class _DemoPassword:
    """The demo accounts' one password, hashed once with the configured hasher at its full cost and
    that encoding given to every demo account (so they share a salt too: the password is printed
    for all to read anyway). Hashing it once per account cost a second or two of every load."""

    def __init__(self, password):
        self.password = password
        self._encoded = None
        self._checked = {}

    def hashed(self):
        if self._encoded is None:
            self._encoded = make_password(self.password)
        return self._encoded

    def matches(self, encoded):
        """Whether `encoded` holds this password with the preferred hasher at its current cost."""
        if encoded not in self._checked:
            stale = []  # Django's check_password calls the setter when the encoding needs an upgrade
            right = check_password(self.password, encoded, setter=lambda _raw: stale.append(True))
            self._checked[encoded] = right and not stale
        return self._checked[encoded]


def _sync_users(units, stations, commissions, counter, password):
    User = get_user_model()
    groups = roles.sync_groups()
    station = stations[(units[DEMO_STATION_KEY[0]].pk, DEMO_STATION_KEY[1])]
    seats = {
        "cec": (commissions[(Commission.Kind.CEC, None)], Membership.Role.MEMBER),
        "tec-karaganda": (
            commissions[(Commission.Kind.REGIONAL, units[KARAGANDA_KATO].pk)],
            Membership.Role.SECRETARY,
        ),
        "tec-district": (commissions[(Commission.Kind.DISTRICT, station.district_id)], Membership.Role.CHAIR),
        "chair1": (commissions[(Commission.Kind.PRECINCT, station.pk)], Membership.Role.CHAIR),
        "clerk1": (commissions[(Commission.Kind.PRECINCT, station.pk)], Membership.Role.CLERK),
        "clerk2": (commissions[(Commission.Kind.PRECINCT, station.pk)], Membership.Role.CLERK),
    }
    encoded = _DemoPassword(password)
    for username, description, group_name, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": is_staff, "first_name": "Demo", "last_name": f"{description} (demo)"},
        )
        if created:
            user.password = encoded.hashed()
            user.save(update_fields=["password"])
            counter.add("users created")
        else:
            changed = []
            if user.is_staff != is_staff:
                user.is_staff = is_staff
                changed.append("is_staff")
            if not user.is_active:
                user.is_active = True
                changed.append("is_active")
            if not encoded.matches(user.password):
                user.password = encoded.hashed()
                changed.append("password")
            if changed:
                user.save(update_fields=changed)
                counter.add("users updated")
        if not user.groups.filter(pk=groups[group_name].pk).exists():
            user.groups.add(groups[group_name])
        if username in seats:
            commission, role = seats[username]
            _membership, made = Membership.objects.get_or_create(user=user, commission=commission, role=role)
            counter.add("memberships created", int(made))


@transaction.atomic
def load(stdout=None, *, password=None):
    """Create or correct the demo territory, commissions and users; returns the counts of what changed."""
    password = settings.DEMO_PASSWORD if password is None else password
    counter = _Counter()
    plan = build_plan()
    units = _sync_units(plan, counter)
    stations = _sync_stations(plan, units, counter)
    commissions = _sync_commissions(plan, units, stations, counter)
    _sync_users(units, stations, commissions, counter, password)
    if stdout is not None:
        changed = {key: value for key, value in counter.items() if value}
        if changed:
            listed = ", ".join(f"{COUNT_LABELS[key]}: {value}" for key, value in sorted(changed.items()))
            stdout.write(gettext("territory: %(changes)s") % {"changes": listed})
        else:
            stdout.write(gettext("territory: already loaded, nothing changed"))
    return dict(counter)
