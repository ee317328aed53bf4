"""``python -m publication.publish [--dry-run]``: build the site from the releases and publish it to
``RBI_PUBLISH_TARGET`` (default: the local site folder); see publication/publish/__init__.py."""

import argparse
import os
import sys
from collections.abc import Iterable

from publication.publish.order import Outcome, publish_files
from publication.publish.targets import target_from
from publication.site.builder import build_from


def summary(outcome: Outcome, dry_run: bool) -> str:
    verb = "would upload" if dry_run else "uploaded"
    return f"[publish] {outcome.target}: {verb} {len(outcome.uploaded)} file(s), {len(outcome.unchanged)} unchanged"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m publication.publish",
        description="Publish the site to RBI_PUBLISH_TARGET, in an order that never shows a broken site.",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be uploaded, in order; change nothing")
    args = parser.parse_args(list(argv) if argv is not None else None)

    from storage.paths import Paths

    paths = Paths.from_env()
    target = target_from(os.environ.get("RBI_PUBLISH_TARGET", ""), paths.site)
    site = build_from(paths.releases, os.environ.get("RBI_SITE_URL", "").strip())
    if site.current_release is None:
        print(f"[publish] no release under {paths.releases}: nothing to publish (make run)", file=sys.stderr)
        return 1
    try:
        outcome = publish_files(site.files, target, dry_run=args.dry_run)
    except Exception as exc:
        if not args.dry_run:
            from orchestration.publication.alerts import notify_publish_failure

            notify_publish_failure(target.description, site.current_release, type(exc).__name__)
        print(f"[publish] stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(summary(outcome, args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
