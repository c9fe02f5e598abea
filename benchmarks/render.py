"""Wall time, CPU time and peak memory of a standard 10-minute compassionate-other render.

Usage: python benchmarks/render.py [--runs 3]
Each run is a fresh process with an empty speech cache (cold start: imports, voice
loading and all synthesis included). CPU is user + system seconds of the render process
and the processes it waited for (ffmpeg): on a busy machine it moves far less than wall
time. Medians of N runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(folder: str, cache: str) -> tuple[float, float, float]:
    """Render once in a child process; return (wall seconds, CPU seconds, peak RSS in MB)."""
    command = [sys.executable, "-m", "cft_audio.cli", "render", "compassionate-other",
               "--length", "standard", "--minutes", "10", "--quiet", "-o", folder]
    start = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, "CFT_AUDIO_CACHE": cache})
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    times, cpus, peaks = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(runs):
            seconds, cpu, peak = one_run(folder, os.path.join(folder, f"cache-{index}"))
            times.append(seconds)
            cpus.append(cpu)
            peaks.append(peak)
            print(f"run {index + 1}: {seconds:6.1f} s wall, {cpu:6.1f} s CPU, "
                  f"peak RSS {peak:7.0f} MB", flush=True)
    print(f"median of {runs}: {statistics.median(times):.1f} s wall, "
          f"{statistics.median(cpus):.1f} s CPU, peak RSS {statistics.median(peaks):.0f} MB "
          f"(10-minute track; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
