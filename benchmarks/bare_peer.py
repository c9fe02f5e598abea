"""A bare TTS + pydub script: what a user could write by hand to make the same track.

    python benchmarks/bare_peer.py piper|hibari PLAN.json MODEL.onnx SPEED OUT.mp3

PLAN.json is a list of ["say", text] and ["pause", seconds] items. The engine speaks
each line (Piper with SPEED as its length scale; hibari with SPEED as its `speed`),
pydub joins the lines and the pauses, overlays looped noise 22 dB down, fades and
exports a 128 kbit/s MP3 through ffmpeg (the one imageio-ffmpeg ships). Uses public
tools only and nothing of cft-audio: it is the peer that benchmarks/peer.py times us
against.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable

import imageio_ffmpeg
import numpy as np

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH; it is given one below
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.generators import WhiteNoise

SENTENCE_GAP_MS = 900
LEAD_MS, TAIL_MS = 1500, 5000
FADE_IN_MS, FADE_OUT_MS = 1000, 4000

Speak = Callable[[str], bytes]
"""Text to 16-bit mono PCM bytes."""


def piper_voice(model: str, speed: float) -> tuple[Speak, int]:
    """Piper speaking at length scale `speed`, and its sample rate."""
    from piper import PiperVoice, SynthesisConfig

    voice = PiperVoice.load(model)
    config = SynthesisConfig(length_scale=speed)
    return (lambda text: b"".join(c.audio_int16_bytes for c in voice.synthesize(text, config)),
            voice.config.sample_rate)


def hibari_voice(model: str, speed: float) -> tuple[Speak, int]:
    """hibari (one thread, as it suggests) speaking at `speed`, and its sample rate."""
    from hibari import SAMPLE_RATE, Hibari

    tts = Hibari(model=model, threads=1)

    def speak(text: str) -> bytes:
        audio = tts(text, speed=speed, seed=0)
        return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    return speak, SAMPLE_RATE


ENGINES = {"piper": piper_voice, "hibari": hibari_voice}


def main() -> None:
    """Speak the plan, mix it over noise, fade and write the MP3."""
    engine, plan_path, model, speed, output = sys.argv[1:6]
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    speak, rate = ENGINES[engine](model, float(speed))
    track = AudioSegment.silent(LEAD_MS, frame_rate=rate)
    previous = None
    for kind, value in plan:
        if kind == "pause":
            track += AudioSegment.silent(int(value * 1000), frame_rate=rate)
        else:
            if previous == "say":
                track += AudioSegment.silent(SENTENCE_GAP_MS, frame_rate=rate)
            track += AudioSegment(data=speak(value), sample_width=2, frame_rate=rate, channels=1)
        previous = kind
    track += AudioSegment.silent(TAIL_MS, frame_rate=rate)
    loop = WhiteNoise(sample_rate=rate).to_audio_segment(duration=30_000, volume=-40.0)
    noise = AudioSegment.empty()
    while len(noise) < len(track):
        noise += loop
    noise = noise.apply_gain(track.dBFS - 22 - noise.dBFS)  # 22 dB under the voice
    track = track.set_channels(2).overlay(noise.set_channels(2))
    track = track.fade_in(FADE_IN_MS).fade_out(FADE_OUT_MS)
    track.export(output, format="mp3", bitrate="128k")
    print(f"{len(track) / 1000:.1f} s of audio")


if __name__ == "__main__":
    main()
