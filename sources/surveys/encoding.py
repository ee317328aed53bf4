"""Text encoding and delimiter detection for survey exports saved as CSV/TSV.

Survey tools and spreadsheet programs write CSV in several encodings: Nettskjema writes UTF-8,
Excel's "CSV UTF-8" adds a byte-order mark, and Excel's plain "CSV" on a Norwegian Windows PC
writes Windows-1252 (a superset of ISO-8859-1 for printable characters). UTF-16 with a BOM comes
from Excel's "Unicode text". Detection order:

1. a byte-order mark (UTF-8 or UTF-16) decides;
2. otherwise the bytes are UTF-8 if they decode as UTF-8 (Windows-1252 text with Norwegian letters
   practically never does);
3. otherwise Windows-1252, or ISO-8859-1 if a byte has no Windows-1252 character (0x81, 0x8D,
   0x8F, 0x90, 0x9D).

The delimiter is the one of ``;``, ``,`` and tab that splits the header row into the most fields
(quotes respected), preferring ``;`` then tab then ``,`` on a tie. Other delimiters (``|``) are
never guessed: the mapping's ``export: {delimiter: "|"}`` sets them.

Some files cannot be read without help, and :func:`sniff_problem` says what was detected and the
``export:`` override that fixes it: UTF-16 without a byte-order mark (NUL bytes at every other
position: ``encoding: utf-16-le`` or ``utf-16-be``), binary data named ``.csv`` (a ZIP/XLSX
signature or control bytes), and a UTF-8 byte-order mark on a body that is not UTF-8 (Excel on
Windows: ``encoding: cp1252``; the mark is then dropped).
"""

import codecs
import csv
import io

UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = (";", "\t", ",")
OTHER_DELIMITERS = ("|", ":", "^")  # never guessed; named in the hint when the header is one field
SAMPLE_BYTES = 1 << 20


ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old binary .xls
CONTROL_BYTES = frozenset(range(0, 32)) - {9, 10, 13}


class EncodingError(ValueError):
    """The bytes of an export cannot be decoded."""


def decodes_as(data: bytes, encoding: str, block: int = 1 << 20) -> int | None:
    """None if ``data`` decodes as ``encoding``, else the offset of the first bad byte. Decodes
    block by block, so a large file is checked without holding its text in memory."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for start in range(0, len(view), block):
        try:
            decoder.decode(view[start : start + block], final=start + block >= len(view))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def detect_encoding(data: bytes) -> str:
    """The Python codec name of an export's bytes (see the module docstring for the rules)."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if decodes_as(data, "utf-8") is None:
        return "utf-8"
    return "cp1252" if decodes_as(data, "cp1252") is None else "latin-1"


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole export; return ``(text, encoding used)``. ``encoding`` overrides detection."""
    if not data.strip():
        raise EncodingError(f"{source}: the file is empty")
    used = encoding or detect_encoding(data)
    try:
        return data.decode(used), used
    except (UnicodeDecodeError, LookupError) as exc:
        raise EncodingError(f"{source}: cannot decode as {used} ({exc})") from exc


def utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` if the bytes look like UTF-16 text without a byte-order mark
    (NUL at most odd or most even positions), else None."""
    if len(sample) < 4 or sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def sniff_problem(data: bytes, encoding: str | None) -> str | None:
    """What makes ``data`` unreadable as a text export with ``encoding`` (None: detected), with the
    override that fixes it; None when nothing is wrong at this level. Never quotes the bytes."""
    sample = data[:SAMPLE_BYTES]
    if sample.startswith(ZIP_SIGNATURE):
        return "is a ZIP file (an .xlsx workbook?), not text: save it with the .xlsx suffix and use an *_xlsx format"
    if sample.startswith(OLE_SIGNATURE):
        return "is an old binary Excel (.xls) file, not text: save it as .xlsx or CSV UTF-8"
    utf16 = utf16_without_bom(sample)
    if utf16 and (encoding or "").lower().replace("_", "-") not in ("utf-16-le", "utf-16-be", "utf-16"):
        return (
            f"looks like UTF-16 text without a byte-order mark ({utf16.upper()}: NUL bytes between the "
            f"letters); set `export: {{encoding: {utf16}}}` in the mapping, or save the file as CSV UTF-8"
        )
    utf16_bom = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16_bom and (encoding is None or not encoding.lower().replace("_", "-").startswith("utf-16")):
        controls = sum(1 for b in sample if b in CONTROL_BYTES)
        if controls and (0 in sample or controls > 0.01 * len(sample)):
            first = next(i for i, b in enumerate(sample) if b in CONTROL_BYTES)
            return (
                f"does not look like a text export: {controls} control byte(s) in the first "
                f"{len(sample)} bytes (the first at byte {first}); is it a CSV file at all?"
            )
    if encoding is None and data.startswith(UTF8_BOM):
        bad = decodes_as(data, "utf-8")
        if bad is not None:
            body = "Windows-1252" if decodes_as(data[3:], "cp1252") is None else "ISO-8859-1"
            override = "cp1252" if body == "Windows-1252" else "latin-1"
            return (
                f"starts with a UTF-8 byte-order mark, but byte {bad} is not UTF-8 (the body looks like "
                f"{body}); set `export: {{encoding: {override}}}` in the mapping (the mark is then ignored)"
            )
    return None


def first_record(text: str) -> str:
    """The text of the first CSV record (the header), which may span lines inside quotes."""
    quoted = False
    for position, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:position]
    return text


def detect_delimiter(header_text: str) -> str:
    """The delimiter that splits the header row into the most fields (``;`` wins ties)."""
    best, best_count = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        fields = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), [])
        if len(fields) > best_count:
            best, best_count = delimiter, len(fields)
    return best


def delimiter_name(delimiter: str) -> str:
    return {"\t": "tab"}.get(delimiter, f"'{delimiter}'")
