"""Admin screens of the candidate registry for commission staff, one module per model family; every list
and action is scoped by territory. Importing the package registers them all."""

from . import candidacies, contests, elections, offices, people
from .common import show_deadline

__all__ = ["candidacies", "contests", "elections", "offices", "people", "show_deadline"]
