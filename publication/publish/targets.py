"""Where the site is published: a local folder or S3-compatible object storage (boto3).

Both answer the same four questions: what is there (``listing``), one object's size and checksums
(``head``), and ``put`` (create-only for release paths: ``os.link`` on a folder, a conditional
write ``If-None-Match: *`` on S3, which S3, MinIO and moto 5.2 answer with 412 when the key exists).
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from publication.publish.files import SHA256_METADATA, SiteFile
from storage.atomic import fsync_dir, write_synced


class AlreadyExists(Exception):
    """A create-only put found the key taken."""


@dataclass(frozen=True)
class Remote:
    size: int
    md5: str | None  # the ETag of a single-part upload
    sha256: str | None  # our metadata, when read (head)


class Target(Protocol):
    description: str

    def listing(self) -> dict[str, Remote]: ...

    def head(self, path: str) -> Remote | None: ...

    def put(self, file: SiteFile, create_only: bool) -> None: ...


class LocalTarget:
    """A folder: files written aside and fsynced, then moved in (``os.replace``) and the folder
    fsynced (storage/atomic.py); create-only by ``os.link``, which fails when the name exists."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = str(folder)

    def _remote(self, path: Path) -> Remote:
        data = path.read_bytes()
        return Remote(len(data), hashlib.md5(data, usedforsecurity=False).hexdigest(), hashlib.sha256(data).hexdigest())

    def listing(self) -> dict[str, Remote]:
        if not self.folder.is_dir():
            return {}
        return {
            p.relative_to(self.folder).as_posix(): self._remote(p)
            for p in sorted(self.folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".tmp-")
        }

    def head(self, path: str) -> Remote | None:
        target = self.folder / path
        return self._remote(target) if target.is_file() else None

    def put(self, file: SiteFile, create_only: bool) -> None:
        target = self.folder / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{os.getpid()}-{target.name}")
        write_synced(tmp, file.data)  # storage/atomic.py
        try:
            if create_only:
                try:
                    os.link(tmp, target)
                except FileExistsError as exc:
                    raise AlreadyExists(file.path) from exc
            else:
                os.replace(tmp, target)
            fsync_dir(target.parent)
        finally:
            if tmp.exists():
                tmp.unlink()


class S3Target:
    """A bucket and prefix on S3 or an S3-compatible server. Create-only puts use a conditional write
    (``If-None-Match: *``, answered 412 when the key exists). The client retries throttling and
    transient errors itself (botocore standard retry mode)."""

    def __init__(self, bucket: str, prefix: str = "", client=None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client if client is not None else s3_client()
        self.description = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def listing(self) -> dict[str, Remote]:
        out = {}
        paginator = self.client.get_paginator("list_objects_v2")
        start = f"{self.prefix}/" if self.prefix else ""
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                etag = item.get("ETag", "").strip('"')
                out[item["Key"][len(start) :]] = Remote(item["Size"], etag if "-" not in etag else None, None)
        return out

    def head(self, path: str) -> Remote | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        etag = answer.get("ETag", "").strip('"')
        return Remote(
            answer["ContentLength"], etag if "-" not in etag else None, answer.get("Metadata", {}).get(SHA256_METADATA)
        )

    def put(self, file: SiteFile, create_only: bool) -> None:
        from botocore.exceptions import ClientError

        extra = {"IfNoneMatch": "*"} if create_only else {}
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(file.path),
                Body=file.data,
                ContentType=file.content_type,
                CacheControl=file.cache_control,
                Metadata={SHA256_METADATA: file.sha256},
                **extra,
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if create_only and code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                raise AlreadyExists(file.path) from exc
            raise


def s3_client():
    """A boto3 S3 client from the standard AWS environment (AWS_ENDPOINT_URL included), retrying
    transient errors with backoff."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(retries={"max_attempts": 8, "mode": "standard"}))


def target_from(setting: str, default: Path, client=None) -> Target:
    """The target named by ``RBI_PUBLISH_TARGET`` (empty -> ``default`` folder)."""
    setting = setting.strip()
    if not setting:
        return LocalTarget(default)
    parsed = urlparse(setting)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"RBI_PUBLISH_TARGET {setting!r}: no bucket (s3://bucket/prefix)")
        return S3Target(parsed.netloc, parsed.path, client)
    if parsed.scheme == "file":
        return LocalTarget(Path(parsed.path))
    if parsed.scheme:
        raise ValueError(f"RBI_PUBLISH_TARGET {setting!r}: use s3://bucket/prefix, file:///path or a path")
    return LocalTarget(Path(setting).expanduser().resolve())
