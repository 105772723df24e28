"""Reasons given with registry decisions are held to MAX_REASON_LENGTH (2,000 characters), in the
services (a DomainError naming the length, nothing written) and in the admin's forms."""

import pytest

from core.models import AuditEvent
from core.reasons import MAX_REASON_LENGTH, ReasonTooLong
from core.text import TextNotStorable
from registry import services
from registry.admin.candidacies import ReasonForm
from registry.admin.offices import TerminateForm
from registry.models import Candidacy

from .test_workflow import nominate

pytestmark = pytest.mark.django_db


def test_a_withdrawal_takes_a_reason_of_exactly_the_limit(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    services.withdraw(tec35, candidacy, reason="x" * MAX_REASON_LENGTH)
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.WITHDRAWN and len(candidacy.reason) == 2000


@pytest.mark.parametrize("call", ["withdraw", "refuse"])
def test_a_reason_one_character_over_is_refused_and_nothing_changes(tec35, contest, nomination_time, call):
    candidacy = nominate(tec35, contest)
    events = AuditEvent.objects.count()
    with pytest.raises(ReasonTooLong) as excinfo:
        getattr(services, call)(tec35, candidacy, reason="x" * (MAX_REASON_LENGTH + 1))
    assert excinfo.value.code == "reason_too_long"
    assert str(excinfo.value) == "The reason is 2001 characters long; at most 2000 are allowed."
    assert excinfo.value.details == {"field": "reason", "length": 2001, "limit": 2000}
    candidacy.refresh_from_db()
    assert candidacy.status == Candidacy.Status.NOMINATED and AuditEvent.objects.count() == events


def test_a_megabyte_reason_is_refused_before_anything_else(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    with pytest.raises(ReasonTooLong, match="1048576 characters long"):
        services.deregister(tec35, candidacy, reason="x" * 2**20)


def test_a_nul_in_a_reason_is_refused(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    with pytest.raises(TextNotStorable) as excinfo:
        services.withdraw(tec35, candidacy, reason="own\x00statement")
    assert excinfo.value.code == "text_has_nul" and "The reason contains a NUL" in str(excinfo.value)


def test_the_admin_forms_hold_reasons_to_the_limit():
    assert ReasonForm({"reason": "x" * 2000}).is_valid()
    form = ReasonForm({"reason": "x" * 2001})
    assert not form.is_valid() and "at most 2000 characters" in form.errors["reason"][0]
    assert TerminateForm.base_fields["reason_text"].max_length == MAX_REASON_LENGTH
