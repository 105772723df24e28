"""Sorting and paging of the dashboard's lists, and the viewer's one order of units.

Units are listed in one order on every page, chart and table (issue 23): by KATO code or by name in
the page's language, the viewer's choice (`?order=kato|name`, remembered in the session). A list is
sorted by that order, or by turnout, progress (share of protocols certified) or the winner's margin
(`?sort=turnout`, `-turnout` for the highest first), and paged (`?page=`), all kept in the query string.
"""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

PAGE_SIZE = 20
ORDERS = {"kato": _("KATO code"), "name": _("name")}
DEFAULT_ORDER = "kato"
SESSION_KEY = "dashboard_order"
SORTS = ("unit", "turnout", "progress", "margin")


def unit_order(request):
    """The viewer's order of units: the query string's, else the session's, else by KATO code; a
    choice in the query string is remembered for the next pages."""
    chosen = request.GET.get("order")
    if chosen in ORDERS:
        if request.session.get(SESSION_KEY) != chosen:
            request.session[SESSION_KEY] = chosen
        return chosen
    remembered = request.session.get(SESSION_KEY)
    return remembered if remembered in ORDERS else DEFAULT_ORDER


def unit_key(order):
    if order == "name":  # polling stations, all named "No. N", by their number
        return lambda row: (str(row.get("sort_name", row["name"])).casefold(), row["kato"])
    return lambda row: (row["kato"], str(row["name"]).casefold())


def in_unit_order(rows, order):
    return sorted(rows, key=unit_key(order))


def sort_param(request, allowed):
    """(field, descending) of `?sort=`, or ("unit", False) when absent or not offered here."""
    raw = request.GET.get("sort", "")
    descending = raw.startswith("-")
    name = raw.lstrip("-")
    return (name, descending) if name in allowed else ("unit", False)


def sorted_rows(rows, order, sort, descending):
    """The rows in the unit order, then by `sort` (rows without a figure last, whichever direction)."""
    rows = in_unit_order(rows, order)
    if sort == "unit":
        return list(reversed(rows)) if descending else rows
    with_value = [r for r in rows if r.get(sort) is not None]
    without = [r for r in rows if r.get(sort) is None]
    with_value.sort(key=lambda r: r[sort], reverse=descending)  # stable: ties keep the unit order
    return with_value + without


def page_of(request, rows, param="page"):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def sort_links(request, allowed, sort, descending):
    """{field: (query value for its header link, current arrow)}: a header sorts by its field, a
    second click turns the direction."""
    links = {}
    for name in allowed:
        if name == sort:
            links[name] = ("" if descending else "-") + name, ("▼" if descending else "▲")
        else:
            links[name] = ("-" + name if name in ("turnout", "progress", "margin") else name), ""
    return links
