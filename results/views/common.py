"""Shared pieces of the results pages: login requirement, scoped protocol lookup, error mapping."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy

from results.models import Protocol
from territory.scope import filter_by_station

LOGIN_URL = reverse_lazy("results:login")


def entry_login_required(view):
    return login_required(view, login_url=LOGIN_URL)


def scoped_protocols(user):
    return filter_by_station(user, Protocol.objects.all(), "polling_station")


def protocol_or_404(user, pk):
    """The protocol if it is in the user's territory; 404 otherwise (never reveal it exists)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(
        scoped_protocols(user).select_related("polling_station", "contest__unit", "election", "district", "region"),
        pk=pk,
    )


def posted_version(request):
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1
