"""Generated cover art: a valid, deterministic PNG with the title drawn in the middle."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cft_audio.errors import InvalidRequest
from cft_audio.export.cover import PNG_SIGNATURE, _font, _printable, cover_png, image_info


def pixels(png: bytes) -> np.ndarray:
    """Decode an 8-bit RGB PNG with filters None/Sub/Up (all cover_png writes)."""
    assert png.startswith(PNG_SIGNATURE)
    position, idat, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data)
        if kind == b"IHDR":
            header = data
        elif kind == b"IDAT":
            idat += data
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 2)
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + width * 3)
    rows = np.zeros((height, width * 3), dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        above = rows[y - 1].astype(np.int32) if y else np.zeros(width * 3, np.int32)
        if kind == 2:
            line = line + above
        elif kind == 1:
            line = np.array(line)
            for x in range(3, len(line)):
                line[x] += line[x - 3]
        else:
            assert kind == 0
        rows[y] = line % 256
    return rows.reshape(height, width, 3)


def test_valid_png_of_the_asked_size():
    png = cover_png("The Safe Place", size=320)
    assert png[12:16] == b"IHDR"
    assert image_info(png).mime == "image/png"
    assert (image_info(png).width, image_info(png).height) == (320, 320)
    assert pixels(png).shape == (320, 320, 3)


def test_deterministic_and_title_dependent():
    first = cover_png("The Safe Place", "Group A")
    assert first == cover_png("The Safe Place", "Group A")
    assert first != cover_png("The Safe Plaice", "Group A")
    assert first != cover_png("The Safe Place", "Group B")
    assert first != cover_png("The Safe Place", "Group A", accent=(150, 110, 140))


def test_text_is_drawn_in_the_centre():
    plain = pixels(cover_png("", size=300)).astype(int)
    titled = pixels(cover_png("Compassionate Self", size=300)).astype(int)
    centre = (slice(100, 200), slice(30, 270))
    changed = np.abs(titled[centre] - plain[centre]).sum(axis=2) > 60
    assert changed.mean() > 0.05
    assert (titled[centre].min(axis=2) > 230).any()  # near-white text pixels
    corner = (slice(0, 30), slice(0, 30))
    assert np.array_equal(titled[corner], plain[corner])


def test_any_text_renders():
    odd = "Zoë's “calm” place — 100% ok? ½ 日本 (really) & more: a/b, c;d=e*f#g@h_i+j"
    png = cover_png(odd, "x" * 400, size=200)
    assert pixels(png).shape == (200, 200, 3)


def test_accents_the_typeface_lacks_fold_to_plain_letters():
    assert cover_png("Zoë") == cover_png("Zoe")
    assert _printable("Siobhán “Nguyễn” — ½ 日本") == 'Siobhan "Nguyen" - 1⁄2'


def test_the_title_is_set_in_a_real_typeface_not_a_bitmap():
    plain = pixels(cover_png("", size=600)).astype(int)
    titled = pixels(cover_png("The Safe Place", size=600)).astype(int)
    changed = np.abs(titled - plain).sum(axis=2)
    text = changed[changed > 0]
    assert len(np.unique(text)) > 100  # anti-aliased curves: many levels, not on/off dots
    rows = np.flatnonzero((changed > 150).any(axis=1))
    assert 150 < rows.min() < rows.max() < 330  # one line, centred on the circle
    assert _font(40).getname() == ("Aileron", "Regular")


def test_bad_size_and_bad_images_refused():
    with pytest.raises(ValueError):
        cover_png("x", size=8)
    with pytest.raises(InvalidRequest, match="cover"):
        image_info(b"GIF89a....")


def test_jpeg_size_is_read():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 130, 150)).save(out, "JPEG", progressive=True)
    info = image_info(out.getvalue())
    assert (info.mime, info.width, info.height) == ("image/jpeg", 640, 480)
    with pytest.raises(InvalidRequest, match="cover"):  # a JPEG's start, cut short
        image_info(out.getvalue()[:2] + b"\xff\xc0" + bytes(20))


def test_covers_of_two_exercises_are_saved_for_review():
    folder = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for name, title, subtitle, accent in (
            ("safe-place", "The Safe Place", "Compassion-focused practice", None),
            ("compassionate-other", "The Ideal Compassionate Other", "Riverside group · Week 2",
             (150, 110, 140))):
        png = cover_png(title, subtitle, size=600, accent=accent)
        (folder / f"cover-{name}-600.png").write_bytes(png)
        assert image_info(png).width == 600
