"""Release identity: what a release id promises, and how presentation enters it.

A release id has two parts, ``<numbers id>-p<presentation revision>``:

- the **numbers id** comes from the warehouse (dbt ``int_release``): demonstration prefix, method
  version, a ``b<B>`` segment when the bootstrap runs with a non-default number of replicates
  (``RBI_BOOTSTRAP_REPLICATES``: such a build can never claim the official id), the release date
  and a hash of the inputs. Same inputs and method -> same numbers id.
- the **presentation revision** is a short hash of everything that shapes the published files
  besides the numbers: the publication code (this package's ``*.py``, by file name and content), the
  documents and glossary it renders (docs/methodology.md, docs/methodology-summary.md, the marts'
  titles and units in _marts.yml, the seeds flags.csv and components.csv) and the pinned library
  versions that write the bytes (requirements.lock).

So a change of report, docs or workbook code publishes a NEW release (changelog: "Presentation
changed, numbers unchanged"), never a conflict, while a release folder stays immutable and
byte-reproducible: the same id always means the same inputs, method and presentation, hence the same
bytes. A ReleaseConflict now means the computation changed without a method version bump.
"""

import hashlib
from dataclasses import replace
from functools import cache
from pathlib import Path

from publication.release_info import ReleaseInfo
from storage.paths import REPO_ROOT

PACKAGE = Path(__file__).resolve().parent  # publication/
PRESENTATION_FILES = (
    "docs/methodology.md",
    "docs/methodology-summary.md",
    "dbt_project/models/marts/_marts.yml",
    "dbt_project/seeds/flags.csv",
    "dbt_project/seeds/components.csv",
    "requirements.lock",
)
SEPARATOR = "-p"
REVISION_LENGTH = 6


def presentation_sources() -> list[tuple[str, Path]]:
    """(name, path) of every presentation source; names do not depend on where the package lives."""
    sources = [(f"publication/{p.name}", p) for p in sorted(PACKAGE.glob("*.py"))]
    return sources + [(name, REPO_ROOT / name) for name in PRESENTATION_FILES]


def revision_of(sources: list[tuple[str, Path]]) -> str:
    """Short sha256 over the names and bytes of ``sources``."""
    digest = hashlib.sha256()
    for name, path in sources:
        data = path.read_bytes() if path.exists() else b"(missing)"
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:REVISION_LENGTH]


@cache
def presentation_revision() -> str:
    """The presentation revision of this checkout (see the module docstring)."""
    return revision_of(presentation_sources())


def with_presentation(info: ReleaseInfo, revision: str | None = None) -> ReleaseInfo:
    """``info`` with the presentation revision appended to its (numbers) release id."""
    return replace(info, release_id=f"{info.release_id}{SEPARATOR}{revision or presentation_revision()}")


def numbers_id(release_id: str) -> str:
    """The numbers part of a release id (ids from before presentation revisions are all numbers)."""
    head, sep, tail = release_id.rpartition(SEPARATOR)
    if sep and len(tail) == REVISION_LENGTH and all(c in "0123456789abcdef" for c in tail):
        return head
    return release_id
