"""URLs of the results dashboard and exports, mounted under /admin/results/dashboard/ (admin login and
the admin site's staff check apply to every view)."""

from django.contrib import admin
from django.urls import path

from . import dashboard, dashboard_anomalies, exports

app_name = "results_reports"

urlpatterns = [
    path("", admin.site.admin_view(dashboard.index_view), name="index"),
    path("<int:election_id>/", admin.site.admin_view(dashboard.election_view), name="election"),
    path(
        "<int:election_id>/<str:table>.csv",
        admin.site.admin_view(exports.csv_view),
        name="csv",
    ),
    path(
        "<int:election_id>/anomalies/",
        admin.site.admin_view(dashboard_anomalies.anomalies_view),
        name="anomalies",
    ),
    path("<int:election_id>/results.xlsx", admin.site.admin_view(exports.xlsx_view), name="xlsx"),
    path("contest/<int:contest_id>/protocol/", admin.site.admin_view(exports.protocol_view), name="protocol"),
    path("contest/<int:contest_id>/rounds/", admin.site.admin_view(dashboard.rounds_view), name="rounds"),
]
