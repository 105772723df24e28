"""`/`: every signed-in user to their home (results.navigation.home_url), anyone else to the login page."""

from django.shortcuts import redirect

from results.navigation import home_url


def home(request):
    return redirect(home_url(request))
