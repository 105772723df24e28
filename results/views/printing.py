"""The printable precinct protocol: the paper form's layout with the official figures (blank until
verified, never an entry's figures), the commission, place, time of signing and signature lines.
Units carry their names of the election day, shown in the page's language."""

from django.shortcuts import render

from results import printing
from results.controls import AGAINST_ALL, FIGURES
from results.models import ProtocolVote
from results.tec_queue import ballot
from territory.selectors import dated

from .common import entry_login_required, protocol_or_404


@entry_login_required
def precinct_protocol(request, pk):
    protocol = protocol_or_404(request.user, pk)
    station = protocol.polling_station
    election = protocol.election
    units = (protocol.contest.unit, station.unit, station.district)
    dated([unit for unit in units if unit is not None], election.election_day)
    specs = [*FIGURES, AGAINST_ALL] if election.against_all else list(FIGURES)
    votes = dict(ProtocolVote.objects.filter(protocol=protocol).values_list("candidacy_id", "votes"))
    listed = ballot([protocol.contest_id]).get(protocol.contest_id, [])
    commission = printing.precinct_commission(station)
    return render(
        request,
        "results/precinct_protocol_print.html",
        {
            "protocol": protocol,
            "election": election,
            "station": station,
            "figures": [(code, label, getattr(protocol, name)) for name, code, label in specs],
            "votes": [(number, name, votes.get(cid)) for number, cid, name in listed],
            **printing.signing(commission, election, printing.station_place(station)),
        },
    )
