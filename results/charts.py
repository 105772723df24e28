"""Server-side SVG charts for the dashboard: plain markup, no script, nothing loaded from outside.

Colours and sizes are SVG presentation attributes (allowed by a strict Content-Security-Policy,
unlike inline styles); the page's CSS is static/results/charts.css. Every label is escaped.
"""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#b0b7c3", "#f2c14e", "#e4572e", "#4c9be8", "#2e9e5b", "#7d5ba6", "#8c564b", "#17becf"]
ROW = 22
LABEL_WIDTH = 220
BAR_WIDTH = 420
VALUE_WIDTH = 90


def _fmt(value):
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    return str(value)


def _svg(height, body, title):
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    # Safe: every interpolated label went through escape().
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def _legend(segments, y):
    parts, x = [], LABEL_WIDTH
    for i, (_key, label) in enumerate(segments):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" font-size="12">{escape(label)}</text>')
        x += 22 + 7 * len(str(label))
    return "".join(parts)


def stacked_bars(title, rows, segments):
    """One 100% bar per row split into segments. rows: [(label, {segment key: count})];
    segments: [(key, label)] in drawing order. The count of each segment is in its tooltip."""
    body = [_legend(segments, 2)]
    for i, (label, values) in enumerate(rows):
        y = 22 + i * ROW
        total = sum(values.get(key, 0) or 0 for key, _ in segments)
        body.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>')
        x = LABEL_WIDTH
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
        body.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 14}" font-size="12">{total}</text>')
    return _svg(30 + len(rows) * ROW, "".join(body), title)


def value_bars(title, rows, *, maximum=None, suffix=""):
    """One bar per row. rows: [(label, value or None)]; bars scale to `maximum` (default: the largest)."""
    values = [v for _, v in rows if v is not None]
    top = maximum or (max(values) if values else 0) or 1
    body = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW
        body.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>')
        if value is not None:
            w = BAR_WIDTH * float(value) / float(top)
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{ROW - 6}" fill="{PALETTE[3]}">'
                f"<title>{escape(label)}: {_fmt(value)}{escape(suffix)}</title></rect>"
            )
        shown = "-" if value is None else f"{_fmt(value)}{suffix}"
        body.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 14}" font-size="12">{escape(shown)}</text>')
    return _svg(8 + len(rows) * ROW, "".join(body), title)
