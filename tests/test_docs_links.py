"""Every relative link in the README, docs/, kit/ and benchmarks/ Markdown resolves: to a file or
folder of the repository and, when it names one, to a heading of the Markdown file it points at
(GitHub's anchors: lower case, punctuation dropped, spaces to hyphens)."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [REPO / "README.md"]
    + [p for folder in ("docs", "kit", "benchmarks") for p in (REPO / folder).glob("*.md")]
    + list((REPO / "sources" / "embedded").glob("*.md"))
)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: markup removed, lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    found: set[str] = set()
    for heading in HEADING.findall(text):
        base = anchor(heading)
        name, n = base, 1
        while name in found:  # GitHub numbers repeated headings: x, x-1, x-2
            name, n = f"{base}-{n}", n + 1
        found.add(name)
    return found


def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
    return LINK.findall(text)


def broken(page: Path) -> list[str]:
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ... (not checked offline)
            continue
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            problems.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{target}: no heading with the anchor #{fragment}")
    return problems


def test_anchor_rule_matches_github() -> None:
    assert anchor("One run at a time, and after a crash") == "one-run-at-a-time-and-after-a-crash"
    assert anchor("Deployment: PostgreSQL instance, daemon, alerts") == "deployment-postgresql-instance-daemon-alerts"
    assert anchor("Changes from 1.0") == "changes-from-10"
    assert anchor("The `published` schema") == "the-published-schema"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#a-heading) [gone](missing.md) [bad](there.md#nope) [web](https://x.invalid)\n"
        "```\n[in code](not-checked.md)\n```\n",
        encoding="utf-8",
    )
    assert broken(page) == ["missing.md: no such file", "there.md#nope: no heading with the anchor #nope"]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken(page) == []


def test_the_readme_links_every_docs_page() -> None:
    readme = {target.partition("#")[0] for target in links(REPO / "README.md")}
    pages = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")}
    assert pages - readme == set(), "docs pages nobody can find from the README"
