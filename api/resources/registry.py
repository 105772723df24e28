"""API resources of the registry: elections, contests, parties and candidates (read-only).

Candidates show a person's name, sex and age on election day: never the IIN, the birth date,
the residence or any check of the person's record.
"""

import django_filters
from django.db import router
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api import rows
from api.audit_events import register_audited_type
from api.filters import IntegerFilter, StrictBooleanFilter, territory_filterset
from api.prepared import PreparedValues
from api.scoping import restrict
from api.viewsets import ReadOnlyViewSet
from registry.calendar import election_calendar
from registry.models import Candidacy, Contest, Election, EndReason, Party, Sex, TermOfOffice
from registry.models.election import OFFICE_KINDS
from registry.reasons import reason_text, render_failure
from territory.models import AdminUnit


class UnitBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = AdminUnit
        fields = ["id", "kato", "kind", "name", "region", "district"]


class ElectionBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_("regular, runoff, by_election or repeat."))
    status = serializers.CharField(read_only=True, help_text=_("Stage of the election."))
    url = serializers.HyperlinkedIdentityField(view_name="election-detail")

    class Meta:
        model = Election
        fields = ["id", "kind", "name", "election_day", "status", "url"]


class CalendarRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Stable name of the row (nomination_ends, runoff_day, ...)."))
    label = serializers.CharField(help_text=_("The row's name in the request's language."))
    day = serializers.DateField()
    deadline = serializers.DateTimeField(allow_null=True, help_text=_("The local cut-off moment, for deadlines."))


class ElectionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    cutoff_time = serializers.SerializerMethodField(help_text=_("Local cut-off time of deadlines, HH:MM."))
    follows = ElectionBriefSerializer(
        source="origin",
        read_only=True,
        allow_null=True,
        help_text=_("The election this one follows (a runoff's first round, a repeat or by-election's origin)."),
    )
    follow_up_elections = ElectionBriefSerializer(
        source="follow_ups", many=True, read_only=True, help_text=_("Runoffs, repeat and by-elections that follow it.")
    )
    calendar = serializers.SerializerMethodField(help_text=_("Every deadline and day, computed from the rules."))

    class Meta:
        model = Election
        exclude = []

    def get_cutoff_time(self, election) -> str:
        return election.cutoff_time.strftime("%H:%M")

    @extend_schema_field(CalendarRowSerializer(many=True))
    def get_calendar(self, election):
        return [CalendarRowSerializer(row).data for row in election_calendar(election)]


class ElectionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Election.Status.choices, help_text=_("Stage of the election; repeat for several.")
    )
    office_type = django_filters.ChoiceFilter(
        choices=Election._meta.get_field("office_type").choices, help_text=_("Kind of office elected.")
    )
    election_day = django_filters.DateFilter(help_text=_("Election day (YYYY-MM-DD)."))
    year = IntegerFilter(
        field_name="election_day",
        lookup_expr="year",
        min_value=1991,
        max_value=2999,
        help_text=_("Year of election day."),
    )

    class Meta:
        model = Election
        fields = ["status", "office_type", "election_day", "year"]


class ElectionViewSet(ReadOnlyViewSet):
    """Elections with every rule they run by."""

    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    queryset = Election.objects.select_related("origin").prefetch_related("follow_ups").order_by("-election_day", "pk")


class ContestSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    registered_candidates = serializers.IntegerField(read_only=True, source="registered_count")
    active_candidates = serializers.IntegerField(
        read_only=True, source="active_count", help_text=_("Nominated or registered candidacies.")
    )

    class Meta:
        model = Contest
        fields = [
            "id",
            "election",
            "unit",
            "seats",
            "status",
            "registered_voters",
            "nomination_extended_until",
            "registered_candidates",
            "active_candidates",
        ]


class ContestFilter(territory_filterset("unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    unit = django_filters.ModelChoiceFilter(queryset=AdminUnit.objects.all(), help_text=_("Electoral unit id."))
    status = django_filters.MultipleChoiceFilter(
        choices=Contest.Status.choices, help_text=_("Contest status; repeat for several.")
    )
    fewer_than_two_candidates = StrictBooleanFilter(
        method="filter_fewer",
        help_text=_(
            "true: contests with fewer registered candidates than the election's minimum (2 unless the "
            "rules say otherwise); false: the others."
        ),
    )

    class Meta:
        model = Contest
        fields = ["election", "unit", "status", "region", "region_id", "district", "district_id"]

    def filter_fewer(self, queryset, name, value):
        if value is None:
            return queryset
        short = {"registered_count__lt": F("election__min_candidates")}
        return queryset.filter(**short) if value else queryset.exclude(**short)


class ContestViewSet(ReadOnlyViewSet):
    """Contests: one akim post in one unit, with candidate counts."""

    serializer_class = ContestSerializer
    filterset_class = ContestFilter
    queryset = Contest.objects.select_related("unit").with_candidate_counts().order_by("election_id", "unit__kato")

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), unit="unit")


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))

    class Meta:
        model = Party
        fields = [
            "id",
            "short_name",
            "name",
            "name_kk",
            "name_ru",
            "name_en",
            "registration_number",
            "active_from",
            "active_to",
        ]


class PartyFilter(django_filters.FilterSet):
    short_name = django_filters.CharFilter(max_length=50, help_text=_("Short name, exactly."))

    class Meta:
        model = Party
        fields = ["short_name"]


class PartyViewSet(ReadOnlyViewSet):
    """Registered political parties."""

    serializer_class = PartySerializer
    filterset_class = PartyFilter
    queryset = Party.objects.order_by("short_name")


class PartyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "short_name"]


def age_on(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class ReasonFailureSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable code of the failed requirement (age_below_minimum, ...)."))
    values = serializers.DictField(help_text=_("The values compared (ages, counts, levels, dates)."))
    message = serializers.CharField(help_text=_("The failed requirement in the request's language."))


def reason_failures(stored):
    """A candidacy's failed requirements for the API: codes and values for programs, and each in the
    request's language (the active one)."""
    return [
        {
            "code": f.get("code", ""),
            "values": f.get("values") or {},
            "message": render_failure(f.get("code", ""), f.get("values")),
        }
        for f in stored or ()
    ]


class CandidateSerializer(serializers.ModelSerializer):
    """A candidacy with the public facts of its person: name, sex, age on election day."""

    person = serializers.IntegerField(source="person_id", read_only=True, help_text=_("Same id across elections."))
    surname = serializers.CharField(source="person.surname", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    patronymic = serializers.CharField(source="person.patronymic", read_only=True)
    sex = serializers.ChoiceField(source="person.sex", choices=Sex.choices, read_only=True)
    age = serializers.SerializerMethodField(help_text=_("Age in whole years on election day."))
    education = serializers.CharField(source="person.education", read_only=True)
    unit = UnitBriefSerializer(source="contest.unit", read_only=True)
    party = PartyBriefSerializer(read_only=True, allow_null=True)
    reason = serializers.SerializerMethodField(
        help_text=_(
            "The reason given with the status: as the commission typed it, or the failed requirements "
            "in the request's language."
        )
    )
    reason_failures = serializers.SerializerMethodField(
        help_text=_("The failed requirements a refusal was given for (empty when the reason was typed).")
    )

    class Meta:
        model = Candidacy
        fields = [
            "id",
            "election",
            "contest",
            "unit",
            "person",
            "surname",
            "given_name",
            "patronymic",
            "sex",
            "age",
            "education",
            "nomination_type",
            "party",
            "status",
            "nominated_on",
            "decided_on",
            "ended_on",
            "reason",
            "reason_failures",
        ]

    def get_age(self, candidacy) -> int:
        return age_on(candidacy.person.birth_date, candidacy.election.election_day)

    def get_reason(self, candidacy) -> str:
        return reason_text(candidacy.reason, candidacy.reason_failures)

    @extend_schema_field(ReasonFailureSerializer(many=True))
    def get_reason_failures(self, candidacy):
        return reason_failures(candidacy.reason_failures)


class CandidateFilter(territory_filterset("contest__unit")):
    election = django_filters.ModelChoiceFilter(queryset=Election.objects.all(), help_text=_("Election id."))
    contest = django_filters.ModelChoiceFilter(queryset=Contest.objects.all(), help_text=_("Contest id."))
    party = django_filters.ModelChoiceFilter(queryset=Party.objects.all(), help_text=_("Nominating party id."))
    nomination_type = django_filters.ChoiceFilter(
        choices=Candidacy.NominationType.choices, help_text=_("Nominated by a party or self-nominated.")
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Candidacy.Status.choices, help_text=_("Status of the candidacy; repeat for several.")
    )
    sex = django_filters.ChoiceFilter(field_name="person__sex", choices=Sex.choices, help_text=_("M or F."))

    class Meta:
        model = Candidacy
        fields = ["election", "contest", "party", "nomination_type", "status", "sex"]


_ELECTION_EXISTS = PreparedValues(lambda pk: Election.objects.filter(pk=pk).values_list("pk"), pk=-7)


def election_exists(pk):
    """Whether an election has this id (one compiled query; for ReadOnlyViewSet.plain_filters)."""
    return bool(_ELECTION_EXISTS.rows(router.db_for_read(Election), pk=pk))


class CandidateViewSet(ReadOnlyViewSet):
    """Candidacies, registered and past (refused, withdrawn, deregistered)."""

    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    plain_filters = {"election": ("election_id", election_exists)}
    queryset = Candidacy.objects.select_related("person", "election", "contest__unit", "party").order_by(
        "contest_id", "pk"
    )
    # List pages from .values() (api.rows); the same JSON as CandidateSerializer. The units
    # come in a second query (by contest): one query over candidacy, person, party, election,
    # contest and unit took PostgreSQL longer to plan (6 relations) than both queries to run.
    list_fields = (
        "id",
        "election_id",
        "contest_id",
        "person_id",
        "person__surname",
        "person__given_name",
        "person__patronymic",
        "person__sex",
        "person__birth_date",
        "person__education",
        "election__election_day",
        "nomination_type",
        "party_id",
        "party__short_name",
        "status",
        "nominated_on",
        "decided_on",
        "ended_on",
        "reason",
        "reason_failures",
    )

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), unit="contest__unit")

    def list_rows(self, page):
        date = rows.converter(CandidateSerializer, "nominated_on")
        units = self._units(page)
        return [
            {
                "id": row["id"],
                "election": row["election_id"],
                "contest": row["contest_id"],
                "unit": units[row["contest_id"]],
                "person": row["person_id"],
                "surname": row["person__surname"],
                "given_name": row["person__given_name"],
                "patronymic": row["person__patronymic"],
                "sex": row["person__sex"],
                "age": age_on(row["person__birth_date"], row["election__election_day"]),
                "education": row["person__education"],
                "nomination_type": row["nomination_type"],
                "party": None
                if row["party_id"] is None
                else {"id": row["party_id"], "short_name": row["party__short_name"]},
                "status": row["status"],
                "nominated_on": date(row["nominated_on"]),
                "decided_on": date(row["decided_on"]),
                "ended_on": date(row["ended_on"]),
                "reason": reason_text(row["reason"], row["reason_failures"]),
                "reason_failures": reason_failures(row["reason_failures"]),
            }
            for row in page
        ]

    def _units(self, page):
        """{contest id: unit} of the page's contests. A prepared page (`plain_value`: the first page
        of an election, national) is ordered by contest: its contests are the election's from the
        first one to the last, read by that range in a query compiled once (_PAGE_UNITS)."""
        if page and self.plain_value == ("election_id", page[0]["election_id"]):
            found = _PAGE_UNITS.dicts(
                router.db_for_read(Contest),
                election=self.plain_value[1],
                low=page[0]["contest_id"],
                high=page[-1]["contest_id"],
            )
            return {row["pk"]: rows.unit_brief(row, "unit") for row in found}
        return contest_units({row["contest_id"] for row in page})


def _dated_contests(contests):
    return rows.dated_unit_names(contests, "unit", "election__election_day").values(
        "pk", *rows.unit_columns("unit"), *rows.dated_unit_columns("unit")
    )


_PAGE_UNITS = PreparedValues(
    lambda election, low, high: _dated_contests(
        Contest.objects.filter(election_id=election, pk__gte=low, pk__lte=high)
    ),
    election=-7,
    low=-8,
    high=-9,
)


def contest_units(contest_ids):
    """{contest id: its unit as UnitBriefSerializer gives it} in one query."""
    if not contest_ids:
        return {}
    found = _dated_contests(Contest.objects.filter(pk__in=contest_ids))
    return {row["pk"]: rows.unit_brief(row, "unit") for row in found}


class OfficeTermSerializer(serializers.ModelSerializer):
    """A term of office: the akim's name, the unit, the party at election and the dates; nothing else
    about the person."""

    person = serializers.IntegerField(source="person_id", read_only=True, help_text=_("Same id across terms."))
    surname = serializers.CharField(source="person.surname", read_only=True)
    given_name = serializers.CharField(source="person.given_name", read_only=True)
    patronymic = serializers.CharField(source="person.patronymic", read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    party = serializers.SerializerMethodField(help_text=_("Party that nominated the akim at election; null if none."))
    in_office = serializers.BooleanField(read_only=True, help_text=_("true while the term has not ended."))

    class Meta:
        model = TermOfOffice
        fields = [
            "id",
            "person",
            "surname",
            "given_name",
            "patronymic",
            "unit",
            "office_type",
            "term_number",
            "election",
            "party",
            "started_on",
            "planned_end_on",
            "ended_on",
            "end_reason",
            "in_office",
            "by_election",
        ]

    def get_party(self, term) -> dict | None:
        candidacy = term.candidacy
        if candidacy is None or candidacy.party is None:
            return None
        return {"id": candidacy.party.pk, "short_name": candidacy.party.short_name}


class OfficeTermFilter(territory_filterset("unit")):
    unit = django_filters.ModelChoiceFilter(queryset=AdminUnit.objects.all(), help_text=_("Unit id (its history)."))
    office_type = django_filters.ChoiceFilter(
        choices=[(k, label) for k, label in TermOfOffice._meta.get_field("office_type").choices if k in OFFICE_KINDS],
        help_text=_("Kind of office (kind of unit of the post)."),
    )
    in_office = StrictBooleanFilter(
        field_name="ended_on", method="filter_in_office", help_text=_("true: terms not ended; false: ended terms.")
    )
    end_reason = django_filters.MultipleChoiceFilter(
        choices=EndReason.choices, help_text=_("Why the term ended; repeat for several.")
    )
    term_number = IntegerFilter(min_value=1, help_text=_("1 for a first term in the post, 2 for a second."))
    election = django_filters.ModelChoiceFilter(
        queryset=Election.objects.all(), help_text=_("Elected at (election id).")
    )

    class Meta:
        model = TermOfOffice
        fields = ["unit", "office_type", "in_office", "end_reason", "term_number", "election"]

    def filter_in_office(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=value)


class OfficeTermViewSet(ReadOnlyViewSet):
    """Terms of office of akims (the office register): current and past office-holders."""

    serializer_class = OfficeTermSerializer
    filterset_class = OfficeTermFilter
    queryset = TermOfOffice.objects.select_related("person", "unit", "candidacy__party").order_by(
        "unit__kato", "-started_on", "pk"
    )

    def get_queryset(self):
        return restrict(self.request, super().get_queryset(), unit="unit")


def _visible_candidacies(request):
    return restrict(request, Candidacy.objects.all(), unit="contest__unit")


def _visible_contests(request):
    return restrict(request, Contest.objects.all(), unit="unit")


def _all_elections(request):
    return Election.objects.all()


# Transitions of candidacies, contests (nomination extended) and elections (stages). Never of
# people: their records hold personal data.
register_audited_type("registry.candidacy", _visible_candidacies)
register_audited_type("registry.contest", _visible_contests)
register_audited_type("registry.election", _all_elections)
