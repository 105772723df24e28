"""Numbers shown to people: the one percentage of the project and its rounding."""

from decimal import ROUND_HALF_UP, Decimal


def percent(part, whole, places=2):
    """part / whole x 100 as a Decimal rounded half up to `places` decimals (1/8 -> 12.50,
    1/800 -> 0.13, 1419/2297 at one place -> 61.8); None when `whole` is 0 or None: no share of
    nothing. Computed in Decimal, never in binary floats, so a half is always a half. The database
    rounds the same way (PostgreSQL's round(numeric, 2) rounds half away from zero)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
