"""The one clock of the domain services; tests freeze it with `frozen(...)`."""

import contextlib

from django.utils import timezone

_override = None


def now():
    """The current aware datetime, or the frozen one inside `frozen()`."""
    return _override if _override is not None else timezone.now()


@contextlib.contextmanager
def frozen(moment):
    """Freeze `now()` at `moment` (an aware datetime) for the block, in every thread."""
    global _override
    previous, _override = _override, moment
    try:
        yield moment
    finally:
        _override = previous
