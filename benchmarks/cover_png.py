"""Our PNG writer against Pillow's on the default 600-pixel cover: bytes, and milliseconds.

Why `export/cover.py` keeps `encode_png`: Pillow writes other bytes for the same pixels
(its own filter choice and zlib build), and the cover is inside every track, so the pinned
WAV/FLAC files would change with it. This prints both files' sizes, whether the pixels are
the same, and each encoder's best of --repeat runs, median of --rounds rounds.

Usage: python benchmarks/cover_png.py [--rounds 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
from PIL import Image

from cft_audio.export.cover import cover_png, encode_png


def pillow_png(rgb: np.ndarray) -> bytes:
    """The same pixels written by Pillow's own PNG encoder."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "PNG")
    return out.getvalue()


def best_ms(encode: Callable[[np.ndarray], bytes], rgb: np.ndarray, repeat: int) -> float:
    """Fastest of `repeat` encodes, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        encode(rgb)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    """Print sizes, pixel equality and the median of best times for both encoders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    rgb = np.asarray(Image.open(io.BytesIO(cover_png("The Safe Place", "cft-audio"))))
    ours, theirs = encode_png(rgb), pillow_png(rgb)
    same = np.array_equal(np.asarray(Image.open(io.BytesIO(theirs))), rgb)
    print(f"600-pixel cover: ours {len(ours):,} bytes, Pillow {len(theirs):,} bytes "
          f"(same pixels: {same}; same bytes: {ours == theirs})")
    for name, encode in (("ours", encode_png), ("Pillow", pillow_png)):
        rounds = [best_ms(encode, rgb, options.repeat) for _ in range(options.rounds)]
        print(f"{name:>7}: {statistics.median(rounds):.0f} ms (median of {options.rounds} "
              f"rounds, each the best of {options.repeat})")


if __name__ == "__main__":
    main()
