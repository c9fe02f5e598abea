"""Voice samples: a few sentences in the sample's voice, tone and pace, mastered, no bed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ArgumentError
from ..export.encode import automatic_name, encode_stream, iter_blocks, plan_output
from ..export.publish import reserve
from ..export.tags import TrackInfo
from ..limits import MAX_SAMPLE_TEXT, quoted
from ..request import VoiceSample
from ..schema import BY_KEY
from ..script.cues import Say, Script
from ..sound import RATE
from ..sound.master import mastered_blocks, plan_master
from ..sound.signal import PCM16_SCALE
from ..voices.presets import Pace
from .plan import output_format

PREVIEW_SECONDS = 10.0
"""Length of a voice sample."""


def sample_script(sample: VoiceSample, text: str | None) -> Script:
    """What a sample says: `text`, or a greeting (with the name, to check it), then a settling."""
    if text is not None and len(text) > MAX_SAMPLE_TEXT:
        raise ArgumentError(f"the sample text {quoted(text)} is over the limit MAX_SAMPLE_TEXT = "
                            f"{MAX_SAMPLE_TEXT} characters (allowed: a sentence or two)")
    lines = [text] if text else [
        f"Hello, {sample.name}." if sample.name else "Hello.",
        "This is how I will sound as I guide your practice.",
        "There is no hurry.",
    ]
    return Script(title=f"Voice sample: {sample.voice}", exercise="voice-sample",
                  length="sample", cues=tuple(Say(line) for line in lines),
                  text="\n".join(lines))


def sample_track(script: Script, speech: Sequence[np.ndarray], pace: Pace, sample: VoiceSample,
                 seconds: float = PREVIEW_SECONDS) -> Path:
    """Write the spoken sample, mastered, to the sample's output (tagged with the default
    artist and album); its path."""
    gap = np.zeros(int(pace.between_sentences * RATE), dtype=np.float32)
    lead = np.zeros(int(0.5 * RATE), dtype=np.float32)
    voice = np.concatenate([lead, *[p for s in speech
                                    for p in (s.astype(np.float32) / PCM16_SCALE, gap)]])
    length = max(int(seconds * RATE), len(voice) + int(0.5 * RATE))
    mono = np.zeros(length, dtype=np.float32)
    mono[: len(voice)] = voice
    stereo = np.repeat(mono[:, None], 2, axis=1)
    plan = plan_master(lambda: iter_blocks(stereo), len(stereo), RATE)
    info = TrackInfo(title=script.title, artist=BY_KEY["artist"].default,
                     album=BY_KEY["album"].default,
                     genre="Speech", year=datetime.date.today().year, track=None,
                     comment="Voice sample", lyrics=script.text, cover=None, chapters=())
    fmt = output_format(sample)
    names = (f"voice-{sample.voice}-{sample.tone}-{sample.pace}", fmt)
    target = plan_output(sample.output, *names)
    first = automatic_name(sample.output, *names)
    blocks = mastered_blocks(lambda: iter_blocks(stereo), len(stereo), RATE, plan.gain)
    with reserve(first or target, first is not None) as slot:
        temp = encode_stream(blocks, RATE, slot.audio, fmt, info, into=slot.temp())
        return slot.publish(temp, {})
