"""The territory an API request may see: the token's region, else the user's commission scope.

Scope logic itself lives in `territory.scope` (the `Scope` value and its `unit_q`/`station_q`);
this module only decides which scope an API request has and applies it.
"""

from api.models import ApiToken
from territory.scope import NATIONAL, Scope, scope_for

_REQUEST_ATTR = "_api_scope"


def scope_for_request(request):
    """A token with a region sees that region; a token of a commission member sees that member's
    territory; any other auditor token is national; a staff session sees the staff member's scope."""
    cached = getattr(request, _REQUEST_ATTR, None)
    if cached is not None:
        return cached
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is not None and token.scope_unit_id:
        scope = Scope(False, frozenset({token.scope_unit_id}), frozenset(), frozenset())
    elif token is not None and getattr(token, "user_has_membership", None) is False:
        # Known from the token's own query (api.tokens.find_token): no active membership,
        # so scope_for would find an empty territory, which for a token means national.
        scope = NATIONAL
    else:
        scope = scope_for(request.user)
        if token is not None and scope.empty:
            scope = NATIONAL
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
