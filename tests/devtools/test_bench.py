"""The benchmark (devtools.bench, manage.py bench): a tiny election's totals equal the SQL baseline's,
a tampered total is caught (non-zero exit), the document keeps the other sections."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from devtools.bench import aggregate, builder, report
from devtools.bench.presets import PRESETS, Scale
from results.models import CandidateResult, ContestResult, Protocol, ProtocolState, ProtocolVote

pytestmark = pytest.mark.django_db(transaction=False)

TINY = PRESETS["tiny"]
QUICK = ["--preset", "tiny", "--skip-entry", "--skip-api", "--skip-memory", "--no-doc", "--runs", "1"]


def test_a_size_without_a_station_per_contest_is_refused():
    with pytest.raises(CommandError):
        call_command("bench", "--stations", "3", "--contests", "5", "--no-doc", stdout=StringIO())
    with pytest.raises(ValueError):
        Scale(10, 2, 3, 2)


def test_a_tampered_total_is_reported_with_the_first_difference():
    election = builder.build(TINY, seed=3, say=lambda m: None)
    from results.aggregation import recompute

    recompute(election)
    aggregate.run_baseline(election.pk)
    assert aggregate.compare(election) is None
    row = CandidateResult.objects.filter(election=election, basis="official").order_by("pk").first()
    CandidateResult.objects.filter(pk=row.pk).update(votes=row.votes + 1)
    difference = aggregate.compare(election)
    assert difference is not None and "candidate votes" in difference and str(row.votes + 1) in difference
    aggregate.drop_baseline()


def test_the_builder_writes_consistent_protocols():
    election = builder.build(TINY, seed=5, say=lambda m: None)
    protocols = Protocol.objects.filter(election=election)
    assert protocols.count() == TINY.stations
    assert election.contests.count() == TINY.contests
    for p in protocols.exclude(state=ProtocolState.EMPTY):
        votes = sum(ProtocolVote.objects.filter(protocol=p).values_list("votes", flat=True))
        assert p.found_stationary + p.found_mobile == p.invalid + votes
        assert p.ballots_received == p.issued_station + p.issued_mobile + p.spoiled + p.unused
        assert p.issued_station + p.issued_mobile <= p.voters
    assert not ProtocolVote.objects.filter(protocol__election=election, protocol__state=ProtocolState.EMPTY).exists()
    counts = {c.pk: c.candidacies.count() for c in election.contests.all()}
    assert set(counts.values()) <= set(range(TINY.candidates_min, TINY.candidates_max + 1))


def test_tiny_preset_totals_equal_the_baseline():
    out = StringIO()
    call_command("bench", *QUICK, stdout=out)
    text = out.getvalue()
    assert "totals equal baseline: yes" in text
    election = builder.existing(TINY, 1)
    # The run aggregated (full, one certified protocol, 1% changes) and its tables hold every contest.
    assert ContestResult.objects.filter(election=election).count() == 2 * TINY.contests
    assert "| full aggregation (project code) |" in text
    assert "| of which the anomaly flags (issue 20; the baseline computes none) |" in text
    assert "| full aggregation less the anomaly flags |" in text
    # A second run reuses the election and still agrees.
    out = StringIO()
    call_command("bench", *QUICK, stdout=out)
    assert "reusing election" in out.getvalue() and "totals equal baseline: yes" in out.getvalue()


def test_the_command_exits_non_zero_when_totals_differ(monkeypatch):
    monkeypatch.setattr(aggregate, "compare", lambda election: "candidate votes: row 0: baseline (1,) != project (2,)")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("bench", *QUICK, stdout=out)
    assert "totals equal baseline: no" in out.getvalue()
    assert "baseline (1,) != project (2,)" in out.getvalue()


def test_a_section_is_replaced_and_the_others_kept(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\nIntro.\n\n## Load test\n\nTheirs.\n")
    report.write_section(doc, "kz", "## Results: kz\n\nfirst\n<!-- bench:kz:rss=100.0 -->")
    report.write_section(doc, "national", "## Results: national\n\nbig")
    report.write_section(doc, "kz", "## Results: kz\n\nsecond\n<!-- bench:kz:rss=90.5 -->")
    text = doc.read_text()
    assert "first" not in text and "second" in text and "big" in text
    assert text.index("Intro.") < text.index("second") < text.index("## Load test") < text.index("Theirs.")
    assert text.count("## Results: kz") == 1
    assert report.recorded_rss(text, "kz") == 90.5
    assert report.recorded_rss(text, "national") is None


def test_the_table_names_the_commit_it_was_measured_at(monkeypatch):
    monkeypatch.setattr(report, "commit", lambda: "abc123def456")
    body = report.render("tiny", TINY, "tiny", {"votes": 10}, {})
    assert "- commit: `abc123def456`" in body
    # Outside a git checkout (a release tarball) the line says so instead of failing.
    monkeypatch.undo()
    monkeypatch.setattr(report.subprocess, "run", lambda *a, **k: (_ for _ in ()).throw(OSError("no git")))
    assert report.commit() == "unknown"


def test_the_builder_loads_protocols_through_results_fixtures_with_the_state_machines_versions():
    """No state is set by the builder: results.fixtures derives state and version from the paths of
    the transition table and records the load per contest in the audit trail."""
    from core.audit import verify_chain
    from core.models import AuditEvent
    from results.fixtures import ACTION, PATHS

    election = builder.build(TINY, seed=7, say=lambda m: None)
    versions = dict(
        Protocol.objects.filter(election=election).values_list("state", "version").distinct().order_by("state")
    )
    assert versions == {state: len(events) for state, events in PATHS.items() if state in versions}
    assert set(versions) <= {ProtocolState.EMPTY, ProtocolState.VERIFIED, ProtocolState.CERTIFIED}
    certified = Protocol.objects.filter(election=election, state=ProtocolState.CERTIFIED)
    assert certified.exists() and not certified.filter(certified_by__isnull=True).exists()
    events = AuditEvent.objects.filter(action=ACTION, object_type="registry.contest")
    assert sorted(int(e.object_id) for e in events) == sorted(election.contests.values_list("pk", flat=True))
    loaded = sorted(pid for e in events for ids in e.data["protocols"].values() for pid in ids)
    assert loaded == sorted(Protocol.objects.filter(election=election).values_list("pk", flat=True))
    assert all(e.actor.username == builder.BENCH_USER and e.reason == builder.LOAD_REASON for e in events)
    assert verify_chain()[1] is None
