"""A 10-minute render by stage: cold, warm after a name change, warm after a background change.

    python benchmarks/stages.py [--runs 3] [--only cold|name|background] [--voice heart]

The track is the standard compassionate other (`--image tree`, 47 sentences, about 10:24).
Each run is a fresh process rendering to MP3 and prints the CPU seconds of each stage
(speech, ahead, mix, master, encode; see stageclock.py), its wall time and peak RSS.

- cold: no speech cache (as `--no-cache`): every sentence synthesised.
- name: the cache holds the track for `--name Sam`; the run renders `--name Alex`
  (only the sentences with the name are new).
- background: the cache holds the track on ocean; the run renders it on rain.

The cache is copied afresh for every run, so each warm run meets exactly one change.
Prints the median of each column; state the machine's load beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = {"exercise": "compassionate-other", "image": "tree", "name": "Sam", "background": "ocean"}
SCENARIOS = {
    "cold": ({}, False),
    "name": ({"name": "Alex"}, True),
    "background": ({"background": "rain"}, True),
}


def child(fields: dict[str, str], cached: bool, output: str) -> None:
    """Render once in this process with the stage clock installed; print the figures as JSON."""
    sys.path.insert(0, str(HERE))
    import stageclock

    from cft_audio.pipeline import RenderContext, Renderer
    from cft_audio.request import Request

    times = stageclock.install()
    context = RenderContext(keep_voices=False, **({} if cached else {"cache": None}))
    result = Renderer(context).render(Request(**fields, output=Path(output)))
    print(json.dumps({"cpu": times.cpu, "wall": times.wall, "speech_wall": times.speech_wall,
                      "loudness": result.loudness, "true_peak": result.true_peak}))


def run_child(fields: dict[str, str], cached: bool, output: Path, cache: Path) -> dict:
    """One fresh process; its figures, whole wall time and peak RSS."""
    command = [sys.executable, __file__, "--child", json.dumps([fields, cached, str(output)])]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "CFT_AUDIO_CACHE": str(cache)})
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render failed: {fields}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["process_wall"] = time.perf_counter() - start
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures


def main() -> None:
    """Prepare the caches, run each scenario --runs times, print every run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--voice", default="joe")
    options = parser.parse_args()
    if options.child:
        child(*json.loads(options.child))
        return
    base = {**BASE, "voice": options.voice}
    print(f"voice {options.voice}; load average {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="cft-stages-") as temp:
        work = Path(temp)
        models, prepared = work / "models", work / "prepared"
        models.mkdir()
        prepared.mkdir()
        (prepared / "models").symlink_to(models, target_is_directory=True)
        run_child(base, True, work / "base.mp3", prepared)  # voice prepared, Sam on ocean cached
        chosen = [options.only] if options.only else list(SCENARIOS)
        results: dict[str, list[dict]] = {name: [] for name in chosen}
        for run in range(options.runs):
            for name in chosen:  # alternate the scenarios run by run
                change, cached = SCENARIOS[name]
                cache = work / f"cache-{name}-{run}"
                shutil.copytree(prepared, cache, symlinks=True)
                figures = run_child({**base, **change}, cached, work / f"{name}-{run}.mp3",
                                    cache)
                shutil.rmtree(cache)
                results[name].append(figures)
                print(f"{name:<10} run {run + 1}: {_line(figures)}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    for name, runs in results.items():
        median = {"cpu": {s: statistics.median(r["cpu"][s] for r in runs) for s in runs[0]["cpu"]}}
        for key in ("wall", "speech_wall", "process_wall", "peak_mb", "loudness", "true_peak"):
            median[key] = statistics.median(r[key] for r in runs)
        print(f"{name:<10} median of {len(runs)}: {_line(median)}")


def _line(figures: dict) -> str:
    cpu = figures["cpu"]
    stages = " ".join(f"{stage} {seconds:5.1f}" for stage, seconds in cpu.items())
    return (f"CPU s: {stages} (total {sum(cpu.values()):5.1f}); wall: render "
            f"{figures['wall']:5.1f} (speech {figures['speech_wall']:4.1f}), process "
            f"{figures['process_wall']:5.1f} s; peak RSS {figures['peak_mb']:4.0f} MB; "
            f"{figures['loudness']:.2f} LUFS, {figures['true_peak']:.2f} dBTP")


if __name__ == "__main__":
    main()
