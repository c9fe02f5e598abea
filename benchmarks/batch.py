"""Batch vs independent renders: the example programme as one batch, and as single renders.

    python benchmarks/batch.py                      # full: 30-track batch, 30 single renders
    python benchmarks/batch.py --sample 3           # time 3 single renders, extrapolate to all
    python benchmarks/batch.py --participants 4 --sample 2   # a reduced programme
    python benchmarks/batch.py --batch-only --stages 6      # the pack, and CPU by stage

The batch runs with a fresh speech cache; every single render is a fresh `cft-audio render`
process with the speech cache cleared first (prepared voice models are kept for both, after
one untimed warm-up render). Prints both times and their ratio.

Then, per track, the CPU seconds by stage (speech, mix, master, encode; see stageclock.py)
as a batch worker spends them: `--stages K` tracks spread over the plan are rendered again
in one fresh process set up like a worker (voice kept loaded and on one thread, speech
from the batch's cache, beds generated once into a store), each timed by stage.
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
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "programme.yaml"


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=EXAMPLE)
    parser.add_argument("--participants", type=int, default=None,
                        help="use only the first N participants (a reduced programme)")
    parser.add_argument("--sample", type=int, default=None,
                        help="time K single renders and extrapolate to every track")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--voice", default=None,
                        help="the voice of every track (default: the manifest's)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy the batch's packs here (to inspect or check them)")
    parser.add_argument("--batch-only", action="store_true",
                        help="time the batch alone (no independent renders)")
    parser.add_argument("--stages", type=int, default=6,
                        help="tracks timed by stage after the batch (0: none)")
    parser.add_argument("--stage-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--batch-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage_child:
        _stage_child(*json.loads(args.stage_child))
        return
    if args.batch_child:
        _batch_child(*json.loads(args.batch_child))
        return
    print(f"load average {os.getloadavg()[0]:.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="cft-batch-bench-") as temp:
        work = Path(temp)
        env = {**os.environ, "CFT_AUDIO_CACHE": str(work / "cache"),
               "CFT_AUDIO_HOME": str(work / "home")}
        manifest = _manifest(args.manifest, work, args.participants, args.voice)
        commands = _single_commands(manifest, work / "single", env)
        voice = ["--voice", args.voice] if args.voice else []
        _run([_exe(), "render", "safe-place", "--minutes", "4", "-q", *voice, "-o",
              str(work / "warm.mp3")], env)  # prepares the voice model once (untimed)
        batch_seconds = _timed_batch(manifest, work, env, args.jobs)
        print(f"batch                  {batch_seconds:8.1f} s  ({len(commands)} tracks, jobs "
              f"{args.jobs}, fresh speech cache; load average {os.getloadavg()[0]:.1f})",
              flush=True)
        if args.keep is not None:
            shutil.copytree(work / "batch", args.keep, dirs_exist_ok=True)
        if args.stages:
            _print_stages(manifest, work, env, args.stages)
        if args.batch_only:
            return
        chosen = _spread(commands, args.sample)
        singles = [_timed_single(command, work, env) for command in chosen]
    median = statistics.median(singles)
    independent = median * len(commands)
    note = (f"median of {len(singles)} sampled, x {len(commands)}" if len(singles) < len(commands)
            else f"{len(commands)} renders, median {median:.1f} s each")
    print(f"tracks                 {len(commands)}  (jobs {args.jobs})")
    print(f"independent renders    {independent:8.1f} s  ({note}; speech cache cleared each)")
    print(f"single renders timed   {', '.join(f'{s:.1f}' for s in singles)} s")
    print(f"ratio                  {independent / batch_seconds:8.2f} x  (target >= 5)")


def _print_stages(manifest: Path, work: Path, env: dict[str, str], count: int) -> None:
    """Render `count` tracks again in one worker-like process and print CPU by stage."""
    command = [sys.executable, __file__, "--stage-child",
               json.dumps([str(manifest), str(work / "stages"), count])]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"timing by stage failed: {done.stderr.strip()[-500:]}")
    runs = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    for run in runs:
        print(f"  track {run['track']:>2} ({run['background']:<10}) {_stage_line(run['cpu'])}"
              f" wall {run['wall']:5.1f} s")
    median = {s: statistics.median(r["cpu"][s] for r in runs) for s in runs[0]["cpu"]}
    print(f"per track, median of {len(runs)}: {_stage_line(median)}")


def _stage_line(cpu: dict[str, float]) -> str:
    stages = " ".join(f"{stage} {seconds:4.1f}" for stage, seconds in cpu.items())
    return f"CPU s: {stages} (total {sum(cpu.values()):4.1f})"


def _stage_child(manifest: str, folder: str, count: int) -> None:
    """Render tracks of the plan as a batch worker would, printing each one's CPU by stage."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import stageclock

    from cft_audio import Renderer
    from cft_audio.batch import worker
    from cft_audio.batch.plan import plan_batch

    times = stageclock.install()
    with tempfile.TemporaryDirectory(prefix="cft-beds-") as beds:
        renderer = Renderer(replace(worker.default_context(), bed_store=Path(beds)))
        tracks = plan_batch(Path(manifest), Path(folder), renderer).tracks
        for index, track in enumerate(_spread(list(tracks), count)):
            renderer.render(track.request)
            print(json.dumps({"track": index + 1, "background": track.request.background,
                              "cpu": times.cpu, "wall": times.wall}), flush=True)


def _exe() -> str:
    return str(Path(sys.executable).with_name("cft-audio"))


def _manifest(source: Path, work: Path, participants: int | None, voice: str | None) -> Path:
    """A copy of the manifest (and its participants CSV), trimmed to N participants."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if voice is not None:
        data["defaults"] = {**(data.get("defaults") or {}), "voice": voice}
    if participants is not None and isinstance(data.get("participants"), list):
        data["participants"] = data["participants"][:participants]
    if isinstance(data.get("participants"), str):
        shutil.copy(source.parent / data["participants"], work / data["participants"])
    target = work / "programme.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def _single_commands(manifest: Path, folder: Path, env: dict[str, str]) -> list[list[str]]:
    """The `cft-audio render` command equivalent to each track of the batch."""
    os.environ.update({k: env[k] for k in ("CFT_AUDIO_CACHE", "CFT_AUDIO_HOME")})
    from cft_audio import Renderer
    from cft_audio.batch.plan import plan_batch

    plan = plan_batch(manifest, folder, Renderer())
    return [_render_args(t.request, folder / f"{n:03d}.{t.request.format}")
            for n, t in enumerate(plan.tracks)]


def _render_args(request, output: Path) -> list[str]:
    """A Request as `cft-audio render` arguments."""
    args = [_exe(), "render", request.exercise, "-q", "-o", str(output)]
    for flag, value in (("--name", request.name), ("--image", request.image),
                        ("--place", request.place), ("--length", request.length),
                        ("--minutes", request.minutes), ("--voice", request.voice),
                        ("--tone", request.tone), ("--pace", request.pace),
                        ("--background", request.background),
                        ("--bed-level", request.bed_level), ("--seed", request.seed),
                        ("--artist", request.artist), ("--album", request.album),
                        ("--track", request.track), ("--year", request.year)):
        if value not in (None, ""):
            args += [flag, str(value)]
    for flag, values in (("--detail", request.details), ("--phrase", request.phrases),
                         ("--quality", request.qualities), ("--say", request.say),
                         ("--sidecar", request.sidecars)):
        for value in values:
            args += [flag, value]
    for flag, on in (("--gentle", request.gentle), ("--accessible", request.accessible),
                     ("--breath-tone", request.breath_tone), ("--mono", request.mono)):
        if on:
            args.append(flag)
    return args


def _spread(items: list, sample: int | None) -> list:
    """`sample` items spread evenly over the list (all of them when None)."""
    if sample is None or sample >= len(items):
        return items
    step = len(items) / sample
    return [items[int(i * step)] for i in range(sample)]


def _clear_speech(env: dict[str, str]) -> None:
    shutil.rmtree(Path(env["CFT_AUDIO_CACHE"]) / "speech", ignore_errors=True)


def _timed_batch(manifest: Path, work: Path, env: dict[str, str], jobs: int) -> float:
    """Wall seconds of the batch (fresh speech cache), run as `cft-audio batch` runs it.

    The child prints when the speech phase ended and when each track finished, so the
    phases and the tail (one core idle while the last track renders) are printed too.
    """
    _clear_speech(env)
    start = time.perf_counter()
    command = [sys.executable, __file__, "--batch-child",
               json.dumps([str(manifest), str(work / "batch"), jobs])]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    marks = json.loads(done.stdout.splitlines()[-1])
    finished = marks["tracks"]
    tail = finished[-1] - finished[-2] if len(finished) > 1 else 0.0
    speech = marks["spoken"] - marks["planned"]
    print(f"  phases: plan {marks['planned']:5.1f} s, speech {speech:5.1f} s "
          f"({marks['sentences']} sentences), tracks {finished[-1] - marks['spoken']:5.1f} s,"
          f" last track alone {tail:4.1f} s, after {seconds - finished[-1]:4.1f} s; CPU "
          f"{marks['cpu']:6.1f} s ({marks['cpu'] / seconds:4.2f} cores busy)", flush=True)
    return seconds


def _batch_child(manifest: str, folder: str, jobs: int) -> None:
    """Run the batch as the CLI does, printing (as JSON) when each phase and track ended."""
    start = time.perf_counter()
    from cft_audio import Renderer
    from cft_audio.batch.executors import LocalExecutor
    from cft_audio.batch.plan import plan_batch
    from cft_audio.batch.runner import run_batch

    plan = plan_batch(Path(manifest), Path(folder), Renderer())
    marks: dict = {"planned": time.perf_counter() - start, "spoken": 0.0, "tracks": []}

    def progress(phase: str, done: int, total: int) -> None:
        now = time.perf_counter() - start
        if phase == "speech":
            marks["spoken"], marks["sentences"] = now, total
        elif done:
            marks["tracks"].append(now)

    report = run_batch(plan, LocalExecutor(jobs), progress)
    if report.failed:
        raise SystemExit(f"{len(report.failed)} tracks failed: {report.failed[0].error}")
    marks["cpu"] = _tree_cpu()
    print(json.dumps(marks), flush=True)


def _tree_cpu() -> float:
    """CPU seconds of this process and every process under it (workers, ffmpeg).

    The fork server is stopped and waited for first: it has reaped the workers, and they
    their encoders, so their CPU is counted in ours.
    """
    import multiprocessing.forkserver
    import resource

    multiprocessing.forkserver._forkserver._stop()
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def _timed_single(command: list[str], work: Path, env: dict[str, str]) -> float:
    _clear_speech(env)
    (work / "single").mkdir(exist_ok=True)
    start = time.perf_counter()
    _run(command, env)
    return time.perf_counter() - start


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])}... failed ({done.returncode}): "
                         f"{done.stderr.strip()[-500:]}")


if __name__ == "__main__":
    main()
