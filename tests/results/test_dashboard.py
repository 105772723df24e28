"""The results dashboard: staff only, scoped, charts as inline SVG without scripts, bounded queries."""

import pytest
from django.urls import reverse

from results.aggregation import recompute
from results.services import certify_protocol, save_entry

from .helpers import verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world):
    """Station 1 of the Karaganda contest certified, then aggregated."""
    certify_protocol(verified(world), world.tec)
    recompute(world.election)
    return world


def url(w):
    return reverse("results_reports:election", args=[w.election.pk])


def test_anonymous_users_are_sent_to_the_login(client, counted):
    response = client.get(url(counted))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_clerks_are_not_staff_and_cannot_open_it(client, counted):
    client.force_login(counted.clerk1)
    response = client.get(url(counted))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_of_a_district_see_only_their_district(client, counted):
    # Issue 23: the election's page is the country's; a district's staff are sent to their district.
    client.force_login(counted.tec)
    response = client.get(url(counted))
    district_page = reverse("results_reports:unit", args=[counted.election.pk, counted.district.pk])
    assert (response.status_code, response["Location"]) == (302, district_page)
    response = client.get(district_page)
    html = response.content.decode()
    assert "Абайский район" in html
    assert "Акмолинская область" not in html
    assert [r["pk"] for r in response.context["children"]] == [counted.contest.pk]


def test_national_staff_see_every_region_and_the_total(client, counted):
    client.force_login(counted.cec)
    response = client.get(url(counted))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Акмолинская область" in html and "Карагандинская область" in html
    total = response.context["turnout"]
    assert (total.ballots_issued, total.registered_voters) == (750, 1000)
    assert [(r["kato"], r["total"]) for r in response.context["children"]] == [("110000000", 1), ("350000000", 2)]


def test_charts_are_inline_svg_and_the_live_figures_are_the_pages_only_script(client, counted):
    client.force_login(counted.cec)
    html = client.get(url(counted)).content.decode()
    assert html.count('<svg class="chart"') == 4
    content = html[html.index('id="content-main"') : html.index("<!-- END Content -->")]
    assert content.count("<script") == 1
    assert '<script src="/static/results/live.js" defer></script>' in content
    assert "http://" not in content.replace("http://www.w3.org/2000/svg", "")
    assert "results/charts.css" in html


def test_labels_in_charts_are_escaped(world):
    from results import charts

    svg = charts.value_bars("t", [("<script>x</script>", 5)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_incomplete_contests_are_flagged(client, counted):
    client.force_login(counted.cec)
    response = client.get(url(counted))
    flags = {flag for _, flag, _ in response.context["flag_counts"]}
    assert "incomplete" in flags  # station 2 and the Akmola protocol are not certified


def test_the_preliminary_basis_can_be_chosen(client, counted):
    client.force_login(counted.cec)
    response = client.get(url(counted) + "?basis=preliminary")
    assert response.context["basis"] == "preliminary"
    response = client.get(url(counted) + "?basis=bogus")
    assert response.context["basis"] == "official"


def test_winners_are_listed_once_a_contest_is_complete(client, world):
    from .factories import member, user

    certify_protocol(verified(world), world.tec)
    a = member(user("p2-a"), world.precinct2, "clerk")
    b = member(user("p2-b"), world.precinct2, "clerk")
    save_entry(world.protocol2, a, world.values(voters="800"), finish=True)
    save_entry(world.protocol2, b, world.values(voters="800"), finish=True)
    certify_protocol(world.protocol2, world.tec)
    recompute(world.election)
    client.force_login(world.tec)
    response = client.get(reverse("results_reports:unit", args=[world.election.pk, world.district.pk]))
    [row] = response.context["children"]
    assert (row["pk"], row["outcome"], row["winner"]) == (world.contest.pk, "elected", "Ахметов Test")
    assert "Ахметов" in response.content.decode()


def test_index_lists_elections(client, counted):
    client.force_login(counted.cec)
    response = client.get(reverse("results_reports:index"))
    assert response.status_code == 200
    assert url(counted) in response.content.decode()


def test_the_index_sends_a_districts_staff_to_their_district(client, counted):
    client.force_login(counted.tec)
    response = client.get(reverse("results_reports:index"))
    district_page = reverse("results_reports:unit", args=[counted.election.pk, counted.district.pk])
    assert (response.status_code, response["Location"]) == (302, district_page)


def test_query_count_is_bounded(client, counted, django_assert_max_num_queries):
    client.force_login(counted.cec)
    client.get(url(counted))
    with django_assert_max_num_queries(25):
        client.get(url(counted))


def test_the_admin_index_links_to_the_dashboard(client, counted):
    client.force_login(counted.tec)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("results_reports:index") in response.content.decode()
