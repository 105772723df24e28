"""The results demo: entered through the services, the promised mix of states, 78.54%, idempotent."""

from decimal import Decimal
from io import StringIO

import pytest
from django.db.models import Count, Sum

from core.models import AuditEvent
from devtools.demo import results as demo
from results.models import Protocol, ProtocolEntry, ProtocolState

pytestmark = pytest.mark.django_db


def test_demo_results(django_user_model):
    import devtools.demo.registry
    import devtools.demo.territory

    devtools.demo.territory.load(StringIO())
    devtools.demo.registry.load(StringIO())
    demo.load(StringIO())

    protocols = Protocol.objects.all()
    assert protocols.count() == 1847
    counts = dict(protocols.values_list("state").annotate(n=Count("pk")))
    # 12 + 8 + 10 left for the screens (two of them the demo precinct team's), plus the demo precinct's untouched one.
    assert counts[ProtocolState.EMPTY] == 13
    assert counts[ProtocolState.IN_DISCREPANCY] == 8
    assert counts[ProtocolState.VERIFIED] == 10
    assert ProtocolState.FIRST_ENTRY_DONE not in counts
    certified = protocols.filter(state=ProtocolState.CERTIFIED)
    totals = certified.aggregate(v=Sum("voters"), i=Sum("issued_station"), m=Sum("issued_mobile"))
    turnout = (Decimal(totals["i"] + totals["m"]) * 100 / totals["v"]).quantize(Decimal("0.01"))
    assert turnout == Decimal("78.54")

    # Every certified protocol: two finished entries by two different users, and its transitions audited.
    per_protocol = (
        ProtocolEntry.objects.filter(protocol__state=ProtocolState.CERTIFIED, status="finished")
        .values("protocol")
        .annotate(n=Count("pk"), clerks=Count("clerk", distinct=True))
    )
    assert {(row["n"], row["clerks"]) for row in per_protocol} == {(2, 2)}
    sample = certified.first()
    assert list(AuditEvent.objects.for_object(sample).order_by("id").values_list("action", flat=True)) == [
        "protocol.start_first",
        "protocol.finish_first",
        "protocol.start_second",
        "protocol.finish_second_equal",
        "protocol.certify",
    ]
    team = ProtocolEntry.objects.filter(clerk__username__in=["clerk1", "clerk2"])
    assert set(team.values_list("protocol__state", flat=True)) == {ProtocolState.IN_DISCREPANCY, ProtocolState.VERIFIED}
    assert team.count() == 4  # tests/devtools/test_demo_journeys.py checks each journey's protocol

    events = AuditEvent.objects.count()
    demo.load(StringIO())
    assert AuditEvent.objects.count() == events
