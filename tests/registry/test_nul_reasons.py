"""Issue 17, point 8: a NUL character in a registry reason is a clear error (core.audit checks every
reason before its record is written), and the transaction that carried it leaves nothing behind."""

import pytest

from core.models import AuditEvent
from core.text import TextNotStorable
from registry import services
from registry.models import Candidacy

from .test_workflow import nominate

pytestmark = pytest.mark.django_db


def test_a_withdrawal_reason_with_a_nul_changes_nothing(tec35, contest, nomination_time):
    candidacy = nominate(tec35, contest)
    events = AuditEvent.objects.count()
    with pytest.raises(TextNotStorable) as error:
        services.withdraw(tec35, candidacy, reason="own\x00statement")
    assert error.value.code == "text_has_nul" and "reason" in str(error.value.message)
    assert Candidacy.objects.get(pk=candidacy.pk).status == "nominated"
    assert AuditEvent.objects.count() == events
    services.withdraw(tec35, candidacy, reason="own statement")
    assert Candidacy.objects.get(pk=candidacy.pk).status == "withdrawn"
