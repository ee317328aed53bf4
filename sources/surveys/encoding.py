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
(quotes respected), preferring ``;`` then tab then ``,`` on a tie.
"""

import codecs
import csv
import io

UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = (";", "\t", ",")
SAMPLE_BYTES = 1 << 20


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
