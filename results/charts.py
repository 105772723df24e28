"""Server-side SVG charts for the dashboard: plain markup, no script, nothing loaded from outside.

Colours and sizes are SVG presentation attributes (allowed by a strict Content-Security-Policy,
unlike inline styles); the page's CSS is static/results/charts.css. Every label is escaped.

Layouts hold for the longest language (Kazakh words run longer than Russian and English ones):
- the legend of a stacked chart is an HTML list under the chart (`.chart-legend`, which wraps), so
  the browser sizes each entry from its own text and moves to a new line when the row is full;
- the column of row labels is as wide as its longest label (estimated at `CHAR_WIDTH` a character,
  an upper bound for the 12px sans-serif the chart uses), so bars begin after the labels, never
  under them; the chart grows wider instead.
"""

import math
from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

PALETTE = ["#b0b7c3", "#f2c14e", "#e4572e", "#4c9be8", "#2e9e5b", "#7d5ba6", "#8c564b", "#17becf"]
ROW = 22
FONT_SIZE = 12
CHAR_WIDTH = 8  # px per character at FONT_SIZE: wider than the average advance of Cyrillic and Latin text
GAP = 8  # px between a label and its bar
MIN_LABEL_WIDTH = 120
BAR_WIDTH = 420
VALUE_WIDTH = 90


def text_width(text):
    """The width, in px, that `text` may take at FONT_SIZE (an upper bound, not a measurement)."""
    return math.ceil(CHAR_WIDTH * len(str(text)))


def label_column(labels):
    """The width of the row labels' column: the longest label and a gap, at least MIN_LABEL_WIDTH."""
    return max([MIN_LABEL_WIDTH, *(text_width(label) + GAP for label in labels)])


def _fmt(value):
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    return str(value)


def _svg(width, height, body, title):
    # Safe: every interpolated label went through escape().
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def legend(segments):
    """The legend of a stacked chart: an HTML list (it wraps), one coloured square and label per segment."""
    items = format_html_join(
        "",
        '<li><svg class="chart-swatch" xmlns="http://www.w3.org/2000/svg" width="12" height="12" aria-hidden="true">'
        '<rect width="12" height="12" fill="{}"/></svg> {}</li>',
        ((PALETTE[i % len(PALETTE)], label) for i, (_key, label) in enumerate(segments)),
    )
    return format_html('<ul class="chart-legend">{}</ul>', items)


def stacked_bars(title, rows, segments):
    """One 100% bar per row split into segments, with its legend. rows: [(label, {segment key: count})];
    segments: [(key, label)] in drawing order. The count of each segment is in its tooltip."""
    left = label_column(label for label, _values in rows)
    body = []
    for i, (label, values) in enumerate(rows):
        y = 4 + i * ROW
        total = sum(values.get(key, 0) or 0 for key, _ in segments)
        body.append(f'<text x="0" y="{y + 14}" font-size="{FONT_SIZE}">{escape(label)}</text>')
        x = left
        for j, (key, seg_label) in enumerate(segments):
            n = values.get(key, 0) or 0
            if not total or not n:
                continue
            w = BAR_WIDTH * n / total
            colour = PALETTE[j % len(PALETTE)]
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 6}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(seg_label)} {n}</title></rect>"
            )
            x += w
        body.append(f'<text x="{left + BAR_WIDTH + 6}" y="{y + 14}" font-size="{FONT_SIZE}">{total}</text>')
    svg = _svg(left + BAR_WIDTH + VALUE_WIDTH, 8 + len(rows) * ROW, "".join(body), title)
    return format_html('<figure class="chart-figure">{}{}</figure>', svg, legend(segments))


def value_bars(title, rows, *, maximum=None, suffix=""):
    """One bar per row. rows: [(label, value or None)]; bars scale to `maximum` (default: the largest)."""
    values = [v for _, v in rows if v is not None]
    top = maximum or (max(values) if values else 0) or 1
    left = label_column(label for label, _value in rows)
    body = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW
        body.append(f'<text x="0" y="{y + 14}" font-size="{FONT_SIZE}">{escape(label)}</text>')
        if value is not None:
            w = BAR_WIDTH * float(value) / float(top)
            body.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{ROW - 6}" fill="{PALETTE[3]}">'
                f"<title>{escape(label)}: {_fmt(value)}{escape(suffix)}</title></rect>"
            )
        shown = "-" if value is None else f"{_fmt(value)}{suffix}"
        body.append(f'<text x="{left + BAR_WIDTH + 6}" y="{y + 14}" font-size="{FONT_SIZE}">{escape(shown)}</text>')
    return _svg(left + BAR_WIDTH + VALUE_WIDTH, 8 + len(rows) * ROW, "".join(body), title)


CELL = 16  # px of a heatmap cell


def heatmap(title, counts, *, x_label, y_label, cell_title):
    """A square heatmap of counts[x bin][y bin] over 0..100% on both axes (bins of equal width): a
    cell's shade grows with the logarithm of its count (one station shows; thousands do not drown
    it). `cell_title(x_from, x_to, y_from, y_to, n)` is each non-empty cell's tooltip."""
    bins = len(counts)
    step = 100 / bins if bins else 100
    top = max((n for row in counts for n in row), default=0)
    left, bottom = 40, 40
    side = bins * CELL
    body = [f'<rect x="{left}" y="0" width="{side}" height="{side}" fill="none" stroke="{PALETTE[0]}"/>']
    for x, row in enumerate(counts):
        for y, n in enumerate(row):
            if not n:
                continue
            shade = 0.15 + 0.85 * math.log1p(n) / math.log1p(top)
            tip = cell_title(round(x * step), round((x + 1) * step), round(y * step), round((y + 1) * step), n)
            body.append(
                f'<rect x="{left + x * CELL}" y="{side - (y + 1) * CELL}" width="{CELL}" height="{CELL}" '
                f'fill="{PALETTE[3]}" fill-opacity="{shade:.2f}"><title>{escape(tip)}</title></rect>'
            )
    for tick in range(0, 101, 20):
        offset = tick * side / 100
        body.append(
            f'<text x="{left + offset:.0f}" y="{side + 14}" font-size="{FONT_SIZE}" text-anchor="middle">{tick}</text>'
        )
        body.append(
            f'<text x="{left - 4}" y="{side - offset + 4:.0f}" font-size="{FONT_SIZE}" text-anchor="end">{tick}</text>'
        )
    body.append(
        f'<text x="{left + side / 2:.0f}" y="{side + 32}" font-size="{FONT_SIZE}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
    )
    body.append(
        f'<text x="12" y="{side / 2:.0f}" font-size="{FONT_SIZE}" text-anchor="middle" '
        f'transform="rotate(-90 12 {side / 2:.0f})">{escape(y_label)}</text>'
    )
    return _svg(left + side + 8, side + bottom + 4, "".join(body), title)
