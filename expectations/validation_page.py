"""A readable HTML page of one gate validation, written beside its JSON (output/validation/<table>.html).

The equivalent of a GX Data Docs validation page without a file-backed GX context: one row per
expectation (failed ones first), its column(s) and arguments, the rule it encodes, what was
observed. Self-contained (inline CSS, no scripts, nothing fetched), so it opens offline. The marts
are aggregates: observed values are published numbers and codes, never a survey answer.
"""

import html
import json
from datetime import UTC, datetime
from typing import Any

MAX_CELL_CHARS = 300
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#1b1b1b}
h1{font-size:1.4rem} .demo{background:#fff3cd;border:1px solid #e0b000;padding:.5rem 1rem;margin:1rem 0}
.verdict{font-size:1.1rem;font-weight:600;padding:.4rem .8rem;display:inline-block;border-radius:4px}
.pass{background:#e5f4e8;color:#14532d} .fail{background:#fde2e1;color:#7f1d1d}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top} th{background:#f3f3f3} code{font-size:.85rem;white-space:pre-wrap}
"""


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 3] + "..."
    return html.escape(text)


def _observed(result: dict[str, Any]) -> str:
    outcome = result.get("result") or {}
    exception = (result.get("exception_info") or {}).get("exception_message")
    if exception:
        return "error: " + str(exception).splitlines()[0]
    parts = []
    if "observed_value" in outcome:
        parts.append(f"observed {_cell(outcome['observed_value'])}")
    if outcome.get("unexpected_count"):
        examples = _cell(outcome.get("partial_unexpected_list", [])[:5])
        parts.append(f"{outcome['unexpected_count']} unexpected, e.g. {examples}")
    return "; ".join(parts)


def _row(result: dict[str, Any]) -> str:
    config = result.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if v is not None and k != "batch_id"}
    column = kwargs.pop("column", None) or ", ".join(str(c) for c in kwargs.pop("column_list", []) or [])
    meta = config.get("meta") or {}
    rule = meta.get("rule", "")
    if meta.get("where"):
        rule = f"{rule} (where {meta['where']})".strip()
    ok = bool(result.get("success"))
    verdict = '<span class="verdict pass">passed</span>' if ok else '<span class="verdict fail">FAILED</span>'
    arguments = "<br>".join(f"{html.escape(k)} = {_cell(v)}" for k, v in kwargs.items())
    return (
        f"<tr><td>{verdict}</td><td><code>{html.escape(str(config.get('type', '')))}</code></td>"
        f"<td>{html.escape(str(column))}</td><td>{arguments}</td><td>{html.escape(str(rule))}</td>"
        f"<td>{_observed(result) if not ok else ''}</td></tr>"
    )


def render_validation_page(
    table: str,
    success: bool,
    evaluated: int,
    failed_lines: list[str],
    result_json: dict[str, Any],
    release_id: str | None = None,
    data_status: str | None = None,
) -> str:
    """The HTML page of one table's gate validation."""
    results = list(result_json.get("results") or [])
    results.sort(key=lambda r: bool(r.get("success")))  # failed first
    verdict = (
        '<p class="verdict pass">PASSED: publication may proceed</p>'
        if success
        else '<p class="verdict fail">FAILED: nothing is published; the previous release stays current</p>'
    )
    demo = (
        '<p class="demo"><strong>Demonstration data.</strong> These inputs are not real measurements; '
        "the numbers checked here must not be cited.</p>"
        if (data_status or "").lower() != "published"
        else ""
    )
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    heading = f"Quality gate <code>gate_{html.escape(table)}</code>: table <code>{html.escape(table)}</code>"
    lines = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Quality gate: {html.escape(table)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{heading}</h1>",
        demo,
        verdict,
        f"<p>{evaluated} expectations evaluated, {len(failed_lines)} failed. "
        f"Release candidate: <code>{html.escape(release_id or 'unknown')}</code>; "
        f"data status: {html.escape(data_status or 'unknown')}; validated {when}. "
        f"Full Great Expectations result: <code>{html.escape(table)}.json</code> beside this page.</p>",
    ]
    if failed_lines:
        lines.append("<h2>Failed</h2><ul>")
        lines += [f"<li><code>{html.escape(line)}</code></li>" for line in failed_lines]
        lines.append("</ul>")
    lines += [
        "<h2>Expectations</h2>",
        "<table><thead><tr><th>Outcome</th><th>Expectation</th><th>Column(s)</th><th>Arguments</th>"
        "<th>Rule</th><th>Observed (failures)</th></tr></thead><tbody>",
        *[_row(result) for result in results],
        "</tbody></table></body></html>",
    ]
    return "\n".join(line for line in lines if line) + "\n"
