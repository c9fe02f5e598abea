"""Wall time, CPU time, peak memory and wall seconds per audio second of a cold render.

Usage: python benchmarks/render.py [--runs 3] [--exercise compassionate-other] [--minutes 10]
Each run is a fresh process with an empty speech cache (cold start: imports, voice
loading and all synthesis included), in the default voice. CPU is user + system seconds of
the render process and the processes it waited for (ffmpeg): on a busy machine it moves far
less than wall time. "Per audio second" divides the wall time by the track's length (the
figure behind the web form's render estimate). Medians of N runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mutagen


def one_run(folder: str, cache: str, exercise: str,
            minutes: float) -> tuple[float, float, float, float]:
    """Render once in a child process; (wall s, CPU s, peak RSS in MB, audio seconds)."""
    track = Path(folder) / f"track-{Path(cache).name}.mp3"
    command = [sys.executable, "-m", "cft_audio.cli", "render", exercise,
               "--minutes", f"{minutes:g}", "--quiet", "-o", str(track)]
    start = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, "CFT_AUDIO_CACHE": cache})
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render failed with status {status}")
    audio = mutagen.File(track).info.length
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, audio


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--exercise", default="compassionate-other")
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    times, cpus, peaks, speeds = [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(args.runs):
            seconds, cpu, peak, audio = one_run(folder, os.path.join(folder, f"cache-{index}"),
                                                args.exercise, args.minutes)
            times.append(seconds)
            cpus.append(cpu)
            peaks.append(peak)
            speeds.append(seconds / audio)
            print(f"run {index + 1}: {seconds:6.1f} s wall, {cpu:6.1f} s CPU, "
                  f"peak RSS {peak:7.0f} MB, {seconds / audio:.3f} s wall per audio second "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    print(f"median of {args.runs}: {statistics.median(times):.1f} s wall, "
          f"{statistics.median(cpus):.1f} s CPU, peak RSS {statistics.median(peaks):.0f} MB, "
          f"{statistics.median(speeds):.3f} s wall per audio second "
          f"({args.exercise}, {args.minutes:g} minutes; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
