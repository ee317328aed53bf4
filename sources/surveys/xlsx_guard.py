"""Checks on an .xlsx workbook *before* it is parsed: sizes, compression ratios, rows, columns and
formula cells without a cached value.

An .xlsx is a ZIP of XML files. A few megabytes can inflate to gigabytes (a "zip bomb", e.g.
shared strings repeated a million times), which would take the reader minutes and more memory
than the machine has. So, with only a small buffer in memory:

1. every member's *declared* uncompressed size and compression ratio are checked from the ZIP
   directory (instant; refuses an honest bomb before a byte is inflated);
2. every member is then inflated in 1 MiB blocks and its *real* size counted, stopping at the
   limit (a ZIP directory can lie);
3. while the chosen sheet streams past, its ``<dimension>``, its rows and its formula cells are
   looked at: a cell holding a formula but no cached value (a workbook written by a program and
   never opened in Excel) would read as empty, so it is reported as a row problem instead.

Limits (documented in docs/survey-mapping.md):
"""

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one XML file of the workbook, inflated
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all of them
MAX_RATIO = 200  # inflated / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 2_000
MAX_MEMBERS = 10_000
BLOCK = 1 << 20

__doc__ += f"""
- each member at most {MAX_MEMBER_BYTES // 2**20} MiB inflated, all together {MAX_TOTAL_BYTES // 2**20} MiB;
- a member above {RATIO_FLOOR // 2**20} MiB inflates at most {MAX_RATIO} times its compressed size;
- at most {MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns in the sheet; at most {MAX_MEMBERS:,} members.
"""

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_STR_TYPE = re.compile(rb"\bt=\"str\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s*/>|>\s*</(?:\w+:)?v>)")


class WorkbookRefused(ValueError):
    """The workbook is over a limit or not a workbook; the message says which and by how much."""


@dataclass
class SheetFacts:
    """What the guard saw in the chosen sheet."""

    member: str
    rows: int = 0
    columns: int = 0
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (sheet row, 0-based column)


def column_index(letters: bytes | str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    index = 0
    for char in letters if isinstance(letters, str) else letters.decode("ascii"):
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _small_xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    with book.open(name) as handle:
        data = handle.read(8 * 1024 * 1024 + 1)
    if len(data) > 8 * 1024 * 1024:
        raise WorkbookRefused(f"{name} is larger than 8 MiB")
    return ElementTree.fromstring(data)


def sheet_member(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str]:
    """(sheet name, ZIP member) of the named sheet, or of the first sheet."""
    try:
        workbook = _small_xml(book, "xl/workbook.xml")
        rels = _small_xml(book, "xl/_rels/workbook.xml.rels")
    except KeyError as exc:
        raise WorkbookRefused("not an .xlsx workbook (no xl/workbook.xml)") from exc
    except ElementTree.ParseError as exc:
        raise WorkbookRefused(f"not an .xlsx workbook (workbook.xml: {exc.msg})") from exc
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    sheets = [(s.get("name", ""), s.get(f"{{{REL_NS}}}id")) for s in workbook.iter(f"{{{MAIN_NS}}}sheet")]
    if not sheets:
        raise WorkbookRefused("the workbook has no sheet")
    chosen = next((s for s in sheets if s[0] == sheet), None) if sheet is not None else sheets[0]
    if chosen is None:
        return sheet or "", ""  # the reader reports the missing sheet with the names it has
    target = targets.get(chosen[1], "")
    member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return chosen[0], member


def _check_directory(book: zipfile.ZipFile) -> None:
    infos = book.infolist()
    if len(infos) > MAX_MEMBERS:
        raise WorkbookRefused(f"the workbook has {len(infos)} files inside (limit {MAX_MEMBERS})")
    total = 0
    for info in infos:
        total += info.file_size
        _check_size(info.filename, info.file_size, info.compress_size, "declares")
    if total > MAX_TOTAL_BYTES:
        raise WorkbookRefused(
            f"the workbook declares {total / 2**20:.0f} MiB inflated in all (limit {MAX_TOTAL_BYTES // 2**20} MiB)"
        )


def _check_size(name: str, size: int, compressed: int, verb: str) -> None:
    if size > MAX_MEMBER_BYTES:
        raise WorkbookRefused(
            f"{name} {verb} {size / 2**20:.0f} MiB inflated (limit {MAX_MEMBER_BYTES // 2**20} MiB): "
            "a compression bomb or far more than a survey export"
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        raise WorkbookRefused(
            f"{name} {verb} {size / max(compressed, 1):.0f} times its compressed size (limit {MAX_RATIO}): "
            "a compression bomb"
        )


def _scan_sheet_block(block: bytes, facts: SheetFacts) -> None:
    facts.rows += block.count(b"<row") + block.count(b":row ") + block.count(b":row>")  # an upper bound
    if (b"<f" not in block and b":f" not in block) or not _FORMULA.search(block):
        return
    for match in _CELL.finditer(block):
        body = match.group(2) or b""
        if not _FORMULA.search(body) or _VALUE.search(body):
            continue
        if _STR_TYPE.search(match.group(1)) and _EMPTY_VALUE.search(body):
            continue  # a formula whose cached value is the empty text
        ref = _REF.search(match.group(1))
        if ref is not None:
            facts.formulas_without_value.append((int(ref.group(2)), column_index(ref.group(1))))


def _stream_member(book: zipfile.ZipFile, info: zipfile.ZipInfo, facts: SheetFacts | None) -> int:
    """Inflate one member block by block, counting its real size; scan it if it is the sheet."""
    size, carry, first = 0, b"", True
    with book.open(info) as handle:
        while block := handle.read(BLOCK):
            size += len(block)
            _check_size(info.filename, size, info.compress_size, "inflates to more than")
            if facts is None:
                continue
            data = carry + block
            if first:
                first = False
                dimension = _DIMENSION.search(data[:65536])
                if dimension and dimension.group(3):
                    facts.columns = column_index(dimension.group(3)) + 1
                    _check_rows_columns(int(dimension.group(4)), facts.columns)
            end = max(data.rfind(b"row>"), 0)
            end = end + 4 if end else 0
            if not end and len(data) > 64 * BLOCK:
                raise WorkbookRefused(f"{info.filename}: a single row is larger than 64 MiB")
            _scan_sheet_block(data[:end], facts)
            carry = data[end:]
            _check_rows_columns(facts.rows, 0)
    if facts is not None and carry:
        _scan_sheet_block(carry, facts)
    return size


def _check_rows_columns(rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise WorkbookRefused(f"the sheet has more than {MAX_ROWS:,} rows")
    if columns > MAX_COLUMNS:
        raise WorkbookRefused(f"the sheet has {columns:,} columns (limit {MAX_COLUMNS:,})")


def guard_workbook(path: Path, sheet: str | None) -> SheetFacts:
    """Check the workbook against the limits (module doc); return what the chosen sheet holds.
    Raises :class:`WorkbookRefused`; never quotes a cell."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookRefused(f"not a readable .xlsx workbook ({type(exc).__name__})") from exc
    with book:
        _check_directory(book)
        _, member = sheet_member(book, sheet)
        facts = SheetFacts(member)
        total = 0
        for info in book.infolist():
            try:
                total += _stream_member(book, info, facts if info.filename == member else None)
            except WorkbookRefused:
                raise
            except Exception as exc:  # zipfile, zlib, CRC errors: a damaged member
                raise WorkbookRefused(f"{info.filename}: damaged ({type(exc).__name__})") from exc
            if total > MAX_TOTAL_BYTES:
                raise WorkbookRefused(f"the workbook inflates to more than {MAX_TOTAL_BYTES // 2**20} MiB in all")
    return facts
