"""kill -9 renders at random moments and at every step of publishing: no record may lie.

Usage: python benchmarks/kill_renders.py [--kills 20] [--seed 1]
Renders of a short template with the real voice go into two folders, one with automatic
names (`-o FOLDER`) and one onto one explicit file (`-o FOLDER/track.mp3`, overwritten),
each render for another of three clients (a name spoken in the track and written in its
captions, script and record). Two ways of killing (SIGKILL, as `kill -9`):
- `--kills` renders, each at a random moment within the time the fastest warm render took
  (a render that finished first is counted as such);
- one render killed just before each file operation (link, rename, unlink) from the
  start of publishing to the end, in each folder: so also between the audio and the
  sidecars, and between one sidecar and the next.
After every kill, before anything cleans up, it checks that every record (`.json`) has
the audio beside it and that its `output_sha256` matches, and that no audio sits beside
another client's captions, script or record. Then one more render into each folder runs
to the end (it recovers what the killed ones left), and every file left must be a whole
unit: audio, `.vtt`, `.txt` and `.json` of one client, the record's hash matching, and no
hidden file. Exit status 0 when all of that holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """[section Hello]
Hello, {{ name }}.
[pause short]
Breathe in slowly, and let the breath go.
[pause short]
Rest here a while, {{ name }}.
"""
CLIENTS = ("Ann", "Bo", "Cy")
SIDECARS = (".vtt", ".txt", ".json")
STEPPED = r"""
import os, signal, sys
from cft_audio.cli import main
from cft_audio.export import publish

kill_at, state = int(sys.argv[1]), {"on": False, "steps": 0}

def counted(call):
    def step(*args, **kwargs):
        if state["on"]:
            if state["steps"] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            state["steps"] += 1
        return call(*args, **kwargs)
    return step

os.link, os.replace, os.unlink = counted(os.link), counted(os.replace), counted(os.unlink)
publish_unit = publish.Slot.publish

def publishing(self, *args, **kwargs):
    state["on"] = True
    return publish_unit(self, *args, **kwargs)

publish.Slot.publish = publishing
code = main(sys.argv[2:])
print(state["steps"], file=sys.stderr)
sys.exit(code)
"""
"""Runs the CLI in-process, killing itself before its n-th file operation once publishing
has started (-1: never; it prints how many there were)."""


def _arguments(template: Path, output: Path, client: str) -> list[str]:
    return ["render", "--script", str(template), "--name", client, "--background", "ocean",
            "--sidecar", "vtt", "--sidecar", "txt", "--sidecar", "json", "--quiet",
            "-o", str(output)]


def _command(arguments: list[str], kill_at: int | None = None) -> list[str]:
    if kill_at is None:
        return [sys.executable, "-m", "cft_audio.cli", *arguments]
    return [sys.executable, "-c", STEPPED, str(kill_at), *arguments]


def _render(arguments: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(_command(arguments), env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _kill_at_moment(arguments: list[str], env: dict[str, str], moment: float) -> bool:
    """Start a render and SIGKILL it after `moment` seconds; True if it was still running."""
    child = subprocess.Popen(_command(arguments), env=env, stdout=subprocess.DEVNULL)
    try:
        child.wait(timeout=moment)
        return False
    except subprocess.TimeoutExpired:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        return True


def _kill_at_step(arguments: list[str], env: dict[str, str], step: int) -> int:
    """Run a render that kills itself before publishing step `step` (-1: none); its steps."""
    run = subprocess.run(_command(arguments, step), env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=False)
    if step < 0:
        if run.returncode != 0:
            raise SystemExit(f"the unkilled render failed: {run.stderr.strip()}")
        return int(run.stderr.strip().splitlines()[-1])
    return -run.returncode  # SIGKILL: 9; 0 if it finished first


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _owner(path: Path) -> str | None:
    """The client whose name a sidecar holds."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)["request"]["name"]
    return next((c for c in CLIENTS if f", {c}." in text or f"Hello, {c}" in text), None)


def _lies(folder: Path) -> list[str]:
    """Records without their audio or with another hash; audio beside another's sidecars."""
    lies = []
    for audio in sorted(folder.glob("*.mp3")):
        record = audio.with_suffix(".json")
        owners = {_owner(audio.with_suffix(s)) for s in SIDECARS
                  if audio.with_suffix(s).is_file()}
        if record.is_file():
            expected = json.loads(record.read_text(encoding="utf-8"))["output_sha256"]
            if expected != _digest(audio):
                lies.append(f"{record.name}: hash does not match {audio.name}")
        if len(owners) > 1:
            lies.append(f"{audio.name} beside sidecars of {sorted(map(str, owners))}")
    for record in folder.glob("*.json"):
        if not record.with_suffix(".mp3").is_file():
            lies.append(f"{record.name} without its audio")
    return lies


def _not_whole(folder: Path) -> list[str]:
    """Every file that is not part of a whole unit of one client (or is hidden)."""
    whole = {a.stem for a in folder.glob("*.mp3")
             if all(a.with_suffix(s).is_file() for s in SIDECARS) and not _lies_about(a)}
    return [p.name for p in sorted(folder.iterdir())
            if p.name.startswith(".") or p.stem not in whole]


def _lies_about(audio: Path) -> bool:
    record = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))
    owners = {_owner(audio.with_suffix(s)) for s in SIDECARS}
    return record["output_sha256"] != _digest(audio) or len(owners) != 1


class Tally:
    """What the kills found."""

    def __init__(self) -> None:
        self.kills = self.checks = 0
        self.running = {"random": 0, "step": 0}
        """Renders still running when killed, by way of killing."""
        self.lies: list[str] = []
        self.orphans = 0

    def check(self, folders: list[Path]) -> None:
        """Look at both folders right after a kill, before anything recovers them."""
        self.checks += 1
        for folder in folders:
            if folder.exists():
                self.lies += _lies(folder)
                self.orphans += sum(1 for p in folder.iterdir() if not p.name.startswith(".")
                                    and p.suffix in SIDECARS
                                    and not p.with_suffix(".mp3").is_file())


def _random_kills(tally: Tally, targets: list[Path], template: Path, env: dict[str, str],
                  kills: int, seconds: float, chance: random.Random) -> None:
    for number in range(kills):
        target, client = targets[number % 2], CLIENTS[number % len(CLIENTS)]
        tally.kills += 1
        tally.running["random"] += _kill_at_moment(_arguments(template, target, client), env,
                                         chance.uniform(0.0, seconds))
        tally.check([t if t.suffix != ".mp3" else t.parent for t in targets])


def _step_kills(tally: Tally, targets: list[Path], template: Path,
                env: dict[str, str]) -> list[int]:
    counts = []
    for index, target in enumerate(targets):
        steps = _kill_at_step(_arguments(template, target, CLIENTS[index]), env, -1)
        counts.append(steps)
        for step in range(steps):
            client = CLIENTS[(step + index + 1) % len(CLIENTS)]
            tally.kills += 1
            tally.running["step"] += _kill_at_step(_arguments(template, target, client), env,
                                           step) == signal.SIGKILL
            tally.check([t if t.suffix != ".mp3" else t.parent for t in targets])
    return counts


def main() -> int:
    """Run the kills and report what each check found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        env = {**os.environ, "CFT_AUDIO_CACHE": str(root / "cache"),
               "CFT_AUDIO_HOME": str(root / "home")}
        template = root / "short-practice.j2"
        template.write_text(TEMPLATE, encoding="utf-8")
        for client in CLIENTS:  # fills the speech cache for every client
            _render(_arguments(template, root / "warm", client), env)
        seconds = min(_render(_arguments(template, root / "warm", c), env) for c in CLIENTS)
        targets = [root / "automatic", root / "explicit" / "track.mp3"]
        tally = Tally()
        _random_kills(tally, targets, template, env, options.kills, seconds,
                      random.Random(options.seed))
        counts = _step_kills(tally, targets, template, env)
        for index, target in enumerate(targets):
            _render(_arguments(template, target, CLIENTS[index]), env)
        folders = [root / "automatic", root / "explicit"]
        left = {f.name: _not_whole(f) for f in folders}
        units = {f.name: len(list(f.glob("*.mp3"))) for f in folders}
        print(f"a warm render takes {seconds:.1f} s (fastest of {len(CLIENTS)}); "
              f"publishing takes {counts[0]} file operations with an automatic name, "
              f"{counts[1]} onto an explicit file")
        print(f"{tally.kills} renders killed: {options.kills} at random moments "
              f"({tally.running['random']} still running then, the others had finished), "
              f"{sum(counts)} before each publishing step ({tally.running['step']} killed there)")
        print(f"after the kills, {tally.checks} checks: {len(tally.lies)} records or tracks "
              f"that lie {tally.lies[:5]}; {tally.orphans} sidecars seen without their "
              f"audio (removed by the next render)")
        print(f"after one more render into each folder: whole units {units}; files that are "
              f"not part of one {left}")
        return 1 if tally.lies or any(left.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
