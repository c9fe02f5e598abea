"""Duration fitting with the real Piper voice: 20 random targets per exercise (issue 3).

For each target the track is planned exactly as `render` does it (script, real speech,
fitted pauses, placement); the figure is the planned length against the target. Every
`--full`-th target is also rendered to a WAV file and decoded, and its decoded length
is compared with the target too.

Usage: python benchmarks/fitting.py [--targets 20] [--seed 1] [--full 5] [--voice heart]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from cft_audio import Renderer, Request
from cft_audio.ffmpeg import decode
from cft_audio.script.catalogue import EXERCISES


def main() -> None:
    """Print per-exercise worst and median error of planned vs target length."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", type=int, default=5, help="render every Nth target fully")
    parser.add_argument("--voice", default="joe")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    renderer = Renderer()
    started = time.perf_counter()
    worst_overall = worst_decoded = 0.0
    folder = Path(tempfile.mkdtemp())
    for exercise in EXERCISES:
        low, high = renderer.reachable_minutes(Request(exercise, voice=args.voice))
        targets = rng.uniform(low, high, args.targets).round(2)
        errors, decoded_errors = [], []
        for index, minutes in enumerate(targets):
            request = Request(exercise, minutes=float(minutes), format="wav", voice=args.voice,
                              output=folder / f"{exercise}-{index}.wav")
            _, timeline = renderer.timeline(request)
            errors.append(timeline.seconds / (minutes * 60) - 1)
            if args.full and index % args.full == 0:
                path = renderer.render(request).path
                decoded_errors.append(len(decode(path)) / 44100 / (minutes * 60) - 1)
                path.unlink()
        worst = float(np.max(np.abs(errors)))
        worst_overall = max(worst_overall, worst)
        print(f"{exercise:<20} range {low:.0f}-{high:.0f} min, {len(targets)} targets: "
              f"worst {worst * 100:.3f}%, median {np.median(np.abs(errors)) * 100:.3f}%"
              + (f"; {len(decoded_errors)} rendered and decoded: worst "
                 f"{np.max(np.abs(decoded_errors)) * 100:.3f}%" if decoded_errors else ""))
        if decoded_errors:
            worst_decoded = max(worst_decoded, float(np.max(np.abs(decoded_errors))))
    print(f"worst error over all targets: planned {worst_overall * 100:.3f}%, "
          f"rendered and decoded {worst_decoded * 100:.3f}% "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
