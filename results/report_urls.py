"""URLs of the results dashboard and exports, mounted under /admin/results/dashboard/ (admin login and
the admin site's staff check apply to every view)."""

from django.contrib import admin
from django.urls import path

from . import dashboard, dashboard_anomalies, exports, level_views, live

app_name = "results_reports"

urlpatterns = [
    path("", admin.site.admin_view(dashboard.index_view), name="index"),
    path("<int:election_id>/", admin.site.admin_view(level_views.election_view), name="election"),
    path("<int:election_id>/unit/<int:unit_id>/", admin.site.admin_view(level_views.unit_view), name="unit"),
    path(
        "<int:election_id>/contest/<int:contest_id>/", admin.site.admin_view(level_views.contest_view), name="contest"
    ),
    path(
        "<int:election_id>/protocol/<int:protocol_id>/", admin.site.admin_view(level_views.station_view), name="station"
    ),
    path("<int:election_id>/search/", admin.site.admin_view(level_views.search_view), name="search"),
    path(
        "<int:election_id>/<str:table>.csv",
        admin.site.admin_view(exports.csv_view),
        name="csv",
    ),
    path("<int:election_id>/live.json", admin.site.admin_view(live.live_view), name="live"),
    path(
        "<int:election_id>/anomalies/",
        admin.site.admin_view(dashboard_anomalies.anomalies_view),
        name="anomalies",
    ),
    path("<int:election_id>/results.xlsx", admin.site.admin_view(exports.xlsx_view), name="xlsx"),
    path("contest/<int:contest_id>/protocol/", admin.site.admin_view(exports.protocol_view), name="protocol"),
    path("contest/<int:contest_id>/rounds/", admin.site.admin_view(dashboard.rounds_view), name="rounds"),
]
