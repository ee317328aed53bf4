"""One releases folder (two releases by the real release builder) per test session, and its site."""

from pathlib import Path

import pytest

from publication.site.builder import Site, build_from
from tests.publication.site.site_sample import make_releases


@pytest.fixture(scope="session")
def releases_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_releases(tmp_path_factory.mktemp("site-releases") / "releases")


@pytest.fixture(scope="session")
def site(releases_root: Path) -> Site:
    return build_from(releases_root)
