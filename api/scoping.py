"""The territory an API request may see: the one its token was issued with, or a staff session's.

Scope logic itself lives in `territory.scope` (the `Scope` value and its `unit_q`/`station_q`);
this module only decides which scope an API request has and applies it.
"""

from api.models import ApiToken
from territory.scope import NATIONAL, NO_SCOPE, Scope, commission_scope, scope_for

_REQUEST_ATTR = "_api_scope"


def token_scope(token):
    """The territory a token was issued with (never the user's seats of today: issue 17)."""
    if token.scope == ApiToken.Scope.NATIONAL:
        return NATIONAL
    if token.scope == ApiToken.Scope.REGION:
        return Scope(False, frozenset({token.scope_unit_id}), frozenset(), frozenset())
    if token.scope_commission_id is None:
        return NO_SCOPE
    found = getattr(token, "commission_scope", None)  # read with the token (api.tokens.find_token)
    if found is None:
        commission = token.scope_commission
        found = (commission.kind, commission.unit_id, commission.polling_station_id)
    return commission_scope(*found)


def scope_for_request(request):
    """A token sees the territory it was issued with; a staff session sees the staff member's scope."""
    cached = getattr(request, _REQUEST_ATTR, None)
    if cached is not None:
        return cached
    token = request.auth if isinstance(request.auth, ApiToken) else None
    scope = token_scope(token) if token is not None else scope_for(request.user)
    setattr(request, _REQUEST_ATTR, scope)
    return scope


def restrict(request, queryset, *, unit=None, station=None):
    """Keep the rows whose unit (path `unit`, "" for units themselves) or polling station (path
    `station`) lies in the request's territory."""
    scope = scope_for_request(request)
    if scope.empty:
        return queryset.none()
    if scope.national:
        return queryset
    if station is not None:
        return queryset.filter(scope.station_q(station))
    queryset = queryset.filter(scope.unit_q(unit))
    # Precinct scopes reach units through a join that can repeat rows.
    return queryset.distinct() if scope.station_ids else queryset
