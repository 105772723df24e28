"""Admin of the results app: protocols (`protocols`) and official outcomes with their follow-ups (`winners`)."""

from . import protocols, winners

__all__ = ["protocols", "winners"]
