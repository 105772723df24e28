"""URLs of the results pages: /entry/ (clerks), /supervise/ (chairs and TEC), /tec/ (TEC)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import drafts, entry, supervision, tec

app_name = "results"

urlpatterns = [
    path(
        "entry/login/",
        auth_views.LoginView.as_view(
            template_name="results/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("results:my_stations"),
        ),
        name="login",
    ),
    path("entry/logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("results:login")), name="logout"),
    path("entry/", entry.my_stations, name="my_stations"),
    path("entry/protocol/<int:pk>/", entry.entry_form, name="entry"),
    path("entry/protocol/<int:pk>/abandon/", entry.abandon, name="abandon"),
    path("supervise/", supervision.discrepancy_list, name="discrepancies"),
    path("supervise/protocol/<int:pk>/", supervision.discrepancy_detail, name="discrepancy"),
    path("supervise/protocol/<int:pk>/resolve/", supervision.resolve, name="resolve"),
    path("tec/", tec.progress, name="progress"),
    path("tec/protocols/", tec.protocol_list, name="tec_protocols"),
    path("tec/protocol/<int:pk>/certify/", tec.certify, name="certify"),
    path("tec/protocol/<int:pk>/reopen/", tec.reopen, name="reopen"),
    path("supervise/protocol/<int:pk>/abandon-draft/", drafts.abandon_draft, name="abandon_draft"),
]
