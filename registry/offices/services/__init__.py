"""Services of the office register: open and end terms of office, record the akim's accountability
(reports to the maslikhat, community dismissal initiatives, votes of no confidence), call
by-elections and runoffs, and record what was done with a contest's official outcome.

Each service takes the acting user (None = the system), checks the actor's territory, the state of
the term and the dates, writes the change and its audit record in one transaction, and raises a
DomainError with a stable code otherwise; a refused call writes nothing.

Choices made here (documented, not in the law's text we have):
- "Grounds" of a no-confidence vote: at least REPORTS_NOT_APPROVED_FOR_GROUNDS (2) reports of the
  *current* term not approved, dated on or before the vote, or a registered community initiative of
  the current term submitted on or before the vote. Reports of an earlier term never count.
- A vote that passes needs more votes for than against; it ends the term on the day of the vote.
- By-election rules and dates come from the election the ended term was won at (else that of the
  unit's latest elected term, else the latest election held in the unit, else the defaults): it is
  called `by_election_call_offset_days` (default 10) after the termination date, and held
  `by_election_day_offset_days` (default 70) after it, so at least 40 days lie between call and
  vote (a database constraint).
- A runoff is held `runoff_offset_days` (default 14) after the first round's election day; its two
  candidates are registered in the runoff contest from their first-round candidacies.
- A repeat election (contest void, too few candidates, nobody elected) is called by the commission
  for a day at least 40 days ahead; nomination opens again in its one contest.
- Planned end = start + the election's term years (same day and month; 29 February -> 28 February).
"""

from .accountability import hold_no_confidence_vote, no_confidence_grounds, record_initiative, record_report
from .by_elections import call_by_election
from .common import REPORTS_NOT_APPROVED_FOR_GROUNDS, add_years, today
from .follow_up import act_on_contests, call_repeat_election, call_runoff, flag_contest, register_elected_akim
from .terms import complete_term, open_term_of_office, terminate_term

__all__ = [
    "REPORTS_NOT_APPROVED_FOR_GROUNDS",
    "act_on_contests",
    "add_years",
    "call_by_election",
    "call_repeat_election",
    "call_runoff",
    "complete_term",
    "flag_contest",
    "hold_no_confidence_vote",
    "no_confidence_grounds",
    "open_term_of_office",
    "record_initiative",
    "record_report",
    "register_elected_akim",
    "terminate_term",
    "today",
]
