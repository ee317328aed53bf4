"""The site's files as published: kind, Content-Type, Cache-Control, checksums, and the order."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from publication.site.builder import LATEST_DIR, RELEASES_DIR, SECTORS_DIR
from publication.site.catalog import media_type

STAGES = ("release", "verify", "latest", "sector", "page", "catalog", "feed", "index")
CACHE_CONTROL = {
    "release": "public, max-age=31536000, immutable",
    "latest": "public, max-age=300",
    "sector": "public, max-age=300",
    "page": "public, max-age=3600",
    "catalog": "public, max-age=300",
    "feed": "public, max-age=300",
    "index": "public, max-age=60",
}
SHA256_METADATA = "sha256"  # x-amz-meta-sha256 on every object


class PublishError(RuntimeError):
    """The publication stopped; what was already published stays consistent."""


class ImmutableConflict(PublishError):
    """A release path exists on the target with other bytes: releases are never overwritten."""


def kind_of(path: str) -> str:
    if path.startswith(RELEASES_DIR + "/"):
        return "release"
    if path.startswith(LATEST_DIR + "/"):
        return "latest"
    if path.startswith(SECTORS_DIR + "/"):
        return "sector"
    return {"catalog.json": "catalog", "feed.xml": "feed", "index.html": "index"}.get(path, "page")


@dataclass(frozen=True)
class SiteFile:
    path: str
    data: bytes = field(repr=False)
    kind: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def md5(self) -> str:
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    @property
    def content_type(self) -> str:
        return media_type(self.path)

    @property
    def cache_control(self) -> str:
        return CACHE_CONTROL[self.kind]


def ordered(files: Mapping[str, bytes]) -> list[SiteFile]:
    """The site's files in publication order (stage, then path)."""
    out = [SiteFile(path, data, kind_of(path)) for path, data in files.items()]
    return sorted(out, key=lambda f: (STAGES.index(f.kind), f.path))
