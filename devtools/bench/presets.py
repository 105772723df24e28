"""Benchmark sizes: the presets of `manage.py bench` and the Scale they stand for."""

from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True)
class Scale:
    """An election's size: polling stations (one protocol each), contests, candidates per contest
    (a range: each contest gets a number in it)."""

    stations: int
    contests: int
    candidates_min: int
    candidates_max: int

    def __post_init__(self):
        if self.contests < 1 or self.stations < self.contests:
            raise ValueError(gettext("need at least one contest and one polling station per contest"))
        if not 1 <= self.candidates_min <= self.candidates_max:
            raise ValueError(gettext("candidates: 1 <= min <= max"))

    @property
    def label(self):
        cands = (
            str(self.candidates_min)
            if self.candidates_min == self.candidates_max
            else f"{self.candidates_min}-{self.candidates_max}"
        )
        return f"{self.stations}x{self.contests}x{cands}"


PRESETS = {
    # Kazakhstan: about 10,000 polling stations, about 2,350 local akim posts.
    "kz": Scale(10_000, 2_350, 2, 6),
    # A national election far larger (India, Indonesia): 10 million vote counts.
    "national": Scale(1_000_000, 2_500, 10, 10),
    # The test suite's smoke run.
    "tiny": Scale(60, 12, 2, 4),
}
