"""Pseudonymous respondent keys and keyed element digests: the one place that holds the secret.

A survey tool's respondent id (a Nettskjema submission id, a Microsoft Forms row id, a code the
respondent made up) never goes past the intake. The intake replaces it with a **respondent key**,
a keyed hash (HMAC-SHA256) of the tool's id under an installation secret; the warehouse, the
revision store, the audit log and everything downstream hold only keys. Withdrawal, erasure and the
deny list of erased respondents work on keys too: an operator who is given a tool id computes its
key with :func:`respondent_key` (``python -m sources.surveys erase`` does it).

Method 1.2 section 5b keeps the footprint of every published cell as **element digests**, a keyed
SHA-256 of (respondent key, answers, sex, design weight) under the same secret
(:func:`element_digest`), so the store holds no answer and the digests cannot be reversed by
trying the few possible answers.

The secret is 32 random bytes in the restricted raw area (``Paths.pseudonym_secret``, default
``$RBI_OUTPUT_DIR/raw/keys/pseudonym.key``), created on first use with mode 0o400 (O_EXCL, so
two processes that start together agree on one). Back it up with the raw area: without it, an
erasure request that quotes a tool id can no longer be matched to its key, and the revision store's
digests can no longer be compared with new computations (every published survey cell would be held
until its footprint is stored again). Never publish it, never put it in a log.

Keys are shaped ``rk_`` + 32 hex characters (128 bits of the HMAC), so a key is recognisable and
never mistaken for a tool id (:func:`is_respondent_key`).

Ordering: published bounds must not depend on the secret, so the intake also records each
respondent's ``respondent_order``, the 1-based rank of the tool's id (compared as text) among the
respondents of that survey version; the bootstrap orders a stratum by it, exactly as it ordered by
the tool's id before keys existed (:func:`respondent_order`).
"""

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from storage.atomic import fsync_dir
from storage.restricted import restricted_dir

SECRET_BYTES = 32
SECRET_MODE = 0o400
KEY_PREFIX = "rk_"
KEY_HEX_CHARS = 32
_KEY_PATTERN = re.compile(rf"^{KEY_PREFIX}[0-9a-f]{{{KEY_HEX_CHARS}}}$")
# domain separation: a respondent key can never equal an element digest of the same bytes
_RESPONDENT_DOMAIN = b"rbi-respondent-key-v1\x00"
_ELEMENT_DOMAIN = b"rbi-element-digest-v1\x00"
FIELD_SEPARATOR = "\x1f"


def load_or_create_secret(path: Path) -> bytes:
    """The installation secret at ``path``, created (0o400, folder 0o750) if it does not exist.

    Creation uses O_EXCL, so concurrent first uses end with one secret that every process reads."""
    if path.is_symlink():
        raise ValueError(f"the pseudonym secret {path} is a symbolic link: refused")
    if not path.exists():
        restricted_dir(path.parent)
        secret = os.urandom(SECRET_BYTES)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
        except FileExistsError:
            pass  # another process created it first: read theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secret)
                handle.flush()
                os.fsync(handle.fileno())
            fsync_dir(path.parent)
            return secret
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        raise ValueError(
            f"the pseudonym secret {path} has {len(secret)} bytes, expected {SECRET_BYTES}: restore it from the "
            "backup of the raw area (a new secret would make every stored key and digest unmatchable)"
        )
    return secret


def respondent_key(secret: bytes, tool_id: str) -> str:
    """The pseudonymous key of a survey tool's respondent id (the same id always gives the same key
    under one secret). The id is stripped of surrounding white space, nothing else."""
    mac = hmac.new(secret, _RESPONDENT_DOMAIN + str(tool_id).strip().encode("utf-8"), hashlib.sha256)
    return KEY_PREFIX + mac.hexdigest()[:KEY_HEX_CHARS]


def is_respondent_key(value: str) -> bool:
    """Whether ``value`` is shaped like a respondent key (``rk_`` + 32 lower-case hex characters)."""
    return bool(_KEY_PATTERN.match(str(value)))


def element_digest(secret: bytes, fields: Sequence[object]) -> str:
    """A keyed SHA-256 (hex, 64 characters) of one footprint element (spec 1.2 section 5b): the
    fields in a fixed order, e.g. (survey_id, respondent key, answers..., sex, design_weight).
    ``None`` and NaN are written as the empty field; floats by ``repr`` (round-trips the double)."""
    mac = hmac.new(secret, _ELEMENT_DOMAIN + FIELD_SEPARATOR.join(field_text(f) for f in fields).encode(), "sha256")
    return mac.hexdigest()


class ElementDigester:
    """:func:`element_digest` for many elements at once (a build hashes about four per respondent):
    the same keyed SHA-256, with the HMAC's key schedule done once (``hmac`` objects are copied per
    element) and each non-text field value's text cached."""

    def __init__(self, secret: bytes) -> None:
        self._base = hmac.new(secret, _ELEMENT_DOMAIN, hashlib.sha256)
        self._texts: dict[tuple[type, object], str] = {}

    def text(self, value: object) -> str:
        """The field text of ``value`` (:func:`field_text`), cached."""
        if isinstance(value, str):
            return value
        cache_key = (type(value), value)
        text = self._texts.get(cache_key)
        if text is None:
            text = field_text(value)
            if value == value:  # NaN is never found again: do not fill the cache with it
                self._texts[cache_key] = text
        return text

    def __call__(self, fields: Sequence[object]) -> str:
        return self.of_text(FIELD_SEPARATOR.join([self.text(f) for f in fields]))

    def of_text(self, text: str) -> str:
        """The digest of fields already written as text and joined by :data:`FIELD_SEPARATOR`."""
        mac = self._base.copy()
        mac.update(text.encode())
        return mac.hexdigest()


def field_text(value: object) -> str:
    """A field of an element as text: ``None`` and NaN empty, whole floats as integers, other floats
    by ``repr`` (round-trips the double)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def respondent_order(tool_ids: Iterable[str]) -> list[int]:
    """For each tool id in input order, its 1-based rank among all of them compared as text (ties
    share no rank: a survey version never holds one id twice)."""
    ids = [str(i).strip() for i in tool_ids]
    ranks = [0] * len(ids)
    for rank, index in enumerate(sorted(range(len(ids)), key=ids.__getitem__), start=1):
        ranks[index] = rank
    return ranks
