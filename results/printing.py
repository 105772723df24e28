"""What a printed protocol carries besides its figures, as the paper one does: the signing
commission's name and number, the place, the date and time of signing, and a signature line for
the chair, deputy chair, secretary and each member (names from the commission's memberships).

Reads only; the time of signing is the clock's now in the election's time zone (the protocol is
printed to be signed).
"""

from django.utils.translation import gettext_lazy as _

from core import clock
from territory.models import Commission, Membership

# Signature lines in the order of the paper protocol; chair and secretary always get a line.
ROLE_ORDER = (
    (Membership.Role.CHAIR, _("Chair of the commission")),
    (Membership.Role.DEPUTY, _("Deputy chair of the commission")),
    (Membership.Role.SECRETARY, _("Secretary of the commission")),
    (Membership.Role.MEMBER, _("Member of the commission")),
    (Membership.Role.CLERK, _("Member of the commission")),
)
ALWAYS = {Membership.Role.CHAIR, Membership.Role.SECRETARY}


def establishing_commission(contest):
    """The commission that establishes a contest's results: the territorial commission of the contest's
    own unit, else of its district, else of its region; the CEC when there is none."""
    unit = contest.unit
    unit_ids = [pk for pk in (unit.pk, unit.district_id, unit.region_id) if pk]
    territorial = {
        c.unit_id: c
        for c in Commission.objects.filter(
            kind__in=[Commission.Kind.DISTRICT, Commission.Kind.REGIONAL], unit_id__in=unit_ids
        )
    }
    for pk in unit_ids:
        if pk in territorial:
            return territorial[pk]
    return Commission.objects.filter(kind=Commission.Kind.CEC).first()


def precinct_commission(station):
    return Commission.objects.filter(kind=Commission.Kind.PRECINCT, polling_station=station).first()


def _person(user):
    return user.get_full_name() or user.get_username()


def signature_lines(commission, day):
    """[(role label, name or "")]: one line per active member on `day`, chair and secretary always."""
    if commission is None:
        return [(label, "") for role, label in ROLE_ORDER if role in ALWAYS]
    seats = (
        Membership.objects.active_on(day)
        .filter(commission=commission)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    by_role = {}
    for seat in seats:
        by_role.setdefault(seat.role, []).append(_person(seat.user))
    lines = []
    for role, label in ROLE_ORDER:
        names = by_role.get(role, [])
        if not names and role in ALWAYS:
            names = [""]
        lines.extend((label, name) for name in names)
    return lines


def commission_number(commission):
    """A precinct commission bears its polling station's number; territorial ones have none."""
    if commission is not None and commission.kind == Commission.Kind.PRECINCT:
        return commission.polling_station.number
    return None


def signing(commission, election, place):
    """The context of a protocol's signing block."""
    signed_at = clock.now().astimezone(election.zone)
    return {
        "commission": commission,
        "commission_number": commission_number(commission),
        "place": place,
        "signed_at": signed_at,
        "signed_zone": election.time_zone,
        "signatures": signature_lines(commission, signed_at.date()),
    }


def contest_place(contest):
    """The seat of the establishing commission's territory: the contest's unit with its district and region."""
    unit = contest.unit
    parts = [unit.name]
    for parent in (unit.district, unit.region):
        if parent is not None and parent.pk != unit.pk:
            parts.append(parent.name)
    return ", ".join(parts)


def station_place(station):
    parts = [station.address] if station.address else []
    parts.append(station.unit.name)
    if station.district_id:
        parts.append(station.district.name)
    return ", ".join(parts)
