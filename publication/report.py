"""``report.html``: one static page per release that needs no network (inline CSS and SVG only).

What the index is and is not (one sentence per language), a headline per year generated from the
data (interval and 90 % rank interval), the trend over the years, per year a chart of the index with its
95 % interval (legend and axis), a table with 90 % rank intervals and the sectors each cannot be told apart
from, the components as raw value with unit beside the 0-100 score, the S0-S4 sensitivity, the
flag glossary, the changes, the methodology, the citation and the downloads. Tables turn into
cards below 640 px, so the page never scrolls sideways on a phone. A demonstration banner opens
the page exactly when ``data_status = 'demonstration'``.
"""

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from method.ranks import rank_interval_level
from method.reference import component_ids
from method.scenarios import LABELS as SCENARIOS
from publication.calendar import next_release
from publication.charts import index_chart, trend_chart_svg
from publication.glossary import flag_map, flags, split_flags
from publication.labels import components
from publication.meaning import (
    CITATION_EN,
    CITATION_NB,
    RANK_INTERVAL_EN,
    RANK_INTERVAL_NB,
    RANK_INTERVAL_NB_DEFINITE,
    WHAT_EN,
    WHAT_NB,
    headline,
    interval_text,
    num,
    overlapping,
    rank_range,
    value_phrase,
)
from publication.release_info import ReleaseInfo

BANNER_ID = "demonstration-banner"
RANK_INTERVAL_HEADER = f"{RANK_INTERVAL_NB} / {RANK_INTERVAL_EN}"
RANK_LEVEL = rank_interval_level()  # 90: rank_p05-rank_p95 is a 90 % rank interval
CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;
padding:1rem;color:#1b1b1b;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;font-size:1.25rem}
h3{font-size:1.05rem}
.banner{background:#b00020;color:#fff;padding:.8rem 1rem;font-weight:700;border-radius:4px}
.meta{color:#555}.lead{font-size:1.05rem}.headline{font-size:1.05rem;border-left:4px solid #1f5f99;padding-left:.6rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f6f6}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.muted{color:#666}.small{font-size:.85rem}dl.glossary dt{font-weight:700;margin-top:.6rem}
dl.glossary dd{margin-left:1rem}.flag{font-size:.85rem}a.flag{color:#6a3d9a}
details summary{cursor:pointer;font-weight:600;margin:.6rem 0}figure{margin:.5rem 0}
ul.files li{margin:.2rem 0;overflow-wrap:anywhere}figure svg{display:block}
@media (max-width:640px){
h1{font-size:1.2rem}h2{font-size:1.1rem}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards thead{display:none}
table.cards tr{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.3rem}
table.cards td{border:0;padding:.15rem .3rem;text-align:left;white-space:normal}
table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#444}
}
"""


def _e(value: Any) -> str:
    return escape(str(value)) if value is not None else ""


def _rank_key(row: Mapping[str, Any]) -> tuple:
    return (row.get("rank") is None, row.get("rank") or 0, row["sector_code"])


def flag_links(cell: str | None) -> str:
    """Each flag as its Norwegian / English label, linked to the glossary entry ('–' without flags)."""
    if not split_flags(cell):
        return '<span class="muted">–</span>'
    known = flag_map()
    out = []
    for code in split_flags(cell):
        flag = known.get(code)
        label = f"{flag.label_nb} / {flag.label_en}" if flag else code
        out.append(f'<a class="flag" href="#flag-{escape(code)}" title="{escape(code)}">{escape(label)}</a>')
    return ", ".join(out)


def td(content: str, label: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f'<td{attr} data-label="{escape(label)}">{content}</td>'


def _index_table(year: int, rows: list[Mapping[str, Any]]) -> str:
    names = {r["sector_code"]: r["sector_nb"] for r in rows}
    apart = overlapping(rows)
    body = []
    for row in sorted(rows, key=_rank_key):
        peers = apart.get(row["sector_code"])
        if peers is None:
            told = '<span class="muted">–</span>'
        elif peers:
            told = ", ".join(escape(str(names[p])) for p in peers)
        else:
            told = "skilles fra alle / distinct from all"
        body.append(
            f'<tr data-sector="{_e(row["sector_code"])}">'
            + td(_e(row["rank"]) if row.get("rank") is not None else "–", "Rang / rank", "num")
            + td(f'<span class="rank-range">{rank_range(row)}</span>', RANK_INTERVAL_HEADER, "num")
            + td(f'{_e(row["sector_nb"])}<br><span class="muted">{_e(row["sector_en"])}</span>', "Sektor / sector")
            + td(num(row.get("index")), "Indeks / index", "num")
            + td(interval_text(row, "en"), "95 %-intervall / interval", "num")
            + td(told, "Kan ikke skilles fra / cannot be told apart from", "small")
            + td(flag_links(row.get("flags")), "Flagg / flags")
            + "</tr>"
        )
    return (
        '<table class="cards index-table"><thead><tr><th>Rang / rank</th>'
        f"<th>{RANK_INTERVAL_NB} / {RANK_INTERVAL_EN} (p05–p95)</th>"
        "<th>Sektor / sector</th><th>Indeks / index (0–100)</th><th>95 %-intervall / interval</th>"
        "<th>Kan ikke skilles fra / cannot be told apart from</th><th>Flagg / flags</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def _components_table(
    year: int, index_rows: list[Mapping[str, Any]], component_rows: Sequence[Mapping[str, Any]], unfolded: bool = True
) -> str:
    cells = {(c["sector_code"], c["component_id"]): c for c in component_rows if c["year"] == year}
    labels = components()
    body = []
    for row in sorted(index_rows, key=_rank_key):
        for cid in component_ids():
            cell = cells.get((row["sector_code"], cid))
            if cell is None:
                continue
            comp = labels[cid]
            if cell.get("raw_value") is None:
                value = '<span class="muted">prikket eller mangler / suppressed or missing</span>'
                interval = "–"
            else:
                english = escape(value_phrase(cell, "en"))
                value = f'{escape(value_phrase(cell, "nb"))}<br><span class="muted">{english}</span>'
                interval = interval_text(cell, "en", "raw_ci_low", "raw_ci_high")
            body.append(
                f'<tr data-sector="{_e(row["sector_code"])}" data-component="{cid}">'
                + td(_e(row["sector_nb"]), "Sektor / sector")
                + td(f'{escape(comp.short_nb)}<br><span class="muted">{escape(comp.short_en)}</span>', "Mål / measure")
                + td(value, "Verdi → poeng / value → score")
                + td(interval, "95 %-intervall (verdi) / interval (value)", "num")
                + td(_e(cell.get("n")) if cell.get("n") is not None else "–", "Svar / answers", "num")
                + td(flag_links(cell.get("flags")), "Flagg / flags")
                + "</tr>"
            )
    return (
        f"<details{' open' if unfolded else ''}><summary>Komponenter {year} / components {year}: "
        "verdi med enhet → poeng 0–100 / value with unit → score 0–100</summary>"
        '<table class="cards components-table"><thead><tr><th>Sektor / sector</th><th>Mål / measure</th>'
        "<th>Verdi → poeng / value → score</th><th>95 %-intervall (verdi) / interval (value)</th>"
        "<th>Svar / answers</th><th>Flagg / flags</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></details>"
    )


def _sensitivity_table(year: int, index_rows: list[Mapping[str, Any]], sensitivity: Sequence[Mapping[str, Any]]) -> str:
    cells = {(s["sector_code"], s["scenario_id"]): s for s in sensitivity if s["year"] == year}
    if not cells:
        return ""
    head = "".join(
        f'<th>{sid}<br><span class="muted small">{escape(SCENARIOS[sid][0])}</span></th>' for sid in SCENARIOS
    )
    body = []
    for row in sorted(index_rows, key=_rank_key):
        tds = []
        for sid, (nb, en) in SCENARIOS.items():
            cell = cells.get((row["sector_code"], sid))
            if cell is None or cell.get("index") is None:
                text = "–"
            else:
                rank = f"rang {_e(cell.get('rank'))}"
                if sid == "S4" and cell.get("rank_p05") is not None:
                    rank += f" ({rank_range(cell)})"
                text = f'{num(cell["index"])} <span class="muted">{rank}</span>'
            tds.append(td(text, f"{sid} {nb} / {en}", "num"))
        body.append(
            f'<tr data-sector="{_e(row["sector_code"])}">'
            + td(_e(row["sector_nb"]), "Sektor / sector")
            + "".join(tds)
            + "</tr>"
        )
    legend = "".join(
        f"<li><strong>{sid}</strong>: {escape(nb)} / {escape(en)}</li>" for sid, (nb, en) in SCENARIOS.items()
    )
    return (
        f"<h3>Følsomhet {year} / sensitivity {year}</h3>"
        '<p class="small">Indeks og rang hvis metoden velges annerledes. '
        "Hvis rangen knapt flytter seg, avhenger ikke rekkefølgen av vektvalget. / Index and rank under other "
        "method choices; if the rank barely moves, the order does not depend on the weights.</p>"
        f'<table class="cards sensitivity-table"><thead><tr><th>Sektor / sector</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + f'</tbody></table><ul class="small">{legend}</ul>'
    )


def _changes_table(index_rows: Sequence[Mapping[str, Any]]) -> str:
    """Year-over-year change of the index per sector (newest year against the year before)."""
    years = sorted({r["year"] for r in index_rows})
    if len(years) < 2:
        return ""
    new, old = years[-1], years[-2]
    before = {r["sector_code"]: r for r in index_rows if r["year"] == old}
    body = []
    for row in sorted((r for r in index_rows if r["year"] == new), key=_rank_key):
        prev = before.get(row["sector_code"])
        if prev is None or prev.get("index") is None or row.get("index") is None:
            change, verdict = "–", "–"
        else:
            delta = row["index"] - prev["index"]
            change = ("+" if delta > 0 else "") + num(delta)
            overlap = (
                row.get("index_ci_low") is not None
                and prev.get("index_ci_low") is not None
                and row["index_ci_low"] <= prev["index_ci_high"]
                and prev["index_ci_low"] <= row["index_ci_high"]
            )
            verdict = "usikker endring / uncertain change" if overlap else "tydelig endring / clear change"
        body.append(
            f'<tr data-sector="{_e(row["sector_code"])}">'
            + td(_e(row["sector_nb"]), "Sektor / sector")
            + td(num(prev.get("index")) if prev else "–", str(old), "num")
            + td(num(row.get("index")), str(new), "num")
            + td(change, "Endring / change", "num")
            + td(verdict, "Intervallene / the intervals", "small")
            + "</tr>"
        )
    return (
        f"<h3>Endring {old}–{new} / change {old}–{new}</h3>"
        f'<table class="cards yoy-table"><thead><tr><th>Sektor / sector</th><th>{old}</th><th>{new}</th>'
        "<th>Endring / change</th><th>Intervallene overlapper? / do the intervals overlap?</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
        '<p class="small muted">«Usikker endring»: 95 %-intervallene for de to årene overlapper. / '
        "'Uncertain change': the two years' 95 % intervals overlap.</p>"
    )


def glossary_html() -> str:
    items = "".join(
        f'<dt id="flag-{escape(f.flag)}">{escape(f.label_nb)} / {escape(f.label_en)} <code>{escape(f.flag)}</code></dt>'
        f'<dd lang="nb">{escape(f.meaning_nb)}</dd><dd lang="en">{escape(f.meaning_en)}</dd>'
        for f in flags()
    )
    return f'<h2 id="glossary">Flagg / flags</h2><dl class="glossary">{items}</dl>'


def trend_chart(index_rows: Sequence[Mapping[str, Any]]) -> str:
    """The trend section (chart and year-over-year table), only when there are several years."""
    svg = trend_chart_svg(index_rows)
    if not svg:
        return ""
    return '<h2 id="trends">Utvikling / trends</h2><figure>' + svg + "</figure>" + _changes_table(index_rows)


def report_html(
    info: ReleaseInfo,
    index_rows: Sequence[Mapping[str, Any]],
    component_rows: Sequence[Mapping[str, Any]],
    files: Sequence[str] | Mapping[str, str],
    changelog: str,
    sensitivity_rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """The page, from the published (typed, rounded) rows. ``files``: names, or name -> description."""
    demo = info.data_status == "demonstration"
    banner = (
        f'<div id="{BANNER_ID}" class="banner" role="alert">DEMONSTRASJONSDATA / DEMONSTRATION DATA — '
        "tallene bygger på oppdiktede data og er IKKE reelle målinger. The numbers are built from invented "
        "data and are NOT real measurements.</div>"
        if demo
        else ""
    )
    years = sorted({r["year"] for r in index_rows}, reverse=True)

    def headlines(year: int) -> str:
        return (
            f'<p class="headline" lang="nb">{escape(headline(year, index_rows, component_rows, "nb"))}</p>'
            f'<p class="headline muted" lang="en">{escape(headline(year, index_rows, component_rows, "en"))}</p>'
        )

    newest = headlines(years[0]) if years else "<p>Ingen tall / no figures.</p>"
    sections = []
    for year in years:
        rows = [r for r in index_rows if r["year"] == year]
        sections.append(
            f'<h2 id="year-{year}">Indeks {year} / index {year}</h2>'
            + (headlines(year) if year != years[0] else "")
            + f"<figure>{index_chart(year, rows)}</figure>"
            + _index_table(year, rows)
            + _components_table(year, rows, component_rows, unfolded=year == years[0])
            + _sensitivity_table(year, rows, sensitivity_rows)
        )
    described = dict(files) if isinstance(files, Mapping) else dict.fromkeys(files, "")
    downloads = "".join(
        f'<li><a href="{escape(name)}">{escape(name)}</a>' + (f" — {escape(what)}" if what else "") + "</li>"
        for name, what in sorted(described.items())
    )
    citation_nb = CITATION_NB.format(release_id=info.release_id, date=info.created_at, method=info.method_version)
    citation_en = CITATION_EN.format(release_id=info.release_id, date=info.created_at, method=info.method_version)
    next_nb, next_en = next_release([r["year"] for r in index_rows])
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
<section id="meaning">
<p class="lead" lang="nb">{escape(WHAT_NB)}</p>
<p class="lead muted" lang="en">{escape(WHAT_EN)}</p>
<p class="small">Rang 1 = mest byrde. {RANK_INTERVAL_NB_DEFINITE.capitalize()} (f.eks. 2–3) er rangene sektoren får i
{RANK_LEVEL} % av simuleringene av utvalget; 95 %-intervallet er usikkerheten i indeksen. Sektorer med overlappende
intervaller kan ikke skilles fra hverandre. / Rank 1 = most burden. The {RANK_INTERVAL_EN} (e.g. 2–3) holds
the sector's rank in {RANK_LEVEL} % of the resampled surveys; the 95 % interval is the uncertainty of the
index. Sectors whose intervals overlap cannot be told apart.</p>
</section>
<section id="headline"><h2>Hovedfunn / headline</h2>{newest}</section>
{trend_chart(index_rows)}
{"".join(sections)}
{glossary_html()}
<h2>Endringer / changes</h2>
<p>{escape(changelog)} <a href="changes.json">changes.json</a></p>
<p>{escape(next_nb)} <span class="muted">{escape(next_en)}</span></p>
<h2>Metode / method</h2>
<p><a href="methodology.html">methodology.html</a> (metode / method {escape(info.method_version)};
kort forklaring først / plain-language summary first)</p>
<h2>Slik siterer du / how to cite</h2>
<p lang="nb">{escape(citation_nb)}</p><p lang="en" class="muted">{escape(citation_en)}</p>
<h2>Filer / downloads</h2>
<ul class="files">{downloads}</ul>
<p class="muted">Lisens / licence: CC BY 4.0. Kilder / sources: <a href="sources.csv">sources.csv</a>.</p>
</body>
</html>
"""
    return page.encode("utf-8")
