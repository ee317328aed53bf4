"""The charts shipped as standalone files: ``index-<year>.svg`` per year and ``trend.svg`` when there
are several years (the same SVG as in report.html; hand-written, so byte-reproducible), and each
also as PNG (``.png``, twice the size), rendered offline from the same SVG by vl-convert
(``vl_convert.svg_to_png``, resvg). The PNG bytes depend only on the SVG, the pinned vl-convert
version and the fonts of the machine: byte-reproducible on one machine (the release tests check
it), possibly not across machines with other fonts."""

from collections.abc import Mapping, Sequence
from typing import Any

from publication.charts import index_chart, trend_chart_svg

XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


PNG_SCALE = 2


def png_bytes(svg: str) -> bytes:
    import vl_convert

    return bytes(vl_convert.svg_to_png(svg, scale=PNG_SCALE))


def chart_files(index_rows: Sequence[Mapping[str, Any]], png: bool = True) -> dict[str, bytes]:
    charts = {}
    for year in sorted({r["year"] for r in index_rows}):
        charts[f"index-{year}"] = index_chart(year, [r for r in index_rows if r["year"] == year])
    trend = trend_chart_svg(index_rows)
    if trend:
        charts["trend"] = trend
    files = {}
    for stem, svg in charts.items():
        files[f"{stem}.svg"] = (XML_HEADER + svg + "\n").encode("utf-8")
        if png:
            files[f"{stem}.png"] = png_bytes(svg)
    return files


def chart_description(name: str) -> str:
    stem, _, extension = name.rpartition(".")
    if stem == "trend":
        return f"chart: the index per sector over the years with 95 % intervals ({extension.upper()})"
    return f"chart: the index {stem.removeprefix('index-')} per sector with 95 % intervals ({extension.upper()})"
