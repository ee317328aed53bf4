"""Every file of the site, from the releases folder, and the folder it is written to.

Layout (stable URLs):

- ``index.html``: headline per year, data status, the sectors, the stable links, every release;
- ``releases/<release_id>/…``: exactly the release's files (copies; immutable);
- ``latest/…``: real copies (never a symlink) of the current release's files under their fixed names
  (``latest/index_sector_year.csv``, ``latest/report.html`` …);
- ``sectors/<sector_code>.html``: one sector over every survey year;
- ``feed.xml`` (Atom), ``catalog.json``, ``404.html``, ``robots.txt``.

``write_site`` builds the new folder aside and swaps it in with two renames, so a reader of the local
folder sees the old site or the new one. ``python -m publication.site`` builds ``Paths.site``.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from publication.site.catalog import Releases, catalog_json, latest_names, read_releases
from publication.site.feed import feed_xml
from publication.site.pages import index_page, not_found_page, robots_txt, sector_page
from publication.site.sectors import release_rows, sectors

RELEASES_DIR = "releases"
LATEST_DIR = "latest"
SECTORS_DIR = "sectors"


@dataclass(frozen=True)
class Site:
    files: dict[str, bytes]  # path inside the site (posix) -> bytes
    current_release: str | None
    demonstration: bool


def build_site(releases: Releases, base_url: str = "") -> Site:
    files: dict[str, bytes] = {}
    for release in releases.releases:
        for f in release.files:
            files[f"{RELEASES_DIR}/{release.release_id}/{f.name}"] = f.data
    current = releases.current
    latest: list[str] = []
    sector_list = []
    index_rows: list = []
    component_rows: list = []
    if current is not None:
        latest = latest_names(current)
        for f in current.files:
            files[f"{LATEST_DIR}/{f.name}"] = f.data
        sector_list = sectors(current)
        index_rows, component_rows = release_rows(current)
        for sector in sector_list:
            files[f"{SECTORS_DIR}/{sector.code}.html"] = sector_page(releases, sector)
    codes = [s.code for s in sector_list]
    files["catalog.json"] = catalog_json(releases, codes, base_url)
    files["feed.xml"] = feed_xml(releases, base_url)
    files["404.html"] = not_found_page(releases, base_url)
    files["robots.txt"] = robots_txt()
    files["index.html"] = index_page(releases, sector_list, index_rows, component_rows, latest)
    return Site(
        dict(sorted(files.items())), current.release_id if current else None, bool(current and current.demonstration)
    )


def build_from(releases_root: Path, base_url: str = "") -> Site:
    return build_site(read_releases(releases_root), base_url)


def write_site(site: Site, target: Path) -> Path:
    """Write ``site`` into ``target`` (replaced whole): built in ``.<name>.partial`` beside it, then
    swapped in by renames. Every file is a plain file (no symlink)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.partial")
    old = target.with_name(f".{target.name}.old")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    for name, data in site.files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if target.exists():
        os.rename(target, old)
    os.rename(staging, target)
    if old.exists():
        shutil.rmtree(old)
    return target


def main() -> None:
    from storage.paths import Paths

    paths = Paths.from_env()
    site = build_from(paths.releases, os.environ.get("RBI_SITE_URL", "").strip())
    folder = write_site(site, paths.site)
    demo = " (DEMONSTRATION data)" if site.demonstration else ""
    print(f"[site] {len(site.files)} files, current release {site.current_release}{demo}: {folder / 'index.html'}")


if __name__ == "__main__":
    main()
