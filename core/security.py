"""Security plumbing: login throttling, the idle timeout of clerks' sessions and the audit of logins.

Clerks and precinct chairs (users who are not staff) sit at shared computers in polling
stations: their session ends after `CLERK_SESSION_IDLE_MINUTES` without a request, on top of
the absolute `SESSION_COOKIE_AGE`. Staff keep the absolute limit only.

Login throttling is django-axes (settings `AXES_*`) with the handler below (`LoginThrottle`):
a user name is locked out for `AXES_COOLOFF_MINUTES` after `AXES_FAILURE_LIMIT` failures from
one address, or after `AXES_USERNAME_FAILURE_LIMIT` failures from any addresses together (so
guessing from many addresses does not escape it). The address is the one our proxy appended
(`client_ip`: exactly one trusted hop). Counts live in the database (axes' AccessAttempt rows,
one per user name and address, shared by every process) and expire with the cool-off.

Every login through a login page is an audit event (`auth.login`). Failed logins are counted by
axes, not chained one event per attempt (a flood of guesses under made-up user names would bloat
the trail that can never be cleaned); the audit trail gets one `auth.locked_out` event when an
existing user is locked out, in that user's chain: never the password, never another credential.
"""

import datetime
import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Sum
from django.dispatch import receiver
from django.utils.translation import gettext as _

from . import audit, clock

SESSION_LAST_SEEN = "electadmin_last_seen"
# The stored time is refreshed at most this often, so a busy clerk does not write the session per request.
_REFRESH_EVERY = datetime.timedelta(seconds=60)
# Longest user name recorded for a failed login (a pasted paragraph is cut, not stored whole).
_MAX_RECORDED_USERNAME = 150


def idle_limit():
    return datetime.timedelta(minutes=settings.CLERK_SESSION_IDLE_MINUTES)


class ClerkIdleTimeoutMiddleware:
    """Log a non-staff user out when their last request is older than CLERK_SESSION_IDLE_MINUTES.

    The request then goes on as anonymous, so the page's own login requirement sends the clerk to
    the login page. Staff are left to SESSION_COOKIE_AGE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_staff:
            now = clock.now()
            raw = request.session.get(SESSION_LAST_SEEN)
            last_seen = _parse(raw)
            if last_seen is not None and now - last_seen > idle_limit():
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity. Please log in again.")
                    % {"minutes": settings.CLERK_SESSION_IDLE_MINUTES},
                )
            elif last_seen is None or now - last_seen >= _REFRESH_EVERY:
                request.session[SESSION_LAST_SEEN] = now.isoformat()
        return self.get_response(request)


def _parse(raw):
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _clean_username(raw):
    """A user name fit to store: a string, without NUL (PostgreSQL refuses it), at most 150 characters."""
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else ""
    return str(raw or "").replace("\x00", "")[:_MAX_RECORDED_USERNAME]


def axes_username(request, credentials=None):
    """The user name django-axes counts failures under (AXES_USERNAME_CALLABLE).

    axes' own lookup stores whatever was posted, and its column holds 255 characters: a 1 MB
    user name would end the login with a database error instead of a refusal.
    """
    if credentials and "username" in credentials:
        return _clean_username(credentials.get("username"))
    data = getattr(request, "POST", None) or {}
    return _clean_username(data.get("username", ""))


def _trusted_networks():
    """TRUSTED_PROXY_IPS as networks: addresses or CIDR blocks; "*" is not honoured here (trusting
    every peer's X-Forwarded-For would let anyone choose the address their failures count under)."""
    networks = []
    for entry in settings.TRUSTED_PROXY_IPS:
        entry = entry.strip()
        if not entry or entry == "*":
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return networks


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request):
    """The address django-axes counts failures under (AXES_CLIENT_IP_CALLABLE).

    Exactly one proxy hop is trusted. When the request comes straight from a trusted proxy
    (TRUSTED_PROXY_IPS, the FORWARDED_ALLOW_IPS gunicorn uses: our nginx), the address is the
    last one in X-Forwarded-For, the one that proxy appended; every earlier entry is the client's
    own word and ignored. From any other peer X-Forwarded-For is ignored and the address is the
    peer's own (REMOTE_ADDR), so a header sent straight to the server changes nothing.
    """
    remote = (request.META.get("REMOTE_ADDR", "") or "").strip()
    peer = _address(remote)
    if peer is not None and any(peer in network for network in _trusted_networks()):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        appended = _address(forwarded[-1]) if forwarded else None
        if appended is not None:
            return str(appended)
    return remote[:64]


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler, plus a lock per user name across addresses.

    axes compares one count with one limit; a user name's failures from every address together
    are held to their own, higher limit (AXES_USERNAME_FAILURE_LIMIT): once reached, the count
    reported for any (user name, address) pair is the pair limit, so every address is refused.
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        username = get_client_username(request, credentials)
        if not username:
            return failures
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        across = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return limit if across >= settings.AXES_USERNAME_FAILURE_LIMIT else failures


def _path(request):
    return getattr(request, "path", "")[:200] if request is not None else ""


@receiver(user_logged_in, dispatch_uid="electadmin_audit_login")
def record_login(sender, request, user, **kwargs):
    if request is not None and not user.is_staff:
        # The idle clock of a clerk starts at login.
        request.session[SESSION_LAST_SEEN] = clock.now().isoformat()
    if request is None or not getattr(request, "path", ""):
        # Not a login page: a session made in code (the test client's force_login, a shell).
        return
    with transaction.atomic():
        audit.record(
            actor=user,
            action="auth.login",
            object_type="auth.user",
            object_id=user.pk,
            data={"staff": user.is_staff, "path": _path(request)},
        )


@receiver(user_locked_out, dispatch_uid="electadmin_audit_lockout")
def record_lockout(sender, request=None, username=None, **kwargs):
    """One event when an existing user is locked out (not for each refused attempt during the
    lockout, and never for a user name that does not exist)."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt refused during a lockout already recorded
    if request.axes_failures_since_start != get_failure_limit(request, getattr(request, "axes_credentials", None)):
        return
    user = get_user_model().objects.filter(username=_clean_username(username)).first()
    if user is None:
        return
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.locked_out",
            obj=user,
            data={"failures": request.axes_failures_since_start, "path": _path(request)},
        )
