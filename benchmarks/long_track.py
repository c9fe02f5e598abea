"""Peak memory and wall time of a 10-minute and a 60-minute render, cold and warm.

Usage: python benchmarks/long_track.py [--runs 3] [--only 10|60] [--voice heart]
Each run is a fresh process. Cold: an empty speech cache (every sentence synthesised).
Warm: the cache the cold run left (what a re-render, or a batch that repeats
sentences, costs). Peak RSS is the child's maximum resident set (getrusage).
The voice's one-time preparation (Piper's seeded graph, kept in the cache's models/)
is done once up front and reported apart, as the first render after install pays it.
The 60-minute track is benchmarks/hour.j2: the four practices' standard forms in turn,
their silences fitted to 60 minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from processes import timed

HERE = Path(__file__).resolve().parent
TRACKS = {
    "10": ["compassionate-other", "--length", "standard", "--minutes", "10"],
    "60": ["--script", str(HERE / "hour.j2"), "--length", "standard", "--minutes", "60"],
}


def one_run(arguments: list[str], cache: str, output: str) -> tuple[float, float]:
    """Render once in a child process; return (wall seconds, peak RSS in MB)."""
    command = [sys.executable, "-m", "cft_audio.cli", "render", *arguments, "--quiet",
               "-o", output]
    return timed(command, {**os.environ, "CFT_AUDIO_CACHE": cache})


def main() -> None:
    """Run the benchmark and print each run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(TRACKS), default=None)
    parser.add_argument("--voice", default="joe")
    options = parser.parse_args()
    voice = ["--voice", options.voice]
    with tempfile.TemporaryDirectory() as folder:
        models = Path(folder) / "models"
        first = Path(folder) / "first"
        first.mkdir()
        (first / "models").symlink_to(models, target_is_directory=True)
        models.mkdir()
        seconds, peak = one_run(["safe-place", "--length", "short", *voice], str(first),
                                folder)
        print(f"first use (prepares the voice, short track): {seconds:.1f} s wall, "
              f"peak RSS {peak:.0f} MB", flush=True)
        for minutes, arguments in TRACKS.items():
            if options.only and minutes != options.only:
                continue
            figures: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
            for run in range(options.runs):
                cache = os.path.join(folder, f"cache-{minutes}-{run}")
                os.makedirs(cache)
                os.symlink(models, os.path.join(cache, "models"))
                for kind in ("cold", "warm"):
                    figures[kind].append(one_run([*arguments, *voice], cache, folder))
                    seconds, peak = figures[kind][-1]
                    print(f"{minutes}-minute run {run + 1} {kind}: {seconds:6.1f} s wall, "
                          f"peak RSS {peak:5.0f} MB", flush=True)
            for kind, runs in figures.items():
                print(f"{minutes}-minute {kind}, median of {options.runs}: "
                      f"{statistics.median(r[0] for r in runs):.1f} s wall, "
                      f"peak RSS {statistics.median(r[1] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
