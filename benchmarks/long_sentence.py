"""Peak memory of a render whose script is one long sentence, at 300, 3,000 and 10,000 characters.

Usage: python benchmarks/long_sentence.py [--chars 300 3000 10000] [--runs 1]
Each run is a fresh process rendering, with the real Piper voice and an empty speech
cache, a custom template of one sentence of that many characters:
  - clauses: words with a comma every dozen or so words (split at clause boundaries);
  - words: the same words without any punctuation (split at word boundaries);
and then a lexicon whose one respelling is that long, said through `--name` (a respelling
over MAX_RESPELLING in cft_audio/limits.py is refused in one line, exit code 2: its line
is printed instead of a figure).
Peak RSS is the child's maximum resident set (getrusage). The voice's one-time
preparation (Piper's seeded graph) is done once up front and not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from processes import timed

from cft_audio.limits import MAX_RESPELLING

WORDS = ("you", "let", "the", "breath", "settle", "and", "notice", "the", "warmth", "in",
         "your", "chest", "as", "it", "slowly", "grows", "and", "spreads", "through", "your",
         "shoulders")


def sentence(chars: int, commas: bool) -> str:
    """One sentence of about `chars` characters, with a comma every 13 words or none."""
    words, length = [], 0
    while length < chars:
        word = WORDS[len(words) % len(WORDS)]
        if commas and len(words) % 13 == 12:
            word += ","
        words.append(word)
        length += len(word) + 1
    return " ".join(words).rstrip(",") + "."


def render(arguments: list[str], cache: str, output: str,
           refused: bool = False) -> tuple[float, float] | str:
    """Render once in a fresh child: (wall seconds, peak RSS MB), or the refusal's line."""
    command = [sys.executable, "-m", "cft_audio.cli", "render", *arguments,
               "--background", "none", "--quiet", "-o", output]
    env = {**os.environ, "CFT_AUDIO_CACHE": cache}
    if not refused:
        return timed(command, env)
    checked = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if checked.returncode != 2 or len(checked.stderr.strip().splitlines()) != 1:
        raise SystemExit(f"expected a one-line refusal, got {checked.returncode}: "
                         f"{checked.stderr[-300:]}")
    return checked.stderr.strip()


def fresh_cache(folder: Path, models: Path, name: str) -> str:
    """An empty speech cache that shares the prepared voice in `models`."""
    cache = folder / name
    cache.mkdir()
    (cache / "models").symlink_to(models, target_is_directory=True)
    return str(cache)


def cases(folder: Path, chars: int) -> dict[str, list[str]]:
    """The renders for one length: template with clauses, without, and a long respelling."""
    made = {}
    for kind, commas in (("clauses", True), ("words", False)):
        template = folder / f"{kind}-{chars}.j2"
        template.write_text(sentence(chars, commas) + "\n", encoding="utf-8")
        made[f"template, {kind}"] = ["--script", str(template)]
    lexicon = folder / f"lexicon-{chars}.yaml"
    lexicon.write_text(f"Sam: {sentence(chars, False)}\n", encoding="utf-8")
    said = folder / "said.j2"
    said.write_text("Welcome, {{ name }}.\n", encoding="utf-8")
    made["respelling"] = ["--script", str(said), "--name", "Sam", "--lexicon", str(lexicon)]
    return made


def main() -> None:
    """Run the benchmark and print each render's peak memory (median of the runs)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, nargs="+", default=[300, 3000, 10000])
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        models = folder / "models"
        models.mkdir()
        seconds, peak = timed([sys.executable, "-m", "cft_audio.cli", "voices", "preview",
                               "joe", "-o", str(folder / "first.wav")],
                              {**os.environ, "CFT_AUDIO_CACHE": fresh_cache(folder, models,
                                                                             "first")},
                              quiet=True)
        print(f"first use (prepares the voice): {seconds:.1f} s, peak RSS {peak:.0f} MB",
              flush=True)
        for chars in options.chars:
            for number, (case, arguments) in enumerate(cases(folder, chars).items()):
                runs = []
                for run in range(options.runs):
                    cache = fresh_cache(folder, models, f"cache-{chars}-{number}-{run}")
                    refused = case == "respelling" and chars > MAX_RESPELLING
                    runs.append(render(arguments, cache, str(folder), refused))
                if isinstance(runs[0], str):
                    print(f"{chars:6} characters, {case}: refused: {runs[0]}", flush=True)
                    continue
                print(f"{chars:6} characters, {case}: peak RSS "
                      f"{statistics.median(r[1] for r in runs):5.0f} MB, "
                      f"{statistics.median(r[0] for r in runs):6.1f} s wall "
                      f"(median of {options.runs})", flush=True)


if __name__ == "__main__":
    main()
