"""Time to the error and peak memory for each hostile input of issue 16 (median of N runs).

Usage: python benchmarks/hostile_input.py [--runs 3]
Each run is a fresh `cft-audio` process (imports included) in an empty folder; peak memory
is that process's own maximum resident size. Also times parsing 1 MB and 5 MB of markup.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cft_audio.script.markup import parse  # noqa: E402
from tests.hostile import CASES, LONG_LINE, run_cli  # noqa: E402


def main() -> None:
    """Print one line per case: median seconds, peak MB, exit code, the error line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"{'case':<28} {'seconds':>8} {'peak MB':>8} exit  message")
    for case in CASES:
        outcomes = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as name:
                folder = Path(name)
                outcomes.append(run_cli(case.make(folder), folder, timeout=600))
        seconds = statistics.median(o.seconds for o in outcomes)
        peak = max(o.peak_mb for o in outcomes)
        line = outcomes[-1].stderr.strip().splitlines()
        print(f"{case.name:<28} {seconds:8.2f} {peak:8.0f} {outcomes[-1].code:>4}  "
              f"{line[0][:110] if line else ''}")
    for lines in (12_600, 63_000):
        text = (LONG_LINE + "[pause 2s]\n") * lines
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            parse(text)
            times.append(time.perf_counter() - started)
        print(f"parse {len(text) / 1e6:.1f} MB of markup{'':<9} {statistics.median(times):8.2f}")


if __name__ == "__main__":
    main()
