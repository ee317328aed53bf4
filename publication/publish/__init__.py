"""Publish the site (publication/site/) to a local folder or S3-compatible object storage, in an order
that never shows a broken site.

Target (``RBI_PUBLISH_TARGET``, read when called): unset -> the local site folder ``Paths.site``; a
path or ``file:///path`` -> that folder (e.g. a web server's document root); ``s3://bucket/prefix``
-> S3 or any S3 API through boto3, with credentials, region and endpoint from the standard AWS
variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``/``AWS_DEFAULT_REGION``,
``AWS_ENDPOINT_URL`` for MinIO and other non-AWS servers). ``RBI_SITE_URL``: the site's public base
URL, for absolute links in the feed and the 404 page (optional).

Order (``STAGES``): every release file (create-only: a release path is never overwritten), a
verification of each release object (size and sha256 read back, with retries), then ``latest/``, the
sector pages, the other pages (404.html, robots.txt), ``catalog.json``, ``feed.xml`` and ``index.html``
last. The front page and the feed only ever point at release files already verified, so an
interrupted publication leaves the previous site readable and the next run completes it. A re-run
uploads only what is missing or changed (compared by MD5/ETag and sha256); a release file that exists
with other bytes is refused (``ImmutableConflict``), never replaced. Nothing is deleted.

``python -m publication.publish [--dry-run]`` prints what would be uploaded, in order, and publishes
(``__main__.py``); ``files`` holds the kinds and headers, ``targets`` the folder and S3 targets,
``order`` the plan, uploads and verification.
"""

from publication.publish.files import STAGES, ImmutableConflict, PublishError, SiteFile, ordered
from publication.publish.order import Outcome, plan, publish_files, verify
from publication.publish.targets import LocalTarget, S3Target, target_from

__all__ = [
    "STAGES",
    "ImmutableConflict",
    "LocalTarget",
    "Outcome",
    "PublishError",
    "S3Target",
    "SiteFile",
    "ordered",
    "plan",
    "publish_files",
    "target_from",
    "verify",
]
