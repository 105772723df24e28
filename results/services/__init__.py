"""The services of results entry: the only code that changes protocols and entries.

- `state_machine`: the transition table and `transition()`.
- `entry`: `save_entry`, `abandon_entry` (clerks' double entry).
- `resolution`: `resolve_keep_entry`, `resolve_discard_both`, `resolve_with_corrected_figures`,
  `review_resolution` (what a resolution would do, checked, nothing written), `resolve`.
- `certification`: `certify_protocol`, `certify_protocols`, `reopen_protocol`.
- `creation`: `create_protocols_for_contest`, `create_protocols_for_election`.
"""

from .certification import certify_protocol, certify_protocols, reopen_protocol
from .creation import create_protocols_for_contest, create_protocols_for_election
from .entry import abandon_entry, save_entry
from .resolution import (
    resolve,
    resolve_discard_both,
    resolve_keep_entry,
    resolve_with_corrected_figures,
    review_resolution,
)

__all__ = [
    "abandon_entry",
    "certify_protocol",
    "certify_protocols",
    "create_protocols_for_contest",
    "create_protocols_for_election",
    "reopen_protocol",
    "resolve",
    "resolve_discard_both",
    "resolve_keep_entry",
    "resolve_with_corrected_figures",
    "review_resolution",
    "save_entry",
]
