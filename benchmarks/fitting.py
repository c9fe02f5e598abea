"""Duration fitting with the real Piper voice: 20 random targets per exercise (issue 3).

For each target the track is planned exactly as `render` does it (script, real speech,
fitted pauses, placement); the figure is the planned length against the target. The
rendered file has that length: the end-to-end tests check decoded duration against it.

Usage: python benchmarks/fitting.py [--targets 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cft_audio import Renderer, Request
from cft_audio.script.catalogue import EXERCISES


def main() -> None:
    """Print per-exercise worst and median error of planned vs target length."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    renderer = Renderer()
    started = time.perf_counter()
    worst_overall = 0.0
    for exercise in EXERCISES:
        low, high = renderer.reachable_minutes(Request(exercise))
        targets = rng.uniform(low, high, args.targets).round(2)
        errors = []
        for minutes in targets:
            _, timeline = renderer.timeline(Request(exercise, minutes=float(minutes)))
            errors.append(timeline.seconds / (minutes * 60) - 1)
        worst = float(np.max(np.abs(errors)))
        worst_overall = max(worst_overall, worst)
        print(f"{exercise:<20} range {low:.0f}-{high:.0f} min, {len(targets)} targets: "
              f"worst {worst * 100:+.3f}%, median {np.median(np.abs(errors)) * 100:.3f}%")
    print(f"worst error over all targets: {worst_overall * 100:.3f}% "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
