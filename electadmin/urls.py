"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before the admin's own URLs, which would otherwise take <admin>/results/... as the app index.
    path(f"{settings.ADMIN_URL}results/dashboard/", include("results.report_urls")),
    path(settings.ADMIN_URL, admin.site.urls),  # ADMIN_URL, "admin/" by default
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switcher posts here
    path("", include("api.urls")),  # /api/v1/, /api/schema/, /api/docs/
    path("", include("results.urls")),  # / and /login/ (every role), /entry/, /supervise/, /tec/ (results pages)
]
