"""The entry slot is decided in one place (results.selectors.entry_slot): the entry service saves into it and
the entry page says, from the same answer, whether the clerk may enter and why not."""

import pytest

from results.errors import EntryNotOpen, EntryTakenByOther, SameClerk
from results.models import Protocol
from results.selectors import entry_situation, entry_slot, live_entries
from results.services import save_entry

pytestmark = pytest.mark.django_db

ANOTHER = "Another clerk is entering this protocol now."
SECOND = "This is the second, independent entry: type the figures from the paper protocol."


def _both(protocol, user):
    protocol = Protocol.objects.get(pk=protocol.pk)
    entries = live_entries(protocol)
    situation = entry_situation(protocol, user, entries)
    try:
        slot = entry_slot(protocol, user, entries)
    except Exception as error:
        slot = type(error)
    return slot, situation


def test_slot_and_note_follow_the_protocol_through_both_entries(world):
    assert _both(world.protocol, world.clerk1) == ((1, "start_first"), (True, ""))

    save_entry(world.protocol, world.clerk1, {"voters": "1000"})  # first entry, draft
    assert _both(world.protocol, world.clerk1) == ((1, None), (True, ""))
    assert _both(world.protocol, world.clerk2) == (EntryTakenByOther, (False, ANOTHER))

    save_entry(Protocol.objects.get(pk=world.protocol.pk), world.clerk1, world.values(), finish=True)
    assert _both(world.protocol, world.clerk1) == (
        SameClerk,
        (False, "You made the first entry. The second entry must be made by another clerk."),
    )
    assert _both(world.protocol, world.clerk2) == ((2, "start_second"), (True, SECOND))

    save_entry(Protocol.objects.get(pk=world.protocol.pk), world.clerk2, {"voters": "1000"})  # second, draft
    assert _both(world.protocol, world.clerk2) == ((2, None), (True, ""))
    assert _both(world.protocol, world.clerk1) == (SameClerk, (False, ANOTHER))
    assert _both(world.protocol, world.clerk3) == (EntryTakenByOther, (False, ANOTHER))

    save_entry(Protocol.objects.get(pk=world.protocol.pk), world.clerk2, world.values(), finish=True)
    assert _both(world.protocol, world.clerk3) == (
        EntryNotOpen,
        (False, "Both entries agree: the protocol is verified."),
    )


def test_entries_that_differ_leave_the_protocol_to_the_chair(world):
    save_entry(world.protocol, world.clerk1, world.values(), finish=True)
    save_entry(
        Protocol.objects.get(pk=world.protocol.pk),
        world.clerk2,
        world.values(votes={str(world.c1.pk): "399", str(world.c2.pk): "201", str(world.c3.pk): "120"}),
        finish=True,
    )
    assert _both(world.protocol, world.clerk3) == (
        EntryNotOpen,
        (False, "The two entries differ. The commission's chair will resolve it."),
    )
