"""WSGI entry point (gunicorn electadmin.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "electadmin.settings")
application = get_wsgi_application()
