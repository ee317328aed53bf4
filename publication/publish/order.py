"""The publication: plan (what to upload, in order), upload, verify; a re-run completes an interrupted one."""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from publication.publish.files import ImmutableConflict, PublishError, SiteFile, ordered
from publication.publish.targets import AlreadyExists, Remote, Target

VERIFY_ATTEMPTS = 5
VERIFY_BASE_DELAY = 0.5  # seconds, doubled per attempt


@dataclass(frozen=True)
class Step:
    stage: str
    path: str
    action: str  # 'upload' | 'unchanged' | 'verify'


@dataclass
class Outcome:
    target: str
    steps: list[Step] = field(default_factory=list)

    @property
    def uploaded(self) -> list[str]:
        return [s.path for s in self.steps if s.action == "upload"]

    @property
    def unchanged(self) -> list[str]:
        return [s.path for s in self.steps if s.action == "unchanged"]


def _same(remote: Remote | None, file: SiteFile) -> bool:
    if remote is None or remote.size != len(file.data):
        return False
    if remote.sha256 is not None:
        return remote.sha256 == file.sha256
    return remote.md5 == file.md5


def plan(files: Mapping[str, bytes], listing: Mapping[str, Remote]) -> list[Step]:
    """What a publication does, in order (the dry run prints it). Raises ImmutableConflict when a
    release file exists with other bytes."""
    steps = []
    ordered_files = ordered(files)
    for file in ordered_files:
        if file.kind == "release" and file.path in listing and not _same(listing[file.path], file):
            raise ImmutableConflict(
                f"{file.path} is already published with other bytes; a release is never overwritten "
                "(publish the change as a new release)"
            )
        if file.kind != "release":
            continue
        steps.append(Step("release", file.path, "unchanged" if _same(listing.get(file.path), file) else "upload"))
    steps += [Step("verify", f.path, "verify") for f in ordered_files if f.kind == "release"]
    for file in ordered_files:
        if file.kind != "release":
            steps.append(Step(file.kind, file.path, "unchanged" if _same(listing.get(file.path), file) else "upload"))
    return steps


def verify(target: Target, file: SiteFile, sleep: Callable[[float], None] = time.sleep) -> None:
    """Read the object back (size, sha256 metadata or ETag) until it matches, with backoff: an
    eventually consistent store may answer late."""
    seen: Remote | None = None
    for attempt in range(VERIFY_ATTEMPTS):
        seen = target.head(file.path)
        if seen is not None and _same(seen, file):
            return
        if attempt + 1 < VERIFY_ATTEMPTS:
            sleep(VERIFY_BASE_DELAY * 2**attempt)
    state = "missing" if seen is None else "differs"
    raise PublishError(f"{file.path}: {state} on {target.description} after {VERIFY_ATTEMPTS} checks")


def publish_files(
    files: Mapping[str, bytes],
    target: Target,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Publish ``files`` (site path -> bytes) to ``target`` in the order of ``STAGES``."""
    by_path = {f.path: f for f in ordered(files)}
    steps = plan(files, target.listing())
    outcome = Outcome(target.description)
    verified = [s.path for s in steps if s.action == "verify"]
    for step in steps:
        if dry_run:
            if step.action == "upload":
                log(f"{step.stage:8} {step.action:9} {step.path}")
            elif step.action == "verify" and step.path == verified[0]:
                log(f"{'verify':8} {'verify':9} {len(verified)} release file(s): size and sha256 read back")
            outcome.steps.append(step)
            continue
        file = by_path[step.path]
        if step.action == "upload":
            if step.stage == "release":
                try:
                    target.put(file, create_only=True)
                except AlreadyExists:
                    # another publisher got there first: fine if the bytes are the same
                    if not _same(target.head(file.path), file):
                        raise ImmutableConflict(f"{file.path} appeared with other bytes; not overwritten") from None
            else:
                target.put(file, create_only=False)
            log(f"{step.stage:8} uploaded  {step.path}")
        elif step.action == "verify":
            verify(target, file, sleep)
        outcome.steps.append(step)
    return outcome
