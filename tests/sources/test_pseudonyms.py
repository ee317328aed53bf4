"""Respondent keys and element digests: stable under one secret, different under another, no raw id inside."""

import os
import stat

import pytest

from sources.pseudonyms import (
    element_digest,
    is_respondent_key,
    load_or_create_secret,
    respondent_key,
    respondent_order,
)
from storage.paths import Paths


def test_secret_is_created_once_read_only_and_reused(tmp_path):
    paths = Paths.from_env(output=tmp_path, environ={})
    first = load_or_create_secret(paths.pseudonym_secret)
    again = load_or_create_secret(paths.pseudonym_secret)
    assert first == again and len(first) == 32
    assert stat.S_IMODE(os.stat(paths.pseudonym_secret).st_mode) == 0o400
    assert paths.pseudonym_secret.parent == tmp_path / "raw" / "keys"


def test_damaged_secret_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="restore it from the backup"):
        load_or_create_secret(path)


def test_symlinked_secret_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"x" * 32)
    (tmp_path / "pseudonym.key").symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"):
        load_or_create_secret(tmp_path / "pseudonym.key")


def test_keys_are_stable_keyed_and_hide_the_id():
    secret, other = b"a" * 32, b"b" * 32
    key = respondent_key(secret, "12345678901")
    assert key == respondent_key(secret, " 12345678901 ")
    assert key != respondent_key(other, "12345678901")
    assert key != respondent_key(secret, "12345678902")
    assert is_respondent_key(key) and not is_respondent_key("12345678901")
    assert "12345678901" not in key and len(key) == 3 + 32


def test_element_digest_moves_with_every_field_and_reads_floats_exactly():
    secret = b"s" * 32
    base = element_digest(secret, ("S1", "rk_x", 3, None, "F", 1.0))
    assert base == element_digest(secret, ("S1", "rk_x", 3.0, float("nan"), "F", 1))
    assert base != element_digest(secret, ("S1", "rk_x", 4, None, "F", 1.0))
    assert base != element_digest(secret, ("S1", "rk_x", 3, None, "M", 1.0))
    assert base != element_digest(secret, ("S1", "rk_x", 3, None, "F", 1.0000000001))
    assert base != element_digest(b"t" * 32, ("S1", "rk_x", 3, None, "F", 1.0))


def test_respondent_order_is_the_text_rank_of_the_tool_ids():
    assert respondent_order(["b", "a", "10", "9"]) == [4, 3, 1, 2]
    assert respondent_order([]) == []
