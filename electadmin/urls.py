"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("electadmin.api")),  # /api/v1/, /api/schema/, /api/docs/
]
