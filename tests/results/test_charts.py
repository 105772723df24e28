"""The dashboard's charts hold for the longest language (issue 19: the legend overlapped in Kazakh):
the legend is an HTML list that wraps, and the row labels' column is as wide as its longest label."""

import re

from django.conf import settings
from django.utils import translation

from results import charts
from results.dashboard import PROGRESS_LABELS

REGIONS_KK = ["Солтүстік Қазақстан облысы", "Шығыс Қазақстан облысы", "Алматы"]
ROWS = [(name, {"empty": 3, "in_entry": 2, "in_discrepancy": 1, "verified": 4, "certified": 5}) for name in REGIONS_KK]


def kazakh_chart():
    with translation.override("kk"):
        segments = [(key, str(label)) for key, label in PROGRESS_LABELS.items()]
        return charts.stacked_bars("Хаттамалар күйі бойынша", ROWS, segments), segments


def test_the_legend_is_a_wrapping_list_with_each_label_once_in_its_colour():
    markup, segments = kazakh_chart()
    svg = markup[markup.index('<svg class="chart"') : markup.index("</svg>", markup.index('<svg class="chart"'))]
    legend = markup[markup.index('<ul class="chart-legend">') :]
    labels = [label for _key, label in segments]
    assert labels == ["бос", "енгізілуде", "сәйкессіздік", "салыстырылған", "бекітілген"]
    # Nothing of the legend is drawn at fixed positions inside the chart ...
    assert not any(f">{label}</text>" in svg for label in labels)
    # ... it is a list, in drawing order, each entry with the colour of its segment.
    entries = re.findall(
        r'<li><svg class="chart-swatch"[^>]*><rect [^>]*fill="(#[0-9a-f]{6})"/></svg> ([^<]+)</li>', legend
    )
    assert entries == list(zip(charts.PALETTE[:5], labels, strict=True))


def test_the_legend_wraps_in_the_stylesheet():
    css = (settings.BASE_DIR / "static" / "results" / "charts.css").read_text(encoding="utf-8")
    rule = re.search(r"\.chart-legend \{([^}]*)\}", css).group(1)
    assert "display: flex" in rule and "flex-wrap: wrap" in rule


def test_bars_begin_after_the_longest_kazakh_label():
    markup, _segments = kazakh_chart()
    # "Солтүстік Қазақстан облысы": 26 characters at 8 px, and an 8 px gap.
    assert charts.text_width(REGIONS_KK[0]) == 208
    left = charts.label_column(name for name, _values in ROWS)
    assert left == 216
    xs = [float(x) for x in re.findall(r'<rect x="([0-9.]+)" y="\d+" width="[0-9.]+" height="16"', markup)]
    assert xs and min(xs) == left
    for name in REGIONS_KK:  # every label ends before the bars begin
        assert charts.text_width(name) + charts.GAP <= left
    width = left + charts.BAR_WIDTH + charts.VALUE_WIDTH
    assert f'width="{width}" height="{8 + 3 * charts.ROW}" viewBox="0 0 {width} {8 + 3 * charts.ROW}"' in markup
    # the totals sit after the bars, not over them
    assert f'<text x="{left + charts.BAR_WIDTH + 6}" y="18" font-size="12">15</text>' in markup


def test_short_labels_keep_the_minimum_column_and_value_bars_follow_the_same_rule():
    assert charts.label_column(["A", "B"]) == charts.MIN_LABEL_WIDTH
    svg = charts.value_bars("t", [("Шығыс Қазақстан облысы", 60), ("Алматы", None)], maximum=100, suffix="%")
    left = charts.text_width("Шығыс Қазақстан облысы") + charts.GAP  # 22 characters: 176 + 8
    assert left == 184
    assert f'<rect x="{left}" y="4" width="252.0" height="16"' in svg
    assert f'<text x="{left + charts.BAR_WIDTH + 6}" y="40" font-size="12">-</text>' in svg
