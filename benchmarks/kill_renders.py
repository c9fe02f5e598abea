"""kill -9 renders at random moments, then render once more: only whole tracks may remain.

Usage: python benchmarks/kill_renders.py [--kills 20] [--seed 1]
A first render fills a private speech cache and gives the reference track and its length
of time. Then `--kills` renders into the same folder are each killed (SIGKILL, as `kill -9`)
at a random moment within that time, and one more render runs to the end. Every file
left must be a complete track, byte-identical to the reference, or one of its sidecars
(`.vtt`, `.json`); any other file (a hidden `.part` temp file, a cut track) is a failure.
Exit status 0 when that holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RENDER = ["render", "soothing-breath", "--length", "short", "--background", "ocean",
          "--sidecar", "vtt", "--sidecar", "json", "--quiet"]
SIDECARS = (".vtt", ".json")


def _command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "cft_audio.cli", *RENDER, "-o", str(folder)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _render(folder: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(_command(folder), env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _kill_at(folder: Path, env: dict[str, str], moment: float) -> bool:
    """Start a render and SIGKILL it after `moment` seconds; True if it was still running."""
    child = subprocess.Popen(_command(folder), env=env, stdout=subprocess.DEVNULL)
    try:
        child.wait(timeout=moment)
        return False
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        return True


def _problems(folder: Path, reference: str) -> list[str]:
    """Every file that is not a whole track (same bytes as the reference) or its sidecar."""
    tracks = {p.stem for p in folder.glob("*.mp3")
              if not p.name.startswith(".") and _digest(p) == reference}
    problems = []
    for path in sorted(folder.iterdir()):
        whole_track = path.suffix == ".mp3" and path.stem in tracks
        sidecar = path.suffix in SIDECARS and path.stem in tracks
        if not (whole_track or sidecar):
            problems.append(f"{path.name} ({path.stat().st_size} bytes)")
    return problems


def main() -> int:
    """Run the kills and report what was left before and after the last render."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    chance = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        env = {**os.environ, "CFT_AUDIO_CACHE": str(root / "cache"),
               "CFT_AUDIO_HOME": str(root / "home")}
        _render(root / "reference", env)  # fills the speech cache
        seconds = _render(root / "reference", env)
        reference = _digest(next((root / "reference").glob("*.mp3")))
        folder = root / "tracks"
        killed = 0
        for number in range(1, options.kills + 1):
            moment = chance.uniform(0.0, seconds)
            killed += _kill_at(folder, env, moment)
            left = [p.name for p in folder.iterdir() if p.name.startswith(".")] \
                if folder.exists() else []
            print(f"kill {number:2d} at {moment:5.2f} s: hidden temp files now {len(left)}")
        before = _problems(folder, reference) if folder.exists() else []
        _render(folder, env)
        after = _problems(folder, reference)
        whole = len(list(folder.glob("*.mp3"))) - sum(p.endswith(".mp3") for p in after)
        print(f"a warm render takes {seconds:.1f} s; {killed} of {options.kills} renders were "
              f"killed while running")
        print(f"before the last render: {len(before)} files that are not whole tracks or "
              f"their sidecars {before[:5]}")
        print(f"after it: {whole} whole tracks; {len(after)} other files {after}")
        return 1 if after else 0


if __name__ == "__main__":
    sys.exit(main())
