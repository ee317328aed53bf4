"""``feed.xml``: an Atom feed (feedgen) with one entry per release and one more per correction.

Every date is a release date (never the clock), ids are tag URIs built from release ids, so the same
releases give the same bytes. Links are relative to the site unless a base URL is given (``RBI_SITE_URL``).
"""

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from publication.site.catalog import Release, Releases

FEED_ID = "tag:rapporteringsbyrdeindeksen.no,2025:site"
TITLE = "Rapporteringsbyrdeindeksen / Reporting Burden Index — utgivelser / releases"
AUTHOR = "Rapporteringsbyrdeindeksen"


def _when(created_at: str) -> datetime:
    """A release date (or ISO datetime) as an aware datetime (a date is midnight UTC)."""
    text = created_at or "1970-01-01"
    if "T" not in text:
        text += "T00:00:00+00:00"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _url(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def _changed_values(release: Release) -> int:
    tables = release.changes.get("tables") or {}
    return sum(int((tables.get(n) or {}).get("values_changed_count", 0)) for n in sorted(tables))


def release_summary(release: Release) -> str:
    demo = " DEMONSTRASJONSDATA / DEMONSTRATION DATA: invented numbers." if release.demonstration else ""
    return (
        f"Utgivelse / release {release.release_id}, {release.created_at}, metode / method "
        f"{release.method_version}, datastatus / data status {release.data_status}.{demo} "
        f"Endringer / changes: {release.changelog}"
    )


def feed_xml(releases: Releases, base_url: str = "") -> bytes:
    fg = FeedGenerator()
    fg.id(FEED_ID)
    fg.title(TITLE)
    fg.subtitle("Nye utgivelser og rettelser / new releases and corrections")
    fg.author({"name": AUTHOR})
    fg.link(href=_url(base_url, "feed.xml"), rel="self", type="application/atom+xml")
    fg.link(href=_url(base_url, "index.html"), rel="alternate", type="text/html")
    fg.language("nb")
    fg.rights("CC BY 4.0")
    fg.updated(_when(releases.newest_date))
    for release in releases.releases:  # oldest first; feedgen prepends, so the newest comes first
        when = _when(release.created_at)
        entry = fg.add_entry()
        entry.id(f"tag:rapporteringsbyrdeindeksen.no,2025:release/{release.release_id}")
        entry.title(
            f"{'Rettelse / correction: ' if release.correction else ''}Utgivelse / release {release.release_id}"
        )
        entry.updated(when)
        entry.published(when)
        entry.link(href=_url(base_url, f"releases/{release.release_id}/report.html"), rel="alternate", type="text/html")
        entry.summary(release_summary(release))
        entry.category(term="release", label="utgivelse / release")
        if release.demonstration:
            entry.category(term="demonstration", label="demonstrasjonsdata / demonstration data")
        if release.correction:
            correction = fg.add_entry()
            correction.id(f"tag:rapporteringsbyrdeindeksen.no,2025:correction/{release.release_id}")
            correction.title(f"Rettelse / correction: {_changed_values(release)} publiserte verdier / published values")
            correction.updated(when)
            correction.published(when)
            correction.link(
                href=_url(base_url, f"releases/{release.release_id}/changes.json"),
                rel="alternate",
                type="application/json",
            )
            correction.summary(
                f"Utgivelse / release {release.release_id} retter tidligere publiserte tall / corrects numbers "
                f"published before ({release.changes.get('previous_release')}). {release.changelog}"
            )
            correction.category(term="correction", label="rettelse / correction")
    return fg.atom_str(pretty=True)
