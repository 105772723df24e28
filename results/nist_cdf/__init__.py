"""An election's results in the NIST SP 1500-100 v2 common data format (Election Results Reporting,
JSON): one `ElectionReport`, written as a stream of text chunks. A reader only: it writes nothing.

What goes where (the schema is results/standards/nist-sp-1500-100-v2/):
- `GpUnit`: the country ("gpu-kz"), the units of the KATO hierarchy that hold the contests and the
  polling stations ("gpu-<KATO>", names of the election day in kk/ru/en, the KATO code as an
  ExternalIdentifier of OtherType "kato"), and the polling stations ("gpu-<district KATO>-<number>",
  Type "precinct"). A unit's VotersRegistered, VotersParticipated (ballots issued, Is + Im) and
  SubUnitsReported/TotalSubUnits (protocols counted/expected) come from the turnout roll-ups; a
  station's from its protocol.
- `Election.Contest`: one CandidateContest per contest ("con-<id>"), a CandidateSelection per
  candidacy on the ballot ("cs-<candidacy id>", and "cs-<contest id>-against-all" when the ballot
  has the line), with VoteCounts (Type "total") per polling station and for the contest's unit.
- `Election.Candidate` ("can-<id>", the name as registered) and `Party` ("par-<id>").
- `Election.BallotCounts` per unit and station: BallotsCast (ballots found in the boxes, Fs + Fm)
  and BallotsRejected (invalid ballots, N).
- Status: a station's or contest's CountStatus (Type "total") is "completed" when every protocol
  is certified (official), "in-process" when some have verified figures not yet certified
  (unofficial), "not-processed" when none has figures; the report's Status is "certified",
  "unofficial-complete", "unofficial-partial" or, without protocols, "pre-election".

The counts are those of every protocol with figures (verified or certified: the "preliminary"
basis of the result tables), so a contest's total is the sum of its stations'; which of them are
official the statuses say. An election elects one kind of office, so a polling station counts in
one contest of it.

Memory stays flat: rows are read with `.values().iterator()` in key order and joined while
streaming; only the units and station ids of the hierarchy are held. The same data gives the same
bytes: keys sorted, rows in a fixed order, ids from stable codes, no clock (GeneratedDate is the
latest aggregation, else the latest protocol change, else the election day).
"""

from .elements import SCHEMA_PATH
from .report import Report, election_report

__all__ = ["SCHEMA_PATH", "Report", "election_report"]
