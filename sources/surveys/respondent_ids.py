"""The respondent-id rule: an id must be issued by the survey tool, never a person's identifier.

The column mapped to ``respondent_id`` reaches the intake's restricted area (the warehouse gets a
keyed hash, ``sources.pseudonyms``). Values that identify a person are refused for the whole file,
with a message naming the column, the rows and the KIND of value, never the value itself:

- national identity numbers: 11 digits (``ddmmyy`` + 5, optionally one space after the date) with
  valid mod-11 check digits and a plausible date; D-numbers (day + 40), H-numbers (month + 40) and
  synthetic test numbers (month + 80) included;
- e-mail addresses: ``something@domain.tld``;
- phone numbers: ``+`` or ``00`` and a country code with 7 to 15 digits; a Norwegian number written
  ``912 34 567`` or ``91 23 45 67``; outside the tool's own id column also a bare 8-digit number
  starting with 4 or 9 (a Norwegian mobile number);
- user names: ``firstname.lastname``, ``kari_nordmann`` (letters joined by ``.`` or ``_``, up to
  4 digits after), or ``DOMAIN\\user``.

The tool's own id column (Nettskjema ``$submission_id``: 8-digit running numbers, today around
27,000,000-30,000,000; Microsoft Forms ``ID``: 1, 2, 3, ...) is exempt from the bare 8-digit phone
pattern only: Nettskjema's running numbers will one day start with 4, and a tool-issued number is
not a phone number. Every other kind applies to every column.

Outside the tool's own id column, every id must also look issued by a machine: one token of 1 to
64 characters from letters, digits and ``_ . : # / -`` with at least one digit (names and free text
are refused). Computed with Arrow kernels over the distinct ids, and numpy for the check digits.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sources.surveys.problems import ProblemGroup

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ID_PATTERN = r"^[A-Za-z0-9_.:#/-]{1,64}$"  # a respondent id: one token, as a survey tool issues it
NATIONAL_ID_PATTERN = r"^[0-9]{6} ?[0-9]{5}$"
PHONE_PATTERNS = (
    r"^(\+|00)[1-9][0-9 ()-]{6,18}$",  # any international number
    r"^[49][0-9]{2} [0-9]{2} [0-9]{3}$",  # 912 34 567
    r"^[49][0-9] [0-9]{2} [0-9]{2} [0-9]{2}$",  # 91 23 45 67
)
BARE_MOBILE_PATTERN = r"^[49][0-9]{7}$"
USER_NAME_PATTERNS = (r"^[^\W\d_]{2,}([._][^\W\d_]+)+[0-9]{0,4}$", r"^[^\\\s]+\\[^\\\s]+$")
_W1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
_W2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])

KINDS = {
    "national_id": "national identity numbers (fødselsnummer, D- or H-numbers: 11 digits with valid check digits)",
    "email": "e-mail addresses",
    "phone": "phone numbers",
    "user_name": "user names (firstname.lastname, DOMAIN\\user)",
}


def _check_digit(digits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    rest = 11 - (digits[:, : len(weights)] @ weights) % 11
    return np.where(rest == 11, 0, rest)  # 10: no valid number has it


def national_id_mask(texts: list[str]) -> np.ndarray:
    """True where an 11-digit text (spaces removed) is a valid national identity number."""
    if not texts:
        return np.zeros(0, dtype=bool)
    joined = "".join(t.replace(" ", "") for t in texts).encode("ascii")
    digits = (np.frombuffer(joined, dtype=np.uint8) - 48).astype(np.int64).reshape(-1, 11)
    k1 = _check_digit(digits, _W1)
    k2 = _check_digit(np.concatenate([digits[:, :9], k1[:, None]], axis=1), _W2)
    day = digits[:, 0] * 10 + digits[:, 1]
    month = digits[:, 2] * 10 + digits[:, 3]
    day = np.where(day > 40, day - 40, day)  # D-number
    month = np.where(month > 80, month - 80, np.where(month > 40, month - 40, month))  # test / H-number
    plausible = (day >= 1) & (day <= 31) & (month >= 1) & (month <= 12)
    return plausible & (k1 == digits[:, 9]) & (k2 == digits[:, 10])


def _matches(labels: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(labels, pattern).to_numpy(zero_copy_only=False).astype(bool)


def personal_kinds(labels: pa.Array, tool_id: bool) -> dict[str, np.ndarray]:
    """Per kind (:data:`KINDS`), a mask over the distinct ids that are that kind of personal data."""
    n = len(labels)
    out: dict[str, np.ndarray] = {}
    candidates = _matches(labels, NATIONAL_ID_PATTERN) if n else np.zeros(0, bool)
    national = np.zeros(n, dtype=bool)
    if candidates.any():
        index = np.flatnonzero(candidates)
        national[index] = national_id_mask(labels.take(pa.array(index)).to_pylist())
    out["national_id"] = national
    out["email"] = _matches(labels, EMAIL_PATTERN) if n else np.zeros(0, bool)
    phone = np.zeros(n, dtype=bool)
    for pattern in PHONE_PATTERNS + (() if tool_id else (BARE_MOBILE_PATTERN,)):
        phone |= _matches(labels, pattern) if n else phone
    out["phone"] = phone & ~national
    user = np.zeros(n, dtype=bool)
    for pattern in USER_NAME_PATTERNS:
        user |= _matches(labels, pattern) if n else user
    out["user_name"] = user & ~out["email"]
    return out


def respondent_id_problems(labels: pa.Array, row_codes: np.ndarray, column: str, tool_id: bool) -> list[ProblemGroup]:
    """Whole-file problems of a respondent-id column (distinct ``labels``, ``row_codes`` per row):
    personal data by kind, naming rows, never values; then ids that do not look issued by a tool."""
    groups: list[ProblemGroup] = []
    flagged = np.zeros(len(labels), dtype=bool)
    for kind, mask in personal_kinds(labels, tool_id).items():
        if not mask.any():
            continue
        flagged |= mask
        rows = np.flatnonzero(mask[row_codes]) + 1
        message = (
            f"column '{column}' (mapped to respondent_id) holds {len(rows)} value(s) that look like "
            f"{KINDS[kind]}: personal data can never be a respondent id; map the survey tool's own response id"
        )
        groups.append(ProblemGroup(message, column, "respondent_id", None, rows, whole_file=True))
    if len(labels) and not tool_id:
        looks_issued = _matches(labels, ID_PATTERN) & _matches(labels, "[0-9]")
        empty = pc.equal(labels, "").to_numpy(zero_copy_only=False).astype(bool)
        not_ids = ~looks_issued & ~empty & ~flagged
        rows = np.flatnonzero(not_ids[row_codes]) + 1
        if len(rows):
            message = (
                f"column '{column}' (mapped to respondent_id) holds {len(rows)} value(s) that do not look like ids "
                "issued by a survey tool (spaces, letters only, or other characters: names or free text?); "
                "map the tool's own id column"
            )
            groups.append(ProblemGroup(message, column, "respondent_id", None, rows, whole_file=True))
    return groups
