"""`Authorization: Token <token>` (or `Bearer <token>`) authentication for auditors; 401 with a
reason when it fails, and a challenge naming both schemes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core import clock

from . import tokens


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticates `Authorization: Token <token>` or `Authorization: Bearer <token>` (what OAuth-style
    clients and the docs' Authorize dialog send); `request.auth` is the `core.ApiToken` row. Any other
    scheme is left to the next authentication class (and so, alone, answered 401)."""

    keywords = ("Token", "Bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in {k.lower().encode() for k in self.keywords}:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: expected “Token <token>” or “Bearer <token>”."),
                code="token_malformed",
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token has characters a token never has."), code="token_malformed"
            ) from None
        token = tokens.find_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown token."), code="token_invalid")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."), code="token_revoked")
        moment = clock.now()
        if token.expires_at <= moment:
            raise exceptions.AuthenticationFailed(_("This token has expired."), code="token_expired")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."), code="user_inactive")
        unusable = tokens.usability_error(token)
        if unusable is not None:
            code, message = unusable
            raise exceptions.AuthenticationFailed(message, code=code)
        tokens.touch(token, moment)
        return token.user, token

    def authenticate_header(self, request):
        # Having a challenge makes DRF answer 401 (not 403) to unauthenticated requests.
        return ", ".join(f'{keyword} realm="api"' for keyword in self.keywords)
