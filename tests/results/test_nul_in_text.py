"""Issue 17, point 8: a NUL character in a reason or a warning's explanation is a clear error naming
the field (PostgreSQL refuses NUL in text and JSON), through the services and the pages; nothing changes."""

import pytest
from django.urls import reverse

from core.text import TextNotStorable
from results.models import ProtocolState
from results.services import (
    certify_protocol,
    reopen_protocol,
    resolve_discard_both,
    resolve_keep_entry,
    resolve_with_corrected_figures,
    save_entry,
)

from .helpers import fresh, in_discrepancy, snapshot, verified
from .test_views import entry_url, login, post_values

pytestmark = pytest.mark.django_db


def test_an_explanation_with_a_nul_is_refused(world):
    below = world.values(found_stationary="699", invalid="29")  # one ballot missing: a warning
    before = snapshot(world.protocol)
    with pytest.raises(TextNotStorable) as error:
        save_entry(world.protocol, world.clerk1, below, finish=True, acknowledged={"found.below_issued": "a\x00b"})
    assert error.value.code == "text_has_nul" and "explanation" in str(error.value.message)
    assert snapshot(world.protocol) == before


@pytest.mark.parametrize(
    "resolve",
    [
        lambda w, p: resolve_keep_entry(p, w.chair, 1, reason="kept\x00"),
        lambda w, p: resolve_discard_both(p, w.chair, reason="\x00"),
        lambda w, p: resolve_with_corrected_figures(
            p, w.chair, w.values(spoiled="12", unused="238"), reason="recount\x00"
        ),
    ],
)
def test_a_resolution_reason_with_a_nul_is_refused(world, resolve):
    protocol = in_discrepancy(world)
    before = snapshot(protocol)
    with pytest.raises(TextNotStorable) as error:
        resolve(world, protocol)
    assert error.value.code == "text_has_nul" and "reason" in str(error.value.message)
    assert snapshot(protocol) == before


def test_a_reopening_reason_with_a_nul_is_refused(world):
    protocol = certify_protocol(verified(world), world.tec)
    before = snapshot(protocol)
    with pytest.raises(TextNotStorable):
        reopen_protocol(protocol, world.tec, reason="wrong\x00figures")
    assert snapshot(protocol) == before


def test_the_entry_page_answers_a_nul_explanation_with_a_message(client, world):
    login(client, world.clerk1)
    data = post_values(world, 0, found_stationary="699", invalid="29")
    data.update({"ack_found.below_issued": "on", "why_found.below_issued": "took\x00it"})
    before = snapshot(world.protocol)
    response = client.post(entry_url(world.protocol), data)
    assert response.status_code < 500
    assert snapshot(world.protocol) == before


def test_the_resolve_page_answers_a_nul_reason_with_a_message(client, world):
    protocol = in_discrepancy(world)
    login(client, world.chair)
    data = post_values(world, protocol.version, spoiled="12", unused="238")
    data.update({"choice": "correct", "reason": "re\x00count"})
    before = snapshot(protocol)
    response = client.post(reverse("results:resolve", args=[protocol.pk]), data, follow=True)
    assert response.status_code < 500
    assert snapshot(protocol) == before and fresh(protocol).state == ProtocolState.IN_DISCREPANCY
