"""Publishing the site: the order (release files, verification, latest/, sectors, catalog, feed,
index.html last), create-only release paths, re-runs that upload only what changed, an interrupted
publication completed by the next run without the front page ever pointing at a missing file, the
headers per kind, and alerts on failure. S3 against moto in server mode on 127.0.0.1."""

import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from publication.publish import (
    STAGES,
    ImmutableConflict,
    LocalTarget,
    PublishError,
    S3Target,
    plan,
    publish_files,
    target_from,
)
from publication.publish import __main__ as cli
from publication.publish.files import CACHE_CONTROL, SiteFile, kind_of
from publication.site.builder import Site
from tests.publication.site.site_sample import FIRST, SECOND

BUCKET = "rbi-site"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", config=Config(retries={"max_attempts": 2, "mode": "standard"}))
    bucket = f"{BUCKET}-{hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]}"  # one per test
    client.create_bucket(Bucket=bucket)
    return client, bucket


class Interrupted(RuntimeError):
    pass


class FailingTarget:
    """A target whose connection breaks after ``puts`` successful puts (the rest is the real target)."""

    def __init__(self, target, puts: int) -> None:
        self.target, self.left = target, puts
        self.description = target.description
        self.put_paths: list[str] = []

    def listing(self):
        return self.target.listing()

    def head(self, path):
        return self.target.head(path)

    def put(self, file, create_only):
        if self.left == 0:
            raise Interrupted(f"connection lost before {file.path}")
        self.left -= 1
        self.target.put(file, create_only)
        self.put_paths.append(file.path)


def objects(client, bucket: str, prefix: str = "") -> dict[str, bytes]:
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            out[item["Key"][len(prefix) :]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return out


def site_files(releases_root: Path) -> dict[str, bytes]:
    from publication.site.builder import build_from

    return build_from(releases_root).files


def no_sleep(seconds: float) -> None:
    pass


def local_links(page: str, page_path: str) -> set[str]:
    """Site paths an HTML page links to (fragments dropped, only internal relative links)."""
    base = page_path.rsplit("/", 1)[0] + "/" if "/" in page_path else ""
    out = set()
    for href in re.findall(r'href="([^"#]+)', page):
        if "://" in href:
            continue
        parts = (base + href).split("/")
        resolved: list[str] = []
        for part in parts:
            if part == "..":
                resolved.pop()
            elif part and part != ".":
                resolved.append(part)
        out.add("/".join(resolved))
    return out


def test_order_puts_release_files_first_and_index_last(site: Site) -> None:
    steps = plan(site.files, {})
    stages = [s.stage for s in steps]
    assert stages == sorted(stages, key=STAGES.index)  # never goes back to an earlier stage
    assert stages[0] == "release" and steps[-1].path == "index.html"
    assert [s.path for s in steps if s.stage in ("catalog", "feed", "index")] == [
        "catalog.json", "feed.xml", "index.html"
    ]  # fmt: skip
    verified = {s.path for s in steps if s.stage == "verify"}
    assert verified == {p for p in site.files if p.startswith("releases/")}
    first_latest = stages.index("latest")
    assert all(s == "release" or s == "verify" for s in stages[:first_latest])


def test_headers_per_kind() -> None:
    assert kind_of(f"releases/{FIRST}/report.html") == "release"
    release = SiteFile(f"releases/{FIRST}/index_sector_year.csv", b"x", "release")
    assert "immutable" in release.cache_control and "max-age=31536000" in release.cache_control
    assert release.content_type == "text/csv; charset=utf-8"
    for kind in ("latest", "index", "feed"):
        assert "immutable" not in CACHE_CONTROL[kind]
        assert int(re.search(r"max-age=(\d+)", CACHE_CONTROL[kind]).group(1)) <= 300
    assert SiteFile("feed.xml", b"", "feed").content_type.startswith("application/atom+xml")
    assert SiteFile("catalog.json", b"", "catalog").content_type == "application/json"


def test_local_folder_publication_is_idempotent_and_refuses_a_changed_release(tmp_path: Path, site: Site) -> None:
    target = LocalTarget(tmp_path / "www")
    first = publish_files(site.files, target, log=lambda line: None)
    assert len(first.uploaded) == len(site.files)
    assert {p.relative_to(tmp_path / "www").as_posix() for p in (tmp_path / "www").rglob("*") if p.is_file()} == set(
        site.files
    )
    again = publish_files(site.files, target, log=lambda line: None)
    assert again.uploaded == []
    changed = dict(site.files)
    changed["index.html"] = changed["index.html"] + b"\n"
    assert publish_files(changed, target, log=lambda line: None).uploaded == ["index.html"]
    key = f"releases/{FIRST}/index_sector_year.csv"
    tampered = {**site.files, key: site.files[key] + b"extra\n"}
    with pytest.raises(ImmutableConflict):
        publish_files(tampered, target, log=lambda line: None)
    assert (tmp_path / "www" / key).read_bytes() == site.files[key]


def test_target_from_setting(tmp_path: Path) -> None:
    assert isinstance(target_from("", tmp_path), LocalTarget)
    assert target_from("", tmp_path).description == str(tmp_path)
    assert target_from(f"file://{tmp_path}/www", tmp_path).description == f"{tmp_path}/www"
    s3 = target_from("s3://bucket/some/prefix/", tmp_path, client=object())
    assert isinstance(s3, S3Target) and s3.bucket == "bucket" and s3.key("index.html") == "some/prefix/index.html"
    with pytest.raises(ValueError):
        target_from("ftp://host/x", tmp_path)


def test_s3_publication_with_headers_checksums_and_a_quiet_rerun(s3, site: Site) -> None:
    client, bucket = s3
    target = target_from(f"s3://{bucket}/rbi", Path("/nonexistent"))
    outcome = publish_files(site.files, target, log=lambda line: None, sleep=no_sleep)
    assert len(outcome.uploaded) == len(site.files)
    assert objects(client, bucket, "rbi/") == site.files
    release_key = f"rbi/releases/{SECOND}/index_sector_year.csv"
    head = client.head_object(Bucket=bucket, Key=release_key)
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["CacheControl"] == CACHE_CONTROL["release"]
    assert head["Metadata"]["sha256"] == SiteFile("x", site.files[release_key[4:]], "release").sha256
    assert client.head_object(Bucket=bucket, Key="rbi/index.html")["CacheControl"] == CACHE_CONTROL["index"]
    assert (
        client.head_object(Bucket=bucket, Key="rbi/latest/index_sector_year.csv")["CacheControl"]
        == (CACHE_CONTROL["latest"])
    )
    assert client.head_object(Bucket=bucket, Key="rbi/feed.xml")["ContentType"].startswith("application/atom+xml")
    assert publish_files(site.files, target, log=lambda line: None, sleep=no_sleep).uploaded == []


def test_release_path_is_never_overwritten_on_s3(s3, site: Site) -> None:
    client, bucket = s3
    target = S3Target(bucket, "", client)
    key = f"releases/{FIRST}/report.html"
    # the conditional put itself: moto 5.2 answers If-None-Match: * with 412 on an existing key
    client.put_object(Bucket=bucket, Key=key, Body=b"someone else's bytes")
    with pytest.raises(client.exceptions.ClientError) as refused:
        client.put_object(Bucket=bucket, Key=key, Body=b"other", IfNoneMatch="*")
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(ImmutableConflict):
        publish_files(site.files, target, log=lambda line: None, sleep=no_sleep)
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"someone else's bytes"
    assert "Contents" not in client.list_objects_v2(Bucket=bucket, Prefix="index.html")  # nothing else went up


@pytest.mark.parametrize("where", ["in the release files", "in latest/", "just before index.html"])
def test_interrupted_s3_publication_is_completed_and_index_never_points_at_missing_files(
    s3, site: Site, where: str
) -> None:
    client, bucket = s3
    real = S3Target(bucket, "site", client)
    # an older site is online: the first release only
    old_files = {p: d for p, d in site.files.items() if not p.startswith(f"releases/{SECOND}/")}
    old_files = {p: d for p, d in old_files.items() if p.startswith(f"releases/{FIRST}/")}
    old_files["index.html"] = b'<a href="releases/' + FIRST.encode() + b'/report.html">r</a>'
    publish_files(old_files, real, log=lambda line: None, sleep=no_sleep)

    to_put = [s for s in plan(site.files, real.listing()) if s.action == "upload"]
    first_latest = next(i for i, s in enumerate(to_put) if s.stage == "latest")
    after = {"in the release files": 3, "in latest/": first_latest + 5, "just before index.html": len(to_put) - 1}[
        where
    ]
    assert to_put[-1].path == "index.html" and after < len(to_put)  # the put that fails is never skipped
    broken = FailingTarget(real, after)
    with pytest.raises(Interrupted):
        publish_files(site.files, broken, log=lambda line: None, sleep=no_sleep)
    online = objects(client, bucket, "site/")
    index = online["index.html"].decode()
    assert all(link in online for link in local_links(index, "index.html")), "index.html links a missing file"
    assert index == old_files["index.html"].decode()  # the new front page was not reached
    assert all(p.startswith("releases/") for p in broken.put_paths[: min(after, 10)])

    done = publish_files(site.files, real, log=lambda line: None, sleep=no_sleep)
    assert set(done.uploaded).isdisjoint(broken.put_paths)  # what got there is not sent again
    online = objects(client, bucket, "site/")
    assert {p: online[p] for p in site.files} == site.files
    for page in [p for p in site.files if p.endswith(".html") and not p.startswith(("releases/", "latest/"))]:
        missing = {link for link in local_links(online[page].decode(), page) if link not in online}
        assert not missing, (page, missing)


def test_verification_retries_then_fails_without_touching_the_front_page(tmp_path: Path, site: Site) -> None:
    class LyingTarget(LocalTarget):
        """Accepts puts of release files but never stores them (a store that loses writes)."""

        def put(self, file, create_only):
            if not file.path.startswith("releases/"):
                super().put(file, create_only)

    target = LyingTarget(tmp_path / "www")
    waits: list[float] = []
    with pytest.raises(PublishError, match="missing"):
        publish_files(site.files, target, log=lambda line: None, sleep=waits.append)
    assert waits == [0.5, 1.0, 2.0, 4.0]  # backoff between the read-backs
    assert not (tmp_path / "www" / "index.html").exists()


def test_cli_dry_run_prints_the_order_and_changes_nothing(
    tmp_path: Path, releases_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "releases").symlink_to(releases_root)
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(output))
    monkeypatch.setenv("RBI_PUBLISH_TARGET", str(tmp_path / "www"))
    assert cli.main(["--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not (tmp_path / "www").exists()
    uploads = [line.split()[-1] for line in lines if line.split()[1:2] == ["upload"]]
    assert uploads[0].startswith("releases/") and uploads[-1] == "index.html"
    [verify_line] = [line for line in lines if line.split()[:2] == ["verify", "verify"]]
    assert f"{sum(1 for p in site_files(releases_root) if p.startswith('releases/'))} release file(s)" in verify_line
    assert lines.index(verify_line) > max(i for i, line in enumerate(lines) if line.startswith("release "))
    assert lines.index(verify_line) < min(i for i, line in enumerate(lines) if line.startswith("latest "))
    assert "would upload" in lines[-1]
    assert cli.main([]) == 0
    assert (tmp_path / "www" / "index.html").exists()
    assert cli.main(["--dry-run"]) == 0
    assert "would upload 0 file(s)" in capsys.readouterr().out


def test_cli_failure_alerts_through_the_webhook(
    tmp_path: Path, releases_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import json

    from tests.orchestration.alert_sinks import HttpSink

    output = tmp_path / "output"
    output.mkdir()
    (output / "releases").symlink_to(releases_root)
    www = tmp_path / "www"
    (www / "releases" / FIRST).mkdir(parents=True)
    (www / "releases" / FIRST / "report.html").write_bytes(b"tampered")
    monkeypatch.setenv("RBI_OUTPUT_DIR", str(output))
    monkeypatch.setenv("RBI_PUBLISH_TARGET", str(www))
    sink = HttpSink()
    try:
        monkeypatch.setenv("RBI_ALERT_WEBHOOK_URL", sink.url)
        assert cli.main([]) == 2
    finally:
        sink.stop()
    assert "ImmutableConflict" in capsys.readouterr().err
    assert len(sink.bodies) == 1
    alert = json.loads(sink.bodies[0])
    assert alert["kind"] == "publish_failure" and alert["published_release"] == SECOND
    assert "ImmutableConflict" in alert["summary"] and "tampered" not in str(alert)
    assert not (www / "index.html").exists()
