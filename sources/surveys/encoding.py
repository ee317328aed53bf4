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
import re

UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = (";", "\t", ",")
OTHER_DELIMITERS = ("|", ":", "^")  # never guessed; named in the hint when the header is one field
SAMPLE_BYTES = 1 << 20


ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old binary .xls
CONTROL_BYTES = frozenset(range(0, 32)) - {9, 10, 13}
_CONTROL_TABLE = bytes(sorted(CONTROL_BYTES))


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
        controls = len(sample) - len(sample.translate(None, _CONTROL_TABLE))  # counted at C speed
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


# UTF-8 read as Windows-1252 and saved as UTF-8 again ("UTF-8 encoded twice"): æ ø å Æ Ø Å é
MOJIBAKE = ("Ã¦", "Ã¸", "Ã¥", "Ã†", "Ã˜", "Ã…", "Ã©")
# Mac Roman bytes of æ ø å Æ Ø Å (0xBE 0xBF 0x8C 0xAE 0xAF 0x81) as Windows-1252 shows them
MAC_ROMAN_SIGNS = frozenset("¾¿Œ®¯")
_MAC_ROMAN_IN_WORD = re.compile(r"[^\W\d_][¾¿Œ®¯]|[¾¿Œ®¯][^\W\d_]")


def mixed_up_encoding(text: str, encoding: str) -> str | None:
    """A message when decoded text shows a known mix-up: UTF-8 encoded twice (``Ã¸`` for ``ø``) or
    Mac Roman read as Windows-1252 (``¿`` inside words); None otherwise. Never quotes the text."""
    if encoding.startswith("utf-8") and any(sign in text for sign in MOJIBAKE):
        return (
            "looks like UTF-8 encoded twice (letters such as 'ø' appear as 'Ã¸': the file was opened as "
            "Windows-1252 and saved again as UTF-8); export it again from the survey tool, or save it from the "
            "original as 'CSV UTF-8'"
        )
    norwegian = any(c in text for c in "æøåÆØÅ")
    if encoding in ("cp1252", "latin-1") and not norwegian and _MAC_ROMAN_IN_WORD.search(text):
        return (
            "looks like Mac Roman text (letters such as 'ø' read as '¿' in Windows-1252): set "
            "`export: {encoding: mac-roman}` in the mapping, or save the file as 'CSV UTF-8'"
        )
    return None


def excel_separator_line(body: bytes) -> tuple[str | None, int]:
    """Excel's ``sep=;`` first line: (the delimiter it declares, bytes to skip); (None, 0) without it."""
    if body[:4].lower() != b"sep=" or len(body) < 5:
        return None, 0
    end = body.find(b"\n", 0, 16)
    line = body[: end if end >= 0 else len(body)].rstrip(b"\r")
    if len(line) != 5:
        return None, 0
    return line[4:5].decode("latin-1"), (end + 1 if end >= 0 else len(body))


def first_record(text: str) -> str:
    """The text of the first CSV record (the header), which may span lines inside quotes. Linear,
    at C speed: from line end to line end, the quotes between them counted."""
    quotes, start = 0, 0
    next_lf, next_cr = text.find("\n"), text.find("\r")
    while next_lf >= 0 or next_cr >= 0:
        end = min(i for i in (next_lf, next_cr) if i >= 0)
        quotes += text.count('"', start, end)
        if quotes % 2 == 0:
            return text[:end]
        start = end + 1
        if next_lf >= 0 and next_lf < start:
            next_lf = text.find("\n", start)
        if next_cr >= 0 and next_cr < start:
            next_cr = text.find("\r", start)
    return text


def detect_delimiter(header_text: str) -> str:
    """The delimiter that splits the header row into the most fields (``;`` wins ties)."""
    best, best_count = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        if delimiter not in header_text:
            continue  # one field at most: no need to parse
        try:
            fields = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), [])
        except csv.Error:  # one field longer than the csv module's limit: not this delimiter
            fields = []
        if len(fields) > best_count:
            best, best_count = delimiter, len(fields)
    return best


def delimiter_name(delimiter: str) -> str:
    return {"\t": "tab"}.get(delimiter, f"'{delimiter}'")
