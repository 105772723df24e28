"""WSGI entry point (gunicorn electadmin.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from electadmin.serving import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "electadmin.settings")
require_secret_key()
application = get_wsgi_application()
