"""Clerks' double entry: save a draft, finish an entry, abandon one; compare the two entries.

The first finished entry takes slot 1, the second (by a different user) slot 2. When the second
is finished the two are compared field by field: equal makes the protocol verified (official
figures copied from the entry), different puts it in discrepancy for a supervisor.
"""

from django.db import transaction
from django.utils.translation import gettext as _g

from core import clock
from core.reasons import MAX_REASON_LENGTH, clean_reason
from results import controls
from results.errors import (
    ControlsFailed,
    EntryTakenByOther,
    ReasonRequired,
    WarningsNotAcknowledged,
)
from results.models import Protocol, ProtocolEntry, ProtocolVote
from results.models import ProtocolState as S
from results.permissions import check_abandon_others_draft, check_enter
from results.selectors import control_context, entry_slot, live_entries

from .state_machine import advance, check_version, lock, refuse, transition

# Codes that make even a draft unsavable: the value itself is unreadable.
FORMAT_CODES = {
    "protocol.malformed",
    "figure.not_integer",
    "figure.negative",
    "figure.too_large",
    "against_all.not_on_ballot",
    "votes.malformed",
    "candidate.unknown",
}
MAX_EXPLANATION = MAX_REASON_LENGTH  # one limit for every reason, note and explanation (core.reasons)


def stored_values(report, candidacies, against_all):
    """What an entry stores: every figure (null when empty in a draft) and every candidate's count."""
    values = {name: report.clean.get(name) for name in controls.FIGURE_NAMES}
    if against_all:
        values["against_all"] = report.clean.get("against_all")
    votes = report.clean.get("votes", {})
    values["votes"] = {str(cid): votes.get(cid) for cid in candidacies}
    return values


def clean_acknowledgements(acknowledged, warnings):
    """{code: explanation} for the warnings present, explanations stripped; unknown codes dropped.
    An explanation over MAX_REASON_LENGTH (or with a NUL) is refused: ReasonTooLong / TextNotStorable."""
    acknowledged = acknowledged if isinstance(acknowledged, dict) else {}
    out = {}
    for warning in warnings:
        text = clean_reason(
            acknowledged.get(warning.code),
            field=f"acknowledged.{warning.code}",
            label=_g("The explanation of a warning"),
        )
        if text:
            out[warning.code] = text
    return out


def differences(a, b):
    """Field paths where two entries' values differ (figures, then votes.<id>)."""
    paths = [name for name in (*controls.FIGURE_NAMES, "against_all") if a.get(name) != b.get(name)]
    votes_a, votes_b = a.get("votes", {}), b.get("votes", {})
    paths += [
        f"votes.{cid}" for cid in sorted(set(votes_a) | set(votes_b), key=str) if votes_a.get(cid) != votes_b.get(cid)
    ]
    return paths


def finishing_event(slot, entries, stored, data):
    """The event that finishes a clerk's entry of `stored` values in `slot`, with its audit data:
    the first entry's, or the second's equal to the first of the live `entries` ({slot: entry})
    or different from it (the differing fields named). Returns (event, data)."""
    if slot == 1:
        return "finish_first", data
    diff = differences(entries[1].values, stored)
    if diff:
        return "finish_second_different", {**data, "differences": diff}
    return "finish_second_equal", data


def refusal(report, acknowledged):
    """The error that refuses finishing an entry with this report, or None: ControlsFailed while any
    control fails, WarningsNotAcknowledged while a warning lacks its explanation."""
    if report.errors:
        return ControlsFailed(details={"report": report})
    acks = clean_acknowledgements(acknowledged, report.warnings)
    missing = [w.code for w in report.warnings if w.code not in acks]
    if missing:
        return WarningsNotAcknowledged(details={"report": report, "missing": missing})
    return None


def check_values(protocol, values, *, finish, acknowledged=None, candidacies=None):
    """Run the controls; raise ControlsFailed / WarningsNotAcknowledged. Returns (report, context, acks)."""
    context = control_context(protocol, candidacies)
    report = controls.run_controls(values, **context)
    if finish:
        error = refusal(report, acknowledged)
        if error is not None:
            raise error
    elif any(r.code in FORMAT_CODES for r in report.errors):
        raise ControlsFailed(details={"report": report})
    return report, context, clean_acknowledgements(acknowledged, report.warnings)


def clean_submission(token):
    """A form's submission token as stored ("" when absent or malformed)."""
    token = token.strip() if isinstance(token, str) else ""
    return token if 8 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum() else ""


def _replayed(entries, user, submission):
    """The user's live entry that this very form already wrote, if any."""
    if not submission:
        return None
    return next((e for e in entries.values() if e.clerk_id == user.pk and e.submission == submission), None)


OFFICIAL_FIELDS = (*controls.FIGURE_NAMES, "against_all", "official_entry")


def set_official_figures(protocol, entry):
    """Copy an entry's figures into the protocol's official ones, in memory (the caller saves
    OFFICIAL_FIELDS and writes the votes)."""
    for name in controls.FIGURE_NAMES:
        setattr(protocol, name, entry.values[name])
    protocol.against_all = entry.values.get("against_all") if protocol.election.against_all else None
    protocol.official_entry = entry


def official_votes(entry):
    """The entry's votes as vote rows: [(candidacy id, votes)]."""
    return [(int(cid), n) for cid, n in entry.values["votes"].items()]


def make_official(protocol, entry):
    """Copy an entry's values into the protocol's official figures and votes (caller transitions
    and saves the returned fields)."""
    set_official_figures(protocol, entry)
    replace_votes(protocol.pk, official_votes(entry))
    return list(OFFICIAL_FIELDS)


def _insert_sql(entry):
    """The INSERT of a new entry (its id set) as `entry.save()` would send it, as (sql, params)."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    fields = ProtocolEntry._meta.concrete_fields
    params = [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields]
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(ProtocolEntry._meta.db_table)} ({columns}) VALUES ({placeholders})", params


def replace_votes(protocol_id, votes):
    """Replace a protocol's vote rows by `votes` [(candidacy id, votes)]. On PostgreSQL one statement
    (the INSERT reads the DELETE's result, so it runs after it: two CTEs otherwise share one
    snapshot and the unique constraint would meet the old rows). Written before the protocol's
    UPDATE, in its own statement, as the ORM path does: the aggregation triggers of both tables
    read the other one's rows (one statement would count the votes of a verified protocol twice)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not votes:
        ProtocolVote.objects.filter(protocol_id=protocol_id).delete()
        ProtocolVote.objects.bulk_create(
            [ProtocolVote(protocol_id=protocol_id, candidacy_id=cid, votes=n) for cid, n in votes]
        )
        return
    table = connection.ops.quote_name(ProtocolVote._meta.db_table)
    rows = ", ".join(["(%s::bigint, %s::integer)"] * len(votes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} WHERE protocol_id = %s RETURNING 1) "
            f"INSERT INTO {table} (protocol_id, candidacy_id, votes) SELECT %s, v.c, v.n "
            f"FROM (VALUES {rows}) AS v(c, n) CROSS JOIN (SELECT count(*) FROM gone) AS g",
            [protocol_id, protocol_id, *(x for row in votes for x in row)],
        )


def save_entry(
    protocol,
    user,
    values,
    *,
    finish=False,
    acknowledged=None,
    expected_version=None,
    candidacies=None,
    submission=None,
):
    """Save `user`'s entry of `protocol` as a draft, or finish it. Returns (protocol, entry, report).

    Raises OutOfScope (station not the user's), CertifierMayNotEnter, SameClerk, EntryTakenByOther,
    EntryNotOpen, ProtocolCertified, StaleForm, ControlsFailed (with the report),
    WarningsNotAcknowledged. A refused finish (controls or warnings) still keeps the typed figures
    as the clerk's draft (written, then the error raised; `details["entry"]` is the draft); a
    draft whose figures cannot be read (`FORMAT_CODES`) is refused and nothing is written.

    `submission` is the form's one-time token: the same form sent again (a double click, a retry
    after a time-out whose first attempt was saved) finds the entry it wrote and is answered as
    the first time was, without a second entry, a second transition or a stale-form error.
    """
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    submission = clean_submission(submission)
    with transaction.atomic():
        # On PostgreSQL the lock reads the candidates too (one round trip: see `lock`).
        protocol = lock(protocol_id, with_candidacies=candidacies is None, reserve_entry_id=True)
        if candidacies is None:
            candidacies = getattr(protocol, "_candidacies", None)
        actor = check_enter(user, protocol.polling_station)
        # An empty protocol has no live entries: one query fewer on the first clerk's submission.
        entries = {} if protocol.state == S.EMPTY else live_entries(protocol, with_clerks=False)
        replay = _replayed(entries, user, submission)
        if replay is not None and replay.status == ProtocolEntry.Status.FINISHED:
            return protocol, replay, controls.run_controls(replay.values, **control_context(protocol, candidacies))
        if replay is None:
            check_version(protocol, expected_version)
        slot, start_event = entry_slot(protocol, user, entries)
        context = control_context(protocol, candidacies)
        report = controls.run_controls(values, **context)
        refused = refusal(report, acknowledged) if finish else None
        if not finish and any(r.code in FORMAT_CODES for r in report.errors):
            raise ControlsFailed(details={"report": report})
        acks = clean_acknowledgements(acknowledged, report.warnings)
        stored = stored_values(report, context["candidacies"], context["against_all"])
        now = clock.now()
        if start_event:
            kind = ProtocolEntry.Kind.FIRST if slot == 1 else ProtocolEntry.Kind.SECOND
            entry = ProtocolEntry(
                protocol=protocol, cycle=protocol.cycle, slot=slot, kind=kind, clerk=user, started_at=now
            )
        else:
            entry = entries[slot]
        entry.values = stored
        entry.acknowledged = acks
        entry.updated_at = now
        entry.submission = submission
        # The start of an entry and what follows in the same submission are written together
        # (one UPDATE of the protocol, one batched audit append), in the order they happen.
        steps = [(start_event, None)] if start_event else []
        if not finish or refused is not None:
            entry.save()
            if not start_event:
                steps.append(("save_draft", {"entry": entry.pk, "slot": slot}))
            advance(protocol, steps, actor=actor)
        else:
            entry.status = ProtocolEntry.Status.FINISHED
            entry.finished_at = now
            writes = ()
            if start_event and getattr(protocol, "_entry_id", None) is not None:
                # PostgreSQL: the new entry's row joins the transition's one statement (its id taken
                # with the lock: the audit record names it).
                entry.pk = protocol._entry_id
                writes = [_insert_sql(entry)]
            else:
                entry.save()
            data = {"entry": entry.pk, "slot": slot, "values": stored, "acknowledged": acks}
            event, event_data = finishing_event(slot, entries, stored, data)
            fields = make_official(protocol, entry) if event == "finish_second_equal" else ()
            steps.append((event, event_data))
            advance(protocol, steps, actor=actor, extra_fields=fields, writes=writes)
            entry._state.adding, entry._state.db = False, transaction.get_connection().alias
    if refused is not None:  # the draft is committed; the finish is refused
        refused.details["entry"] = entry
        refused.details["protocol"] = protocol
        raise refused
    return protocol, entry, report


def abandon_entry(protocol, user, *, expected_version=None):
    """The clerk gives up their unfinished entry; it is kept as discarded and the slot frees."""
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    with transaction.atomic():
        protocol = lock(protocol_id, expected_version)
        actor = check_enter(user, protocol.polling_station)
        entries = live_entries(protocol)
        if protocol.state == S.FIRST_ENTRY_IN_PROGRESS:
            slot, event = 1, "abandon_first"
        elif protocol.state == S.SECOND_ENTRY_IN_PROGRESS:
            slot, event = 2, "abandon_second"
        else:
            raise refuse(protocol, "abandon_first")
        entry = entries[slot]
        if entry.clerk_id != user.pk:
            raise EntryTakenByOther()
        entry.status = ProtocolEntry.Status.DISCARDED
        entry.discarded_at = clock.now()
        entry.save(update_fields=["status", "discarded_at"])
        transition(protocol, event, actor=actor, data={"entry": entry.pk, "values": entry.values})
        return protocol


def abandon_draft_of_other(protocol, user, *, reason, expected_version=None):
    """The precinct chair or a territorial commission abandons the unfinished entry (draft) that
    locks a protocol, whoever's it is, with a mandatory reason: kept as discarded, the slot frees,
    and the audit record names the draft's clerk, its values and the reason.

    Raises ReasonRequired, TextNotStorable (a NUL), ReasonTooLong, OutOfScope, NotPermitted, InvalidTransition
    (no draft in progress), StaleForm. Nothing is written when it raises."""
    reason = clean_reason(reason)
    if not reason:
        raise ReasonRequired(_g("Abandoning another clerk's draft needs a reason."))
    protocol_id = protocol.pk if isinstance(protocol, Protocol) else int(protocol)
    with transaction.atomic():
        protocol = lock(protocol_id, expected_version)
        actor = check_abandon_others_draft(user, protocol.polling_station)
        if protocol.state == S.FIRST_ENTRY_IN_PROGRESS:
            slot, event = 1, "abandon_first"
        elif protocol.state == S.SECOND_ENTRY_IN_PROGRESS:
            slot, event = 2, "abandon_second"
        else:
            raise refuse(protocol, "abandon_first")
        entry = live_entries(protocol)[slot]
        entry.status = ProtocolEntry.Status.DISCARDED
        entry.discarded_at = clock.now()
        entry.save(update_fields=["status", "discarded_at"])
        transition(
            protocol,
            event,
            actor=actor,
            reason=reason,
            data={"entry": entry.pk, "clerk": entry.clerk_id, "values": entry.values, "by_other": True},
        )
        return protocol, entry
