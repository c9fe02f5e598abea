"""Safe file and folder names: one path component, NFC, no separators, no dot-dot, bounded."""

from __future__ import annotations

import re
import unicodedata

MAX_BYTES = 100
"""Longest component in UTF-8 bytes (file systems allow 255; leave room for suffixes)."""

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT")
                                          for n in "0123456789¹²³")}
"""Names Windows refuses (device names), in any case, whatever the extension."""
RESERVED_SHOWN = "CON, PRN, AUX, NUL, COM0-9 or LPT0-9"
"""How messages describe the reserved names."""


def is_reserved(name: str) -> bool:
    """Whether Windows refuses `name` as a file name: CON, nul.txt, Com1.mp3…"""
    return name.split(".")[0].strip(" ").upper() in _RESERVED


def safe_component(text: str, max_bytes: int = MAX_BYTES) -> str:
    """`text` as one safe path component ("" if nothing usable is left)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = " ".join(text.split()).strip(" .-")
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    text = text.rstrip(" .-")
    if is_reserved(text):
        text = f"_{text}"
    return text


def track_stem(number: int, week: int, title: str) -> str:
    """A track's file name without extension, e.g. "01 Week 1 - The Safe Place".

    Dots are dropped: sidecars are named by replacing the last suffix.
    """
    return safe_component(f"{number:02d} Week {week} - {title.replace('.', '')}")


def folder_name(ident: str, name: str = "", with_name: bool = False) -> str:
    """A participant's folder: their ID, or "ID Name" (sanitised) when names are asked for."""
    shown = safe_component(name, 60) if with_name else ""
    return f"{ident} {shown}" if shown else ident
