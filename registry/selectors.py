"""Reads reused by services, admin and statistics: eligibility facts, local dates, scoped querysets."""

from django.db.models import Q

from core import clock
from territory import scope as territory_scope

from . import eligibility
from .models import Candidacy, Contest, Election, Person, TermOfOffice

# The stages of an election, in order (an election moves one stage at a time).
STAGE_ORDER = list(Election.Status.values)


def local_today(election):
    """Today's date in the election's time zone, by the domain clock."""
    return clock.now().astimezone(election.zone).date()


def _terms_by_post(pairs, election_day):
    """{(person_id, unit_id, office_type): [(started_on, ended_on), ...]} of the terms of office in the
    register (elected or imported) started before election day; one query."""
    if not pairs:
        return {}
    person_ids = {p for p, _u, _k in pairs}
    rows = (
        TermOfOffice.objects.filter(person_id__in=person_ids, started_on__lt=election_day)
        .order_by("started_on")
        .values_list("person_id", "unit_id", "office_type", "started_on", "ended_on")
    )
    out = {}
    for person_id, unit_id, office_type, started_on, ended_on in rows:
        out.setdefault((person_id, unit_id, office_type), []).append(
            (started_on.isoformat(), ended_on.isoformat() if ended_on else None)
        )
    return out


def facts_for_many(candidacies):
    """{candidacy pk: eligibility.Facts} for candidacies loaded with person, contest and election
    (select_related("person", "contest__election")); one query for the terms of office."""
    candidacies = list(candidacies)
    if not candidacies:
        return {}
    election = candidacies[0].contest.election
    pairs = {(c.person_id, c.contest.unit_id, election.office_type) for c in candidacies}
    terms = _terms_by_post(pairs, election.election_day)
    return {
        c.pk: facts_for(c, terms_held=terms.get((c.person_id, c.contest.unit_id, c.contest.election.office_type), []))
        for c in candidacies
    }


def facts_for(candidacy, terms_held=None):
    """Facts of one candidacy; `terms_held` (list of (started_on, ended_on) ISO pairs) when preloaded.
    The terms counted by the term limit come from the office register (TermOfOffice)."""
    person, contest = candidacy.person, candidacy.contest
    election = contest.election
    if terms_held is None:
        terms_held = _terms_by_post({(person.pk, contest.unit_id, election.office_type)}, election.election_day).get(
            (person.pk, contest.unit_id, election.office_type), []
        )
    return eligibility.Facts(
        birth_date=person.birth_date,
        citizen=person.citizen,
        education=person.education,
        qualification=person.qualification,
        has_criminal_record=person.has_criminal_record,
        has_corruption_offence=person.has_corruption_offence,
        terms_in_same_post=len(terms_held),
        terms_listed=tuple(terms_held),
        nomination_type=candidacy.nomination_type,
        contest_voters=contest.registered_voters,
        signatures_valid=candidacy.signatures_valid,
        deposit_paid=candidacy.deposit_paid,
    )


def eligibility_report(candidacy):
    """Every failed rule for this candidacy (list of eligibility.Failure)."""
    return eligibility.failures(facts_for(candidacy), eligibility.Rules.of(candidacy.contest.election))


def registry_scope_for(user):
    """The user's territory as a member of the CEC or a territorial commission: precinct seats do not
    give the right to change the registry, so their stations are left out."""
    scope = territory_scope.scope_for(user)
    return territory_scope.Scope(scope.national, scope.region_ids, scope.district_ids, frozenset())


def contests_for(user, queryset=None):
    queryset = Contest.objects.all() if queryset is None else queryset
    return territory_scope.filter_by_unit(user, queryset, "unit")


def active_in_contest(contest):
    return Candidacy.objects.filter(contest=contest).filter(Q(status__in=["nominated", "registered"]))


def next_stage(election):
    """The stage that follows the election's current one; None when the election is at its last stage."""
    index = STAGE_ORDER.index(election.status)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def person_with_iin(iin):
    """The person the registry knows by this IIN, or None."""
    return Person.objects.filter(iin=iin).first()
