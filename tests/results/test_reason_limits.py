"""Reasons of reopening and resolving protocols are held to MAX_REASON_LENGTH (2,000 characters):
a DomainError naming the length, nothing changed; the pages say so instead of failing."""

import pytest
from django.urls import reverse

from core.reasons import ReasonTooLong
from results.models import ProtocolState
from results.services import certify_protocol, reopen_protocol, resolve_discard_both

from .helpers import fresh, in_discrepancy, verified


def test_a_reopen_reason_of_the_limit_passes_and_one_more_is_refused(world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    with pytest.raises(ReasonTooLong, match="2001 characters long; at most 2000"):
        reopen_protocol(world.protocol, world.tec, reason="r" * 2001)
    assert fresh(world.protocol).state == ProtocolState.CERTIFIED
    reopen_protocol(world.protocol, world.tec, reason="r" * 2000)
    assert fresh(world.protocol).state == ProtocolState.EMPTY


def test_a_resolution_reason_over_the_limit_is_refused(world):
    in_discrepancy(world)
    with pytest.raises(ReasonTooLong):
        resolve_discard_both(world.protocol, world.chair, reason="r" * 5000)
    assert fresh(world.protocol).state == ProtocolState.IN_DISCREPANCY


def test_the_tec_page_shows_the_refusal(client, world):
    verified(world)
    certify_protocol(world.protocol, world.tec)
    client.force_login(world.tec)
    protocol = fresh(world.protocol)
    response = client.post(
        reverse("results:reopen", args=[protocol.pk]),
        {"reason": "r" * 3000, "version": protocol.version},
        follow=True,
    )
    assert response.status_code == 200
    assert "The reason is 3000 characters long; at most 2000 are allowed." in response.content.decode()
    assert fresh(world.protocol).state == ProtocolState.CERTIFIED


def test_a_warning_explanation_over_the_limit_is_refused_not_cut(world):
    from results.services import save_entry

    below = world.values(found_stationary="699", invalid="29")  # one ballot missing: a warning
    before = fresh(world.protocol).version
    with pytest.raises(ReasonTooLong) as excinfo:
        save_entry(world.protocol, world.clerk1, below, finish=True, acknowledged={"found.below_issued": "w" * 2001})
    assert excinfo.value.details == {"field": "acknowledged.found.below_issued", "length": 2001, "limit": 2000}
    assert fresh(world.protocol).version == before
    _p, entry, _r = save_entry(
        world.protocol, world.clerk1, below, finish=True, acknowledged={"found.below_issued": "w" * 2000}
    )
    assert len(entry.acknowledged["found.below_issued"]) == 2000
