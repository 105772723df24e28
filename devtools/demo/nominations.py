"""The demo's open nominations: a by-election called on the day the demo is loaded, with a few
candidacies nominated and awaiting registration, so that the registration journey can be walked now.

The 2021 election is long closed (its deadlines passed), so its candidacies can no longer be
registered; this by-election is the one thing of the demo anchored on the day of loading (its
deadlines are weeks ahead). Its post is one left vacant by the 2021 election (no akim in office),
preferably in the district of the demo precinct, so tec-district, tec-karaganda and cec can
register them. Through the services: `call_by_election`, `import_nominations`. Idempotent: once
the by-election exists, nothing is done again. The nominated candidacies are in another election
than the 2021 one, so the 2021 registry statistics (2,297 registered, ...) are unchanged.
"""

import datetime
import random

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext

from core.commands import number
from devtools.demo.territory import DEMO_STATION_KEY, KARAGANDA_KATO
from registry import services
from registry.models import Candidacy, Contest, Election, Party, TermOfOffice
from registry.offices.services import call_by_election, today

# (nomination: a party's short name or None for self-nomination, sex, age)
NOMINEES = [("Nur Otan", "M", 44), (None, "F", 38), (None, "M", 31)]
SEED = 2021_07_25 + 9


def _vacant_units(election):
    """Units of the 2021 contests without an akim in office: the demo district's first, then Karaganda's."""
    held = TermOfOffice.objects.filter(ended_on__isnull=True).values("unit_id")
    district, region = DEMO_STATION_KEY[0], KARAGANDA_KATO
    contests = (
        Contest.objects.filter(election=election)
        .exclude(unit_id__in=held)
        .select_related("unit")
        .annotate(
            near=Case(
                When(unit__district__kato=district, then=Value(0)),
                When(unit__region__kato=region, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("near", "unit__kato")
    )
    return [c.unit for c in contests]


def existing_by_election(origin):
    return Election.objects.filter(kind="by_election", origin=origin, status=Election.Status.NOMINATION).first()


def load(stdout=None):
    from devtools.demo.registry import _nomination, _People, existing_election

    def say(message):
        if stdout is not None:
            stdout.write(message)

    origin = existing_election()
    if origin is None:
        say(gettext("open nominations: no demo election (load the registry demo first)"))
        return None
    election = existing_by_election(origin)
    if election is not None:
        say(gettext("open nominations: already loaded (%(election)s)") % {"election": election.name})
        return election
    units = _vacant_units(origin)
    if not units:
        raise RuntimeError("open nominations: every post of the demo election has an akim in office")
    unit = units[0]
    # Vacated ten days ago, so the by-election is called today (its call offset is ten days).
    vacated_on = today() - datetime.timedelta(days=origin.by_election_call_offset_days)
    election = call_by_election(None, unit, vacated_on=vacated_on)
    services.advance_election(None, election, Election.Status.NOMINATION)
    contest = election.contests.select_related("unit").get()
    people = _People()
    people.rng = random.Random(SEED)
    people.serial = 9000  # clear of the 2021 candidates' serials
    rng = random.Random(SEED)
    parties = {p.short_name: p for p in Party.objects.all()}
    rows = []
    for party_name, sex, age in NOMINEES:
        row = people.row(sex=sex, age=age)
        row.update(_nomination(contest, parties[party_name].short_name if party_name else None, rng))
        row["nominated_on"] = today().isoformat()
        rows.append(row)
    services.import_nominations(None, election, rows)
    nominated = Candidacy.objects.filter(election=election, status=Candidacy.Status.NOMINATED).count()
    say(
        gettext(
            "open nominations: %(election)s, election day %(day)s, %(count)s candidacies awaiting registration "
            "(until %(deadline)s)"
        )
        % {
            "election": election.name,
            "day": f"{election.election_day:%d.%m.%Y}",
            "count": number(nominated),
            "deadline": f"{contest.registration_deadline:%d.%m.%Y %H:%M}",
        }
    )
    return election
