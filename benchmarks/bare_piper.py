"""A bare Piper + pydub script: what a user could write by hand to make the same track.

    python benchmarks/bare_piper.py PLAN.json MODEL.onnx LENGTH_SCALE OUT.mp3

PLAN.json is a list of ["say", text] and ["pause", seconds] items. Piper speaks each
line, pydub joins the lines and the pauses, overlays looped noise 22 dB down and
exports an MP3 through ffmpeg (the one imageio-ffmpeg ships). Uses public tools only
and nothing of cft-audio: it is the peer that benchmarks/peer.py times us against.
"""

from __future__ import annotations

import json
import sys
import warnings

import imageio_ffmpeg
from piper import PiperVoice, SynthesisConfig

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH; it is given one below
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.generators import WhiteNoise

SENTENCE_GAP_MS = 900
LEAD_MS, TAIL_MS = 1500, 5000


def main() -> None:
    """Speak the plan, mix it over noise and write the MP3."""
    plan_path, model, length_scale, output = sys.argv[1:5]
    AudioSegment.converter = imageio_ffmpeg.get_ffmpeg_exe()
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    voice = PiperVoice.load(model)
    config = SynthesisConfig(length_scale=float(length_scale))
    rate = voice.config.sample_rate
    track = AudioSegment.silent(LEAD_MS, frame_rate=rate)
    previous = None
    for kind, value in plan:
        if kind == "pause":
            track += AudioSegment.silent(int(value * 1000), frame_rate=rate)
        else:
            if previous == "say":
                track += AudioSegment.silent(SENTENCE_GAP_MS, frame_rate=rate)
            audio = b"".join(chunk.audio_int16_bytes for chunk in voice.synthesize(value, config))
            track += AudioSegment(data=audio, sample_width=2, frame_rate=rate, channels=1)
        previous = kind
    track += AudioSegment.silent(TAIL_MS, frame_rate=rate)
    loop = WhiteNoise(sample_rate=rate).to_audio_segment(duration=30_000, volume=-40.0)
    noise = AudioSegment.empty()
    while len(noise) < len(track):
        noise += loop
    noise = noise.apply_gain(track.dBFS - 22 - noise.dBFS)  # 22 dB under the voice
    track = track.set_channels(2).overlay(noise.set_channels(2))
    track.export(output, format="mp3", bitrate="128k")
    print(f"{len(track) / 1000:.1f} s of audio")


if __name__ == "__main__":
    main()
