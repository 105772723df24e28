"""What the web entry points (wsgi, asgi) check before they serve a request."""

from django.conf import settings


def require_secret_key():
    """Refuse to start a web server without a secret key (sessions, CSRF and signed links need it).

    Settings leave the key empty when DEBUG is off and none is given, so that management commands
    that sign nothing (makemigrations --check, migrate, check) run in a fresh checkout. Serving is
    where a missing key must stop the process at once, not at its first login: reading the key
    makes Django raise ImproperlyConfigured ("The SECRET_KEY setting must not be empty.")."""
    return settings.SECRET_KEY
