"""Time to check a shared practice log: the largest accepted and each hostile one (medians).

Usage: python benchmarks/practice_log.py [--runs 5]
In-process `read_log` on the bytes (no upload, no web app): what the app spends before it
answers an upload with the log's week view or its one-line refusal.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cft_audio.errors import PracticeLogError  # noqa: E402
from cft_audio.practice import MAX_ENTRIES, MAX_NOTE, read_log  # noqa: E402
from tests.practice_files import HOSTILE, entry, log, shared  # noqa: E402


def largest() -> bytes:
    """A log at the entry cap, each with a note as long as allowed, under the size cap."""
    data = log([entry(days_ago=n / 6, note="n" * (MAX_NOTE // 2)) for n in range(MAX_ENTRIES)])
    return shared(data)


def timed(data: bytes, runs: int) -> tuple[float, str]:
    """Median seconds to read (or refuse) `data`, and the outcome."""
    times, outcome = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        try:
            found = read_log(data)
            outcome = f"ok, {len(found.entries)} entries"
        except PracticeLogError as error:
            outcome = str(error)
        times.append(time.perf_counter() - start)
    return statistics.median(times), outcome


def main() -> None:
    """One line per file: size, median milliseconds, outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cases = {"largest accepted": largest(), **{k: v[0] for k, v in HOSTILE.items()}}
    print(f"{'file':<42} {'bytes':>10} {'ms':>8}  outcome")
    for name, data in cases.items():
        seconds, outcome = timed(data, runs)
        print(f"{name:<42} {len(data):>10} {seconds * 1000:8.1f}  {outcome[:90]}")


if __name__ == "__main__":
    main()
