"""A cold render against a bare TTS + pydub script (bare_peer.py) on the same text.

    python benchmarks/peer.py [--engine piper|hibari] [--runs 3] [--pace slow|moderate|brisk]

The text is the standard compassionate other for `--image tree --name Sam` (47
sentences, about ten minutes). The bare script speaks the same sentences with the same
voice at the same speed, the same pauses, and exports an MP3:
- `--engine piper` (voice joe): Piper at the length scale cft-audio's tone and pace ask
  of it, pitch compensation included;
- `--engine hibari` (voice heart, the model in hibari's wheel): hibari at the `speed`
  cft-audio gives it for that tone and pace (its pitch and expressiveness work on the
  f0 contour and leave the length alone).
The two run alternately, each a fresh process: `cft-audio render --no-cache` against
`python bare_peer.py`. Prints every run, the medians, their ratio and peak RSS
(the largest of the process and its children, as getrusage reports it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from processes import timed

HERE = Path(__file__).resolve().parent
REQUEST = {"exercise": "compassionate-other", "image": "tree", "name": "Sam"}
VOICES = {"piper": "joe", "hibari": "heart"}


def plan(pace: str, engine: str) -> tuple[list[list], str, float]:
    """The say/pause items of the track, the voice model file and the engine's speed."""
    from cft_audio.pipeline import Renderer
    from cft_audio.request import Request
    from cft_audio.script.cues import Pause, Say
    from cft_audio.voices.engine import pitch_factor
    from cft_audio.voices.hibari import _RATE_EXPONENT, _SPEEDS
    from cft_audio.voices.presets import voice_settings
    from cft_audio.voices.profiles import resolve_reference

    renderer = Renderer()
    request = Request(**REQUEST, pace=pace, voice=VOICES[engine])
    preview = renderer.preview(request)
    pauses = iter(preview.pauses)
    items = [["say", c.text] if isinstance(c, Say) else ["pause", next(pauses)]
             for c in preview.script.cues if isinstance(c, Say | Pause)]
    profile = renderer.profiles[request.voice]
    model = resolve_reference(profile.model, profile.source.parent)
    settings = voice_settings(request.tone, request.pace)
    if engine == "hibari":  # as HibariEngine._speak_chunk asks of the model
        speed = min(max(settings.length_scale ** -_RATE_EXPONENT, _SPEEDS[0]), _SPEEDS[1])
    else:
        speed = settings.length_scale * pitch_factor(settings.pitch_semitones)
    return items, str(model), round(speed, 4)


def main() -> None:
    """Alternate the two, print each run, the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pace", default="slow", choices=("slow", "moderate", "brisk"))
    parser.add_argument("--engine", default="piper", choices=sorted(VOICES))
    options = parser.parse_args()
    items, model, speed = plan(options.pace, options.engine)
    print(f"{sum(1 for i in items if i[0] == 'say')} sentences, {options.engine} "
          f"({VOICES[options.engine]}) speed {speed}; load average {os.getloadavg()[0]:.1f}",
          flush=True)
    exe = str(Path(sys.executable).with_name("cft-audio"))
    flags = [f"--{k}={v}" for k, v in REQUEST.items() if k != "exercise"]
    flags.append(f"--voice={VOICES[options.engine]}")
    with tempfile.TemporaryDirectory(prefix="cft-peer-") as temp:
        work = Path(temp)
        (work / "plan.json").write_text(json.dumps(items), encoding="utf-8")
        env = {**os.environ, "CFT_AUDIO_CACHE": str(work / "cache")}
        # prepares the seeded voice graph once (a first-use cost, as for the bare script's
        # first load from disk); untimed
        subprocess.run([exe, "render", "safe-place", "--length", "short", "-q", "--no-cache",
                        f"--voice={VOICES[options.engine]}", "-o", str(work / "warm-up.mp3")],
                       env=env, check=True)
        commands = {
            "bare": [sys.executable, str(HERE / "bare_peer.py"), options.engine,
                     str(work / "plan.json"), model, str(speed), str(work / "bare.mp3")],
            "cft-audio": [exe, "render", REQUEST["exercise"], *flags, f"--pace={options.pace}",
                          "--no-cache", "-q", "-o", str(work / "cft.mp3")],
        }
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for run in range(options.runs):
            for name, command in commands.items():
                (work / "cft.mp3").unlink(missing_ok=True)
                figures[name].append(timed(command, env, quiet=True))
                seconds, peak = figures[name][-1]
                print(f"run {run + 1} {name:<10} {seconds:6.1f} s wall, peak RSS {peak:4.0f} MB "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
    medians = {name: statistics.median(s for s, _ in runs) for name, runs in figures.items()}
    for name, runs in figures.items():
        print(f"{name:<10} median of {len(runs)}: {medians[name]:6.1f} s wall, peak RSS "
              f"{statistics.median(p for _, p in runs):4.0f} MB")
    print(f"ratio cft-audio / bare: {medians['cft-audio'] / medians['bare']:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
