"""``methodology.html``: the methodology for people. The plain-language summary in Norwegian and
English (docs/methodology-summary.md) comes first, then the technical text (docs/methodology.md,
whatever it holds), both rendered from Markdown. Links to files that are not in the release become
plain text, so the page has no dead links; the page needs no network (inline CSS only).
"""

import re
from collections.abc import Collection
from html import escape

import markdown

from storage.paths import METHODOLOGY
from storage.paths import METHODOLOGY_SUMMARY as SUMMARY

CSS = """
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:860px;padding:1rem;line-height:1.5;color:#1b1b1b;overflow-wrap:break-word}
.summary{background:#f4f7fb;border-left:4px solid #1f5f99;padding:.2rem 1rem;margin-bottom:2rem}
table{border-collapse:collapse;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ddd;padding:.25rem .5rem}
code{overflow-wrap:anywhere}pre{overflow-x:auto}
.banner{background:#b00020;color:#fff;padding:.8rem 1rem;font-weight:700;border-radius:4px}
"""


def _unlink_missing(html: str, available: Collection[str]) -> str:
    """``<a href="x">t</a>`` -> ``t`` unless x is an anchor, an http(s) address or a file in ``available``."""

    def replace(match: re.Match[str]) -> str:
        href, text = match.group(1), match.group(2)
        target = href.split("#", 1)[0]
        if href.startswith(("#", "http://", "https://")) or target in available:
            return match.group(0)
        return text

    return re.sub(r'<a href="([^"]*)">(.*?)</a>', replace, html, flags=re.S)


def render_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "fenced_code"], output_format="html")


def methodology_html(
    method_version: str,
    data_status: str,
    available: Collection[str],
    methodology: bytes | None = None,
    summary: bytes | None = None,
) -> bytes:
    """The page; ``available``: the release's file names (links to anything else are removed)."""
    summary_text = (summary if summary is not None else SUMMARY.read_bytes()).decode("utf-8")
    method_text = (methodology if methodology is not None else METHODOLOGY.read_bytes()).decode("utf-8")
    banner = (
        '<div class="banner">DEMONSTRASJONSDATA / DEMONSTRATION DATA — tallene i denne utgivelsen er ikke '
        "reelle målinger / the numbers of this release are not real measurements.</div>"
        if data_status == "demonstration"
        else ""
    )
    body = _unlink_missing(render_markdown(method_text), available)
    page = f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Metode / methodology {escape(method_version)} — Rapporteringsbyrdeindeksen</title>
<style>{CSS}</style>
</head>
<body>
{banner}
<h1>Metode / methodology {escape(method_version)}</h1>
<p><a href="report.html">Tilbake til tallene / back to the numbers</a></p>
<section class="summary" id="summary">
{_unlink_missing(render_markdown(summary_text), available)}
</section>
<section id="technical">
<p><em>Teknisk beskrivelse (engelsk) / technical description:</em></p>
{body}
</section>
</body>
</html>
"""
    return page.encode("utf-8")
