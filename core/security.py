"""Security plumbing: the idle timeout of clerks' sessions and the audit records of logins.

Clerks and precinct chairs (users who are not staff) sit at shared computers in polling
stations: their session ends after `CLERK_SESSION_IDLE_MINUTES` without a request, on top of
the absolute `SESSION_COOKIE_AGE`. Staff keep the absolute limit only.

Every login through a login page and every failed login is an audit event (`auth.login`, `auth.login_failed`) with
the user name and the login page's path: never the password, never any other credential.
Login throttling itself is django-axes (settings `AXES_*`); its lockouts are audited too,
because axes makes Django send `user_login_failed` for them.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
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


def client_ip(request):
    """The address django-axes counts failures under (AXES_CLIENT_IP_CALLABLE).

    Behind nginx every request comes from nginx's address, so a lockout by address would lock a
    user name out for everyone. When the request comes from a trusted proxy (TRUSTED_PROXY_IPS,
    the FORWARDED_ALLOW_IPS gunicorn uses), the address is the last one in X-Forwarded-For: the
    one our nginx appended. Earlier entries are the client's own word and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_IPS
    if "*" in trusted or remote in trusted:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1][:64]
    return remote


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


@receiver(user_login_failed, dispatch_uid="electadmin_audit_login_failed")
def record_login_failed(sender, credentials, request=None, **kwargs):
    # Django already replaced sensitive credentials with stars; keep the user name only anyway.
    username = _clean_username(credentials.get("username", ""))
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.login_failed",
            object_type="auth.user",
            object_id="",
            data={"username": username, "path": _path(request)},
        )
