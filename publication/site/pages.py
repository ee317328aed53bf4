"""The site's HTML pages from jinja2 templates (``templates/``), with one stylesheet inlined in each
page (no network, works from a folder) built from the colours in ``COLOURS``, which the
accessibility tests check for WCAG 2.1 AA contrast.

Bokmål first and English beside it, as in report.html; the demonstration banner opens every page
of a site whose current release is demonstration data.
"""

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from publication.charts import trend_chart_svg
from publication.datapackage import LICENCE
from publication.glossary import flag_map, flags, split_flags
from publication.labels import components
from publication.meaning import WHAT_EN, WHAT_NB, headline, interval_text, num, rank_range, value_phrase
from publication.site.catalog import Release, Releases
from publication.site.sectors import COMPONENT_CSV, INDEX_CSV, Sector

TEMPLATES = Path(__file__).resolve().parent / "templates"

# every colour of the stylesheet: (foreground, background) pairs below must reach 4.5:1 (WCAG 2.1 AA)
COLOURS = {
    "text": "#1b1b1b",
    "background": "#ffffff",
    "muted": "#595959",
    "link": "#1a5490",
    "banner_text": "#ffffff",
    "banner_background": "#a1001c",
    "status_text": "#1b1b1b",
    "status_background": "#eef3f8",
    "correction_text": "#7a3e00",
    "header_background": "#f3f3f3",
    "rule": "#d0d0d0",
}
CONTRAST_PAIRS = (
    ("text", "background"),
    ("muted", "background"),
    ("link", "background"),
    ("banner_text", "banner_background"),
    ("status_text", "status_background"),
    ("link", "status_background"),
    ("correction_text", "background"),
    ("text", "header_background"),
    ("muted", "header_background"),
)
CSS = """
*{{box-sizing:border-box}}
html{{background:{background}}}
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:980px;padding:1rem;
color:{text};background:{background};line-height:1.45;overflow-wrap:break-word}}
a{{color:{link}}}
h1{{font-size:1.5rem;margin-bottom:.3rem}}h2{{margin-top:2rem;border-bottom:1px solid {rule};font-size:1.25rem}}
h3{{font-size:1.05rem}}
.banner{{background:{banner_background};color:{banner_text};padding:.8rem 1rem;font-weight:700;border-radius:4px}}
.status{{background:{status_background};color:{status_text};padding:.6rem 1rem;border-radius:4px;margin:.6rem 0}}
.muted{{color:{muted}}}.small{{font-size:.9rem}}
.correction{{color:{correction_text};font-weight:700}}
nav.top{{margin:.4rem 0 1rem}}nav.top a{{margin-right:1rem;display:inline-block}}
table{{border-collapse:collapse;width:100%;margin:.5rem 0}}
th,td{{text-align:left;padding:.3rem .5rem;border-bottom:1px solid {rule};vertical-align:top}}
th{{background:{header_background}}}td.num{{text-align:right;font-variant-numeric:tabular-nums}}
code{{overflow-wrap:anywhere}}ul.links li{{margin:.2rem 0;overflow-wrap:anywhere}}
figure{{margin:.5rem 0}}figure svg{{display:block}}figcaption{{font-size:.9rem;color:{muted}}}
dl.glossary dt{{font-weight:700;margin-top:.6rem}}dl.glossary dd{{margin-left:1rem}}
@media (max-width:640px){{
h1{{font-size:1.2rem}}h2{{font-size:1.1rem}}
table.cards,table.cards tbody,table.cards tr,table.cards td,table.cards th[scope=row]{{display:block;width:100%}}
table.cards thead{{display:none}}
table.cards tr{{border:1px solid {rule};border-radius:6px;margin:.5rem 0;padding:.3rem}}
table.cards td,table.cards th[scope=row]{{border:0;padding:.15rem .3rem;text-align:left}}
table.cards td[data-label]::before,table.cards th[data-label]::before{{content:attr(data-label) ": ";font-weight:600}}
}}
""".format(**COLOURS)
BANNER_ID = "demonstration-banner"
BANNER_NB = "DEMONSTRASJONSDATA — tallene bygger på oppdiktede data og er IKKE reelle målinger."
BANNER_EN = "DEMONSTRATION DATA — the numbers are built from invented data and are NOT real measurements."
STATUS = {
    "published": ("publisert statistikk", "published statistics"),
    "demonstration": ("demonstrasjonsdata (oppdiktet)", "demonstration data (invented)"),
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = num
    return env


def _render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(css=CSS, banner_id=BANNER_ID, **context).encode("utf-8")


def _common(releases: Releases, root: str) -> dict[str, Any]:
    current = releases.current
    status = current.data_status if current else ""
    return {
        "root": root,
        "demo": bool(current and current.demonstration),
        "banner_nb": BANNER_NB,
        "banner_en": BANNER_EN,
        "current": current,
        "status_nb": STATUS.get(status, (status, status))[0],
        "status_en": STATUS.get(status, (status, status))[1],
        "site_date": releases.newest_date,
        "licence": LICENCE,
    }


def _flag_labels(cell: str | None) -> list[dict[str, str]]:
    known = flag_map()
    out = []
    for code in split_flags(cell):
        flag = known.get(code)
        out.append({"code": code, "label": f"{flag.label_nb} / {flag.label_en}" if flag else code})
    return out


def _glossary(codes: set[str]) -> list[Any]:
    return [f for f in flags() if f.flag in codes]


def index_page(releases: Releases, sectors: Sequence[Sector], index_rows: Sequence[Mapping[str, Any]],
               component_rows: Sequence[Mapping[str, Any]], latest_files: Sequence[str]) -> bytes:  # fmt: skip
    years = sorted({r["year"] for r in index_rows}, reverse=True)
    headlines = [
        {
            "year": year,
            "nb": headline(year, index_rows, component_rows, "nb"),
            "en": headline(year, index_rows, component_rows, "en"),
        }
        for year in years
    ]
    newest = years[0] if years else None
    sector_rows = []
    for sector in sectors:
        row = next((r for r in sector.index_rows if r["year"] == newest), None)
        sector_rows.append(
            {
                "sector": sector,
                "index": num(row.get("index")) if row else "–",
                "interval": interval_text(row, "en") if row else "–",
                "rank_range": rank_range(row) if row else "–",
            }
        )
    return _render(
        "index.html",
        what_nb=WHAT_NB,
        what_en=WHAT_EN,
        headlines=headlines,
        newest_year=newest,
        sector_rows=sector_rows,
        releases=list(reversed(releases.releases)),
        latest_files=list(latest_files),
        **_common(releases, ""),
    )


def sector_page(releases: Releases, sector: Sector) -> bytes:
    current: Release | None = releases.current
    release_id = current.release_id if current else ""
    labels = components()
    index = [
        {
            "year": r["year"],
            "index": num(r.get("index")),
            "interval": interval_text(r, "en"),
            "rank": r.get("rank") if r.get("rank") is not None else "–",
            "rank_range": rank_range(r),
            "n_components": r.get("n_components") if r.get("n_components") is not None else "–",
            "flags": _flag_labels(r.get("flags")),
            "row": r["_row"],
        }
        for r in sector.index_rows
    ]
    by_year: dict[int, list[dict[str, Any]]] = {}
    for c in sector.component_rows:
        comp = labels.get(str(c["component_id"]))
        by_year.setdefault(c["year"], []).append(
            {
                "id": c["component_id"],
                "name_nb": comp.short_nb if comp else c.get("component_name") or c["component_id"],
                "name_en": comp.short_en if comp else c.get("component_name") or c["component_id"],
                "value_nb": value_phrase(c, "nb") if c.get("raw_value") is not None else None,
                "value_en": value_phrase(c, "en") if c.get("raw_value") is not None else None,
                "interval": interval_text(c, "en", "raw_ci_low", "raw_ci_high"),
                "n": c.get("n") if c.get("n") is not None else "–",
                "flags": _flag_labels(c.get("flags")),
                "row": c["_row"],
            }
        )
    codes = {f["code"] for r in index for f in r["flags"]} | {
        f["code"] for rows in by_year.values() for r in rows for f in r["flags"]
    }
    chart_rows = [r for r in sector.index_rows if r.get("index") is not None]
    chart = trend_chart_svg(chart_rows) if len({r["year"] for r in chart_rows}) > 1 else ""
    chart_text_nb = "; ".join(f"{r['year']}: {num(r['index'], 'nb')} ({interval_text(r, 'nb')})" for r in chart_rows)
    chart_text_en = "; ".join(f"{r['year']}: {num(r['index'])} ({interval_text(r, 'en')})" for r in chart_rows)
    return _render(
        "sector.html",
        sector=sector,
        index=index,
        components_by_year=sorted(by_year.items(), reverse=True),
        glossary=_glossary(codes),
        chart=chart,
        chart_text_nb=chart_text_nb,
        chart_text_en=chart_text_en,
        release_id=release_id,
        index_csv=INDEX_CSV,
        component_csv=COMPONENT_CSV,
        what_nb=WHAT_NB,
        what_en=WHAT_EN,
        **_common(releases, "../"),
    )


def not_found_page(releases: Releases, base_url: str = "") -> bytes:
    """Served for any missing path: links are absolute when the site's base URL is known."""
    root = base_url.rstrip("/") + "/" if base_url else ""
    return _render("404.html", **_common(releases, root))


def robots_txt() -> bytes:
    """Everything may be indexed: the site is public statistics."""
    return b"User-agent: *\nAllow: /\n"
