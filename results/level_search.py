"""The dashboard's search: regions and districts by name or KATO code, contests by their unit's name
or code, candidates by name; within the viewer's territory, names as of the election day."""

from django.db.models import Q

from registry.models import Candidacy, Contest
from territory import kato
from territory.models import AdminUnit
from territory.scope import filter_by_unit
from territory.selectors import NAME_FIELDS, names_on_day, with_names_on

MIN_LENGTH = 2
UNIT_KINDS = [kind for kind, level in kato.LEVEL.items() if level in (1, 2)]


def _name_q(path, text):
    prefix = f"{path}_" if path else "self_"
    q = Q()
    for name in NAME_FIELDS:
        q |= Q(**{f"{prefix}{name}_on_day__icontains": text})
    return q


def _kato_q(path, text):
    return Q(**{f"{path}__kato__startswith" if path else "kato__startswith": text}) if text.isdigit() else Q(pk__in=[])


def units(user, election, text):
    """Regions and districts (as of the election day) whose name holds `text` or whose code starts with it."""
    qs = with_names_on(filter_by_unit(user, AdminUnit.objects.all(), ""), election.election_day, "")
    qs = qs.filter(_name_q("", text) | _kato_q("", text), kind__in=UNIT_KINDS).order_by("kato")
    return names_on_day(qs, "")


def contests(user, election, text):
    qs = filter_by_unit(user, Contest.objects.filter(election=election).select_related("unit"), "unit")
    qs = with_names_on(qs, election.election_day, "unit")
    qs = qs.filter(_name_q("unit", text) | _kato_q("unit", text)).order_by("unit__kato")
    return names_on_day(qs, "unit")


def candidates(user, election, text):
    qs = filter_by_unit(
        user,
        Candidacy.objects.filter(contest__election=election).select_related("person", "party", "contest__unit"),
        "contest__unit",
    )
    words = text.split()
    for word in words:
        qs = qs.filter(Q(person__surname__icontains=word) | Q(person__given_name__icontains=word))
    qs = with_names_on(qs, election.election_day, "contest__unit")
    return names_on_day(qs.order_by("person__surname", "person__given_name", "pk"), "contest__unit")
