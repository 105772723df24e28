"""The header of every page: the sections the user may open and who they are (results.navigation)."""

from django import template

from results import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def results_header(context):
    """{"links": [(label, url)], "identity": "user — role, commission"} for the request's user."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"links": [], "identity": ""}
    return {"links": navigation.header_links(request), "identity": navigation.identity(request.user)}


@register.simple_tag(takes_context=True)
def results_sections(context):
    """The results pages the user may open, for the admin's home (the admin itself left out)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return navigation.section_links(request)
