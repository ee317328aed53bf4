"""Checks on an .xlsx workbook *before* it is parsed: sizes, compression ratios, rows, columns and
formula cells without a cached value.

An .xlsx is a ZIP of XML files. A few megabytes can inflate to gigabytes (a "zip bomb", e.g.
shared strings repeated a million times), which would take the reader minutes and more memory
than the machine has. So, with only a small buffer in memory:

1. every member's *declared* uncompressed size and compression ratio are checked from the ZIP
   directory (instant; refuses an honest bomb before a byte is inflated);
2. every member the reader will open (:func:`read_parts`: the workbook, its relationships, shared
   strings, styles, the chosen sheet, ...) is then inflated in 1 MiB blocks and its *real* size
   counted, stopping at the limit (a ZIP directory can lie); the other members (other sheets,
   drawings, images, document properties) are never opened by anyone, so their declared sizes,
   checked in step 1, are all that counts;
3. while the chosen sheet streams past, its ``<dimension>``, its rows and its formula cells are
   looked at: a cell holding a formula but no cached value (a workbook written by a program and
   never opened in Excel) would read as empty, so it is reported as a row problem instead.

Limits (documented in docs/survey-mapping.md):
"""

import re
import zipfile
import zlib
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
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # "Strict Open XML Spreadsheet"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: old .xls, or an encrypted .xlsx
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
HIDDEN_STATES = ("hidden", "veryHidden")
SHEET_KINDS = ("worksheet", "chartsheet", "dialogsheet", "macrosheet", "xlMacrosheet", "xlIntlMacrosheet")
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_STR_TYPE = re.compile(rb"\bt=\"str\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s*/>|>\s*</(?:\w+:)?v>)")
_ERROR_TYPE = re.compile(rb"\bt=\"e\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN = re.compile(rb"\bhidden=\"(?:1|true)\"")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_ROW_BODY = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)>")


class WorkbookRefused(ValueError):
    """The workbook is over a limit or not a workbook; the message says which and by how much."""


@dataclass
class SheetFacts:
    """What the guard saw in the chosen sheet."""

    member: str
    rows: int = 0
    columns: int = 0
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (sheet row, 0-based column)
    error_cells: list[tuple[int, int]] = field(default_factory=list)  # cached #N/A, #VALUE!, ... (sheet row, column)
    hidden_rows: list[int] = field(default_factory=list)  # sheet rows hidden (an autofilter, or by hand)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (first row, first col, last row, last col)
    title: str = ""  # the sheet's name
    sheets: list[str] = field(default_factory=list)  # every sheet's name, in order


def column_index(letters: bytes | str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    index = 0
    for char in letters if isinstance(letters, str) else letters.decode("ascii"):
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _small_xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        with book.open(name) as handle:
            data = handle.read(8 * 1024 * 1024 + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # KeyError (no such member) passes
        raise WorkbookRefused(f"{name}: damaged ({type(exc).__name__})") from exc
    if len(data) > 8 * 1024 * 1024:
        raise WorkbookRefused(f"{name} is larger than 8 MiB")
    return ElementTree.fromstring(data)


def _sheet_list(names: list[str], states: list[str]) -> str:
    return ", ".join(
        f"{n!r}" + (" (hidden)" if st in HIDDEN_STATES else "") for n, st in zip(names, states, strict=True)
    )


def sheet_member(book: zipfile.ZipFile, sheet: str | None) -> tuple[str, str, list[str]]:
    """(sheet name, ZIP member, every sheet name) of the named sheet or, when ``sheet`` is None, of
    the only visible sheet. Several visible sheets are refused with their names (the data may be on
    any of them); a hidden sheet is never read unless named."""
    try:
        workbook = _small_xml(book, "xl/workbook.xml")
        rels = _small_xml(book, "xl/_rels/workbook.xml.rels")
    except KeyError as exc:
        raise WorkbookRefused("not an .xlsx workbook (no xl/workbook.xml)") from exc
    except ElementTree.ParseError as exc:
        raise WorkbookRefused(f"not an .xlsx workbook (workbook.xml: {exc.msg})") from exc
    if workbook.tag.startswith(f"{{{STRICT_NS}}}"):
        raise WorkbookRefused(
            "the workbook is saved as 'Strict Open XML Spreadsheet', which the reader does not support: "
            "open it in Excel and save it as 'Excel Workbook (*.xlsx)'"
        )
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
    found = [s for s in workbook.iter(f"{{{MAIN_NS}}}sheet")]
    sheets = [(s.get("name", ""), s.get(f"{{{REL_NS}}}id")) for s in found]
    states = [s.get("state", "visible") for s in found]
    names = [name for name, _ in sheets]
    if not sheets:
        raise WorkbookRefused("the workbook has no sheet")
    if sheet is not None:
        chosen = next((s for s in sheets if s[0] == sheet), None)
        if chosen is None:
            raise WorkbookRefused(
                f"no sheet named {sheet!r} (sheets: {_sheet_list(names, states)}); set `export: {{sheet: ...}}` "
                "to one of them"
            )
    else:
        visible = [s for s, st in zip(sheets, states, strict=True) if st not in HIDDEN_STATES]
        if len(visible) != 1:
            what = "no visible sheet" if not visible else f"{len(visible)} visible sheets"
            raise WorkbookRefused(
                f"the workbook has {what} (sheets: {_sheet_list(names, states)}); name the sheet that holds the "
                "responses in the mapping: `export: {sheet: ...}`, or delete the other sheets"
            )
        chosen = visible[0]
    return chosen[0], _part(targets.get(chosen[1], "")), names


def _part(target: str) -> str:
    """A workbook relationship's target as a ZIP member name."""
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def read_parts(book: zipfile.ZipFile, member: str) -> set[str]:
    """The members the reader opens for the sheet ``member``, lower-case: the package's and the
    workbook's relationships and content types, the workbook, every part the workbook points to that
    is not a sheet (shared strings, styles, theme, metadata, ...), the sheet and its relationships.
    Other sheets, drawings, images, comments and document properties are never opened."""
    folder, _, name = member.rpartition("/")
    parts = {
        "[content_types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/sharedstrings.xml",
        "xl/styles.xml",
        member.lower(),
        f"{folder}/_rels/{name}.rels".lower(),
    }
    rels = _small_xml(book, "xl/_rels/workbook.xml.rels")
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if kind not in SHEET_KINDS and rel.get("TargetMode") != "External":
            parts.add(_part(rel.get("Target", "")).lower())
    return parts


def count_value_rows(path: Path, member: str) -> int:
    """A second, exact reading of a sheet: the rows holding at least one value (styled empty rows,
    which Excel writes when a format is applied to whole rows, do not count). Streams the member."""
    count, carry = 0, b""
    with zipfile.ZipFile(path) as book, book.open(member) as handle:
        while block := handle.read(BLOCK):
            data = carry + block
            end = data.rfind(b"row>")
            end = end + 4 if end >= 0 else 0
            for match in _ROW_BODY.finditer(data[:end]):
                if match.group(1) and _HAS_VALUE.search(match.group(1)):
                    count += 1
            carry = data[end:]
    return count


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
    facts.rows += block.count(b"<row")  # an upper bound
    if b":row" in block:  # namespace-prefixed elements (<x:row>): rare, so counted only where they occur
        facts.rows += block.count(b":row ") + block.count(b":row>")
    if b"hidden=" in block:
        for match in _ROW_TAG.finditer(block):
            number = _ROW_NUMBER.search(match.group(1))
            if _HIDDEN.search(match.group(1)) and number:
                facts.hidden_rows.append(int(number.group(1)))
    if b't="e"' in block:
        for match in _CELL.finditer(block):
            ref = _REF.search(match.group(1))
            if ref is not None and _ERROR_TYPE.search(match.group(1)):
                facts.error_cells.append((int(ref.group(2)), column_index(ref.group(1))))
    if b"mergeCell" in block:
        for m in _MERGE.finditer(block):
            facts.merged.append((int(m.group(2)), column_index(m.group(1)), int(m.group(4)), column_index(m.group(3))))
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
        with path.open("rb") as handle:
            head = handle.read(4 * 1024 * 1024)
    except OSError as exc:
        raise WorkbookRefused(f"not a readable .xlsx workbook ({type(exc).__name__})") from exc
    if head.startswith(OLE_SIGNATURE):
        if ENCRYPTED_MARK in head:
            raise WorkbookRefused(
                "the workbook is protected with a password (encrypted), so it cannot be read: open it in Excel, "
                "remove the password (File > Info > Protect Workbook > Encrypt with Password: empty) and save it"
            )
        raise WorkbookRefused(
            "is an Excel 97-2003 workbook (.xls) renamed .xlsx: open it in Excel and save it as "
            "'Excel Workbook (*.xlsx)'"
        )
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookRefused(f"not a readable .xlsx workbook ({type(exc).__name__})") from exc
    with book:
        _check_directory(book)
        title, member, names = sheet_member(book, sheet)
        facts = SheetFacts(member, title=title, sheets=names)
        needed = read_parts(book, member)
        total = 0
        for info in book.infolist():
            if info.filename.replace("\\", "/").lower() not in needed:
                continue  # never opened by the reader: only its declared size counts (checked above)
            try:
                total += _stream_member(book, info, facts if info.filename == member else None)
            except WorkbookRefused:
                raise
            except Exception as exc:  # zipfile, zlib, CRC errors: a damaged member
                raise WorkbookRefused(f"{info.filename}: damaged ({type(exc).__name__})") from exc
            if total > MAX_TOTAL_BYTES:
                raise WorkbookRefused(f"the workbook inflates to more than {MAX_TOTAL_BYTES // 2**20} MiB in all")
    return facts
