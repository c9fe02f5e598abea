"""Hostile and broken inputs (issue 16), shared by the regression tests and the benchmark.

Each case writes its input files into a folder and gives the command-line arguments that
must end in one error line, exit code 2, bounded time and memory, and no file written.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, and words its message must hold."""

    name: str
    make: Callable[[Path], list[str]]
    """Writes the input files into the folder; returns the arguments after `cft-audio`."""
    expect: str


@dataclass(frozen=True)
class Outcome:
    """How a run of the command line ended."""

    code: int
    stderr: str
    seconds: float
    peak_mb: float


def _bomb(folder: Path) -> list[str]:
    lines = ["programme: {title: Bomb}", "exercises: [safe-place]",
             "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("participants:\n  - name: *a9")
    (folder / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["batch", "bomb.yaml", "--check"]


def _template(name: str, text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / name).write_text(text, encoding="utf-8")
        return ["render", "--script", name, "-o", "out/", "--background", "none"]
    return make


def _participants(folder: Path) -> list[str]:
    rows = "".join(f"  - id: p{n}\n" for n in range(100_000))
    (folder / "many.yaml").write_text(
        f"programme: {{title: Many}}\nexercises: [safe-place]\nparticipants:\n{rows}",
        encoding="utf-8")
    return ["batch", "many.yaml", "--check"]


def _short_participants(folder: Path) -> list[str]:
    """100,000 participants that fit under the file size limit (one letter each)."""
    (folder / "many.yaml").write_text(
        "programme: {title: Many}\nexercises: [safe-place]\nparticipants:\n"
        + "- a\n" * 100_000, encoding="utf-8")
    return ["batch", "many.yaml", "--check"]


def _csv_participants(folder: Path) -> list[str]:
    (folder / "p.yaml").write_text("programme: {title: Many}\nexercises: [safe-place]\n"
                                   "participants: people.csv\n", encoding="utf-8")
    (folder / "people.csv").write_text("id\n" + "".join(f"{n}\n" for n in range(100_000)),
                                       encoding="utf-8")
    return ["batch", "p.yaml", "--check"]


def _programme(rows: int, people: int) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "big.yaml").write_text(
            "programme: {title: Big, weeks: 1}\nexercises:\n"
            + "  - {week: 1, exercise: safe-place}\n" * rows + "participants:\n"
            + "".join(f"  - id: p{n}\n" for n in range(people)), encoding="utf-8")
        return ["batch", "big.yaml", "--check"]
    return make


def _folder_output(folder: Path) -> list[str]:
    (folder / "track.mp3").mkdir()
    return ["render", "safe-place", "-o", "track.mp3"]


def _render(*args: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        return ["render", "safe-place", *args, "-o", "out/"]
    return make


def _participant_id(ident: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "ids.yaml").write_text("programme: {title: Ids}\nexercises: [safe-place]\n"
                                         f"participants:\n  - id: {ident}\n", encoding="utf-8")
        return ["batch", "ids.yaml", "--check"]
    return make


def _huge_cover(folder: Path) -> list[str]:
    """A 100-megapixel PNG of 12 KB: Pillow warns of a decompression bomb when it opens it."""
    from PIL import Image

    Image.new("1", (10_000, 10_000)).save(folder / "cover.png")
    return ["render", "safe-place", "--cover", "cover.png", "-o", "out/"]


DIGITS = "9" * 5000
"""A value far longer than any message should echo."""

def _long_respelling(folder: Path) -> list[str]:
    """A lexicon whose one respelling is 10,000 characters, said wherever the name is."""
    (folder / "lexicon.yaml").write_text("Sam: " + "Sa " * 3_333 + "\n", encoding="utf-8")
    return ["render", "safe-place", "--name", "Sam", "--lexicon", "lexicon.yaml", "-o", "out/",
            "--background", "none"]


LONG_LINE = "Let the breath soften, and notice the body resting, held and supported. "

CASES = (
    Case("alias bomb", _bomb, "MAX_MANIFEST_VALUES"),
    Case("nested loops", _template(
        "loops.j2", "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
        "{% endfor %}"), "MAX_TEMPLATE_STEPS"),
    Case("huge text", _template("big.j2", '{{ "x" * 10**10 }}'), "MAX_TEMPLATE_OUTPUT"),
    Case("ten million lines", _template("lines.j2", '{{ "Breathe in. " * 10**7 }}'),
         "MAX_TEMPLATE_OUTPUT"),
    Case("5 MB template", _template("five.j2", (LONG_LINE + "[pause 2s]\n") * 63_000),
         "MAX_TEMPLATE_BYTES"),
    Case("269-minute template", _template("long.j2", (LONG_LINE + "[pause long]\n") * 700),
         "MAX_MINUTES"),
    Case("-o names a folder", _folder_output, "is a folder"),
    Case("100,000 participants", _participants, "MAX_MANIFEST_BYTES"),
    Case("100,000 short participants", _short_participants, "MAX_PARTICIPANTS"),
    Case("100,000 CSV participants", _csv_participants, "MAX_PARTICIPANTS"),
    Case("5,000 exercise rows", _programme(5000, 20), "MAX_EXERCISES"),
    Case("10,000 tracks", _programme(100, 100), "MAX_TRACKS"),
    Case("seed -1", _render("--seed", "-1"), "--seed: -1 is out of range (allowed: 0 to "),
    Case("year 10**30", _render("--year", "1" + "0" * 30), "(allowed: 1900 to 2999)"),
    Case("5,000-digit seed", _render("--seed", DIGITS), "'" + "9" * 40 + "…' is out of range"),
    Case("minutes 10abc", _render("--minutes", "10abc"), "--minutes: '10abc' is not a number"),
    Case("ID CON", _participant_id("CON"), "'CON' is a device name on Windows"),
    Case("100-megapixel cover", _huge_cover, "MAX_COVER_PIXELS"),
    Case("10,000-character respelling", _long_respelling, "MAX_RESPELLING"),
)


_CHILD = """
import re, resource, sys
from pathlib import Path
from cft_audio.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
status = Path("/proc/self/status")
found = re.search(r"VmHWM:\\s*(\\d+) kB", status.read_text()) if status.exists() else None
print("peak-kb", found.group(1) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""
"""`cft-audio ARGS`, then its own peak memory as a last line on stdout: the high-water mark
of its own memory map (VmHWM; ru_maxrss would count the parent's size at the fork)."""


def run_cli(args: list[str], folder: Path, timeout: float = 60.0) -> Outcome:
    """Run `cft-audio ARGS` in `folder`; its exit code, stderr, wall time and peak memory."""
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, "-c", _CHILD, *args], cwd=folder,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:  # a hang ends as a failure, not a stuck run
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    last = stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    peak_kb = float(last[0].split()[1]) if last[0].startswith("peak-kb ") else float("nan")
    return Outcome(process.returncode, stderr.decode("utf-8", "replace"), seconds,
                   peak_kb / 1024)
