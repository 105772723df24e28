"""Issuing, finding and revoking auditors' API tokens; only a token's SHA-256 is ever stored."""

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model
from django.db import router, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from core import audit, clock
from core.errors import DomainError, InvalidTransition, NotPermitted
from territory.models import Membership

from .prepared import PreparedValues

AUDITOR_GROUP = "auditors"
TOKEN_PREFIX = "ea_"
PREFIX_LENGTH = 12
MAX_DAYS = 3660
# last_used_at is written at most this often per token, so reads do not become writes.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


class NotAnAuditor(NotPermitted):
    code = "not_auditor"
    default_message = _("API tokens are issued only to auditors (group “auditors”) and staff.")


class InvalidTokenScope(DomainError):
    code = "invalid_token_scope"
    default_message = _("A token's territory must be a region or a city of republican significance.")


class NationalTokenOnlyForAuditors(NotPermitted):
    code = "national_token_not_auditor"
    default_message = _(
        "National and regional tokens are issued only to users in the auditor role (group “auditors”); "
        "this user holds no commission seat that a token could carry instead."
    )


class RegionTokenOnlyForAuditors(NotPermitted):
    code = "region_token_not_auditor"
    default_message = _(
        "A token limited to a region is issued only to users in the auditor role (group “auditors”); "
        "a commission member's token carries their commission's territory."
    )


class TokenSeatNotHeld(NotPermitted):
    code = "token_seat_not_held"
    default_message = _("The user holds no active seat on this commission.")


class TokenSeatAmbiguous(DomainError):
    code = "token_seat_ambiguous"
    default_message = _("The user holds seats on several commissions: name the one the token is for.")


class InvalidTokenExpiry(DomainError):
    code = "invalid_token_expiry"
    default_message = _("A token lives between 1 and 3660 days.")


class TokenAlreadyRevoked(InvalidTransition):
    code = "token_already_revoked"
    default_message = _("This token is already revoked.")


# Set on the user object by find_token: whether it is in the auditors group (read in the same
# query as the token, so the permission check costs no query of its own).
_IN_AUDITOR_GROUP = "_api_in_auditor_group"


def is_auditor(user):
    """Whether the user may read the API with a token: active, and staff or in the auditors group."""
    if not user or not user.is_active:
        return False
    if user.is_staff:
        return True
    known = getattr(user, _IN_AUDITOR_GROUP, None)
    if known is not None:
        return known
    return user.groups.filter(name=AUDITOR_GROUP).exists()


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token():
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def in_auditor_role(user):
    """Whether the user is in the auditor role (group “auditors”), whatever their staff flags."""
    return user.groups.filter(name=AUDITOR_GROUP).exists()


def _token_scope(user, scope_unit, commission, day):
    """(scope, scope_unit, scope_commission) of a new token of `user`, or a DomainError.

    A commission named: the user must hold an active seat on it. Otherwise a user in the auditor
    role gets a national (or, with `scope_unit`, regional) token; anyone else gets their one seat's
    commission, never a national token (issue 17: a seat that ends must not widen the token)."""
    seats = {m.commission_id: m.commission for m in Membership.objects.active_on(day).filter(user=user)}
    if commission is not None:
        if scope_unit is not None:
            raise InvalidTokenScope(message=_("A token carries either a region or a commission's territory."))
        if commission.pk not in seats:
            raise TokenSeatNotHeld(details={"user": user.get_username(), "commission": commission.pk})
        return ApiToken.Scope.COMMISSION, None, commission
    if in_auditor_role(user):
        return (ApiToken.Scope.REGION if scope_unit else ApiToken.Scope.NATIONAL), scope_unit, None
    if scope_unit is not None:
        raise RegionTokenOnlyForAuditors(details={"user": user.get_username()})
    if not seats:
        raise NationalTokenOnlyForAuditors(details={"user": user.get_username()})
    if len(seats) > 1:
        raise TokenSeatAmbiguous(details={"commissions": sorted(seats)})
    return ApiToken.Scope.COMMISSION, None, next(iter(seats.values()))


def describe_scope(token):
    """The territory of a token in words: “national”, “region 350000000”, “commission 7 (…)”."""
    if token.scope == ApiToken.Scope.NATIONAL:
        return str(_("national"))
    if token.scope == ApiToken.Scope.REGION:
        return str(_("region %(kato)s") % {"kato": token.scope_unit.kato})
    if token.scope_commission is None:
        return str(_("no commission seat (this token never works)"))
    return str(
        _("commission %(id)s (%(name)s) while the seat lasts")
        % {"id": token.scope_commission.pk, "name": token.scope_commission.name}
    )


def issue_token(user, issued_by, expires_in_days, scope_unit=None, name="", commission=None):
    """Create a token for an auditor; returns (ApiToken, raw token). The raw token is never stored.

    The token's territory is fixed here (see `_token_scope`) and stays the issued one."""
    if not is_auditor(user):
        raise NotAnAuditor(details={"user": user.get_username()})
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidTokenExpiry(details={"days": expires_in_days})
    if scope_unit is not None and scope_unit.level != 1:
        raise InvalidTokenScope(details={"unit": scope_unit.kato})
    raw = new_raw_token()
    moment = clock.now()
    scope, scope_unit, scope_commission = _token_scope(user, scope_unit, commission, moment.date())
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_prefix=raw[:PREFIX_LENGTH],
            key_hash=hash_token(raw),
            scope=scope,
            scope_unit=scope_unit,
            scope_commission=scope_commission,
            created_by=issued_by,
            created_at=moment,
            expires_at=moment + datetime.timedelta(days=expires_in_days),
        )
        audit.record(
            actor=issued_by,
            action="api_token.issue",
            obj=token,
            to_state="active",
            data={
                "user": user.get_username(),
                "prefix": token.key_prefix,
                "expires_at": token.expires_at.isoformat(),
                "scope": scope,
                "region": scope_unit.kato if scope_unit else None,
                "commission": scope_commission.pk if scope_commission else None,
            },
        )
    return token, raw


def revoke_token(token, revoked_by, reason=""):
    """Revoke a token from now on; recorded in the audit trail."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenAlreadyRevoked(details={"prefix": token.key_prefix})
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=revoked_by,
            action="api_token.revoke",
            obj=token,
            from_state="active",
            to_state="revoked",
            reason=reason,
            data={"user": token.user.get_username(), "prefix": token.key_prefix},
        )
    return token


_COMMISSION_COLUMNS = ("scope_commission__kind", "scope_commission__unit_id", "scope_commission__polling_station_id")


def _token_query(prefix, group, day):
    """The token of a prefix, its user's columns, its commission's kind, unit and polling station,
    and two flags: the user is in `group`; the user holds an active seat on `day` on the token's
    commission (false for tokens without one)."""
    user_model = get_user_model()
    in_group = user_model.groups.through.objects.filter(user_id=OuterRef("user_id"), group__name=group)
    seat = Membership.objects.active_on(day).filter(
        user_id=OuterRef("user_id"), commission_id=OuterRef("scope_commission_id")
    )
    return (
        ApiToken.objects.filter(key_prefix=prefix)
        .annotate(user_in_auditor_group=Exists(in_group), seat_held=Exists(seat))
        .values_list(*_TOKEN_COLUMNS, *_user_columns(), *_COMMISSION_COLUMNS, "user_in_auditor_group", "seat_held")
    )


_TOKEN_COLUMNS = tuple(f.attname for f in ApiToken._meta.concrete_fields)


def _user_columns():
    return tuple(f"user__{f.attname}" for f in get_user_model()._meta.concrete_fields)


# Compiled once per database (api.prepared): building this query with the ORM cost more CPU
# than anything else in a small API request.
_TOKEN_QUERY = PreparedValues(_token_query, prefix="<prefix>", group="<group>", day=datetime.date(1, 1, 2))


def find_token(raw):
    """The token row matching a presented raw token, or None (compared in constant time).

    One query: the token, its user, whether the user is in the auditors group (kept on the user
    for `is_auditor`), the token's commission (`token.commission_scope`: kind, unit id, polling
    station id) and whether the user still holds that seat (`token.seat_held`; see api.scoping)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < PREFIX_LENGTH or len(raw) > 200:
        return None
    digest = hash_token(raw)
    using = router.db_for_read(ApiToken)
    found = _TOKEN_QUERY.rows(using, prefix=raw[:PREFIX_LENGTH], group=AUDITOR_GROUP, day=clock.now().date())
    user_model = get_user_model()
    n = len(_TOKEN_COLUMNS)
    m = n + len(user_model._meta.concrete_fields)
    for row in found:
        token = ApiToken.from_db(using, _TOKEN_COLUMNS, row[:n])
        if hmac.compare_digest(token.key_hash, digest):
            user = user_model.from_db(using, [f.attname for f in user_model._meta.concrete_fields], row[n:m])
            setattr(user, _IN_AUDITOR_GROUP, row[-2])
            token.user = user
            token.commission_scope = tuple(row[m : m + len(_COMMISSION_COLUMNS)])
            token.seat_held = row[-1]
            return token
    return None


def usability_error(token):
    """Why a found, unexpired, unrevoked token may not be used now, as (code, message), or None:
    a commission token works only while its user holds the seat it was issued for."""
    if token.scope == ApiToken.Scope.COMMISSION and not getattr(token, "seat_held", False):
        return "token_membership_ended", _(
            "The commission seat this token was issued for has ended (or was never held); the token no longer works."
        )
    return None


def may_read_with(token):
    """Whether the token's user may read with it now: a national or regional token needs the auditor
    role (group “auditors”: staff rights are not enough); a commission token, staff or the role."""
    if token.scope == ApiToken.Scope.COMMISSION:
        return is_auditor(token.user)
    user = token.user
    if not user.is_active:
        return False
    known = getattr(user, _IN_AUDITOR_GROUP, None)
    return known if known is not None else in_auditor_role(user)


def touch(token, moment):
    """Record use, at most once per TOUCH_INTERVAL (a conditional UPDATE, no read)."""
    if token.last_used_at is None or moment - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
        token.last_used_at = moment
