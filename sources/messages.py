"""Quoting in messages: whatever a message quotes is shortened, so that a huge or deeply nested
value (a YAML alias bomb, a megabyte of free text) can never blow up a log line.

Messages that reach logs, Dagster events and metadata never quote a raw survey answer at all;
this is for the things they may quote (mapping keys and values, column names, server answers).
"""

import reprlib

MAX_QUOTED = 80

_repr = reprlib.Repr()
_repr.maxstring = MAX_QUOTED
_repr.maxother = MAX_QUOTED
_repr.maxlist = _repr.maxdict = _repr.maxtuple = _repr.maxset = 4
_repr.maxlevel = 2


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """``repr(value)``, bounded: at most ``limit`` characters (nesting and long texts cut with ...)."""
    text = _repr.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clip(text: str, limit: int = 200) -> str:
    """A text shortened to ``limit`` characters (``...`` marks the cut)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
