"""The calendar of an election: every deadline and day, computed from its rules (day offsets from
election day, the local cut-off time, the runoff and winner-registration offsets).

Rows, in order: called, nomination ends, registration ends, withdrawal and deregistration end,
election day, results established by (`results_within_days` after election day), the winner
registered by (`winner_registration_days` after the results are established: the actual day once
they are, else the latest day allowed), and for a rule with a runoff the runoff day
(`runoff_offset_days` after election day; only held where no candidate has a majority).
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ElectionKind, WinnerRule


@dataclass(frozen=True)
class CalendarRow:
    key: str
    label: str
    day: datetime.date
    deadline: datetime.datetime | None  # the aware cut-off moment, for deadlines

    def as_dict(self):
        return {
            "key": self.key,
            "label": str(self.label),
            "day": self.day.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }


def election_calendar(election):
    """[CalendarRow] of `election`, in date order (ties keep the order above)."""
    day = election.election_day
    rows = []
    if election.called_on:
        rows.append(CalendarRow("called", _("called"), election.called_on, None))
    for key, label, offset in (
        ("nomination_ends", _("nomination ends"), election.nomination_end_offset_days),
        ("registration_ends", _("registration ends"), election.registration_end_offset_days),
        ("withdrawal_ends", _("withdrawal and deregistration end"), election.withdrawal_end_offset_days),
    ):
        deadline_day = election.day_at_offset(offset)
        rows.append(CalendarRow(key, label, deadline_day, election.local_deadline(deadline_day)))
    rows.append(CalendarRow("election_day", _("election day"), day, None))
    results_by = day + datetime.timedelta(days=election.results_within_days)
    rows.append(
        CalendarRow(
            "results_established_by", _("results established by"), results_by, election.local_deadline(results_by)
        )
    )
    established = election.results_established_on or results_by
    winner_by = established + datetime.timedelta(days=election.winner_registration_days)
    rows.append(
        CalendarRow(
            "winner_registered_by", _("elected akim registered by"), winner_by, election.local_deadline(winner_by)
        )
    )
    if election.winner_rule == WinnerRule.ABSOLUTE_MAJORITY and election.kind != ElectionKind.RUNOFF:
        runoff_day = day + datetime.timedelta(days=election.runoff_offset_days)
        rows.append(CalendarRow("runoff_day", _("runoff day, where no candidate has a majority"), runoff_day, None))
    return sorted(rows, key=lambda r: r.day)


__all__ = ["CalendarRow", "election_calendar"]
