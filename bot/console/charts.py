"""Charts drawn on the server as inline SVG: no script, no external service, readable on a phone.

Every bar and point carries its number as text, and every chart sits next to a table with the same
figures, so nothing depends on reading a chart. Labels are escaped here (the result is Markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0b5aa2", "#1c7c3c", "#b26a00", "#7b3fa0", "#00838f", "#8a96a3", "#b3261e")
FONT = 'font-size="12" fill="#1d2733"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the number shown at the end of the bar


def _svg(width: int, height: int, title: str, body: list[str], grow: bool = True) -> str:
    """`grow`: as wide as the page allows; else never wider than drawn (bars keep their text size)."""
    cap = "" if grow else f' style="max-width: {width}px"'
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%"{cap} role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")  # fmt: skip


def _short(text: str, n: int = 26) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def hbars(rows: Sequence[Bar], title: str, width: int = 640, color: str = PALETTE[0]) -> Markup:
    """Horizontal bars, one a row: the label left, the number right of the bar."""
    label_w, number_w, row_h = 200, 120, 30
    top = max((r.value for r in rows), default=0) or 1
    body = []
    for i, r in enumerate(rows):
        y, w = 4 + i * row_h, max(0.0, (width - label_w - number_w) * r.value / top)
        mid = y + (row_h - 8) / 2
        body += [
            f'<text x="{label_w - 8}" y="{mid:.1f}" text-anchor="end" dominant-baseline="middle" {FONT}>'
            f"{escape(_short(r.label))}</text>",
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 8}" rx="3" fill="{color}">'
            f"<title>{escape(r.label)}: {escape(r.text)}</title></rect>",
            f'<text x="{label_w + w + 6:.1f}" y="{mid:.1f}" dominant-baseline="middle" {FONT}>{escape(r.text)}</text>',
        ]
    return Markup(_svg(width, 8 + len(rows) * row_h, title, body, grow=False))


def _axis(top: float, left: int, width: int, y0: int, height: int, unit: str) -> list[str]:
    out = []
    for frac in (0, 0.5, 1):
        y = y0 + height - frac * height
        value = top * frac
        text = f"{value:.1f}{unit}" if unit else f"{value:,.0f}"
        out += [f'<line x1="{left}" y1="{y:.1f}" x2="{width - 6}" y2="{y:.1f}" stroke="#d9dee4"/>',
                f'<text x="{left - 4}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" font-size="10" '
                f'fill="#5b6775">{text}</text>']  # fmt: skip
    return out


def _legend(names: Sequence[str]) -> str:
    items = "".join(f'<li><span class="swatch" style="background:{PALETTE[i % len(PALETTE)]}"></span>{escape(n)}</li>'
                    for i, n in enumerate(names))  # fmt: skip
    return f'<ul class="legend">{items}</ul>'


def columns(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], title: str, width: int = 720) -> Markup:
    """Stacked columns, one per label (a week), its total written above it; a legend below."""
    left, y0, height, bottom = 44, 22, 180, 36
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = _nice(max(totals, default=0))
    slot = (width - left - 10) / max(1, len(labels))
    body = _axis(top, left, width, y0, height, "")
    for i, label in enumerate(labels):
        x, base = left + i * slot + slot * 0.15, float(y0 + height)
        for k, (name, values) in enumerate(series):
            h = height * values[i] / top
            if values[i]:
                body.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                            f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(label)} · {escape(name)}: '
                            f"{values[i]:,}</title></rect>")  # fmt: skip
            base -= h
        cx = x + slot * 0.35
        body += [f'<text x="{cx:.1f}" y="{base - 4:.1f}" text-anchor="middle" {FONT}>{totals[i]:,}</text>',
                 f'<text x="{cx:.1f}" y="{y0 + height + 16}" text-anchor="middle" font-size="10" fill="#5b6775">'
                 f"{escape(label)}</text>"]  # fmt: skip
    svg = _svg(width, y0 + height + bottom, title, body)
    return Markup(f'<figure class="chart">{svg}{_legend([n for n, _ in series])}</figure>')


def lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str,
          unit: str = "%", width: int = 720) -> Markup:  # fmt: skip
    """A line per series over the labels (weeks), each point with its value; None: no data."""
    left, y0, height, bottom = 44, 18, 160, 36
    top = _nice(max((v for _, vs in series for v in vs if v is not None), default=0), unit)
    slot = (width - left - 10) / max(1, len(labels))
    body = _axis(top, left, width, y0, height, unit)
    for i, label in enumerate(labels):
        body.append(f'<text x="{left + slot * (i + 0.5):.1f}" y="{y0 + height + 16}" text-anchor="middle" '
                    f'font-size="10" fill="#5b6775">{escape(label)}</text>')  # fmt: skip
    for k, (name, values) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        points = [(left + slot * (i + 0.5), y0 + height - height * v / top, v) for i, v in enumerate(values)
                  if v is not None]  # fmt: skip
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y, v in points:
            dy = -7 if k % 2 == 0 else 15
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(name)}: {v:.1f}{unit}'
                     f"</title></circle>",
                     f'<text x="{x:.1f}" y="{y + dy:.1f}" text-anchor="middle" font-size="10" fill="{color}">'
                     f"{v:.1f}</text>"]  # fmt: skip
    svg = _svg(width, y0 + height + bottom, title, body)
    return Markup(f'<figure class="chart">{svg}{_legend([n for n, _ in series])}</figure>')


def _nice(value: float, unit: str = "") -> float:
    """A round top for an axis: 1, 2, 5 times a power of ten (percentages at least 5)."""
    floor = 5.0 if unit == "%" else 1.0
    if value <= floor:
        return floor
    step = 10 ** (len(str(int(value))) - 1)
    for m in (1, 2, 5, 10):
        if value <= m * step:
            return float(m * step)
    return float(10 * step)
