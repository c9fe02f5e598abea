"""DNSMOS of our speech against plain Piper speaking the same sentences (issue 18).

For each tone, the sentences of the short safe place are spoken by a ladder of chains,
from Piper's own synthesis to a finished render, and each is scored with DNSMOS (the
`speechmos` package: P.835 OVRL and SIG, and P.808; CPU, its models ship inside the
package). Each line shows the scores and the change from the line above:

  plain Piper, voice's scales   PiperVoice.synthesize, the voice's own noise scales
  plain Piper, tone's scales    the same at the tone's noise scales: the reference
  seeded graph                  our seeded two-part graph, same scales, no pitch, untrimmed
  pitch shift                   + the tone's pitch shift (as the engine does it)
  trimming and fades            + the engine's trimming of silence and its fades
  clause joins and pauses       + the pace's clause pauses and settles: the engine's output
  resampling                    + 44.1 kHz, 16-bit: the working rate of the mix
  render                        a real render, --background none, WAV, speech cut out by
                                its .vtt cue times

Every line is the sentences joined with 0.3 s of silence, measured at one loudness
(-26 LUFS): DNSMOS falls as the level rises, while a listener sets their own volume. The
render is also scored at its mastered level (the last line), which is what the issue's
first figures were. Plain Piper draws unseeded noise, so its line moves by about 0.02
between runs: the reference line (*) is the median of --plain-runs runs.

With --voices joe,heart the ladder is replaced by a comparison of voices (issue 23): for
each tone, each voice's engine output and its render (cut by cue times) on the same
sentences, and the change of the second voice from the first (the default-voice rule:
OVRL and SIG within 0.03 or better).

Needs the bench extra: pip install -e '.[bench]'
Usage: python benchmarks/naturalness.py [--tones warm,calm,gentle,bright] [--pace slow]
       python benchmarks/naturalness.py --voices joe,heart [--tones warm]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pyloudnorm
from piper import PiperVoice
from piper.config import SynthesisConfig
from speechmos import dnsmos

from cft_audio import Renderer, Request
from cft_audio.ffmpeg import decode
from cft_audio.pipeline import RenderContext
from cft_audio.sound import RATE
from cft_audio.sound.signal import as_pcm16, resample
from cft_audio.voices.cache import SpeechCache
from cft_audio.voices.engine import finish_clip
from cft_audio.voices.piper import noise_scales
from cft_audio.voices.presets import TONES, voice_settings

DNSMOS_RATE = 16000
GAP_SECONDS = 0.3
LEVEL_LUFS = -26.0


def joined(clips: list[np.ndarray], rate: int) -> np.ndarray:
    """Clips at the DNSMOS rate, each followed by the gap."""
    gap = np.zeros(int(GAP_SECONDS * DNSMOS_RATE), dtype=np.float32)
    return np.concatenate([part for clip in clips
                           for part in (resample(np.asarray(clip, np.float32), rate,
                                                 DNSMOS_RATE), gap)])


def scores(clips: list[np.ndarray], rate: int, level: bool = True) -> tuple[float, ...]:
    """(OVRL, SIG, P.808) of the joined clips, at LEVEL_LUFS unless `level` is False."""
    audio = joined(clips, rate).astype(np.float64)
    if level:
        loudness = pyloudnorm.Meter(DNSMOS_RATE).integrated_loudness(audio)
        audio = audio * 10 ** ((LEVEL_LUFS - loudness) / 20)
    found = dnsmos.run(np.clip(audio, -1.0, 1.0).astype(np.float32), DNSMOS_RATE)
    return float(found["ovrl_mos"]), float(found["sig_mos"]), float(found["p808_mos"])


def cue_spans(vtt: Path) -> list[tuple[float, float]]:
    """Start and end seconds of every caption cue."""
    def seconds(stamp: str) -> float:
        hours, minutes, rest = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(rest)
    found = re.findall(r"(\d+:\d\d:\d\d\.\d+) --> (\d+:\d\d:\d\d\.\d+)", vtt.read_text())
    return [(seconds(a), seconds(b)) for a, b in found]


def ladder(renderer: Renderer, tone: str, pace: str, folder: Path,
           plain_runs: int) -> list[tuple[str, tuple]]:
    """Every stage's (name, scores) for one tone."""
    request = Request("safe-place", length="short", tone=tone, pace=pace, background="none",
                      format="wav", output=folder / f"{tone}.wav", sidecars=("vtt",))
    jobs = renderer.speech_jobs(request)
    texts = [job.text for job in jobs]
    settings = voice_settings(tone, pace)
    engine = renderer.speaker.engine(request.voice)  # the benchmark looks inside the engine
    engine.load()
    rate = engine.sample_rate
    plain = PiperVoice.load(engine.model_path)
    own = plain.config
    scale, width = noise_scales(settings.expressiveness)

    def piper_says(noise: float, noise_w: float) -> list[np.ndarray]:
        config = SynthesisConfig(length_scale=settings.length_scale, noise_scale=noise,
                                 noise_w_scale=noise_w, normalize_audio=False)
        gap = np.zeros(int(0.35 * rate), dtype=np.float32)
        return [np.concatenate([p for chunk in plain.synthesize(text, config)
                                for p in (chunk.audio_float_array, gap)][:-1])
                for text in texts]

    bare = dataclasses.replace(settings, clause_pause=0.0, settle=0.0)
    flat = dataclasses.replace(bare, pitch_semitones=0.0)
    seeded = [engine.speak(text, flat) for text in texts]
    pitched = [engine.speak(text, bare) for text in texts] if settings.pitch_semitones \
        else seeded
    renderer.synthesise(jobs)  # into the cache, where the render finds them
    spoken = [renderer.context.cache.get(job.key).samples for job in jobs]
    plains = [scores(piper_says(scale, width), rate) for _ in range(plain_runs)]
    seeded_scores = scores(seeded, rate)
    rows = [
        ("plain Piper, voice's scales", scores(piper_says(own.noise_scale, own.noise_w_scale),
                                               rate)),
        (f"plain Piper, tone's scales{'*' if plain_runs > 1 else ''}",
         tuple(float(np.median(column)) for column in zip(*plains, strict=True))),
        ("seeded graph", seeded_scores),
        (f"pitch shift ({settings.pitch_semitones:+g} st)",
         seeded_scores if pitched is seeded else scores(pitched, rate)),
        ("trimming and fades", scores([finish_clip(a, rate).samples for a in pitched], rate)),
        ("clause joins and pauses", scores(spoken, rate)),
        ("resampling", scores([as_pcm16(resample(a, rate, RATE)) / np.float32(32767)
                               for a in spoken], RATE)),
    ]
    result = renderer.render(request)
    audio = decode(result.path).mean(axis=1)
    cut = [audio[int(a * RATE):int(b * RATE)] for a, b in cue_spans(result.path.with_suffix(
        ".vtt"))]
    rows.append(("render (cut by cue times)", scores(cut, RATE)))
    rows.append(("render, at its mastered level", scores(cut, RATE, level=False)))
    return rows


def voice_rows(renderer: Renderer, voice: str, tone: str, pace: str,
               folder: Path) -> list[tuple[str, tuple]]:
    """(name, scores) of one voice's engine output and its render, for one tone."""
    request = Request("safe-place", length="short", tone=tone, pace=pace, background="none",
                      voice=voice, format="wav", output=folder / f"{voice}-{tone}.wav",
                      sidecars=("vtt",))
    jobs = renderer.speech_jobs(request)
    renderer.synthesise(jobs)
    spoken = [renderer.context.cache.get(job.key) for job in jobs]
    result = renderer.render(request)
    audio = decode(result.path).mean(axis=1)
    cut = [audio[int(a * RATE):int(b * RATE)] for a, b in cue_spans(result.path.with_suffix(
        ".vtt"))]
    return [(f"{voice}: engine output", scores([c.samples for c in spoken],
                                               spoken[0].sample_rate)),
            (f"{voice}: render (cut by cue times)", scores(cut, RATE))]


def compare_voices(renderer: Renderer, voices: list[str], tones: list[str], pace: str,
                   folder: Path) -> None:
    """Print each voice's scores per tone, and the last voice's change from the first."""
    verdicts = []
    for tone in tones:
        rows = [row for voice in voices for row in voice_rows(renderer, voice, tone, pace,
                                                              folder)]
        print(f"\n{tone}, {pace} pace; speech at {LEVEL_LUFS:g} LUFS")
        print(f"| {'voice and stage':<36} | OVRL | SIG  | P.808 |")
        print(f"| {'-' * 36} | ---- | ---- | ----- |")
        for stage, (ovrl, sig, p808) in rows:
            print(f"| {stage:<36} | {ovrl:.2f} | {sig:.2f} | {p808:.2f}  |", flush=True)
        first, last = rows[1][1], rows[-1][1]
        verdicts.append((tone, last[0] - first[0], last[1] - first[1], last[2] - first[2]))
    print(f"\nrender of {voices[-1]} against {voices[0]} (rule: OVRL and SIG >= -0.03)")
    for tone, ovrl, sig, p808 in verdicts:
        mark = "ok" if ovrl >= -0.03 and sig >= -0.03 else "MISSED"
        print(f"  {tone:<7} OVRL {ovrl:+.3f}  SIG {sig:+.3f}  P.808 {p808:+.3f}  {mark}")


def main() -> None:
    """Print the per-stage table for each tone, and the verdict against plain Piper."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tones", default=",".join(TONES))
    parser.add_argument("--pace", default="slow")
    parser.add_argument("--plain-runs", type=int, default=3,
                        help="plain Piper at the tone's scales: median of this many runs")
    parser.add_argument("--voices", default=None,
                        help="compare these voices (e.g. joe,heart) instead of the ladder")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        renderer = Renderer(RenderContext(cache=SpeechCache(folder / "cache"), lexicon=None))
        if args.voices:
            compare_voices(renderer, args.voices.split(","), args.tones.split(","), args.pace,
                           folder)
            print(f"({time.perf_counter() - started:.0f} s)")
            return
        verdicts = []
        for tone in args.tones.split(","):
            rows = ladder(renderer, tone, args.pace, folder, args.plain_runs)
            print(f"\n{tone}, {args.pace} pace; speech at {LEVEL_LUFS:g} LUFS unless said")
            print(f"| {'stage':<31} | OVRL | SIG  | P.808 | dOVRL | dSIG  | dP.808 |")
            print(f"| {'-' * 31} | ---- | ---- | ----- | ----- | ----- | ------ |")
            previous = None
            for stage, (ovrl, sig, p808) in rows:
                change = ("" if previous is None else
                          f" {ovrl - previous[0]:+.2f} | {sig - previous[1]:+.2f} | "
                          f"{p808 - previous[2]:+.2f}  |")
                print(f"| {stage:<31} | {ovrl:.2f} | {sig:.2f} | {p808:.2f}  |"
                      + (change or "       |       |        |"), flush=True)
                previous = (ovrl, sig, p808)
            reference, ours = rows[1][1], dict(rows)["render (cut by cue times)"]
            verdicts.append((tone, ours[0] - reference[0], ours[1] - reference[1]))
    print("\nrender against plain Piper at the same settings (target: both >= -0.03)")
    for tone, ovrl, sig in verdicts:
        mark = "ok" if ovrl >= -0.03 and sig >= -0.03 else "MISSED"
        print(f"  {tone:<7} OVRL {ovrl:+.3f}  SIG {sig:+.3f}  {mark}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
