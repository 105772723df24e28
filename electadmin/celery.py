"""The Celery application: configuration from Django settings, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "electadmin.settings")

app = Celery("electadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
