"""URLs of the results pages: / and /login/ (every role), /entry/ (clerks), /supervise/ (chairs), /tec/ (TEC),
/protocol/ (printing and attached files, for every seat of the territory)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import attachments, drafts, entry, home, printing, supervision, tec

app_name = "results"

# One login page for every role; after it, `/` sends each user to their home.
login_view = auth_views.LoginView.as_view(
    template_name="results/login.html", redirect_authenticated_user=True, next_page=reverse_lazy("results:home")
)

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", login_view, name="login"),
    path("entry/login/", login_view),  # the address printed before /login/ served every role
    path("entry/logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("results:login")), name="logout"),
    path("entry/", entry.my_stations, name="my_stations"),
    path("entry/protocol/<int:pk>/", entry.entry_form, name="entry"),
    path("entry/protocol/<int:pk>/abandon/", entry.abandon, name="abandon"),
    path("entry/protocol/<int:pk>/attach/", attachments.attach, name="attach"),
    path("protocol/attachment/<int:pk>/", attachments.attachment_file, name="attachment"),
    path("supervise/", supervision.discrepancy_list, name="discrepancies"),
    path("supervise/protocol/<int:pk>/", supervision.discrepancy_detail, name="discrepancy"),
    path("supervise/protocol/<int:pk>/resolve/", supervision.resolve, name="resolve"),
    path("protocol/<int:pk>/print/", printing.precinct_protocol, name="protocol_print"),
    path("tec/", tec.progress, name="progress"),
    path("tec/protocols/", tec.protocol_list, name="tec_protocols"),
    path("tec/queue/", tec.queue, name="tec_queue"),
    path("tec/queue/certify/", tec.certify_selected, name="certify_selected"),
    path("tec/protocol/<int:pk>/certify/", tec.certify, name="certify"),
    path("tec/protocol/<int:pk>/reopen/", tec.reopen, name="reopen"),
    path("supervise/protocol/<int:pk>/abandon-draft/", drafts.abandon_draft, name="abandon_draft"),
]
