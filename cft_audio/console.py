"""The terminal's text: arguments read and messages written as UTF-8, whatever the locale.

Under a C or POSIX locale without UTF-8 mode (`LC_ALL=C PYTHONUTF8=0`), Python decodes the
arguments as ASCII, keeping other bytes as surrogates ("Zoë" arrives as 'Zo\\udcc3\\udcab'),
and writes ASCII only. A name, phrase or place typed in UTF-8 is decoded again here; file
paths are left as the system gave them, so they still name the same files.
"""

from __future__ import annotations

import codecs
import os
import sys

_SURROGATES = range(0xDC80, 0xDD00)
"""How Python keeps the bytes it could not decode (PEP 383)."""


def _is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "ascii").name == "utf-8"
    except LookupError:
        return False


def utf8_text(value: str) -> str:
    """An argument's text: decoded as UTF-8 if the locale could not decode it; else as it is.

    Bytes that are not UTF-8 either stay surrogates (see `undecodable`).
    """
    if not any(ord(c) in _SURROGATES for c in value):
        return value
    try:
        raw = value.encode(sys.getfilesystemencoding(), "surrogateescape")
    except UnicodeError:
        return value
    return raw.decode("utf-8", "surrogateescape")


def undecodable(value: str) -> bool:
    """Whether text still holds bytes that are not UTF-8 (after `utf8_text`)."""
    return any(ord(c) in _SURROGATES for c in value)


def utf8_streams() -> None:
    """Write stdout and stderr as UTF-8 when the locale would write ASCII (or another code).

    Paths the system gave with undecodable bytes are written back as those bytes.
    """
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and not _is_utf8(getattr(stream, "encoding", None)):
            reconfigure(encoding="utf-8", errors=errors)


def locale_note() -> str:
    """Why text may not be read as typed: the locale, named, when it is not UTF-8; else ""."""
    if _is_utf8(sys.getfilesystemencoding()):
        return ""
    shown = os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or os.environ.get("LANG")
    return f"the locale {shown or 'C'} is not UTF-8"
