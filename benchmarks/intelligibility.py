"""Word error rate of an offline recogniser on our speech, with and without the pacing (issue 18).

The sentences of the short safe place are spoken by the default voice at each pace, once
with the pace's clause pauses and settles and once without them, and transcribed by
PocketSphinx (the `pocketsphinx` package ships its US English model: nothing is
downloaded). The figure is the word error rate against the spoken text; a pacing that
made the words harder to follow would raise it. PocketSphinx is far weaker than Whisper,
so only the difference between the two lines means anything, not the level.

With --voices joe,heart it compares voices instead (issue 23): the word error rate of
each voice at each tone of --tones, at the first pace of --paces, pacing included.

Needs the bench extra: pip install -e '.[bench]'
Usage: python benchmarks/intelligibility.py [--tone warm] [--paces slow,moderate,brisk]
       python benchmarks/intelligibility.py --voices joe,heart [--tones warm,calm] [--paces slow]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time

import numpy as np
from pocketsphinx import Decoder

from cft_audio import Renderer, Request
from cft_audio.pipeline import RenderContext
from cft_audio.sound.signal import as_pcm16, resample
from cft_audio.voices.presets import voice_settings

ASR_RATE = 16000


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped (as the recogniser writes them)."""
    return re.findall(r"[a-z']+", text.lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, start=1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hypothesis, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           previous + (word != other))
    return row[-1]


def transcribe(decoder: Decoder, samples: np.ndarray, rate: int) -> str:
    """What the recogniser hears in one clip."""
    pcm = as_pcm16(resample(samples, rate, ASR_RATE)).tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


def error_rate(engine, decoder: Decoder, texts: list[str], settings) -> tuple[int, float]:
    """(words, word error rate in %) of the recogniser on `texts` spoken with `settings`."""
    errors = total = 0
    for text in texts:
        clip = engine.synthesize(text, settings)
        heard = transcribe(decoder, clip.samples, clip.sample_rate)
        errors += edit_distance(words(text), words(heard))
        total += len(words(text))
    return total, 100 * errors / total


def compare_voices(renderer: Renderer, decoder: Decoder, texts: list[str], voices: list[str],
                   tones: list[str], pace: str) -> None:
    """Print the word error rate of each voice at each tone, at one pace."""
    print(f"{len(texts)} sentences of the short safe place, {pace} pace, pacing included")
    print("| tone | " + " | ".join(voices) + " |")
    print("| --- |" + " --- |" * len(voices))
    for tone in tones:
        rates = [error_rate(renderer.speaker.engine(voice), decoder, texts,
                            voice_settings(tone, pace))[1] for voice in voices]
        print(f"| {tone} | " + " | ".join(f"{rate:.1f}%" for rate in rates) + " |", flush=True)


def main() -> None:
    """Print the word error rate with and without the pacing, for each pace."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tone", default="warm")
    parser.add_argument("--paces", default="slow,moderate,brisk")
    parser.add_argument("--voices", default=None, help="compare these voices, e.g. joe,heart")
    parser.add_argument("--tones", default="warm,calm,gentle,bright")
    args = parser.parse_args()
    started = time.perf_counter()
    decoder = Decoder(samprate=ASR_RATE, loglevel="FATAL")
    renderer = Renderer(RenderContext(cache=None, lexicon=None))
    texts = [job.text for job in renderer.speech_jobs(Request("safe-place", length="short"))]
    if args.voices:
        compare_voices(renderer, decoder, texts, args.voices.split(","), args.tones.split(","),
                       args.paces.split(",")[0])
        print(f"({time.perf_counter() - started:.0f} s)")
        return
    engine = renderer.speaker.engine("joe")  # the benchmark speaks through the engine directly
    print(f"{len(texts)} sentences of the short safe place, tone {args.tone}")
    print("| pace | pacing | words | word error rate |")
    print("| --- | --- | --- | --- |")
    for pace in args.paces.split(","):
        paced = voice_settings(args.tone, pace)
        even = dataclasses.replace(paced, clause_pause=0.0, settle=0.0)
        for label, settings in (("without", even), ("with", paced)):
            total, rate = error_rate(engine, decoder, texts, settings)
            print(f"| {pace} | {label} clause pauses and settles | {total} | "
                  f"{rate:.1f}% |", flush=True)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
