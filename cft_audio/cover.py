"""Generated cover art: a calm gradient, a soft circle and the title in a bitmap font, as PNG."""

from __future__ import annotations

import struct
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import InvalidRequest

DEFAULT_ACCENT = (92, 132, 150)
"""A muted blue-green, the accent when none is given."""
MIN_SIZE = 64
MAX_SIZE = 3000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZLIB_LEVEL = 6
"""Level 9 is six times slower for 10 % smaller covers."""

_ROWS = 9
"""Glyph cell height in dots: 7 above the baseline, 2 for descenders."""
_COLUMNS = 5
_TEXT = np.array([250, 247, 240], dtype=np.float64)
_SHADOW = np.array([20, 30, 40], dtype=np.float64)

# 5 × 7 dots per glyph (rows top to bottom); glyphs with descenders have 9 rows.
_FONT_ROWS: dict[str, str] = {
    "A": "01110 10001 10001 11111 10001 10001 10001",
    "B": "11110 10001 10001 11110 10001 10001 11110",
    "C": "01110 10001 10000 10000 10000 10001 01110",
    "D": "11100 10010 10001 10001 10001 10010 11100",
    "E": "11111 10000 10000 11110 10000 10000 11111",
    "F": "11111 10000 10000 11110 10000 10000 10000",
    "G": "01110 10001 10000 10111 10001 10001 01111",
    "H": "10001 10001 10001 11111 10001 10001 10001",
    "I": "01110 00100 00100 00100 00100 00100 01110",
    "J": "00111 00010 00010 00010 00010 10010 01100",
    "K": "10001 10010 10100 11000 10100 10010 10001",
    "L": "10000 10000 10000 10000 10000 10000 11111",
    "M": "10001 11011 10101 10101 10001 10001 10001",
    "N": "10001 10001 11001 10101 10011 10001 10001",
    "O": "01110 10001 10001 10001 10001 10001 01110",
    "P": "11110 10001 10001 11110 10000 10000 10000",
    "Q": "01110 10001 10001 10001 10101 10010 01101",
    "R": "11110 10001 10001 11110 10100 10010 10001",
    "S": "01111 10000 10000 01110 00001 00001 11110",
    "T": "11111 00100 00100 00100 00100 00100 00100",
    "U": "10001 10001 10001 10001 10001 10001 01110",
    "V": "10001 10001 10001 10001 10001 01010 00100",
    "W": "10001 10001 10001 10101 10101 10101 01010",
    "X": "10001 10001 01010 00100 01010 10001 10001",
    "Y": "10001 10001 10001 01010 00100 00100 00100",
    "Z": "11111 00001 00010 00100 01000 10000 11111",
    "a": "00000 00000 01110 00001 01111 10001 01111",
    "b": "10000 10000 10110 11001 10001 10001 11110",
    "c": "00000 00000 01110 10000 10000 10001 01110",
    "d": "00001 00001 01101 10011 10001 10001 01111",
    "e": "00000 00000 01110 10001 11111 10000 01110",
    "f": "00110 01001 01000 11100 01000 01000 01000",
    "g": "00000 00000 01111 10001 10001 10001 01111 00001 01110",
    "h": "10000 10000 10110 11001 10001 10001 10001",
    "i": "00100 00000 01100 00100 00100 00100 01110",
    "j": "00010 00000 00110 00010 00010 00010 00010 10010 01100",
    "k": "10000 10000 10010 10100 11000 10100 10010",
    "l": "01100 00100 00100 00100 00100 00100 01110",
    "m": "00000 00000 11010 10101 10101 10001 10001",
    "n": "00000 00000 10110 11001 10001 10001 10001",
    "o": "00000 00000 01110 10001 10001 10001 01110",
    "p": "00000 00000 11110 10001 10001 10001 11110 10000 10000",
    "q": "00000 00000 01111 10001 10001 10001 01111 00001 00001",
    "r": "00000 00000 10110 11001 10000 10000 10000",
    "s": "00000 00000 01110 10000 01110 00001 11110",
    "t": "01000 01000 11100 01000 01000 01001 00110",
    "u": "00000 00000 10001 10001 10001 10011 01101",
    "v": "00000 00000 10001 10001 10001 01010 00100",
    "w": "00000 00000 10001 10001 10101 10101 01010",
    "x": "00000 00000 10001 01010 00100 01010 10001",
    "y": "00000 00000 10001 10001 10001 10001 01111 00001 01110",
    "z": "00000 00000 11111 00010 00100 01000 11111",
    "0": "01110 10001 10011 10101 11001 10001 01110",
    "1": "00100 01100 00100 00100 00100 00100 01110",
    "2": "01110 10001 00001 00010 00100 01000 11111",
    "3": "11111 00010 00100 00010 00001 10001 01110",
    "4": "00010 00110 01010 10010 11111 00010 00010",
    "5": "11111 10000 11110 00001 00001 10001 01110",
    "6": "00110 01000 10000 11110 10001 10001 01110",
    "7": "11111 00001 00010 00100 01000 01000 01000",
    "8": "01110 10001 10001 01110 10001 10001 01110",
    "9": "01110 10001 10001 01111 00001 00010 01100",
    " ": "00000 00000 00000 00000 00000 00000 00000",
    ".": "00000 00000 00000 00000 00000 01100 01100",
    ",": "00000 00000 00000 00000 01100 00100 01000",
    "!": "00100 00100 00100 00100 00100 00000 00100",
    "?": "01110 10001 00001 00010 00100 00000 00100",
    "'": "00100 00100 01000 00000 00000 00000 00000",
    '"': "01010 01010 01010 00000 00000 00000 00000",
    "-": "00000 00000 00000 01110 00000 00000 00000",
    ":": "00000 01100 01100 00000 01100 01100 00000",
    ";": "00000 01100 01100 00000 01100 00100 01000",
    "(": "00010 00100 01000 01000 01000 00100 00010",
    ")": "01000 00100 00010 00010 00010 00100 01000",
    "/": "00000 00001 00010 00100 01000 10000 00000",
    "&": "01100 10010 10100 01000 10101 10010 01101",
    "+": "00000 00100 00100 11111 00100 00100 00000",
    "=": "00000 00000 11111 00000 11111 00000 00000",
    "*": "00000 00100 10101 01110 10101 00100 00000",
    "#": "01010 01010 11111 01010 11111 01010 01010",
    "%": "11000 11001 00010 00100 01000 10011 00011",
    "@": "01110 10001 10111 10101 10111 10000 01110",
    "_": "00000 00000 00000 00000 00000 00000 11111",
    "\0": "00000 00000 00000 00100 00000 00000 00000",
}
_UNKNOWN = "\0"
"""Stands for a character the font lacks: one quiet dot."""
_LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                             "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " "})


def _glyph(rows: str) -> np.ndarray:
    """One glyph as a (9, 5) boolean array."""
    dots = np.array([[c == "1" for c in row] for row in rows.split()], dtype=bool)
    cell = np.zeros((_ROWS, _COLUMNS), dtype=bool)
    cell[: len(dots)] = dots
    return cell


_FONT = {char: _glyph(rows) for char, rows in _FONT_ROWS.items()}


@dataclass(frozen=True)
class _Block:
    """Wrapped lines of text at one dot size."""

    lines: tuple[str, ...]
    scale: int

    @property
    def width(self) -> int:
        return max((len(line) for line in self.lines), default=0) * (_COLUMNS + 1) * self.scale

    @property
    def height(self) -> int:
        return len(self.lines) * (_ROWS + 2) * self.scale


def cover_png(
    title: str, subtitle: str = "", size: int = 600,
    accent: tuple[int, int, int] | None = None,
) -> bytes:
    """A square PNG cover: soft gradient, soft circle, the title (and subtitle) centred."""
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"cover size must be {MIN_SIZE} to {MAX_SIZE} pixels, not {size}")
    colour = np.array(accent if accent is not None else DEFAULT_ACCENT, dtype=np.float64)
    image = _background(size, np.clip(colour, 0, 255))
    title_block = _fit(_printable(title), size, scales=(max(2, size // 60), max(1, size // 200)),
                       max_lines=5, max_height=0.6)
    subtitle_block = _fit(_printable(subtitle), size,
                          scales=(max(1, title_block.scale // 2), max(1, size // 300)),
                          max_lines=3, max_height=0.2)
    gap = (_ROWS * subtitle_block.scale) if subtitle_block.lines else 0
    top = (size - title_block.height - gap - subtitle_block.height) // 2
    _draw_text(image, title_block, top)
    _draw_text(image, subtitle_block, top + title_block.height + gap)
    return encode_png(np.round(image).astype(np.uint8))


def _background(size: int, accent: np.ndarray) -> np.ndarray:
    """A vertical gradient from a pale tint to a deep shade, with a soft glowing circle."""
    y = (np.arange(size, dtype=np.float64) + 0.5) / size
    x = y.copy()
    top, bottom = accent * 0.55 + 255 * 0.25, accent * 0.55
    vertical = top[None, :] * (1 - y[:, None]) + bottom[None, :] * y[:, None]
    image = np.repeat(vertical[:, None, :], size, axis=1)
    distance = np.sqrt((x[None, :] - 0.5) ** 2 + (y[:, None] - 0.44) ** 2)
    glow = _smoothstep(0.40, 0.18, distance) * 0.35
    ring = _smoothstep(0.012, 0.0, np.abs(distance - 0.34)) * 0.18
    light = accent * 0.35 + 255 * 0.65
    for amount in (glow, ring):
        image += (light[None, None, :] - image) * amount[:, :, None]
    return image


def _smoothstep(edge0: float, edge1: float, value: np.ndarray) -> np.ndarray:
    """0 at edge0, 1 at edge1, a smooth S between (edges may be in either order)."""
    t = np.clip((value - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _printable(text: str) -> str:
    """The text in characters the font has: accents dropped, lookalikes swapped, rest a dot."""
    folded = unicodedata.normalize("NFKD", " ".join(text.translate(_LOOKALIKES).split()))
    kept = (c for c in folded if not unicodedata.combining(c))
    return "".join(c if c in _FONT and c != _UNKNOWN else _UNKNOWN for c in kept)


def _fit(text: str, size: int, scales: tuple[int, int], max_lines: int,
         max_height: float) -> _Block:
    """The largest dot size (from scales[0] down to scales[1]) at which the text fits whole.

    Fitting means: no word cut, at most `max_lines` lines, at most `max_height` of the
    image tall. Text that does not fit even at the smallest size is cut, ending in "...".
    """
    usable = int(size * 0.8)
    largest, smallest = scales
    for scale in range(largest, min(largest, smallest) - 1, -1):
        per_line = max(4, usable // ((_COLUMNS + 1) * scale))
        lines, whole = _wrap(text, per_line)
        block = _Block(tuple(lines), scale)
        if whole and len(lines) <= max_lines and block.height <= max_height * size:
            return block
    kept = lines[:max_lines]
    if len(lines) > max_lines:
        kept[-1] = kept[-1][: per_line - 3].rstrip() + "..."
    return _Block(tuple(kept), scale)


def _wrap(text: str, width: int) -> tuple[list[str], bool]:
    """Greedy word wrap; words longer than a line are cut (then the flag is False)."""
    lines: list[str] = []
    current = ""
    whole = True
    for word in text.split():
        while len(word) > width:
            whole = False
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines, whole


def _draw_text(image: np.ndarray, block: _Block, top: int) -> None:
    """Draw each line centred, with a soft shadow one dot down and right."""
    size = image.shape[0]
    line_height = (_ROWS + 2) * block.scale
    for index, line in enumerate(block.lines):
        mask = _line_mask(line, block.scale)
        left = (size - mask.shape[1]) // 2
        y = top + index * line_height
        offset = max(1, block.scale // 2)
        _blend(image, _soften(mask), y + offset, left + offset, _SHADOW, 0.35)
        _blend(image, _soften(mask), y, left, _TEXT, 0.95)


def _line_mask(line: str, scale: int) -> np.ndarray:
    """The line's dots, each `scale` pixels square, as floats 0 or 1."""
    cells = [np.pad(_FONT[c], ((0, 0), (0, 1))) for c in line]
    dots = np.concatenate(cells, axis=1)[:, :-1] if cells else np.zeros((_ROWS, 0), dtype=bool)
    return np.kron(dots.astype(np.float64), np.ones((scale, scale)))


def _soften(mask: np.ndarray) -> np.ndarray:
    """A 3 × 3 box blur, so the dots' edges are gentle."""
    padded = np.pad(mask, 1)
    total = sum(padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
                for dy in range(3) for dx in range(3))
    return total / 9.0


def _blend(image: np.ndarray, mask: np.ndarray, top: int, left: int,
           colour: np.ndarray, opacity: float) -> None:
    """Paint `colour` through `mask` at (top, left), clipped to the image."""
    size = image.shape[0]
    y0, x0 = max(0, top), max(0, left)
    y1, x1 = min(size, top + mask.shape[0]), min(size, left + mask.shape[1])
    if y0 >= y1 or x0 >= x1:
        return
    alpha = mask[y0 - top : y1 - top, x0 - left : x1 - left, None] * opacity
    region = image[y0:y1, x0:x1]
    region += (colour[None, None, :] - region) * alpha


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of a (height, width, 3) uint8 array (Up-filtered rows)."""
    height, width, _ = rgb.shape
    rows = rgb.reshape(height, width * 3).astype(np.int16)
    above = np.vstack([np.zeros((1, width * 3), dtype=np.int16), rows[:-1]])
    filtered = ((rows - above) % 256).astype(np.uint8)
    raw = np.hstack([np.full((height, 1), 2, dtype=np.uint8), filtered]).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(raw, _ZLIB_LEVEL)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@dataclass(frozen=True)
class ImageInfo:
    """What a tag needs to know about a cover image."""

    mime: str
    width: int
    height: int


def image_info(data: bytes) -> ImageInfo:
    """Type and size of a PNG or JPEG image; anything else is an invalid cover."""
    if data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("image/png", width, height)
    if data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        if size is not None:
            return ImageInfo("image/jpeg", *size)
    raise InvalidRequest("cover", "not a PNG or JPEG image", "a PNG or JPEG file")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's start-of-frame segment, if it has one."""
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            position += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None
