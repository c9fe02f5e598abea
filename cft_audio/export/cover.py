"""Generated cover art: a calm gradient, a soft circle and the title set in a real typeface."""

from __future__ import annotations

import io
import struct
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import InvalidRequest
from ..limits import MAX_COVER_PIXELS

DEFAULT_ACCENT = (92, 132, 150)
"""A muted blue-green, the accent when none is given."""
MIN_SIZE = 64
MAX_SIZE = 3000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MIMES = {"PNG": "image/png", "JPEG": "image/jpeg"}
"""Cover image types (Pillow's format name → MIME type)."""
_ZLIB_LEVEL = 6
"""Level 9 is six times slower for 10 % smaller covers."""
_TEXT = (250, 247, 240)
_SHADOW = (20, 30, 40)
_TITLE = 0.074
"""Title type size as a fraction of the cover's side (shrunk until it fits)."""
_SUBTITLE = 0.040
_MEASURE = 0.66
"""Widest line, as a fraction of the side."""
_LEADING = 1.22
_LOOKALIKES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                             "\u2013": "-", "\u2014": "-", "\u2026": "..."})


def cover_png(
    title: str, subtitle: str = "", size: int = 600,
    accent: tuple[int, int, int] | None = None,
) -> bytes:
    """A square PNG cover: soft gradient and circle, the title (and subtitle) centred.

    The type is Aileron Regular, the open sans-serif Pillow ships: unhurried spacing,
    sentence-like line breaks, a faint shadow for contrast on any accent.
    """
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"cover size must be {MIN_SIZE} to {MAX_SIZE} pixels, not {size}")
    from PIL import Image, ImageDraw, ImageFilter

    colour = np.array(accent if accent is not None else DEFAULT_ACCENT, dtype=np.float64)
    image = Image.fromarray(np.round(_background(size, np.clip(colour, 0, 255))).astype(np.uint8))
    title_lines, title_px = _fit(_printable(title), size, _TITLE, max_lines=4, max_height=0.5)
    sub_fraction = min(_SUBTITLE, (title_px or size) / size * 0.55)
    sub_lines, sub_px = _fit(_printable(subtitle), size, sub_fraction, max_lines=2,
                             max_height=0.16)
    rule = round(size * 0.05) if sub_lines else 0
    height = _block_height(title_lines, title_px) + rule + _block_height(sub_lines, sub_px)
    top = round(size * 0.44 - height / 2)
    text = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(text)
    y = _draw_lines(draw, title_lines, title_px, size, top)
    if sub_lines:
        middle = y + rule // 2
        half = round(size * 0.04)
        draw.line([(size // 2 - half, middle), (size // 2 + half, middle)], fill=150,
                  width=max(1, size // 300))
        _draw_lines(draw, sub_lines, sub_px, size, y + rule)
    shadow = text.filter(ImageFilter.GaussianBlur(max(1.0, size / 220)))
    offset = max(1, size // 300)
    image.paste(Image.new("RGB", image.size, _SHADOW),
                (offset, offset), shadow.point(lambda v: round(v * 0.45)))
    image.paste(Image.new("RGB", image.size, _TEXT), (0, 0), text)
    return encode_png(np.asarray(image))


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
    """One line in characters the typeface has: lookalikes made plain, accents the typeface
    lacks dropped from their letters, anything else left out; spaces collapsed."""
    kept = []
    for char in unicodedata.normalize("NFC", text.translate(_LOOKALIKES)):
        if char.isspace() or _has_glyph(char):
            kept.append(" " if char.isspace() else char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        kept.append(base if base and all(_has_glyph(c) for c in base) else "")
    return " ".join("".join(kept).split())


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    """Whether the typeface draws `char` (rather than its empty-box placeholder)."""
    font = _font(32)
    missing = font.getmask("\U0010fffd")
    drawn = font.getmask(char)
    return drawn.size != missing.size or bytes(drawn) != bytes(missing)


@lru_cache(maxsize=32)
def _font(pixels: int):  # noqa: ANN202  (PIL's FreeTypeFont; PIL is imported lazily)
    """The typeface Pillow ships (Aileron Regular) at `pixels`."""
    from PIL import ImageFont

    return ImageFont.load_default(size=pixels)


def _fit(text: str, size: int, fraction: float, max_lines: int,
         max_height: float) -> tuple[tuple[str, ...], int]:
    """The lines and type size (largest first, down to a legible floor) at which text fits."""
    if not text:
        return (), 0
    pixels = max(8, round(size * fraction))
    floor = max(7, round(size * 0.02))
    while True:
        lines, whole = _wrap(text, _font(pixels), size * _MEASURE, max_lines)
        fits = whole and _block_height(lines, pixels) <= size * max_height
        if fits or pixels <= floor:
            return lines, pixels
        pixels = max(floor, round(pixels * 0.9))


def _wrap(text: str, font, width: float, max_lines: int) -> tuple[tuple[str, ...], bool]:  # noqa: ANN001
    """Words into lines no wider than `width`; an ellipsis ends text that does not fit."""
    lines: list[str] = []
    for word in text.split(" "):
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(trial) <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    whole = len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)
    if not whole:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + "...") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "..."
    return tuple(lines), whole


def _block_height(lines: tuple[str, ...], pixels: int) -> int:
    return round(len(lines) * pixels * _LEADING)


def _draw_lines(draw, lines: tuple[str, ...], pixels: int, size: int, top: int) -> int:  # noqa: ANN001
    """Draw lines centred from `top`; returns the y below the last."""
    if not lines:
        return top
    font = _font(pixels)
    step = round(pixels * _LEADING)
    for index, line in enumerate(lines):
        draw.text((size / 2, top + index * step + step / 2), line, font=font, fill=255,
                  anchor="mm")
    return top + len(lines) * step


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of a (height, width, 3) uint8 array (Up-filtered rows).

    Kept rather than Pillow's `Image.save(..., "PNG")`, for a measured reason: Pillow
    writes other bytes for the same pixels (its own filter choice and zlib build), and the
    cover is inside every track, so each WAV/FLAC pinned in tests/test_pinned_output.py
    would change, as would a track re-rendered after a Pillow upgrade. Sizes and times of
    both: benchmarks/cover_png.py.
    """
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
    """Type and size of a PNG or JPEG image (Pillow reads its header); anything else, or an
    image over MAX_COVER_PIXELS, is an invalid cover (and Pillow prints no warning)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError as error:  # over twice Pillow's own limit
        raise _too_large("") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _not_a_cover() from error
    if kind not in _MIMES:
        raise _not_a_cover()
    if width * height > MAX_COVER_PIXELS:
        raise _too_large(f" ({width:,} × {height:,} pixels)")
    return ImageInfo(_MIMES[kind], width, height)


def _too_large(size: str) -> InvalidRequest:
    return InvalidRequest("cover", f"the image is too large{size}: over the limit "
                          f"MAX_COVER_PIXELS = {MAX_COVER_PIXELS:,} pixels",
                          "a PNG or JPEG file")


def _not_a_cover() -> InvalidRequest:
    return InvalidRequest("cover", "not a PNG or JPEG image", "a PNG or JPEG file")
