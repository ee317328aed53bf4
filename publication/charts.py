"""The charts of a release as standalone SVG (hand-written, so byte-reproducible), also inlined in
report.html: the index of each year with its 95 % interval (legend and axis), and the trend of
each sector over the years (sector names, intervals, labels that never overlap).
"""

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

PALETTE = ("#1f5f99", "#b3412f", "#2e7d32", "#6a3d9a", "#c26a00", "#00796b", "#5d6d7e", "#ad1457", "#8d6e00")
FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"'
INDEX_CHART_TITLE = "Indeks med 95 %-intervall / index with 95 % interval"
CAP = 'stroke="#555" stroke-width="2"'
TREND_CHART_TITLE = "Utvikling per sektor / trend by sector"


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
        f'style="max-width:{width}px;height:auto" role="img" aria-label="{escape(label)}" {FONT} font-size="14">'
        f'<title>{escape(label)}</title><rect width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _rank_key(row: Mapping[str, Any]) -> tuple:
    return (row.get("rank") is None, row.get("rank") or 0, row["sector_code"])


def index_chart(year: int, rows: Sequence[Mapping[str, Any]]) -> str:
    """Dot (index) and whisker (95 % interval) per sector, ranked, on a 0-100 axis with a legend."""
    rows = sorted((r for r in rows if r["year"] == year), key=_rank_key)
    label_w, plot_w, row_h, top, bottom = 196, 310, 24, 52, 60
    width, height = label_w + plot_w + 30, top + row_h * len(rows) + bottom

    def x(value: float) -> str:
        return _f(label_w + max(0.0, min(100.0, value)) * plot_w / 100)

    parts = [_open(width, height, f"{INDEX_CHART_TITLE} {year}")]
    parts.append(f'<text x="0" y="16" font-weight="600">Indeks {year} / index {year}</text>')
    # legend
    parts.append(
        '<g class="legend"><circle cx="6" cy="34" r="5" fill="#1f5f99"/><text x="16" y="38">indeks / index</text>'
        f'<line x1="140" x2="180" y1="34" y2="34" {CAP}/><line x1="140" x2="140" y1="29" y2="39" {CAP}/>'
        f'<line x1="180" x2="180" y1="29" y2="39" {CAP}/><text x="188" y="38">95 %-intervall / interval</text></g>'
    )
    axis_y = top + row_h * len(rows)
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top - 4}" y2="{axis_y}" stroke="#e3e3e3"/>'
            f'<text x="{x(tick)}" y="{axis_y + 16}" text-anchor="middle" fill="#444">{tick}</text>'
        )
    parts.append(f'<line x1="{label_w}" x2="{x(100)}" y1="{axis_y}" y2="{axis_y}" stroke="#888"/>')
    parts.append(
        f'<text x="{_f(label_w + plot_w / 2)}" y="{axis_y + 34}" text-anchor="middle" fill="#444">'
        "Indeks 0–100 (høyere = mer byrde)</text>"
        f'<text x="{_f(label_w + plot_w / 2)}" y="{axis_y + 50}" text-anchor="middle" fill="#444">'
        "index 0–100 (higher = more burden)</text>"
    )
    for i, row in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{_f(cy + 4)}" text-anchor="end">{escape(str(row["sector_nb"]))}</text>'
        )
        if row.get("index") is None:
            parts.append(f'<text x="{label_w + 4}" y="{_f(cy + 4)}" fill="#777">ingen indeks / no index</text>')
            continue
        low, high = row.get("index_ci_low"), row.get("index_ci_high")
        if low is not None and high is not None:
            parts.append(
                f'<line class="interval" x1="{x(low)}" x2="{x(high)}" y1="{_f(cy)}" y2="{_f(cy)}" '
                'stroke="#555" stroke-width="2"/>'
                f'<line x1="{x(low)}" x2="{x(low)}" y1="{_f(cy - 5)}" y2="{_f(cy + 5)}" {CAP}/>'
                f'<line x1="{x(high)}" x2="{x(high)}" y1="{_f(cy - 5)}" y2="{_f(cy + 5)}" {CAP}/>'
            )
        parts.append(f'<circle cx="{x(row["index"])}" cy="{_f(cy)}" r="5" fill="#1f5f99"/>')
    parts.append("</svg>")
    return "".join(parts)


def spread_labels(wanted: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions as close to ``wanted`` as possible, at least ``gap`` apart, within [low, high]
    (input order kept). Pushes down from the top, then back up from the bottom."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = low - gap
    for i in order:
        placed[i] = max(wanted[i], previous + gap)
        previous = placed[i]
    following = high + gap
    for i in reversed(order):
        placed[i] = min(placed[i], following - gap)
        following = placed[i]
    return placed


def trend_chart_svg(index_rows: Sequence[Mapping[str, Any]]) -> str:
    """Lines of the index per sector over the years, with 95 % intervals as whiskers and the sector
    names at the line ends, spread so they never overlap. Empty text with fewer than two years."""
    years = sorted({r["year"] for r in index_rows})
    if len(years) < 2:
        return ""
    left, plot_w, label_w, top, plot_h, bottom = 40, 270, 230, 40, 320, 76
    width, height = left + plot_w + label_w, top + plot_h + bottom

    def px(year: int) -> float:
        return left + 20 + years.index(year) * (plot_w - 40) / (len(years) - 1)

    def py(value: float) -> float:
        return top + plot_h - max(0.0, min(100.0, value)) * plot_h / 100

    parts = [_open(width, height, TREND_CHART_TITLE)]
    parts.append(f'<text x="0" y="16" font-weight="600">{escape(TREND_CHART_TITLE)}</text>')
    parts.append(
        f'<g class="legend"><line x1="{left}" x2="{left + 24}" y1="30" y2="30" stroke="#333" stroke-width="2"/>'
        f'<text x="{left + 30}" y="34">indeks / index</text>'
        f'<line x1="{left + 150}" x2="{left + 150}" y1="23" y2="37" stroke="#333" '
        'stroke-opacity=".5" stroke-width="2"/>'
        f'<text x="{left + 158}" y="34">95 %-intervall / interval</text></g>'
    )
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(py(tick))}" y2="{_f(py(tick))}" stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{_f(py(tick) + 4)}" text-anchor="end" fill="#444">{tick}</text>'
        )
    for year in years:
        parts.append(f'<text x="{_f(px(year))}" y="{top + plot_h + 18}" text-anchor="middle" fill="#444">{year}</text>')
    parts.append(
        f'<text x="{_f(left + plot_w / 2)}" y="{top + plot_h + 40}" text-anchor="middle" fill="#444">'
        "Undersøkelsesår / survey year</text>"
        f'<text x="{_f(left + plot_w / 2)}" y="{top + plot_h + 60}" text-anchor="middle" fill="#444">'
        "Indeks 0–100, høyere = mer byrde</text>"
    )
    codes = sorted({r["sector_code"] for r in index_rows}, key=lambda c: _first_order(index_rows, c))
    ends: list[tuple[str, str, float, float]] = []  # colour, name, end x, end y
    for i, code in enumerate(codes):
        colour = PALETTE[i % len(PALETTE)]
        points = sorted(
            (r for r in index_rows if r["sector_code"] == code and r.get("index") is not None), key=lambda r: r["year"]
        )
        if not points:
            continue
        for r in points:
            if r.get("index_ci_low") is not None and r.get("index_ci_high") is not None:
                parts.append(
                    f'<line x1="{_f(px(r["year"]))}" x2="{_f(px(r["year"]))}" y1="{_f(py(r["index_ci_low"]))}" '
                    f'y2="{_f(py(r["index_ci_high"]))}" stroke="{colour}" stroke-opacity=".5" stroke-width="2"/>'
                )
        path = " ".join(f"{_f(px(r['year']))},{_f(py(r['index']))}" for r in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts += [f'<circle cx="{_f(px(r["year"]))}" cy="{_f(py(r["index"]))}" r="3" fill="{colour}"/>' for r in points]
        last = points[-1]
        ends.append((colour, f"{last['sector_nb']} {_f(last['index'])}", px(last["year"]), py(last["index"])))
    label_y = spread_labels([e[3] for e in ends], 17, top + 6, top + plot_h)
    label_x = left + plot_w + 14
    for (colour, name, ex, ey), ly in zip(ends, label_y, strict=True):
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1" points="{_f(ex + 4)},{_f(ey)} '
            f'{_f(label_x - 4)},{_f(ly)}"/>'
            f'<text class="trend-label" x="{_f(label_x)}" y="{_f(ly + 4)}" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _first_order(rows: Sequence[Mapping[str, Any]], code: str) -> tuple:
    """Sectors in their order of the newest year's rank (no rank last)."""
    newest = max(r["year"] for r in rows)
    for r in rows:
        if r["year"] == newest and r["sector_code"] == code:
            return (r.get("rank") is None, r.get("rank") or 0, code)
    return (True, 0, code)
