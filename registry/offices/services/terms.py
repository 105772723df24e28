"""Terms of office: open one (an elected akim or a prior term), complete it, terminate it early."""

from django.db import IntegrityError, transaction

from core import audit
from core.reasons import clean_reason

from ...models import (
    EARLY_END_REASONS,
    EndReason,
    TermOfOffice,
)
from ...models.election import OFFICE_KINDS
from ...services.common import check_actor, role_of
from .. import errors
from .by_elections import (
    _call_by_election,
)
from .common import (
    _check_day_in_term,
    _check_in_office,
    _default_term_years,
    _lock_term,
    _open_term_in,
    _term_data,
    add_years,
)

# --- terms --------------------------------------------------------------------------------------


def open_term_of_office(
    actor,
    *,
    person,
    unit,
    office_type,
    started_on,
    election=None,
    candidacy=None,
    ended_on=None,
    term_years=None,
):
    """Record a term of office: an elected akim taking office (with `election` and the winning
    `candidacy`), or a prior term entered by staff (with `ended_on` when it is over).

    Refused: a unit that already has an akim in office (for a term still open), a start before the
    election's results were established, an office kind without an elected akim."""
    with transaction.atomic():
        check_actor(actor, unit)
        if office_type not in OFFICE_KINDS:
            raise errors.NotAnOfficeKind(details={"office_type": office_type})
        if election is not None:
            if election.results_established_on is None:
                raise errors.ResultsNotEstablished(details={"election": election.pk})
            if started_on < election.results_established_on:
                raise errors.TermStartsBeforeResults(
                    details={
                        "started_on": started_on.isoformat(),
                        "results_established_on": election.results_established_on.isoformat(),
                    }
                )
        if ended_on is not None and ended_on < started_on:
            raise errors.DateOutsideTerm(
                details={"field": "ended_on", "value": ended_on.isoformat(), "term_started_on": started_on.isoformat()}
            )
        if ended_on is None:
            current = _open_term_in(unit)
            if current is not None:
                raise errors.UnitHasAkimInOffice(
                    details={"term": current.pk, "person": current.person_id, "since": current.started_on.isoformat()}
                )
        years = term_years or (election.term_years if election is not None else _default_term_years())
        earlier = TermOfOffice.objects.filter(
            person=person, unit=unit, office_type=office_type, started_on__lt=started_on
        ).count()
        term = TermOfOffice(
            person=person,
            unit=unit,
            office_type=office_type,
            started_on=started_on,
            planned_end_on=add_years(started_on, years),
            term_number=earlier + 1,
            election=election,
            candidacy=candidacy,
            ended_on=ended_on,
            end_reason=EndReason.COMPLETED if ended_on is not None else "",
        )
        try:
            with transaction.atomic():
                term.save(force_insert=True)
        except IntegrityError as exc:  # a racing registration got there first
            if "one_open_per_unit" in str(exc) or "registry_termofoffice.unit_id" in str(exc):
                raise errors.UnitHasAkimInOffice(details={"unit": unit.kato}) from exc
            raise
        audit.record(
            actor=actor,
            action="registry.open_term_of_office",
            obj=term,
            to_state="ended" if ended_on else "in_office",
            role=role_of(actor),
            data=_term_data(term) | ({"ended_on": ended_on} if ended_on else {}),
        )
    return term


def _end(actor, term, *, reason, ended_on, reason_text="", decision_reference="", action):
    term.ended_on = ended_on
    term.end_reason = reason
    term.end_reason_text = reason_text or ""
    term.end_decision_reference = decision_reference or ""
    term.save(update_fields=["ended_on", "end_reason", "end_reason_text", "end_decision_reference"])
    audit.record(
        actor=actor,
        action=action,
        obj=term,
        from_state="in_office",
        to_state="ended",
        # The ground is data (end_reason): the history names it in the reader's language.
        reason=reason_text or "",
        role=role_of(actor),
        data={"end_reason": reason, "ended_on": ended_on, "decision": decision_reference or ""},
    )


def complete_term(actor, term, *, ended_on, decision_reference=""):
    """End a term at its natural end (no by-election follows)."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _check_in_office(term)
        _check_day_in_term(term, ended_on, "ended_on")
        _end(
            actor,
            term,
            reason=EndReason.COMPLETED,
            ended_on=ended_on,
            decision_reference=decision_reference,
            action="registry.complete_term",
        )
    return term


def terminate_term(actor, term, *, reason, ended_on, reason_text="", decision_reference=""):
    """End a term early (no confidence, resignation, death, court decision, other with a reason in
    words) and call the by-election for the unit. Returns the term (with `by_election` set)."""
    with transaction.atomic():
        term = _lock_term(term)
        check_actor(actor, term.unit)
        _terminate_locked(
            actor, term, reason=reason, ended_on=ended_on, reason_text=reason_text, ref=decision_reference
        )
    return term


def _terminate_locked(actor, term, *, reason, ended_on, reason_text, ref):
    reason_text = clean_reason(reason_text, field="reason_text")
    _check_in_office(term)
    if reason not in EARLY_END_REASONS:
        raise errors.BadEndReason(details={"reason": str(reason), "allowed": EARLY_END_REASONS})
    if reason == EndReason.OTHER and not reason_text:
        raise errors.ReasonTextRequired()
    _check_day_in_term(term, ended_on, "ended_on")
    _end(
        actor,
        term,
        reason=reason,
        ended_on=ended_on,
        reason_text=reason_text,
        decision_reference=ref,
        action="registry.terminate_term",
    )
    _call_by_election(actor, term.unit, office_type=term.office_type, vacated_on=ended_on, ended_term=term)
