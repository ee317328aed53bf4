"""The charts shipped as standalone files: ``index-<year>.svg`` per year and ``trend.svg`` when there
are several years (the same SVG as in report.html; hand-written, so byte-reproducible)."""

from collections.abc import Mapping, Sequence
from typing import Any

from orchestration.release.charts import index_chart, trend_chart_svg

XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\\n'


def chart_files(index_rows: Sequence[Mapping[str, Any]]) -> dict[str, bytes]:
    files = {}
    for year in sorted({r["year"] for r in index_rows}):
        rows = [r for r in index_rows if r["year"] == year]
        files[f"index-{year}.svg"] = (XML_HEADER + index_chart(year, rows) + "\\n").encode("utf-8")
    trend = trend_chart_svg(index_rows)
    if trend:
        files["trend.svg"] = (XML_HEADER + trend + "\\n").encode("utf-8")
    return files


def chart_description(name: str) -> str:
    if name == "trend.svg":
        return "chart: the index per sector over the years with 95 % intervals (SVG)"
    year = name.removeprefix("index-").removesuffix(".svg")
    return f"chart: the index {year} per sector with 95 % intervals (SVG)"
