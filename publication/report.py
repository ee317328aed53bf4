"""``report.html``: one static page per release that needs no network (inline CSS and SVG only).

Per year, the index per sector with its interval as an inline SVG bar, the components, trends when
there are several years, the changes since the previous release, download links to the release's
files and a link to the methodology (``methodology.md`` in the release). A demonstration banner
opens the page exactly when ``data_status = 'demonstration'``.
"""

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from publication.csv_writer import format_cell
from publication.datapackage import ReleaseInfo
from sources.reference import component_ids

BANNER_ID = "demonstration-banner"
BAR_WIDTH = 300
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;
padding:1rem 1.5rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.banner{background:#b00020;color:#fff;padding:.8rem 1rem;font-weight:700;border-radius:4px}
.meta{color:#555}table{border-collapse:collapse;width:100%;margin:.5rem 0}
td.sector{min-width:11rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eee;vertical-align:middle}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
svg text{font-size:11px;fill:#333}.nowrap{white-space:nowrap}.flags{font-size:.8rem}ul.files{columns:2}
"""


def _t(value: Any) -> str:
    return escape(format_cell(value, "text")) if value is not None else ""


def _num(value: float | None, kind: str = "dec1") -> str:
    return escape(format_cell(value, kind)) if value is not None else "–"


def _x(value: float) -> float:
    return round(max(0.0, min(100.0, value)) * BAR_WIDTH / 100, 1)


def interval_bar(index: float | None, low: float | None, high: float | None) -> str:
    """An inline SVG bar of the index on 0..100 with the interval as a whisker, when there is one."""
    parts = [
        f'<svg width="{BAR_WIDTH}" height="18" viewBox="0 0 {BAR_WIDTH} 18" role="img" aria-label="index">',
        f'<rect x="0" y="4" width="{BAR_WIDTH}" height="10" fill="#f0f0f0"/>',
    ]
    if index is not None:
        parts.append(f'<rect x="0" y="4" width="{_x(index)}" height="10" fill="#3a6ea5"/>')
    if low is not None and high is not None:
        parts.append(
            f'<line class="interval" x1="{_x(low)}" x2="{_x(high)}" y1="9" y2="9" stroke="#111" stroke-width="2"/>'
            f'<line x1="{_x(low)}" x2="{_x(low)}" y1="3" y2="15" stroke="#111"/>'
            f'<line x1="{_x(high)}" x2="{_x(high)}" y1="3" y2="15" stroke="#111"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _rank_key(row: Mapping[str, Any]) -> tuple:
    return (row["rank"] is None, row["rank"] or 0, row["sector_code"])


def _index_section(year: int, rows: list[Mapping[str, Any]]) -> str:
    body = []
    for row in sorted(rows, key=_rank_key):
        interval = (
            f"{_num(row['index_ci_low'])}–{_num(row['index_ci_high'])}"
            if row.get("index_ci_low") is not None
            else '<span class="muted">–</span>'
        )
        body.append(
            f'<tr data-sector="{_t(row["sector_code"])}"><td class="num">{_num(row["rank"], "int")}</td>'
            f'<td class="sector">{_t(row["sector_nb"])}<br><span class="muted">{_t(row["sector_en"])}</span></td>'
            f'<td class="num">{_num(row["index"])}</td>'
            f"<td>{interval_bar(row['index'], row.get('index_ci_low'), row.get('index_ci_high'))}</td>"
            f'<td class="num nowrap">{interval}</td>'
            f'<td class="muted flags">{_t(row["flags"]).replace(";", ";<wbr>")}</td></tr>'
        )
    return (
        f"<h2>Indeks {year} / Index {year}</h2>"
        "<table><thead><tr><th>Rang / rank</th><th>Sektor / sector</th><th>Indeks / index</th>"
        "<th>0–100</th><th>95 % intervall / interval</th><th>Flagg / flags</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def _components_section(year: int, index_rows: list[Mapping[str, Any]], components: list[Mapping[str, Any]]) -> str:
    cells = {(c["sector_code"], c["component_id"]): c for c in components if c["year"] == year}
    names = {c["component_id"]: c["component_name"] for c in components}
    head = "".join(f"<th>{escape(cid)} {_t(names.get(cid, ''))}</th>" for cid in component_ids())
    body = []
    for row in sorted(index_rows, key=_rank_key):
        tds = []
        for cid in component_ids():
            cell = cells.get((row["sector_code"], cid))
            if cell is None:
                tds.append('<td class="num muted">–</td>')
            elif "SUPPRESSED" in (cell.get("flags") or ""):
                tds.append('<td class="num muted" title="SUPPRESSED">prikket / suppressed</td>')
            else:
                title = f"{format_cell(cell['raw_value'], 'dec1')} {cell['unit'] or ''}".strip()
                tds.append(f'<td class="num" title="{escape(title)}">{_num(cell["normalised"])}</td>')
        body.append(f"<tr><td>{_t(row['sector_nb'])}</td>{''.join(tds)}</tr>")
    return (
        f"<h3>Komponenter {year} / components {year} (0–100)</h3><table><thead><tr><th>Sektor / sector</th>"
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def trend_chart(index_rows: Sequence[Mapping[str, Any]]) -> str:
    """Inline SVG lines of the index per sector over the years (only when there are several years)."""
    years = sorted({r["year"] for r in index_rows})
    if len(years) < 2:
        return ""
    width, height, pad = 640, 260, 40
    palette = ("#3a6ea5", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#2c3e50", "#b7950b")

    def px(year: int) -> float:
        return round(pad + (years.index(year)) * (width - 2 * pad - 90) / (len(years) - 1), 1)

    def py(value: float) -> float:
        return round(height - pad - value * (height - 2 * pad) / 100, 1)

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="trends">']
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{pad}" x2="{width - pad - 90}" y1="{py(tick)}" y2="{py(tick)}" stroke="#eee"/>'
            f'<text x="4" y="{py(tick) + 4}">{tick}</text>'
        )
    for year in years:
        parts.append(f'<text x="{px(year) - 14}" y="{height - 12}">{year}</text>')
    sectors = sorted({r["sector_code"] for r in index_rows})
    for i, sector in enumerate(sectors):
        points = sorted(
            (r["year"], r["index"]) for r in index_rows if r["sector_code"] == sector and r["index"] is not None
        )
        if not points:
            continue
        colour = palette[i % len(palette)]
        path = " ".join(f"{px(y)},{py(v)}" for y, v in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        last_year, last_value = points[-1]
        parts.append(f'<text x="{px(last_year) + 6}" y="{py(last_value) + 4}" fill="{colour}">{escape(sector)}</text>')
    parts.append("</svg>")
    return "<h2>Utvikling / trends</h2>" + "".join(parts)


def report_html(
    info: ReleaseInfo,
    index_rows: Sequence[Mapping[str, Any]],
    component_rows: Sequence[Mapping[str, Any]],
    files: Sequence[str],
    changelog: str,
) -> bytes:
    """The page, from the published (typed, rounded) rows of index_sector_year and component_sector_year."""
    demo = info.data_status == "demonstration"
    banner = (
        f'<div id="{BANNER_ID}" class="banner" role="alert">DEMONSTRASJONSDATA / DEMONSTRATION DATA — '
        "tallene bygger på oppdiktede data og er IKKE reelle målinger. The numbers are built from invented "
        "data and are NOT real measurements.</div>"
        if demo
        else ""
    )
    years = sorted({r["year"] for r in index_rows}, reverse=True)
    sections = []
    for year in years:
        rows = [r for r in index_rows if r["year"] == year]
        sections.append(_index_section(year, rows))
        sections.append(_components_section(year, rows, list(component_rows)))
    downloads = "".join(f'<li><a href="{escape(name)}">{escape(name)}</a></li>' for name in sorted(files))
    page = f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapporteringsbyrdeindeksen / Reporting Burden Index — {escape(info.release_id)}</title>
<style>{CSS}</style>
</head>
<body>
{banner}
<h1>Rapporteringsbyrdeindeksen <span class="muted">/ Reporting Burden Index</span></h1>
<p class="meta">Utgivelse / release <strong>{escape(info.release_id)}</strong> · dato / date {escape(info.created_at)} ·
metode / method {escape(info.method_version)} · datastatus / data status <strong>{escape(info.data_status)}</strong></p>
<p>Indeksen måler hvor stor del av arbeidstiden offentlig ansatte bruker på rapportering, dokumentasjon og kontroll
(0–100, høyere = mer byrde). The index measures how much of public employees' working time goes to reporting,
documentation and control (0–100, higher = more burden). Rang 1 = mest byrde / rank 1 = most burden.
Tomme celler er prikket (for få svar) eller mangler / empty cells are suppressed (too few respondents) or missing.</p>
{trend_chart(index_rows)}
{"".join(sections)}
<h2>Endringer / changes</h2>
<p>{escape(changelog)} <a href="changes.json">changes.json</a></p>
<h2>Metode / method</h2>
<p><a href="methodology.md">methodology.md</a> (metode / method {escape(info.method_version)})</p>
<h2>Filer / downloads</h2>
<ul class="files">{downloads}</ul>
<p class="muted">Lisens / licence: CC BY 4.0. Kilder / sources: <a href="sources.csv">sources.csv</a>.</p>
</body>
</html>
"""
    return page.encode("utf-8")
