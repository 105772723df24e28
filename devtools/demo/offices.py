"""The office register of the 2021 demo (a `load_demo` step after the aggregation).

1. The CEC establishes the results on 27 July 2021 (the election enters "results established").
2. On 2 August 2021 every contest's official outcome is acted on through `results.winners`: the
   winners are registered as akims (term 2 August 2021 - 2 August 2025); a contest with fewer than
   two candidates, or invalid, is flagged for a repeat election; a tie is flagged for the commission;
   a contest whose protocols are not all certified stays pending (the demo leaves a few protocols in
   entry on purpose, for the clerks' screens). The printed report lists every flag.
3. Accountability of a few Karaganda akims, through the registry's services, under the 2022-2023
   calendar: one with two approved reports; one with one report not approved (no grounds yet); one
   with two reports not approved and a vote of no confidence that passes on 20 April 2023, which
   ends the term and calls the by-election (called 30 April 2023, held 29 June 2023); one with a
   registered community initiative and a vote that fails.

Idempotent: a second run finds the follow-ups and the accountability records and changes nothing.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from core import clock
from core.commands import number
from registry.models import ContestFollowUp, Election, MaslikhatReport, TermOfOffice
from registry.offices import services as offices
from registry.services import advance_election
from results import winners

ALMATY = ZoneInfo("Asia/Almaty")
RESULTS_ESTABLISHED = datetime.datetime(2021, 7, 27, 12, 0, tzinfo=ALMATY)
WINNERS_REGISTERED = datetime.datetime(2021, 8, 2, 10, 0, tzinfo=ALMATY)
TERMS_START = datetime.date(2021, 8, 2)
ACCOUNTABILITY_RECORDED = datetime.datetime(2023, 5, 2, 10, 0, tzinfo=ALMATY)
KARAGANDA = "35"


def _accountability(terms):
    """Reports, an initiative and two no-confidence votes on four Karaganda terms (see the docstring)."""
    approved, one_not_approved, removed, initiative = terms[:4]
    d = datetime.date
    offices.record_report(None, approved, reported_on=d(2022, 3, 15), approved=True, decision_reference="№ 12/3 (demo)")
    offices.record_report(None, approved, reported_on=d(2023, 3, 14), approved=True, decision_reference="№ 21/2 (demo)")
    offices.record_report(
        None, one_not_approved, reported_on=d(2022, 3, 16), approved=False, decision_reference="№ 12/5 (demo)"
    )
    offices.record_report(None, removed, reported_on=d(2022, 3, 17), approved=False, decision_reference="№ 12/7 (demo)")
    offices.record_report(None, removed, reported_on=d(2023, 3, 16), approved=False, decision_reference="№ 21/4 (demo)")
    offices.hold_no_confidence_vote(
        None,
        removed,
        held_on=d(2023, 4, 20),
        votes_for=9,
        votes_against=3,
        outcome="passed",
        decision_reference="№ 22/1 (demo)",
    )
    initiative_record = offices.record_initiative(
        None, initiative, submitted_on=d(2022, 11, 1), signatures=412, outcome="registered", decision_reference="demo"
    )
    offices.hold_no_confidence_vote(
        None,
        initiative,
        held_on=d(2022, 12, 6),
        votes_for=4,
        votes_against=8,
        outcome="failed",
        decision_reference="№ 16/2 (demo)",
    )
    return initiative_record


def load(stdout=None):
    from devtools.demo.registry import existing_election

    def say(message):
        if stdout is not None:
            stdout.write(message)

    election = existing_election()
    if election is None:
        say(gettext("office register demo: no demo election"))
        return None
    if election.status == Election.Status.COUNTING:
        with clock.frozen(RESULTS_ESTABLISHED):
            advance_election(None, election, Election.Status.RESULTS_ESTABLISHED, reason="Results established (demo).")
        election.refresh_from_db()
    if election.results_established_on is None:
        say(
            gettext("office register demo: the election is at stage %(stage)s; nothing done")
            % {"stage": election.get_status_display()}
        )
        return election

    with clock.frozen(WINNERS_REGISTERED):
        report = winners.act_on_election(None, election, started_on=TERMS_START)
    if report.registered or report.repeat_elections or report.runoffs or report.ties or report.refused:
        for line in report.lines():
            say(gettext("office register demo: %(line)s") % {"line": line})
    else:
        say(gettext("office register demo: outcomes already acted on"))

    terms = list(
        TermOfOffice.objects.filter(election=election, unit__kato__startswith=KARAGANDA)
        .select_related("unit", "person", "election")
        .order_by("unit__kato")
    )
    if len(terms) >= 4 and not MaslikhatReport.objects.filter(term__in=terms).exists():
        with clock.frozen(ACCOUNTABILITY_RECORDED):
            _accountability(terms)

    opened = TermOfOffice.objects.filter(election=election).count()
    in_office = TermOfOffice.objects.filter(election=election, ended_on__isnull=True).count()
    follow_ups = ContestFollowUp.objects.filter(contest__election=election)
    repeat = follow_ups.filter(action=ContestFollowUp.Action.REPEAT_ELECTION).count()
    by_elections = Election.objects.filter(kind="by_election", origin=election)
    listed = [
        gettext("%(name)s on %(day)s") % {"name": e.name, "day": f"{e.election_day:%d.%m.%Y}"} for e in by_elections
    ]
    say(
        gettext(
            "office register demo: %(opened)s akims registered for %(contests)s contests (%(repeat)s flagged for "
            "a repeat election, %(pending)s pending), %(in_office)s in office; by-elections: %(by_elections)s"
        )
        % {
            "opened": number(opened),
            "contests": number(election.contests.count()),
            "repeat": number(repeat),
            "pending": number(len(report.pending)),
            "in_office": number(in_office),
            "by_elections": ", ".join(listed) or gettext("none"),
        }
    )
    return election
