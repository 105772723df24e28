"""The candidacy workflow: nominate, register, refuse, withdraw, deregister, and document updates.

nominated -> registered | refused | withdrawn;  registered -> withdrawn | deregistered.
Each function checks stage, deadline, state, the actor's territory and the rules, then writes the
change and its audit record in one transaction.
"""

from django.db import IntegrityError, transaction

from core import audit
from core.reasons import clean_reason

from .. import eligibility, errors, reasons, selectors
from ..models import Candidacy, Contest, ElectionKind, Person
from ..offices.errors import NotInRunoffPair
from .common import NOMINATION_STAGES, WITHDRAWAL_STAGES, check_actor, check_before, check_stage, role_of
from .people import create_person, person_for_nomination

S = Candidacy.Status

_CONSTRAINT_ERRORS = {
    "one_active_candidacy_per_person_per_election": errors.SecondActiveCandidacy,
    "one_active_party_nomination_per_contest": errors.PartyAlreadyNominated,
    "candidacy_party_iff_party_nomination": errors.PartyRequired,
}


def _integrity_to_domain(exc):
    text = str(exc)
    for name, error_class in _CONSTRAINT_ERRORS.items():
        if name in text:
            return error_class()
    # SQLite names the columns, not the constraint.
    if "person_id, registry_candidacy.election_id" in text:
        return errors.SecondActiveCandidacy()
    if "party_id, registry_candidacy.contest_id" in text:
        return errors.PartyAlreadyNominated()
    return None


def check_nomination(*, contest, person, nomination_type, party, active_person_ids=None, active_party_ids=None):
    """The rules of a nomination that need no writes (shared by `nominate` and the bulk import).
    Raises the first DomainError found. `active_*` sets let bulk callers pass preloaded facts."""
    election = contest.election
    if contest.status == Contest.Status.CANCELLED:
        raise errors.ContestCancelled()
    if election.kind == ElectionKind.RUNOFF:
        # A runoff's candidates are the first round's top two, carried over when it is called.
        carried = set(contest.candidacies.values_list("person_id", flat=True))
        if person.pk not in carried:
            raise NotInRunoffPair(details={"person": person.pk, "contest": contest.pk})
        raise errors.SecondActiveCandidacy(details={"election": election.pk})
    if contest.unit.kind != election.office_type:
        raise errors.UnitKindMismatch(details={"unit_kind": contest.unit.kind, "office_type": election.office_type})
    if nomination_type == Candidacy.NominationType.PARTY:
        if party is None:
            raise errors.PartyRequired()
        if not party.is_active_on(election.election_day):
            raise errors.PartyInactive(details={"party": party.short_name})
    elif nomination_type == Candidacy.NominationType.SELF:
        if party is not None:
            raise errors.PartyNotAllowed()
    else:
        raise errors.BadNominationType(details={"nomination_type": nomination_type})
    failed = eligibility.failures(
        eligibility.Facts(
            birth_date=person.birth_date,
            citizen=person.citizen,
            education=person.education,
            qualification=person.qualification,
            has_criminal_record=person.has_criminal_record,
            has_corruption_offence=person.has_corruption_offence,
            terms_in_same_post=0,
            nomination_type=nomination_type,
            contest_voters=contest.registered_voters,
            signatures_valid=0,
            deposit_paid=True,
        ),
        eligibility.Rules.of(election),
        catalogue=eligibility.NOMINATION_RULES,
    )
    if failed:
        raise errors.NotEligible(
            message=failed[0].message if len(failed) == 1 else None,
            details={"failures": [f.as_dict() for f in failed]},
        )
    if active_person_ids is None:
        person_busy = Candidacy.objects.active().filter(person=person, election=election).exists()
    else:
        person_busy = person.pk in active_person_ids
    if person_busy:
        raise errors.SecondActiveCandidacy(details={"election": election.pk})
    if party is not None:
        if active_party_ids is None:
            party_busy = Candidacy.objects.active().filter(party=party, contest=contest).exists()
        else:
            party_busy = party.pk in active_party_ids
        if party_busy:
            raise errors.PartyAlreadyNominated(details={"party": party.short_name})


def nominate(
    actor,
    *,
    contest,
    person,
    nomination_type,
    party=None,
    nominated_on=None,
    signatures_submitted=0,
    signatures_valid=0,
    deposit_paid=False,
):
    """Receive a nomination: a new candidacy in state `nominated`."""
    with transaction.atomic():
        contest = Contest.objects.select_for_update(of=("self",)).select_related("election", "unit").get(pk=contest.pk)
        person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
        election = contest.election
        check_actor(actor, contest.unit)
        if election.kind == ElectionKind.RUNOFF:
            check_nomination(contest=contest, person=person, nomination_type=nomination_type, party=party)
        check_stage(election, NOMINATION_STAGES)
        check_before(contest.nomination_deadline, errors.NominationDeadlinePassed)
        check_nomination(contest=contest, person=person, nomination_type=nomination_type, party=party)
        required = (
            eligibility.signatures_required(contest.registered_voters, election.signature_threshold_percent)
            if nomination_type == Candidacy.NominationType.SELF
            else 0
        )
        candidacy = Candidacy(
            person=person,
            contest=contest,
            election=election,
            nomination_type=nomination_type,
            party=party,
            nominated_on=nominated_on or selectors.local_today(election),
            signatures_required=required,
            signatures_submitted=signatures_submitted,
            signatures_valid=signatures_valid,
            deposit_paid=deposit_paid,
            deposit_amount=election.deposit_amount if deposit_paid else 0,
        )
        try:
            with transaction.atomic():
                candidacy.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent nomination won the race
            domain = _integrity_to_domain(exc)
            if domain is None:
                raise
            raise domain from exc
        audit.record(
            actor=actor,
            action="registry.nominate",
            obj=candidacy,
            to_state=S.NOMINATED,
            role=role_of(actor),
            data=_nomination_data(candidacy),
        )
    return candidacy


def _nomination_data(candidacy):
    return {
        "contest": candidacy.contest_id,
        "unit": candidacy.contest.unit.kato,
        "person": candidacy.person_id,
        "nomination_type": candidacy.nomination_type,
        "party": candidacy.party.short_name if candidacy.party_id else None,
        "nominated_on": candidacy.nominated_on.isoformat(),
        "signatures_required": candidacy.signatures_required,
        "signatures_submitted": candidacy.signatures_submitted,
        "signatures_valid": candidacy.signatures_valid,
        "deposit_paid": candidacy.deposit_paid,
    }


def _locked(candidacy):
    return (
        Candidacy.objects.select_for_update(of=("self",))
        .select_related("person", "contest__election", "contest__unit", "party")
        .get(pk=candidacy.pk)
    )


def _require_state(candidacy, *states):
    if candidacy.status not in states:
        raise errors.CandidacyWrongState(
            details={"status": candidacy.status, "allowed": [str(s) for s in states]},
        )


def _nominated_for_decision(actor, candidacy):
    """Lock a nominated candidacy the actor may decide on, before its contest's registration deadline,
    during nomination; raise the first rule it breaks (in this order: actor, stage, state, deadline)."""
    candidacy = _locked(candidacy)
    contest = candidacy.contest
    check_actor(actor, contest.unit)
    check_stage(contest.election, NOMINATION_STAGES)
    _require_state(candidacy, S.NOMINATED)
    check_before(contest.registration_deadline, errors.RegistrationDeadlinePassed)
    return candidacy


def update_documents(actor, candidacy, *, signatures_submitted=None, signatures_valid=None, deposit_paid=None):
    """Record signatures checked or the deposit paid on a nominated candidacy (before the decision)."""
    with transaction.atomic():
        candidacy = _nominated_for_decision(actor, candidacy)
        contest = candidacy.contest
        before = {
            "signatures_submitted": candidacy.signatures_submitted,
            "signatures_valid": candidacy.signatures_valid,
            "deposit_paid": candidacy.deposit_paid,
        }
        if signatures_submitted is not None:
            candidacy.signatures_submitted = signatures_submitted
        if signatures_valid is not None:
            candidacy.signatures_valid = signatures_valid
        if deposit_paid is not None:
            candidacy.deposit_paid = deposit_paid
            candidacy.deposit_amount = contest.election.deposit_amount if deposit_paid else 0
        if candidacy.signatures_valid > candidacy.signatures_submitted:
            raise errors.SignaturesExceedSubmitted(
                details={"valid": candidacy.signatures_valid, "submitted": candidacy.signatures_submitted},
            )
        candidacy.save(update_fields=["signatures_submitted", "signatures_valid", "deposit_paid", "deposit_amount"])
        after = {k: getattr(candidacy, k) for k in before}
        audit.record(
            actor=actor,
            action="registry.update_documents",
            obj=candidacy,
            from_state=candidacy.status,
            to_state=candidacy.status,
            role=role_of(actor),
            data={"before": before, "after": after},
        )
    return candidacy


def _decide(actor, candidacy, to_state, *, action, date_field, reason="", reason_failures=(), data=None):
    """Write a candidacy's new status with its date and reason (typed, or the failed requirements as
    codes and values), and the audit record of the change."""
    previous = candidacy.status
    candidacy.status = to_state
    setattr(candidacy, date_field, selectors.local_today(candidacy.contest.election))
    candidacy.reason = reason
    candidacy.reason_failures = list(reason_failures)
    candidacy.save(update_fields=["status", date_field, "reason", "reason_failures"])
    audit.record(
        actor=actor,
        action=action,
        obj=candidacy,
        from_state=previous,
        to_state=to_state,
        reason=reason,
        role=role_of(actor),
        data={"contest": candidacy.contest_id, **(data or {})},
    )
    return candidacy


def register(actor, candidacy):
    """Register a nominated candidate who meets every requirement; otherwise raise NotEligible listing
    every failed rule (nothing changes: the commission then refuses, with those reasons)."""
    with transaction.atomic():
        candidacy = _nominated_for_decision(actor, candidacy)
        failed = selectors.eligibility_report(candidacy)
        if failed:
            raise errors.NotEligible(details={"failures": [f.as_dict() for f in failed]})
        return _decide(actor, candidacy, S.REGISTERED, action="registry.register", date_field="decided_on")


def refuse(actor, candidacy, *, reason=""):
    """Refuse registration. Without a reason, the failed eligibility rules are the reason; a candidate
    who meets every rule can be refused only with an explicit reason."""
    reason = clean_reason(reason)
    with transaction.atomic():
        candidacy = _nominated_for_decision(actor, candidacy)
        failed = reasons.stored(selectors.eligibility_report(candidacy))
        if not reason and not failed:
            raise errors.ReasonRequired()
        return _decide(
            actor,
            candidacy,
            S.REFUSED,
            action="registry.refuse",
            date_field="decided_on",
            reason=reason,
            # Without a typed reason the failed requirements are the reason: stored as codes and
            # values, rendered in each reader's language (registry.reasons).
            reason_failures=() if reason else failed,
            data={"failures": failed},
        )


def withdraw(actor, candidacy, *, reason=""):
    """Record the candidate's own withdrawal (from nominated or registered)."""
    reason = clean_reason(reason)
    with transaction.atomic():
        candidacy = _locked(candidacy)
        contest = candidacy.contest
        check_actor(actor, contest.unit)
        check_stage(contest.election, WITHDRAWAL_STAGES)
        _require_state(candidacy, S.NOMINATED, S.REGISTERED)
        check_before(contest.election.withdrawal_deadline, errors.WithdrawalDeadlinePassed)
        return _decide(
            actor,
            candidacy,
            S.WITHDRAWN,
            action="registry.withdraw",
            date_field="ended_on",
            reason=reason,
        )


def deregister(actor, candidacy, *, reason):
    """Cancel a registration by decision of the commission (a reason is required)."""
    reason = clean_reason(reason)
    with transaction.atomic():
        candidacy = _locked(candidacy)
        contest = candidacy.contest
        check_actor(actor, contest.unit)
        check_stage(contest.election, WITHDRAWAL_STAGES)
        _require_state(candidacy, S.REGISTERED)
        check_before(contest.election.withdrawal_deadline, errors.WithdrawalDeadlinePassed)
        if not reason:
            raise errors.ReasonRequired()
        return _decide(
            actor, candidacy, S.DEREGISTERED, action="registry.deregister", date_field="ended_on", reason=reason
        )


def nominate_person(actor, *, contest, iin, person_fields, nomination_type, party=None, **nomination):
    """Nominate the person with this IIN, entering them first when the registry does not know them yet.

    One transaction: a refused nomination leaves no new person behind. `person_fields` (surname,
    given name, education, ...) enter a new person, whose residence is the contest's unit; for a
    known IIN the surname and given name must be the recorded ones and the person in the actor's
    territory (`people.person_for_nomination`). `nomination` takes `nominate`'s other arguments
    (signatures, deposit, date).
    """
    with transaction.atomic():
        person = person_for_nomination(
            actor, iin, surname=person_fields.get("surname", ""), given_name=person_fields.get("given_name", "")
        )
        if person is None:
            person = create_person(actor, iin=iin, residence_unit=contest.unit, **person_fields)
        return nominate(
            actor, contest=contest, person=person, nomination_type=nomination_type, party=party, **nomination
        )
