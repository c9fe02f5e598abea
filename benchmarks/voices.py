"""Speech engines: real-time factor on one paragraph, and cold vs warm render of a standard track.

Usage: python benchmarks/voices.py [--runs 3] [--coqui-model DIR]

- Real-time factor (synthesis seconds / audio seconds, lower is faster) of each
  engine on the same paragraph, warm (model loaded), median of --runs; load time
  is shown apart. Piper is measured twice: on every core, and on the one thread each
  batch worker gives it. Coqui is measured when the `TTS` package is installed, with the
  model in --coqui-model (model.pth + config.json) or, failing that, the tiny
  random-weight model the tests build (its figure says little about real voices).
- What each tone does, measured on the audio: median F0 (autocorrelation pitch
  tracker) and words per minute of the paragraph, per engine, at the default pace.
- Render of the standard compassionate-self at the default voice, each run a
  fresh process: cold (empty speech cache) and warm (the cache the cold run left).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cft_audio.resources import voices_dir
from cft_audio.voices.engine import VoiceSettings
from cft_audio.voices.measure import f0_spread_semitones, median_f0, words_per_minute
from cft_audio.voices.presets import TONES, voice_settings
from cft_audio.voices.profiles import load_profiles, open_engine

PARAGRAPH = (
    "Let yourself settle into a comfortable position, and allow your eyes to close "
    "if that feels right. Notice the gentle rhythm of your breathing, without trying "
    "to change it. There is nothing you need to do right now, and nowhere else you "
    "need to be. When your mind wanders, as minds do, kindly bring it back."
)


def engines(coqui_model: Path | None, scratch: Path) -> dict[str, object]:
    """The engines to measure, by label."""
    profiles = load_profiles([voices_dir()])
    found: dict[str, object] = {
        "piper (joe)": open_engine(profiles["joe"]),
        "hibari (heart)": open_engine(profiles["heart"]),
        "espeak (en-gb+f3)": open_engine(profiles["espeak-en-gb"]),
        "piper (joe, 1 thread)": open_engine(profiles["joe"], threads=1),  # a batch worker's
    }
    if importlib.util.find_spec("TTS") is not None:
        from cft_audio.voices.coqui import CoquiEngine

        if coqui_model is None:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.coqui.build_tiny_model import build

            model, config = build(scratch / "tiny-coqui")
            label = "coqui (tiny random VITS)"
        else:
            model, config = coqui_model / "model.pth", coqui_model / "config.json"
            label = f"coqui ({coqui_model.name})"
        found[label] = CoquiEngine(model_path=model, config_path=config)
    return found


def real_time_factor(engine, runs: int) -> tuple[float, float, float]:
    """(load seconds, median RTF, audio seconds) for the paragraph, whole then by sentence."""
    start = time.perf_counter()
    engine.load()
    loaded = time.perf_counter() - start
    factors, seconds = [], 0.0
    sentences = [s.strip() + "." for s in PARAGRAPH.split(".") if s.strip()]
    for run in range(runs):
        start = time.perf_counter()
        seconds = sum(engine.synthesize(s, VoiceSettings(seed=run)).seconds for s in sentences)
        factors.append((time.perf_counter() - start) / seconds)
    return loaded, statistics.median(factors), seconds


def tone_table(label: str, engine) -> None:
    """Median F0, F0 spread and speaking rate of the paragraph for each tone (slow pace)."""
    sentences = [s.strip() + "." for s in PARAGRAPH.split(".") if s.strip()]
    print(f"  {label}: tone      median F0   F0 spread (IQR)   words/min (no pauses)")
    for tone in ("own voice", *TONES):
        settings = VoiceSettings() if tone == "own voice" else voice_settings(tone, "slow")
        clips = [engine.synthesize(s, settings) for s in sentences]
        audio, rate = np.concatenate([c.samples for c in clips]), clips[0].sample_rate
        print(f"    {tone:<12} {median_f0(audio, rate):7.1f} Hz   "
              f"{f0_spread_semitones(audio, rate):5.2f} semitones   "
              f"{words_per_minute(PARAGRAPH, len(audio) / rate):6.1f}")


def render_once(cache: Path, output: Path) -> float:
    """Wall seconds of one standard render in a fresh process using `cache`."""
    command = [sys.executable, "-m", "cft_audio.cli", "render", "compassionate-self",
               "--length", "standard", "--quiet", "-o", str(output)]
    start = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "CFT_AUDIO_CACHE": str(cache)})
    return time.perf_counter() - start


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--coqui-model", type=Path, default=None)
    parser.add_argument("--tones-only", action="store_true",
                        help="only the tone tables (no real-time factors or renders)")
    options = parser.parse_args()
    if options.tones_only:
        with tempfile.TemporaryDirectory() as folder:
            for label, engine in list(engines(None, Path(folder)).items())[:3]:
                tone_table(label, engine)
        return
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        print(f"real-time factor on a {len(PARAGRAPH.split())}-word paragraph "
              f"(median of {options.runs}; lower is faster):")
        measured = engines(options.coqui_model, scratch)
        for label, engine in measured.items():
            loaded, factor, seconds = real_time_factor(engine, options.runs)
            print(f"  {label:<28} RTF {factor:6.3f}  ({seconds:5.1f} s of speech, "
                  f"load {loaded:4.1f} s)")
        print("tones at the slow pace ('own voice' is length scale 1, no shift):")
        for label, engine in list(measured.items())[:3]:
            tone_table(label, engine)
        cold, warm = [], []
        for run in range(options.runs):
            cache = scratch / f"cache-{run}"
            cold.append(render_once(cache, scratch / "out"))
            warm.append(render_once(cache, scratch / "out"))
            print(f"  render run {run + 1}: cold {cold[-1]:5.1f} s, warm {warm[-1]:5.1f} s")
        print(f"standard compassionate-self, fresh process each (median of {options.runs}): "
              f"cold {statistics.median(cold):.1f} s, warm {statistics.median(warm):.1f} s")


if __name__ == "__main__":
    main()
