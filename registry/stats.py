"""Statistics of registered candidates of an election, computed by the database (grouped queries)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, F, IntegerField, Max, Min, Q, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from core.numbers import percent
from territory.models import AdminUnit
from territory.selectors import units_on

from .models import Candidacy, Contest, Education

HIGHER = [Education.HIGHER, Education.POSTGRADUATE]


def _share(part, whole):
    """A share in the statistics' JSON: core.numbers.percent to one place as a number, 0.0 when
    there are no registered candidates (the documented keys are always numbers)."""
    value = percent(part, whole, places=1)
    return 0.0 if value is None else float(value)


def _with_age(queryset, election_day):
    """Annotate `age`: completed years on election day, computed by the database."""
    born = "person__birth_date"
    return queryset.annotate(_by=ExtractYear(born), _bm=ExtractMonth(born), _bd=ExtractDay(born)).annotate(
        age=Value(election_day.year)
        - F("_by")
        - Case(
            When(Q(_bm__gt=election_day.month) | Q(_bm=election_day.month, _bd__gt=election_day.day), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def registered(election):
    return Candidacy.objects.filter(election=election, status=Candidacy.Status.REGISTERED)


def election_stats(election):
    """The figures of `registry_stats --json`: exactly the documented keys (see the issue).

    Only registered candidacies count. Ages are completed years on election day; percentages are rounded
    half up to one decimal.
    """
    cands = registered(election)
    totals = cands.aggregate(
        registered=Count("pk"),
        self_nominated=Count("pk", filter=Q(nomination_type=Candidacy.NominationType.SELF)),
        party_nominated=Count("pk", filter=Q(nomination_type=Candidacy.NominationType.PARTY)),
    )
    by_party = dict(
        cands.filter(party__isnull=False)
        .values_list("party__short_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "party__short_name")
    )
    contests = Contest.objects.filter(election=election)
    contests_by_region = dict(contests.values_list("unit__region_id").annotate(n=Count("pk")).order_by())
    region_rows = (
        _with_age(cands, election.election_day)
        .values("contest__unit__region_id")
        .annotate(
            registered=Count("pk"),
            men=Count("pk", filter=Q(person__sex="M")),
            women=Count("pk", filter=Q(person__sex="F")),
            higher_education=Count("pk", filter=Q(person__education__in=HIGHER)),
            average_age=Avg("age"),
            youngest=Min("age"),
            oldest=Max("age"),
        )
        .order_by()
    )
    rows = {row["contest__unit__region_id"]: row for row in region_rows}
    regions = AdminUnit.objects.filter(pk__in=set(contests_by_region) | set(rows)).order_by("kato")
    # The regions as of election day: a region renamed since keeps the name it had.
    on_day = units_on(regions, election.election_day)
    by_region = {}
    for region in regions:
        row = rows.get(region.pk, {})
        average = row.get("average_age")
        by_region[region.kato[:2]] = {
            "name": on_day[region.pk].name,
            "contests": contests_by_region.get(region.pk, 0),
            "registered": row.get("registered", 0),
            "men": row.get("men", 0),
            "women": row.get("women", 0),
            "higher_education": row.get("higher_education", 0),
            "average_age": float(Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if average is not None
            else None,
            "youngest": row.get("youngest"),
            "oldest": row.get("oldest"),
        }
    fewer = (
        contests.annotate(n=Count("candidacies", filter=Q(candidacies__status=Candidacy.Status.REGISTERED)))
        .filter(n__lt=2)
        .count()
    )
    return {
        "election": election.pk,
        "contests": contests.count(),
        "registered": totals["registered"],
        "self_nominated": totals["self_nominated"],
        "self_nominated_percent": _share(totals["self_nominated"], totals["registered"]),
        "party_nominated": totals["party_nominated"],
        "party_nominated_percent": _share(totals["party_nominated"], totals["registered"]),
        "by_party": by_party,
        "by_region": by_region,
        "contests_with_fewer_than_two": fewer,
    }


def breakdowns(election):
    """The national breakdowns shown beside the JSON figures: by sex, by education, by status."""
    cands = registered(election)
    return {
        "by_sex": dict(cands.values_list("person__sex").annotate(n=Count("pk")).order_by()),
        "by_education": dict(cands.values_list("person__education").annotate(n=Count("pk")).order_by()),
        "by_status": dict(
            Candidacy.objects.filter(election=election).values_list("status").annotate(n=Count("pk")).order_by()
        ),
    }
