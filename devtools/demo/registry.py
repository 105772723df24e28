"""The demo of the candidate registry: the rural akim elections of 25 July 2021.

Loads the election with its 2021 rules, the six largest parties of 2021, contests in the 730 rural
districts of the territory demo, and 2,297 registered candidates whose statistics reproduce the
published figures (docs/DOMAIN.md, "The demo election"), plus a few nominations refused, withdrawn and
cancelled so the screens show the workflow. People are synthetic (`Person.is_synthetic`); aggregate
figures are the published ones; the split between parties and the per-person details are invented.

Everything goes through the registry's services (the bulk import for the many, the one-by-one
services for the few), under the domain clock set to the 2021 calendar, so every candidacy has the
audit records a real one would have. Deterministic (seeded), idempotent.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext

from core import clock
from core.commands import number
from registry import roles, services
from registry.eligibility import signatures_required
from registry.models import Candidacy, Contest, Education, Election, Party
from territory.kato import Kind
from territory.models import AdminUnit

ELECTION_DAY = datetime.date(2021, 7, 25)
ALMATY = ZoneInfo("Asia/Almaty")
SEED = 20210725

# prefix: (rural districts = contests, registered candidates, women among them)
REGIONS = {
    "11": (90, 303, 38),
    "15": (50, 150, 20),
    "19": (71, 242, 31),
    "23": (30, 95, 12),
    "27": (45, 140, 18),
    "31": (40, 122, 15),
    "35": (80, 268, 42),  # 226 men (84%), 42 women (16%): published
    "39": (50, 147, 30),  # every fifth a woman (20.4%): published
    "43": (35, 105, 13),
    "47": (15, 48, 6),
    "55": (50, 150, 19),
    "59": (25, 71, 9),
    "61": (80, 250, 30),
    "63": (69, 206, 27),
}
KARAGANDA, MANGYSTAU = "35", "47"
TOTAL_CONTESTS, TOTAL_REGISTERED, TOTAL_SELF = 730, 2297, 1419

# The six largest parties of 2021. Candidates per party: the published total is 878 party nominees;
# this split among the parties is the demo's own (no official per-party breakdown is reproduced).
PARTIES = [
    # short name, Kazakh, Russian, English, demo nominees
    ("Nur Otan", "«Nur Otan» партиясы", "Партия «Nur Otan»", "Nur Otan party", 683),
    (
        "Auyl",
        "«Ауыл» халықтық-демократиялық патриоттық партиясы",
        "Народно-демократическая патриотическая партия «Ауыл»",
        "Auyl People's Democratic Patriotic Party",
        70,
    ),
    (
        "Ak Zhol",
        "Қазақстанның «Ақ жол» демократиялық партиясы",
        "Демократическая партия Казахстана «Ак жол»",
        "Ak Zhol Democratic Party of Kazakhstan",
        53,
    ),
    (
        "NPK",
        "Қазақстан Халық партиясы",
        "Народная партия Казахстана",
        "People's Party of Kazakhstan (until November 2020 the Communist People's Party, KNPK)",
        38,
    ),
    ("Adal", "«Adal» партиясы", "Партия «Adal»", "Adal party", 24),
    (
        "OSDP",
        "Жалпыұлттық социал-демократиялық партия",
        "Общенациональная социал-демократическая партия",
        "Nationwide Social Democratic Party",
        10,
    ),
]

SURNAME_ROOTS = [
    "Абдрахман", "Ахмет", "Байжан", "Бекмухамбет", "Досым", "Ергали", "Есенгельди", "Жаксылык",
    "Жумабай", "Журсин", "Идрис", "Искак", "Кабдулл", "Касым", "Кенжебек", "Мукан", "Нурпеис",
    "Омар", "Оспан", "Рахимжан", "Сарсенбай", "Сейтказ", "Смагул", "Тулеген", "Турсун", "Утеген",
    "Шаймерден", "Ыбырай", "Ермек", "Жандар",
]  # fmt: skip
MALE_NAMES = [
    "Ерлан", "Нурлан", "Серик", "Бауыржан", "Асхат", "Данияр", "Марат", "Ерболат", "Айдос", "Жандос",
    "Талгат", "Канат", "Арман", "Берик", "Даурен", "Ержан", "Самат", "Мурат", "Азамат", "Руслан",
]  # fmt: skip
FEMALE_NAMES = [
    "Айгуль", "Гульнара", "Жанар", "Сауле", "Алия", "Динара", "Асель", "Мадина", "Камила", "Айнур",
    "Назгуль", "Салтанат", "Жибек", "Ботагоз", "Индира",
]  # fmt: skip
FATHER_NAMES = ["Ерлан", "Марат", "Серик", "Канат", "Берик", "Талгат", "Нурлан", "Болат", "Жаксылык", "Амангельды"]
OCCUPATIONS = [
    "аким сельского округа",
    "заместитель акима сельского округа",
    "главный специалист аппарата акима",
    "директор школы",
    "учитель",
    "фермер",
    "индивидуальный предприниматель",
    "агроном",
    "врач",
    "руководитель ТОО",
]
QUALIFICATION_BODY = "Агентство РК по делам государственной службы (demo)"


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ALMATY)


def _birth_date(rng, age):
    """A birth date at which someone is `age` (completed years) on election day."""
    latest = ELECTION_DAY.replace(year=ELECTION_DAY.year - age)
    return latest - datetime.timedelta(days=rng.randint(0, 364))


def _ages(rng, count, *, mean=None):
    ages = [max(26, min(64, round(rng.gauss(43, 8)))) for _ in range(count)]
    if mean is not None:
        # Nudge one age at a time until the sum gives the wanted mean (Karaganda: a little over 40).
        target = round(mean * count)
        i = 0
        while sum(ages) != target:
            step = 1 if sum(ages) < target else -1
            j = i % count
            if 26 <= ages[j] + step <= 64:
                ages[j] += step
            i += 1
    return ages


def _plan(contests_by_region):
    """Candidates per contest and their nomination: {contest pk: [party short name or None, ...]}."""
    rng = random.Random(SEED)
    slots = {}
    singles_left = {"59", "27", "43", "63", "15"}  # one contest with a single candidate in each
    for prefix, contests in sorted(contests_by_region.items()):
        _n, registered, _w = REGIONS[prefix]
        sizes = {c.pk: 2 for c in contests}
        if prefix in singles_left:
            sizes[contests[-1].pk] = 1
        remaining = registered - sum(sizes.values())
        order = [c.pk for c in contests]
        while remaining > 0:
            pk = rng.choice(order)
            if sizes[pk] >= 2 and sizes[pk] < 6:
                sizes[pk] += 1
                remaining -= 1
        slots.update({pk: [None] * size for pk, size in sizes.items()})
    all_pks = sorted(slots)
    for short, _kk, _ru, _en, count in PARTIES:
        candidates = [pk for pk in all_pks if None in slots[pk]]
        rng.shuffle(candidates)
        if short == "Nur Otan":
            candidates.sort(key=lambda pk: len(slots[pk]) == 1)  # the ruling party stands nearly everywhere
        for pk in candidates[:count]:
            slots[pk][slots[pk].index(None)] = short
    return slots


class _People:
    """Synthetic people with valid IINs consistent with their birth date and sex."""

    def __init__(self):
        self.rng = random.Random(SEED + 1)
        self.serial = 100

    def row(self, *, sex, age, education=Education.HIGHER, birth_date=None, **extra):
        from registry.iin import build_next_iin

        rng = self.rng
        birth_date = birth_date or _birth_date(rng, age)
        value, used = build_next_iin(birth_date, sex, self.serial)
        self.serial = used + 1
        male = sex == "M"
        root = rng.choice(SURNAME_ROOTS)
        father = rng.choice(FATHER_NAMES)
        row = {
            "iin": value,
            "surname": root + ("ов" if male else "ова"),
            "given_name": rng.choice(MALE_NAMES if male else FEMALE_NAMES),
            "patronymic": father + ("ович" if male else "овна"),
            "education": education,
            "occupation": rng.choice(OCCUPATIONS),
            "qualification": "passed",
            "qualification_checked_on": datetime.date(2021, 7, rng.randint(1, 8)),
            "qualification_checked_by": QUALIFICATION_BODY,
            "nominated_on": datetime.date(2021, 6, 26) + datetime.timedelta(days=rng.randint(0, 13)),
            "deposit_paid": "yes",
            "is_synthetic": "yes",
        }
        row.update(extra)
        return row


def _rows(contests_by_region, plan, people):
    rng = random.Random(SEED + 2)
    rows = []
    for prefix, contests in sorted(contests_by_region.items()):
        _n, registered, women = REGIONS[prefix]
        sexes = ["F"] * women + ["M"] * (registered - women)
        rng.shuffle(sexes)
        ages = _ages(rng, registered, mean=Decimal("40.4") if prefix == KARAGANDA else None)
        if prefix == MANGYSTAU:
            ages[0] = 25  # the youngest candidate of the country
        i = 0
        for contest in contests:
            for party in plan[contest.pk]:
                education = Education.HIGHER
                if prefix != KARAGANDA and rng.random() < 0.05:
                    education = Education.POSTGRADUATE
                birth_date = datetime.date(1996, 2, 11) if ages[i] == 25 else None
                row = people.row(sex=sexes[i], age=ages[i], education=education, birth_date=birth_date)
                row.update(_nomination(contest, party, rng))
                rows.append(row)
                i += 1
    return rows


def _nomination(contest, party, rng):
    row = {"unit_kato": contest.unit.kato}
    if party:
        row.update({"nomination_type": "party", "party": party})
    else:
        required = signatures_required(contest.registered_voters, Decimal("1.00"))
        submitted = required + rng.randint(2, 30)
        row.update(
            {
                "nomination_type": "self",
                "signatures_submitted": submitted,
                "signatures_valid": required + rng.randint(0, submitted - required),
            }
        )
    return row


# Nominations that end otherwise: (key, what makes them so, final state).
EXTRAS = [
    ("refused_education", {"education": Education.VOCATIONAL}, "refused"),
    ("refused_signatures", {"signatures_valid": 0}, "refused"),
    ("refused_qualification", {"qualification": "failed", "deposit_paid": "no"}, "refused"),
    ("refused_record", {"criminal_record": "yes"}, "refused"),
    ("withdrawn_nominated", {}, "withdrawn_nominated"),
    ("withdrawn_registered", {}, "withdrawn_registered"),
    ("deregistered", {}, "deregistered"),
]


def _create_election():
    return Election.objects.create(
        name_kk="2021 жылғы 25 шілдедегі ауылдық округтер әкімдерінің сайлауы",
        name_ru="Выборы акимов сельских округов 25 июля 2021 года",
        name_en="Rural akim elections of 25 July 2021",
        office_type=Kind.RURAL_DISTRICT,
        election_day=ELECTION_DAY,
        min_age=25,
        min_education=Education.HIGHER,
        term_years=4,
        term_limit=2,
        signature_threshold_percent=Decimal("1.00"),
        deposit_wage_multiple=Decimal("1.00"),
        minimum_wage=42500,
        nomination_end_offset_days=-16,
        registration_end_offset_days=-11,
        cutoff_time=datetime.time(18, 0),
        time_zone="Asia/Almaty",
        nomination_extension_days=5,
        min_candidates=2,
        against_all=False,
        winner_rule="plurality",
        min_turnout_percent=Decimal("0"),
        against_all_effect="none",
    )


def existing_election():
    return Election.objects.filter(election_day=ELECTION_DAY, office_type=Kind.RURAL_DISTRICT).first()


def load(stdout=None):
    """Load the 2021 registry demo (needs the territory demo). A second run changes nothing."""

    def say(message):
        if stdout is not None:
            stdout.write(message)

    roles.sync_registry_groups()
    if existing_election() is not None:
        say(gettext("registry demo: already loaded"))
        return existing_election()

    regions = {u.kato[:2]: u for u in AdminUnit.objects.regions().filter(kato__in=[p + "0000000" for p in REGIONS])}
    if len(regions) != len(REGIONS):
        raise RuntimeError("registry demo: load the territory demo first (the 14 regions of 2021 are missing)")

    with transaction.atomic():
        with clock.frozen(_at(datetime.date(2021, 6, 15), 10)):
            election = _create_election()
            parties = [
                Party(short_name=s, name_kk=kk, name_ru=ru, name_en=en, registration_number=f"demo-{i}")
                for i, (s, kk, ru, en, _n) in enumerate(PARTIES, start=1)
            ]
            existing = set(Party.objects.values_list("short_name", flat=True))
            Party.objects.bulk_create([p for p in parties if p.short_name not in existing])
            for region in regions.values():
                services.create_contests(None, election, under=region)
            services.advance_election(None, election, Election.Status.NOMINATION)

        contests = Contest.objects.filter(election=election).select_related("unit").order_by("unit__kato")
        by_region = {}
        for contest in contests:
            by_region.setdefault(contest.unit.kato[:2], []).append(contest)
        for prefix, (count, _reg, _w) in REGIONS.items():
            if len(by_region.get(prefix, [])) != count:
                raise RuntimeError(
                    f"registry demo: region {prefix} has {len(by_region.get(prefix, []))} rural districts, "
                    f"the demo needs {count}"
                )

        plan = _plan(by_region)
        people = _People()
        rows = _rows(by_region, plan, people)

        # Extras stand in contests with 3+ candidates, so no contest flag changes.
        roomy = [c for c in contests if len(plan[c.pk]) >= 3]
        extra_rows = []
        for n, (key, overrides, _final) in enumerate(EXTRAS):
            contest = roomy[(n * 97) % len(roomy)]
            row = people.row(sex="M" if n % 2 else "F", age=30 + 3 * n)
            row.update(_nomination(contest, None, random.Random(n)))
            row.update(overrides)
            row["key"] = key
            extra_rows.append(row)

        with clock.frozen(_at(datetime.date(2021, 7, 9), 12)):
            services.import_nominations(None, election, rows)
            extras_report = services.import_nominations(None, election, extra_rows)
        extras = {
            row["key"]: Candidacy.objects.get(pk=entry["candidacy"])
            for row, entry in zip(extra_rows, extras_report, strict=True)
        }

        with clock.frozen(_at(datetime.date(2021, 7, 9), 18, 30)):
            services.advance_election(None, election, Election.Status.REGISTRATION)
        with clock.frozen(_at(datetime.date(2021, 7, 10), 10)):
            for contest in contests:
                if len(plan[contest.pk]) < election.min_candidates:
                    services.extend_nomination(None, contest, reason="Fewer than two candidates nominated (demo).")
        with clock.frozen(_at(datetime.date(2021, 7, 14), 12)):
            main = Candidacy.objects.filter(election=election).exclude(pk__in=[c.pk for c in extras.values()])
            outcome = services.register_many(None, list(main))
            if outcome["not_registered"]:
                raise RuntimeError(f"registry demo: not registered: {outcome['not_registered'][:3]}")
            for key, candidacy in extras.items():
                if key.startswith("refused"):
                    services.refuse(None, candidacy)
                elif key == "withdrawn_nominated":
                    services.withdraw(None, candidacy, reason="Statement of the candidate (demo).")
                else:
                    services.register(None, candidacy)
        with clock.frozen(_at(datetime.date(2021, 7, 14), 18, 30)):
            services.advance_election(None, election, Election.Status.CAMPAIGN)
        with clock.frozen(_at(datetime.date(2021, 7, 20), 11)):
            services.withdraw(None, extras["withdrawn_registered"], reason="Statement of the candidate (demo).")
            services.deregister(
                None, extras["deregistered"], reason="Campaign rules broken: decision of the commission (demo)."
            )
        with clock.frozen(_at(ELECTION_DAY, 7)):
            services.advance_election(None, election, Election.Status.VOTING)
        with clock.frozen(_at(ELECTION_DAY, 20, 5)):
            services.advance_election(None, election, Election.Status.COUNTING)

    registered = Candidacy.objects.filter(election=election, status=Candidacy.Status.REGISTERED).count()
    say(
        gettext("registry demo: election %(id)s, %(contests)s contests, %(registered)s registered candidates")
        % {"id": election.pk, "contests": number(len(contests)), "registered": number(registered)}
    )
    return election
