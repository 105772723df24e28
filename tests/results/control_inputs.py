"""The protocol the controls' tests start from, and the candidacies it votes for."""

CANDS = {11: "Ahmetov", 12: "Bekova", 13: "Sadykov"}


def valid(**overrides):
    """A consistent protocol: V=1000, R=1000 = Is 700 + Im 50 + S 10 + U 240 (750 issued, 75%);
    found 700 + 50 = 30 invalid + 720 votes."""
    values = {
        "voters": 1000,
        "ballots_received": 1000,
        "issued_station": 700,
        "issued_mobile": 50,
        "spoiled": 10,
        "unused": 240,
        "found_stationary": 700,
        "found_mobile": 50,
        "invalid": 30,
        "votes": {11: 400, 12: 200, 13: 120},
    }
    values.update(overrides)
    return values
