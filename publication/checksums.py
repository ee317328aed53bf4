"""``SHA256SUMS`` of a release, in the format ``sha256sum -c`` reads (``<hex>  <name>``, sorted)."""

import hashlib
from pathlib import Path

SUMS_FILE = "SHA256SUMS"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256sums(files: dict[str, bytes]) -> bytes:
    """The checksum file of ``files`` (name -> bytes); names must be plain (no newline, no backslash)."""
    lines = []
    for name in sorted(files):
        if "\n" in name or "\\" in name or name == SUMS_FILE:
            raise ValueError(f"cannot list {name!r} in {SUMS_FILE}")
        lines.append(f"{sha256_hex(files[name])}  {name}\n")
    return "".join(lines).encode("utf-8")


def verify(folder: Path) -> list[str]:
    """Problems found checking ``folder/SHA256SUMS`` against the files (empty list = all good)."""
    problems = []
    for line in (folder / SUMS_FILE).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_hex(path.read_bytes()) != digest:
            problems.append(f"{name}: checksum differs")
    return problems
