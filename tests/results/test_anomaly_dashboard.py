"""The dashboard's anomaly flags page: staff only, scoped to the user's territory, each flag with
its explanation and links, the fingerprint chart as inline SVG in the page's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from results.aggregation import recompute
from results.models import ProtocolState

from . import aggregation_data as data

pytestmark = pytest.mark.django_db


def _counted(protocol, figures, votes):
    """Give the world's empty protocol certified figures (test data, as aggregation_data does)."""
    from core import clock
    from results.models import Protocol, ProtocolVote

    Protocol.objects.filter(pk=protocol.pk).update(
        state=ProtocolState.CERTIFIED, certified_at=clock.now(), certified_by=data._certifier(), **figures
    )
    ProtocolVote.objects.bulk_create(ProtocolVote(protocol=protocol, candidacy=c, votes=n) for c, n in votes.items())
    return protocol


@pytest.fixture
def flagged(world):
    """A protocol at 100% turnout in each region (certified), then aggregated."""
    karaganda = _counted(
        world.protocol, data.figures(1000, 1000, 0, 10, [700, 200, 90]), {world.c1: 700, world.c2: 200, world.c3: 90}
    )
    akmola = _counted(world.other_protocol, data.figures(500, 500, 0, 10, [490]), {world.foreign: 490})
    recompute(world.election)
    return world, karaganda, akmola


def url(w, query=""):
    return reverse("results_reports:anomalies", args=[w.election.pk]) + query


def test_clerks_are_sent_to_the_login(client, flagged):
    w, _k, _a = flagged
    client.force_login(w.clerk1)
    response = client.get(url(w))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_district_staff_see_only_their_flags_with_links(client, flagged):
    w, karaganda, _akmola = flagged
    client.force_login(w.tec)
    response = client.get(url(w))
    assert response.status_code == 200
    assert {(f.contest_id, f.polling_station_id) for f in response.context["flags"]} == {
        (w.contest.pk, w.station.pk),
        (w.contest.pk, None),
    }
    assert response.context["code_counts"] == [("turnout.near_full", "turnout at or near 100%", 2)]
    html = response.content.decode()
    assert reverse("admin:results_protocol_change", args=[karaganda.pk]) in html
    assert reverse("results_reports:rounds", args=[w.contest.pk]) in html
    assert "Turnout is 100.00% (ballots issued: 1,000; voters on the list: 1,000); flagged from 99%." in html
    assert "never a verdict" in html
    assert '<svg class="chart"' in html and "<script" not in str(response.context["fingerprint_chart"])
    assert "turnout 100–105%, leader&#x27;s share 70–75%: 1 station" not in html  # 100% is in the last bin
    assert "turnout 95–100%, leader&#x27;s share 70–75%: 1 station" in html


def test_national_staff_see_both_regions_and_filter_by_code(client, flagged):
    w, _k, _a = flagged
    client.force_login(w.cec)
    assert len(client.get(url(w)).context["flags"]) == 4
    assert client.get(url(w, "?code=turnout.outlier")).context["flags"] == []
    assert len(client.get(url(w, "?code=unknown")).context["flags"]) == 4


def test_the_dashboard_links_to_it(client, flagged):
    w, _k, _a = flagged
    client.force_login(w.cec)
    html = client.get(reverse("results_reports:election", args=[w.election.pk])).content.decode()
    assert url(w) in html


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Явка 100,00% (выдано бюллетеней: 1 000; избирателей в списке: 1 000); отмечается от 99%."),
        (
            "kk",
            "Сайлауға қатысу 100,00% (берілген бюллетеньдер: 1 000; тізімдегі сайлаушылар: 1 000); белгілеу шегі: 99%.",
        ),
    ],
)
def test_the_page_in_russian_and_kazakh(client, flagged, language, text):
    w, _k, _a = flagged
    client.force_login(w.cec)
    with translation.override(language):
        html = client.get(url(w), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text.replace("\xa0", " ") in html.replace("\xa0", " ")


def test_heatmap_draws_non_empty_cells_with_escaped_labels():
    from results import charts

    counts = [[0, 0], [3, 1]]
    svg = str(
        charts.heatmap(
            "A <title>",
            counts,
            x_label="x & y",
            y_label="share",
            cell_title=lambda x0, x1, y0, y1, n: f"{x0}-{x1} {y0}-{y1}: {n} <b>",
        )
    )
    assert svg.count('fill-opacity="') == 2  # only the two non-empty cells
    assert 'fill-opacity="1.00"' in svg  # the fullest cell
    assert "<title>50-100 0-50: 3 &lt;b&gt;</title>" in svg
    assert "A &lt;title&gt;" in svg and "x &amp; y" in svg and "<b>" not in svg
    empty = str(charts.heatmap("t", [[0] * 20 for _ in range(20)], x_label="x", y_label="y", cell_title=None))
    assert "fill-opacity" not in empty
