"""The Dagster asset publication/site: builds output/site/ from the releases, publishes to
RBI_PUBLISH_TARGET when set, and on a failure alerts (webhook) and fails the step."""

import json
import shutil
from pathlib import Path

import pytest
from dagster import materialize

from orchestration.publication.site import site as site_asset
from orchestration.resources import PipelinePaths
from publication.site.builder import Site
from tests.orchestration.alert_sinks import HttpSink
from tests.publication.site.site_sample import FIRST, SECOND


@pytest.fixture
def output(tmp_path: Path, releases_root: Path) -> Path:
    out = tmp_path / "output"
    shutil.copytree(releases_root, out / "releases", symlinks=True)
    return out


def run(output: Path):
    return materialize([site_asset], resources={"pipeline_paths": PipelinePaths(output_dir=str(output))},
                       raise_on_error=False)  # fmt: skip


def test_asset_builds_the_site_and_publishes_to_the_target(
    output: Path, site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RBI_SITE_URL", raising=False)
    monkeypatch.setenv("RBI_PUBLISH_TARGET", str(tmp_path / "www"))
    result = run(output)
    assert result.success
    built = {
        p.relative_to(output / "site").as_posix(): p.read_bytes() for p in (output / "site").rglob("*") if p.is_file()
    }
    assert built == site.files
    published = {p.relative_to(tmp_path / "www").as_posix() for p in (tmp_path / "www").rglob("*") if p.is_file()}
    assert published == set(site.files)
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert metadata["current_release"].value == SECOND and metadata["uploaded"].value == len(site.files)


def test_asset_alerts_and_fails_when_publication_stops(
    output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    www = tmp_path / "www"
    (www / "releases" / FIRST).mkdir(parents=True)
    (www / "releases" / FIRST / "README.txt").write_bytes(b"not the release\n")
    monkeypatch.setenv("RBI_PUBLISH_TARGET", str(www))
    sink = HttpSink()
    try:
        monkeypatch.setenv("RBI_ALERT_WEBHOOK_URL", sink.url)
        result = run(output)
    finally:
        sink.stop()
    assert not result.success
    assert (output / "site" / "index.html").is_file()  # the local build is done before publishing
    assert not (www / "index.html").exists()
    [body] = sink.bodies
    alert = json.loads(body)
    assert alert["kind"] == "publish_failure" and alert["published_release"] == SECOND
    assert "ImmutableConflict" in alert["summary"]
