"""Wall time and peak memory of a standard 10-minute compassionate-other render (median of N).

Usage: python benchmarks/render.py [--runs 3]
Each run is a fresh process with an empty speech cache (cold start: imports, voice
loading and all synthesis included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(folder: str, cache: str) -> tuple[float, float]:
    """Render once in a child process; return (seconds, peak RSS in MB)."""
    command = [sys.executable, "-m", "cft_audio.cli", "render", "compassionate-other",
               "--length", "standard", "--minutes", "10", "--quiet", "-o", folder]
    start = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, "CFT_AUDIO_CACHE": cache})
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    times, peaks = [], []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(runs):
            seconds, peak = one_run(folder, os.path.join(folder, f"cache-{index}"))
            times.append(seconds)
            peaks.append(peak)
            print(f"run {index + 1}: {seconds:6.1f} s wall, peak RSS {peak:7.0f} MB")
    print(f"median of {runs}: {statistics.median(times):.1f} s wall, "
          f"peak RSS {statistics.median(peaks):.0f} MB (10-minute track)")


if __name__ == "__main__":
    main()
